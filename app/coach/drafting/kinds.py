"""The draft kinds, loaded from prompts/drafts/*.yaml, and the Draft the CLI prints.

A kind declares the facts it needs (fields), how to find them in free text when the model misses
them (cues), and the templates a draft is composed from, so the structure never depends on the model.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from app.config import Settings, prompts_dir
from app.errors import BadInput
from app.schemas import Hit, Strict
from app.yamlfile import load_model

KINDS: tuple[str, ...] = (
    "career-goal", "upward-feedback", "bad-news", "promotion", "autonomy", "status-report", "resource-request",
    "workload",
)
SLOT = re.compile(r"\{(\w+)\}")


class FactField(Strict):
    """One fact a kind needs: `question` is what the person is asked when it is missing."""

    name: str
    label: str
    question: str
    required: bool = False
    type: Literal["text", "date", "money", "duration", "lead"] = "text"
    position: Literal["first", "last", "any"] = "any"
    cues: list[str] = Field(default_factory=list)
    strip: list[str] = Field(default_factory=list)

    def placeholder(self) -> str:
        """The visible gap a draft shows instead of an invented value."""
        return f"[{self.label.lower()}: to confirm]"


class PushbackTemplate(Strict):
    objection: str
    response: str


class KindSpec(Strict):
    """A draft kind as written in prompts/drafts/<kind>.yaml."""

    kind: str
    title: str
    version: int = 1
    structure: str
    topics: list[str]
    query: str
    fields: list[FactField] = Field(min_length=1)
    opener_template: str
    points_templates: list[str] = Field(min_length=1)
    close_template: str
    pushback: list[PushbackTemplate] = Field(min_length=2)

    def field(self, name: str) -> FactField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def template_text(self) -> str:
        """Every fixed word the templates can put in a draft (what phrasing may reuse without inventing)."""
        parts = [self.opener_template, *self.points_templates, self.close_template]
        parts += [p.objection + " " + p.response for p in self.pushback]
        return SLOT.sub(" ", " ".join(parts))


class Pushback(Strict):
    objection: str
    response: str


class Draft(Strict):
    """The words to say: the `upward draft --json` contract."""

    kind: str
    opener: str
    talking_points: list[str]
    anticipated_pushback: list[Pushback]
    close: str
    citations: list[Hit]


def check_kind(kind: str) -> str:
    """The kind id, or BadInput naming the seven kinds."""
    if kind not in KINDS:
        raise BadInput(f"Unknown draft kind '{kind}'. Known kinds: {', '.join(KINDS)}.",
                       f"pick one of: {', '.join(KINDS)}")
    return kind


@lru_cache(maxsize=32)
def _load(path: Path, mtime: float) -> KindSpec:
    return load_model(path, KindSpec, "The draft template", fix="fix the YAML file or restore it from git")


def load_kind(kind: str, settings: Settings | None = None) -> KindSpec:
    """The spec for `kind` from prompts/drafts/ (cached until the file changes)."""
    check_kind(kind)
    path = prompts_dir(settings) / "drafts" / f"{kind}.yaml"
    if not path.is_file():
        raise BadInput(f"The draft template {path} is missing.", "restore prompts/drafts/ from git")
    return _load(path, path.stat().st_mtime)


def kind_fields(kind: str, settings: Settings | None = None) -> list[FactField]:
    """The facts a kind needs, in the order a draft uses them."""
    return list(load_kind(kind, settings).fields)
