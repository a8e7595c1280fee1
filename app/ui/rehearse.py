"""Rehearse: a streaming conversation with the role-played manager, rewind, retry, and the debrief.

The live `Rehearsal` object sits in this browser session's gr.State; every completed turn is
already in SQLite, so a failed reply leaves the conversation so far intact (and Retry answers it).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import gradio as gr

from app.coach.report import debrief_notes
from app.config import Settings
from app.errors import UpwardError
from app.ui import speech
from app.ui.common import (
    ChatHistory,
    Shared,
    alert,
    chat_from_turns,
    citations_markdown,
    error_text,
    in_one_thread,
    loading_placeholder,
    profile_from_form,
)

DIFFICULTIES = ["easy", "realistic", "tough"]
BUSY = "⏳ Your manager is still talking: wait for the reply to finish, then go on."
Updates = list[Any]

# Gradio runs a session's events concurrently, and a Rehearsal is not thread-safe: one step at a time.
# A cache keyed by its real input: the Rehearsal object itself (weakly, so a lock goes with its session).
_locks: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


@contextmanager
def one_step(rehearsal: Any) -> Iterator[bool]:
    """Hold this rehearsal's lock for a whole step; yields False (without waiting) when it is busy."""
    with _locks_guard:
        lock = _locks.setdefault(rehearsal, threading.Lock())
    got = lock.acquire(blocking=False)
    try:
        yield got
    finally:
        if got:
            lock.release()


def scenario_choices(settings: Settings) -> list[tuple[str, str]]:
    """(title, id) for each scenario file; a broken file shows its id rather than breaking the page."""
    from app.coach.scenarios import load_scenario, scenario_ids

    out = []
    for sid in scenario_ids(settings):
        try:
            out.append((load_scenario(sid, settings).title, sid))
        except UpwardError:
            out.append((sid, sid))
    return out


def meter(rehearsal: Any) -> str:
    """Receptiveness, and the last hint with its card, for the panel beside the chat."""
    if rehearsal is None:
        return "Pick a scenario and press **Start**. Your manager opens the meeting."
    parts = [f"**{rehearsal.scenario.title}** with {rehearsal.profile.name} · {rehearsal.difficulty.value}",
             f"Manager receptiveness: **{rehearsal.receptiveness}/100**"]
    reply = getattr(rehearsal, "last_reply", None)
    hint = reply.hint if reply is not None else None
    if hint is not None:
        parts.append(f"**Hint:** {hint.text}\n\n" + citations_markdown([hint.citation], "From"))
    if rehearsal.finished:
        parts.append("This rehearsal has ended. Start a new one, or draft from it in **Draft**.")
    return "\n\n".join(parts)


def profile_label(*values: Any) -> str:
    """Which manager Rehearse will play, from Prepare's form: said before Start, not discovered after."""
    try:
        profile = profile_from_form(list(values))
    except UpwardError:
        return "The profile in **Prepare** has a problem: fix it there, or the generic manager is played."
    from app.coach.profiles import DEFAULT_PROFILE

    if profile.name == DEFAULT_PROFILE.name:
        return ("Playing a **generic busy manager**: describe yours in **Prepare** "
                "(saved profiles come back when you reopen the page).")
    return f"Playing **{profile.name}** ({profile.role}, {profile.temperament.value}) from **Prepare**."


def view(rehearsal: Any, chat: ChatHistory, note: str = "") -> Updates:
    """[state, chat, meter, alert, retry] after any step."""
    pending = bool(rehearsal is not None and rehearsal.pending)
    return [rehearsal, chat, meter(rehearsal), alert(note), gr.update(visible=pending)]


def _failure(rehearsal: Any, exc: UpwardError) -> Updates:
    """Show what is stored (the conversation so far) and the error; offer Retry if a line is unanswered."""
    note = error_text(exc)
    partial_text = getattr(exc, "partial", "")
    if partial_text:
        note += f"\n\nThe reply was cut off after: “{partial_text.strip()}”"
    if rehearsal is not None and rehearsal.pending:
        note += "\n\nYour line is kept: press **Retry** for the answer, or **Rewind** to take it back."
    opening = _opening_failed(rehearsal)
    if opening:
        note += "\n\nYour manager's opening line did not arrive: press **Retry** to ask again."
    chat = chat_from_turns(rehearsal.transcript) if rehearsal is not None else []
    out = view(rehearsal, chat, note)
    return [*out[:4], gr.update(visible=True)] if opening else out


