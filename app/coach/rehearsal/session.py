"""A rehearsal session: the person speaks, code decides the manager's move, the model voices it.

Every completed turn is committed to SQLite as it happens (the person's line before the model is
called, the manager's reply once it has passed the persona checks), so a crash or a provider that
dies mid-answer loses nothing that was finished. The manager state is replayed from the person's
lines, which makes rewind and resume exact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import create_model

from app import prompts
from app.coach.debrief import Debrief, score_transcript
from app.coach.rehearsal import moves, persona, voicing
from app.coach.rehearsal.hints import Hint, hint_for
from app.coach.rehearsal.moves import Difficulty, State
from app.coach.rubric import Rubric, load_rubric
from app.coach.scenarios import Scenario, load_scenario
from app.config import Settings, exemplar_cache
from app.errors import BadInput
from app.history import History, get_history
from app.llm import registry
from app.llm.model import Model
from app.schemas import ManagerProfile, Turn

__all__ = ["CANARY", "Difficulty", "Hint", "Rehearsal", "Reply", "run_script", "validate_line"]

CANARY = persona.CANARY
MAX_TURN_CHARS = 2000
MAX_SITUATION_CHARS = 2000
SELECT_CANDIDATES = 3
CONTEXT_TURNS = 8  # how many earlier turns a free-phrasing model sees


@dataclass(frozen=True)
class Reply:
    """One manager turn as stored: the words, the move behind them, how they were voiced (selected,
    model, regenerated, repaired, scenario), the hint that came with them and any notices."""

    text: str
    move: str
    path: str
    hint: Hint | None = None
    notices: tuple[str, ...] = ()


def _partial_line(text: str) -> str:
    """The value of "line" in a JSON object that is still being written."""
    found = re.search(r'"line"\s*:\s*"((?:[^"\\]|\\.)*)', text)
    if not found:
        return ""
    raw = found.group(1).rstrip("\\")
    try:
        return str(json.loads(f'"{raw}"'))
    except ValueError:
        return raw


def validate_line(text: str) -> str:
    """The person's line, stripped; BadInput when empty, not text, or far longer than anything said aloud."""
    if not isinstance(text, str | None):
        raise BadInput("Your line is not text.", "type what you would say to your manager")
    text = (text or "").strip()
    if re.search("[\ud800-\udfff]", text):  # lone surrogates: bytes that were not UTF-8 (e.g. from stdin)
        raise BadInput("Your line contains bytes that are not UTF-8 text.",
                       "save the script as UTF-8 (or retype the line) and try again")
    if not text:
        raise BadInput("Your line is empty.", "type what you would say to your manager")
    if len(text) > MAX_TURN_CHARS:
        raise BadInput(
            f"That line is {len(text):,} characters; one turn in a conversation is at most {MAX_TURN_CHARS:,}.",
            "say it in a few sentences, as you would out loud, and continue in the next turn",
        )
    return text


def validate_situation(text: str | None) -> str:
    """The person's few sentences about their real situation ('' when none); BadInput when far too long."""
    text = (text or "").strip()
    if len(text) > MAX_SITUATION_CHARS:
        raise BadInput(f"The situation is {len(text):,} characters; the limit is {MAX_SITUATION_CHARS:,}.",
                       "keep it to a few sentences: who is involved, the figures and dates that matter")
    return text


def _difficulty(value: str | Difficulty) -> Difficulty:
    try:
        return Difficulty(value)
    except ValueError as exc:
        raise BadInput(f"Unknown difficulty '{value}'.", "use easy, realistic or tough") from exc


