"""Manager profiles from YAML or JSON files, with messages that name the field to fix, and the
web app's saved profiles, owned per browser like History: each browser's profiles live in a folder
of their own (0700, files 0600), so no browser can list or load another's private notes."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.config import Settings
from app.errors import BadInput
from app.schemas import ManagerProfile

DEFAULT_PROFILE = ManagerProfile(
    name="Your manager", role="Manager", priorities=["deliver the team's commitments"],
    pressures=["a full calendar"], communication_style="Direct; prefers the headline first.",
    temperament="busy", notes="",
)
MAX_PROFILE_BYTES = 64_000


def describe(exc: ValidationError) -> str:
    """Pydantic's errors as a person would say them: 'role: Field required; temperament: ...'."""
    parts = []
    for err in exc.errors()[:6]:
        field = ".".join(str(p) for p in err["loc"]) or "profile"
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "is missing"
        elif err["type"] == "extra_forbidden":
            msg = "is not a profile field (allowed: name, role, priorities, pressures, " \
                  "communication_style, temperament, notes)"
        elif err["type"] == "enum":
            msg = "must be one of supportive, skeptical, busy, explosive, reflective"
        parts.append(f"'{field}' {msg}")
    return "; ".join(parts)


def parse_profile(data: object, origin: str = "profile") -> ManagerProfile:
    if not isinstance(data, dict):
        raise BadInput(f"{origin} must be a mapping of fields (name, role, ...), not {type(data).__name__}.",
                       "see evals/managers/busy.yaml for an example")
    try:
        return ManagerProfile.model_validate(data)
    except RecursionError as exc:
        raise BadInput(f"{origin} is nested too deeply to be a profile.", "see evals/managers/busy.yaml") from exc
    except ValidationError as exc:
        raise BadInput(f"{origin}: {describe(exc)}.", "fix those fields; see evals/managers/busy.yaml") from exc


def load_profile(path: str | Path | None) -> ManagerProfile:
    """Read a manager profile file; None gives a generic busy manager."""
    if path is None:
        return DEFAULT_PROFILE
    p = Path(path)
    if p.is_dir():
        raise BadInput(f"Manager file {p} is a folder.", "pass the path of a YAML or JSON profile file")
    if not p.is_file():
        raise BadInput(f"Manager file {p} does not exist.", "pass the path of a YAML or JSON profile")
    try:
        if p.stat().st_size > MAX_PROFILE_BYTES:
            raise BadInput(f"Manager file {p} is larger than {MAX_PROFILE_BYTES // 1000} kB.",
                           "trim it to the fields")
        text = p.read_text(encoding="utf-8")
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise BadInput(f"Manager file {p} is not text.", "save it as UTF-8 YAML or JSON") from exc
    except OSError as exc:
        raise BadInput(f"Manager file {p} could not be read ({exc.strerror or exc}).",
                       "check that you may read it (permissions), or pass another file") from exc
    except RecursionError as exc:  # nesting deep enough to exhaust the parser, yet under the size limit
        raise BadInput(f"Manager file {p} is nested too deeply to be a profile.",
                       "a profile is one mapping of fields; see evals/managers/busy.yaml") from exc
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        lineno = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)
        line = f" near line {lineno}" if lineno else ""
        raise BadInput(f"Manager file {p} is not valid YAML/JSON{line}.", "check indentation and quotes") from exc
    return parse_profile(data, f"Manager file {p}")


# -- saved profiles, per browser --------------------------------------------------------------------

OWNER = re.compile(r"[0-9a-f]{16,32}")
ACTIVE = ".active"  # the slug of the profile this browser used last, restored on the next visit


def slug(name: str) -> str:
    """A file-safe name for a profile ('Dana Reyes (VP)' -> 'dana-reyes-vp')."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "manager"


def profiles_dir(settings: Settings, owner: str) -> Path:
    """This browser's folder of saved profiles; BadInput for an owner id that is not one of ours."""
    if not isinstance(owner, str) or not OWNER.fullmatch(owner):
        raise BadInput("This page has not finished loading its browser id yet.", "wait a second and try again")
    return Path(settings.data_dir) / "profiles" / owner


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in (path, path.parent):
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # 0600
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def list_profiles(settings: Settings, owner: str) -> list[str]:
    """This browser's saved profiles, by slug ([] before the page knows its owner)."""
    if not owner or not OWNER.fullmatch(owner):
        return []
    folder = profiles_dir(settings, owner)
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def save_profile(profile: ManagerProfile, settings: Settings, owner: str) -> str:
    """Write the profile atomically as YAML for this browser, mark it active; returns its slug."""
    folder = profiles_dir(settings, owner)
    _private_dir(folder)
    name = slug(profile.name)
    _write(folder / f"{name}.yaml", yaml.safe_dump(profile.model_dump(mode="json"), sort_keys=False,
                                                   allow_unicode=True))
    set_active(name, settings, owner)
    return name


def read_profile(name: str, settings: Settings, owner: str) -> ManagerProfile:
    """One of this browser's saved profiles; BadInput when it is not there (or not this browser's)."""
    if not name or slug(name) != name:
        raise BadInput("Pick a saved profile from the list first.")
    path = profiles_dir(settings, owner) / f"{name}.yaml"
    if not path.is_file():
        raise BadInput(f"There is no saved profile '{name}' in this browser.", "pick one from the list, or save one")
    return load_profile(path)


def set_active(name: str, settings: Settings, owner: str) -> None:
    folder = profiles_dir(settings, owner)
    _private_dir(folder)
    _write(folder / ACTIVE, name)


def active_profile(settings: Settings, owner: str) -> tuple[str, ManagerProfile] | None:
    """The profile this browser used last (or its newest saved one), to fill the form on a new visit."""
    saved = list_profiles(settings, owner)
    if not saved:
        return None
    folder = profiles_dir(settings, owner)
    marker = folder / ACTIVE
    name = marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""
    if name not in saved:
        name = max(saved, key=lambda n: (folder / f"{n}.yaml").stat().st_mtime)
    try:
        return name, read_profile(name, settings, owner)
    except BadInput:
        return None