def _opening_failed(rehearsal: Any) -> bool:
    """The manager was to open the meeting and has not: Retry asks for the opening again."""
    return bool(rehearsal is not None and getattr(rehearsal, "greet", False) and not rehearsal.transcript
                and not rehearsal.finished)


def _stream(rehearsal: Any, pieces: Iterator[str], settings: Settings, line: str = "") -> Iterator[Updates]:
    """Show the person's `line` and a placeholder at once, the manager's reply growing, then what is stored."""
    base = chat_from_turns(rehearsal.transcript)
    if line:
        base.append({"role": "user", "content": line})
    wait = loading_placeholder(rehearsal.model, settings)
    yield view(rehearsal, [*base, {"role": "assistant", "content": wait}])
    try:
        for snapshot in in_one_thread(pieces):
            yield view(rehearsal, [*base, {"role": "assistant", "content": snapshot}])
    except UpwardError as exc:
        yield _failure(rehearsal, exc)
        return
    reply = getattr(rehearsal, "last_reply", None)
    notices = " ".join(reply.notices) if reply is not None else ""
    yield view(rehearsal, chat_from_turns(rehearsal.transcript), f"ℹ️ {notices}" if notices else "")


def on_start(scenario: str, difficulty: str, hints: bool, model: str, owner: str, *profile_values: Any,
             settings: Settings, situation: str = "") -> Iterator[Updates]:
    """A new session with the Prepare tab's manager; the manager's greeting streams in."""
    from app.coach.rehearsal import Rehearsal

    hide = gr.update(visible=False)
    yield [gr.update(), gr.update(), gr.update(), alert("Setting up the rehearsal…"), gr.update(), gr.update()]
    try:
        profile = profile_from_form(list(profile_values))
        rehearsal = Rehearsal.start(scenario, profile, difficulty=difficulty, hints=bool(hints), model=model,
                                    settings=settings, owner=owner or "", greet=True, situation=situation)
    except UpwardError as exc:  # keep whatever conversation is on screen
        yield [gr.update(), gr.update(), gr.update(), alert(error_text(exc)), gr.update(), gr.update()]
        return
    with one_step(rehearsal):
        for step in _stream(rehearsal, rehearsal.opening(), settings):
            yield [*step, hide]


def on_send(message: str, rehearsal: Any, settings: Settings) -> Iterator[Updates]:
    """The person's line, then the manager's reply streaming. The box empties at once and gets the
    text back if the line could not be stored."""
    from app.coach.rehearsal import validate_line

    if rehearsal is None:
        yield [*view(None, [], "⚠️ Start a rehearsal first: pick a scenario and press **Start**."), gr.update()]
        return
    try:
        line = validate_line(message)
    except UpwardError as exc:
        yield [*_failure(rehearsal, exc), gr.update()]
        return
    with one_step(rehearsal) as free:
        if not free:
            yield [gr.update(), gr.update(), gr.update(), alert(BUSY), gr.update(), gr.update()]
            return
        before = len(rehearsal.transcript)
        for step in _stream(rehearsal, rehearsal.reply(line), settings, line):
            stored = len(rehearsal.transcript) > before
            failed = bool(step[3].get("value")) and not stored
            yield [*step, message if failed else ""]


def on_retry(rehearsal: Any, settings: Settings) -> Iterator[Updates]:
    """Answer the person's last line again after a failed reply."""
    if rehearsal is None:
        yield view(None, [], "⚠️ Start a rehearsal first.")
        return
    with one_step(rehearsal) as free:
        if not free:
            yield [gr.update(), gr.update(), gr.update(), alert(BUSY), gr.update()]
            return
        pieces = rehearsal.opening() if _opening_failed(rehearsal) else rehearsal.retry()
        yield from _stream(rehearsal, pieces, settings)


