"""`upward bench`: performance as ratios against a baseline measured in the same run.

LLM layer vs raw llama-cpp-python on the same GGUF and prompt (tokens/s, time to first token),
peak memory, then the retrieval benchmarks. Numbers are printed, never asserted.
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable, Iterator

from app.config import Settings, get_settings

PROMPT = [
    {"role": "system", "content": "You are a busy engineering director. Answer in two sentences."},
    {"role": "user", "content": "I'd like to talk about leading the platform migration next quarter."},
]
MAX_TOKENS = 96
RUNS = 3


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def llm_lines(settings: Settings) -> list[str]:
    from app.llm import gateway, local

    engine = local.get_engine(settings.local_context, settings.local_threads)
    llama = engine.llama  # load once, outside the timings
    params = {"max_tokens": MAX_TOKENS, "temperature": 0.0, "repeat_penalty": 1.15, "top_p": 1.0}

    def raw() -> Iterator[str]:
        for chunk in llama.create_chat_completion(messages=PROMPT, stream=True, **params):
            piece = chunk["choices"][0].get("delta", {}).get("content")
            if piece:
                yield piece

    def layer() -> Iterator[str]:
        yield from gateway.stream(PROMPT, model="local/smollm2", max_tokens=MAX_TOKENS, settings=settings)

    _measure(raw, engine.count_tokens)  # warm both paths once
    _measure(layer, engine.count_tokens)
    raw_runs = [_measure(raw, engine.count_tokens) for _ in range(RUNS)]
    layer_runs = [_measure(layer, engine.count_tokens) for _ in range(RUNS)]
    r_ttft, r_tps = statistics.median(r[0] for r in raw_runs), statistics.median(r[1] for r in raw_runs)
    l_ttft, l_tps = statistics.median(r[0] for r in layer_runs), statistics.median(r[1] for r in layer_runs)
    return [
        f"LLM: SmolLM2-135M Q4_1, same prompt, {MAX_TOKENS} max tokens, median of {RUNS}",
        f"  raw llama-cpp-python   {r_tps:7.1f} tok/s   first token {r_ttft * 1000:7.1f} ms",
        f"  Upward LLM layer       {l_tps:7.1f} tok/s   first token {l_ttft * 1000:7.1f} ms",
        f"  ratio layer/raw        {l_tps / r_tps:7.3f} (tok/s, goal >= 0.95)   "
        f"first-token overhead {(l_ttft - r_ttft) * 1000:+.1f} ms",
        f"  peak memory (RSS)      {_peak_mb():7.0f} MB",
    ]


def run(settings: Settings | None = None) -> Iterator[str]:
    """Yield report lines as each benchmark finishes."""
    settings = settings or get_settings()
    yield from llm_lines(settings)
    from app.retrieval import bench as retrieval_bench

    yield "Retrieval:"
    for line in retrieval_bench.run():
        yield f"  {line}"
    from app.voice import bench as voice_bench

    yield from voice_bench.run(settings)
    from app.coach import bench_words

    yield from bench_words.lines(settings)
    yield f"peak memory (RSS), whole run {_peak_mb():.0f} MB"
