"""What produced a report: the prompt files' versions and the knowledge index version."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.config import Settings
from app.errors import BadInput
from app.yamlfile import parse_yaml


def _short(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def prompt_versions(prompts_dir: Path) -> dict[str, str]:
    """Each prompt YAML's `version` field, or its content hash; plus a hash of the whole tree."""
    versions: dict[str, str] = {}
    tree = hashlib.sha256()
    for path in sorted(prompts_dir.rglob("*.y*ml")) if prompts_dir.is_dir() else []:
        rel = path.relative_to(prompts_dir).as_posix()
        raw = path.read_bytes()
        tree.update(rel.encode() + b"\0" + hashlib.sha256(raw).digest())
        try:
            data = parse_yaml(raw, path)
        except BadInput:
            data = None  # still listed, by its hash
        version = data.get("version") if isinstance(data, dict) else None
        versions[f"prompts/{rel}"] = f"{version} ({_short(raw)})" if version else _short(raw)
    versions["prompts/"] = tree.hexdigest()[:12]
    return versions


def used_prompts(used: dict[str, str]) -> dict[str, str]:
    """The prompts rendered during a run (app.prompts.recording), as "sent prompts/<name>.yaml": version."""
    return {f"sent prompts/{name}.yaml": version for name, version in sorted(used.items())}


def knowledge_version(settings: Settings) -> dict[str, str]:
    """The knowledge index version (the same content hash the vector store keys its index on)."""
    from app.retrieval.cards import INDEX_VERSION, card_paths, content_hash
    from app.retrieval.embedding import MODEL_ID

    knowledge = Path(settings.knowledge_dir)
    return {
        "knowledge index": content_hash(knowledge, MODEL_ID)[:16],
        "knowledge cards": str(len(card_paths(knowledge))),
        "index format": INDEX_VERSION,
        "embedding model": MODEL_ID,
    }


def data_versions(evals_dir: Path, files: list[str]) -> dict[str, str]:
    """Content hashes of the eval data and thresholds that produced the figures."""
    out = {}
    for name in [*files, "thresholds.yaml"]:
        path = evals_dir / name
        if path.is_file():
            out[f"evals/{name}"] = _short(path.read_bytes())
    return out
