"""Understanding: labelled person lines. Does the rehearsal's reading of a line say the right thing
about whether it answers the concern the manager just raised, and which acts it performs?

Five files: evals/understanding.yaml (the part the classifier was tuned on), evals/understanding_heldout.yaml
(written before tuning, never tuned on), evals/understanding_heldout2.yaml, evals/understanding_heldout3.yaml and
evals/understanding_heldout4.yaml (held-back sets written blind later, each before a further round; the fourth
after the last round, read once). Each is reported apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from app.config import exemplar_cache
from app.evals.cases import load_parts
from app.evals.results import CaseFailure
from app.evals.suites.base import Context, Metrics, Outcome, Suite, by_part, errored
from app.schemas import Strict

ACTS = ("evidence", "solution", "ask", "input", "priorities", "ultimatum", "blame", "offtopic", "closing")
PARTS = (("understanding.yaml", "tuned"), ("understanding_heldout.yaml", "heldout"),
         ("understanding_heldout2.yaml", "heldout2"), ("understanding_heldout3.yaml", "heldout3"),
         ("understanding_heldout4.yaml", "heldout4"))


class LineCase(Strict):
    id: str
    scenario: str
    current: str | None = None
    text: str = Field(min_length=1)
    answers_current: bool = False
    acts: list[str] = Field(default_factory=list)
    kind: str = "direct"
    part: Literal["tuned", "heldout", "heldout2", "heldout3", "heldout4"] = "tuned"


def load(evals_dir: Path) -> list[LineCase]:
    return load_parts(evals_dir, PARTS, LineCase)


def run_case(case: LineCase, ctx: Context) -> Outcome:
    from app.coach.profiles import load_profile
    from app.coach.rehearsal import moves
    from app.coach.rubric import load_rubric
    from app.coach.scenarios import load_scenario

    profile = load_profile(ctx.manager_file("skeptical.yaml"))
    where = moves.frame(load_scenario(case.scenario, ctx.settings), profile, moves.Difficulty.realistic,
                        load_rubric(ctx.settings), prompts_dir=ctx.settings.prompts_dir,
                        cache_dir=exemplar_cache(ctx.settings))
    reading = moves.read_turn(case.text, where, case.current)
    out = Outcome(case.id, output={"acts": reading.acts, "answers": reading.addressed, "part": case.part,
                                   "kind": case.kind})
    said = bool(case.current) and case.current in reading.addressed
    if case.current:
        out.values["answer_tp"] = float(said and case.answers_current)
        out.values["answer_fp"] = float(said and not case.answers_current)
        out.values["answer_fn"] = float(not said and case.answers_current)
        if said != case.answers_current:
            out.fail(f"{case.part}:answers_current", f"expected {case.answers_current} for {case.current} "
                     f"({case.kind}), read {said}", case.text)
    for act in ACTS:
        got, want = act in reading.acts, act in case.acts
        out.values[f"{act}_tp"] = float(got and want)
        out.values[f"{act}_fp"] = float(got and not want)
        out.values[f"{act}_fn"] = float(want and not got)
        if got != want:
            out.fail(f"{case.part}:act:{act}", f"expected {want}, read {got} ({case.kind})", case.text)
    return out


def _pr(outcomes: list[Outcome], key: str) -> tuple[float | None, float | None]:
    tp = sum(o.values.get(f"{key}_tp", 0.0) for o in outcomes)
    fp = sum(o.values.get(f"{key}_fp", 0.0) for o in outcomes)
    fn = sum(o.values.get(f"{key}_fn", 0.0) for o in outcomes)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def aggregate(outcomes: list[Outcome], ctx: Context) -> tuple[Metrics, list[str], list[CaseFailure]]:
    metrics: Metrics = {}
    notes: list[str] = []
    for part, prefix, mine in by_part(outcomes):
        p, r = _pr(mine, "answer")
        metrics[f"{prefix}answer_precision"], metrics[f"{prefix}answer_recall"] = p, r
        for act in ACTS:
            ap, ar = _pr(mine, act)
            metrics[f"{prefix}{act}_precision"], metrics[f"{prefix}{act}_recall"] = ap, ar
        notes.append(f"{part}: {len(mine)} lines")
    metrics["errors"] = errored(outcomes)
    return metrics, notes, []


SUITE = Suite(name="understanding", file="understanding.yaml", load=load, run_case=run_case, aggregate=aggregate,
              chart=("answer_precision", "answer_recall", "heldout_answer_precision", "heldout_answer_recall"))
