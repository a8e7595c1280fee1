"""Manager profiles from YAML or JSON files, with messages that name the field to fix."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

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
