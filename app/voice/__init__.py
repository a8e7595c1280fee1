"""Rehearse out loud, offline: speech to text, text to speech and delivery feedback.

`stt` transcribes a recording with Whisper (faster-whisper, a model shipped in a wheel), `tts`
speaks the manager's reply sentence by sentence (Piper, or espeak-ng), `delivery` measures pace,
filler words, pauses and talk time from the audio. Importing this package loads nothing heavy:
models load on first use, and nothing is ever downloaded.
"""

from __future__ import annotations

from app.errors import BadInput


class VoiceUnavailable(BadInput):
    """A speech part (model package or program) is not installed."""
