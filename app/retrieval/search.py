"""Hybrid search over the knowledge cards and the person's ingested documents.

Dense (MiniLM vectors in Chroma) and lexical (BM25) rankings are merged by reciprocal rank
fusion, which needs no score calibration between the two; cards written for the caller's
scenario or topics get a bounded boost. A warm Searcher per process keeps the client,
collections and BM25 index, and notices edited cards or newly ingested documents.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from app.config import Settings, or_environment
from app.errors import BadInput
from app.retrieval import store
from app.retrieval.cards import Card, stat_signature
from app.retrieval.embedding import embed, get_model
from app.retrieval.lexical import BM25
from app.schemas import Hit

MAX_QUERY_CHARS = 2000
RRF_K = 60  # the usual constant from the RRF paper; flat enough that neither ranking dominates
SCENARIO_BOOST = 0.5  # in units of one list's rank-1 contribution
TOPIC_BOOST = 0.25
CANDIDATES = 24
SOURCE_PENALTY = 0.25  # per card already picked from the same source, in units of a rank-1 contribution
REFRESH_SECONDS = 2.0  # how stale a warm Searcher's view of cards and documents may get


@dataclass(frozen=True)
class Entry:
    """One searchable passage: a knowledge card or a chunk of an ingested document."""

    id: str
    source: str
    title: str
    text: str
    topics: tuple[str, ...] = ()
    scenarios: tuple[str, ...] = ()
    is_card: bool = True
    hint: str = ""

    def hit(self, score: float) -> Hit:
        return Hit(source=self.source, title=self.title, card=self.id, text=self.text,
                   score=round(min(1.0, max(0.0, score)), 4))

    def lexical_text(self) -> str:
        return " ".join([self.title, " ".join(self.topics), " ".join(self.scenarios), self.text])


def validate_query(query: str) -> str:
    """The query, stripped; BadInput when empty or over the length limit."""
    if not isinstance(query, str) or not query.strip():
        raise BadInput("Type a question or a few words about your situation.")
    if len(query) > MAX_QUERY_CHARS:
        raise BadInput(
            f"The query is {len(query):,} characters; the limit is {MAX_QUERY_CHARS:,}.",
            fix="Shorten it to the heart of your situation, a sentence or two.",
        )
    return query.strip()


def diversify(fused: dict[str, float], by_id: dict[str, Entry], k: int, penalty: float) -> list[tuple[str, float]]:
    """Pick the top k greedily, docking each candidate a little for every pick already from its source.

    Fused RRF scores of neighbouring ranks differ by far less than `penalty`, so near-ties go to a
    source not yet shown (a second perspective) while a clearly better card still wins. Measured on
    evals/retrieval.yaml: recall@3 0.897 -> 0.956, recall@1 unchanged.
    """
    rest = dict(fused)
    seen: dict[str, int] = {}
    picked: list[tuple[str, float]] = []
    while rest and len(picked) < k:
        entry_id = min(rest, key=lambda e: (-(rest[e] - penalty * seen.get(by_id[e].source, 0)), e))
        # the docked score, which never rises from one pick to the next, so scores read best first
        picked.append((entry_id, rest.pop(entry_id) - penalty * seen.get(by_id[entry_id].source, 0)))
        source = by_id[entry_id].source
        seen[source] = seen.get(source, 0) + 1
    return picked


def _card_entry(card: Card) -> Entry:
    return Entry(card.id, card.source, card.title, card.text, tuple(card.topics), tuple(card.scenarios),
                 hint=card.hint)


def _doc_entry(chunk_id: str, text: str, meta: dict[str, Any]) -> Entry:
    name = str(meta.get("source") or meta.get("path") or chunk_id)
    return Entry(chunk_id, name, str(meta.get("title") or name), text, is_card=False)


class Searcher:
    """The warm state for searching one data directory / Chroma server and one knowledge dir."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client: ClientAPI = store.make_client(settings)
        self._lock = threading.RLock()
        self._signature: object = None
        self._doc_count = -1
        self._doc_state: tuple[str, int] = ("", -1)
        self._checked = 0.0
        self.entries: list[Entry] = []
        self.bm25 = BM25([])
        self.knowledge: Collection
        self.documents: Collection
        self.cards: dict[str, Entry] = {}
        self.docs: dict[str, Entry] = {}
        self._vectors: tuple[list[Entry], np.ndarray] | None = None
        self.rebuilt = False
        self.refresh(force=True)

    # -- keeping current -------------------------------------------------------------------

    def refresh(self, force: bool = False) -> None:
        """Reopen (or rebuild) the knowledge index if cards changed; reload documents if they did.

        Checked at most every REFRESH_SECONDS so repeated searches stay fast.
        """
        with self._lock, store.store_errors(self.settings):
            now = time.monotonic()
            if not force and self._doc_count >= 0 and now - self._checked < REFRESH_SECONDS:
                return
            self._checked = now
            signature = stat_signature(Path(self.settings.knowledge_dir))
            if signature != self._signature:
                self.knowledge, cards, self.rebuilt = store.knowledge_collection(self.client, self.settings)
                self.cards = {c.id: _card_entry(c) for c in cards}
                self._signature = signature
                self._doc_count = -1
            self.documents = store.documents_collection(self.client)
            count = self.documents.count()
            # A rebuild elsewhere replaces the collection (new id) even if the count matches.
            state = (str(self.documents.id), count)
            if count != self._doc_count or state != self._doc_state:
                got = self.documents.get(include=["documents", "metadatas"]) if count else None
                self.docs = {}
                if got is not None:
                    for cid, text, meta in zip(
                        got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
                    ):
                        self.docs[cid] = _doc_entry(cid, text or "", dict(meta or {}))
                self._doc_count = count
                self._doc_state = state
                self.entries = list(self.cards.values()) + list(self.docs.values())
                self.bm25 = BM25([e.lexical_text() for e in self.entries])
                self._vectors = None

    def invalidate_documents(self) -> None:
        """Forget the cached document chunks (called after an ingest in this process)."""
        with self._lock:
            self._doc_count = -1

    def _entry(self, entry_id: str) -> Entry | None:
        return self.cards.get(entry_id) or self.docs.get(entry_id)

    # -- rankings --------------------------------------------------------------------------

    def dense(self, vector: np.ndarray, n: int) -> list[tuple[Entry, float]]:
        """Nearest entries by cosine similarity across both collections, best first."""
        found: list[tuple[Entry, float]] = []
        with store.store_errors(self.settings):
            for collection, count in ((self.knowledge, len(self.cards)), (self.documents, self._doc_count)):
                if count <= 0:
                    continue
                res = collection.query(
                    query_embeddings=[vector], n_results=min(n, count), include=["distances"]
                )
                for cid, dist in zip(res["ids"][0], (res["distances"] or [[]])[0], strict=False):
                    entry = self._entry(cid)
                    if entry is not None:
                        found.append((entry, 1.0 - float(dist)))
        found.sort(key=lambda p: -p[1])
        return found[:n]

    def lexical(self, query: str, n: int) -> list[tuple[Entry, float]]:
        """BM25 ranking, best first."""
        return [(self.entries[i], s) for i, s in self.bm25.top(query, n)]

    def search(
        self, query: str, k: int = 4, *, scenario: str | None = None, topics: list[str] | None = None
    ) -> list[Hit]:
        """Hybrid search; scores in [0, 1], best first."""
        query = validate_query(query)
        if k < 1:
            raise BadInput(f"k must be at least 1 (got {k}).")
        with self._lock:
            self.refresh()
            if not self.entries:
                return []
            n = max(CANDIDATES, 3 * k)
            dense = self.dense(embed([query])[0], n)
            lexical = self.lexical(query, n)
            fused: dict[str, float] = {}
            by_id: dict[str, Entry] = {}
            for ranking in (dense, lexical):
                for rank, (entry, _) in enumerate(ranking, start=1):
                    fused[entry.id] = fused.get(entry.id, 0.0) + 1.0 / (RRF_K + rank)
                    by_id[entry.id] = entry
            wanted_topics = {t.lower() for t in topics or []}
            unit = 1.0 / (RRF_K + 1)  # what rank 1 in one list is worth
            ceiling = 2 * unit
            ceiling += SCENARIO_BOOST * unit if scenario else 0.0
            ceiling += TOPIC_BOOST * unit if wanted_topics else 0.0
            for entry_id, entry in by_id.items():
                if scenario and scenario in entry.scenarios:
                    fused[entry_id] += SCENARIO_BOOST * unit
                if wanted_topics and wanted_topics & {t.lower() for t in entry.topics}:
                    fused[entry_id] += TOPIC_BOOST * unit
            best = diversify(fused, by_id, k, SOURCE_PENALTY * unit)
            return [by_id[entry_id].hit(score / ceiling) for entry_id, score in best]

    def bm25_search(self, query: str, k: int = 4) -> list[Hit]:
        """The lexical baseline alone; scores relative to the best hit."""
        query = validate_query(query)
        with self._lock:
            self.refresh()
            ranked = self.lexical(query, k)
        top = ranked[0][1] if ranked else 1.0
        return [e.hit(s / top) for e, s in ranked]

    def dense_search(self, query: str, k: int = 4) -> list[Hit]:
        """Chroma nearest neighbours alone; score is cosine similarity clipped to [0, 1]."""
        query = validate_query(query)
        with self._lock:
            self.refresh()
            return [e.hit(s) for e, s in self.dense(embed([query])[0], k)]

    def vectors(self) -> tuple[list[Entry], np.ndarray]:
        """Every stored vector (cards then documents), read back from Chroma for brute force."""
        with self._lock:
            self.refresh()
            if self._vectors is None:
                entries: list[Entry] = []
                rows: list[np.ndarray] = []
                with store.store_errors(self.settings):
                    for collection in (self.knowledge, self.documents):
                        got = collection.get(include=["embeddings"])
                        embs = got["embeddings"]
                        if embs is None:
                            continue
                        for cid, vec in zip(got["ids"], embs, strict=True):
                            entry = self._entry(cid)
                            if entry is not None:
                                entries.append(entry)
                                rows.append(np.asarray(vec, dtype=np.float32))
                matrix = np.vstack(rows) if rows else np.zeros((0, 384), dtype=np.float32)
                self._vectors = (entries, matrix)
            return self._vectors

    def brute_force_search(self, query: str, k: int = 4) -> list[Hit]:
        """Exact cosine nearest neighbours with numpy over the same stored vectors."""
        query = validate_query(query)
        entries, matrix = self.vectors()
        if not entries:
            return []
        sims = matrix @ embed([query])[0]
        top = np.argsort(-sims)[:k]
        return [entries[i].hit(float(sims[i])) for i in top]