def on_rewind(rehearsal: Any) -> Updates:
    """Take back the last exchange and put the line back in the box, to edit and send again."""
    if rehearsal is None:
        return [*view(None, [], "⚠️ Nothing to rewind: start a rehearsal first."), gr.update()]
    with one_step(rehearsal) as free:
        if not free:
            return [gr.update(), gr.update(), gr.update(), alert(BUSY), gr.update(), gr.update()]
        mine = [t.content for t in rehearsal.transcript if t.role == "user"]
        try:
            rehearsal.rewind()
        except UpwardError as exc:
            return [*_failure(rehearsal, exc), gr.update()]
    line = mine[-1] if mine else ""
    note = "↩️ Took back your last line: it is back in the box to edit and send again." if line else ""
    return [*view(rehearsal, chat_from_turns(rehearsal.transcript), note), line]


def on_clear(rehearsal: Any) -> Updates:
    """The chat's trash icon ends this session explicitly (it stays in History) rather than only
    emptying the view while the manager remembers everything."""
    if rehearsal is None:
        return view(None, [])
    with one_step(rehearsal) as free:
        if not free:  # a reply is still streaming: put the conversation back
            return [gr.update(), chat_from_turns(rehearsal.transcript), gr.update(), alert(BUSY), gr.update()]
    said = bool(rehearsal.person_lines)
    note = ("🗑️ Cleared: that rehearsal is closed" + (" and kept in **History** (reopen it there)" if said else "")
            + ". Press **Start** for a new one.")
    return view(None, [], note)


def debrief_view(debrief: Any, settings: Settings) -> Updates:
    """[group, overall, chart, notes, citations] for a Debrief."""
    import pandas as pd

    from app.coach.rubric import load_rubric

    names = {d.id: d.name for d in load_rubric(settings).dimensions}
    # Short axis labels (the dimension ids) fit a phone; the full names are in the tooltip and notes.
    frame = pd.DataFrame({"dimension": [k.replace("_", " ").capitalize() for k in debrief.scores],
                          "score": [int(v) for v in debrief.scores.values()],
                          "name": [names.get(k, k) for k in debrief.scores]})
    notes = debrief_notes(debrief)
    return [gr.update(visible=True), f"### Overall: {debrief.overall}/100", frame, "\n".join(notes),
            citations_markdown(debrief.citations, "Guidance behind the scores (open a card)")]


def on_finish(rehearsal: Any, settings: Settings, voice: dict[str, Any] | None = None) -> Iterator[Updates]:
    """Score the rehearsal; the chart and notes appear under the conversation (with delivery, if spoken)."""
    keep = [gr.update()] * 5
    if rehearsal is None:
        yield [*view(None, [], "⚠️ Nothing to debrief: start a rehearsal first."), *keep]
        return
    with one_step(rehearsal) as free:
        if not free:
            yield [gr.update(), gr.update(), gr.update(), alert(BUSY), gr.update(), *keep]
            return
        chat = chat_from_turns(rehearsal.transcript)
        yield [*view(rehearsal, chat, "Scoring your rehearsal against the rubric…"), *keep]
        try:
            debrief = rehearsal.finish()
            if voice:
                from app.ui.speech import with_delivery

                debrief = with_delivery(rehearsal, debrief, voice)
        except UpwardError as exc:
            yield [*_failure(rehearsal, exc), *keep]
            return
        yield [*view(rehearsal, chat), *debrief_view(debrief, settings)]


