"""Rehearsal scenarios: data in prompts/scenarios/*.yaml, loaded strictly into pydantic models.

A scenario names what the person is trying to achieve, the concerns the manager holds back, and
example lines for each manager move. The moves themselves are chosen in code (app.coach.rehearsal.moves).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from app.config import Settings, prompts_dir
from app.errors import BadInput
from app.schemas import Strict
from app.yamlfile import as_mapping, parse_yaml, validate

MOVES = (
    "open", "ask_evidence", "raise_concern", "probe_team_impact", "clarify_ask", "acknowledge",
    "concede_partly", "agree_with_condition", "close", "deflect_offtopic", "park",
)


class Concern(Strict):
    """Something the manager worries about but will only say when probed or when it matters."""

    id: str
    concern: str
    probe: str
    addressed_by: list[str] = Field(min_length=1)
    presses: list[str] = Field(default_factory=list)
    reactions: list[str] = Field(default_factory=list)
    parks: list[str] = Field(default_factory=list)  # the manager's parting line while this worry is still open


class Scenario(Strict):
    id: str
    title: str
    subject: str = ""
    summary: str
    person_goal: str
    success: list[str] = Field(min_length=1)
    topics: list[str]
    query: str
    hidden_concerns: list[Concern] = Field(min_length=1)
    lines: dict[str, list[str]]
    version: str = ""

    def line(self, move: str, turn: int) -> str:
        """An example line for a move, rotating with the turn so repeats are rare."""
        options = self.lines.get(move) or self.lines["acknowledge"]
        return options[turn % len(options)]


WHAT = "Scenario file"  # how errors name these files


def _scenario_dir(settings: Settings | None) -> Path:
    return prompts_dir(settings) / "scenarios"


def scenario_ids(settings: Settings | None = None) -> list[str]:
    """The ids of every scenario file, sorted."""
    folder = _scenario_dir(settings)
    return sorted(p.stem for p in folder.glob("*.yaml"))


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> Scenario:
    raw = path.read_bytes()
    data = as_mapping(parse_yaml(raw, path, WHAT), path, WHAT)
    data.setdefault("version", f"{path.stem}@{hashlib.sha256(raw).hexdigest()[:10]}")
    scenario = validate(data, Scenario, path, WHAT)
    missing = [m for m in MOVES if not scenario.lines.get(m)]
    if missing:
        raise BadInput(f"Scenario file {path} has no lines for: {', '.join(missing)}.")
    return scenario


def load_scenario(kind: str, settings: Settings | None = None) -> Scenario:
    """The scenario with this id; BadInput listing the known ids when there is none."""
    known = scenario_ids(settings)
    kind = (kind or "").strip()
    if kind not in known:
        raise BadInput(f"Unknown scenario '{kind}'.", f"pick one of: {', '.join(known)}")
    path = _scenario_dir(settings) / f"{kind}.yaml"
    return _load(path, path.stat().st_mtime_ns)
