"""Pure text helpers shared by drafting, rehearsal, retrieval and the evals: the one stop-word list,
sentences, clauses, content words, and the tokens that carry facts.

A "salient" token is what a person would notice if a draft lost or invented it: money, percentages,
numbers (digits or words), dates, and names (capitalised words that are not opening a sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STOP = set(
    "a an the and or but of to in on for with is are was were be been being it its this that these those "
    "you your i i'm i'd i've i'll my me we we've our us at as by from if so not do does did can could would "
    "should will shall what how when why who which there their they them he she his her him has have had "
    "about into over than then too very just also only up out off all any each some more most such "
    "am pm it's that's there's let's don't doing having myself yourself yourselves himself herself itself ourselves "
    "themselves yours ours theirs hers whom here where both few same own other once further nor again".split()
)
NUMBER_WORDS = ("zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                "fifteen|sixteen|eighteen|twenty|thirty|forty|fifty|hundred|thousand|dozen|half")
MONTHS = ("jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
MONTH_NAMES = ("January|February|March|April|May|June|July|August|September|October|November|December")
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"

MONEY = re.compile(r"[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|million|thousand)\b)?", re.I)
MONEY_SPAN = re.compile(MONEY.pattern + r"(?:\s(?:a|per)\s(?:year|month|week|day|hour|seat|licen[cs]e)"
                        r"|\sfor\s(?:\d+|" + NUMBER_WORDS + r")\s\w+|\sin total)*", re.I)
PERCENT = re.compile(r"\d+(?:\.\d+)?\s?%")
NUMBER = re.compile(r"(?<![\w$€£])\d[\d,.:]*(?:am|pm|st|nd|rd|th|k)?\b", re.I)
NUMBER_WORD = re.compile(r"\b(?:" + NUMBER_WORDS + r")\b", re.I)
DATE = re.compile(
    r"\b(?:(?:" + MONTH_NAMES + r")(?:\s\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s\d{4})?"
    r"|\d{1,2}(?:st|nd|rd|th)?\s(?:of\s)?(?:" + MONTH_NAMES + r")"
    r"|(?:" + WEEKDAYS + r")(?:,?\s(?:" + MONTH_NAMES + r")\s\d{1,2}(?:st|nd|rd|th)?|\s\d{1,2}(?:am|pm))?"
    r"|the\s\d{1,2}(?:st|nd|rd|th)"
    r"|Q[1-4](?:\s\d{4})?"
    r"|(?:day|week)\s\d{1,2}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b"
)
DURATION = re.compile(
    r"\b(?:(?:within|in about|in|over|for|by)\s)?(?:the next\s)?(?:about\s)?(?:\d+|a|" + NUMBER_WORDS
    + r")\s(?:years?|months?|weeks?|quarters?)\b", re.I)
NAME = re.compile(r"\b[A-Z][\w&'-]*[A-Za-z0-9]|\b[A-Z]\b")
WORD = re.compile(r"[a-z0-9][a-z0-9'%$-]*")
SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bProf\.)"  # "Dr. Tanaka"
                          r"\s+(?=[\"'“‘(\[A-Z0-9$€£])")
CLAUSE_SPLIT = re.compile(
    r";\s+|:\s+(?=(?:it|we|they|the|our|this|that)\s)"
    r"|,\s+(?=(?:so|which|but|while|and (?:I|I'm|I've|we|our|the|my|it|they|he|she|each|that|this|her|"
    r"his|nurses|every))\b)|\s+(?=because\b)")
# "Heads up:", "Done this week:" open a sentence as a label, not as a clause of their own.
LABEL = re.compile(r"^[A-Z][\w'-]*(?:\s[a-z][\w'-]*){0,2}:\s+(?=\S)")
CONNECTORS = re.compile(r"^(?:so that|so|which means(?: that)?|which|but|and|while)\s+", re.I)
ALWAYS_OK = {"I", "I'm", "I'd", "I've", "I'll"}


def norm(text: str) -> str:
    """Lower case, straight quotes, single spaces: how facts are compared."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def contains(haystack: str, needle: str) -> bool:
    """True when `needle` appears in `haystack` (normalised, on word boundaries where it starts/ends with one)."""
    n = norm(needle)
    if not n:
        return True
    pattern = (r"(?<![a-z0-9])" if n[0].isalnum() else "") + re.escape(n) + (r"(?![a-z0-9])" if n[-1].isalnum() else "")
    return re.search(pattern, norm(haystack)) is not None


