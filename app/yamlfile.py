"""Read a YAML file and validate it into pydantic models, with errors that name the file and line.

Every data file the app reads (scenarios, rubric, voices, draft kinds, prompts, eval cases)
goes through here, so a broken file always reads the same way: "<what> <path> is not valid
YAML (line N): ..." or "<what> <path> is malformed: field: problem".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.errors import BadInput, UpwardError

M = TypeVar("M", bound=BaseModel)

# The libyaml parser is several times faster where PyYAML was built with it; same results.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def problems(exc: ValidationError, most: int = 5) -> str:
    """A pydantic error as "field: message; ..." for a person."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors()[:most])


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}: {problem}"


def parse_yaml(text: str | bytes, path: Path, what: str = "File", *, error: type[UpwardError] = BadInput,
               fix: str | None = None) -> Any:
    """`text` (read from `path`) parsed; `error` naming the file and line when it is not YAML."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise error(f"{what} {path} is not valid YAML{_yaml_problem(exc)}", fix) from exc


def load_yaml(path: Path, what: str = "File", *, error: type[UpwardError] = BadInput,
              fix: str | None = None) -> Any:
    """The parsed contents of `path`; `error` naming the file when it cannot be read or parsed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise error(f"{what} {path} could not be read: {reason}", fix) from exc
    return parse_yaml(text, path, what, error=error, fix=fix)


def as_mapping(data: Any, path: Path, what: str = "File", *, error: type[UpwardError] = BadInput,
               fix: str | None = None) -> dict[str, Any]:
    """`data` when it is a mapping; `error` naming the file when it is not."""
    if not isinstance(data, dict):
        raise error(f"{what} {path} must be a mapping of fields.", fix)
    return data


def validate(data: Any, model: type[M], path: Path, what: str = "File", *, error: type[UpwardError] = BadInput,
             fix: str | None = None) -> M:
    """`data` as a `model`; `error` naming the file and the fields that are wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(f"{what} {path} is malformed: {problems(exc)}.", fix) from exc


def load_model(path: Path, model: type[M], what: str = "File", *, error: type[UpwardError] = BadInput,
               fix: str | None = None) -> M:
    """The YAML mapping in `path` validated as a `model`."""
    data = as_mapping(load_yaml(path, what, error=error, fix=fix), path, what, error=error, fix=fix)
    return validate(data, model, path, what, error=error, fix=fix)
