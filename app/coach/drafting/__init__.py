"""Drafting: the words for a hard conversation, grounded in the person's own facts.

`service` makes a draft; `facts` and `spans` take the person's facts from their note into the
kind's fields (`kinds`, from prompts/drafts/); `compose` writes the draft from them, `voice`
addresses it to the manager, and `checks` holds the deterministic checks every draft passes.

The service's names are exported lazily, so importing one part does not load the rest.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.coach.drafting.service import (
        KINDS,
        MAX_SITUATION_CHARS,
        Draft,
        DraftResult,
        FactField,
        Pushback,
        Style,
        banned_phrases,
        check_draft,
        draft_from_rehearsal,
        draft_markdown,
        draft_text,
        extract_facts,
        fact_retention,
        invented,
        kind_fields,
        make_draft,
        style_for,
    )

__all__ = [
    "KINDS", "Draft", "DraftResult", "FactField", "Pushback", "Style", "banned_phrases", "check_draft",
    "draft_from_rehearsal", "draft_markdown", "draft_text", "extract_facts", "fact_retention", "kind_fields",
    "make_draft", "MAX_SITUATION_CHARS", "style_for", "invented",
]


def __getattr__(name: str) -> Any:
    """Any name of the service module, imported on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(import_module("app.coach.drafting.service"), name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
