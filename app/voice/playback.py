"""Speaking the manager's replies in a terminal rehearsal (`upward rehearse --speak`).

Sentences are synthesised and played in a worker thread, one after another, while the rest of the
reply is still being written. Playback uses whichever local player exists (ALSA, PulseAudio,
PipeWire or ffplay); there is no audio library to install.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from app.voice import VoiceUnavailable
from app.voice.tts import SentenceFeed, Voice, get_voice

PLAYERS: tuple[tuple[str, list[str]], ...] = (
    ("aplay", ["-q"]),
    ("paplay", []),
    ("pw-play", []),
    ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "error"]),
)


def player() -> list[str]:
    """The command that plays a WAV file given as its last argument."""
    for name, args in PLAYERS:
        exe = shutil.which(name)
        if exe:
            return [exe, *args]
    raise VoiceUnavailable("No audio player found to speak the replies.",
                           "install one (`sudo apt-get install alsa-utils`, or ffmpeg for ffplay), or drop --speak")


class Speaker:
    """Speaks replies in order; `follow` takes the growing snapshots of one reply."""

    def __init__(self, voice: Voice | None = None) -> None:
        self.command = player()
        self.voice = voice or get_voice()
        self.jobs: queue.Queue[str | None] = queue.Queue()
        self.feed = SentenceFeed()
        self.dir = Path(tempfile.mkdtemp(prefix="upward-speak-"))
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._work, name="upward-speaker", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while (sentence := self.jobs.get()) is not None:
            try:
                path = self.dir / "reply.wav"
                path.write_bytes(self.voice.synthesize(sentence).wav())
                done = subprocess.run([*self.command, str(path)], capture_output=True, text=True, timeout=120,
                                      check=False)
                if done.returncode != 0:
                    self.errors.append(f"{Path(self.command[0]).name}: {done.stderr.strip()[-300:]}")
            except (VoiceUnavailable, OSError, subprocess.TimeoutExpired) as exc:
                self.errors.append(str(exc))

    def follow(self, snapshot: str) -> None:
        for sentence in self.feed.feed(snapshot):
            self.jobs.put(sentence)

    def finish(self, final: str) -> None:
        """The reply is complete: speak what is left of it, and start afresh for the next one."""
        for sentence in self.feed.finish(final):
            self.jobs.put(sentence)
        self.feed = SentenceFeed()

    def say(self, text: str) -> None:
        self.finish(text)

    def close(self) -> list[str]:
        """Wait until everything queued has been spoken; what went wrong, if anything."""
        self.jobs.put(None)
        self.thread.join()
        shutil.rmtree(self.dir, ignore_errors=True)
        return list(dict.fromkeys(self.errors))
