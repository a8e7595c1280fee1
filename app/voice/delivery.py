"""Delivery feedback from the person's recorded turns: pace, filler words, pauses, talk time.

Pure functions over `Utterance`s (transcript, word timings, speech spans); every line of feedback
carries a one-line tip and the knowledge card behind it. Importing this module loads no model:
the debrief imports it for its optional `delivery` field.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field

from app.schemas import Hit, Strict

# A conversational pace is about 130-160 words a minute; outside this band, listeners strain or drift.
PACE_FAST = 175
PACE_SLOW = 110
FILLERS_PER_100 = 2.0  # more than this is noticeable
LONG_PAUSE = 3.0  # seconds of silence inside a turn
TALK_HIGH, TALK_LOW = 0.65, 0.35  # the person's share of the talking time
MANAGER_WPM = 150  # estimate for replies that were not spoken aloud

CARD_PACE = "upward/speak-at-a-steady-pace"
CARD_PAUSE = "upward/rehearse-opening-and-objections"
CARD_TALK_HIGH = "betterup/adapt-to-boss-style-concise-headlines"
CARD_TALK_LOW = "upward/bottom-line-up-front"

SIMPLE_FILLERS = {"um", "umm", "uh", "uhh", "er", "erm", "hmm", "basically", "literally"}
# "like" is a verb after these ("I'd like to", "looks like"); elsewhere in speech it is usually a filler.
LIKE_VERB_BEFORE = {"would", "i", "you", "we", "they", "he", "she", "don't", "didn't", "doesn't", "not", "look",
                    "looks", "looked", "feel", "feels", "felt", "sound", "sounds", "seem", "seems", "something",
                    "anything", "nothing", "more", "much", "just", "be", "is", "was", "were", "are", "a"}
YOU_KNOW_NOT_BEFORE = {"do", "did", "don't", "didn't", "if", "as", "would", "will", "should", "could", "let"}
YOU_KNOW_NOT_AFTER = {"that", "what", "how", "why", "when", "where", "who", "if", "whether", "about", "him", "her",
                      "them", "me", "us"}


class Word(Strict):
    text: str
    start: float
    end: float


class Utterance(Strict):
    """One recorded turn: what Whisper heard, word timings, and where the speech is (seconds)."""

    text: str
    words: list[Word] = Field(default_factory=list)
    duration: float
    spans: list[tuple[float, float]]
    transcribe_seconds: float = 0.0


class TurnDelivery(Strict):
    turn: int  # 1-based, among the person's turns
    text: str
    words: int
    seconds: float  # from the first to the last sound
    wpm: float
    fillers: dict[str, int]
    longest_pause: float
    pause_after: str = ""


class DeliveryItem(Strict):
    metric: str
    label: str
    value: str
    tip: str
    citation: Hit


class Delivery(Strict):
    """The debrief's delivery section."""

    turns: list[TurnDelivery]
    wpm: float
    filler_count: int
    fillers: dict[str, int]
    fillers_per_100: float
    longest_pause: float
    longest_pause_turn: int
    talk_seconds: float
    manager_seconds: float
    manager_estimated: bool
    talk_share: float
    worst_turn: int
    items: list[DeliveryItem]


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+|[,.?!;]", text.lower().replace("’", "'"))


def count_fillers(text: str) -> dict[str, int]:
    """Filler words and phrases in a transcript, by kind ("um", "like", "you know", ...).

    "like" and "you know" are also ordinary words: they count when set off by commas, or when the
    words around them do not make them a verb ("I'd like to", "do you know", "you know that").
    """
    toks = _tokens(text)
    found: dict[str, int] = {}

    def word(i: int) -> str:
        return toks[i] if 0 <= i < len(toks) and toks[i][0].isalnum() else ""

    def add(kind: str) -> None:
        found[kind] = found.get(kind, 0) + 1

    for i, w in enumerate(toks):
        prev, nxt = word(i - 1), word(i + 1)
        if w in SIMPLE_FILLERS:
            add({"umm": "um", "uhh": "uh", "erm": "er"}.get(w, w))
        elif w == "like":
            set_off = i + 1 < len(toks) and toks[i + 1] == "," and (not prev or toks[i - 1] == ",")
            if set_off or (prev and prev not in LIKE_VERB_BEFORE and not prev.endswith("'d") and nxt != "to"):
                add("like")
        elif w == "know" and prev == "you":
            set_off = (i + 1 < len(toks) and toks[i + 1] == ",") or (i >= 2 and toks[i - 2] == ",")
            if set_off or (word(i - 2) not in YOU_KNOW_NOT_BEFORE and nxt not in YOU_KNOW_NOT_AFTER):
                add("you know")
        elif w == "mean" and prev == "i" and nxt not in ("it", "that", "to"):
            add("i mean")
    return found


