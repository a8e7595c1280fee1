"""`ingest` with real files (md, txt, html, a real PDF), a real Chroma and the real embedding model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import config
from app.errors import BadInput
from app.retrieval import search as search_mod
from app.retrieval import store
from app.retrieval.ingest import chunk_text, ingest
from app.retrieval.search import search

CARD = """---
source: upward
title: A test card about preparing for a one-on-one
topics: [preparation]
scenarios: [status-report]
hint: Bring an agenda.
---
Bring a short written agenda to every one-on-one: {marker}
"""


def make_pdf(text: str) -> bytes:
    """A minimal, valid one-page PDF with `text` in Helvetica (offsets computed, so pypdf reads it)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Private data dir and a tiny private knowledge dir; returns a folder for documents."""
    knowledge = tmp_path / "knowledge" / "upward"
    knowledge.mkdir(parents=True)
    (knowledge / "one-on-one.md").write_text(CARD.format(marker="first"), encoding="utf-8")
    monkeypatch.setenv("UPWARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UPWARD_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    monkeypatch.delenv("UPWARD_CHROMA_URL", raising=False)
    config.reset_settings()
    search_mod.reset_searchers()
    docs = tmp_path / "docs"
    docs.mkdir()
    yield docs
    search_mod.reset_searchers()
    config.reset_settings()


def write_samples(docs: Path) -> None:
    (docs / "dana.md").write_text(
        "# Notes on Dana\n\nDana wants the headline first and hates surprises in staff meetings.\n",
        encoding="utf-8",
    )
    (docs / "goals.txt").write_text("Quarterly goal: ship the billing migration by June.\n", encoding="utf-8")
    (docs / "wiki.html").write_text(
        "<html><head><title>Team wiki</title><script>var tracking = 'secretscript';</script>"
        "<style>.x{color:red}</style></head><body><nav>Home | Menu | navlinks</nav>"
        "<p>Our director Priya reviews budget requests every second Thursday.</p></body></html>",
        encoding="utf-8",
    )
    (docs / "review.pdf").write_bytes(make_pdf("Performance review: Sam exceeded the onboarding targets."))


def doc_count() -> int:
    client = store.make_client(config.get_settings())
    return store.documents_collection(client).count()


def test_minimal_pdf_helper_is_a_real_pdf(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(make_pdf("hello pdf world"))
    assert "hello pdf world" in PdfReader(str(path)).pages[0].extract_text()


def test_ingests_md_txt_html_pdf_and_search_finds_them(env: Path) -> None:
    write_samples(env)
    report = ingest([env])
    assert sorted(Path(p).name for p in report.added) == ["dana.md", "goals.txt", "review.pdf", "wiki.html"]
    assert report.skipped == []
    assert report.chunks == doc_count() == 4

    for query, name in [
        ("Dana wants the headline first", "dana.md"),
        ("billing migration quarterly goal", "goals.txt"),
        ("director Priya budget requests Thursday", "wiki.html"),
        ("Sam exceeded the onboarding targets", "review.pdf"),
    ]:
        hits = search(query, k=3)
        assert hits[0].source == name, (query, [(h.source, h.card) for h in hits])
        assert 0.0 <= hits[0].score <= 1.0
    html_hit = search("director Priya budget requests", k=1)[0]
    assert html_hit.title == "Team wiki"
    for furniture in ("secretscript", "navlinks", ".x{"):
        assert furniture not in html_hit.text


def test_bad_files_are_skipped_and_reported_while_the_rest_go_in(env: Path) -> None:
    write_samples(env)
    (env / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage without xref")
    (env / "photo.txt").write_bytes(bytes(range(256)) * 20)
    (env / "archive.zip").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    report = ingest([env, env / "missing.md"])
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(skipped) == {"corrupt.pdf", "photo.txt", "archive.zip", "missing.md"}
    assert "PDF" in skipped["corrupt.pdf"]
    assert "binary" in skipped["photo.txt"]
    assert "supported" in skipped["archive.zip"]
    assert "does not exist" in skipped["missing.md"]
    assert len(report.added) == 4 and doc_count() == 4


def test_nothing_readable_is_bad_input_listing_why(env: Path) -> None:
    (env / "corrupt.pdf").write_bytes(b"%PDF-1.7 not really")
    (env / "blob.txt").write_bytes(b"\0\1\2\3" * 100)
    (env / "empty.md").write_text("  \n\n", encoding="utf-8")
    with pytest.raises(BadInput) as err:
        ingest([env])
    message = err.value.message
    assert "corrupt.pdf" in message and "blob.txt" in message and "empty.md" in message
    assert err.value.exit_code == 2
    assert doc_count() == 0  # nothing was written


def test_empty_directory_is_bad_input(env: Path) -> None:
    with pytest.raises(BadInput, match="Nothing readable"):
        ingest([env])


def test_reingest_is_idempotent_and_replaces_changed_files(env: Path) -> None:
    write_samples(env)
    first = ingest([env])
    again = ingest([env])
    assert doc_count() == first.chunks == again.chunks
    assert again.added == [] and len(again.unchanged) == 4

    (env / "goals.txt").write_text("Quarterly goal changed: hire two engineers.\n", encoding="utf-8")
    changed = ingest([env / "goals.txt"])
    assert [Path(p).name for p in changed.added] == ["goals.txt"] and changed.removed_chunks == 1
    assert doc_count() == first.chunks
    hit = search("quarterly goal", k=1)[0]
    assert hit.source == "goals.txt" and "hire two engineers" in hit.text


def test_rebuild_clears_previous_documents(env: Path) -> None:
    write_samples(env)
    ingest([env])
    other = env.parent / "other"
    other.mkdir()
    (other / "solo.md").write_text("Only this document should remain after a rebuild.\n", encoding="utf-8")
    report = ingest([other], rebuild=True)
    assert report.chunks == doc_count() == 1
    assert all(h.source in ("solo.md", "upward") for h in search("Dana wants the headline first", k=5))


def test_knowledge_rebuild_keeps_ingested_documents(env: Path) -> None:
    write_samples(env)
    ingest([env])
    card = Path(config.get_settings().knowledge_dir) / "upward" / "one-on-one.md"
    card.write_text(CARD.format(marker="second"), encoding="utf-8")
    search_mod.reset_searchers()
    assert search_mod.get_searcher().rebuilt
    assert doc_count() == 4
    assert search("Dana wants the headline first", k=1)[0].source == "dana.md"


def test_long_documents_are_chunked_with_overlap_and_progress_is_reported(env: Path) -> None:
    paragraphs = [f"Paragraph {i} talks about topic {i} with enough words to matter. " * 3 for i in range(30)]
    (env / "long.md").write_text("\n\n".join(paragraphs), encoding="utf-8")
    calls: list[tuple[int, int, str]] = []
    report = ingest([env], progress=lambda done, total, name: calls.append((done, total, name)))
    assert report.chunks > 5
    assert calls and calls[-1][:2] == (1, 1)
    chunks = chunk_text("\n\n".join(paragraphs))
    assert all(len(c) <= 800 + 200 for c in chunks)
    assert chunks[0][-40:] in chunks[1]  # the next chunk starts with the tail of the previous


def test_chunk_text_splits_one_huge_paragraph() -> None:
    chunks = chunk_text("word " * 2000)
    assert len(chunks) > 5 and all(len(c) <= 1000 for c in chunks)

