"""A benchmark row, the table `upward bench` prints, and the `bench.json` it writes."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal


@dataclass
class Row:
    """One measured path: its value, the floor it is compared with, and the goal it is read against.

    `goal` applies to the value (`goal_on="value"`) or to value / floor (`goal_on="ratio"`); it is
    informative only, the bench never fails.
    """

    section: str
    path: str
    value: float | None
    unit: str = "s"
    floor: float | None = None
    floor_label: str = ""
    goal: float | None = None
    goal_on: Literal["value", "ratio"] = "value"
    note: str = ""
    samples: int = 1

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor or self.floor <= 0:
            return None
        return self.value / self.floor

    @property
    def meets(self) -> bool | None:
        """Whether the goal is met in this run (None when there is no goal or nothing measured)."""
        measured = self.ratio if self.goal_on == "ratio" else self.value
        if self.goal is None or measured is None:
            return None
        return measured <= self.goal

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "meets": self.meets}


def pct(values: list[float], q: float) -> float:
    """The q-quantile by nearest rank (p50 = median of an odd count, p95 = near the top)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> dict[str, Any]:
    """What the figures were measured on: a shared machine inflates them, so say how busy it was."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {"nproc": os.cpu_count(), "loadavg": load, "python": sys.version.split()[0],
            "platform": platform.platform(), "time": time.strftime("%Y-%m-%d %H:%M:%S")}


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.2f} {unit}".rstrip()


def _goal(row: Row) -> str:
    if row.goal is None:
        return ""
    target = f"ratio <= {row.goal:g}" if row.goal_on == "ratio" else f"<= {_num(row.goal, row.unit)}"
    mark = {True: "ok", False: "OVER", None: "?"}[row.meets]
    return f"{target} {mark}"


def table(rows: list[Row]) -> list[str]:
    """The rows as aligned text lines, grouped by section."""
    head = ("path", "value", "floor", "ratio", "goal")
    body: list[tuple[str, ...]] = []
    sections: list[str] = []
    for row in rows:
        if row.section not in sections:
            sections.append(row.section)
    for section in sections:
        body.append((f"[{section}]", "", "", "", ""))
        for row in (r for r in rows if r.section == section):
            floor = f"{_num(row.floor, row.unit)} {row.floor_label}".strip() if row.floor is not None else ""
            ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
            body.append((f"  {row.path}", _num(row.value, row.unit), floor, ratio, _goal(row)))
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r).rstrip() for r in body]
    notes = [f"  - {r.section}, {r.path}: {r.note}" for r in rows if r.note]
    if notes:
        lines += ["", "notes:", *notes]
    return lines


@dataclass
class Report:
    """Everything one run measured, with the machine it ran on."""

    rows: list[Row] = field(default_factory=list)
    machine_before: dict[str, Any] = field(default_factory=machine)
    machine_after: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def write(self, path: Path) -> Path:
        doc = {"machine": self.machine_before, "machine_after": self.machine_after,
               "rows": [r.as_dict() for r in self.rows], "errors": self.errors}
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path
