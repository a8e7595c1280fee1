"""Coaching hints during a rehearsal: one line, grounded in a retrieved card, citing it.

The hint targets what the person has not done yet (the rubric dimension with no signal so far, or
the concern the manager just raised), retrieves the guidance for it, and uses that card's own
one-line hint, so the advice is always traceable to a card a person can open.
"""

from __future__ import annotations

from app.coach.rehearsal.moves import State
from app.coach.rubric import Rubric
from app.coach.scenarios import Scenario
from app.config import Settings
from app.retrieval import search as retrieval
from app.schemas import Hit, Strict

MAX_HINT_WORDS = 25
NUDGE_ORDER = ("ask", "evidence", "priorities", "solution", "input", "style")


class Hint(Strict):
    text: str
    citation: Hit


def _short(text: str) -> str:
    words = text.split()
    return text if len(words) <= MAX_HINT_WORDS else " ".join(words[:MAX_HINT_WORDS]).rstrip(",;:") + "…"


def focus(states: list[State], scenario: Scenario, rubric: Rubric, seen: dict[str, int]) -> tuple[str, list[str]]:
    """What to nudge next: (retrieval query, topics). `seen` counts signals per dimension so far."""
    state = states[-1]
    acts = set(state.acts)
    if acts & {"ultimatum", "blame"}:  # the moment, before any rubric gap: repair the relationship
        return ("Stay calm and constructive with your boss: own your part, no blame, no threats; state the facts "
                "and what you need.", ["trust", "difficult-boss", "empathy"])
    if state.current:
        concern = next((c for c in scenario.hidden_concerns if c.id == state.current), None)
        text = concern.concern if concern else ""
        return f"{text} {scenario.query}".strip(), list(scenario.topics)
    if state.move == "park":
        return f"Prepare the follow-up: what evidence and next step would close this. {scenario.query}", \
            list(scenario.topics)
    if not state.asked and state.turn >= 1:
        dim = rubric.dimension("ask")
    else:
        dim = next((rubric.dimension(d) for d in NUDGE_ORDER if not seen.get(d)), rubric.dimension("style"))
    return f"{dim.name}. {dim.definition} {scenario.title}", list(dim.topics)


def hint_for(states: list[State], scenario: Scenario, rubric: Rubric, settings: Settings,
             avoid: set[str] | frozenset[str] = frozenset()) -> Hint | None:
    """A one-line hint for the person's next line, or None when no card fits. Cards in `avoid`
    (hints already given this session) are passed over while another card fits."""
    seen = dict(states[-1].seen)
    seen["evidence"] = states[-1].evidence  # figures count as evidence, not only the rubric's cue words
    query, topics = focus(states, scenario, rubric, seen)
    hits = retrieval.search(query[:1500], k=4, scenario=scenario.id, topics=topics, settings=settings)
    fresh = [h for h in hits if h.card not in avoid] or hits
    for hit in fresh:
        hint = retrieval.card_hint(hit.card, settings=settings)
        if hint:
            return Hint(text=_short(hint), citation=hit)
    return None
