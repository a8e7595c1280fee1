"""`upward ingest`: add a person's own documents (Markdown, text, HTML, PDF) to the search index.

Every file is read and chunked before anything is written, so a bad file is reported and
skipped while the rest go in, and nothing readable means nothing changes. Chunk ids hash the
file path and chunk content, so re-ingesting the same files is a no-op, and a changed file's
old chunks are removed.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from app.config import Settings, or_environment
from app.errors import BadInput

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES
CHUNK_CHARS = 800
OVERLAP_CHARS = 150
MAX_FILE_BYTES = 50_000_000
# HTML elements that are page furniture, not the document's text.
NOT_CONTENT = ["script", "style", "nav", "noscript", "title", "header", "footer", "aside", "form", "template"]

Progress = Callable[[int, int, str], None]


class Skipped(BaseModel):
    """A file that was not ingested, and why (in words a person can act on)."""

    model_config = ConfigDict(extra="forbid")
    path: str
    reason: str


class IngestReport(BaseModel):
    """What an ingest did: files added (or refreshed), chunks written, files skipped."""

    model_config = ConfigDict(extra="forbid")
    added: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    chunks: int = 0
    removed_chunks: int = 0
    skipped: list[Skipped] = Field(default_factory=list)


class Unreadable(Exception):
    """A file we cannot turn into text; the message is the reason shown to the person."""


# -- reading -----------------------------------------------------------------------------------


def _decode_text(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise Unreadable("is not valid UTF-16 text") from exc
    if b"\0" in data[:8192]:
        raise Unreadable("looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")  # old Windows exports; undefined bytes mean it is not text
    except UnicodeDecodeError as exc:
        raise Unreadable("looks like a binary file, not text") from exc
    if sum(not (c.isprintable() or c.isspace()) for c in text) > len(text) * 0.02:
        raise Unreadable("looks like a binary file, not text")
    return text


def _read_html(data: bytes) -> tuple[str, str | None]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode_text(data), "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else None
    for tag in soup(NOT_CONTENT):
        tag.decompose()
    blocks = [b.strip() for b in soup.get_text("\n").splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(blocks))
    return text, title or None


def _read_pdf(path: Path) -> str:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed files are reported, not logged
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise Unreadable("is an encrypted PDF; save an unprotected copy and ingest that")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Unreadable:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise Unreadable(f"is not a readable PDF ({type(exc).__name__}: {exc})") from exc
    return "\n\n".join(p.strip() for p in pages if p.strip())


def read_document(path: Path) -> tuple[str, str]:
    """(title, text) of one file; Unreadable with the reason when it cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise Unreadable(f"is not a supported type ({', '.join(sorted(SUPPORTED))})")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES / 1e6
            raise Unreadable(f"is too large ({size / 1e6:.0f} MB; the limit is {limit:.0f} MB)")
        title: str | None = None
        if suffix in PDF_SUFFIXES:
            text = _read_pdf(path)
        elif suffix in HTML_SUFFIXES:
            text, title = _read_html(path.read_bytes())
        else:
            text = _decode_text(path.read_bytes())
            heading = re.search(r"^#\s+(.+)$", text, flags=re.MULTILINE)
            title = heading.group(1).strip() if heading and suffix != ".txt" else None
    except OSError as exc:
        raise Unreadable(f"could not be read ({exc.strerror or exc})") from exc
    if not text.strip():
        raise Unreadable("contains no text (a scanned PDF needs OCR first)")
    return title or path.name, text


# -- chunking ----------------------------------------------------------------------------------


def _pieces(text: str, limit: int) -> Iterable[str]:
    """Paragraphs, with any paragraph longer than `limit` split at sentence (or word) boundaries."""
    for para in re.split(r"\n\s*\n", text):
        para = re.sub(r"[ \t]+", " ", para).strip()
        if not para:
            continue
        if len(para) <= limit:
            yield para
            continue
        current = ""
        for sentence in re.split(r"(?<=[.!?])\s+", para):
            while len(sentence) > limit:
                cut = sentence.rfind(" ", 0, limit)
                cut = cut if cut > limit // 2 else limit
                if current:
                    yield current
                    current = ""
                yield sentence[:cut].strip()
                sentence = sentence[cut:].strip()
            if current and len(current) + 1 + len(sentence) > limit:
                yield current
                current = ""
            current = f"{current} {sentence}".strip()
        if current:
            yield current


