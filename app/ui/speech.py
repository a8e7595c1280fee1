"""Voice on the Rehearse tab: the microphone fills the text box, the manager's reply is spoken.

A recording is transcribed on this computer and put in the box to edit before sending; what was
heard (with its timings) is kept in this browser session's state, keyed by the turn it became, for
the debrief's delivery section. With "Speak replies" on, each sentence of the manager's reply is
synthesised as soon as it is complete and streamed to the audio player while the rest is written.
"""

from __future__ import annotations

import queue
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import gradio as gr
import numpy as np

from app.errors import UpwardError
from app.ui.common import LOADING_LOCAL, THINKING, alert, error_text

Updates = list[Any]
# Gradio encodes a streamed audio output with ffmpeg; without it the reply plays once it is complete.
STREAMING = shutil.which("ffmpeg") is not None
MIC_NOTE = ("Or say it: recorded in your browser and transcribed on this computer; nothing is uploaded "
            "anywhere else. No microphone, or rather type? The box above always works.")
MIC_HTML = f"<p>{MIC_NOTE}</p><p class='mic-problem alert' role='alert' style='display:none'></p>"
# Gradio's recorder reports a refused or missing microphone only as an empty device list, so the page
# watches its getUserMedia calls and says what happened and what to do.
MIC_JS = """
const box = element.querySelector('.mic-problem');
const show = (msg) => { box.textContent = msg; box.style.display = msg ? 'block' : 'none'; };
const md = navigator.mediaDevices;
if (!md || !md.getUserMedia) {
  show('This page cannot use a microphone here: browsers allow it only on http://127.0.0.1, localhost or ' +
       'https. Open Upward at one of those, or type your line.');
} else if (!md.__upwardWatched) {
  const ask = md.getUserMedia.bind(md);
  md.getUserMedia = async (constraints) => {
    try { const stream = await ask(constraints); show(''); return stream; }
    catch (e) {
      if (e && (e.name === 'NotAllowedError' || e.name === 'SecurityError')) {
        show('The browser blocked the microphone for this page. Allow it (the icon at the left of the ' +
             'address bar), then press Record again, or type your line.');
      } else if (e && (e.name === 'NotFoundError' || e.name === 'OverconstrainedError')) {
        show('No microphone found. Connect one and press Record again, or type your line.');
      } else {
        show('The microphone could not be opened (' + (e && e.message || e) + '). Type your line instead.');
      }
      throw e;
    }
  };
  md.__upwardWatched = true;
}
"""


def new_state(session_id: str = "") -> dict[str, Any]:
    """What this browser session remembers about voice: recordings per turn, seconds of spoken replies."""
    return {"session": session_id, "pending": None, "heard": {}, "spoken": {}}


def _state_for(state: dict[str, Any] | None, rehearsal: Any) -> dict[str, Any]:
    sid = getattr(rehearsal, "session_id", "")
    if not state or state.get("session") != sid:
        return new_state(sid)
    return state


def on_record_start() -> dict[str, Any]:
    """Load the speech model while the person is still speaking; say at once if it is missing."""
    from app.voice import stt

    try:
        stt.warm()
    except UpwardError as exc:
        return alert(error_text(exc))
    return alert("")


def on_heard(recording: str | None, state: dict[str, Any] | None, rehearsal: Any) -> Iterator[Updates]:
    """[box, state, alert]: the transcript goes into the box, to edit before sending."""
    from app.voice import stt

    if not recording:
        yield [gr.update(), state, gr.update()]
        return
    state = _state_for(state, rehearsal)
    yield [gr.update(), state, alert("🎙️ Transcribing on this computer…")]
    try:
        heard = stt.transcribe(recording)
    except UpwardError as exc:
        yield [gr.update(), state, alert(error_text(exc))]
        return
    state = {**state, "pending": heard.model_dump(mode="json")}
    yield [heard.text, state, alert("🎙️ Here is what I heard: correct any word I got wrong, then press **Send**.")]


def on_speak_toggle(speak: bool) -> list[Any]:
    """[alert, player]: show the player, and start the voice now so the first reply is not slowed by it."""
    if not speak:
        return [alert(""), gr.update(visible=False)]
    from app.voice import tts

    try:
        voice = tts.get_voice()
        warm = getattr(voice, "warm", None)
        if warm is not None:
            warm()
    except UpwardError as exc:
        return [alert(error_text(exc)), gr.update(visible=False)]
    return [alert(""), gr.update(visible=True)]


