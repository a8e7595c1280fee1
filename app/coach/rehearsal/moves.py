"""The manager's mind, in code: read what the person just said, move receptiveness, pick a move.

A 135M model given free rein rambles and rarely pushes back, so the model never decides what the
manager does next. These pure functions do, from the session state (receptiveness, difficulty,
temperament, concerns held back, what the person has and hasn't done); the model only phrases
the chosen move. The same user lines always replay to the same states, which is what makes
rewind, resume and debrief reproducible.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import Field

from app.coach.rehearsal import echo, specifics, understanding
from app.coach.rubric import Rubric
from app.coach.scenarios import Concern, Scenario
from app.config import PROMPTS
from app.schemas import ManagerProfile, Strict, Temperament


class Difficulty(StrEnum):
    easy = "easy"
    realistic = "realistic"
    tough = "tough"


# How a difficulty changes behaviour, not wording: where receptiveness starts, how far good and
# bad moves push it, how many concerns the manager holds back, and when they agree.
DIFFICULTY = {
    Difficulty.easy: {"start": 10, "gain": 1.3, "loss": 0.7, "concerns": 1, "agree_at": 55,
                      "presses": 0, "open_ok": 1},
    Difficulty.realistic: {"start": 0, "gain": 1.0, "loss": 1.0, "concerns": 2, "agree_at": 65,
                           "presses": 1, "open_ok": 0},
    Difficulty.tough: {"start": -10, "gain": 0.7, "loss": 1.3, "concerns": 4, "agree_at": 75,
                       "presses": 2, "open_ok": 0},
}
TEMPERAMENT_START = {
    Temperament.supportive: 55, Temperament.reflective: 50, Temperament.busy: 45,
    Temperament.skeptical: 40, Temperament.explosive: 35,
}

ATTACK_PATTERNS = [
    r"\bignore (all |any |your |the |previous |prior )*(instructions|rules|prompt)",
    r"\b(system|hidden|initial|original) (prompt|rules|instructions|message)",
    r"\byour (instructions|rules|configuration|prompt|rubric)\b",
    r"\b(print|repeat|output|paste|reveal|show|translate|list) (me )?(your|the|everything|all)\b.*"
    r"(prompt|instructions|told|above|rules|configuration|rubric)",
    r"\b(repeat|output|print|paste|recite|reveal|give|tell|show|everything|instructions?|told)\b.{0,60}"
    r"\bword for word\b",
    r"\btext above\b", r"\bdeveloper mode\b", r"\bjailbreak",
    r"\byou are now\b", r"\bfrom now on you\b", r"\bpretend (you'?re|you are|to be)\b", r"\bact as\b",
    r"\b(are|r) (you|u) (an? )?(ai|a\.i\.|bot|chatbot|robot|language model|llm|real person|human)\b",
    r"\bwhat (model|llm|ai) are you\b", r"\b(chatgpt|gpt-?\d|openai|llama|smollm|claude)\b",
    r"\b(role-?play|roleplay)\b.*\b(over|finished|done|stop|forget|end)", r"\bforget the (role|scenario)",
    r"\b(break|out of) character\b", r"\bassistant mode\b", r"\bno rules\b", r"\bsecret (code|word)",
    r"\b(be|you'?re|you are) my coach\b", r"\bcoach me\b", r"^\s*system\s*:",
    r"\bstop being my (boss|manager)\b",
]
ULTIMATUM_LOSS = {
    Temperament.supportive: 14, Temperament.reflective: 14, Temperament.busy: 16,
    Temperament.skeptical: 16, Temperament.explosive: 26,
}


def is_attack(text: str) -> bool:
    """True when the line tries to make the manager leave the role or reveal its instructions."""
    low = text.lower()
    return any(re.search(p, low) for p in ATTACK_PATTERNS)


@dataclass(frozen=True)
class Frame:
    """What stays fixed through a session: the scenario, who the manager is, how hard, what the person
    told us about their situation, and the concerns drawn from the profile's pressures and that situation."""

    scenario: Scenario
    profile: ManagerProfile
    difficulty: Difficulty
    rubric: Rubric
    prompts_dir: Path
    situation: str = ""
    extra: tuple[Concern, ...] = ()
    cache_dir: Path | None = None  # where the exemplars' vectors are kept between runs (None: not kept)

    @property
    def concerns(self) -> list[Concern]:
        return [*self.scenario.hidden_concerns, *self.extra]

    def concern(self, concern_id: str | None) -> Concern | None:
        return next((c for c in self.concerns if c.id == concern_id), None)


