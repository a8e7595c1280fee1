"""Retrieval against a real Chroma server (`chroma run`), selected by UPWARD_CHROMA_URL."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app import config
from app.errors import StoreUnavailable
from app.retrieval import search as search_mod
from app.retrieval.ingest import ingest
from app.retrieval.search import search

REPO_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
CHROMA = Path(sys.executable).parent / "chroma"

CARD = """---
source: upward
title: Rehearse the opening line before a hard conversation
topics: [preparation]
scenarios: [bad-news]
hint: Say it out loud.
---
Practise the first sentence of a difficult conversation until it comes out calmly: wombat.
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_chroma(root: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start `chroma run` on a free port, wait for its heartbeat, and always stop it."""
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = root / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(root / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"chroma run exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail("chroma run did not answer its heartbeat within 60 s")
                time.sleep(0.2)
            yield url, proc
        finally:
            stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server shared by this module's tests."""
    with running_chroma(tmp_path_factory.mktemp("chroma-server")) as (url, _):
        yield url


@pytest.fixture
def server_env(chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    knowledge = tmp_path / "knowledge"
    if REPO_KNOWLEDGE.is_dir():
        shutil.copytree(REPO_KNOWLEDGE, knowledge)
    (knowledge / "upward").mkdir(parents=True, exist_ok=True)
    (knowledge / "upward" / "server-test-card.md").write_text(CARD, encoding="utf-8")
    monkeypatch.setenv("UPWARD_CHROMA_URL", chroma_server)
    monkeypatch.setenv("UPWARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UPWARD_KNOWLEDGE_DIR", str(knowledge))
    config.reset_settings()
    search_mod.reset_searchers()
    yield tmp_path
    search_mod.reset_searchers()
    config.reset_settings()


@pytest.mark.server
def test_search_through_a_chroma_server(server_env: Path) -> None:
    hits = search("rehearse the opening line wombat", k=3)
    assert hits[0].card == "upward/server-test-card"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0.0 <= h.score <= 1.0 and h.source and h.title and h.text for h in hits)
    assert not (server_env / "data" / "chroma").exists()  # nothing went to the local store

    search_mod.reset_searchers()
    assert not search_mod.get_searcher().rebuilt  # the server kept the index


@pytest.mark.server
@pytest.mark.skipif(not (REPO_KNOWLEDGE / "betterup").is_dir(), reason="knowledge/betterup has no cards yet")
def test_explosive_boss_question_via_server(server_env: Path) -> None:
    assert search("my boss explodes when I bring bad news", k=4)[0].source == "betterup"


@pytest.mark.server
def test_ingest_through_a_chroma_server(server_env: Path) -> None:
    doc = server_env / "dana.md"
    doc.write_text("Dana wants the headline first and hates surprises in staff meetings.\n", encoding="utf-8")
    report = ingest([doc], rebuild=True)
    assert report.chunks == 1
    assert search("Dana wants the headline first", k=1)[0].source == "dana.md"


def test_a_down_server_is_store_unavailable_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("UPWARD_CHROMA_URL", url)
    monkeypatch.setenv("UPWARD_DATA_DIR", str(tmp_path / "data"))
    config.reset_settings()
    search_mod.reset_searchers()
    try:
        with pytest.raises(StoreUnavailable) as err:
            search("my boss explodes when I bring bad news")
        assert url in err.value.message
        assert err.value.fix and "chroma run" in err.value.fix and "UPWARD_CHROMA_URL" in err.value.fix
        assert err.value.exit_code == 1  # an outage, not bad input
    finally:
        search_mod.reset_searchers()
        config.reset_settings()


@pytest.mark.server
def test_a_server_that_dies_mid_session_is_store_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = tmp_path / "knowledge" / "upward"
    knowledge.mkdir(parents=True)
    (knowledge / "server-test-card.md").write_text(CARD, encoding="utf-8")
    monkeypatch.setenv("UPWARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UPWARD_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    monkeypatch.setattr(search_mod, "REFRESH_SECONDS", 0.0)
    try:
        with running_chroma(tmp_path) as (url, proc):
            monkeypatch.setenv("UPWARD_CHROMA_URL", url)
            config.reset_settings()
            search_mod.reset_searchers()
            assert search("rehearse the opening line wombat", k=1)[0].card == "upward/server-test-card"
            stop(proc)
            with pytest.raises(StoreUnavailable) as err:
                search("rehearse the opening line wombat", k=1)
            assert url in err.value.message
    finally:
        search_mod.reset_searchers()
        config.reset_settings()
