"""Knowledge cards: Markdown files with YAML front matter under knowledge/<source-id>/<slug>.md.

A card is the unit the coach retrieves and cites. Loading is strict (a typo in a card should
fail loudly, naming the file), and the whole directory hashes to one version string so the
vector index knows when it is stale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.errors import BadInput

# Bump when the way cards become index entries changes (fields embedded, chunking, metadata).
INDEX_VERSION = "1"
# libyaml's loader when PyYAML was built with it: the 66 cards' front matter in 8 ms instead of
# 35 ms, on every `upward search` process. Errors are re-read by the pure-Python loader, whose
# message quotes the offending line.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The five source articles (../shared/sources/README.md) plus "upward", the project's own general
# techniques (SBI, DESC...); a card must cite one of them so answers can name where advice comes from.
KNOWN_SOURCES = ("coach-blog", "two-way", "betterup", "red-shoe", "pencil-or-ink", "upward")


class CardMeta(BaseModel):
    """The front matter of a card, as written by a person."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1)
    title: str = Field(min_length=1, max_length=200)
    topics: list[str] = Field(default_factory=list)
    scenarios: list[str] = Field(default_factory=list)
    hint: str = ""

    @field_validator("topics", "scenarios", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("hint", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return "" if value is None else value

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value not in KNOWN_SOURCES:
            raise ValueError(f"unknown source {value!r}; use one of: {', '.join(KNOWN_SOURCES)}")
        return value


class Card(CardMeta):
    """A loaded card: its front matter plus id (path under knowledge/ without .md) and body text."""

    id: str
    text: str = Field(min_length=1)

    def embedding_text(self) -> str:
        """What the dense index embeds: the title carries most of a card's meaning."""
        return f"{self.title}\n{self.text}"

    def lexical_text(self) -> str:
        """What BM25 indexes: title, topics, scenarios, hint and body."""
        return " ".join([self.title, " ".join(self.topics), " ".join(self.scenarios), self.hint, self.text])


def card_paths(knowledge_dir: Path) -> list[Path]:
    """Every card file under the knowledge directory, in a stable order (READMEs are not cards)."""
    if not knowledge_dir.is_dir():
        return []
    return sorted(
        p
        for p in knowledge_dir.rglob("*.md")
        if p.is_file()
        and p.name.lower() != "readme.md"
        and not any(part.startswith(".") for part in p.relative_to(knowledge_dir).parts)
    )


def _split_front_matter(raw: str, where: str) -> tuple[str, str]:
    text = raw.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise BadInput(
            f"Knowledge card {where} has no front matter.",
            fix="Start the file with a '---' line, the YAML fields (source, title, topics), then '---'.",
        )
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    raise BadInput(
        f"Knowledge card {where}: the front matter is never closed.",
        fix="Add a '---' line after the YAML fields.",
    )


def _front_matter(head: str) -> object:
    try:
        return yaml.load(head, Loader=SAFE_LOADER) or {}
    except yaml.YAMLError:
        return yaml.safe_load(head) or {}  # raises again, with the clearer message


def parse_card(path: Path, knowledge_dir: Path) -> Card:
    """Read one card; any problem raises BadInput naming the file and what is wrong."""
    card_id = path.relative_to(knowledge_dir).with_suffix("").as_posix()
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"Knowledge card {where} could not be read: {exc}") from exc
    head, body = _split_front_matter(raw, where)
    try:
        meta = _front_matter(head)
    except yaml.YAMLError as exc:
        raise BadInput(f"Knowledge card {where}: the front matter is not valid YAML ({exc}).") from exc
    if not isinstance(meta, dict):
        raise BadInput(f"Knowledge card {where}: the front matter must be YAML fields (key: value).")
    try:
        return Card(**meta, id=card_id, text=body.strip())
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'card'}: {err['msg']}" for err in exc.errors()
        )
        raise BadInput(
            f"Knowledge card {where} is malformed: {problems}.",
            fix="Fix the card's front matter (source, title, topics, scenarios, hint) and body.",
        ) from exc
    except TypeError as exc:  # a front-matter key collides with id/text
        raise BadInput(f"Knowledge card {where} is malformed: {exc}.") from exc


def load_cards(knowledge_dir: Path) -> list[Card]:
    """All cards under knowledge_dir, sorted by id."""
    return [parse_card(p, knowledge_dir) for p in card_paths(knowledge_dir)]


def content_hash(knowledge_dir: Path, model_id: str) -> str:
    """A version of the index: the cards' paths and bytes, the embedding model and INDEX_VERSION."""
    digest = hashlib.sha256(f"index:{INDEX_VERSION}\nmodel:{model_id}\n".encode())
    for path in card_paths(knowledge_dir):
        digest.update(path.relative_to(knowledge_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def stat_signature(knowledge_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """A cheap change detector (names, sizes, mtimes) so a warm process notices edited cards."""
    sig = []
    for path in card_paths(knowledge_dir):
        st = path.stat()
        sig.append((path.as_posix(), st.st_size, st.st_mtime_ns))
    return tuple(sig)