def word_count(text: str) -> int:
    return sum(1 for t in _tokens(text) if t[0].isalnum())


def turn_delivery(turn: int, heard: Utterance) -> TurnDelivery:
    """Pace, fillers and the longest pause of one recorded turn."""
    words = word_count(heard.text)
    spans = heard.spans
    seconds = (spans[-1][1] - spans[0][0]) if spans else heard.duration
    gaps = [(b[0] - a[1], a[1]) for a, b in zip(spans, spans[1:], strict=False)]
    longest, at = max(gaps, default=(0.0, 0.0))
    before = [w.text for w in heard.words if w.end <= at + 0.25]
    return TurnDelivery(turn=turn, text=heard.text, words=words, seconds=round(seconds, 2),
                        wpm=round(60 * words / seconds, 1) if seconds > 0 else 0.0,
                        fillers=count_fillers(heard.text), longest_pause=round(longest, 2),
                        pause_after=before[-1].strip(",.?!;") if before and longest else "")


def _citation(card_id: str, knowledge_dir: Path) -> Hit:
    from app.retrieval.cards import parse_card

    card = parse_card(knowledge_dir / f"{card_id}.md", knowledge_dir)
    return Hit(source=card.source, title=card.title, card=card.id, text=card.text, score=1.0)


def _badness(t: TurnDelivery) -> float:
    pace = max(0.0, t.wpm - PACE_FAST) + max(0.0, PACE_SLOW - t.wpm)
    return pace / 20 + 100 * sum(t.fillers.values()) / max(1, t.words) / FILLERS_PER_100


def _quote(text: str, words: int = 12) -> str:
    parts = text.split()
    said = " ".join(parts[:words]).rstrip(".,;:!?") if len(parts) <= words else " ".join(parts[:words]) + "…"
    return "“" + said + "”"