# A cache keyed by its real inputs: one warm Searcher per (data directory, Chroma server, knowledge
# directory), which is everything a Searcher reads; `Services.searcher` and `search()` both find it here.
_searchers: dict[tuple[str, str, str], Searcher] = {}
_searchers_lock = threading.Lock()


def get_searcher(settings: Settings | None = None) -> Searcher:
    """The warm Searcher for these settings, created on first use."""
    settings = or_environment(settings)
    key = (str(Path(settings.data_dir).resolve()), settings.chroma_url or "",
           str(Path(settings.knowledge_dir).resolve()))
    with _searchers_lock:
        searcher = _searchers.get(key)
        if searcher is None:
            searcher = _searchers[key] = Searcher(settings)
        return searcher


def reset_searchers() -> None:
    """Drop every warm Searcher (tests, or after the data directory is replaced)."""
    with _searchers_lock:
        _searchers.clear()


def invalidate_documents() -> None:
    """Tell every warm Searcher that the documents collection changed."""
    with _searchers_lock:
        for searcher in _searchers.values():
            searcher.invalidate_documents()


def search(
    query: str,
    k: int = 4,
    *,
    scenario: str | None = None,
    topics: list[str] | None = None,
    settings: Settings | None = None,
) -> list[Hit]:
    """Guidance cards and ingested passages for a query, best first, scores in [0, 1]."""
    query = validate_query(query)
    return get_searcher(settings).search(query, k, scenario=scenario, topics=topics)


