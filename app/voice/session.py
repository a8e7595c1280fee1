"""Voice in a rehearsal: recordings as the person's turns, and the delivery section of the debrief.

The rehearsal itself is unchanged: a recording becomes text (`stt`), the text is the person's line,
and after the debrief is scored, the delivery measured on the recordings is added to it and stored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from app.config import Settings
from app.errors import BadInput
from app.schemas import ManagerProfile
from app.voice.delivery import Utterance, delivery_report, estimate_seconds

AUDIO_SUFFIXES = {".wav", ".mp3", ".ogg", ".oga", ".opus", ".webm", ".m4a", ".flac"}


def _natural(path: Path) -> list[Any]:
    """turn2.wav before turn10.wav."""
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", path.name)]


def audio_files(folder: str | Path) -> list[Path]:
    """The recordings in a folder, one per turn, in name order (numbers compared as numbers)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BadInput(f"Audio folder {folder} does not exist.", "pass a folder with one WAV file per turn")
    files = sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES), key=_natural)
    if not files:
        raise BadInput(f"Audio folder {folder} has no recordings.",
                       "put one WAV file per turn in it, named in the order you say them (01.wav, 02.wav, ...)")
    return files


def hear_folder(folder: str | Path) -> list[tuple[Path, Utterance]]:
    """Transcribe every recording in the folder, in name order."""
    from app.voice import stt

    return [(path, stt.transcribe(path)) for path in audio_files(folder)]


def attach_delivery(rehearsal: Any, debrief: Any, heard: dict[int, Utterance], manager_seconds: float | None = None,
                    estimated: bool = True) -> Any:
    """Add the delivery section to a scored debrief and store it. `heard` maps the person's turn number
    (1-based) to its recording; `manager_seconds` is how long the manager's replies took (estimated from
    their length when not given)."""
    if not heard:
        return debrief
    if manager_seconds is None:
        manager_seconds = sum(estimate_seconds(t.content) for t in rehearsal.transcript if t.role == "manager")
        estimated = True
    debrief.delivery = delivery_report(heard, manager_seconds, estimated, Path(rehearsal.settings.knowledge_dir))
    from app.history import get_history

    get_history(rehearsal.settings).save_debrief(rehearsal.session_id, debrief.model_dump(mode="json"))
    return debrief


def run_audio(scenario: str, profile: ManagerProfile, folder: str | Path, *, difficulty: str = "realistic",
              settings: Settings, model: str | None = None, owner: str = "",
              situation: str | None = None) -> dict[str, Any]:
    """A whole rehearsal from recordings (one per turn, in name order): transcribed locally, answered,
    scored, with the delivery section. The CLI's `rehearse --audio-dir`."""
    from app.coach.rehearsal import Rehearsal, validate_line

    heard = hear_folder(folder)
    lines = [validate_line(u.text) for _, u in heard]
    session = Rehearsal.start(scenario, profile, difficulty=difficulty, hints=False, model=model,
                              settings=settings, owner=owner, greet=False, situation=situation)
    for line in lines:
        session.say(line)
    debrief = attach_delivery(session, session.finish(), {i: u for i, (_, u) in enumerate(heard, 1)})
    doc = session.as_contract(debrief)
    doc["speech"] = [{"file": path.name, "heard": u.text, "seconds": u.duration} for path, u in heard]
    return doc
