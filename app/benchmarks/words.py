"""Draft and Ask latency, warm, for `upward bench`: medians printed, never asserted in tests.

Issue 13's goals on a quiet 2-core machine with the embedded model: a draft under 5 s, an Ask
answer under 3 s. The first call of each is a warm-up (index, embedding model, llama load).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator

from app.config import Settings
from app.schemas import ManagerProfile

QUESTIONS = (
    "How do I tell my boss something she won't want to hear?",
    "How do I ask for a promotion?",
    "My manager keeps rescheduling our one-on-ones. How do I raise it?",
    "I have too many projects and everything is a priority. How do I talk to my boss about it?",
    "How do I ask for another headcount?",
)
SITUATIONS = (
    ("bad-news", "The Ledgerline go-live will miss June 1 because the supplier codes were imported in an old "
                 "format. I've kept the old process running. I need Dana to approve two more weeks; the new date "
                 "is June 15."),
    ("promotion", "I want to be put forward for senior analyst in the March round. The forecasting model I built "
                  "cut forecast error from 14% to 6%, and as a senior I'd take the planning pack off Dana's plate."),
    ("workload", "My team of four is covering the Ashford remodel and the shrink audit at the same time, and we've "
                 "logged 60 hours of overtime in two weeks. I'd like to move the shrink audit to January."),
    ("upward-feedback", "In the last two design reviews Dana rewrote my sections herself, so I couldn't explain "
                        "them to the clinical team. I'd like her edits as tracked comments instead."),
)
PROFILE = ManagerProfile(name="Dana Reyes", role="Engineering manager", temperament="skeptical",
                         communication_style="Wants numbers with their source.")


def p50(call: Callable[[], object], runs: int) -> float:
    """Median seconds of `runs` calls after one warm-up call."""
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def draft_p50(settings: Settings, model: str = "local/smollm2", runs: int = 1) -> float:
    """Median seconds to make a draft (not saved) over the sample situations."""
    from app.coach.drafting import make_draft

    def one() -> None:
        for kind, situation in SITUATIONS:
            make_draft(kind, situation, profile=PROFILE, model=model, settings=settings, save=False)

    return p50(one, runs) / len(SITUATIONS)


def ask_p50(settings: Settings, model: str = "local/smollm2") -> float:
    """Median seconds to answer one of the sample questions (the first one warms up)."""
    from app.coach.guidance import ask

    ask(QUESTIONS[0], model=model, settings=settings)
    times = []
    for question in QUESTIONS:
        start = time.perf_counter()
        ask(question, model=model, settings=settings)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def lines(settings: Settings, model: str = "local/smollm2") -> Iterator[str]:
    """Report lines for `upward bench`."""
    yield f"Words ({model}, warm):"
    yield f"  Ask answer p50          {ask_p50(settings, model):7.2f} s   (goal < 3 s on a quiet 2-core machine)"
    yield f"  draft p50               {draft_p50(settings, model):7.2f} s   (goal < 5 s on a quiet 2-core machine)"
