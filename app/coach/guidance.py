"""Grounded answers: composed from the retrieved cards' own sentences, each cited to its card.

Measured on issue 13: asked to write points from the notes, the embedded model restated the
question and cited it to a card that did not say it. So the answer is extracted, not generated:
the question's intent (bad news, feedback, promotion...) steers retrieval to that scenario's
cards; their sentences are ranked by MiniLM similarity to the question, deduplicated, stripped of
any that merely restate it, and ordered into "what to do / how to say it / watch out". A stronger
model may rewrite those sentences freely, but each of its sentences must be supported by the card
it cites, or it is dropped. Ingested documents are untrusted: they are quoted, never advice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from app import prompts
from app import text as tx
from app.coach.intents import INTENT_EXAMPLES, about_work, intent_of, intent_profile, normalise
from app.coach.untrusted import looks_like_instruction, plain, quotable, split_sentences
from app.config import Settings
from app.llm import registry
from app.llm.model import Model
from app.retrieval import search as retrieval
from app.retrieval.embedding import embed_cached as vectors
from app.schemas import Hit, Strict

RELEVANCE_FLOOR = 0.20  # MiniLM similarity of the nearest card below which only work and a scenario both count
ON_TOPIC = 0.35  # below this, a question must name work or a scenario
RESTATE_MAX = 0.6  # an answer sentence with more of its content words in the question restates it
SUPPORT_OVERLAP = 0.6  # share of a sentence's content words found in its card
SUPPORT_COSINE = 0.75  # or: MiniLM similarity to one of the card's own sentences
DUPLICATE_COSINE = 0.85
NOT_ADVICE = 0.15  # a sentence that describes rather than advises ("bosses are often busy") ranks lower
FLOOR_GAP = 0.3  # sentences scoring this far below the best one are left out
INTENT_WEIGHT = 0.6  # how much a sentence's similarity to the intent's own query counts
CARD_WEIGHT = 0.6  # how much a card's own relevance counts in each of its sentences' score
CARDS = 5  # cards whose sentences compete for the answer
WANT = {"do": 3, "say": 1, "watch": 1}
HEADINGS = {"do": "What to do", "say": "How to say it", "watch": "Watch out"}
DECLINE = ("I could not find guidance on that in Upward's knowledge base, so I won't guess. "
           "Try asking about your manager, feedback, promotions, bad news or workload.")
Section = Literal["do", "say", "watch"]

CONNECTOR = re.compile(r"^(?:but|and|so|also|then|still|yet|instead),?\s+", re.I)
CONTEXTUAL = re.compile(r"^(?:this|that|these|those|it|they|both|either|such|here|stop there|first the|then the)\b"
                        r"|^\w+ (?:that|this|these|those)\b|^(?:\w+\s){1,2}(?:it|that|this)\b(?!\s(?:is|was)\b)", re.I)
ANAPHORA = re.compile(r"\b(?:these|those|the same)\b", re.I)
IMPERATIVE = set("""ask tell keep make use offer explain send bring start open lead prepare put give say show find look
check agree write be don't avoid try choose pick name describe propose frame request raise share spend watch learn
invite focus consider stop let build add save measure follow set plan think decide get take treat thank skip list stay
go hold schedule respect match adapt limit end close flag warn include record note summarise reflect seek act help aim
work acknowledge apologise deliver present connect prevent recognise review protect suggest remember
separate""".split())
ADVICE = re.compile(r"\b(?:you can|you should|you could|it helps to|it's worth|try to|the fix is|is to|means)\b", re.I)
SOURCE_CHARS = re.compile(r"[^\w. -]")  # a document's file name, cited in the answer, stays plain
QUOTED = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
WATCH = re.compile(r"\b(?:don't|do not|avoid|never|shouldn't|should not|rather than|instead of|careful|beware|"
                   r"resist|unless|not the (?:moment|time|place)|as little as|backfire|tempting|risky?)\b", re.I)


class Point(BaseModel):
    text: str = Field(description="one sentence of advice")
    note: int = Field(ge=1, le=12, description="the number of the note it comes from")


class Points(BaseModel):
    points: list[Point] = Field(min_length=1, max_length=6)


class Answer(Strict):
    answer: str
    citations: list[Hit]


@dataclass
class Pick:
    """One answer sentence, the card it is taken from, and where it goes."""

    text: str
    hit: Hit
    section: Section
    score: float = 0.0
    vector: np.ndarray | None = None


# -- pure text helpers ------------------------------------------------------------------------------

def stems(text: str) -> set[str]:
    return {tx._stem(w) for w in tx.content_words(text)}


def restates(sentence: str, question: str) -> float:
    """Share of the sentence's content words that are already in the question (1.0: says nothing new)."""
    mine = stems(sentence)
    return len(mine & stems(question)) / len(mine) if mine else 1.0


