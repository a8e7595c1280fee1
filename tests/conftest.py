"""Shared fixtures: every test gets settings and a data directory of its own making."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import app  # noqa: F401 - applies the offline switches before any third-party import
from app.config import Settings, load_settings, reset_settings
from app.services import Services

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for tests that only read the knowledge index (built once)."""
    return tmp_path_factory.mktemp("upward-data")


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, shared_data_dir: Path) -> Iterator[None]:
    """No test reads the developer's .env or writes to their real data directory."""
    for key in ("UPWARD_MODEL", "UPWARD_API_BASE", "UPWARD_CHROMA_URL", "UPWARD_MODELS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("UPWARD_DATA_DIR", str(shared_data_dir))
    monkeypatch.chdir(ROOT)
    reset_settings()
    yield
    reset_settings()


@pytest.fixture
def settings() -> Settings:
    from app.config import get_settings

    return get_settings()


@pytest.fixture
def services(tmp_path: Path) -> Services:
    """Services of this test's own: the test's environment, with its tmp_path as the data directory."""
    return Services(load_settings().with_overrides(data_dir=tmp_path))


@pytest.fixture
def fake_model() -> Iterator[str]:
    """A fresh scripted model id; its engine is `app.llm.fake.engine(id)`."""
    from app.llm import fake

    model = "fake/test"
    fake.engine(model).reset()
    yield model
    fake.engine(model).reset()