def search_once(query: str, k: int = 4, *, settings: Settings | None = None) -> list[Hit]:
    """`search` for a process that asks one query and exits (`upward search`): the embedding model
    is loaded for that: about 0.1 s sooner to the answer (see MiniLM)."""
    query = validate_query(query)
    get_model(one_query=True)
    return search(query, k, settings=settings)


def card_hint(card_id: str, *, settings: Settings | None = None) -> str:
    """The one-line hint of a knowledge card ('' for a document chunk or an unknown id)."""
    entry = get_searcher(settings).cards.get(card_id)
    return entry.hint if entry is not None else ""


def bm25_search(query: str, k: int = 4, *, settings: Settings | None = None) -> list[Hit]:
    """The lexical baseline: BM25 alone over the same cards and documents."""
    return get_searcher(settings).bm25_search(query, k)


def dense_search(query: str, k: int = 4, *, settings: Settings | None = None) -> list[Hit]:
    """Dense retrieval alone (Chroma nearest neighbours)."""
    return get_searcher(settings).dense_search(query, k)


def brute_force_search(query: str, k: int = 4, *, settings: Settings | None = None) -> list[Hit]:
    """Exact nearest neighbours by numpy over the vectors stored in Chroma (the bench's yardstick)."""
    return get_searcher(settings).brute_force_search(query, k)
