"""The report a person reads: report.md, report.json and a chart of suite metrics vs thresholds."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from app.evals.results import EvalRun, GateFailure, SuiteResult
from app.evals.suites import get_suite

CHART = "metrics.png"
MAX_FAILURES_SHOWN = 40  # per suite in report.md; report.json keeps them all


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3f}"


def _failed(run: EvalRun) -> set[tuple[str, str]]:
    return {(g.suite, g.metric) for g in run.gate}


def metric_rows(run: EvalRun) -> list[tuple[str, str, str, str, str]]:
    """(suite, metric, value, threshold, status) for every metric, gated ones first."""
    failed = _failed(run)
    rows = []
    for result in run.suites:
        bounds = run.thresholds.get(result.name, {})
        names = list(bounds) + [m for m in result.metrics if m not in bounds]
        for metric in names:
            if metric not in result.metrics and metric not in bounds:
                continue
            value = result.metrics.get(metric)
            if metric in bounds and value is None and (result.name, metric) not in failed:
                continue  # an optional metric this run did not measure
            status = "FAIL" if (result.name, metric) in failed else ("pass" if metric in bounds else "")
            rows.append((result.name, metric, _fmt(value), bounds.get(metric, ""), status))
    return rows


def summary_table(run: EvalRun) -> str:
    """The short table printed on stdout."""
    rows = [r for r in metric_rows(run) if r[3]]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(("suite", "metric", "value", "threshold", "status"))]
    line = "  ".join(h.ljust(w) for h, w in zip(("suite", "metric", "value", "threshold", "status"), widths,
                                                 strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    verdict = "PASS: every gated metric meets its threshold" if run.passed else \
        f"FAIL: {len(run.gate)} gated metric(s) below threshold"
    out.append(f"\n{verdict} ({run.seconds:.0f} s, model {run.model})")
    return "\n".join(out)


def _suite_md(result: SuiteResult, run: EvalRun) -> list[str]:
    lines = [f"## {result.name}", "",
             f"{result.cases} cases in {result.seconds:.1f} s.", ""]
    lines += [f"- {n}" for n in result.notes]
    if result.notes:
        lines.append("")
    lines += ["| metric | value | threshold | status |", "|---|---|---|---|"]
    lines += [f"| {m} | {v} | {t} | {s} |" for suite, m, v, t, s in metric_rows(run) if suite == result.name]
    lines.append("")
    if result.failures:
        lines += [f"### Failing cases ({len(result.failures)})", ""]
        for f in result.failures[:MAX_FAILURES_SHOWN]:
            lines.append(f"- **{f.case}** `{f.check}`: {f.detail}")
            if f.text:
                quoted = f.text.replace("\n", "\n  > ")
                lines.append(f"  > {quoted}")
        if len(result.failures) > MAX_FAILURES_SHOWN:
            lines.append(f"- ... and {len(result.failures) - MAX_FAILURES_SHOWN} more in report.json")
        lines.append("")
    else:
        lines += ["No failing cases.", ""]
    return lines


def markdown(run: EvalRun, chart: str | None = CHART) -> str:
    verdict = "**PASS**" if run.passed else f"**FAIL** ({len(run.gate)} gated metric(s) below threshold)"
    lines = ["# Upward eval report", "",
             f"{verdict}. Model `{run.model}`" + (f", judge `{run.judge}`" if run.judge else "")
             + f"; started {run.started}; took {run.seconds:.0f} s.", ""]
    if run.gate:
        lines += ["## Gate failures", ""] + [f"- {g}" for g in run.gate] + [""]
    if chart:
        lines += [f"![suite metrics against their thresholds]({chart})", ""]
    for result in run.suites:
        lines += _suite_md(result, run)
    lines += ["## Versions", "", "| what | version |", "|---|---|"]
    lines += [f"| {k} | `{v}` |" for k, v in run.versions.items()]
    lines.append("")
    return "\n".join(lines)


def chart(run: EvalRun, path: Path) -> None:
    """One panel per suite: ratio metrics as bars, threshold as a tick, failing bars in red."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    failed = _failed(run)
    panels = []
    for result in run.suites:
        try:
            wanted = get_suite(result.name).chart
        except Exception:  # noqa: BLE001 - an unknown suite name just gets no preferred order
            wanted = ()
        names = [m for m in wanted if result.metrics.get(m) is not None]
        names += [m for m in result.metrics if m.startswith("judge_") and result.metrics[m] is not None]
        panels.append((result, names))
    fig, axes = plt.subplots(len(panels) or 1, 1, figsize=(8, 1.2 + 0.5 * sum(max(1, len(n)) for _, n in panels)),
                             squeeze=False)
    for ax, (result, names) in zip(axes[:, 0], panels, strict=False):
        values = [float(result.metrics[m] or 0.0) for m in names]
        colors = ["#c0392b" if (result.name, m) in failed else "#2e86c1" for m in names]
        ax.barh(names, values, color=colors)
        bounds = run.thresholds.get(result.name, {})
        for i, m in enumerate(names):
            inside = values[i] > 0.85  # label inside the bar so it does not sit on the threshold tick
            ax.text(values[i] - 0.02 if inside else values[i] + 0.01, i, _fmt(values[i]), va="center",
                    ha="right" if inside else "left", fontsize=8, color="white" if inside else "black")
            bound = bounds.get(m, "")
            if bound.startswith(">= "):
                ax.plot([float(bound[3:])] * 2, [i - 0.4, i + 0.4], color="black", linewidth=2)
        counts = [f"{m} {_fmt(result.metrics.get(m))}" for m in ("canary_leaks", "banned_phrases", "errors")
                  if m in result.metrics]
        status = "FAIL" if any(s == result.name for s, _ in failed) else "pass"
        ax.set_title(f"{result.name} ({status})" + (f"   {', '.join(counts)}" if counts else ""), fontsize=10)
        ax.set_xlim(0, 1.0)
        ax.invert_yaxis()
        ax.tick_params(labelsize=8)
    axes[-1, 0].set_xlabel(f"value (black tick: threshold); model {run.model}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def write_report(run: EvalRun, directory: Path) -> list[Path]:
    """Write report.md, report.json and the chart into `directory` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    png = directory / CHART
    chart(run, png)
    doc = run.model_dump()
    doc["passed"] = run.passed
    doc["gate"] = [{**g.model_dump(), "message": str(g)} for g in run.gate]
    _atomic_write(directory / "report.json", json.dumps(doc, ensure_ascii=False, indent=2))
    _atomic_write(directory / "report.md", markdown(run, CHART))
    return [directory / "report.md", directory / "report.json", png]


def gate_lines(failures: list[GateFailure]) -> list[str]:
    return [str(g) for g in failures]
