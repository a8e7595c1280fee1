"""Echo: what the person just asked for, offered or wants, said back from the manager's side.

"Could you text me before you say yes?" becomes "text you before I say yes" (their ask, which the
manager can repeat: "You'd like me to text you before I say yes."); "I'll keep the bed board
updated every hour" becomes the offer "keep the bed board updated every hour" ("So you'll keep the
bed board updated every hour."). Pronouns are turned round, the verb phrase ends at its clause, and
`lemminflect` (MIT; its inflection tables ship in the package) gives the -ing form ("keeping the
bed board updated"). Pure functions over text; nothing is invented, and a line with no clear ask,
offer or wish gives nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.text import STOP

KINDS = ("ask", "need", "offer", "want", "joint")
_VP = r"(?P<vp>[A-Za-z][^.?!;]*)"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(pattern + _VP, re.I)) for kind, pattern in (
    ("ask", r"\b(?:could|can|would|will) you(?: please| maybe| just)?\s+"),
    ("ask", r"\b(?:i(?:'d| would) like you to|i need you to|i(?:'m| am) asking you to|i want you to|"
            r"would you be (?:willing|able|open) to|are you (?:willing|able|open) to)\s+"),
    ("need", r"\b(?:what i need from you is|the (?:one |only )?thing i need from you is|all i need(?: from you)? is|"
             r"my ask is|what i(?:'m| am) asking for is|i(?:'m| am) asking (?:you )?for|i need)\s+"),
    ("want", r"\b(?:i(?:'d| would) (?:like|love) to|i want to|i(?:'m| am) asking to|i(?:'d| would) like the chance to|"
             r"i(?:'m| am) ready to|i hope to|(?:can|could|may) i)\s+"),
    ("offer", r"\b(?:i(?:'ll| will| can| could| am going to|'m going to| plan to| intend to| propose to| promise to|"
              r" commit to| would)|i(?:'ve| have) got a plan to|i have a plan to|"
              r"my (?:plan|proposal|recommendation|suggestion|idea) is to|i(?:'m| am) happy to)\s+"),
    ("joint", r"\b(?:could we|can we|should we|shall we|let's|we could|we can|we should|how about we)\s+"),
))
# A clause ends at punctuation or at a conjunction that starts a reason or another clause.
CLAUSE_END = re.compile(r"\s*(?:[,:()\u2014\u2013]|\s-\s|\b(?:so that|so|because|which|and then|but|or else|"
                        r"otherwise|since|as long as|unless|instead of|rather than|and i|and we|and you)\b)", re.I)
NOT_AN_ACTION = {"be", "have", "say", "tell", "admit", "think", "guess", "imagine", "see", "hear", "understand",
                 "ask", "start", "just", "also", "really", "not", "never", "only", "still", "get", "do", "go",
                 "promise", "feel", "know", "mean", "let", "help", "make", "need", "want", "the", "a", "an", "it",
                 "this", "that", "we", "they", "he", "she", "you", "i", "so", "please", "maybe", "possibly"}
MAX_WORDS = 11
SWAP = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "your": "my", "yours": "mine",
        "yourself": "myself", "i'm": "you're", "you're": "I'm", "i've": "you've", "you've": "I've", "i'll": "you'll",
        "you'll": "I'll", "i'd": "you'd", "you'd": "I'd", "am": "are"}
SUBJECT_NEXT = {"can", "could", "will", "would", "should", "might", "may", "must", "need", "want", "have", "had",
                "know", "say", "said", "see", "get", "use", "like", "think", "decide", "approve", "sign", "take", "do"}
SUBJECT_BEFORE = {"before", "after", "when", "if", "until", "once", "while", "that", "so", "because", "and", "or",
                  "whether", "unless", "as"}


@dataclass(frozen=True)
class Echo:
    kind: str  # ask (the person asks the manager), offer (they commit), want (for themselves), joint (we)
    base: str  # "text you before I say yes": from the manager's side, bare verb first
    gerund: str  # "texting you before I say yes"


_tables_lock = threading.Lock()
_tables_loaded = False


def _lemmas():  # type: ignore[no-untyped-def]
    """lemminflect, its tables loaded (a pure-Python table lookup, imported when a line is first echoed)."""
    if not _tables_loaded:
        load_tables()
    import lemminflect

    return lemminflect


def load_tables(cache_dir: Path | None = None) -> None:
    """Load lemminflect's lemma and inflection tables once per process (the served app's warm-up calls it
    early). Parsing its gzip files takes 0.7-1 s; with `cache_dir` (the data directory's cache) the parsed
    tables are kept there as JSON, which reads in about a third of that. Another thread asking meanwhile
    waits for this load rather than parsing too."""
    global _tables_loaded
    if _tables_loaded:
        return
    with _tables_lock:
        if _tables_loaded:
            return
        import lemminflect
        from lemminflect.core.Inflections import Inflections
        from lemminflect.core.Lemmatizer import Lemmatizer

        path = _tables_file(cache_dir, lemminflect)
        tables = _read_tables(path)
        if tables is not None:
            Lemmatizer().lemma_dict, Inflections().infl_dict = tables
        lemminflect.getAllLemmas("keeps")  # loads what the cache did not give, and the overrides
        lemminflect.getInflection("keep", tag="VBG")
        if tables is None and path is not None:
            _write_tables(path, [Lemmatizer().lemma_dict, Inflections().infl_dict])
        _tables_loaded = True


def _tables_file(cache_dir: Path | None, lemminflect: Any) -> Path | None:
    """The cache file for this lemminflect's tables: keyed by its version and its resource files."""
    if cache_dir is None:
        return None
    try:
        folder = Path(lemminflect.__file__).parent / "resources"
        stamp = [lemminflect.__version__, *(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}"
                                            for f in sorted(folder.glob("*_lu.csv.gz")))]
    except OSError:
        return None
    return Path(cache_dir) / f"lemminflect-{hashlib.sha256(repr(stamp).encode()).hexdigest()[:16]}.json"


