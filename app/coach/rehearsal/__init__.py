"""Rehearsal: the role-played manager.

`session` runs a rehearsal (turns stored as they happen); `understanding` and `cues` read the
person's line; `moves` decides the manager's move and state; `voicing`, `echo`, `specifics` and
`persona` give the move words in this manager's voice; `hints` coaches between turns.

The session's names are exported lazily, so importing one part (say `understanding`, for Ask)
does not load the session and everything behind it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.coach.rehearsal.session import CANARY, Difficulty, Hint, Rehearsal, run_script, validate_line

__all__ = ["CANARY", "Difficulty", "Hint", "Rehearsal", "run_script", "validate_line"]


def __getattr__(name: str) -> Any:
    """Any name of the session module, imported on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(import_module("app.coach.rehearsal.session"), name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
