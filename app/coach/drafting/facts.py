"""Facts from a person's free-text situation, into the fields a draft kind needs.

The model proposes values through schema-constrained JSON; each value must be grounded in the
situation (its words and figures are the person's) or it is dropped. Gaps are filled by a
deterministic pass that matches clauses by cue words and picks dates and money by pattern. The
model is never the source of a fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, create_model

from app import prompts
from app import text as tx
from app.coach.drafting.kinds import FactField, KindSpec, load_kind
from app.coach.drafting.spans import BACKWARD, DATE_SPAN, OTHER_COST, date_span, fill_gaps, uncleft, without_frames
from app.config import Settings
from app.errors import BadInput, ProviderUnavailable, StructuredOutputError
from app.llm import registry
from app.llm.model import Model

MAX_SITUATION_CHARS = 6000
MODEL_VIEW_CHARS = 2500  # what the embedded model's 2k-token context can take with the field list
EMPTYISH = {"", "x", "none", "n/a", "na", "unknown", "not stated", "not mentioned", "null", "-", "tbd", "?"}
LEAD = re.compile(r"^(?:In|During|At|On|For|When|Whenever|Over)\s[^,;]+?"
                  r"(?=,|;|\s(?:[A-Z][a-z]+|you|I|we|they|he|she)\s[a-z]|$)")
LEAD_NOUN = re.compile(
    r"\b(?:the|our|my|this|these|those)\s(?:[\w'-]+\s){0,4}?(?:meetings?|reviews?|reports?|plans?|updates?|"
    r"handovers?|deadlines?|one-on-ones?|one-to-ones?|1:1s|stand-?ups?|emails?|messages?|calls?|huddles?|"
    r"presentations?|slides|decks?)\b", re.I)


@dataclass
class Extraction:
    """Values found, where each came from ('model', 'text' or 'you'), and what to tell the person."""

    values: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    outage: str = ""  # the provider failed: the draft is composed without the model, and still saved


def check_situation(situation: str) -> str:
    """The situation, stripped; BadInput when empty or far over what a draft can use."""
    if not isinstance(situation, str) or not situation.strip():
        raise BadInput("The situation is empty.",
                       "describe what happened in a few sentences, with the names, dates and numbers that matter")
    if len(situation) > MAX_SITUATION_CHARS:
        raise BadInput(f"The situation is {len(situation):,} characters; the limit is {MAX_SITUATION_CHARS:,}.",
                       "cut it to the facts of this one conversation (a paragraph or two is plenty)")
    return situation.strip()


def fact_schema(spec: KindSpec) -> type[BaseModel]:
    """A pydantic model with one short string per field: the grammar the model must follow."""
    fields: dict[str, Any] = {
        f.name: (str, Field("", max_length=160, description=f.question)) for f in spec.fields
    }
    return create_model(f"{spec.kind.title().replace('-', '')}Facts", **fields)


def _typed(f: FactField, text: str) -> str | None:
    if f.type == "date":
        return date_span(text)
    if f.type == "money":
        return tx.first(tx.MONEY_SPAN, text)
    if f.type == "duration":
        return tx.first(tx.DURATION, text)
    return None


def grounded(value: str, situation: str) -> bool:
    """True when the value's words and figures come from the situation."""
    if not tx.content_words(value):
        return False
    if any(not tx.contains(situation, token) for token in tx.salient(value)):
        return False
    return tx.coverage(value, situation) >= 0.8


def validate_value(f: FactField, value: str, situation: str) -> str | None:
    """The model's value for one field if grounded in the situation, else None."""
    value = " ".join(str(value).split()).strip().strip('"').rstrip(".")
    if value.lower() in EMPTYISH:
        return None
    if f.type in ("date", "money", "duration"):
        span = _typed(f, value)
        return span if span and tx.contains(situation, span) else None
    if not grounded(value, situation):
        return None
    if len(tx.content_words(value)) > 0.7 * max(1, len(tx.content_words(situation))) and len(situation) > 200:
        return None  # the whole situation pasted into one field says nothing about the field
    return tx.tidy(value, f.strip)


