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
from enum import StrEnum

from pydantic import Field

from app.coach.rubric import Rubric
from app.coach.scenarios import Scenario
from app.schemas import ManagerProfile, Strict, Temperament


class Difficulty(StrEnum):
    easy = "easy"
    realistic = "realistic"
    tough = "tough"


# How a difficulty changes behaviour, not wording: where receptiveness starts, how far good and
# bad moves push it, how many concerns the manager holds back, and when they agree.
DIFFICULTY = {
    Difficulty.easy: {"start": 10, "gain": 1.3, "loss": 0.7, "concerns": 1, "agree_at": 55, "presses": 0},
    Difficulty.realistic: {"start": 0, "gain": 1.0, "loss": 1.0, "concerns": 2, "agree_at": 65, "presses": 1},
    Difficulty.tough: {"start": -10, "gain": 0.7, "loss": 1.3, "concerns": 4, "agree_at": 75, "presses": 2},
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
    r"\bword for word\b", r"\btext above\b", r"\bdeveloper mode\b", r"\bjailbreak",
    r"\byou are now\b", r"\bfrom now on you\b", r"\bpretend (you'?re|you are|to be)\b", r"\bact as\b",
    r"\b(are|r) (you|u) (an? )?(ai|a\.i\.|bot|chatbot|robot|language model|llm|real person|human)\b",
    r"\bwhat (model|llm|ai) are you\b", r"\b(chatgpt|gpt-?\d|openai|llama|smollm|claude)\b",
    r"\b(role-?play|roleplay)\b.*\b(over|finished|done|stop|forget|end)", r"\bforget the (role|scenario)",
    r"\b(break|out of) character\b", r"\bassistant mode\b", r"\bno rules\b", r"\bsecret (code|word)",
    r"\b(be|you'?re|you are) my coach\b", r"\bcoach me\b", r"^\s*system\s*:",
    r"\bstop being my (boss|manager)\b",
]
CLOSING = re.compile(r"^(ok(ay)?[,.!]?\s*)?(thanks|thank you|great|perfect|sounds good|that'?s all|bye)\b[^?]*$",
                     re.I)
NUMBER = re.compile(
    r"[$€£]?\d[\d,.:]*\s?(%|percent|am|pm|k|m|x|h|hours?|days?|weeks?|months?|years?)?"
    r"|\b(once|twice|three times|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|hundred|thousand|million|half)\b"
    r"|\b(monday|tuesday|wednesday|thursday|friday|january|february|march|april|june|july|august|"
    r"september|october|november|december)\b", re.I)
BLAME = re.compile(r"\b(their fault|his fault|her fault|not my fault|messed up|screwed up|useless|incompetent|"
                   r"lazy|disrespectful|ridiculous|unfair|always|never)\b", re.I)


def _has(text: str, phrase: str) -> bool:
    """Whole-word match for words, plain containment for symbols like '%'."""
    phrase = phrase.lower()
    if not re.search(r"\w", phrase):
        return phrase in text
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text) is not None


def hits(text: str, phrases: list[str]) -> list[str]:
    """The phrases that occur in `text` (case-insensitive, whole words)."""
    low = text.lower()
    return [p for p in phrases if _has(low, p)]


def is_attack(text: str) -> bool:
    """True when the line tries to make the manager leave the role or reveal its instructions."""
    low = text.lower()
    return any(re.search(p, low) for p in ATTACK_PATTERNS)


class Reading(Strict):
    """What one line of the person's does, as deterministic signals."""

    words: int
    dims: dict[str, list[str]] = Field(default_factory=dict)
    numbers: int = 0
    questions: int = 0
    attack: bool = False
    closing: bool = False
    blame: list[str] = Field(default_factory=list)
    addressed: list[str] = Field(default_factory=list)


