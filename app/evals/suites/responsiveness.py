"""Responsiveness: scripted rehearsals through the real Rehearsal service. Does the manager pick up
what the person said (a figure, name, date or project from their line, their situation, or the
manager's own priorities and pressures), never claim an answered question went unanswered, never
repeat a sentence, stay in character, and sound different when the temperament differs?

evals/responsiveness.yaml is the tuned part; evals/responsiveness_heldout.yaml was written before
tuning and is reported apart. Each script also runs once more with the opposite temperament
(explosive <-> supportive) to measure how much the voice changes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from app.evals import scorers
from app.evals.cases import Difficulty, load_parts
from app.evals.results import CaseFailure
from app.evals.suites.base import Context, Metrics, Outcome, Suite, by_part, errored
from app.schemas import Strict

PARTS = (("responsiveness.yaml", "tuned"), ("responsiveness_heldout.yaml", "heldout"))
UNANSWERED = re.compile(r"\b(haven'?t (really )?answered|not hearing an answer|didn'?t answer|you dodged|"
                        r"still waiting for an answer|answer the question|not what i asked)\b", re.I)


class ScriptCase(Strict):
    id: str
    scenario: str
    manager: str
    difficulty: Difficulty = "realistic"
    situation: str = ""
    lines: list[str] = Field(min_length=1)
    answers: dict[int, str] = Field(default_factory=dict)
    part: Literal["tuned", "heldout"] = "tuned"


def load(evals_dir: Path) -> list[ScriptCase]:
    return load_parts(evals_dir, PARTS, ScriptCase)


def _profile(case: ScriptCase, ctx: Context) -> Any:
    from app.coach.profiles import load_profile

    path = Path(case.manager)
    if not path.is_file():
        path = ctx.manager_file(Path(case.manager).name)
    return load_profile(path)


def _rehearse(case: ScriptCase, profile: Any, ctx: Context) -> tuple[list[str], list[Any]]:
    from app.coach.rehearsal import Rehearsal

    session = Rehearsal.start(case.scenario, profile, difficulty=case.difficulty, hints=False, model=ctx.model,
                              settings=ctx.settings, greet=False, situation=case.situation)
    replies = [session.say(line) for line in case.lines]
    return replies, session.states


def _sentences(text: str) -> list[str]:
    return [re.sub(r"[^a-z0-9 ]", "", s.lower()).strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


@lru_cache(maxsize=1)
def stock_pairs(prompts_dir: Path) -> frozenset[tuple[str, str]]:
    """Adjacent content-word pairs the manager's own line banks contain: saying one of these is no sign
    of having listened, so `picks_up` does not count them."""
    pairs: set[tuple[str, str]] = set()
    for path in [*sorted((prompts_dir / "voices").glob("*.yaml")), *sorted((prompts_dir / "scenarios").glob("*.yaml"))]:
        pairs |= content_pairs(path.read_text(encoding="utf-8"))
    return frozenset(pairs)


def content_pairs(text: str) -> set[tuple[str, str]]:
    """Stemmed pairs of adjacent words that are both content words ("charge nurse", "bed board")."""
    from app.coach.rehearsal.understanding import stem
    from app.text import STOP

    words = [w.strip("'").lower() for w in re.findall(r"[A-Za-z][\w'-]*", text)]
    return {(stem(a), stem(b)) for a, b in zip(words, words[1:], strict=False)
            if a not in STOP and b not in STOP and len(a) > 2 and len(b) > 2}


def picks_up(reply: str, line: str, situation: str, profile: Any, phrases: frozenset[tuple[str, str]] | None = None) \
        -> bool:
    """True when the reply reuses a specific of the person's line or situation, or the profile's
    own priorities or pressures (a salient token, or two content words of a priority or pressure).
    With `phrases` (the stock pairs of the line banks), a phrase of two adjacent content words from the
    line that no bank line contains counts too ("the charge nurse", "the bed board")."""
    from app.coach.rehearsal import specifics
    from app.coach.rehearsal.understanding import stems

    if phrases is not None and (content_pairs(line) & content_pairs(reply)) - phrases:
        return True
    low = reply.lower()
    for source in (line, situation):
        found = specifics.from_text(source or "")
        for token in found.tokens():
            core = token.lower().removeprefix("the ").strip()
            if len(core) >= 2 and core in low:
                return True
    mine = set(stems(reply))
    for phrase in [*profile.priorities, *profile.pressures]:
        theirs = {s for s in stems(phrase) if len(s) > 3}
        if len(mine & theirs) >= 2 or (len(theirs) == 1 and theirs <= mine):
            return True
    return False


def run_case(case: ScriptCase, ctx: Context) -> Outcome:
    from app.coach.rehearsal import CANARY
    from app.schemas import Temperament

    profile = _profile(case, ctx)
    replies, states = _rehearse(case, profile, ctx)
    out = Outcome(case.id, output={"part": case.part, "temperament": profile.temperament.value,
                                   "transcript": [x for pair in zip(case.lines, replies, strict=True) for x in pair]})
    specific = strict = repeated = false_unanswered = in_character = 0
    seen: set[str] = set()
    stock = stock_pairs(ctx.settings.prompts_dir)
    for i, (line, reply) in enumerate(zip(case.lines, replies, strict=True)):
        state = states[i + 1]
        if picks_up(reply, line, case.situation, profile, stock):
            specific += 1
        if picks_up(reply, line, case.situation, profile):
            strict += 1
        for sentence in _sentences(reply):
            if sentence in seen:
                repeated += 1
                out.fail("repeated_sentence", f"turn {i + 1} repeats an earlier sentence", reply)
            seen.add(sentence)
        concern = case.answers.get(i)
        if concern and ((state.move == "press_concern" and state.concern == concern) or UNANSWERED.search(reply)):
            false_unanswered += 1
            out.fail("false_unanswered", f"turn {i + 1} answered {concern}; the manager said it was not", reply)
        problems = scorers.character_problems(reply)
        if scorers.canary_leak(reply, CANARY):
            problems.append("canary")
        if problems:
            out.fail("in_character", "; ".join(problems), reply)
        else:
            in_character += 1
    twin_temperament = Temperament.supportive if profile.temperament == Temperament.explosive \
        else Temperament.explosive
    twin_replies, twin_states = _rehearse(case, profile.model_copy(update={"temperament": twin_temperament}), ctx)
    differ = sum(a.strip() != b.strip() for a, b in zip(replies, twin_replies, strict=True))
    ultimatums = [i for i in range(1, len(states)) if "ultimatum" in states[i].acts]
    agreed = any(s.agreed for s in states)
    out.values = {
        "turns": len(replies), "specific": specific, "specific_strict": strict, "repeated": repeated,
        "false_unanswered": false_unanswered,
        "in_character": in_character, "differ": differ,
        "ultimatums": len(ultimatums), "ultimatum_falls": sum(states[i].delta < 0 for i in ultimatums)
        + sum(twin_states[i].delta < 0 for i in ultimatums),
        "weak_agreed": float("weak" in case.id and agreed), "strong_agreed": float("strong" in case.id and agreed),
        "weak": float("weak" in case.id), "strong": float("strong" in case.id),
    }
    if "weak" in case.id and agreed:
        out.fail("weak_agreed", "five weak lines reached agreement")
    if "strong" in case.id and not agreed:
        still = [c for c in states[-1].held_back if c not in states[-1].addressed]
        out.fail("strong_not_agreed", f"strong lines never reached agreement (receptiveness "
                 f"{[s.receptiveness for s in states]}, still open {still})")
    return out


def aggregate(outcomes: list[Outcome], ctx: Context) -> tuple[Metrics, list[str], list[CaseFailure]]:
    metrics: Metrics = {}
    notes: list[str] = []
    for part, prefix, mine in by_part(outcomes):
        turns = sum(o.values["turns"] for o in mine)

        def total(key: str, group: list[Outcome] = mine) -> float:
            return sum(o.values[key] for o in group)

        metrics[f"{prefix}specific_reuse"] = total("specific") / turns if turns else None
        # the first measure, before phrases of the line counted: figures, dates, names, projects, profile
        metrics[f"{prefix}specific_reuse_strict"] = total("specific_strict") / turns if turns else None
        metrics[f"{prefix}false_unanswered"] = total("false_unanswered")
        metrics[f"{prefix}repeated_sentences"] = total("repeated")
        metrics[f"{prefix}in_character"] = total("in_character") / turns if turns else None
        metrics[f"{prefix}temperament_differ"] = total("differ") / turns if turns else None
        falls = total("ultimatums")
        metrics[f"{prefix}ultimatum_falls"] = total("ultimatum_falls") / (2 * falls) if falls else None
        metrics[f"{prefix}weak_agreed"] = total("weak_agreed") if total("weak") else None
        metrics[f"{prefix}strong_agreed"] = total("strong_agreed") / total("strong") if total("strong") else None
        notes.append(f"{part}: {len(mine)} scripts, {int(turns)} manager turns (plus as many with the opposite "
                     "temperament)")
    metrics["errors"] = errored(outcomes)
    return metrics, notes, []


SUITE = Suite(name="responsiveness", file="responsiveness.yaml", load=load, run_case=run_case, aggregate=aggregate,
              chart=("specific_reuse", "temperament_differ", "heldout_specific_reuse", "heldout_temperament_differ"),
              group=lambda c: c.part)  # a CI sample keeps one tuned and one held-back script; `make eval` runs all
