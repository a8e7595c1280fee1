"""Prompts as files: prompts/<name>.yaml (system:, prompt:, version:, optional parts:), loaded by name.

Templates use `$var` / `${var}` (string.Template); a variable the caller did not give raises
BadInput naming the prompt and the variable, so a prompt never renders with a blank hole. `parts`
holds pieces the code chooses between or assembles (a line per temperament, per move, per
optional fact), each a template or a mapping of templates.

Loading is cached by path and modification time, so an edited file is read again. Every render
is recorded by the active `recording()` blocks: an eval run lists the prompts and versions that
actually produced its figures.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from string import Template

from pydantic import Field

from app.config import PROMPTS
from app.errors import BadInput
from app.schemas import Strict
from app.yamlfile import as_mapping, load_yaml, validate

FIX = "restore prompts/ from git, or give the prompt the variables it uses"

# Not a registry of prompts: the open `recording()` blocks (an eval run lists the prompt versions it
# sent); empty, and so free, whenever no eval is running.
_recorders: list[dict[str, str]] = []
_lock = threading.Lock()


class Prompt(Strict):
    """One prompt file. `name` is its path under prompts/ without .yaml (e.g. runtime/ask)."""

    name: str
    version: str = Field(min_length=1)
    system: str = ""
    prompt: str = ""
    parts: dict[str, str | dict[str, str]] = Field(default_factory=dict)

    def fill(self, template: str, **values: object) -> str:
        """`template` with its $vars filled; BadInput naming the first missing one."""
        try:
            text = Template(template).substitute({k: str(v) for k, v in values.items()})
        except KeyError as exc:
            raise BadInput(f"Prompt {self.name} needs a value for ${exc.args[0]}.", FIX) from exc
        except ValueError as exc:
            raise BadInput(f"Prompt {self.name} has a malformed placeholder: {exc}.", FIX) from exc
        _record(self)
        return text

    def system_text(self, **values: object) -> str:
        return self.fill(self.system, **values)

    def user_text(self, **values: object) -> str:
        return self.fill(self.prompt, **values)

    def part(self, key: str, choice: str | None = None, **values: object) -> str:
        """The part `key` (or, for a mapping part, its entry `choice`) with its $vars filled."""
        piece = self.parts.get(key)
        if isinstance(piece, dict):
            if choice is None or choice not in piece:
                raise BadInput(f"Prompt {self.name} has no '{choice}' under parts.{key}.", FIX)
            piece = piece[choice]
        elif piece is None or choice is not None:
            raise BadInput(f"Prompt {self.name} has no text part '{key}'.", FIX)
        return self.fill(piece, **values)

    def template(self, key: str) -> str:
        """The raw template of the text part `key`, unfilled (e.g. to find its fixed words)."""
        piece = self.parts.get(key)
        if not isinstance(piece, str):
            raise BadInput(f"Prompt {self.name} has no text part '{key}'.", FIX)
        return piece

    def choices(self, key: str) -> dict[str, str]:
        """The raw templates of the mapping part `key` (e.g. to list which moves have a direction)."""
        piece = self.parts.get(key)
        if not isinstance(piece, dict):
            raise BadInput(f"Prompt {self.name} has no mapping part '{key}'.", FIX)
        return dict(piece)

    def messages(self, **values: object) -> list[dict[str, str]]:
        """[system, user]: the system text and the prompt template filled with `values`."""
        return [{"role": "system", "content": self.system_text(**values)},
                {"role": "user", "content": self.user_text(**values)}]


@lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int, name: str) -> Prompt:
    data = dict(as_mapping(load_yaml(path, "Prompt file", fix=FIX), path, "Prompt file", fix=FIX))
    data.setdefault("name", name)
    return validate(data, Prompt, path, "Prompt file", fix=FIX)


def load(name: str, root: Path | None = None) -> Prompt:
    """The prompt prompts/<name>.yaml (under `root`, default the shipped prompts/ folder)."""
    path = (root or PROMPTS) / f"{name}.yaml"
    if not path.is_file():
        raise BadInput(f"Prompt file {path} is missing.", "restore prompts/ from git")
    return _read(path, path.stat().st_mtime_ns, name)


def _record(prompt: Prompt) -> None:
    if _recorders:
        with _lock:
            for used in _recorders:
                used[prompt.name] = prompt.version


@contextmanager
def recording() -> Iterator[dict[str, str]]:
    """Within the block, the returned dict fills with {prompt name: version} for every prompt rendered."""
    used: dict[str, str] = {}
    with _lock:
        _recorders.append(used)
    try:
        yield used
    finally:
        with _lock:
            _recorders.remove(used)


def runtime_versions(root: Path | None = None) -> dict[str, str]:
    """{name: version} of every prompt under prompts/runtime/ (what the product can send)."""
    folder = (root or PROMPTS) / "runtime"
    return {f"runtime/{p.stem}": load(f"runtime/{p.stem}", root).version for p in sorted(folder.glob("*.yaml"))}


__all__ = ["Prompt", "load", "recording", "runtime_versions"]


def warmup_messages(root: Path | None = None) -> list[dict[str, str]]:
    """The short conversation that primes a model at start-up (`upward serve`)."""
    return [{"role": "user", "content": load("runtime/warmup", root).user_text()}]
