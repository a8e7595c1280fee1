"""The shape every suite shares (Sample / solver / scorer, in the inspect_ai spirit)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config import Settings
from app.evals.results import CaseFailure

Metrics = dict[str, float | None]


@dataclass
class Context:
    """What a suite needs to run: settings with a scratch data directory, the models, the data."""

    settings: Settings
    model: str
    evals_dir: Path
    judge: str | None = None

    def manager_file(self, name: str) -> Path:
        return self.evals_dir / "managers" / name


@dataclass
class Outcome:
    """One case's result: per-case scores, the checks it failed, and what the service produced."""

    case: str
    values: dict[str, float] = field(default_factory=dict)
    failures: list[CaseFailure] = field(default_factory=list)
    output: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def fail(self, check: str, detail: str, text: str = "") -> None:
        self.failures.append(CaseFailure(case=self.case, check=check, detail=detail, text=text))


@dataclass(frozen=True)
class Suite:
    name: str
    file: str
    load: Callable[[Path], Sequence[Any]]
    run_case: Callable[[Any, Context], Outcome]
    # metrics, notes for the report, and failures found only across cases (e.g. pairs)
    aggregate: Callable[[list[Outcome], Context], tuple[Metrics, list[str], list[CaseFailure]]]
    judge: Callable[[Any, Outcome, Context], dict[str, float]] | None = None
    chart: tuple[str, ...] = ()  # the metrics drawn in the report's chart (ratios in [0, 1])
    # what a stratified sample keeps apart (scenario, draft kind...); None: the suite is cheap, keep it whole
    group: Callable[[Any], str] | None = None
    unit: Callable[[Any], str] | None = None  # cases a sample keeps or drops together


def stratified(cases: Sequence[Any], key: Callable[[Any], str] | None, per_group: int,
               unit: Callable[[Any], str] | None = None) -> list[Any]:
    """The first `per_group` units of each group, in file order (every scenario or kind stays
    covered); cases of one unit (e.g. the two halves of a busy-vs-detail pair) stay together."""
    if key is None:
        return list(cases)
    counts: dict[str, int] = {}
    units: set[str] = set()
    kept = []
    for n, case in enumerate(cases):
        u = unit(case) if unit else str(n)
        if u not in units:
            g = key(case)
            if counts.get(g, 0) >= per_group:
                continue
            counts[g] = counts.get(g, 0) + 1
            units.add(u)
        kept.append(case)
    return kept


def errored(outcomes: list[Outcome]) -> int:
    return sum(1 for o in outcomes if o.error)


def by_part(outcomes: list[Outcome]) -> list[tuple[str, str, list[Outcome]]]:
    """(part, metric-name prefix "" or "heldout_" ... "heldout4_", its error-free outcomes) for the tuned
    part, then each held-out part; a part with none is left out."""
    out = []
    for part in ("tuned", "heldout", "heldout2", "heldout3", "heldout4"):
        mine = [o for o in outcomes if not o.error and o.output.get("part") == part]
        if mine:
            out.append((part, "" if part == "tuned" else f"{part}_", mine))
    return out