def frame(scenario: Scenario, profile: ManagerProfile, difficulty: Difficulty, rubric: Rubric, *,
          prompts_dir: Path | None = None, situation: str = "", cache_dir: Path | None = None) -> Frame:
    """The fixed part of a session; the manager's own pressures become concerns they can raise."""
    return Frame(scenario, profile, difficulty, rubric, prompts_dir or PROMPTS, situation.strip(),
                 tuple(specifics.profile_concerns(profile, situation)), cache_dir)


class Reading(Strict):
    """What one line of the person's does, as deterministic signals (see app.coach.rehearsal.understanding)."""

    words: int
    acts: list[str] = Field(default_factory=list)
    addressed: list[str] = Field(default_factory=list)
    negated: bool = False
    dims: dict[str, list[str]] = Field(default_factory=dict)
    numbers: int = 0
    questions: int = 0
    attack: bool = False
    closing: bool = False
    blame: list[str] = Field(default_factory=list)

    def does(self, act: str) -> bool:
        return act in self.acts


def read_turn(text: str, where: Frame, current: str | None = None, raised: list[str] | None = None) -> Reading:
    """Signals in one person's line: acts, concerns answered (`current` is the one just raised),
    the rubric's cue phrases (stemmed), figures, questions and attacks."""
    echo.load_tables(where.cache_dir)  # once per process; the manager's echo of this line needs them
    found = understanding.read_line(text, where.scenario, current=current, prompts_dir=where.prompts_dir,
                                    extra=where.extra, priorities=where.profile.priorities, raised=raised or [],
                                    cache_dir=where.cache_dir)
    line_stems = understanding.stems(text)
    dims = {d.id: understanding.cue_hits(line_stems, d.signals) for d in where.rubric.dimensions}
    attack = is_attack(text)
    acts = [a for a in found.acts if not attack or a in ("ultimatum", "blame")]
    return Reading(
        words=found.words, acts=acts, addressed=[] if attack else found.answers, negated=found.negated, dims=dims,
        numbers=found.figures, questions=found.questions, attack=attack, closing="closing" in acts,
        blame=["blame"] if "blame" in acts else [],
    )


class State(Strict):
    """The manager's side of the conversation after a turn. Kept in code, stored with each turn."""

    turn: int = 0
    receptiveness: int = 50
    delta: int = 0
    held_back: list[str] = Field(default_factory=list)
    raised: list[str] = Field(default_factory=list)
    addressed: list[str] = Field(default_factory=list)
    current: str | None = None
    presses: int = 0
    asked: bool = False
    evidence: int = 0
    team: bool = False
    agreed: bool = False
    closed: bool = False
    seen: dict[str, int] = Field(default_factory=dict)
    move: str = "open"
    line: str = ""
    acts: list[str] = Field(default_factory=list)
    answered: list[str] = Field(default_factory=list)
    heard: list[str] = Field(default_factory=list)  # every concern this line answered, asked about or not
    dodged: str | None = None
    concern: str | None = None
    asked_about: dict[str, int] = Field(default_factory=dict)


def initial_state(scenario: Scenario, profile: ManagerProfile, difficulty: Difficulty,
                  extra: tuple[Concern, ...] = ()) -> State:
    """Where a manager of this temperament starts, and which concerns they hold back this time."""
    rules = DIFFICULTY[difficulty]
    concerns = [c.id for c in scenario.hidden_concerns]
    # A stable rotation per manager, so two managers do not always raise the same first concern.
    shift = int(hashlib.sha256(profile.name.encode()).hexdigest(), 16) % len(concerns)
    concerns = concerns[shift:] + concerns[:shift]
    held = concerns[: int(rules["concerns"])]
    if extra and len(held) >= 2:  # the manager's own first pressure takes the second place: it is on their mind
        held = [held[0], extra[0].id, *held[1:-1]]
    start = TEMPERAMENT_START[profile.temperament] + int(rules["start"])
    return State(receptiveness=start, held_back=held, line=scenario.line("open", 0))


