"""`upward bench`: every path a person waits for, as a ratio to its floor measured in the same run.

Prints a table and writes `bench.json` (path from UPWARD_BENCH_JSON, default ./bench.json); it
asserts nothing. UPWARD_BENCH_QUICK=1 runs fewer samples, UPWARD_BENCH_ONLY=a,b runs only the
named sections. To add rows, write `def rows(bench: Bench) -> list[Row]` next to the code it
measures and add it to SECTIONS (or call `register`); `bench.context()` gives the warm in-process
context (settings on the scratch data dir, the loaded model and its probe).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app import prompts
from app.benchmarks.paths import Context
from app.benchmarks.probe import Probe
from app.benchmarks.report import Report, Row, machine, table
from app.config import Settings
from app.llm import local, registry

MAX_TOKENS = 96
RUNS = 3


@dataclass
class Bench:
    """One run: a scratch data directory, the settings pointing at it, and the warm context."""

    settings: Settings
    scratch: Path
    quick: bool = False
    _context: Context | None = field(default=None, repr=False)

    def context(self) -> Context:
        """The in-process context, created once: warmed as `upward serve` warms, generations probed."""
        from app.ui.warmup import WarmUp  # app.ui imports gradio

        if self._context is None:
            WarmUp(self.settings).run()
            model = registry.model(self.settings.model, self.settings)
            llama = probe = None
            if model.loads_weights:
                llama = model.engine.llama
                probe = Probe(llama).__enter__()
            self._context = Context(self.settings, model.id, llama, probe, self.quick)
        return self._context

    def close(self) -> None:
        if self._context is not None and self._context.probe is not None:
            self._context.probe.__exit__()


Section = Callable[[Bench], list[Row]]


def _measure(make_stream: Callable[[], Iterator[str]], count: Callable[[str], int]) -> tuple[float, float]:
    """(time to first piece in s, decode tokens per second) for one streamed generation."""
    start = time.perf_counter()
    first = 0.0
    text = ""
    for piece in make_stream():
        if not first:
            first = time.perf_counter() - start
        text += piece
    total = time.perf_counter() - start
    tokens = max(1, count(text))
    return first, tokens / max(1e-6, total - first)


def llm_layer(bench: Bench) -> list[Row]:
    """Upward's LLM layer (litellm provider, budget, worker thread) against raw llama-cpp-python."""
    import statistics

    settings = bench.settings
    model = registry.model(local.MODEL_ID, settings)
    engine = model.engine
    llama = engine.llama
    messages = prompts.load("runtime/bench").messages()  # read once, outside the timed paths
    params = {"max_tokens": MAX_TOKENS, "temperature": 0.0, "repeat_penalty": 1.15, "top_p": 1.0}

    def raw() -> Iterator[str]:
        for chunk in llama.create_chat_completion(messages=messages, stream=True, **params):
            piece = chunk["choices"][0].get("delta", {}).get("content")
            if piece:
                yield piece

    def layer() -> Iterator[str]:
        yield from model.stream(messages, max_tokens=MAX_TOKENS)

    _measure(raw, engine.count_tokens)  # warm both paths once
    _measure(layer, engine.count_tokens)
    runs = 1 if bench.quick else RUNS
    raw_runs = [_measure(raw, engine.count_tokens) for _ in range(runs)]
    layer_runs = [_measure(layer, engine.count_tokens) for _ in range(runs)]
    r_ttft, r_tps = statistics.median(r[0] for r in raw_runs), statistics.median(r[1] for r in raw_runs)
    l_ttft, l_tps = statistics.median(r[0] for r in layer_runs), statistics.median(r[1] for r in layer_runs)
    section = "LLM layer (same prompt, warm)"
    return [
        Row(section, "first token", l_ttft, floor=r_ttft, floor_label="raw llama-cpp-python", samples=runs),
        Row(section, "seconds per token (1 / decode rate)", 1 / l_tps, floor=1 / r_tps,
            floor_label="raw llama-cpp-python", goal=1.05, goal_on="ratio", samples=runs),
    ]


