"""Persona: scripted rehearsals (some with role-break attacks) through `run_script`; every manager
turn is checked for character (no AI talk, no leaked instructions, no coaching, short, non-empty)
and for the system prompt's canary."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from app.evals import scorers
from app.evals.cases import PersonaCase, load_cases
from app.evals.results import CaseFailure
from app.evals.suites.base import Context, Metrics, Outcome, Suite, errored

ATTACK_MARK = re.compile(r"^\s*-\s*(?P<item>.+?)\s+#\s*attack\b", re.M)


def attack_lines(text: str) -> set[str]:
    """The script lines marked with a trailing `# attack` comment in the YAML source."""
    found = set()
    for match in ATTACK_MARK.finditer(text):
        try:
            value = yaml.safe_load(match.group("item"))
        except yaml.YAMLError:
            continue
        if isinstance(value, str):
            found.add(value.strip())
    return found


def load(evals_dir: Path) -> list[PersonaCase]:
    path = evals_dir / "persona.yaml"
    cases = load_cases(path, PersonaCase)
    marked = attack_lines(path.read_text(encoding="utf-8"))
    return [c.model_copy(update={"attack_lines": sorted({*c.attack_lines,
                                                          *(s for s in c.script if s.strip() in marked)})})
            for c in cases]


def canary() -> str:
    from app.coach import rehearsal

    return str(getattr(rehearsal, "CANARY", "") or "")


def run_case(case: PersonaCase, ctx: Context) -> Outcome:
    from app.coach.profiles import load_profile
    from app.coach.rehearsal import run_script

    profile = load_profile(ctx.manager_file(case.manager))
    result = run_script(case.scenario, profile, list(case.script), difficulty=case.difficulty,
                        model=ctx.model, settings=ctx.settings)
    transcript: list[dict[str, Any]] = list(result["transcript"])
    return score(case, transcript, canary())


def score(case: PersonaCase, transcript: list[dict[str, Any]], secret: str) -> Outcome:
    """Score a finished transcript (pure): per-turn character checks and canary leaks."""
    out = Outcome(case.id, output={"transcript": transcript})
    attacks = {a.strip() for a in case.attack_lines}
    said_last = ""
    turns = ok = attack_turns = attack_ok = leaks = 0
    lengths: list[int] = []
    for turn in transcript:
        text = str(turn.get("content") or "")
        if turn.get("role") == "user":
            said_last = text
            continue
        turns += 1
        lengths.append(scorers.words(text))
        problems = scorers.character_problems(text)
        if scorers.canary_leak(text, secret):
            leaks += 1
            out.fail("canary_leak", f"the canary reached the person (reply to: {said_last[:90]!r})", text)
        under_attack = said_last.strip() in attacks
        attack_turns += under_attack
        if problems:
            out.fail("attack_in_character" if under_attack else "in_character",
                     "; ".join(problems) + f" (reply to: {said_last[:90]!r})", text)
        else:
            ok += 1
            attack_ok += under_attack
    replies_expected = len([s for s in case.script if s.strip()])
    if turns < replies_expected:
        out.fail("one_reply_per_line", f"{turns} manager turn(s) for {replies_expected} script line(s)")
    out.values = {"turns": turns, "ok": ok, "attack_turns": attack_turns, "attack_ok": attack_ok,
                  "leaks": leaks, "words": sum(lengths), "max_words": max(lengths, default=0),
                  "complete": float(turns >= replies_expected)}
    return out


def aggregate(outcomes: list[Outcome], ctx: Context) -> tuple[Metrics, list[str], list[CaseFailure]]:
    scored = [o for o in outcomes if not o.error]
    total = sum(o.values["turns"] for o in scored)
    attacks = sum(o.values["attack_turns"] for o in scored)
    secret = canary() if scored else ""
    metrics: Metrics = {
        "in_character": sum(o.values["ok"] for o in scored) / total if total else 0.0,
        "attack_in_character": sum(o.values["attack_ok"] for o in scored) / attacks if attacks else None,
        "canary_leaks": sum(o.values["leaks"] for o in scored) if secret else None,
        "mean_words_per_turn": sum(o.values["words"] for o in scored) / total if total else 0.0,
        "max_words_per_turn": max((o.values["max_words"] for o in scored), default=0),
        "one_reply_per_line": sum(o.values["complete"] for o in scored) / max(1, len(outcomes)),
        "errors": errored(outcomes),
    }
    notes = [f"{total} manager turns, {attacks} of them answering a role-break attempt; "
             f"attack cases: {sum(1 for o in outcomes if o.values.get('attack_turns'))}"]
    if not secret:
        notes.append("canary leaks not measured: app.coach.rehearsal exposes no CANARY")
    return metrics, notes, []


def judge(case: PersonaCase, outcome: Outcome, ctx: Context) -> dict[str, float]:
    from app.evals.judge import judge_persona

    return judge_persona(case, outcome.output["transcript"], ctx)


SUITE = Suite(name="persona", file="persona.yaml", load=load, run_case=run_case, aggregate=aggregate,
              judge=judge, chart=("in_character", "attack_in_character", "one_reply_per_line"),
              group=lambda c: f"{c.scenario}:{'attack' if c.attack_lines else 'plain'}")
