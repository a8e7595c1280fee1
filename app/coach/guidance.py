"""Grounded answers: every point in an answer is tied to a retrieved card, or it is not said.

The model proposes points as JSON, each naming the card it rests on; a point that does not share
enough words with its card is replaced by that card's own summary line. When retrieval finds
nothing relevant, the answer says so instead of inventing one.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from app.config import Settings, get_settings
from app.errors import StructuredOutputError
from app.retrieval import search as retrieval
from app.schemas import Hit, Strict

RELEVANCE_FLOOR = 0.30  # cosine similarity below which no card is about the question
STOP = set("a an the and or of to in on for with is are be it this that you your i my me we our at as by "
           "from if so not do does can what how when why who".split())


class Point(BaseModel):
    text: str = Field(description="one sentence of advice")
    card: int = Field(ge=1, le=8, description="the number of the note it comes from")


class Points(BaseModel):
    points: list[Point] = Field(min_length=1, max_length=4)


class Answer(Strict):
    answer: str
    citations: list[Hit]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", text.lower()) if w not in STOP and len(w) > 2}


def supported(point: str, card_text: str, floor: float = 0.4) -> bool:
    """True when most content words of `point` appear in the card it cites."""
    words = _words(point)
    return bool(words) and len(words & _words(card_text)) / len(words) >= floor


def _summary(hit: Hit) -> str:
    first = re.split(r"(?<=[.!?])\s", hit.text.strip(), maxsplit=1)[0]
    return first if len(first) < 240 else first[:237] + "..."


def compose(points: list[Point], hits: list[Hit]) -> tuple[str, list[Hit]]:
    """Keep each model point only if its card supports it; otherwise say the card's own line."""
    lines: list[str] = []
    cited: list[Hit] = []
    used: set[int] = set()
    for point in points:
        idx = point.card - 1
        if idx >= len(hits) or idx in used:
            continue
        hit = hits[idx]
        text = point.text.strip() if supported(point.text, hit.title + " " + hit.text) else _summary(hit)
        used.add(idx)
        cited.append(hit)
        lines.append(f"- {text} [{len(cited)}: {hit.source}]")
    for idx, hit in enumerate(hits[:3]):  # always ground in at least the best cards
        if idx not in used and len(lines) < 3:
            used.add(idx)
            cited.append(hit)
            lines.append(f"- {_summary(hit)} [{len(cited)}: {hit.source}]")
    return "\n".join(lines), cited


def ask(question: str, *, k: int = 4, model: str | None = None, settings: Settings | None = None) -> Answer:
    """Answer a question from the guidance only, with a citation on every point."""
    from app.llm import gateway

    settings = settings or get_settings()
    hits = retrieval.search(question, k=k, settings=settings)
    dense = retrieval.dense_search(question, k=1, settings=settings)
    if not hits or not dense or dense[0].score < RELEVANCE_FLOOR:
        return Answer(answer="I could not find guidance on that in Upward's knowledge base, so I won't guess. "
                             "Try asking about your manager, feedback, promotions, bad news or workload.",
                      citations=[])
    notes = "\n".join(f"[{i}] {h.title}: {h.text}" for i, h in enumerate(hits, 1))
    messages = [
        {"role": "system", "content": "You answer questions about working with a manager using ONLY the "
                                      "numbered notes. Each point is one short sentence and names its note."},
        {"role": "user", "content": f"Notes:\n{notes}\n\nQuestion: {question}\n\nGive 2-3 points as JSON."},
    ]
    try:
        points = gateway.structured(messages, Points, model=model, settings=settings, max_tokens=300).points
    except StructuredOutputError:
        points = []  # the model could not produce points: the cards still answer
    text, cited = compose(points, hits)
    return Answer(answer=text, citations=cited)