def build(shared: Shared) -> None:
    settings = shared.settings
    choices = scenario_choices(settings)
    with gr.Row():
        scenario = gr.Dropdown(choices, value=choices[0][1] if choices else None, label="Scenario",
                               elem_id="rehearse-scenario", scale=3, min_width=200)
        difficulty = gr.Radio(DIFFICULTIES, value="realistic", label="Difficulty", elem_id="rehearse-difficulty",
                              scale=2, min_width=200)
        hints = gr.Checkbox(value=settings.hints, label="Coaching hints", elem_id="rehearse-hints",
                            scale=1, min_width=120)
        start = gr.Button("Start", variant="primary", elem_id="rehearse-start", scale=1, min_width=100)
    situation = gr.Textbox(label="Your situation (optional)", elem_id="rehearse-situation", lines=2,
                           placeholder="A few sentences about the real conversation: who, the figures and dates, "
                                       "what your manager worries about. Your manager will use them.")
    who = gr.Markdown(profile_label(*[""] * 7), elem_id="rehearse-profile")
    status = gr.Markdown(visible=False, elem_id="rehearse-alert", elem_classes=["alert"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=280):
            chat = gr.Chatbot(label="Your manager", elem_id="rehearse-chat", height=380, buttons=["copy"],
                              placeholder="Your manager will open the meeting when you press Start.")
            box = gr.Textbox(label="What you say", elem_id="rehearse-msg", lines=2,
                             placeholder="Say it as you would out loud…")
            with gr.Row(equal_height=False):
                mic = gr.Audio(sources=["microphone"], type="filepath", label="Say it", elem_id="rehearse-mic",
                               buttons=[], editable=False, scale=3, min_width=200)
                with gr.Column(scale=2, min_width=160):
                    speak = gr.Checkbox(value=False, label="Speak replies", elem_id="rehearse-speak")
                    voice_out = gr.Audio(label="Your manager, spoken", elem_id="rehearse-voice", autoplay=True,
                                         streaming=speech.STREAMING, interactive=False, buttons=[], visible=False)
            gr.HTML(speech.MIC_HTML, elem_id="rehearse-mic-note", js_on_load=speech.MIC_JS)
            voice_state = gr.State(None)
            with gr.Row():
                send = gr.Button("Send", variant="primary", elem_id="rehearse-send", min_width=90)
                retry = gr.Button("Retry", visible=False, elem_id="rehearse-retry", min_width=90)
                rewind = gr.Button("Rewind", elem_id="rehearse-rewind", min_width=90)
                finish = gr.Button("End and debrief", variant="stop", elem_id="rehearse-end", min_width=140)
        with gr.Column(scale=2, min_width=240):
            panel = gr.Markdown(meter(None), elem_id="rehearse-meter")
    with gr.Group(visible=False, elem_id="debrief") as group:
        overall = gr.Markdown(elem_id="debrief-overall")
        chart = gr.BarPlot(x="dimension", y="score", y_lim=[0, 4], label="Scores per dimension (0-4)",
                           elem_id="debrief-chart", height=260, sort=None, tooltip=["name", "score"])
        with gr.Row(equal_height=False):
            with gr.Column(min_width=260):
                notes = gr.Markdown(elem_id="debrief-notes")
            with gr.Column(min_width=260):
                cites = gr.Markdown(elem_id="debrief-citations")
    shared.chat = chat
    conv = [shared.rehearsal, chat, panel, status, retry]
    debrief_out = [group, overall, chart, notes, cites]
    def start_with_situation(told: str, *values: Any) -> Iterator[Updates]:
        yield from speech.on_start_spoken(*values, settings=settings, situation=told)

    start.click(start_with_situation,
                [situation, scenario, difficulty, hints, shared.model, shared.owner, speak, *shared.profile_fields],
                [*conv, group, voice_out, voice_state])
    send_fn = partial(speech.on_send_spoken, settings=settings)
    send_io = ([box, shared.rehearsal, speak, voice_state], [*conv, box, voice_out, voice_state, mic])
    send.click(send_fn, *send_io)
    box.submit(send_fn, *send_io)
    retry.click(partial(speech.on_retry_spoken, settings=settings), [shared.rehearsal, speak, voice_state],
                [*conv, voice_out, voice_state])
    rewind.click(on_rewind, shared.rehearsal, [*conv, box])
    chat.clear(on_clear, shared.rehearsal, conv)
    # The manager Rehearse will play follows Prepare's form (typed, loaded, imported or restored on a visit).
    for control in (shared.profile_fields[0], shared.profile_fields[1], shared.profile_fields[5]):
        control.change(profile_label, shared.profile_fields, who, show_progress="hidden",
                       trigger_mode="always_last")
    shared.rehearse_controls = [scenario, difficulty, hints, situation]
    finish.click(partial(speech.on_finish_spoken, settings=settings), [shared.rehearsal, voice_state],
                 [*conv, *debrief_out])
    mic.start_recording(speech.on_record_start, None, status)
    mic.stop_recording(speech.on_heard, [mic, voice_state, shared.rehearsal], [box, voice_state, status])
    speak.change(speech.on_speak_toggle, speak, [status, voice_out])
    shared.rehearse_outputs = conv
    shared.debrief_outputs = debrief_out