def _read_tables(path: Path | None) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The cached tables, or None when there are none or they cannot be read (then they are parsed anew)."""
    if path is None or not path.is_file():
        return None
    try:
        lemmas, inflections = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    ok = isinstance(lemmas, dict) and isinstance(inflections, dict) and lemmas and inflections
    return (lemmas, inflections) if ok else None


def _write_tables(path: Path, tables: list[dict[str, Any]]) -> None:
    from app.config import write_private
    from app.errors import UpwardError

    with contextlib.suppress(OSError, UpwardError):  # a read-only data directory: parse again next time
        write_private(path, json.dumps(tables, separators=(",", ":")).encode("utf-8"))


def _is_verb(word: str) -> bool:
    """After "could you" or "I'll" comes a verb; the tables miss a few ("text"), so a word that could be a
    noun passes too, and only adverbs, adjectives and the like are refused."""
    lemmas = _lemmas().getAllLemmas(word.lower())
    return not lemmas or bool({"VERB", "NOUN"} & set(lemmas))


def _gerund(verb: str) -> str:
    forms = _lemmas().getInflection(verb.lower(), tag="VBG")
    return forms[0] if forms else verb + "ing"


def turn_round(words: list[str]) -> list[str]:
    """Swap first and second person: the person's "my" is the manager's "your"."""
    out: list[str] = []
    for i, word in enumerate(words):
        low = word.lower()
        if low == "you":
            before = words[i - 1].lower() if i else ""
            after = words[i + 1].lower() if i + 1 < len(words) else ""
            subject = before in SUBJECT_BEFORE or after in SUBJECT_NEXT  # "a summary you can use": "I can use"
            out.append("I" if subject else "you" if before == "than" else "me")
        elif low == "am" and out and out[-1] == "you":
            out.append("are")
        elif low == "are" and out and out[-1] == "I":
            out.append("am")
        elif low in SWAP:
            out.append(SWAP[low])
        else:
            out.append(word)
    return out


NOUN_START = {"a", "an", "the", "some", "more", "one", "two", "three", "your", "my", "our", "their", "his", "her",
              "another", "extra", "clear", "written", "weekly", "monthly", "daily"}


def _phrase(vp: str, kind: str = "ask") -> list[str] | None:
    cut = CLAUSE_END.search(vp)
    words = (vp[:cut.start()] if cut else vp).split()
    while words and words[-1].lower() in {"and", "or", "the", "a", "an", "to", "of", "for", "with", "on", "in", "at",
                                          "by", "my", "your", "our", "this", "that", "me", "you", "please", "now"}:
        words.pop()
    if len(words) > MAX_WORDS:  # a long phrase keeps its first part, up to "and" or a preposition
        joins = [i for i, w in enumerate(words[:MAX_WORDS]) if w.lower() in {"and", "while", "when", "until", "after",
                                                                           "before", "if", "once"} and i >= 2]
        words = words[:joins[0]] if joins else []
    if len(words) < 2:
        return None
    first = words[0].lower()
    if kind == "need":  # "a call to their PM today": a thing, not an action
        return words if first in NOUN_START and "n't" not in vp[:12] else None
    if first in NOT_AN_ACTION or not _is_verb(first) or "n't" in vp[:12] or first == "not":
        return None
    return words


def from_line(line: str) -> list[Echo]:
    """The line's asks, offers, wishes and joint proposals, in the order they appear."""
    found: list[tuple[int, Echo]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(line):
            if any(s <= m.start("vp") < e for s, e in taken):
                continue
            words = _phrase(m.group("vp"), kind)
            if words is None:
                continue
            words = turn_round(words)
            words[0] = words[0].lower()
            base = " ".join(words).strip(" ,")
            gerund = base if kind == "need" else " ".join([_gerund(words[0]), *words[1:]])
            found.append((m.start(), Echo(kind, base, gerund)))
            taken.append((m.start(), m.end()))
    return [echo for _, echo in sorted(found, key=lambda f: f[0])]


DETERMINER = re.compile(r"\b(the|my|our|your|their|his|her)\s+", re.I)
GENERIC = {"time", "way", "thing", "things", "point", "bit", "lot", "moment", "day", "week", "end", "start", "side",
           "job", "work", "stuff", "question", "conversation", "meeting", "idea", "feedback", "issue", "problem",
           "one", "rest", "others", "team", "people", "chance", "case", "part", "kind", "sort", "other", "same"}
ORDINAL = {"first", "second", "third", "last", "next", "only", "whole", "same", "other", "best", "worst", "main"}
OBJECT_NEXT = re.compile(r"^\s+(?:it|them|me|you|us|him|her|this|that|a|an|the|to|my|your|our|their)\b", re.I)
NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "both", "all"}
THIRD_WORD_BEFORE = re.compile(r"^\s*(?:[,.;:?!]|$|\s(?:and|or|from|at|for|with)\b)")


