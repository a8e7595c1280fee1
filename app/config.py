"""All settings in one place: environment (prefix UPWARD_), an optional .env, then CLI flags."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "local/smollm2"


class Settings(BaseSettings):
    """Upward's configuration. Every field can be set as UPWARD_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="UPWARD_", env_file=".env", extra="ignore")

    model: str = Field(DEFAULT_MODEL, description="litellm model id, or local/smollm2, or fake/...")
    models: list[str] = Field(
        default_factory=list, description="extra model ids offered in the web app's model switcher"
    )
    api_base: str | None = Field(None, description="base URL for an OpenAI-compatible or Ollama server")
    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("upward", appauthor=False)))
    host: str = "127.0.0.1"
    port: int = 7860
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server")
    timeout: float = Field(60.0, gt=0, description="seconds before a model request is abandoned")
    retries: int = Field(2, ge=0, le=5, description="retries on transient provider errors")
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
    knowledge_dir: Path = Field(default_factory=lambda: Path(__file__).resolve().parent.parent / "knowledge")
    prompts_dir: Path = Field(default_factory=lambda: Path(__file__).resolve().parent.parent / "prompts")

    @field_validator("models", mode="before")
    @classmethod
    def _split_models(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [m.strip() for m in value.split(",") if m.strip()]
        return value

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with CLI flags applied (None means 'not given')."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return self.model_copy(update=given)


_settings: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read once."""
    global _settings
    if _settings is None:
        _settings = Settings()
    return _settings


def reset_settings() -> None:
    """Forget cached settings (tests change the environment between cases)."""
    global _settings
    _settings = None