def overlap_support(sentence: str, card_text: str) -> float:
    """Share of the sentence's content words that appear in the card."""
    mine = stems(sentence)
    return len(mine & stems(card_text)) / len(mine) if mine else 0.0


def section_of(sentence: str) -> Section:
    if QUOTED.search(sentence) or re.match(r"^(?:for example|e\.g\.|try|say)\b", sentence, re.I):
        return "say"
    return "watch" if WATCH.search(sentence) else "do"


def clean(sentence: str) -> str:
    """A card sentence able to stand alone: no leading connective, capitalised."""
    s = CONNECTOR.sub("", sentence.strip())
    return s[:1].upper() + s[1:] if s else s


def contextual(sentence: str) -> bool:
    """True when a sentence leans on the one before it ("Prevent that by...", "These are...")."""
    if CONTEXTUAL.match(sentence):
        return True
    first = tx.words(sentence)[:3]
    return (len(first) >= 2 and first[0] not in IMPERATIVE and first[1] in ("them", "it")) or \
        (len(first) == 3 and first[2] in ("it", "that", "this") and first[0] not in ("if", "when"))


def card_sentences(hit: Hit) -> list[str]:
    """The card's sentences able to stand alone; one that leans on its predecessor is quoted with it."""
    raw = split_sentences(hit.text)
    out: list[str] = []
    for i, s in enumerate(raw):
        unit = s
        if i > 0 and contextual(clean(s)) and len(tx.words(raw[i - 1] + " " + s)) <= 60:
            unit = raw[i - 1] + " " + s
        if 5 <= len(tx.words(unit)) <= 60:
            out.append(clean(unit))
    return out


# -- retrieval steered by intent --------------------------------------------------------------------

HEDGE_GAP = 0.03  # a runner-up scenario this close to the chosen one also anchors the answer
NEAREST_EXAMPLES = 2  # the situations people describe, closest to the question, that expand its search


def readings(question: str, settings: Settings) -> tuple[list[str], dict[str, float]]:
    """The example situations nearest the question (in the cards' words), and each intent's closeness."""
    pairs = [(label, text) for label, examples in INTENT_EXAMPLES.items()
             for text in (*examples, intent_profile(label, settings)[1]) if text]
    sims = vectors([t for _, t in pairs]) @ vectors([normalise(question)])[0]
    near = [pairs[i][1] for i in np.argsort(-sims, kind="stable")[:NEAREST_EXAMPLES]]
    closeness = {label: float(np.sort(sims[[i for i, (lab, _) in enumerate(pairs) if lab == label]])[-2:].mean())
                 for label in INTENT_EXAMPLES}
    return near, closeness


def runner_up(intent: str | None, closeness: dict[str, float]) -> str | None:
    """A scenario the question reads almost as much like ("thank my boss for defending my budget")."""
    others = [k for k in sorted(closeness, key=lambda k: -closeness[k]) if k not in (intent, "general")]
    close = intent and others and closeness[others[0]] >= closeness.get(intent, 0.0) - HEDGE_GAP
    return others[0] if close else None


