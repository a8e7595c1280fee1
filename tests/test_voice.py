"""Voice: real parts only. Lines are synthesised with Piper (deterministic, noise 0) or espeak-ng,
transcribed by the shipped Whisper model, and measured; no stubs, no timing assertions."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.errors import BadInput
from app.voice import stt, tts
from app.voice.audio import resample, wav_bytes
from app.voice.bench import LINES
from app.voice.delivery import count_fillers, delivery_report, turn_delivery
from app.voice.wer import wer, word_errors

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

FILLED = ("So, um, I think, like, we should, you know, basically move the launch. "
          "Uh, the vendor is, um, late by two weeks.")


@pytest.fixture(scope="module")
def piper() -> Iterator[tts.Piper]:
    voice = tts.Piper(noise=0.0)
    yield voice
    voice.close()


def trimmed(speech: tts.Speech) -> np.ndarray:
    """The synthesised samples without their leading and trailing silence (16 kHz float)."""
    x = resample(speech.samples, speech.rate)
    loud = np.flatnonzero(np.abs(x) > 0.02 * np.abs(x).max())
    return x[loud[0]: loud[-1] + 1]


def write_line(voice: tts.Voice, text: str, path: Path) -> Path:
    path.write_bytes(voice.synthesize(text).wav())
    return path


def test_synthesised_lines_are_transcribed_within_15_percent_wer(piper: tts.Piper, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    pairs = []
    report = []
    for i, line in enumerate(LINES):
        heard = stt.transcribe(write_line(piper, line, tmp_path / f"{i:02d}.wav"))
        errors, words = word_errors(line, heard.text)
        pairs.append((line, heard.text))
        report.append(f"{errors:2d}/{words:2d}  {heard.text}")
    rate = wer(pairs)
    with capsys.disabled():
        print(f"\nWER on {len(LINES)} Piper-synthesised lines: {rate:.3f}\n  " + "\n  ".join(report))
    assert len(pairs) >= 10
    assert rate <= 0.15


def test_espeak_ng_line_is_understood(tmp_path: Path) -> None:
    line = "My recommendation is to hire one contractor for three months."
    heard = stt.transcribe(write_line(tts.Espeak(speed=150), line, tmp_path / "espeak.wav"))
    assert word_errors(line, heard.text)[0] <= 1, heard.text


def test_silence_is_refused_with_a_fix(tmp_path: Path) -> None:
    path = tmp_path / "silence.wav"
    path.write_bytes(wav_bytes(np.zeros(16000 * 2, dtype=np.int16), 16000))
    with pytest.raises(BadInput) as err:
        stt.transcribe(path)
    assert "heard nothing" in err.value.message and "microphone" in (err.value.fix or "")


def test_unreadable_audio_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("not audio", encoding="utf-8")
    with pytest.raises(BadInput, match="Could not read"):
        stt.transcribe(path)


@pytest.mark.parametrize(("length_scale", "fast"), [(1.0, True), (1.9, False)])
def test_pace_matches_the_synthesised_pace(piper: tts.Piper, length_scale: float, fast: bool) -> None:
    line = ("I would like to lead the platform migration next quarter because I delivered the billing "
            "rewrite two weeks early and the team is ready for it.")
    voice = tts.Piper(length_scale=length_scale, noise=0.0)
    try:
        speech = voice.synthesize(line)
    finally:
        voice.close()
    known = 60 * len(line.split()) / (len(trimmed(speech)) / 16000)
    heard = stt.transcribe_samples(resample(speech.samples, speech.rate))
    turn = turn_delivery(1, heard)
    assert abs(turn.wpm - known) / known < 0.10, (turn.wpm, known)
    report = delivery_report({1: heard}, manager_seconds=10.0, manager_estimated=True,
                             knowledge_dir=ROOT / "knowledge")
    pace = next(i for i in report.items if i.metric == "pace")
    assert ("Faster than" in pace.tip) is fast, (turn.wpm, pace.tip)
    assert pace.citation.card == "upward/speak-at-a-steady-pace"


def test_inserted_fillers_and_pause_are_found(piper: tts.Piper) -> None:
    gap = 2.5
    first = trimmed(piper.synthesize(FILLED))
    second = trimmed(piper.synthesize("My plan is to move the pilot customers first."))
    samples = np.concatenate([np.zeros(8000, np.float32), first, np.zeros(int(gap * 16000), np.float32), second,
                              np.zeros(8000, np.float32)])
    heard = stt.transcribe_samples(samples)
    turn = turn_delivery(1, heard)
    assert turn.fillers == {"um": 2, "uh": 1, "like": 1, "you know": 1, "basically": 1}, heard.text
    assert abs(turn.longest_pause - gap) < 0.15, turn.longest_pause
    assert turn.pause_after == "weeks"
    clean = stt.transcribe_samples(trimmed(piper.synthesize(LINES[5])))
    report = delivery_report({1: clean, 2: heard}, manager_seconds=5.0, manager_estimated=False,
                             knowledge_dir=ROOT / "knowledge")
    items = {i.metric: i for i in report.items}
    assert report.filler_count == 6 and report.worst_turn == 2
    assert "pause silently" in items["fillers"].tip
    assert items["pause"].value.startswith("2.") and "turn 2" in items["pause"].value
    assert report.talk_share > 0.65 and "let your manager answer" in items["talk_share"].tip
    assert all(i.citation.title and i.citation.source for i in report.items)


def test_filler_words_and_ordinary_words_are_told_apart() -> None:
    assert count_fillers(FILLED) == {"um": 2, "uh": 1, "like": 1, "you know": 1, "basically": 1}
    ordinary = "I'd like to lead it. I would like that. Do you know the date? You know that we shipped."
    assert count_fillers(ordinary) == {}


def test_sentences_are_spoken_once_and_a_replaced_reply_in_full() -> None:
    feed = tts.SentenceFeed()
    assert feed.feed("That is fair. What") == ["That is fair."]
    assert feed.feed("That is fair. What would you need? Tell") == ["What would you need?"]
    assert feed.finish("That is fair. What would you need? Tell me by Friday.") == ["Tell me by Friday."]
    other = tts.SentenceFeed()
    other.feed("As an AI model. I")
    assert other.finish("Go on. I'm listening.") == ["Go on.", "I'm listening."]


def test_the_two_voices_speak(piper: tts.Piper) -> None:
    for voice in (piper, tts.Espeak()):
        speech = voice.synthesize("Go on. I'm listening.")
        assert speech.rate == 22050 and speech.seconds > 0.5
        assert voice.synthesize(").").seconds < 0.2  # a fragment with nothing to say is a short silence
        assert voice.synthesize("Still here.").seconds > 0.3


def test_rehearse_from_an_audio_folder_on_the_fake_model(piper: tts.Piper, tmp_path: Path, fake_model: str) -> None:
    from app.coach.profiles import load_profile
    from app.config import get_settings
    from app.voice.session import run_audio

    folder = tmp_path / "turns"
    folder.mkdir()
    for i, line in enumerate([LINES[0], FILLED, LINES[7]], 1):
        write_line(piper, line, folder / f"turn{i * 5}.wav")  # turn5, turn10, turn15: name order is numeric
    doc = run_audio("promotion", load_profile(None), folder, model=fake_model, settings=get_settings())
    said = [t["content"] for t in doc["transcript"] if t["role"] == "user"]
    assert word_errors(LINES[0], said[0])[0] <= 1 and word_errors(LINES[7], said[2])[0] <= 2
    assert [t["role"] for t in doc["transcript"]] == ["user", "manager"] * 3
    delivery = doc["debrief"]["delivery"]
    assert delivery["filler_count"] >= 5 and delivery["worst_turn"] == 2 and delivery["manager_estimated"]
    assert [s["file"] for s in doc["speech"]] == ["turn5.wav", "turn10.wav", "turn15.wav"]


def test_audio_dir_errors_are_bad_input(tmp_path: Path) -> None:
    proc = subprocess.run([str(BIN / "upward"), "rehearse", "--audio-dir", str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and "no recordings" in proc.stderr and "one WAV file per turn" in proc.stderr


@pytest.mark.local
def test_spoken_rehearsal_on_the_embedded_model_is_offline(piper: tts.Piper, tmp_path: Path) -> None:
    """Acceptance: synthesised speech in, the right transcript, a manager reply, no outbound socket."""
    from tests.test_offline import run_guarded

    folder = tmp_path / "turns"
    folder.mkdir()
    lines = [LINES[0], LINES[1], LINES[7]]
    for i, line in enumerate(lines, 1):
        write_line(piper, line, folder / f"{i:02d}.wav")
    manager = str(ROOT / "evals" / "managers" / "skeptical.yaml")
    proc, log = run_guarded([str(BIN / "upward"), "rehearse", "--scenario", "promotion", "--manager", manager,
                             "--audio-dir", str(folder), "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    said = [t["content"] for t in doc["transcript"] if t["role"] == "user"]
    assert wer(list(zip(lines, said, strict=True))) <= 0.15, said
    replies = [t["content"] for t in doc["transcript"] if t["role"] == "manager"]
    assert len(replies) == 3 and all(r.strip() for r in replies)
    assert doc["debrief"]["delivery"]["items"]
    assert log == ""


def test_reply_is_spoken_sentence_by_sentence_while_it_streams(fake_model: str, settings: object,
                                                               tmp_path: Path) -> None:
    """The first sentence's audio is handed out before the reply's text is complete."""
    from app.coach.profiles import load_profile
    from app.coach.rehearsal import Rehearsal
    from app.llm import fake
    from app.ui import speech

    reply = "That is fair. Walk me through who picks up your current work while you lead the migration next quarter."
    session = Rehearsal.start("promotion", load_profile(None), hints=False, model=fake_model, greet=False,
                              settings=settings)
    engine = fake.engine(fake_model)
    engine.enqueue(reply)
    engine.pace = 0.15  # words arrive as a slow model's would
    try:
        steps = list(speech.on_send_spoken("I would like to lead the migration.", session, True, None,
                                           settings=session.settings))
    finally:
        engine.pace = 0.0
    texts = [s[1][-1]["content"] if isinstance(s[1], list) and s[1] else "" for s in steps]
    audio = [isinstance(s[6], bytes) for s in steps]
    first_audio = audio.index(True)
    assert texts[first_audio] != reply and reply.startswith(texts[first_audio]), texts[first_audio]
    assert sum(audio) >= 2  # the second sentence follows as its own chunk
    state = steps[-1][7]
    assert state["spoken"]["0"] > 2.0  # seconds of the manager's voice, for talk time
    assert any(s[8] is None for s in steps)  # the microphone is cleared for the next line


def test_microphone_recording_fills_the_box_for_editing(piper: tts.Piper, tmp_path: Path, fake_model: str,
                                                        settings) -> None:
    from app.coach.profiles import load_profile
    from app.coach.rehearsal import Rehearsal
    from app.ui import speech

    session = Rehearsal.start("promotion", load_profile(None), hints=False, model=fake_model, greet=False,
                              settings=settings)
    steps = list(speech.on_heard(str(write_line(piper, LINES[4], tmp_path / "mic.wav")), None, session))
    box, state, note = steps[-1]
    assert word_errors(LINES[4], box)[0] <= 1 and "correct any word" in note["value"]
    assert state["pending"]["text"] == box and state["session"] == session.session_id
    silent = tmp_path / "quiet.wav"
    silent.write_bytes(wav_bytes(np.zeros(16000, dtype=np.int16), 16000))
    box, _, note = list(speech.on_heard(str(silent), state, session))[-1]
    assert "heard nothing" in note["value"] and "microphone" in note["value"]


def test_interactive_rehearsal_speaks_the_replies(tmp_path: Path) -> None:
    """`--speak` in a terminal session: replies are synthesised and played through ffplay (no sound card
    here, so SDL's dummy audio driver), and the session runs as without it."""
    import os
    import shutil

    if shutil.which("ffplay") is None:
        pytest.fail("ffplay is missing: run `make voice` (apt-get install -y ffmpeg)")
    env = {**os.environ, "SDL_AUDIODRIVER": "dummy", "UPWARD_DATA_DIR": str(tmp_path / "data"),
           "PATH": f"{BIN}:/usr/bin:/bin"}  # ffplay only: aplay and friends need a sound card
    proc = subprocess.run([str(BIN / "upward"), "rehearse", "--scenario", "promotion", "--model", "fake/speak",
                           "--speak", "--no-hints"], input="I would like to lead the migration.\n/end\n",
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("Your manager:") == 2 and "Debrief:" in proc.stdout
    assert "could not speak" not in proc.stderr, proc.stderr
