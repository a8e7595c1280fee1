"""Rehearsal: the role-played manager.

`session` runs a rehearsal (turns stored as they happen); `understanding` and `cues` read the
person's line; `moves` decides the manager's move and state; `voicing`, `echo`, `specifics` and
`persona` give the move words in this manager's voice; `hints` coaches between turns.

The session's names are exported lazily, so importing one part (say `understanding`, for Ask)
does not load the session and everything behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app import lazy

if TYPE_CHECKING:
    from app.coach.rehearsal.session import CANARY, Difficulty, Hint, Rehearsal, Reply, run_script, validate_line

__all__ = ["CANARY", "Difficulty", "Hint", "Rehearsal", "Reply", "run_script", "validate_line"]


def __getattr__(name: str) -> Any:
    return lazy.attribute(__name__, "app.coach.rehearsal.session", __all__, name)
