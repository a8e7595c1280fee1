"""The published debrief rubric (prompts/rubric.yaml): dimensions, levels, signals and sources."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from app.config import Settings, prompts_dir
from app.errors import BadInput
from app.schemas import Strict
from app.yamlfile import as_mapping, parse_yaml, validate


class Dimension(Strict):
    id: str
    name: str
    definition: str
    why: str
    sources: list[str]
    topics: list[str]
    weight: float = Field(1.0, gt=0)
    levels: dict[int, str]
    signals: list[str]
    hint: str = ""


class Rubric(Strict):
    version: str
    scale: str
    dimensions: list[Dimension] = Field(min_length=1)
    digest: str = ""

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> Rubric:
    raw = path.read_bytes()
    data = as_mapping(parse_yaml(raw, path, "Rubric file"), path, "Rubric file")
    data["digest"] = hashlib.sha256(raw).hexdigest()[:10]
    return validate(data, Rubric, path, "Rubric file")


def load_rubric(settings: Settings | None = None) -> Rubric:
    """The rubric every debrief is scored against."""
    path = prompts_dir(settings) / "rubric.yaml"
    if not path.is_file():
        raise BadInput(f"The rubric file {path} is missing.", "restore prompts/rubric.yaml")
    return _load(path, path.stat().st_mtime_ns)
