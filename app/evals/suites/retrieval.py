"""Retrieval: question -> expected source ids. Hybrid search against BM25-only and dense-only
baselines computed in the same run over the same index."""

from __future__ import annotations

from pathlib import Path

from app.evals import scorers
from app.evals.cases import RetrievalCase, load_cases
from app.evals.results import CaseFailure
from app.evals.suites.base import Context, Metrics, Outcome, Suite, errored

DEPTH = 10  # how deep MRR looks
RANKERS = ("hybrid", "bm25", "dense")


def load(evals_dir: Path) -> list[RetrievalCase]:
    return load_cases(evals_dir / "retrieval.yaml", RetrievalCase)


def run_case(case: RetrievalCase, ctx: Context) -> Outcome:
    from app.retrieval.search import bm25_search, dense_search, search

    out = Outcome(case.id)
    rankings = {
        "hybrid": search(case.question, k=DEPTH, settings=ctx.settings),
        "bm25": bm25_search(case.question, k=DEPTH, settings=ctx.settings),
        "dense": dense_search(case.question, k=DEPTH, settings=ctx.settings),
    }
    for name, hits in rankings.items():
        ranked = [h.source for h in hits]
        out.values[f"{name}:recall@1"] = scorers.recall_at_k(ranked, case.sources, 1)
        out.values[f"{name}:recall@3"] = scorers.recall_at_k(ranked, case.sources, 3)
        out.values[f"{name}:recall@4"] = scorers.recall_at_k(ranked, case.sources, 4)  # what `search` shows
        out.values[f"{name}:mrr"] = scorers.reciprocal_rank(ranked, case.sources)
        out.values[f"{name}:coverage@3"] = scorers.coverage_at_k(ranked, case.sources, 3)
    top = rankings["hybrid"][:3]
    out.output = {"top3": [f"{h.source}:{h.card}" for h in top]}
    if not out.values["hybrid:recall@3"]:
        out.fail("recall@3", f"expected one of {case.sources}; hybrid top 3: "
                 + ", ".join(f"{h.source} ({h.title})" for h in top), case.question)
    return out


def aggregate(outcomes: list[Outcome], ctx: Context) -> tuple[Metrics, list[str], list[CaseFailure]]:
    scored = [o for o in outcomes if not o.error]
    metrics: Metrics = {}
    for ranker in RANKERS:
        prefix = "" if ranker == "hybrid" else f"{ranker}_"
        for metric in ("recall@1", "recall@3", "recall@4", "mrr", "coverage@3"):
            # a question that errored counts as a miss, so errors cannot raise the score
            metrics[prefix + metric] = sum(o.values[f"{ranker}:{metric}"] for o in scored) / max(1, len(outcomes))
    metrics["errors"] = errored(outcomes)
    gain = (metrics["recall@3"] or 0.0) - max(metrics["bm25_recall@3"] or 0.0, metrics["dense_recall@3"] or 0.0)
    notes = [f"hybrid recall@3 is {gain:+.3f} against the better single ranker; "
             f"recall@k counts a question as found when any expected source is in the top k; "
             f"coverage@3 is the share of all expected sources in the top 3"]
    return metrics, notes, []


SUITE = Suite(name="retrieval", file="retrieval.yaml", load=load, run_case=run_case, aggregate=aggregate,
              chart=("recall@1", "recall@3", "mrr", "bm25_recall@3", "dense_recall@3"))