def model_values(spec: KindSpec, situation: str, model: Model,
                 wanted: list[FactField]) -> tuple[dict[str, str], list[str]]:
    """Ask the model to copy the facts into the kind's fields; keep only grounded values."""
    notices: list[str] = []
    view = situation
    if len(view) > MODEL_VIEW_CHARS:
        view = view[:MODEL_VIEW_CHARS]
        notices.append(f"The model read the first {MODEL_VIEW_CHARS:,} characters; the rest was matched by rules.")
    prompt = prompts.load("runtime/draft_facts")
    lines = "\n".join(prompt.part("field", name=f.name, question=f.question) for f in wanted)
    messages = prompt.messages(note=view, fields=lines)
    try:
        got = model.structured(messages, fact_schema(spec), retries=1,
                               max_tokens=min(360, 50 * len(wanted) + 40))
    except StructuredOutputError:
        notices.append("The model's fact extraction did not validate; facts were matched by rules instead.")
        return {}, notices
    raw = got.model_dump()
    kept: dict[str, str] = {}
    dropped: list[str] = []
    for f in wanted:
        value = validate_value(f, str(raw.get(f.name) or ""), situation)
        if value is None:
            if str(raw.get(f.name) or "").strip().lower() not in EMPTYISH:
                dropped.append(f.name)
            continue
        if any(tx.norm(value) == tx.norm(v) for v in kept.values()) and f.type == "text":
            dropped.append(f.name)
            continue
        kept[f.name] = value
    if dropped:
        notices.append("Dropped model-extracted values not found in your situation: " + ", ".join(dropped) + ".")
    return kept, notices


CONTRACTIONS = {"'re": " are", "'ve": " have", "'m": " am"}  # not 'd: "I'd" is "would" as often as "had"


def _inflected(cue: str) -> str:
    """A cue's pattern with its last word inflected: "drop" finds "dropped", "reduce" finds "reducing",
    "carry" finds "carries" (a cue is a stem a person conjugates, not a spelling)."""
    head, _, last = cue.rpartition(" ")
    lead = re.escape(head + " ") if head else ""
    if len(last) < 3 or not last.isalpha():
        return lead + re.escape(last)
    if last.endswith("e"):
        stem, ends = last[:-1], "(?:e|es|ed|ing)"
    elif last.endswith("y") and last[-2] not in "aeiou":
        stem, ends = last[:-1], "(?:y|ies|ied|ying)"
    else:
        stem, ends = last, "(?:" + re.escape(last[-1]) + "?(?:s|es|ed|ing))?"
    return lead + re.escape(stem) + ends


def _cue_hits(cues: list[str], said: str) -> float:
    text = " " + said + " "
    score = 0.0
    for cue in cues:
        c = cue.lower()
        hit = c in text if not c[0].isalnum() or not c[-1].isalnum() else \
            re.search(r"(?<![a-z0-9])" + _inflected(c) + r"(?![a-z0-9])", text) is not None
        if hit:
            score += 1.0 + 0.5 * (" " in c)
    return score


def _cue_score(f: FactField, clause: tx.Clause) -> float:
    said = tx.norm(DATE_SPAN.sub(" ", clause.text))  # "the week after next" holds no cue "after"
    # a cue written "they are" also finds "they're", "i've" finds "I have", "i appreciate" finds "I really
    # appreciate" (the best reading counts, so no clause scores twice for one cue)
    long = re.sub(r"(?<=[a-z])(?:'re|'ve|'m)\b", lambda m: CONTRACTIONS[m.group(0)], said)
    bare = re.sub(r"\b(?:really|truly|genuinely|also|still|just|often|usually|always|sometimes) ", "", long)
    score = max(_cue_hits(f.cues, said), _cue_hits(f.cues, long), _cue_hits(f.cues, bare))
    if f.position == "first" and clause.sentence == 0:
        score += 1.5
    if f.position == "last" and clause.last:
        score += 1.0
    return score


def _lead(f: FactField, situation: str, parts: list[tx.Clause]) -> str | None:
    sents = tx.sentences(situation)
    for i, sentence in enumerate(sents):  # the first sentence's lead, a meeting named, a later lead
        m = LEAD.search(sentence)
        if m:
            lead = tx.tidy(m.group(0), f.strip)
            if not tx.content_words(lead):  # "At our Friday review, ..." stopped at "our"
                lead = tx.tidy(re.split(r"[,;]", sentence)[0], f.strip)
            return lead
        noun = LEAD_NOUN.search(situation) if i == 0 else None
        if noun:
            return noun.group(0)
    return tx.tidy(parts[0].text, f.strip) if parts else None


