"""BM25 over a small corpus: the lexical half of hybrid search and the baseline it is judged against.

Written here (not a dependency) because the corpus is a few hundred passages and Okapi BM25
is twenty lines; the tokenizer lowercases, drops stop words and strips common English suffixes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from app.text import STOP

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOP_WORDS = frozenset(STOP)

# Longest first; a suffix is stripped only if a stem of 3+ letters remains.
_SUFFIXES = ("ational", "ization", "fulness", "iveness", "ations", "ation", "ments", "ment", "ness",
             "ings", "ing", "ies", "ied", "ers", "er", "ed", "ly", "es", "s")


def stem(word: str) -> str:
    """A light suffix stripper: enough to meet 'managers'/'manager' and 'meetings'/'meeting'."""
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            if suffix in ("s", "es") and word.endswith("ss"):
                return word
            return base
    return word


def tokenize(text: str) -> list[str]:
    """Lowercase words without stop words, stemmed."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


class BM25:
    """Okapi BM25 over documents given as strings; scores are non-negative, higher is better."""

    def __init__(self, documents: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.docs = [Counter(tokenize(d)) for d in documents]
        self.lengths = [sum(c.values()) for c in self.docs]
        self.avg_len = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        df: Counter[str] = Counter()
        for counts in self.docs:
            df.update(counts.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def __len__(self) -> int:
        return len(self.docs)

    def scores(self, query: str) -> list[float]:
        """One score per document, in corpus order."""
        terms = tokenize(query)
        out = []
        for counts, length in zip(self.docs, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / (self.avg_len or 1.0))
            s = 0.0
            for t in terms:
                tf = counts.get(t)
                if tf:
                    s += self.idf[t] * tf * (self.k1 + 1) / (tf + norm)
            out.append(s)
        return out

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """The k best (document index, score) pairs with a positive score, best first."""
        ranked = sorted(enumerate(self.scores(query)), key=lambda p: (-p[1], p[0]))
        return [(i, s) for i, s in ranked[:k] if s > 0]