def things(line: str) -> list[str]:
    """Concrete noun phrases of the line, from the manager's side ("my nurses" -> "your nurses"): a
    determiner and up to three words that are not function words, the last of them a noun."""

    out: list[str] = []
    for m in DETERMINER.finditer(line):
        rest = re.findall(r"[A-Za-z][\w'-]*|[^\sA-Za-z]", line[m.end():])[:4]
        words: list[str] = []
        for word in rest:
            if not re.match(r"[A-Za-z]", word) or word.lower() in STOP or word.lower() in SWAP or "'" in word:
                break
            words.append(word)
            if len(words) == 3:
                break
        if len(words) == 3:  # a third word that could be a verb stays only before punctuation or a preposition
            tail = line[m.end():].split(words[2], 1)[1] if words[2] in line[m.end():] else ""
            if not THIRD_WORD_BEFORE.match(tail):
                words.pop()
        after = line[m.end():].split(words[-1], 1)[1] if words and words[-1] in line[m.end():] else ""
        if len(words) >= 2 and OBJECT_NEXT.match(after) and "VERB" in _lemmas().getAllLemmas(words[-1].lower()):
            words.pop()  # "the group needs it": "needs" is the verb
        while words and "NOUN" not in _lemmas().getAllLemmas(words[-1].lower()) and not words[-1].isupper():
            words.pop()
        if words and words[-1].lower() in NUMBER_WORDS:
            continue
        if not words or (len(words) == 1 and words[0].lower() in GENERIC) or words[0].lower() in ORDINAL:
            continue
        phrase = " ".join(turn_round([m.group(1).lower(), *words]))
        if phrase not in out:
            out.append(phrase)
    return out
