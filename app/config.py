"""All settings in one place: environment (prefix UPWARD_), an optional .env, then CLI flags.

Also the data directory's privacy: it is created 0700 and everything Upward writes there is
readable by its owner only (`private_dir`, `private_file`, and a 077 umask in the entry points).
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path
from typing import Annotated, Literal

from platformdirs import user_data_dir
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from app.errors import ConfigError

DEFAULT_MODEL = "local/smollm2"
ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ROOT / "prompts"      # the shipped prompts, scenarios, rubric and draft kinds
KNOWLEDGE = ROOT / "knowledge"  # the shipped guidance cards


class Settings(BaseSettings):
    """Upward's configuration. Every field can be set as UPWARD_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="UPWARD_", env_file=".env", extra="ignore")

    model: str = Field(DEFAULT_MODEL, description="litellm model id, or local/smollm2, or fake/...")
    models: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="extra model ids offered in the web app's model switcher"
    )
    api_base: str | None = Field(None, description="base URL for an OpenAI-compatible or Ollama server")
    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("upward", appauthor=False)))
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535, description="the web app's TCP port")
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server")
    timeout: float = Field(20.0, gt=0, description="seconds one request to a provider may take")
    deadline: float = Field(60.0, gt=0, description="seconds one model call may take in all, retries included")
    retries: int = Field(2, ge=0, le=5, description="retries on transient provider errors, within the deadline")
    local_context: int = Field(2048, ge=512, le=8192, description="context window of the embedded model")
    local_threads: int | None = Field(None, ge=1)
    hints: bool = True
    phrasing: Literal["auto", "free", "select"] = Field(
        "auto", description="how the model voices the manager: free text, or choosing among the scenario's lines "
        "(auto: select for the embedded 135M model, free for any other)")
    judge: Literal["auto", "on", "off"] = Field(
        "auto", description="blend the model's 0-4 judgement into debrief scores (auto: not for the embedded model)")
    username: str | None = None
    password: str | None = None
    knowledge_dir: Path = Field(default_factory=lambda: KNOWLEDGE)
    prompts_dir: Path = Field(default_factory=lambda: PROMPTS)

    @field_validator("models", mode="before")
    @classmethod
    def _split_models(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip().startswith("["):
                return [m.strip() for m in value.split(",") if m.strip()]
            try:
                return json.loads(value)
            except ValueError as exc:
                raise ValueError("write a comma-separated list of model ids, or a JSON list of strings") from exc
        return value

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with CLI flags applied (None means 'not given'), validated like the environment."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if not given:
            return self.model_copy()
        try:
            type(self).model_validate({**self.model_dump(), **given})
        except ValidationError as exc:
            raise _config_error(exc, flags=True) from exc
        return self.model_copy(update=given)


def _config_error(exc: ValidationError, flags: bool = False) -> ConfigError:
    """A settings validation error, naming the variable (or flag) and what is allowed."""
    first = exc.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else "?"
    where = f"--{name.replace('_', '-')}" if flags else f"UPWARD_{name.upper()}"
    value = first.get("input")
    shown = f"={value!r}" if isinstance(value, str | int | float) and len(str(value)) < 80 else ""
    fix = "check the value you passed" if flags else "fix or unset it in your environment or .env"
    why = str(first["msg"]).removeprefix("Value error, ")
    return ConfigError(f"Invalid setting {where}{shown}: {why}.", fix)


# A cache of the environment's settings, read once per process: the CLI and the web app build their
# Services from it, and nothing else reads it. Library functions take settings as an argument.
_settings: Settings | None = None


def load_settings() -> Settings:
    """Settings from the environment and .env; ConfigError (never a traceback) when they are unusable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise _config_error(exc) from exc
    except SettingsError as exc:
        cause = exc.__cause__ or exc
        raise ConfigError(f"Invalid setting: {exc} ({cause}).", "fix or unset it in your environment or .env") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"The .env file in {Path.cwd()} is not UTF-8 text ({exc.reason}).",
                          "save .env as UTF-8, or remove it") from exc
    except OSError as exc:
        raise ConfigError(f"The .env file in {Path.cwd()} could not be read ({exc.strerror or exc}).",
                          "fix its permissions, or remove it") from exc


def get_settings() -> Settings:
    """The environment's settings, read once per process: for the CLI and the web app to build Services."""
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def reset_settings() -> None:
    """Forget cached settings (tests change the environment between cases)."""
    global _settings
    _settings = None


# -- privacy on disk ------------------------------------------------------------------------------

PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """Make every file this process creates owner-only (0600 files, 0700 folders), Chroma's included."""
    os.umask(PRIVATE_UMASK)


def _data_dir_error(path: Path, why: str) -> ConfigError:
    return ConfigError(f"The data directory {path} {why}.",
                       "set UPWARD_DATA_DIR to a folder you can write to (it is created if missing)")


def private_dir(path: Path) -> Path:
    """Create `path` (0700) or tighten it to 0700; ConfigError when it cannot hold Upward's data."""
    path = Path(path)
    try:
        if path.exists() and not path.is_dir():
            raise _data_dir_error(path, "is a file, not a folder")
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o700)
    except ConfigError:
        raise
    except NotADirectoryError as exc:
        raise _data_dir_error(path, "is inside a file, not a folder") from exc
    except PermissionError as exc:
        raise _data_dir_error(path, "cannot be created or changed (permission denied)") from exc
    except OSError as exc:
        raise _data_dir_error(path, f"cannot be used ({exc.strerror or exc})") from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise _data_dir_error(path, "is read-only")
    return path


def private_file(path: Path) -> None:
    """Owner-only permissions for a file Upward wrote (a no-op when it is gone or already private)."""
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
    except FileNotFoundError:
        pass


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (a sibling part file, made owner-only, then renamed over it):
    a reader in another thread or process never sees a torn file. OSError and ConfigError go to the caller."""
    private_dir(path.parent)
    part = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    part.write_bytes(data)
    private_file(part)
    part.replace(path)


def data_dir(settings: Settings) -> Path:
    """The data directory, created private; everything Upward stores lives under it."""
    return private_dir(Path(settings.data_dir))


def exemplar_cache(settings: Settings) -> Path:
    """Where the exemplars' embedding vectors and the parsed word tables are kept between runs (inside the
    data directory)."""
    return Path(settings.data_dir) / "cache" / "exemplars"


def prompts_dir(settings: Settings | None) -> Path:
    """The prompts folder the settings name; the shipped one when a caller passes no settings."""
    return Path(settings.prompts_dir) if settings is not None else PROMPTS


def or_environment(settings: Settings | None) -> Settings:
    """`settings`, or for a library caller that passes none (a script, a test) the environment's, read
    now: there is no process-wide copy for such a caller to go stale against."""
    return settings if settings is not None else load_settings()
