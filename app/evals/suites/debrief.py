"""Debrief: paired transcripts of the same conversation handled well and poorly. The debrief
must rank the good one higher, and scoring one transcript twice must give the same scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.evals import scorers
from app.evals.cases import DebriefCase, load_cases
from app.evals.results import CaseFailure
from app.evals.suites.base import Context, Metrics, Outcome, Suite, errored

DIFFICULTY = "realistic"


def load(evals_dir: Path) -> list[DebriefCase]:
    return load_cases(evals_dir / "debrief.yaml", DebriefCase)


def _scored(debrief: Any) -> dict[str, Any]:
    return {**{f"score:{k}": v for k, v in debrief.scores.items()}, "overall": debrief.overall}


def run_case(case: DebriefCase, ctx: Context) -> Outcome:
    from app.coach.debrief import score_transcript
    from app.coach.profiles import load_profile
    from app.schemas import Turn

    profile = load_profile(ctx.manager_file(case.manager))
    out = Outcome(case.id)
    overall: dict[str, float] = {}
    stable = 0
    for side, lines in (("good", case.good), ("bad", case.bad)):
        transcript = [Turn(role="user", content=line) for line in lines]
        first, second = (score_transcript(transcript, case.scenario, profile, difficulty=DIFFICULTY,
                                          model=ctx.model, settings=ctx.settings) for _ in range(2))
        diffs = scorers.same_scores(_scored(first), _scored(second))
        if diffs:
            out.fail("score_stability", f"{side} transcript scored twice: " + "; ".join(diffs), "\n".join(lines))
        else:
            stable += 1
        overall[side] = first.overall
        out.output[side] = {"scores": first.scores, "overall": first.overall}
    out.values = {"good": overall["good"], "bad": overall["bad"], "stable": stable / 2}
    if overall["good"] <= overall["bad"]:
        g, b = out.output["good"], out.output["bad"]
        out.fail("pair_ranking", f"good scored {g['overall']} {g['scores']}, bad scored {b['overall']} {b['scores']}",
                 "GOOD:\n" + "\n".join(case.good) + "\nBAD:\n" + "\n".join(case.bad))
    return out


def aggregate(outcomes: list[Outcome], ctx: Context) -> tuple[Metrics, list[str], list[CaseFailure]]:
    scored = [o for o in outcomes if not o.error]
    pairs = [(o.values["good"], o.values["bad"]) for o in scored]
    n = max(1, len(outcomes))  # an errored pair counts as misranked and unstable
    metrics: Metrics = {
        "pair_accuracy": scorers.pair_accuracy(pairs) * len(pairs) / n,
        "score_stability": sum(o.values["stable"] for o in scored) / n,
        "mean_margin": scorers.mean(g - b for g, b in pairs) / 100,
        "errors": errored(outcomes),
    }
    ties = sum(1 for g, b in pairs if g == b)
    notes = [f"{len(pairs)} pairs; ties ({ties}) count as misranked; mean_margin is the mean "
             "(good - bad) overall score on a 0-1 scale"]
    return metrics, notes, []


SUITE = Suite(name="debrief", file="debrief.yaml", load=load, run_case=run_case, aggregate=aggregate,
              chart=("pair_accuracy", "score_stability", "mean_margin"))
