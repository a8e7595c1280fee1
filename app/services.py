"""What one running Upward works with: its settings, history store, knowledge searcher and models.

Built once by the CLI (`app.cli.main`) or the web app (`app.ui.build_ui`) and handed to the
services, instead of each module reaching for process-wide settings. The searcher opens Chroma
and a model may import litellm, so both are made on first use; creating Services is cheap.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.config import Settings
from app.history import History, get_history

if TYPE_CHECKING:
    from app.llm.model import Model
    from app.retrieval.search import Searcher


@dataclass
class Services:
    """One configuration's collaborators; `model(id)` resolves each id once (None: the configured model)."""

    settings: Settings
    _models: dict[str, Model] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def history(self) -> History:
        """The SQLite history in the data directory."""
        return get_history(self.settings)

    @property
    def searcher(self) -> Searcher:
        """The warm knowledge searcher (opens the index on first use)."""
        from app.retrieval.search import get_searcher  # chromadb: heavy, and `upward draft` may never search

        return get_searcher(self.settings)

    def model(self, model_id: str | Model | None = None) -> Model:
        """The Model for an id, checked once: an unknown id or a missing key raises a ConfigError."""
        from app.llm import registry  # the model layer: `upward search` and `upward history` never need it
        from app.llm.model import Model

        if isinstance(model_id, Model):
            return model_id
        name = model_id or self.settings.model
        with self._lock:
            found = self._models.get(name)
        if found is None:
            found = registry.model(name, self.settings)  # outside the lock: a remote id imports litellm
            with self._lock:
                found = self._models.setdefault(name, found)
        return found