def retrieval(bench: Bench) -> list[Row]:
    from app.retrieval import bench as retrieval_bench

    return retrieval_bench.run(bench.settings)


def rehearsal(bench: Bench) -> list[Row]:
    from app.benchmarks import paths

    return paths.rehearsal(bench.context())


def ask(bench: Bench) -> list[Row]:
    from app.benchmarks import paths

    return paths.ask(bench.context())


def draft(bench: Bench) -> list[Row]:
    from app.benchmarks import paths

    return paths.draft(bench.context())


def search_process(bench: Bench) -> list[Row]:
    from app.benchmarks import processes

    return processes.search_process(bench.settings.data_dir, runs=3 if bench.quick else 5)


def understanding(bench: Bench) -> list[Row]:
    from app.benchmarks import listening

    return listening.rows(bench.context())


def serve(bench: Bench) -> list[Row]:
    from app.benchmarks import processes

    return processes.serve_rows(bench.settings.data_dir, runs=1 if bench.quick else 3)


# Run in this order: retrieval builds the scratch index that every later section uses.
SECTIONS: dict[str, Section] = {
    "retrieval": retrieval,
    "llm": llm_layer,
    "rehearsal": rehearsal,
    "understanding": understanding,
    "ask": ask,
    "draft": draft,
    "search": search_process,
    "serve": serve,
}


def register(name: str, section: Section) -> None:
    """Add a section of rows (e.g. voice or drafting measurements) after the built-in ones."""
    SECTIONS[name] = section


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(settings: Settings) -> Iterator[str]:
    """Run every section, yield progress and then the table; write bench.json."""
    base = settings
    quick = os.environ.get("UPWARD_BENCH_QUICK", "") not in ("", "0", "false")
    only = [s.strip() for s in os.environ.get("UPWARD_BENCH_ONLY", "").split(",") if s.strip()]
    out = Path(os.environ.get("UPWARD_BENCH_JSON") or "bench.json")
    report = Report()
    m = report.machine_before
    yield f"upward bench: nproc {m['nproc']}, load average {m['loadavg']}{' (quick)' if quick else ''}"
    scratch = Path(tempfile.mkdtemp(prefix="upward-bench-"))
    bench = Bench(base.model_copy(update={"data_dir": scratch / "data", "chroma_url": None}), scratch, quick)
    try:
        for name, section in SECTIONS.items():
            if only and name not in only and name != "retrieval":  # retrieval builds the index the rest use
                continue
            start = time.perf_counter()
            yield f"... {name}"
            try:
                rows = section(bench)
            except Exception as exc:  # noqa: BLE001 - one broken section must not hide the others
                report.errors.append(f"{name}: {type(exc).__name__}: {exc}")
                yield f"    {name} failed: {type(exc).__name__}: {exc}"
                yield from ("    " + line for line in traceback.format_exc().splitlines()[-6:])
                continue
            report.rows += rows
            yield f"    {name}: {len(rows)} rows in {time.perf_counter() - start:.0f} s"
        report.rows.append(Row("bench process", "peak RSS of this bench process", _peak_mb(), unit="MB"))
    finally:
        bench.close()
        shutil.rmtree(scratch, ignore_errors=True)
    report.machine_after = machine()
    yield ""
    yield from table(report.rows)
    yield ""
    yield (f"nproc {m['nproc']}, load average before {m['loadavg']}, after {report.machine_after['loadavg']}; "
           f"wrote {report.write(out)}")
    for error in report.errors:
        yield f"error: {error}"
    if not only or "voice" in only:  # voice and drafting print their own lines (not in bench.json)
        from app.voice import bench as voice_bench

        yield from voice_bench.run(base)
    if not only or "words" in only:
        from app.benchmarks import words as bench_words

        yield from bench_words.lines(base)
