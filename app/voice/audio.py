"""Audio in and out as numpy arrays: decoding any recording, WAV bytes, and where the speech is.

Speech spans come from frame energy against the recording's own noise floor, which is exact on
synthesised audio and robust enough on a laptop microphone; pace and pauses are measured on them.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.errors import BadInput

RATE = 16000  # what Whisper expects
FRAME = 0.02  # seconds per energy frame
BRIDGE = 0.3  # gaps shorter than this are part of speech (stop consonants, breaths between words)


@dataclass(frozen=True)
class Span:
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def decode(path: str | Path) -> np.ndarray:
    """Mono float32 samples at 16 kHz from any audio file the browser or a recorder makes (WAV, WebM, MP3...)."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"Recording {path} does not exist.", "record again, or pass an existing audio file")
    try:
        from faster_whisper.audio import decode_audio

        return np.asarray(decode_audio(str(path), sampling_rate=RATE), dtype=np.float32)
    except ImportError:
        raise
    except Exception as exc:  # av raises its own error family for every unreadable container
        raise BadInput(f"Could not read {path.name} as audio: {exc}",
                       "save it as a WAV file (16-bit PCM), or record again") from exc


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """16-bit mono WAV bytes for int16 or float (-1..1) samples."""
    if samples.dtype != np.int16:
        samples = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return out.getvalue()


def read_wav(data: bytes) -> tuple[int, np.ndarray]:
    """(rate, int16 mono samples) from WAV bytes."""
    with wave.open(io.BytesIO(data), "rb") as w:
        rate, channels = w.getframerate(), w.getnchannels()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return rate, samples


def resample(samples: np.ndarray, rate: int, target: int = RATE) -> np.ndarray:
    """Linear resampling to float32 (enough for energy and for Whisper's 16 kHz input)."""
    x = samples.astype(np.float32)
    if samples.dtype == np.int16:
        x /= 32768.0
    if rate == target or not len(x):
        return x
    n = int(round(len(x) * target / rate))
    return np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x).astype(np.float32)


def speech_spans(samples: np.ndarray, rate: int = RATE) -> list[Span]:
    """Where someone is speaking: frames above a threshold set between the noise floor and the peak,
    with gaps shorter than BRIDGE joined."""
    hop = max(1, int(rate * FRAME))
    n = len(samples) // hop
    if n == 0:
        return []
    frames = samples[: n * hop].astype(np.float64).reshape(n, hop)
    db = 20 * np.log10(np.sqrt((frames**2).mean(axis=1)) + 1e-7)
    floor, peak = np.percentile(db, 10), np.percentile(db, 99)
    if peak < -55 or peak - floor < 12:  # silence, or noise with nothing standing out
        return []
    voiced = db > max(floor + 10, peak - 35)
    spans: list[Span] = []
    start = None
    for i, v in enumerate(voiced):
        if v and start is None:
            start = i
        elif not v and start is not None:
            spans.append(Span(start * FRAME, i * FRAME))
            start = None
    if start is not None:
        spans.append(Span(start * FRAME, n * FRAME))
    joined: list[Span] = []
    for s in spans:
        if joined and s.start - joined[-1].end < BRIDGE:
            joined[-1] = Span(joined[-1].start, s.end)
        else:
            joined.append(s)
    return [s for s in joined if s.seconds >= 0.06]  # drop clicks


def pauses(spans: list[Span]) -> list[Span]:
    """The silences between stretches of speech."""
    return [Span(a.end, b.start) for a, b in zip(spans, spans[1:], strict=False)]