class Rehearsal:
    """One session with one manager about one scenario. Not thread-safe: one per browser session."""

    def __init__(self, session_id: str, scenario: Scenario, profile: ManagerProfile, difficulty: Difficulty,
                 *, hints: bool, model: str, settings: Settings, turns: list[dict[str, Any]],
                 finished: bool = False, greet: bool = False, situation: str = "", llm: Model | None = None) -> None:
        self.session_id = session_id
        self.greet = greet
        self.scenario = scenario
        self.profile = profile
        self.difficulty = difficulty
        self.hints = hints
        self.model = model
        self.settings = settings
        self._llm = llm  # resolved on first use, then kept for every turn
        self.rubric: Rubric = load_rubric(settings)
        self.situation = situation
        self.frame = moves.frame(scenario, profile, difficulty, self.rubric, prompts_dir=settings.prompts_dir,
                                 situation=situation, cache_dir=exemplar_cache(settings))
        self.finished = finished
        self._turns = [Turn(role=t["role"], content=t["content"]) for t in turns]
        self._meta = [dict(t.get("meta") or {}) for t in turns]
        self.states, self.readings = moves.replay_with_readings(self.person_lines, self.frame)
        self.last_reply: Reply | None = None  # what `say` drained; the streaming calls return it too
        self._notices: list[str] = []

    # construction ----------------------------------------------------------------
    @classmethod
    def start(cls, scenario: str, profile: ManagerProfile, *, difficulty: str | Difficulty = "realistic",
              hints: bool = True, model: str | Model | None = None, settings: Settings, owner: str = "",
              greet: bool = True, situation: str | None = None) -> Rehearsal:
        """A new session, stored before anything is said. `greet` lets the manager open the meeting."""
        found = load_scenario(scenario, settings)
        level = _difficulty(difficulty)
        told = validate_situation(situation)
        llm = registry.model(model or settings.model, settings)  # an unknown model fails before storing
        title = f"{found.title} with {profile.name}"
        state = {"profile": profile.model_dump(mode="json"), "hints": hints, "greet": greet, "situation": told}
        sid = cls._history(settings).create_session(found.id, level.value, llm.id, title, state, owner)
        return cls(sid, found, profile, level, hints=hints, model=llm.id, settings=settings, turns=[], greet=greet,
                   situation=told, llm=llm)

    @classmethod
    def resume(cls, session_id: str, settings: Settings, model: str | None = None) -> Rehearsal:
        """Reopen a stored session exactly where it stopped."""
        row = cls._history(settings).session(session_id)
        stored = row["state"] or {}
        try:
            profile = ManagerProfile.model_validate(stored["profile"])
        except (KeyError, ValueError) as exc:
            raise BadInput(f"Session {session_id} has no usable manager profile stored.") from exc
        session = cls(session_id, load_scenario(row["scenario"], settings), profile, _difficulty(row["difficulty"]),
                      hints=bool(stored.get("hints", True)), model=model or row["model"], settings=settings,
                      turns=row["turns"], finished=row["debrief"] is not None, greet=bool(stored.get("greet", False)),
                      situation=str(stored.get("situation") or ""))
        return session

    @staticmethod
    def _history(settings: Settings) -> History:
        return get_history(settings)

    # views -------------------------------------------------------------------------
    @property
    def llm(self) -> Model:
        """The session's model, resolved once (a failure is raised again on the next turn, not kept)."""
        if self._llm is None:
            self._llm = registry.model(self.model, self.settings)
        return self._llm

    @property
    def transcript(self) -> list[Turn]:
        return list(self._turns)

    @property
    def person_lines(self) -> list[str]:
        return [t.content for t in self._turns if t.role == "user"]

    @property
    def receptiveness(self) -> int:
        return self.states[-1].receptiveness

    @property
    def pending(self) -> bool:
        """True when the person's last line has no manager answer yet (e.g. the provider died)."""
        return bool(self._turns) and self._turns[-1].role == "user"

    def _stored_state(self) -> dict[str, Any]:
        return {"profile": self.profile.model_dump(mode="json"), "hints": self.hints, "greet": self.greet,
                "situation": self.situation, "manager": self.states[-1].model_dump(mode="json")}

    def _commit(self, role: Literal["user", "manager"], content: str, meta: dict[str, Any]) -> None:
        self._history(self.settings).add_turn(self.session_id, role, content, self._stored_state(), meta)
        self._turns.append(Turn(role=role, content=content))
        self._meta.append(meta)

    # the conversation ----------------------------------------------------------------
    @property
    def last_hint(self) -> Hint | None:
        """The hint that came with the last reply `say` drained."""
        return self.last_reply.hint if self.last_reply else None

    def opening(self) -> Generator[str, None, Reply | None]:
        """The manager's greeting, once, before the person's first line; returns the Reply."""
        if self._turns:
            return None
        state = self.states[0]
        return (yield from self._voice(state, "", concern=""))

    def reply(self, text: str) -> Generator[str, None, Reply]:
        """Commit the person's line, then yield the manager's reply as it grows (a snapshot each time);
        the generator returns the Reply (text as stored, move, hint, notices).

        If a reply fails the persona checks it is replaced, so a later snapshot need not extend the
        earlier one; the final text is `transcript[-1].content`.
        """
        text = validate_line(text)
        if self.finished:
            raise BadInput("This rehearsal has ended.", "start a new rehearsal, or reopen it from History")
        if self.pending:
            raise BadInput("Your manager has not answered your last line yet.",
                           "press Retry to get the answer, or Rewind to take your line back")
        reading = moves.read_next(text, self.frame, self.states[-1])
        state = moves.advance(self.states[-1], reading, self.frame)
        self.states.append(state)
        self.readings.append(reading)
        self._commit("user", text, {"receptiveness": state.receptiveness, "delta": state.delta})
        return (yield from self.retry())

    def retry(self) -> Generator[str, None, Reply]:
        """Answer the person's last line (after a provider failure, or as part of `reply`)."""
        if not self.pending:
            raise BadInput("There is no unanswered line to retry.", "type your next line instead")
        state = self.states[-1]
        found = self.frame.concern(state.concern)
        return (yield from self._voice(state, self._turns[-1].content, found.concern if found else ""))

    def say(self, text: str) -> str:
        """`reply`, drained: the manager's final reply."""
        for _ in self.reply(text):
            pass
        return self._turns[-1].content

    def _voice(self, state: State, person_line: str, concern: str) -> Generator[str, None, Reply]:
        self.last_reply, self._notices = None, []
        small = self.llm.small  # resolved before anything is said: an unknown model fails here
        mode = self.settings.phrasing
        if mode == "auto":
            mode = "select" if small else "free"
        final, path = "", "model"
        said = [t.content for t in self._turns if t.role == "manager"]
        options = voicing.candidates(self.frame, state, self.person_lines if person_line else [], said,
                                     limit=SELECT_CANDIDATES)
        state = state.model_copy(update={"line": options[0]})
        self.states[-1] = state  # the default reply for this turn: what a repair falls back to
        chosen = self._select(state, person_line, options) if mode == "select" else \
            self._free(state, person_line, concern)
        for snapshot, how in chosen:
            final, path = snapshot, how
            yield snapshot
        self._commit("manager", final, {"move": state.move, "path": path, "receptiveness": state.receptiveness})
        hint = None
        if self.hints and person_line:
            given = {m["hint"]["citation"]["card"] for m in self._meta if m.get("hint")}
            hint = hint_for(self.states, self.scenario, self.rubric, self.settings, avoid=given)
            if hint is not None:
                self._meta[-1]["hint"] = hint.model_dump(mode="json")
        self.last_reply = Reply(final, state.move, path, hint, tuple(self._notices))
        return self.last_reply

    def _messages(self, state: State, concern: str) -> list[dict[str, str]]:
        slots = voicing.slots_for(self.frame, self.person_lines)
        picked = [v for name in sorted(slots.line) for v in slots.values.get(name, [])][:6]
        system = persona.system_prompt(self.scenario, self.profile, state.move, state.line, concern, self.situation,
                                       picked)
        convo = [{"role": "assistant" if t.role == "manager" else "user", "content": t.content}
                 for t in self._turns[-CONTEXT_TURNS:]]
        if not convo or convo[-1]["role"] != "user":
            convo.append({"role": "user", "content": persona.opening()})
        return [{"role": "system", "content": system}, *convo]

    def _free(self, state: State, person_line: str, concern: str) -> Iterator[tuple[str, str]]:
        """Stream the model's phrasing; stop at the first rule break, regenerate once, then repair."""
        messages = self._messages(state, concern)
        system = messages[0]["content"]
        stream = self.llm.stream(messages, max_tokens=140, temperature=0.3)
        self._notices = list(stream.notices)
        shown, broken = "", False
        for _ in stream:
            current = persona.tidy(stream.text)
            found = persona.problems(current, person_line, system)
            if found:
                if any(p.startswith(("canary", "out of character")) for p in found):
                    broken = True
                    break
                continue  # e.g. empty so far: wait for more text
            if current != shown:
                shown = current
                yield shown, "model"
        final = persona.tidy(stream.text)
        if not broken and not persona.problems(final, person_line, system):
            if final != shown:
                yield final, "model"
            return
        again = persona.tidy(self.llm.complete(messages, max_tokens=140, temperature=0.8).text)
        if not persona.problems(again, person_line, system):
            yield again, "regenerated"
            return
        yield state.line, "repaired"

    def _select(self, state: State, person_line: str, options: list[str]) -> Iterator[tuple[str, str]]:
        """For a small model: it chooses, token by token under a JSON-schema grammar, which of the
        composed replies for this move answers the person best; the chosen line streams as it is written."""
        if len(options) < 2 or not person_line:
            yield state.line, "scenario"
            return
        candidates = tuple(options)
        choice = create_model("Choice", line=(Literal[candidates], ...))  # type: ignore[valid-type,arg-type]
        system = prompts.load("runtime/rehearsal_select").system_text(
            name=self.profile.name, role=self.profile.role, voice=persona.voice(self.profile.temperament))
        messages = [{"role": "system", "content": system}, {"role": "user", "content": person_line}]
        fmt = {"type": "json_object", "schema": choice.model_json_schema()}
        stream = self.llm.stream(messages, max_tokens=80, response_format=fmt)
        self._notices = list(stream.notices)
        with stream:
            for _ in stream:
                partial = _partial_line(stream.text)
                if not partial:
                    continue
                matching = [c for c in candidates if c.startswith(partial)]
                if len(matching) == 1:  # the grammar allows one ending now: no need to wait for the model to copy it
                    yield matching[0], "selected"
                    return
                yield partial, "selected"
        try:
            yield str(choice.model_validate_json(stream.text).line), "selected"  # type: ignore[attr-defined]
        except ValueError:
            yield state.line, "repaired"

    def rewind(self) -> None:
        """Take back the person's last line and the manager's answer to it."""
        if self.finished:
            raise BadInput("This rehearsal has ended.", "start a new rehearsal to try again")
        users = [i for i, t in enumerate(self._turns) if t.role == "user"]
        if not users:
            raise BadInput("There is nothing to take back yet.", "say your first line")
        cut = users[-1]
        self._turns, self._meta = self._turns[:cut], self._meta[:cut]
        self.states, self.readings = self.states[:-1], self.readings[:-1]
        self._history(self.settings).rewind(self.session_id, cut, self._stored_state())
        self.last_reply = None

    def finish(self) -> Debrief:
        """End the rehearsal: score it against the rubric and store the debrief."""
        if not self.person_lines:
            raise BadInput("Nothing to score yet.", "say at least one line to your manager first")
        debrief = score_transcript(self.transcript, self.scenario.id, self.profile, difficulty=self.difficulty,
                                   model=self._llm or self.model, settings=self.settings, situation=self.situation,
                                   replayed=(self.frame, self.states, self.readings))
        self._history(self.settings).save_debrief(self.session_id, debrief.model_dump(mode="json"))
        self.finished = True
        return debrief

    def as_contract(self, debrief: Debrief | None) -> dict[str, Any]:
        """The CLI contract's JSON document for this session."""
        return {
            "scenario": self.scenario.id,
            "session_id": self.session_id,
            "transcript": [t.model_dump() for t in self._turns],
            "debrief": debrief.model_dump(mode="json") if debrief else None,
        }


def run_script(scenario: str, profile: ManagerProfile, lines: list[str], *, difficulty: str = "realistic",
               model: str | Model | None = None, settings: Settings, hints: bool = False,
               owner: str = "", situation: str | None = None) -> dict[str, Any]:
    """A whole scripted rehearsal (no terminal needed): one manager reply per line, then the debrief."""
    checked = [validate_line(line) for line in lines if line.strip()]
    if not checked:
        raise BadInput("The script has no lines.", "write what you would say, one turn per non-empty line")
    session = Rehearsal.start(scenario, profile, difficulty=difficulty, hints=hints, model=model,
                              settings=settings, owner=owner, greet=False, situation=situation)
    for line in checked:
        session.say(line)
    return session.as_contract(session.finish())
