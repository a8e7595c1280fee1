"""Run eval suites through the same services the app uses, then gate them against thresholds.

Each run works in a scratch data directory (a fresh knowledge index, its own history file), so
a person's ingested documents and rehearsal history neither change the figures nor fill up with
eval sessions. The vector store is always the local one for the same reason.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from app import prompts
from app.config import Settings, or_environment
from app.errors import BadInput
from app.evals.results import CaseFailure, EvalRun, SuiteResult, Thresholds, gate, load_thresholds
from app.evals.suites import NAMES, get_suite
from app.evals.suites.base import Context, Outcome, Suite, stratified
from app.evals.versions import data_versions, knowledge_version, prompt_versions, used_prompts

EVALS_DIR = Path(__file__).resolve().parents[2] / "evals"
MAX_TEXT = 600  # offending text kept per failure in the report


def resolve_suites(names: Sequence[str] | None) -> list[str]:
    """Suite names in run order; accepts comma-separated items; BadInput lists the suites."""
    if not names:
        return list(NAMES)
    wanted = [n.strip() for item in names for n in item.split(",") if n.strip()]
    if not wanted:
        raise BadInput(f"No suite named. Suites: {', '.join(NAMES)}.")
    for name in wanted:
        get_suite(name)  # raises BadInput naming the known suites
    return [n for n in NAMES if n in wanted]


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _run_suite(suite: Suite, cases: Sequence[Any], ctx: Context, bar: tqdm) -> SuiteResult:
    start = time.perf_counter()
    outcomes: list[Outcome] = []
    notes: list[str] = []
    for case in cases:
        case_id = str(getattr(case, "id", len(outcomes) + 1))
        bar.set_postfix_str(f"{suite.name}:{case_id}", refresh=False)
        try:
            outcome = suite.run_case(case, ctx)
        except ImportError as exc:  # the service this suite drives is not there (yet)
            notes.append(f"not run: the service could not be imported ({exc})")
            bar.update(len(cases) - len(outcomes))
            outcomes = []
            break
        except Exception as exc:  # noqa: BLE001 - one broken case must not hide the rest
            outcome = Outcome(case_id, error=f"{type(exc).__name__}: {exc}")
            outcome.fail("error", outcome.error or "", "")
        if ctx.judge and suite.judge and not outcome.error:
            try:
                outcome.values.update({f"judge_{k}": v for k, v in suite.judge(case, outcome, ctx).items()})
            except Exception as exc:  # noqa: BLE001 - the judge is optional; its failure is reported
                outcome.fail("judge", f"{type(exc).__name__}: {exc}")
        outcomes.append(outcome)
        bar.update(1)
    if outcomes:
        metrics, more, across = suite.aggregate(outcomes, ctx)
        notes += more
        judged = sorted({k for o in outcomes for k in o.values if k.startswith("judge_")})
        for key in judged:
            vals = [o.values[key] for o in outcomes if key in o.values]
            metrics[key] = sum(vals) / len(vals)
    else:
        metrics, across = {}, []
    failures = [CaseFailure(case=f.case, check=f.check, detail=_clip(f.detail), text=_clip(f.text))
                for f in [*(f for o in outcomes for f in o.failures), *across]]
    return SuiteResult(name=suite.name, cases=len(outcomes), seconds=round(time.perf_counter() - start, 2),
                       metrics=metrics, failures=failures, notes=notes)


def _share_cache(base: Settings, scratch: Settings) -> None:
    """Let a scratch run use the data directory's cache of exemplar vectors and word tables: they depend
    only on the shipped files and the embedding model (their keys say so), and embedding every scenario's
    exemplars again costs each run several seconds. The index and the history stay in the scratch folder.
    Without a usable cache folder, the run simply fills its own."""
    from app.config import exemplar_cache, private_dir
    from app.errors import UpwardError

    shared, own = exemplar_cache(base), exemplar_cache(scratch)
    try:
        private_dir(shared)
        private_dir(own.parent)
        own.symlink_to(shared, target_is_directory=True)
    except (OSError, UpwardError):
        pass


def run_evals(
    suites: Sequence[str] | None = None,
    *,
    settings: Settings | None = None,
    model: str | None = None,
    judge: str | None = None,
    evals_dir: Path | None = None,
    thresholds: Thresholds | Path | None = None,
    limit: int | None = None,
    sample: int | None = None,
    pick: Mapping[str, Callable[[Sequence[Any]], Sequence[Any]]] | None = None,
    data_dir: Path | None = None,
    progress: bool = True,
) -> EvalRun:
    """Run the named suites (all by default) and gate the metrics.

    `pick` chooses a suite's cases explicitly (the CI gate's fixed sample), instead of `sample`;
    `limit` keeps the first N cases of each suite (quick checks); `sample` keeps the first N
    cases of each scenario or draft kind in the slow, model-driven suites (a stratified run that
    still covers every scenario and kind); `data_dir` replaces the scratch directory.
    """
    names = resolve_suites(suites)
    base = or_environment(settings)
    evals_dir = Path(evals_dir or EVALS_DIR)
    if thresholds is None or isinstance(thresholds, Path):
        thresholds = load_thresholds(thresholds or evals_dir / "thresholds.yaml")
    for label, value in (("limit", limit), ("sample", sample)):
        if value is not None and value < 1:
            raise BadInput(f"{label} must be at least 1 (got {value}).")
    from app.llm import gateway

    for chosen in (model or base.model, judge):
        if chosen:
            gateway.resolve(chosen, base)  # an unknown id or a missing key is bad input, before any work
    loaded = {}
    for name in names:
        suite = get_suite(name)
        cases = list(suite.load(evals_dir))
        if pick and name in pick:
            cases = list(pick[name](cases))
        elif sample:
            cases = stratified(cases, suite.group, sample, suite.unit)
        loaded[name] = (suite, cases[:limit] if limit else cases)

    started = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="upward-eval-", ignore_cleanup_errors=True) as scratch:
        run_settings = base.model_copy(update={
            "data_dir": Path(data_dir or scratch), "chroma_url": None, "model": model or base.model,
        })
        if data_dir is None:
            _share_cache(base, run_settings)
        ctx = Context(settings=run_settings, model=run_settings.model, evals_dir=evals_dir, judge=judge)
        total = sum(len(c) for _, c in loaded.values())
        results = []
        with prompts.recording() as used, tqdm(total=total, desc="upward eval", unit="case", file=sys.stderr,
                                                disable=not progress, dynamic_ncols=True) as bar:
            for suite, cases in loaded.values():
                results.append(_run_suite(suite, cases, ctx, bar))
        versions = {**prompt_versions(Path(run_settings.prompts_dir)), **used_prompts(used),
                    **knowledge_version(run_settings),
                    **data_versions(evals_dir, [suite.file for suite, _ in loaded.values()])}

    return EvalRun(
        started=started, seconds=round(time.perf_counter() - clock, 2), model=ctx.model, judge=judge,
        versions=versions, suites=results,
        thresholds={s: {m: t.describe() for m, t in ms.items()} for s, ms in thresholds.items() if s in names},
        gate=gate(results, thresholds),
    )