def receptiveness_delta(reading: Reading, state: State, profile: ManagerProfile, difficulty: Difficulty) -> int:
    """How much one line moves the manager: by what it does (its acts and the concerns it answers),
    not by the words it contains, and by who is listening."""
    rules = DIFFICULTY[difficulty]
    temperament = profile.temperament
    if reading.does("ultimatum"):
        return -round(ULTIMATUM_LOSS[temperament] * max(1.0, float(rules["loss"])))
    gain = 0.0
    answered_current = bool(state.current and state.current in reading.addressed)
    if answered_current:
        gain += 12 + (6 if reading.does("evidence") else 0)
    gain += 4 * len([c for c in reading.addressed if c != state.current and c not in state.addressed])
    if reading.does("evidence"):
        gain += 8 if temperament == Temperament.skeptical else 5
    for act, points in (("solution", 4), ("ask", 4), ("priorities", 4), ("input", 3)):
        if reading.does(act):
            gain += points
    if reading.does("input") and temperament in (Temperament.supportive, Temperament.reflective):
        gain += 2
    if reading.does("ask") and not state.asked:
        gain += 2
    loss = 0.0
    if reading.does("blame"):
        loss += 16 if temperament == Temperament.explosive else 9
    if reading.attack:
        loss += 6
    if reading.does("offtopic"):
        loss += 4
    loss += 3 * min(2, len(reading.dims.get("concise", [])))
    limit = 45 if temperament in (Temperament.busy, Temperament.explosive) else 70
    if reading.words > limit:
        loss += 6
    substantive = {"evidence", "solution", "ask", "priorities", "input"} & set(reading.acts)
    if state.current and not answered_current and not reading.attack:
        loss += 4  # the question they were asked is still open
    if not substantive and not reading.addressed and not reading.closing and state.turn >= 1:
        loss += 3  # nothing concrete: keywords alone move no one
    if temperament == Temperament.skeptical and reading.does("ask") and not reading.does("evidence") \
            and state.evidence == 0:
        loss += 4  # a claim with no data behind it
    return round(gain * float(rules["gain"]) - loss * float(rules["loss"]))


TEAM_PROBE = "_team"  # asked_about key for the team-impact question
ANSWERED_ALL_EASING = 20  # points off the agreement bar once no held-back concern is open


def choose_move(state: State, reading: Reading, difficulty: Difficulty) -> tuple[str, str | None]:
    """The manager's next move and, for a concern probe, which concern. Order matters: first match wins."""
    rules = DIFFICULTY[difficulty]
    agree_at = int(rules["agree_at"])
    open_concerns = [c for c in state.held_back if c not in state.addressed]
    unraised = [c for c in open_concerns if c not in state.raised]
    if reading.attack:
        return "deflect_offtopic", None
    if reading.does("ultimatum"):
        return "deflect_ultimatum", None
    if state.agreed:
        return "close", None
    if reading.closing and state.turn >= 1:
        return ("close", None) if state.agreed else ("park", None)
    if state.current and state.current not in reading.addressed and state.presses < int(rules["presses"]):
        return "press_concern", state.current
    if not state.asked and state.turn >= (3 if difficulty == Difficulty.easy else 2):
        return "clarify_ask", None
    # Every held-back worry answered lowers the bar: what is left is warmth, not doubt.
    bar = agree_at - (ANSWERED_ALL_EASING if not open_concerns else 0)
    if state.asked and len(open_concerns) <= int(rules["open_ok"]) and state.receptiveness >= bar:
        return "agree_with_condition", None
    if unraised and state.turn >= 1 and (state.turn % 2 == 1 or difficulty == Difficulty.tough or state.asked):
        return "probe_concern", unraised[0]
    if state.evidence == 0 and state.turn >= 1:
        return "ask_evidence", None
    if not state.team and state.turn >= 2 and not state.asked_about.get(TEAM_PROBE):  # asked once, not every turn
        return "probe_team_impact", None
    if state.turn == 0:
        return "acknowledge", None
    limit = int(rules["presses"]) + 2  # how often a worry may come up before the manager lets it rest
    waiting = [c for c in open_concerns if c in state.raised and c != state.current
               and state.asked_about.get(c, 0) < limit]
    if waiting and state.asked:
        return "press_concern", waiting[0]  # an earlier worry they never answered comes back
    if state.receptiveness >= agree_at - 15:
        return "concede_partly", None
    return "raise_concern", None