def delivery_report(heard: dict[int, Utterance], manager_seconds: float, manager_estimated: bool,
                    knowledge_dir: Path) -> Delivery:
    """The delivery section from the person's recorded turns (turn number -> what was heard)."""
    if not heard:
        raise ValueError("no recorded turns")
    turns = [turn_delivery(n, heard[n]) for n in sorted(heard)]
    words = sum(t.words for t in turns)
    talk = sum(t.seconds for t in turns)
    fillers: dict[str, int] = {}
    for t in turns:
        for kind, n in t.fillers.items():
            fillers[kind] = fillers.get(kind, 0) + n
    filler_count = sum(fillers.values())
    per_100 = round(100 * filler_count / max(1, words), 1)
    wpm = round(60 * words / talk, 1) if talk else 0.0
    paused = max(turns, key=lambda t: (t.longest_pause, -t.turn))
    share = talk / (talk + manager_seconds) if talk + manager_seconds else 0.0
    worst = max(turns, key=lambda t: (_badness(t), -t.turn))
    cite = {c: _citation(c, knowledge_dir) for c in (CARD_PACE, CARD_PAUSE, CARD_TALK_HIGH, CARD_TALK_LOW)}
    items: list[DeliveryItem] = []

    if wpm > PACE_FAST:
        tip = "Faster than a listener follows under pressure: slow to about 140-160 and let your key figures land."
    elif wpm < PACE_SLOW:
        tip = "Slow enough to sound unsure: rehearse the line until it comes out at a conversational 130-160."
    else:
        tip = "A conversational pace: keep it, and slow down a little for the numbers that matter."
    items.append(DeliveryItem(metric="pace", label="Pace", value=f"{wpm:.0f} words a minute", tip=tip,
                              citation=cite[CARD_PACE]))

    top = sorted(fillers.items(), key=lambda kv: (-kv[1], kv[0]))
    kinds = ", ".join(f"“{k}” ×{n}" for k, n in top[:3])
    if per_100 > FILLERS_PER_100:
        tip = "When you need a moment, pause silently instead: a pause sounds considered, a filler sounds unsure."
    else:
        tip = "Few fillers: keep pausing silently when you need a moment to think."
    items.append(DeliveryItem(metric="fillers", label="Filler words",
                              value=f"{filler_count} ({per_100:g} per 100 words{': ' + kinds if kinds else ''})",
                              tip=tip, citation=cite[CARD_PACE]))

    where = f" in turn {paused.turn}" + (f", after “{paused.pause_after}”" if paused.pause_after else "")
    if paused.longest_pause > LONG_PAUSE:
        tip = "A long silence mid-turn reads as lost: prepare a calm reply to each likely objection beforehand."
        items.append(DeliveryItem(metric="pause", label="Longest pause", value=f"{paused.longest_pause:.1f} s{where}",
                                  tip=tip, citation=cite[CARD_PAUSE]))
    else:
        tip = "No long silences: short pauses between points help your manager take them in."
        value = f"{paused.longest_pause:.1f} s{where}" if paused.longest_pause else "no silence longer than a breath"
        items.append(DeliveryItem(metric="pause", label="Longest pause", value=value, tip=tip,
                                  citation=cite[CARD_PACE]))

    pct = f"{100 * share:.0f}% of the talking time" + (" (your manager's replies estimated from their length)"
                                                        if manager_estimated else "")
    if share > TALK_HIGH:
        items.append(DeliveryItem(metric="talk_share", label="Talk time", value=pct, citation=cite[CARD_TALK_HIGH],
                                  tip="Make each point in a sentence or two, then stop and let your manager answer."))
    elif share < TALK_LOW:
        items.append(DeliveryItem(metric="talk_share", label="Talk time", value=pct, citation=cite[CARD_TALK_LOW],
                                  tip="Say your point and your ask up front instead of waiting to be asked."))
    else:
        items.append(DeliveryItem(metric="talk_share", label="Talk time", value=pct, citation=cite[CARD_TALK_HIGH],
                                  tip="A balanced exchange: keep leaving room for your manager to respond."))

    worst_fillers = sum(worst.fillers.values())
    value = (f"turn {worst.turn}: {worst.wpm:.0f} words a minute, {worst_fillers} filler"
             f"{'' if worst_fillers == 1 else 's'}, {_quote(worst.text)}")
    if worst.wpm > PACE_FAST or worst.wpm < PACE_SLOW:
        tip = "Say this one again out loud, at a steady pace, before the real conversation."
    elif worst_fillers:
        tip = "Say this one again out loud, pausing where the fillers were."
    else:
        tip = "Even your roughest turn was steady: rehearse the opening once more and go."
    items.append(DeliveryItem(metric="worst_turn", label="Roughest turn", value=value, tip=tip,
                              citation=cite[CARD_PACE]))

    return Delivery(turns=turns, wpm=wpm, filler_count=filler_count, fillers=fillers, fillers_per_100=per_100,
                    longest_pause=paused.longest_pause, longest_pause_turn=paused.turn, talk_seconds=round(talk, 2),
                    manager_seconds=round(manager_seconds, 2), manager_estimated=manager_estimated,
                    talk_share=round(share, 3), worst_turn=worst.turn, items=items)


def estimate_seconds(text: str) -> float:
    """How long a reply takes to say at an ordinary pace (for replies that were not spoken aloud)."""
    return 60 * word_count(text) / MANAGER_WPM


def delivery_markdown(delivery: Delivery) -> str:
    """The delivery section as Markdown for the web debrief."""
    lines = ["**How you sounded** (from your recorded turns)"]
    for item in delivery.items:
        c = item.citation
        lines.append(f"- **{item.label}:** {item.value}. {item.tip} *({c.title}; {c.source})*")
    return "\n".join(lines)


def delivery_text(delivery: Delivery) -> str:
    """The delivery section as plain text for the CLI."""
    lines = ["Delivery:"]
    for item in delivery.items:
        lines.append(f"  - {item.label}: {item.value}. {item.tip} [{item.citation.source}: {item.citation.card}]")
    return "\n".join(lines)