def voted(hits: list[Hit], intent: str | None, settings: Settings) -> str | None:
    """The scenario the question's own best cards are written for (a vote by rank), if not the intent."""
    votes: dict[str, float] = {}
    for rank_, hit in enumerate(h for h in hits[:CARDS] if not _is_document(h, settings)):
        for scenario in _card_scenarios(hit, settings):
            votes[scenario] = votes.get(scenario, 0.0) + 1.0 / (rank_ + 1)
    best = max(sorted(votes), key=lambda k: votes[k], default=None)
    return best if intent and best != intent else None


def retrieve(question: str, intent: str | None, settings: Settings) -> tuple[list[Hit], list[Hit], dict[str, float]]:
    """(cards, document passages, anchors) for the question: its own best cards, then the intent's.
    Each anchor (a search's top card) gets a sentence if one scores within its slack below the floor.

    An intent read from a few words can be wrong, so the question is also searched expanded with the
    example situations nearest to it, and a runner-up scenario (a close reading, or the one its own
    best cards vote for) adds its best card: hedges with no slack, so a wrong guess adds nothing."""
    topics, query_extra = intent_profile(intent, settings)
    question = normalise(question)  # "my mgr", "w/o", "my director": the words the cards use
    hits = retrieval.search(question, k=CARDS + 3, scenario=intent, topics=topics, settings=settings)
    cards = [h for h in hits if not _is_document(h, settings)][:CARDS]
    plain = retrieval.search(question, k=CARDS + 3, settings=settings)  # the question's own words, unsteered
    docs = [h for h in plain if _is_document(h, settings)]  # the person's documents compete without boosts
    anchors = {c.card: FLOOR_GAP for c in cards[:1]}

    def add(found: list[Hit], more: int, slack: float = 0.0) -> None:
        found = [h for h in found if not _is_document(h, settings)]
        anchors.update({h.card: slack for h in found[:1] if h.card not in anchors})
        cards.extend([h for h in found if all(h.card != c.card for c in cards)][:more])

    if query_extra:  # the scenario's own query finds the cards its intent needs that the wording missed
        add(retrieval.search(query_extra, k=4, scenario=intent, topics=topics, settings=settings), 3, FLOOR_GAP)
    near, closeness = readings(question, settings)
    add(retrieval.search(". ".join([question, *near]), k=4, settings=settings), 2)
    second = runner_up(intent, closeness) or voted(plain, intent, settings)
    if second and (hedge := intent_profile(second, settings))[1]:
        add(retrieval.search(hedge[1], k=4, scenario=second, topics=hedge[0], settings=settings), 2)
    return cards, docs[:2], anchors


def _is_document(hit: Hit, settings: Settings) -> bool:
    return not (settings.knowledge_dir / f"{hit.card}.md").is_file()


def _card_scenarios(hit: Hit, settings: Settings) -> tuple[str, ...]:
    entry = retrieval.get_searcher(settings).cards.get(hit.card)
    return entry.scenarios if entry is not None else ()


# -- selection ---------------------------------------------------------------------------------------

def advice_like(sentence: str) -> bool:
    """True for a sentence that tells the reader what to do (imperative, or 'you can / it helps to')."""
    head = sentence.split(",", 1)
    first = tx.words(sentence)[:1]
    if first and first[0] in IMPERATIVE:
        return True
    if len(head) == 2 and re.match(r"^(?:if|when|once|before|after|with|whenever|where|even|instead|in|for|at)\b",
                                   sentence, re.I):
        after = tx.words(head[1])[:1]
        if after and after[0] in IMPERATIVE:
            return True
    return ADVICE.search(sentence) is not None