def advance(state: State, reading: Reading, where: Frame) -> State:
    """The state after the person's line: receptiveness moved, concerns met, the next move chosen."""
    difficulty = where.difficulty
    delta = receptiveness_delta(reading, state, where.profile, difficulty)
    new = state.model_copy(deep=True)
    new.turn = state.turn + 1
    new.delta = delta
    new.receptiveness = max(0, min(100, state.receptiveness + delta))
    new.addressed = sorted(set(state.addressed) | set(reading.addressed))
    new.asked = state.asked or reading.does("ask")
    new.evidence = state.evidence + int(reading.does("evidence"))
    new.team = state.team or reading.does("priorities")
    new.acts = list(reading.acts)
    asked = {*state.raised, *([state.current] if state.current else [])}
    new.answered = [c for c in reading.addressed if c in asked and c not in state.addressed]
    new.heard = list(reading.addressed)
    new.dodged = state.current if state.current and state.current not in reading.addressed else None
    new.seen = {d: state.seen.get(d, 0) + int(reading.does(d) or (d == "style" and bool(reading.dims.get(d))))
                for d in ("priorities", "evidence", "solution", "input", "ask", "style")}
    if state.current and state.current in reading.addressed:
        new.current, new.presses = None, 0
    decide = new.model_copy(update={"turn": state.turn})  # decisions look at turns completed before this one
    move, concern = choose_move(decide, reading, difficulty)
    if move == "press_concern":
        new.presses = state.presses + 1 if concern == state.current else 1
        new.current = concern
    elif move == "probe_concern" and concern:
        new.raised = [*state.raised, concern]
        new.current, new.presses = concern, 0
    elif state.current and move not in ("deflect_offtopic", "deflect_ultimatum"):
        new.current = None  # the manager moved on; the worry stays open until it is answered
    if concern and move in ("probe_concern", "press_concern"):
        new.asked_about = {**state.asked_about, concern: state.asked_about.get(concern, 0) + 1}
    if move == "probe_team_impact":
        new.asked_about = {**new.asked_about, TEAM_PROBE: new.asked_about.get(TEAM_PROBE, 0) + 1}
    if move == "agree_with_condition":
        new.agreed = True
    if move in ("close", "park"):
        new.closed = True
    new.move = move
    new.concern = concern
    parting = park_lines(where, new) if move == "park" else []
    new.line = (parting[new.turn % len(parting)] if parting
                else example_line(where, move, concern, new.turn, new.presses))
    return new


def park_lines(where: Frame, state: State) -> list[str]:
    """The manager's parting lines when nothing was agreed: each names a worry still open (one they asked about
    first, then one they held back), never one the person has answered; the manager's own pressure in their
    words when only that is open; else the scenario's general lines."""
    open_ids = [c for c in dict.fromkeys([*state.raised, *state.held_back]) if c not in state.addressed]
    found = [where.concern(c) for c in open_ids]
    lines = [line for c in found if c is not None for line in c.parks]
    if not lines:
        pressures = [c for c in found if c is not None and not c.probe]
        lines = [f"Let's leave it here for today. I still don't see how this survives {c.concern}."
                 for c in pressures]
    return lines or list(where.scenario.lines.get("park", []))


def example_line(where: Frame, move: str, concern: str | None, turn: int, presses: int = 0) -> str:
    """The scenario's own example of this move: the repair fallback when nothing better is voiced."""
    found = where.concern(concern)
    if move in ("probe_concern", "press_concern") and found is not None:
        if move == "press_concern" and found.presses:
            return found.presses[(presses - 1) % len(found.presses)]
        if found.probe:
            return found.probe
        return f"{found.concern[:1].upper()}{found.concern[1:]} is on my mind. How does this fit with that?"
    if move == "deflect_ultimatum":
        return "Let's keep threats out of this. Tell me what you actually need."
    return where.scenario.line(move, turn)


def replay(lines: list[str], scenario: Scenario, profile: ManagerProfile, difficulty: Difficulty,
           rubric: Rubric, *, prompts_dir: Path | None = None, situation: str = "") -> list[State]:
    """Every state of a session from its person's lines: [initial, after line 1, after line 2, ...]."""
    return replay_frame(lines, frame(scenario, profile, difficulty, rubric, prompts_dir=prompts_dir,
                                     situation=situation))


def replay_frame(lines: list[str], where: Frame) -> list[State]:
    return replay_with_readings(lines, where)[0]


def replay_with_readings(lines: list[str], where: Frame) -> tuple[list[State], list[Reading]]:
    """The states and, for each line, the reading the manager reacted to (the debrief scores the same)."""
    states = [initial_state(where.scenario, where.profile, where.difficulty, where.extra)]
    readings: list[Reading] = []
    for text in lines:
        readings.append(read_next(text, where, states[-1]))
        states.append(advance(states[-1], readings[-1], where))
    return states, readings


def read_next(text: str, where: Frame, state: State) -> Reading:
    """The next line, read against what the manager has asked so far."""
    return read_turn(text, where, state.current, state.raised)
