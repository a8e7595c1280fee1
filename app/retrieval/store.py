"""The Chroma boundary: which client, which collections, and keeping the knowledge index current.

The knowledge index lives in a collection named `upward-knowledge-<hash>`, where the hash covers
the cards, the embedding model and INDEX_VERSION. A rebuild writes a new collection and only
then deletes the old ones, so a failure midway leaves the previous index serving searches.
A collection counts as complete when it holds as many entries as its metadata promises.
Ingested documents live in `upward-documents`, which a knowledge rebuild never touches.
Writes go in batches no larger than the client's limit; a damaged local store is reported with
the folder to delete, never as a raw database error.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError
from chromadb.utils.embedding_functions import register_embedding_function

from app.config import Settings, or_environment, private_dir
from app.errors import BadInput, DataCorrupt, StoreUnavailable
from app.retrieval.cards import INDEX_VERSION, Card, content_hash, load_cards
from app.retrieval.embedding import MAX_TOKENS, MODEL_ID, embed, embed_cached

log = logging.getLogger(__name__)

KNOWLEDGE_PREFIX = "upward-knowledge"
DOCUMENTS = "upward-documents"
WRITE_BATCH = 128


@register_embedding_function
class UpwardEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of the model; registered so a reopened collection rebuilds it offline."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return list(embed(list(input)))

    @staticmethod
    def name() -> str:
        return "upward-minilm-onnx"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_ID, "max_tokens": MAX_TOKENS}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> UpwardEmbeddingFunction:
        return UpwardEmbeddingFunction()

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]


def chroma_dir(settings: Settings) -> Path:
    """Where the persistent client keeps its files."""
    return Path(settings.data_dir) / "chroma"


def _parse_url(url: str) -> tuple[str, int, bool]:
    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise BadInput(
            f"UPWARD_CHROMA_URL={url!r} is not an http(s)://host:port address.",
            fix="Set it like http://127.0.0.1:8000, or unset it to use the local index.",
        )
    ssl = parsed.scheme == "https"
    try:
        port = parsed.port or (443 if ssl else 8000)
    except ValueError as exc:
        raise BadInput(f"UPWARD_CHROMA_URL={url!r} has a bad port: {exc}.") from exc
    return parsed.hostname, port, ssl


def unavailable(url: str, detail: object = "") -> StoreUnavailable:
    """The error for a Chroma server we cannot reach, with the two ways out."""
    host, port, _ = _parse_url(url)
    why = f" ({detail})" if detail else ""
    return StoreUnavailable(
        f"Could not reach the Chroma server at {url}{why}.",
        fix=f"Start it with `chroma run --path DIR --host {host} --port {port}`, "
        "or unset UPWARD_CHROMA_URL to use the local index in the data directory.",
    )


def damaged(settings: Settings, detail: object) -> DataCorrupt:
    """The error for a local index that cannot be read, with the way out."""
    path = chroma_dir(settings)
    return DataCorrupt(
        f"The search index in {path} is damaged ({str(detail).splitlines()[0][:160]}).",
        fix=f"delete that folder (rm -r '{path}'): the guidance index is rebuilt on the next search; "
        "then run `upward ingest` again for your own documents",
    )


@contextlib.contextmanager
def store_errors(settings: Settings) -> Iterator[None]:
    """Turn a dropped connection to a Chroma server into StoreUnavailable, a damaged local store into DataCorrupt."""
    try:
        yield
    except (InternalError, sqlite3.DatabaseError) as exc:
        if settings.chroma_url:
            raise unavailable(settings.chroma_url, exc) from exc
        raise damaged(settings, exc) from exc
    except (httpx.TransportError, ConnectionError) as exc:
        if settings.chroma_url:
            raise unavailable(settings.chroma_url, type(exc).__name__) from exc
        raise
    except ValueError as exc:
        if settings.chroma_url and "Could not connect" in str(exc):
            raise unavailable(settings.chroma_url, exc) from exc
        raise


def make_client(settings: Settings | None = None) -> ClientAPI:
    """A persistent client in the data directory, or an HTTP client when chroma_url is set."""
    settings = or_environment(settings)
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        host, port, ssl = _parse_url(settings.chroma_url)
        try:
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
            client.heartbeat()
        except Exception as exc:  # chromadb reports a refused connection as ValueError or httpx errors
            raise unavailable(settings.chroma_url, exc) from exc
        return client
    private_dir(Path(settings.data_dir))
    path = private_dir(chroma_dir(settings))
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except (InternalError, sqlite3.DatabaseError) as exc:
        raise damaged(settings, exc) from exc


def write_batches(client: ClientAPI, collection: Collection, ids: Sequence[str], embeddings: Any,
                  documents: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None:
    """Upsert in batches no larger than the client accepts (5,461 for the local store), so a large
    document (thousands of chunks) goes in instead of failing after minutes of embedding."""
    size = max(1, min(client.get_max_batch_size(), 4096))
    for start in range(0, len(ids), size):
        end = start + size
        collection.upsert(ids=list(ids[start:end]), embeddings=embeddings[start:end],
                          documents=list(documents[start:end]), metadatas=list(metadatas[start:end]))


def delete_batches(client: ClientAPI, collection: Collection, ids: Sequence[str]) -> None:
    """Delete ids in batches the client accepts."""
    size = max(1, min(client.get_max_batch_size(), 4096))
    for start in range(0, len(ids), size):
        collection.delete(ids=list(ids[start:start + size]))


def _collection(client: ClientAPI, name: str, metadata: dict[str, Any] | None = None) -> Collection:
    return client.get_or_create_collection(
        name=name,
        embedding_function=UpwardEmbeddingFunction(),  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
        metadata=metadata,
    )


def documents_collection(client: ClientAPI) -> Collection:
    """The collection of the person's ingested documents (created if missing)."""
    return _collection(client, DOCUMENTS, {"kind": "documents", "model": MODEL_ID})


