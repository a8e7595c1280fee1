"""Debrief traps: transcripts written to game a scorer (keyword-stuffed, polite but empty, rude with
real figures) must score below every well-handled transcript of their scenario; no ultimatum or
blaming line may be quoted as a strength; every debrief names at least one improvement.

evals/debrief_traps.yaml is the tuned part; evals/debrief_traps_heldout.yaml is reported apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from app.config import exemplar_cache
from app.evals.cases import load_parts
from app.evals.results import CaseFailure
from app.evals.suites.base import Context, Metrics, Outcome, Suite, by_part, errored
from app.schemas import Strict

PARTS = (("debrief_traps.yaml", "tuned"), ("debrief_traps_heldout.yaml", "heldout"))
DIFFICULTY = "realistic"


class TrapCase(Strict):
    id: str
    scenario: str
    manager: str
    well_handled: list[str] = Field(min_length=1)
    traps: dict[str, list[str]]
    part: Literal["tuned", "heldout"] = "tuned"


def load(evals_dir: Path) -> list[TrapCase]:
    return load_parts(evals_dir, PARTS, TrapCase)


def _score(lines: list[str], case: TrapCase, ctx: Context) -> Any:
    from app.coach.debrief import score_transcript
    from app.coach.profiles import load_profile
    from app.schemas import Turn

    profile = load_profile(ctx.manager_file(case.manager))
    transcript = [Turn(role="user", content=line) for line in lines]
    return score_transcript(transcript, case.scenario, profile, difficulty=DIFFICULTY, model=ctx.model,
                            settings=ctx.settings)


def run_case(case: TrapCase, ctx: Context) -> Outcome:
    from app.coach.debrief import harmful
    from app.coach.profiles import load_profile
    from app.coach.rehearsal import moves
    from app.coach.rubric import load_rubric
    from app.coach.scenarios import load_scenario

    out = Outcome(case.id, output={"part": case.part, "scenario": case.scenario})
    where = moves.frame(load_scenario(case.scenario, ctx.settings), load_profile(ctx.manager_file(case.manager)),
                        moves.Difficulty.realistic, load_rubric(ctx.settings), prompts_dir=ctx.settings.prompts_dir,
                        cache_dir=exemplar_cache(ctx.settings))
    overall: dict[str, int] = {}
    harmful_strengths = no_improvement = 0
    for label, lines in [("well_handled", case.well_handled), *case.traps.items()]:
        debrief = _score(lines, case, ctx)
        overall[label] = debrief.overall
        bad_lines = [line for line in lines if harmful(moves.read_turn(line, where))]
        for strength in debrief.strengths:
            if any(line.split(".")[0][:40] in strength for line in bad_lines):
                harmful_strengths += 1
                out.fail("harmful_strength", f"{label}: a threat or blame quoted as a strength", strength)
        if not debrief.improvements:
            no_improvement += 1
            out.fail("no_improvement", f"{label}: the debrief names nothing to improve")
    out.output["overall"] = overall
    out.values = {"harmful_strengths": harmful_strengths, "no_improvement": no_improvement,
                  "debriefs": float(len(overall))}
    return out


def aggregate(outcomes: list[Outcome], ctx: Context) -> tuple[Metrics, list[str], list[CaseFailure]]:
    metrics: Metrics = {}
    notes: list[str] = []
    across: list[CaseFailure] = []
    for part, prefix, mine in by_part(outcomes):
        good: dict[str, list[int]] = {}
        for o in mine:
            good.setdefault(o.output["scenario"], []).append(o.output["overall"]["well_handled"])
        below = traps = 0
        for o in mine:
            floor = min(good[o.output["scenario"]])
            for label, score in o.output["overall"].items():
                if label == "well_handled":
                    continue
                traps += 1
                if score < floor:
                    below += 1
                else:
                    across.append(CaseFailure(case=o.case, check=f"{part}:trap_below_good",
                                              detail=f"{label} scored {score}, the lowest well-handled "
                                                     f"{o.output['scenario']} transcript {floor}"))
        metrics[f"{prefix}trap_below_good"] = below / traps if traps else None
        metrics[f"{prefix}harmful_strengths"] = sum(o.values["harmful_strengths"] for o in mine)
        metrics[f"{prefix}no_improvement"] = sum(o.values["no_improvement"] for o in mine)
        notes.append(f"{part}: {len(mine)} cases, {traps} trap transcripts")
    metrics["errors"] = errored(outcomes)
    return metrics, notes, across


SUITE = Suite(name="traps", file="debrief_traps.yaml", load=load, run_case=run_case, aggregate=aggregate,
              chart=("trap_below_good", "heldout_trap_below_good"))
