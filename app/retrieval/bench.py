"""`upward bench`: retrieval timings measured in one run, printed as lines (no pass/fail).

Builds the knowledge index cold in a fresh temporary data directory, then times warm hybrid
search against numpy brute force over the very vectors Chroma stored, and dense-only queries.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from app.config import get_settings
from app.retrieval import embedding
from app.retrieval.search import Searcher

EVALS = Path(__file__).resolve().parents[2] / "evals" / "retrieval.yaml"
BUILTIN_QUERIES = [
    "my boss explodes when I bring bad news",
    "how do I ask for a promotion",
    "my manager never gives clear direction",
    "I want more autonomy, my boss checks everything I do",
    "how to give feedback to my manager",
    "the team is burning out and my boss keeps adding work",
    "what should go in a weekly status report",
    "my manager is remote and I can't tell what they expect",
    "my boss won't support my career goal",
    "asking for more budget and headcount",
    "when is a good time to talk to my boss",
    "how do I make my work visible without bragging",
    "my boss is intimidating",
    "we keep forgetting what we agreed in calls",
    "my manager likes to think before deciding",
]


def load_queries(limit: int = 30) -> tuple[list[str], list[list[str]]]:
    """Questions (and their expected source ids) from evals/retrieval.yaml, else a built-in list."""
    if EVALS.is_file():
        data = yaml.safe_load(EVALS.read_text(encoding="utf-8")) or {}
        cases = data.get("cases", data) if isinstance(data, dict) else data
        pairs = [
            (str(c.get("question") or c.get("query")), [str(s) for s in c.get("sources", [])])
            for c in cases or []
            if isinstance(c, dict) and (c.get("question") or c.get("query"))
        ]
        if pairs:
            return [q for q, _ in pairs[:limit]], [s for _, s in pairs[:limit]]
    return BUILTIN_QUERIES[:limit], [[] for _ in BUILTIN_QUERIES[:limit]]


def _timed(fn: Callable[[str], object], queries: list[str]) -> list[float]:
    times = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _line(label: str, ms: list[float]) -> str:
    return f"{label:<34} p50 {_pct(ms, 0.5):7.2f} ms   p95 {_pct(ms, 0.95):7.2f} ms"


def run() -> list[str]:
    """Measure and return printable lines."""
    base = get_settings()
    queries, expected = load_queries()
    lines = [f"Retrieval bench: {len(queries)} queries from "
             f"{EVALS.name if EVALS.is_file() else 'the built-in list'}, knowledge at {base.knowledge_dir}"]

    start = time.perf_counter()
    model = embedding.get_model()
    lines.append(f"{'embedding model load':<34} {(time.perf_counter() - start) * 1000:8.1f} ms")

    with tempfile.TemporaryDirectory(prefix="upward-bench-", ignore_cleanup_errors=True) as tmp:
        settings = base.model_copy(update={"data_dir": Path(tmp), "chroma_url": None})
        start = time.perf_counter()
        searcher = Searcher(settings)
        build_ms = (time.perf_counter() - start) * 1000
        lines.append(f"{'index build, cold (' + str(len(searcher.cards)) + ' cards)':<34} {build_ms:8.1f} ms")
        start = time.perf_counter()
        Searcher(settings)
        lines.append(f"{'index reopen (hash unchanged)':<34} {(time.perf_counter() - start) * 1000:8.1f} ms")

        k = 4
        searcher.search(queries[0], k)  # warm caches outside the timings
        searcher.brute_force_search(queries[0], k)
        hybrid = _timed(lambda q: searcher.search(q, k), queries)
        dense = _timed(lambda q: searcher.dense_search(q, k), queries)
        brute = _timed(lambda q: searcher.brute_force_search(q, k), queries)
        lexical = _timed(lambda q: searcher.bm25_search(q, k), queries)
        embed_only = _timed(lambda q: model.embed([q]), queries)
        lines += [
            _line("embed one query", embed_only),
            _line("hybrid search (dense+BM25, RRF)", hybrid),
            _line("dense only (embed + Chroma HNSW)", dense),
            _line("brute force (embed + numpy)", brute),
            _line("BM25 only", lexical),
            f"{'hybrid / brute force (p50)':<34} {_pct(hybrid, 0.5) / _pct(brute, 0.5):8.2f}x",
            f"{'Chroma dense / brute force (p50)':<34} {_pct(dense, 0.5) / _pct(brute, 0.5):8.2f}x",
        ]

        overlap = []
        for q in queries:
            chroma_ids = {h.card for h in searcher.dense_search(q, k)}
            exact_ids = {h.card for h in searcher.brute_force_search(q, k)}
            overlap.append(len(chroma_ids & exact_ids) / max(1, len(exact_ids)))
        lines.append(f"{'HNSW recall@4 vs brute force':<34} {statistics.mean(overlap):8.3f}")

        if any(expected):
            for label, fn in (("hybrid", searcher.search), ("dense", searcher.dense_search),
                              ("BM25", searcher.bm25_search)):
                top1 = top4 = 0
                for q, want in zip(queries, expected, strict=True):
                    sources = [h.source for h in fn(q, k)]
                    top1 += bool(sources) and sources[0] in want
                    top4 += any(s in want for s in sources)
                n = len(queries)
                lines.append(f"{'source hit@1 / hit@4, ' + label:<34} {top1 / n:8.3f} / {top4 / n:.3f}")
    return lines