def words(text: str) -> list[str]:
    return WORD.findall(norm(text))


def content_words(text: str) -> set[str]:
    """Words that carry meaning (no stop words, no one-letter words)."""
    return {w.strip("'") for w in words(text) if w not in STOP and len(w.strip("'")) > 2}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def coverage(part: str, whole: str) -> float:
    """Share of `part`'s content words (loosely stemmed) that appear in `whole`."""
    mine = {_stem(w) for w in content_words(part)}
    if not mine:
        return 1.0
    theirs = {_stem(w) for w in content_words(whole)}
    return len(mine & theirs) / len(mine)


def sentences(text: str) -> list[str]:
    """`text` cut at sentence ends ("Dr. Tanaka" is not an end)."""
    return [s.strip() for s in SENTENCE_END.split(text.strip()) if s.strip()]


def only_questions(text: str) -> bool:
    """Every sentence of `text` is a question ("What would you think is realistic?")."""
    parts = sentences(text)
    return bool(parts) and all(p.endswith("?") for p in parts)


def first_sentence(text: str) -> str:
    parts = sentences(text)
    return parts[0] if parts else ""


@dataclass(frozen=True)
class Clause:
    text: str        # as written, connector included ("because the codes were ...")
    sentence: int    # index of its sentence
    index: int       # index among all clauses
    last: bool       # in the last sentence


def clauses(text: str) -> list[Clause]:
    """The situation cut at sentence ends, semicolons and clause connectors (so, which, because, and I...).

    A fragment with a single content word (", which I value") stays with the clause before it."""
    out: list[Clause] = []
    sents = sentences(text)
    for si, sent in enumerate(sents):
        first = len(out)
        label = LABEL.match(sent)
        pieces = CLAUSE_SPLIT.split(sent[label.end():] if label else sent)
        if label:
            pieces[0] = label.group(0) + pieces[0]
        for part in pieces:
            part = part.strip().rstrip(",;")
            lead = CONNECTORS.match(part)
            if len(content_words(part)) == 1 and len(out) > first and \
                    not (lead and lead.group(0).strip().lower() in ("so", "but")):
                prev = out.pop()
                out.append(Clause(f"{prev.text}, {part}", si, prev.index, prev.last))
            elif len(content_words(part)) >= 1:
                out.append(Clause(part, si, len(out), si == len(sents) - 1))
    return out


def tidy(value: str, strip: list[str] = ()) -> str:  # type: ignore[assignment]
    """A clause as a slot value: no leading connector or field lead-in, no trailing full stop."""
    value = CONNECTORS.sub("", LABEL.sub("", value.strip()))
    for prefix in strip:
        if norm(value).startswith(prefix.lower()):
            value = value[len(prefix):].lstrip()
            value = re.sub(r"^(?:him|her|them) to (?=\w)", "", value)  # "I'd like him to send..." -> "send..."
            break
    value = value.strip().rstrip(".;,")
    return value


def _sentence_starts(text: str) -> set[int]:
    starts = {0}
    for m in re.finditer(r"(?:[.!?:]\s+|\n+|^\s*[-*]\s+|\(\s*)", text):
        starts.add(m.end())
    return starts


def names(text: str) -> list[str]:
    """Capitalised words that are not opening a sentence, plus acronyms anywhere (LUMEN-2, HR, DSMB)."""
    starts = _sentence_starts(text)
    found: list[str] = []
    for m in NAME.finditer(text):
        token = m.group(0).rstrip("'")
        acronym = sum(c.isupper() for c in token) >= 2 or any(c.isdigit() for c in token)
        if token in ALWAYS_OK:
            continue
        if m.start() in starts and not acronym:
            continue
        if token.endswith("'s"):
            token = token[:-2]
        found.append(token)
    return found


def figures(text: str) -> list[str]:
    """Money, percentages, dates, numbers and number words, longest spans first, without overlaps."""
    spans: list[tuple[int, int]] = []
    out: list[str] = []
    for pattern in (MONEY, PERCENT, DATE, NUMBER, NUMBER_WORD):
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in spans):
                continue
            spans.append((m.start(), m.end()))
            out.append(m.group(0).strip().rstrip(",.;:"))
    return out


def salient(text: str) -> list[str]:
    """Every fact-carrying token in `text`, in first-seen order, without duplicates."""
    seen: dict[str, str] = {}
    for token in [*figures(text), *names(text)]:
        seen.setdefault(norm(token), token)
    return list(seen.values())


def first(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(text)
    return m.group(0).strip() if m else None
