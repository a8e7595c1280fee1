"""Models by name: `local/smollm2` (embedded), `fake/<name>` (scripted), or any litellm id.

The in-process kinds are resolved here; any other id is checked by litellm (its provider and
credentials), which `app.llm.gateway` imports only when such an id is asked for.
"""

from __future__ import annotations

from app.config import Settings
from app.errors import UnknownModel, UpwardError
from app.llm import local
from app.llm.model import MODEL_HELP, FakeModel, LocalModel, Model


def model(model: str | Model | None, settings: Settings) -> Model:
    """The Model for an id (None: the configured one); a ConfigError that says the fix before any call."""
    if isinstance(model, Model):
        return model
    name = (model or settings.model).strip()
    if not name or "/" not in name and not name.replace("-", "").replace(".", "").isalnum():
        raise UnknownModel(f"'{name}' is not a model id.", MODEL_HELP)
    if name.startswith("local/"):
        if name != local.MODEL_ID:
            raise UnknownModel(f"There is no embedded model called '{name}'.", MODEL_HELP)
        return LocalModel(name, "local", settings.local_context, settings)
    if name.startswith("fake/"):
        return FakeModel(name, "fake", settings.local_context, settings)
    from app.llm import gateway  # litellm: heavy, and only a provider over HTTP needs it to resolve

    return gateway.remote_model(name, settings)


def in_process(model_id: str, settings: Settings) -> Model | None:
    """The Model when the id names an engine in this process (embedded, fake), else None; never imports
    litellm and never raises (a bad id is reported where it is used)."""
    if not model_id.strip().startswith(("local/", "fake/")):
        return None
    try:
        return model(model_id, settings)
    except UpwardError:
        return None