class ReplyVoice:
    """Speaks the newest manager message of a stream of chat snapshots, sentence by sentence.

    Sentences are synthesised in a worker thread as they complete, so the text keeps streaming.
    """

    def __init__(self, managers_before: int) -> None:
        from app.voice import tts

        self.voice = tts.get_voice()
        self.feed = tts.SentenceFeed()
        self.before = managers_before
        self.jobs: queue.Queue[str | None] = queue.Queue()
        self.done: queue.Queue[Any] = queue.Queue()
        self.seconds = 0.0
        self.rate = 22050
        threading.Thread(target=self._work, name="upward-voice", daemon=True).start()

    def _work(self) -> None:
        while (sentence := self.jobs.get()) is not None:
            try:
                self.done.put(self.voice.synthesize(sentence))
            except UpwardError as exc:
                self.done.put(exc)
        self.done.put(None)

    def see(self, chat: Any) -> None:
        """Queue the sentences completed in this snapshot of the chat."""
        if not isinstance(chat, list):
            return
        replies = [m for m in chat if isinstance(m, dict) and m.get("role") == "assistant"]
        if len(replies) <= self.before:
            return
        text = replies[-1].get("content")
        if not isinstance(text, str) or text in (LOADING_LOCAL, THINKING):
            return
        for sentence in self.feed.feed(text):
            self.jobs.put(sentence)

    def finish(self, final: str | None) -> None:
        for sentence in self.feed.finish(final) if final else []:
            self.jobs.put(sentence)
        self.jobs.put(None)

    def _merge(self, items: list[Any]) -> bytes | None:
        speech = [s for s in items if s is not None and not isinstance(s, UpwardError)]
        if not speech:
            return None
        from app.voice.audio import wav_bytes

        self.rate = speech[0].rate
        samples = np.concatenate([s.samples for s in speech])
        self.seconds += len(samples) / self.rate
        return wav_bytes(samples, self.rate)

    def ready(self) -> bytes | None:
        """The sentences synthesised so far and not yet handed out, as one WAV chunk."""
        items = []
        while True:
            try:
                items.append(self.done.get_nowait())
            except queue.Empty:
                break
        if None in items:
            self.done.put(None)  # keep the end marker for `rest`
        return self._merge([i for i in items if i is not None])

    def rest(self) -> Iterator[bytes]:
        """Every remaining sentence, each as soon as it is synthesised."""
        while (item := self.done.get()) is not None:
            chunk = self._merge([item])
            if chunk:
                yield chunk


def _managers(rehearsal: Any) -> int:
    return sum(1 for t in rehearsal.transcript if t.role == "manager") if rehearsal is not None else 0


def spoken(steps: Iterator[Updates], rehearsal: Any, speak: bool, state: dict[str, Any],
           find_rehearsal: Any = None) -> Iterator[tuple[Updates, Any]]:
    """Pass the text steps through, adding the audio to play with each: chunks of WAV bytes when the
    player streams, else the whole reply once it is complete. `find_rehearsal(step)` finds the session a
    step belongs to when it is created mid-stream (Start)."""
    voice: ReplyVoice | None = None
    whole: list[bytes] = []
    width = 0
    first_ok = True
    for step in steps:
        width = len(step)
        if find_rehearsal is not None and rehearsal is None:
            found = find_rehearsal(step)
            rehearsal = found if found is not None and hasattr(found, "transcript") else None
        if speak and voice is None and rehearsal is not None and first_ok:
            try:
                voice = ReplyVoice(_managers(rehearsal))
            except UpwardError as exc:
                first_ok = False
                step = [*step[:3], alert(error_text(exc)), *step[4:]]
        chunk = None
        if voice is not None:
            voice.see(step[1])
            chunk = voice.ready()
        if chunk and not STREAMING:
            whole.append(chunk)
            chunk = None
        # None keeps an open stream going; a prop update leaves the player alone (no empty stream opened)
        yield step, chunk if STREAMING and voice is not None else gr.update()
    if voice is None:
        return
    final = None
    if rehearsal is not None and _managers(rehearsal) > voice.before and rehearsal.transcript[-1].role == "manager":
        final = rehearsal.transcript[-1].content
    voice.finish(final)
    keep = [gr.update()] * width
    for chunk in voice.rest():
        if STREAMING:
            yield keep, chunk
        else:
            whole.append(chunk)
    if final is not None:
        state["spoken"][str(_managers(rehearsal) - 1)] = round(voice.seconds, 2)
    if whole and not STREAMING:
        from app.voice.audio import read_wav

        rate = voice.rate
        yield keep, (rate, np.concatenate([read_wav(c)[1] for c in whole]))


