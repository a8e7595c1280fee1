"""Slot filling: a draft's structure composed from the person's facts and the kind's templates.

The manager profile picks a style: brief and headline-first for a busy manager (required points
only, two pushback items, the ask alone as the close), detailed for a data-minded one (every point,
the figures in one place, a written pre-read, four pushback items). Whatever the style, every
sentence of the situation that the slots did not carry is added back as context, so no fact is lost.
"""

from __future__ import annotations

import re
from enum import StrEnum

from app import text as tx
from app.coach.drafting.checks import draft_text, kept
from app.coach.drafting.kinds import SLOT, Draft, KindSpec, Pushback
from app.coach.drafting.voice import lower_lead
from app.schemas import ManagerProfile, Temperament

BRIEF_WORDS = ("headline", "brief", "short", "first two lines", "texts", "quick", "bullet", "long explanations",
               "long emails", "yes or no")
DETAIL_WORDS = ("detail", "data", "numbers", "figures", "pre-read", "written", "one-page", "source", "evidence",
                "trade-off", "how do you know")
COVERED = 0.7  # a situation sentence counts as carried when this share of its words is in the draft


class Style(StrEnum):
    brief = "brief"
    standard = "standard"
    detailed = "detailed"


def style_for(profile: ManagerProfile | None) -> Style:
    """Busy or headline-minded -> brief; skeptical, reflective or detail/data-minded -> detailed."""
    if profile is None:
        return Style.standard
    if profile.temperament == Temperament.busy:
        return Style.brief
    if profile.temperament in (Temperament.skeptical, Temperament.reflective):
        return Style.detailed
    said = tx.norm(profile.communication_style + " " + profile.notes)
    detail = sum(w in said for w in DETAIL_WORDS)
    brief = sum(w in said for w in BRIEF_WORDS)
    if brief > detail:
        return Style.brief
    if detail > brief:
        return Style.detailed
    return Style.standard


def fill(template: str, values: dict[str, str], situation: str = "") -> str | None:
    """The template with its slots filled; None when a slot has no value (the point is left out).
    A value that opened a sentence of the situation is lowered to read mid-sentence."""
    missing = [name for name in SLOT.findall(template) if not values.get(name)]
    if missing:
        return None
    text = SLOT.sub(lambda m: lower_lead(values[m.group(1)], situation), template)
    text = re.sub(r"([.!?])\.", r"\1", text)  # a value ending in "?" or "." before the template's full stop
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def slot_sentences(template: str) -> str:
    """A template cut to its sentences that carry facts (brief style drops the explanatory tail)."""
    parts = [s for s in tx.sentences(template) if SLOT.search(s)]
    return " ".join(parts) if parts else template


def slot_values(spec: KindSpec, facts: dict[str, str]) -> dict[str, str]:
    """Facts plus visible placeholders for missing required fields (optional gaps stay empty)."""
    values = {}
    for f in spec.fields:
        if facts.get(f.name):
            values[f.name] = facts[f.name]
        elif f.required:
            values[f.name] = f.placeholder()
    return values


def _uncovered(situation: str, text: str) -> list[str]:
    """The situation's clauses the draft does not carry yet, joined back per sentence."""
    out: dict[int, list[str]] = {}
    for sentence in tx.sentences(situation):
        lost = [t for t in tx.salient(sentence) if not tx.contains(text, t)]
        if not lost and tx.coverage(sentence, text) >= COVERED:
            continue
        for clause in tx.clauses(sentence):
            missing = [t for t in tx.salient(clause.text) if not tx.contains(text, t)]
            if missing or tx.coverage(clause.text, text) < COVERED:
                out.setdefault(clause.sentence, []).append(tx.tidy(clause.text))
    return [_sentence("; ".join(parts)) for parts in out.values()]


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def compose(spec: KindSpec, facts: dict[str, str], style: Style, situation: str, *,
            profile: ManagerProfile | None = None, own_lines: list[str] | None = None,
            own_pushback: list[Pushback] | None = None) -> Draft:
    """The draft from templates and facts alone (no model): the structure every draft keeps."""
    values = slot_values(spec, facts)
    required = {f.name for f in spec.fields if f.required}
    opener = fill(spec.opener_template, values, situation) or situation.split(".")[0]
    points: list[str] = []
    for template in spec.points_templates:
        if style == Style.brief:
            if not set(SLOT.findall(template)) <= required:
                continue
            template = slot_sentences(template)
        point = fill(template, values, situation)
        if point is not None:
            points.append(point)
    for line in own_lines or []:
        if not any(tx.contains(p, line) for p in points):
            points.append(f"In my own words: {line.rstrip('.')}.")
    if style == Style.detailed:
        figures = [t for t in tx.figures(situation)
                   if tx.MONEY.fullmatch(t) or tx.PERCENT.fullmatch(t) or tx.DATE.fullmatch(t)]
        figures = [t for t in dict.fromkeys(figures) if not any(t != o and t in o for o in figures)]
        if len(figures) >= 2 or any(not tx.DATE.fullmatch(t) for t in figures):  # not a lone month
            points.append("The figures, for reference: " + "; ".join(dict.fromkeys(figures)) + ".")
        said = tx.norm(profile.communication_style + " " + profile.notes) if profile else ""
        if any(w in said for w in ("pre-read", "written", "one-page", "in writing", "day before")):
            points.append("I'll send this as a short written pre-read beforehand, so you have time to weigh it.")
    close = fill(spec.close_template, values, situation) or spec.close_template
    if style == Style.brief:
        asks = [s for s in tx.sentences(close) if s.endswith("?")]
        close = asks[0] if asks else close
    pushback = _pushback(spec, values, style, own_pushback or [], situation)
    draft = Draft(kind=spec.kind, opener=opener, talking_points=points, anticipated_pushback=pushback,
                  close=close, citations=[])
    return add_context(draft, situation, style, facts=facts)


def _pushback(spec: KindSpec, values: dict[str, str], style: Style, own: list[Pushback],
              situation: str = "") -> list[Pushback]:
    want = {Style.brief: 2, Style.standard: 3, Style.detailed: 4}[style]
    items = list(own[:2])
    for p in spec.pushback:
        response = fill(p.response, values, situation)
        if response is not None and len(items) < want:
            items.append(Pushback(objection=p.objection, response=response))
    return items


def add_context(draft: Draft, situation: str, style: Style, facts: dict[str, str] | None = None) -> Draft:
    """Add back, as context, every situation sentence the draft does not yet carry, and any fact
    whose point the style left out (a brief draft drops optional points, not what they said)."""

    text = draft_text(draft)
    lost = _uncovered(situation, text)
    lost += [_sentence(v) for v in (facts or {}).values() if v and not kept(v, text)
             and not any(tx.contains(s, v) for s in lost)]
    if not lost:
        return draft
    if style == Style.detailed:
        extra = [f"Context: {s}" for s in lost]
    else:
        extra = ["For context: " + " ".join(lost)]
    return draft.model_copy(update={"talking_points": [*draft.talking_points, *extra]})
