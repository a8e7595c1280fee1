"""Drafting: the words for a hard conversation, grounded in the person's own facts.

`service` makes a draft; `facts` and `spans` take the person's facts from their note into the
kind's fields (`kinds`, from prompts/drafts/); `compose` writes the draft from them, `voice`
addresses it to the manager, and `checks` holds the deterministic checks every draft passes.

The service's names are exported lazily, so importing one part does not load the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app import lazy

if TYPE_CHECKING:
    from app.coach.drafting.service import (
        KINDS,
        Draft,
        Pushback,
        banned_phrases,
        check_draft,
        check_kind,
        draft_from_rehearsal,
        draft_text,
        extract_facts,
        fact_retention,
        kind_fields,
        make_draft,
    )

__all__ = ["KINDS", "Draft", "Pushback", "banned_phrases", "check_draft", "check_kind", "draft_from_rehearsal",
           "draft_text", "extract_facts", "fact_retention", "kind_fields", "make_draft"]


def __getattr__(name: str) -> Any:
    return lazy.attribute(__name__, "app.coach.drafting.service", __all__, name)