def read_turn(text: str, scenario: Scenario, rubric: Rubric) -> Reading:
    """Signals in one person's line: rubric cues per dimension, numbers, questions, attacks, concerns met."""
    dims = {d.id: hits(text, d.signals) for d in rubric.dimensions}
    addressed = [c.id for c in scenario.hidden_concerns if hits(text, c.addressed_by)]
    return Reading(
        words=len(text.split()), dims=dims, numbers=len(NUMBER.findall(text)), questions=text.count("?"),
        attack=is_attack(text), closing=bool(CLOSING.match(text.strip())),
        blame=sorted({m.lower() for m in BLAME.findall(text)}), addressed=addressed,
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


def initial_state(scenario: Scenario, profile: ManagerProfile, difficulty: Difficulty) -> State:
    """Where a manager of this temperament starts, and which concerns they hold back this time."""
    rules = DIFFICULTY[difficulty]
    concerns = [c.id for c in scenario.hidden_concerns]
    # A stable rotation per manager, so two managers do not always raise the same first concern.
    shift = int(hashlib.sha256(profile.name.encode()).hexdigest(), 16) % len(concerns)
    concerns = concerns[shift:] + concerns[:shift]
    start = TEMPERAMENT_START[profile.temperament] + int(rules["start"])
    return State(receptiveness=start, held_back=concerns[: int(rules["concerns"])],
                 line=scenario.line("open", 0))


def receptiveness_delta(reading: Reading, state: State, profile: ManagerProfile, difficulty: Difficulty) -> int:
    """How much one line moves the manager, by what it does and who is listening."""
    rules = DIFFICULTY[difficulty]
    temperament = profile.temperament
    gain = 0.0
    for dim in ("priorities", "evidence", "solution", "input", "ask", "style"):
        if reading.dims.get(dim):
            gain += 4
    if reading.numbers:
        gain += 6 if temperament == Temperament.skeptical else 3
    if state.current and state.current in reading.addressed:
        gain += 10
    gain += 3 * len([c for c in reading.addressed if c != state.current and c not in state.addressed])
    if temperament == Temperament.supportive and reading.questions:
        gain += 3
    if temperament == Temperament.reflective and reading.dims.get("style"):
        gain += 3
    loss = 0.0
    loss += 5 * len(reading.dims.get("concise", []))
    loss += (12 if temperament == Temperament.explosive else 7) * len(reading.blame)
    if reading.attack:
        loss += 6
    limit = 45 if temperament in (Temperament.busy, Temperament.explosive) else 70
    if reading.words > limit:
        loss += 6
    if temperament == Temperament.skeptical and reading.dims.get("ask") and not reading.numbers \
            and state.evidence == 0:
        loss += 4  # a claim with no data behind it
    return round(gain * float(rules["gain"]) - loss * float(rules["loss"]))


def choose_move(state: State, reading: Reading, difficulty: Difficulty) -> tuple[str, str | None]:
    """The manager's next move and, for a concern probe, which concern. Order matters: first match wins."""
    rules = DIFFICULTY[difficulty]
    agree_at = int(rules["agree_at"])
    pending = [c for c in state.held_back if c not in state.raised and c not in state.addressed]
    if reading.attack:
        return "deflect_offtopic", None
    if state.agreed:
        return "close", None
    if reading.closing and state.asked:
        return "close", None
    if state.current and state.current not in reading.addressed and state.presses < int(rules["presses"]):
        return "press_concern", state.current
    if not state.asked and state.turn >= (3 if difficulty == Difficulty.easy else 2):
        return "clarify_ask", None
    if state.asked and not pending and state.receptiveness >= agree_at:
        return "agree_with_condition", None
    if pending and state.turn >= 1 and (state.turn % 2 == 1 or difficulty == Difficulty.tough or state.asked):
        return "probe_concern", pending[0]
    if state.evidence == 0 and state.turn >= 1:
        return "ask_evidence", None
    if not state.team and state.turn >= 2:
        return "probe_team_impact", None
    if state.turn == 0:
        return "acknowledge", None
    if state.receptiveness >= agree_at - 15:
        return "concede_partly", None
    return "raise_concern", None


def advance(state: State, reading: Reading, scenario: Scenario, profile: ManagerProfile,
            difficulty: Difficulty) -> State:
    """The state after the person's line: receptiveness moved, concerns met, the next move chosen."""
    delta = receptiveness_delta(reading, state, profile, difficulty)
    new = state.model_copy(deep=True)
    new.turn = state.turn + 1
    new.delta = delta
    new.receptiveness = max(0, min(100, state.receptiveness + delta))
    new.addressed = sorted(set(state.addressed) | set(reading.addressed))
    new.asked = state.asked or bool(reading.dims.get("ask"))
    new.evidence = state.evidence + len(reading.dims.get("evidence", [])) + reading.numbers
    new.team = state.team or bool(reading.dims.get("priorities"))
    new.seen = {d: state.seen.get(d, 0) + len(found) for d, found in reading.dims.items()}
    if state.current and state.current in reading.addressed:
        new.current, new.presses = None, 0
    decide = new.model_copy(update={"turn": state.turn})  # decisions look at turns completed before this one
    move, concern = choose_move(decide, reading, difficulty)
    if move == "press_concern":
        new.presses = state.presses + 1
    elif move == "probe_concern" and concern:
        new.raised = [*state.raised, concern]
        new.current, new.presses = concern, 0
    elif state.current and move not in ("deflect_offtopic",):
        new.current = None if state.current in new.addressed else new.current
    if move == "agree_with_condition":
        new.agreed = True
    if move == "close":
        new.closed = True
    new.move = move
    new.line = example_line(scenario, move, concern, new.turn, new.presses)
    return new


PRESS_LEADS = (
    "You haven't really answered my question.",
    "I'm still not hearing an answer to this.",
    "Let me ask once more, because it matters to me.",
)


def example_line(scenario: Scenario, move: str, concern: str | None, turn: int, presses: int = 0) -> str:
    """The scenario's own example of this move: what the model phrases, and the repair fallback."""
    if move in ("probe_concern", "press_concern") and concern:
        found = next(c for c in scenario.hidden_concerns if c.id == concern)
        if move == "press_concern":
            return f"{PRESS_LEADS[(presses - 1) % len(PRESS_LEADS)]} {found.probe}"
        return found.probe
    return scenario.line(move, turn)


def replay(lines: list[str], scenario: Scenario, profile: ManagerProfile, difficulty: Difficulty,
           rubric: Rubric) -> list[State]:
    """Every state of a session from its person's lines: [initial, after line 1, after line 2, ...]."""
    states = [initial_state(scenario, profile, difficulty)]
    for text in lines:
        states.append(advance(states[-1], read_turn(text, scenario, rubric), scenario, profile, difficulty))
    return states
