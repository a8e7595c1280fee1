"""`upward bench`, retrieval rows: timings measured in one run (no pass/fail).

Builds the knowledge index cold in the data directory it is given (a fresh scratch directory),
then times warm hybrid search against numpy brute force over the very vectors Chroma stored,
and dense-only and BM25-only queries. The index it leaves behind serves the other benchmarks.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from app.benchmarks.report import Row, pct
from app.config import Settings
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
SECTION = "retrieval (in process)"


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
        times.append(time.perf_counter() - start)
    return times


def run(settings: Settings) -> list[Row]:
    """Measure in `settings.data_dir` (expected fresh) and return rows."""
    settings = settings.model_copy(update={"chroma_url": None})
    queries, expected = load_queries()
    rows: list[Row] = []

    start = time.perf_counter()
    model = embedding.get_model()
    rows.append(Row(SECTION, "embedding model load", time.perf_counter() - start))

    start = time.perf_counter()
    searcher = Searcher(settings)
    build = time.perf_counter() - start
    what = "index build" if searcher.rebuilt else "index open (already built)"
    rows.append(Row(SECTION, f"{what} ({len(searcher.cards)} cards)", build))
    start = time.perf_counter()
    Searcher(settings)
    rows.append(Row(SECTION, "index reopen (hash unchanged)", time.perf_counter() - start))

    k = 4
    searcher.search(queries[0], k)  # warm caches outside the timings
    searcher.brute_force_search(queries[0], k)
    hybrid = _timed(lambda q: searcher.search(q, k), queries)
    dense = _timed(lambda q: searcher.dense_search(q, k), queries)
    brute = _timed(lambda q: searcher.brute_force_search(q, k), queries)
    lexical = _timed(lambda q: searcher.bm25_search(q, k), queries)
    embed_only = _timed(lambda q: model.embed([q]), queries)
    n = len(queries)
    rows += [
        Row(SECTION, "hybrid search p50 (dense+BM25, RRF)", pct(hybrid, 0.5), floor=pct(brute, 0.5),
            floor_label="embed + numpy brute force", samples=n),
        Row(SECTION, "hybrid search p95", pct(hybrid, 0.95), floor=pct(brute, 0.95),
            floor_label="embed + numpy brute force", samples=n),
        Row(SECTION, "dense only p50 (embed + Chroma HNSW)", pct(dense, 0.5), floor=pct(brute, 0.5),
            floor_label="embed + numpy brute force", samples=n),
        Row(SECTION, "BM25 only p50", pct(lexical, 0.5), samples=n),
        Row(SECTION, "embed one query p50", pct(embed_only, 0.5), samples=n),
    ]

    overlap = []
    for q in queries:
        chroma_ids = {h.card for h in searcher.dense_search(q, k)}
        exact_ids = {h.card for h in searcher.brute_force_search(q, k)}
        overlap.append(len(chroma_ids & exact_ids) / max(1, len(exact_ids)))
    rows.append(Row(SECTION, "HNSW recall@4 vs brute force", statistics.mean(overlap), unit="", samples=n))

    if any(expected):
        for label, fn in (("hybrid", searcher.search), ("dense", searcher.dense_search),
                          ("BM25", searcher.bm25_search)):
            top1 = top4 = 0
            for q, want in zip(queries, expected, strict=True):
                sources = [h.source for h in fn(q, k)]
                top1 += bool(sources) and sources[0] in want
                top4 += any(s in want for s in sources)
            rows.append(Row(SECTION, f"source hit@1, {label}", top1 / n, unit="", samples=n,
                            note=f"hit@4 {top4 / n:.3f}" if label == "hybrid" else ""))
    return rows