def rule_values(spec: KindSpec, situation: str, have: dict[str, str]) -> dict[str, str]:
    """Deterministic extraction: the best cue-matching clause per field, typed spans for dates and money."""
    parts = without_frames(situation, tx.clauses(situation))
    used = {c.index for c in parts for v in have.values()
            if tx.contains(v, tx.tidy(c.text)) or tx.contains(c.text, v)}
    found: dict[str, str] = {}
    text_fields = [f for f in spec.fields if f.name not in have and f.type == "text"]
    candidates = sorted(
        ((_cue_score(f, c), -i, f, c) for i, f in enumerate(text_fields) for c in parts if c.index not in used),
        key=lambda t: (-t[0], -t[1], t[3].index),
    )
    chosen: dict[str, tx.Clause] = {}
    for score, _, f, c in candidates:
        if score < 1.0 or f.name in found or c.index in used:
            continue
        found[f.name] = tx.tidy(c.text, f.strip)
        chosen[f.name] = c
        used.add(c.index)
    for name, c in chosen.items():
        # "..., which frees a day a month of your time" leans on its main clause: when nothing else
        # took that sentence, the field gets the whole sentence, so the point still says what frees it.
        siblings = [o for o in parts if o.sentence == c.sentence and o.index != c.index]
        if re.match(r"which\b", c.text, re.I) and siblings and all(o.index not in used for o in siblings):
            whole = ", ".join([o.text for o in parts if o.sentence == c.sentence])
            found[name] = tx.tidy(whole, spec.field(name).strip)
            used.update(o.index for o in siblings)
    cued = dict(found)  # what the cue words placed; fill_gaps adds leftovers by position only
    found = fill_gaps(spec, parts, have, found, _cue_score)
    found = {n: uncleft(v) for n, v in found.items()}
    for f in spec.fields:
        if f.name in have or f.name in found:
            continue
        if f.type == "lead":
            value = _lead(f, situation, parts)
            if value:
                found[f.name] = value
        elif f.type in ("date", "money", "duration"):
            # a date inside what happened (the opening fact) is the old date, not the new one a required date asks for
            opening = [v for n, v in found.items() if spec.field(n).position == "first"] \
                if f.type == "date" and f.required else []
            best = max(((_cue_score(f, c), c) for c in parts if _typed(f, c.text)
                        and not any(tx.contains(v, str(_typed(f, c.text))) for v in opening)),
                       key=lambda t: (t[0], t[1].index if f.type == "date" else -t[1].index),
                       default=None)  # a tie: the later date is the new one, the first amount the cost
            # a date the situation says something moves to is the new date, unless a clause says so
            # more plainly (two cues: "realistically we can go live June 20"); one loose cue ("tell
            # finance now or after Wednesday's re-run") does not outrank it
            moved = _moved_to(situation) if f.required and f.type == "date" else None
            if best and (best[0] >= 1.0 or f.type == "money") and not (moved and best[0] < 2.0):
                span = _typed(f, best[1].text)
                if span:
                    found[f.name] = span
            elif moved:
                found[f.name] = moved
            elif f.required:
                # No cue word ("we can pour on July 29"): rather than leave a placeholder for a value
                # the person gave, take the last such span that no other fact already carries.
                # A clause fill_gaps gave a text field by position alone does not own its date.
                taken = [*have.values(), *cued.values(), *opening]
                spans = [_typed(f, c.text) for c in parts if c.index not in used or f.type != "text"]
                free = [sp for sp in spans if sp and not any(tx.contains(v, sp) for v in taken)]
                if free and len(spans) > 1:
                    found[f.name] = free[-1]
                elif f.type == "date" and (ahead := _forward_date(situation, opening)):
                    found[f.name] = ahead
                elif f.type == "money" and (other := _cost_said_otherwise(f, parts)):
                    found[f.name] = other
    return found


def _cost_said_otherwise(f: FactField, parts: list[tx.Clause]) -> str | None:
    """A required cost with no currency figure anywhere: the amount, time or people the best-cued
    clause gives ("two FTEs", "about 40 hours of my time", "40 grand")."""
    scored = [(_cue_score(f, c), -c.index, m.group(0)) for c in parts if (m := OTHER_COST.search(c.text))]
    return max(scored)[2].strip() if scored else None


FORWARD = re.compile(r"\b(?:will|'ll|would|'d|can|could|should|shall|going to|expect\w*|plan\w*|aim\w*|target\w*|"
                     r"ask|need|extension|extend\w*|new|realistic|by|until|putting|put|now)\b", re.I)


def _forward_date(situation: str, opening: list[str]) -> str | None:
    """The last date the situation looks ahead to (a sentence about what will, can or should happen),
    when it is not the date in what happened nor one something moves away from. A date another fact
    also carries ("...approve an extension, putting the end at October 30") still answers a required date."""
    for sentence in reversed(tx.sentences(situation)):
        if not FORWARD.search(sentence):
            continue
        for m in reversed(list(DATE_SPAN.finditer(sentence))):
            span = m.group(0).strip()
            if span and not BACKWARD.search(sentence[:m.start()][-20:]) and \
                    not any(tx.contains(v, span) for v in opening):
                return span
    return None