def knowledge_name(digest: str) -> str:
    """Collection name for one version of the knowledge index."""
    return f"{KNOWLEDGE_PREFIX}-{digest[:16]}"


def _is_complete(collection: Collection) -> bool:
    expected = (collection.metadata or {}).get("cards")
    return isinstance(expected, int) and collection.count() == expected


def _card_metadata(card: Card) -> dict[str, Any]:
    return {
        "source": card.source,
        "title": card.title,
        # Chroma metadata values are scalars; lists are stored joined with | around each item.
        "topics": "|" + "|".join(card.topics) + "|",
        "scenarios": "|" + "|".join(card.scenarios) + "|",
        "hint": card.hint,
    }


def build_knowledge(client: ClientAPI, cards: list[Card], digest: str) -> Collection:
    """Write a fresh collection for this digest, then drop older versions.

    Embedding happens before anything is written, and a failed write removes its partial
    collection, so the previous version keeps serving until the new one is complete.
    """
    name = knowledge_name(digest)
    vectors = embed_cached([c.embedding_text() for c in cards])  # a rebuild elsewhere in this process embedded most
    with contextlib.suppress(Exception):  # a half-built leftover of this same version
        client.delete_collection(name)
    metadata = {"kind": "knowledge", "content_hash": digest, "cards": len(cards), "model": MODEL_ID,
                "index_version": INDEX_VERSION}
    collection = _collection(client, name, metadata)
    try:
        for start in range(0, len(cards), WRITE_BATCH):
            part = cards[start : start + WRITE_BATCH]
            collection.add(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + len(part)],
                documents=[c.text for c in part],
                metadatas=[_card_metadata(c) for c in part],  # type: ignore[misc]
            )
        if not _is_complete(collection):
            raise StoreUnavailable(f"The knowledge index {name} did not store every card; try again.")
    except BaseException:
        with contextlib.suppress(Exception):
            client.delete_collection(name)
        raise
    for other in client.list_collections():
        if other.name.startswith(KNOWLEDGE_PREFIX) and other.name != name:
            with contextlib.suppress(Exception):
                client.delete_collection(other.name)
    return collection


def knowledge_collection(
    client: ClientAPI, settings: Settings | None = None, cards: list[Card] | None = None
) -> tuple[Collection, list[Card], bool]:
    """The current knowledge collection, its cards, and whether it was (re)built just now."""
    settings = or_environment(settings)
    knowledge_dir = Path(settings.knowledge_dir)
    with store_errors(settings):
        digest = content_hash(knowledge_dir, MODEL_ID)
        cards = load_cards(knowledge_dir) if cards is None else cards
        name = knowledge_name(digest)
        existing = {c.name for c in client.list_collections()}
        if name in existing:
            collection = _collection(client, name)
            if _is_complete(collection):
                return collection, cards, False
            log.info("knowledge index %s is incomplete; rebuilding", name)
        log.info("building knowledge index %s from %d cards", name, len(cards))
        return build_knowledge(client, cards, digest), cards, True
