"""The eval suites, by name. Each module defines SUITE: load cases, solve one with the real
service, score it with the pure scorers, and aggregate the per-case scores into metrics."""

from __future__ import annotations

import importlib

from app.errors import BadInput
from app.evals.suites.base import Suite

NAMES = ("retrieval", "persona", "drafts", "debrief", "traps", "understanding", "responsiveness")


def get_suite(name: str) -> Suite:
    """The suite called `name`; BadInput lists the known suites for anything else."""
    if name not in NAMES:
        raise BadInput(f"Unknown eval suite {name!r}. Suites: {', '.join(NAMES)}.",
                       "pick one with --suite, or leave --suite out to run them all")
    module = importlib.import_module(f"app.evals.suites.{name}")
    suite: Suite = module.SUITE
    return suite