# "the opening moves from October 2 to October 9", "pushed back to the 21st": the date a thing moves to
MOVED_TO = re.compile(r"\b(?:mov|push|slip|shift|delay|postpon|reschedul|bump|pull|brought|bring)\w*\b[^.;!?]*?"
                      r"\b(?:to|until|till)\s+(" + DATE_SPAN.pattern + r")")


def _moved_to(situation: str) -> str | None:
    """The date the situation says something moves to: the new date, even when what happened says it
    ("the go-live slips from June 1 to June 15"), where the old date sits beside it."""
    for m in MOVED_TO.finditer(situation):
        span = m.group(1).strip()
        if span:
            return span
    return None


def _overlap(a: str, b: str) -> bool:
    return tx.contains(a, b) or tx.contains(b, a) or min(tx.coverage(a, b), tx.coverage(b, a)) >= 0.6


def agree_with_rules(spec: KindSpec, situation: str, found: dict[str, str],
                     given: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Validate the model's field assignment against the rules' own: a value the rules place in a
    different field is refused; for dates and money the rules' cue-matched span wins."""
    rules = rule_values(spec, situation, given)
    kept: dict[str, str] = {}
    clashes: list[str] = []
    for name, value in found.items():
        typed = spec.field(name).type in ("date", "money", "duration")
        if any(other != name and _overlap(value, v) for other, v in rules.items()
               if (spec.field(other).type in ("date", "money", "duration")) == typed):
            clashes.append(name)
        elif typed and name in rules and not _overlap(value, rules[name]):
            clashes.append(name)
        else:
            kept[name] = value
    return kept, clashes


def model_extraction_pays(model: Model, settings: Settings) -> bool:
    """Whether asking the model to fill the fields is worth the wait.

    Measured on evals/drafts.yaml with local/smollm2 (issue 13): after grounding and the rules'
    agreement check, its value was kept for 3 of 28 fields in the first 5 cases, and each call
    costs seconds of generation on 2 cores (20-140 s on a loaded machine), so the embedded model is
    not asked and the rules fill the fields; any other model is asked (UPWARD_PHRASING=free asks
    the embedded one too)."""
    if settings.phrasing == "free":
        return True
    return not model.small


def extract(spec: KindSpec, situation: str, *, settings: Settings, model: str | Model | None = None,
            given: dict[str, str] | None = None) -> Extraction:
    """Facts for a kind: the person's own (given) first, then grounded model values, then rules."""
    out = Extraction()
    for name, value in (given or {}).items():
        out.values[name] = value
        out.sources[name] = "you"
    wanted = [f for f in spec.fields if f.name not in out.values]
    chosen = registry.model(model, settings) if wanted else None
    if chosen is not None and not model_extraction_pays(chosen, settings):
        out.notices.append("Facts were matched by rules (the embedded model is not asked: measured, its values "
                           "were rarely kept and each call costs seconds).")
    elif chosen is not None:
        try:
            found, notes = model_values(spec, situation, chosen, wanted=wanted)
        except ProviderUnavailable as exc:
            out.outage = exc.message
            found, notes = {}, [f"The model could not be reached ({exc.message}), so your facts were matched by "
                                "rules and the draft is composed from your own words. Draft again to retry "
                                "with the model."]
        out.notices += notes
        found, clashes = agree_with_rules(spec, situation, found, out.values)
        if clashes:
            out.notices.append("Model values that matched another field's words were not used: "
                               + ", ".join(clashes) + ".")
        for name, value in found.items():
            out.values[name] = value
            out.sources[name] = "model"
    if wanted:
        for name, value in rule_values(spec, situation, out.values).items():
            out.values[name] = value
            out.sources[name] = "text"
    order = [f.name for f in spec.fields]
    out.values = {k: out.values[k] for k in sorted(out.values, key=order.index)}
    return out


def check_given(spec: KindSpec, facts: dict[str, str] | None) -> dict[str, str]:
    """Facts the person typed field by field; BadInput naming the fields when one is unknown."""
    names = [f.name for f in spec.fields]
    clean: dict[str, str] = {}
    for name, value in (facts or {}).items():
        if name not in names:
            raise BadInput(f"'{name}' is not a fact of a {spec.kind} draft.",
                           f"use one of: {', '.join(names)} (as --fact name=value)")
        value = " ".join(str(value).split()).strip()
        if len(value) > 600:
            raise BadInput(f"The fact '{name}' is {len(value)} characters; the limit is 600.", "say it in a sentence")
        if value:
            clean[name] = value.rstrip(".")
    return clean


def extract_facts(kind: str, situation: str, *, settings: Settings, model: str | None = None) -> dict[str, str]:
    """The kind's facts found in the situation (only the ones it states; none invented)."""
    spec = load_kind(kind, settings)
    return extract(spec, check_situation(situation), model=model, settings=settings).values
