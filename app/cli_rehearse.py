"""`upward rehearse` at a terminal: scripted and interactive sessions, spoken replies (--speak), the debrief text."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Generator
from typing import Any

from app.coach.rehearsal import Rehearsal, Reply, validate_line
from app.coach.report import debrief_text
from app.config import Settings
from app.errors import UpwardError

Emit = Callable[[argparse.Namespace, dict[str, Any], str], None]


def scripted(args: argparse.Namespace, settings: Settings, profile: Any, lines: list[str]) -> dict[str, Any]:
    """A scripted rehearsal; when the model fails part-way, the error says how to finish the stored session."""
    checked = [validate_line(line) for line in lines]  # every line checked before anything is stored
    session = Rehearsal.start(args.scenario, profile, difficulty=args.difficulty, hints=False, model=settings.model,
                              settings=settings, greet=False, situation=args.situation)
    try:
        for line in checked:
            session.say(line)
        return session.as_contract(session.finish())
    except UpwardError as exc:
        if session.transcript:
            done = sum(t.role == "user" for t in session.transcript) - int(session.pending)
            exc.fix = (f"{exc.fix}; " if exc.fix else "") + (
                f"your {done} answered line(s) are saved in session {session.session_id}: continue with "
                f"`upward rehearse --resume {session.session_id}` and type /retry")
        raise


def speaker_for(args: argparse.Namespace) -> Any:
    """A Speaker for --speak (None without it): replies are spoken sentence by sentence."""
    if not getattr(args, "speak", False):
        return None
    from app.voice.playback import Speaker

    return Speaker()


def _voiced(session: Any, pieces: Generator[str, None, Reply | None], speaker: Any) -> tuple[str, Reply | None]:
    """Drain a reply stream (speaking each sentence as it completes, with --speak): the stored reply's
    text and the Reply the stream returned (its hint, its notices)."""
    while True:
        try:
            snapshot = next(pieces)
        except StopIteration as done:
            reply = done.value
            break
        if speaker is not None:
            speaker.follow(snapshot)
    final = str(session.transcript[-1].content)
    if speaker is not None:
        speaker.finish(final)
    return final, reply


def speak_transcript(args: argparse.Namespace, doc: dict[str, Any]) -> None:
    speaker = speaker_for(args)
    if speaker is not None:
        for turn in doc["transcript"]:
            if turn["role"] == "manager":
                speaker.say(turn["content"])
        _stop_speaking(speaker)


def _stop_speaking(speaker: Any) -> None:
    for problem in speaker.close():
        print(f"upward: could not speak a reply: {problem}", file=sys.stderr)


def interactive(args: argparse.Namespace, settings: Settings, profile: Any, emit: Emit) -> int:
    """Rehearse line by line at the terminal; /rewind, /retry and /end as the banner says."""
    session = (Rehearsal.resume(args.resume, settings=settings) if args.resume else
               Rehearsal.start(args.scenario, profile, difficulty=args.difficulty,
                               hints=settings.hints and not args.no_hints, model=settings.model, settings=settings,
                               situation=args.situation))
    name = session.profile.name
    print(f"Rehearsing '{session.scenario.title}' with {name} ({session.difficulty.value}). "
          "Type your lines; /rewind takes back the last exchange, /retry re-asks after an error, "
          "/end finishes with a debrief.", file=sys.stderr)
    talk = sys.stderr if args.json else sys.stdout  # with --json, stdout carries only the JSON document
    speaker = speaker_for(args)
    opened = bool(session.transcript) or _say_opening(session, name, talk, speaker)
    while True:
        try:
            print("You: ", end="", file=talk, flush=True)
            line = input()
        except EOFError:
            break
        if line.strip() == "/end":
            break
        reply = None
        try:
            if line.strip() == "/rewind":
                session.rewind()
                print("(took back your last line)", file=sys.stderr)
                continue
            if line.strip() == "/retry" and not opened:
                opened = _say_opening(session, name, talk, speaker)
            elif not opened:
                print("upward: your manager has not opened the meeting yet; type /retry first", file=sys.stderr)
            else:
                said, reply = _voiced(session, session.retry() if line.strip() == "/retry" else session.reply(line),
                                      speaker)
                print(f"{name}: {said}", file=talk)
        except UpwardError as exc:  # the session goes on: every completed turn is already stored
            print(f"upward: {exc.message}" + (f" ({exc.fix})" if exc.fix else ""), file=sys.stderr)
            continue
        if reply is not None and reply.hint is not None:
            print(f"  hint: {reply.hint.text} [{reply.hint.citation.source}]", file=sys.stderr)
    if speaker is not None:
        _stop_speaking(speaker)
    if not session.person_lines:
        print("No lines said; nothing to score.", file=sys.stderr)
        return 0
    debrief = session.finish()
    emit(args, session.as_contract(debrief), debrief_text(debrief.model_dump(mode="json")))
    return 0


def _say_opening(session: Any, name: str, talk: Any, speaker: Any = None) -> bool:
    """Print the manager's opening line; on a provider failure say so and return False (/retry asks again)."""
    try:
        print(f"{name}: {_voiced(session, session.opening(), speaker)[0]}", file=talk)
        return True
    except UpwardError as exc:
        print(f"upward: {exc.message}" + (f" ({exc.fix})" if exc.fix else ""), file=sys.stderr)
        print("The session is saved: type /retry for the opening line.", file=sys.stderr)
        return False