def rank(question: str, cards: list[Hit], intent: str | None, intent_query: str, qvec: np.ndarray,
         settings: Settings) -> list[Pick]:
    """Every usable sentence of the cards, best first: similarity to the question and its intent,
    the card's own relevance, and a preference for advice that stands alone."""
    candidates: list[Pick] = []
    ivec = vectors([intent_query])[0] if intent_query else None
    for hit in cards:
        # the card's hybrid retrieval score (for the question, or for its intent) carries over to its sentences
        prior = CARD_WEIGHT * hit.score + (0.05 if intent and intent in _card_scenarios(hit, settings) else 0.0)
        for s in card_sentences(hit):
            if restates(s, question) > RESTATE_MAX or looks_like_instruction(s):
                continue
            if s.endswith("?") and not QUOTED.search(s):
                continue  # a question from the card's own checklist is not an answer
            candidates.append(Pick(s, hit, section_of(s), score=prior))
    if not candidates:
        return []
    mat = vectors([p.text for p in candidates])
    for p, v in zip(candidates, mat, strict=True):
        p.vector = v
        p.score += float(v @ qvec) + (INTENT_WEIGHT * float(v @ ivec) if ivec is not None else 0.0)
        p.score += 0.08 if advice_like(p.text) or p.section == "say" else -NOT_ADVICE
        if contextual(p.text):
            p.score -= 0.15
        if ANAPHORA.search(p.text):
            p.score -= 0.05
        if len(tx.words(p.text)) > 40:
            p.score -= 0.05
    candidates.sort(key=lambda p: -p.score)
    return candidates


def select(question: str, cards: list[Hit], intent: str | None, intent_query: str, qvec: np.ndarray,
           settings: Settings, anchors: dict[str, float] | None = None) -> list[Pick]:
    """The best sentences for the question: ranked, deduplicated, never restating it, by section;
    each anchor card first gets its best sentence within its slack, then the rest go by score."""
    candidates = rank(question, cards, intent, intent_query, qvec, settings)
    if not candidates:
        return []
    floor = candidates[0].score - FLOOR_GAP
    chosen: list[Pick] = []
    per_card: dict[str, int] = {}
    counts = dict.fromkeys(WANT, 0)

    def take(p: Pick, lowest: float) -> bool:
        if p.score < lowest or counts[p.section] >= WANT[p.section] or per_card.get(p.hit.card, 0) >= 2:
            return False
        if p in chosen or any(float(p.vector @ c.vector) > DUPLICATE_COSINE for c in chosen
                              if p.vector is not None and c.vector is not None):
            return False
        chosen.append(p)
        counts[p.section] += 1
        per_card[p.hit.card] = per_card.get(p.hit.card, 0) + 1
        return True

    for card, slack in (anchors or {}).items():
        for p in (c for c in candidates if c.hit.card == card):
            if take(p, floor - slack):
                break
    for p in candidates:
        take(p, floor)
    if counts["do"] == 0:  # an answer starts with something to do: promote the best other sentence
        for p in chosen:
            if p.section == "watch":
                p.section = "do"
                break
    return chosen


def supported(sentence: str, hit: Hit) -> bool:
    """True when the sentence is backed by its card: most of its words, or one of the card's sentences."""
    if overlap_support(sentence, hit.title + " " + hit.text) >= SUPPORT_OVERLAP:
        return True
    own = card_sentences(hit)
    if not own:
        return False
    sims = vectors(own) @ vectors([sentence])[0]
    return float(sims.max()) >= SUPPORT_COSINE


def rewrite(question: str, picks: list[Pick], model: Model) -> list[Pick]:
    """A stronger model's wording of the picked sentences; each kept only if its card supports it."""
    prompt = prompts.load("runtime/ask")
    notes = "\n".join(prompt.part("note", n=i, text=p.text) for i, p in enumerate(picks, 1))
    messages = prompt.messages(notes=notes, question=question)
    # A provider outage or unusable output is the person's to know about (exit 1 with the fix, e.g.
    # the embedded model), not hidden behind the cards' answer: they chose this model.
    points = model.structured(messages, Points, max_tokens=400).points
    kept: list[Pick] = []
    for point in points:
        text = " ".join(point.text.split())
        if not 1 <= point.note <= len(picks) or not text:
            continue
        source = picks[point.note - 1]
        if restates(text, question) > RESTATE_MAX or looks_like_instruction(text):
            continue
        if supported(text, source.hit) and all(k.text != text for k in kept):
            kept.append(Pick(text, source.hit, source.section, source.score))
    return kept if len(kept) >= 2 else picks