def chunk_text(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[str]:
    """~size-character chunks on paragraph boundaries; each starts with the tail of the previous."""
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for piece in _pieces(text, size):
        if current and length + len(piece) + 2 > size:
            chunks.append("\n\n".join(current))
            tail = current[-1][-overlap:] if overlap else ""
            if tail and len(tail) < len(current[-1]):
                tail = tail[tail.find(" ") + 1 :] if " " in tail else tail
            current, length = ([tail], len(tail)) if tail else ([], 0)
        current.append(piece)
        length += len(piece) + 2
    if current:
        chunks.append("\n\n".join(current))
    return [c for c in chunks if c.strip()]


def chunk_id(path: str, index: int, text: str) -> str:
    """Stable id from the file path, position and content: re-ingesting is idempotent."""
    return "doc-" + hashlib.sha256(f"{path}\0{index}\0{text}".encode()).hexdigest()[:24]


# -- the command -------------------------------------------------------------------------------


def _expand(paths: Sequence[str | Path], skipped: list[Skipped]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if any(part.startswith(".") for part in rel):
                    continue  # hidden files and folders (.git, .DS_Store) are not documents
                if child.is_file():
                    files.append(child)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            skipped.append(Skipped(path=str(path), reason="is not a regular file"))
        else:
            skipped.append(Skipped(path=str(path), reason="does not exist"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        resolved = f.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(resolved)
    return unique


def _tqdm_progress(total: int) -> tuple[Progress | None, Callable[[], None]]:
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="file", file=sys.stderr, desc="Ingesting")

    def update(done: int, total: int, name: str) -> None:
        bar.set_postfix_str(name[-40:], refresh=False)
        bar.update(done - bar.n)

    return update, bar.close


def ingest(
    paths: Sequence[str | Path],
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> IngestReport:
    """Read, chunk, embed and store documents; unreadable files are reported and skipped."""
    from app.retrieval import search as search_module
    from app.retrieval import store
    from app.retrieval.embedding import MODEL_ID, embed

    settings = or_environment(settings)
    if not paths:
        raise BadInput("Name at least one file or folder to ingest.", fix="upward ingest NOTES.md docs/")
    report = IngestReport()
    files = _expand(paths, report.skipped)
    close: Callable[[], None] = lambda: None  # noqa: E731
    if progress is None:
        progress, close = _tqdm_progress(len(files))

    # Read everything first: nothing is written until we know what is usable.
    docs: list[tuple[Path, str, list[str]]] = []
    try:
        for i, path in enumerate(files, start=1):
            try:
                title, text = read_document(path)
                chunks = chunk_text(text)
                if not chunks:
                    raise Unreadable("contains no text")
                docs.append((path, title, chunks))
            except Unreadable as exc:
                report.skipped.append(Skipped(path=str(path), reason=str(exc)))
            if progress is not None:
                progress(i, len(files), path.name)
    finally:
        close()
    if not docs:
        why = "; ".join(f"{s.path}: {s.reason}" for s in report.skipped) or "no files found"
        raise BadInput(
            f"Nothing readable to ingest ({why}).",
            fix="Give Markdown (.md), text (.txt), HTML (.html) or PDF (.pdf) files, or folders of them.",
        )

    all_chunks = [(path, title, i, c) for path, title, chunks in docs for i, c in enumerate(chunks)]
    vectors = embed([c for _, _, _, c in all_chunks])  # the slow part; fails before any write

    client = store.make_client(settings)
    with store.store_errors(settings):
        if rebuild:
            names = {c.name for c in client.list_collections()}
            if store.DOCUMENTS in names:
                client.delete_collection(store.DOCUMENTS)
        collection = store.documents_collection(client)
        offset = 0
        for path, title, chunks in docs:
            key = str(path)
            ids = [chunk_id(key, i, c) for i, c in enumerate(chunks)]
            existing = set(collection.get(where={"path": key}, include=[])["ids"])
            stale = sorted(existing - set(ids))
            fresh = [i for i, cid in enumerate(ids) if cid not in existing]
            if stale:
                store.delete_batches(client, collection, stale)
                report.removed_chunks += len(stale)
            if fresh:
                store.write_batches(
                    client, collection,
                    ids=[ids[i] for i in fresh],
                    embeddings=vectors[[offset + i for i in fresh]],
                    documents=[chunks[i] for i in fresh],
                    metadatas=[
                        {"path": key, "source": path.name, "title": title, "chunk": i, "model": MODEL_ID}
                        for i in fresh
                    ],
                )
            if fresh or stale:
                report.added.append(key)
            else:
                report.unchanged.append(key)
            report.chunks += len(chunks)
            offset += len(chunks)
    search_module.invalidate_documents()
    return report
