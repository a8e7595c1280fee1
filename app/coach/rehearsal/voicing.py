"""The manager's words for a move: a reaction to what the person just did, then the move itself,
in this temperament's voice, with slots filled from the conversation, never a sentence said twice.

Line banks are data (prompts/voices/<temperament>.yaml, plus the scenario's own lines and each
concern's probe, presses and reactions). A template is used only when every slot it names has a
value, and candidates that pick up what the person said rank first. The embedded model then
chooses among the top few under a grammar; a stronger model phrases freely from the same move
and slots (see persona.system_prompt).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from app.coach.rehearsal import echo as ec
from app.coach.rehearsal import specifics as sp
from app.coach.rehearsal.cues import FIGURE
from app.coach.rehearsal.moves import Frame, State, park_lines
from app.schemas import Strict, Temperament
from app.text import only_questions, sentences
from app.yamlfile import load_model

SLOT = re.compile(r"\{(\w+)\}")
LINE_SLOTS = ("fact", "figure", "date", "person", "project")  # picked up from the person's own line
# What makes a reply feel heard: their own figure or fact most, then names and dates, then the manager's own world.
SLOT_WEIGHT = {"echo": 4, "echo_ing": 4, "thing": 1, "fact": 3, "figure": 3, "person": 2, "project": 2, "date": 1,
               "priority": 1, "pressure": 1}
DEFAULT_MAX_WORDS = {Temperament.busy: 28, Temperament.explosive: 32, Temperament.skeptical: 42,
                     Temperament.supportive: 50, Temperament.reflective: 50}
FALLBACK_SUBJECT = "this"


class VoiceBank(Strict):
    temperament: Temperament
    max_words: int = Field(45, ge=10, le=80)
    reactions: dict[str, list[str]] = Field(default_factory=dict)
    moves: dict[str, list[str]] = Field(default_factory=dict)
    # The person's ask, offer, wish or joint proposal said back ({echo}: "text you before I say yes",
    # {echo_ing}: "texting you before I say yes"); keyed by echo.KINDS.
    echoes: dict[str, list[str]] = Field(default_factory=dict)


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int) -> VoiceBank:
    return load_model(path, VoiceBank, "Voice file")


def load_voice(prompts_dir: Path, temperament: Temperament) -> VoiceBank:
    """The line bank for a temperament; an empty bank (scenario lines only) when the file is missing."""
    path = prompts_dir / "voices" / f"{temperament.value}.yaml"
    if not path.is_file():
        return VoiceBank(temperament=temperament, max_words=DEFAULT_MAX_WORDS[temperament])
    return _load(path, path.stat().st_mtime_ns)


@dataclass
class Slots:
    """Values for the templates' slots; `line` ones come from the person's last line."""

    values: dict[str, list[str]] = field(default_factory=dict)
    line: set[str] = field(default_factory=set)
    echo_kind: str = ""  # ask, need, offer, want or joint when the last line gave one (echo.KINDS)

    def get(self, name: str, turn: int) -> str | None:
        options = self.values.get(name) or []
        if name in self.line:  # the person's own words: the first found is the most specific
            return options[0] if options else None
        return options[turn % len(options)] if options else None


def slots_for(where: Frame, person_lines: list[str]) -> Slots:
    """Slot values: the last line's specifics first, then earlier lines', the situation's, the profile's."""
    last = sp.from_text(person_lines[-1]) if person_lines else sp.Specifics()
    earlier = sp.Specifics()
    for text in [*person_lines[:-1], where.situation]:
        found = sp.from_text(text or "")
        for name in LINE_SLOTS:
            getattr(earlier, name).extend(v for v in getattr(found, name) if v not in getattr(earlier, name))
    values: dict[str, list[str]] = {}
    line: set[str] = set()
    for name in LINE_SLOTS:
        mine = getattr(last, name)
        if mine:
            values[name] = list(mine)
            line.add(name)
    echoed: list[ec.Echo] = []
    if person_lines:
        values["thing"] = sorted(ec.things(person_lines[-1]), key=lambda t: -len(t.split()))
        echoed = ec.from_line(person_lines[-1])[:1]
        values["echo"], values["echo_ing"] = [e.base for e in echoed], [e.gerund for e in echoed]
        line |= {name for name in ("thing", "echo", "echo_ing") if values[name]}
    echo_kind = echoed[0].kind if echoed else ""
    if "date" not in values and earlier.date:  # an earlier date, when it was said as a date ahead
        ahead = [d for d in earlier.date if re.search(r"(?i)\b(?:by|until|before|due|next|from|to|starting|for)\s+"
                                                      + re.escape(d), " ".join([*person_lines[:-1], where.situation]))]
        values["date"] = ahead[-1:]
    values["priority"] = sp.priorities(where.profile)
    values["pressure"] = sp.pressures(where.profile)
    values["boss"] = [sp.boss(where.profile)]
    values["topic"] = [where.scenario.subject or FALLBACK_SUBJECT]
    return Slots({k: v for k, v in values.items() if v}, line, echo_kind)


def fill(template: str, slots: Slots, turn: int) -> str | None:
    """The template with its slots filled, or None when a slot has no value."""
    missing = False

    def one(m: re.Match[str]) -> str:
        nonlocal missing
        value = slots.get(m.group(1), turn)
        if value is None:
            missing = True
            return ""
        return value

    text = SLOT.sub(one, template)
    if missing:
        return None
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] if text else text


def _key(sentence: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", sentence.lower()).strip()


def _rank(seed: str, text: str) -> str:
    return hashlib.sha256(f"{seed}|{text}".encode()).hexdigest()


SUBSTANCE_ACTS = {"evidence", "solution", "ask", "priorities"}
SUBSTANCE_SLOTS = {"fact", "figure", "date", "person", "project", "echo"}


def substantive(state: State, slots: Slots) -> bool:
    """The line said something real (evidence, a plan, an ask, a figure or name, an answer to some worry),
    even if not to the manager's question: then the manager goes back to the question without
    claiming the person dodged it."""
    return bool(set(state.acts) & SUBSTANCE_ACTS or slots.line & SUBSTANCE_SLOTS or state.heard)


def reaction_key(state: State, temperament: Temperament, words: int, real: bool = False) -> str | None:
    """Which reaction fits what the person just did, or None (an attack is not reacted to)."""
    acts = set(state.acts)
    if state.move == "deflect_offtopic":
        return None
    for act in ("ultimatum", "blame"):
        if act in acts:
            return act
    if state.answered:
        return "answered"
    if state.dodged and not real:
        return "dodged"
    if words > (35 if temperament in (Temperament.busy, Temperament.explosive) else 80):
        return "long"
    for act in ("evidence", "solution", "ask", "priorities", "input"):
        if act in acts:
            return act
    if state.turn >= 1 and state.move not in ("close", "park"):
        return "vague"
    return None


def _reactions(where: Frame, bank: VoiceBank, state: State, key: str | None) -> list[str]:
    if key is None:
        return [""]
    options: list[str] = []
    if key == "answered":
        for cid in state.answered:
            found = where.concern(cid)
            if found is not None:
                options += found.reactions
    options += bank.reactions.get(key, [])
    return options or [""]


NO_ECHO = ("ultimatum", "blame", "dodged", "asked_back", "answered")  # these reactions matter more than a paraphrase


def _echoes(bank: VoiceBank, state: State, key: str | None, slots: Slots, spoke: bool) -> list[str]:
    """Reaction templates that pick up the person's own words ("{thing}, right.") and say their ask,
    offer or wish back; their slots are filled from `slots`."""
    if key in NO_ECHO or state.move.startswith("deflect") or not spoke:
        return []
    return [*bank.reactions.get("heard", []), *bank.echoes.get(slots.echo_kind, [])]


# A question for a count or a figure ("Without names, how many people?"): deaf right after a line that gave one.
COUNT_ASK = re.compile(r"\bhow (many|much|long|often)\b|\b(numbers?|figures?)\b", re.I)


def _move_lines(where: Frame, bank: VoiceBank, state: State, real: bool = False, last: str = "") -> list[str]:
    move = state.move
    concern = where.concern(state.concern)
    if move in ("probe_concern", "press_concern") and concern is not None:
        if concern.probe:
            asks = list(concern.presses) if move == "press_concern" and concern.presses else [concern.probe]
            if move == "probe_concern":
                asks += concern.presses[:1]
            if FIGURE.search(last):  # they just gave a figure: ask for something else if there is something else
                asks = [a for a in asks if not COUNT_ASK.search(a)] or asks
        else:  # a concern from the profile or situation: the manager's own pressure, in their voice
            asks = [t.replace("{pressure}", concern.concern) for t in bank.moves.get("pressure_probe", [])]
            asks = asks or [state.line]
        pressing = move == "press_concern" and not real  # after a real point on something else: back to it, calmly
        leads = bank.moves.get("press" if pressing else "probe_lead", [])
        out = [f"{lead} {ask}" for ask in asks for lead in leads] if leads else []
        return out + asks
    if move == "park":  # a parting line that names a worry still open, never one just answered
        return park_lines(where, state)
    lines = list(bank.moves.get(move, []))
    if move not in ("deflect_ultimatum",):
        lines += where.scenario.lines.get(move, [])
    if move == "raise_concern":
        lines += bank.moves.get("pressure_probe", [])
    return lines or [state.line]


def _same_opening(text: str) -> bool:
    """True when two sentences of one reply open with the same two words."""
    openings = [" ".join(s.lower().split()[:2]) for s in sentences(text) if len(s.split()) >= 2]
    return len(openings) != len(set(openings))


def candidates(where: Frame, state: State, person_lines: list[str], said: list[str], limit: int = 3) -> list[str]:
    """The best few replies for this move, most responsive first, none repeating a sentence already said."""
    bank = load_voice(where.prompts_dir, where.profile.temperament)
    slots = slots_for(where, person_lines)
    words = len(person_lines[-1].split()) if person_lines else 0
    real = substantive(state, slots)
    key = reaction_key(state, where.profile.temperament, words, real)
    if key == "dodged" and person_lines and only_questions(person_lines[-1]) and bank.reactions.get("asked_back"):
        key = "asked_back"  # they turned the question round: say so, rather than "you went around it"
    used = {_key(s) for text in said for s in sentences(text)}
    seed = f"{where.scenario.id}|{where.profile.name}|{state.turn}|{state.move}"
    budget = max(bank.max_words, 24)

    def usable(template: str) -> tuple[str, int] | None:
        text = fill(template, slots, state.turn)
        if text is None or any(_key(s) in used for s in sentences(text)):
            return None
        names = set(SLOT.findall(template))
        return text, max((SLOT_WEIGHT.get(n, 0) + (2 if n in slots.line else 0) for n in names), default=0)

    reactions = [r for r in (usable(t) for t in _reactions(where, bank, state, key) if t) if r] or [("", 0)]
    reactions += [r for r in (usable(t) for t in _echoes(bank, state, key, slots, bool(person_lines))) if r]
    last = person_lines[-1] if person_lines else ""
    moves = [m for m in (usable(t) for t in _move_lines(where, bank, state, real, last)) if m]
    if not moves:
        moves = [(state.line, 0)]
    reactions.sort(key=lambda r: (-r[1], _rank(seed, r[0])))
    moves.sort(key=lambda m: (-m[1], _rank(seed, m[0])))
    picked = [v for name in slots.line for v in slots.values.get(name, [])]
    out: list[tuple[int, str, str]] = []
    for r_text, r_score in reactions[:6]:
        for m_text, m_score in moves[:6]:
            text = f"{r_text} {m_text}".strip()
            if len(text.split()) > budget or (r_text and _key(r_text) == _key(m_text)):
                continue
            if any(len(v) > 3 and v.lower() in r_text.lower() and v.lower() in m_text.lower() for v in picked):
                continue  # the same words of theirs twice in one reply
            if _same_opening(text):
                continue  # "I'm glad you ... I'm glad you ...": one reply, two sentences opening alike
            out.append((-(2 * r_score + m_score), _rank(seed, text), text))
    if not out:
        out = [(0, "", moves[0][0])]
    out.sort()
    seen: set[str] = set()
    ranked: list[str] = []
    for _, _, text in out:
        first = _key(sentences(text)[0])
        if first in seen:  # candidates differ in their opening, so the model's choice means something
            continue
        seen.add(first)
        ranked.append(text)
    return ranked[:limit]