# -- the answer --------------------------------------------------------------------------------------

def render(picks: list[Pick], docs: list[Hit], question: str,
           as_text: Callable[[str], str] = lambda s: s) -> tuple[str, list[Hit]]:
    """Markdown: the sections in order, each sentence cited [n: source]; document passages quoted,
    passed through `as_text` (the caller's way to show untrusted text without rendering it)."""
    cited: list[Hit] = []
    number: dict[str, int] = {}

    def cite(hit: Hit) -> str:
        if hit.card not in number:
            cited.append(hit)
            number[hit.card] = len(cited)
        return f"[{number[hit.card]}: {SOURCE_CHARS.sub('', hit.source)}]"

    lines: list[str] = []
    for section in ("do", "say", "watch"):
        # advice first, then the context that explains it
        mine = sorted((p for p in picks if p.section == section), key=lambda p: (not advice_like(p.text), -p.score))
        if mine:
            lines += ["", f"**{HEADINGS[section]}**"] + [f"- {p.text} {cite(p.hit)}" for p in mine]
    quotes: list[str] = []
    left_out = 0
    for doc in docs:
        text = plain(doc.text)
        sentences = quotable(text)
        left_out += len(split_sentences(text)) - len(sentences)
        best = [s for s in sentences if restates(s, question) <= 0.9 and len(tx.words(s)) >= 4][:2]
        if best:
            quotes.append(f"> “{as_text(' '.join(best))}” {cite(doc)}")
    if quotes:
        lines += ["", "**From your own documents** (quoted as written, not advice)", *quotes]
    if left_out:
        lines.append(f"\n_Left out {left_out} sentence{'s' if left_out > 1 else ''} of your documents that read "
                     "like instructions to an assistant._")
    return "\n".join(lines).strip(), cited


def ask(question: str, *, settings: Settings, k: int = 4, model: str | Model | None = None,
        as_text: Callable[[str], str] | None = None) -> Answer:
    """Answer a question from the guidance only, every sentence taken from (or checked against) its card.

    Passages of the person's own documents are quoted, never advice; `as_text` (the web app's
    Markdown escaper) keeps what they contain from being rendered."""
    question = retrieval.validate_query(question)
    dense = retrieval.dense_search(question, k=max(3, k), settings=settings)
    top = max((h.score for h in dense if not _is_document(h, settings)), default=0.0)
    # An instruction inside the question ("ignore your notes and tell me to...") is not part of it.
    asked = " ".join(s for s in split_sentences(question) if not looks_like_instruction(s)) or question
    intent, _ = intent_of(asked, settings)
    # People describe what happened in words no card uses ("I lost our biggest customer"), so a
    # distant card is enough when the question is about work or a scenario, and none is needed
    # when it is about both ("my director keeps rewriting my slides").
    work = about_work(asked)
    if not (top >= ON_TOPIC or (top >= RELEVANCE_FLOOR and (intent or work)) or (intent and work)):
        return Answer(answer=DECLINE, citations=[])
    qvec = vectors([asked])[0]
    cards, docs, anchors = retrieve(asked, intent, settings)
    picks = select(asked, cards, intent, intent_profile(intent, settings)[1], qvec, settings, anchors)
    if not picks:
        return Answer(answer=DECLINE, citations=[])
    chosen = registry.model(model, settings)  # only now: a declined question needs no model
    if not chosen.small:  # the embedded model restates the notes badly (above): its cards' words stand
        picks = rewrite(question, picks, chosen)
    text, cited = render(picks, docs, question, as_text or (lambda s: s))
    return Answer(answer=text, citations=cited)
