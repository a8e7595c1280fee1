"""Eval cases (samples) as pydantic models, loaded from evals/<suite>.yaml with errors that name the case."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, ValidationError

from app.errors import BadInput
from app.schemas import Strict
from app.yamlfile import load_yaml, problems

Difficulty = Literal["easy", "realistic", "tough"]


class RetrievalCase(Strict):
    id: str
    question: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)


class PersonaCase(Strict):
    id: str
    scenario: str
    difficulty: Difficulty = "realistic"
    manager: str
    attack: bool = False
    script: list[str] = Field(min_length=1)
    attack_lines: list[str] = Field(default_factory=list, description="also read from `# attack` comments")


class DebriefCase(Strict):
    id: str
    scenario: str
    manager: str
    good: list[str] = Field(min_length=1)
    bad: list[str] = Field(min_length=1)


class DraftCase(Strict):
    id: str
    kind: str
    manager: str | None = None
    situation: str = Field(min_length=1)
    facts: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="required fields the situation does not give")
    praise: list[str] = Field(default_factory=list, description="praise that contains 'you always/never'")
    heldout: bool = False


C = TypeVar("C", bound=Strict)


def load_cases(path: Path, model: type[C]) -> list[C]:
    """The `cases:` list of an eval file, each validated; BadInput names the file and the case."""
    if not path.is_file():
        raise BadInput(f"Eval data {path} does not exist.", "restore it from git, or pass --suite for another suite")
    data = load_yaml(path, "Eval data")
    raw = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(raw, list) or not raw:
        raise BadInput(f"Eval data {path} has no `cases:` list.")
    cases: list[C] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        label = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        try:
            case = model.model_validate(item)
        except ValidationError as exc:
            raise BadInput(f"Eval data {path}, case {label}: {problems(exc, 4)}.") from exc
        case_id = str(getattr(case, "id", label))
        if case_id in seen:
            raise BadInput(f"Eval data {path}: case id {case_id} appears twice.")
        seen.add(case_id)
        cases.append(case)
    return cases


def load_parts(evals_dir: Path, parts: Sequence[tuple[str, str]], model: type[C]) -> list[C]:
    """The cases of each (file, part) that exists, e.g. a tuned and a held-out file, each case marked
    with its part (the model has a `part` field)."""
    cases: list[C] = []
    for name, part in parts:
        path = evals_dir / name
        if path.is_file():
            cases += [c.model_copy(update={"part": part}) for c in load_cases(path, model)]
    return cases