def remember_line(state: dict[str, Any], rehearsal: Any, lines_before: int) -> dict[str, Any]:
    """After a send: the pending recording belongs to the line just stored (if one was)."""
    if rehearsal is None or not state.get("pending"):
        return state
    lines = rehearsal.person_lines
    if len(lines) > lines_before:
        state["heard"][str(len(lines))] = {"line": lines[-1], "utterance": state["pending"]}
        state["pending"] = None
    return state


def with_delivery(rehearsal: Any, debrief: Any, state: dict[str, Any] | None) -> Any:
    """The debrief with its delivery section, when any of the lines that stand were spoken."""
    from app.voice.delivery import Utterance, estimate_seconds
    from app.voice.session import attach_delivery

    if not state or state.get("session") != getattr(rehearsal, "session_id", None):
        return debrief
    lines = rehearsal.person_lines
    heard = {int(n): Utterance.model_validate(v["utterance"]) for n, v in state.get("heard", {}).items()
             if int(n) <= len(lines) and lines[int(n) - 1] == v["line"]}  # rewound or retyped lines drop out
    if not heard:
        return debrief
    replies = [t.content for t in rehearsal.transcript if t.role == "manager"]
    played = {int(k): v for k, v in state.get("spoken", {}).items() if int(k) < len(replies) and v}
    seconds = sum(played.get(i, estimate_seconds(text)) for i, text in enumerate(replies))
    try:
        return attach_delivery(rehearsal, debrief, heard, seconds, estimated=len(played) < len(replies))
    except UpwardError as exc:  # the scores stand; say why the delivery section is missing
        debrief.notes.append(f"Delivery feedback was left out: {exc.message}")
        return debrief


def on_start_spoken(scenario: str, difficulty: str, hints: bool, model: str, owner: str, speak: bool,
                    *profile_values: Any, settings: Any, situation: str = "") -> Iterator[Updates]:
    """Start, with the greeting spoken: [state, chat, meter, alert, retry, debrief group, audio, voice state]."""
    from app.ui import rehearse

    state = new_state()

    def found(step: Updates) -> Any:
        if hasattr(step[0], "session_id"):
            state.update(new_state(step[0].session_id))
            return step[0]
        return None

    steps = rehearse.on_start(scenario, difficulty, hints, model, owner, *profile_values, settings=settings,
                              situation=situation)
    for step, audio in spoken(steps, None, speak, state, find_rehearsal=found):
        yield [*step, audio, state]


def on_send_spoken(message: str, rehearsal: Any, speak: bool, state: dict[str, Any] | None, *,
                   settings: Any) -> Iterator[Updates]:
    """Send: [state, chat, meter, alert, retry, box, audio, voice state, microphone]."""
    from app.ui import rehearse

    state = _state_for(state, rehearsal)
    before = len(rehearsal.person_lines) if rehearsal is not None else 0
    for step, audio in spoken(rehearse.on_send(message, rehearsal, settings), rehearsal, speak, state):
        state = remember_line(state, rehearsal, before)
        sent = rehearsal is not None and len(rehearsal.person_lines) > before
        yield [*step, audio, state, None if sent else gr.update()]


def on_retry_spoken(rehearsal: Any, speak: bool, state: dict[str, Any] | None, *, settings: Any) -> Iterator[Updates]:
    """Retry: [state, chat, meter, alert, retry, audio, voice state]."""
    from app.ui import rehearse

    state = _state_for(state, rehearsal)
    for step, audio in spoken(rehearse.on_retry(rehearsal, settings), rehearsal, speak, state):
        yield [*step, audio, state]


def on_finish_spoken(rehearsal: Any, state: dict[str, Any] | None, *, settings: Any) -> Iterator[Updates]:
    from app.ui import rehearse

    yield from rehearse.on_finish(rehearsal, settings, voice=state)
