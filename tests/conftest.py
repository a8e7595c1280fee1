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


# The tests measured at 20 s or more (`pytest --durations`, 2 cores): started first, so that with
# `make test`'s xdist workers none of them begins near the end and leaves the others idle waiting.
# (`--dist worksteal`: xdist hands each worker a contiguous block first, so under plain `load` these
# all queued on one worker; idle workers now take them over.) Only the order changes; a name
# missing here runs where it was collected.
SLOW_FIRST = (
    "test_voice.py::test_spoken_rehearsal_on_the_embedded_model_is_offline",
    "test_evals.py::test_the_gate_passes_on_the_embedded_model",
    "test_network.py::test_a_served_session_on_the_default_config_sends_nothing_off_the_machine",
    "test_faults.py::test_a_hung_provider_with_default_settings_gives_up_well_under_90_seconds",
    "test_stream_lock.py::test_under_serve_attack_lines_in_free_phrasing_never_freeze_other_sessions",
    "test_offline.py::test_rehearse_and_draft_on_the_embedded_model_are_offline",
    "test_privacy.py::test_everything_the_cli_writes_is_owner_only",
    "test_voice.py::test_synthesised_lines_are_transcribed_within_15_percent_wer",
    "test_offline.py::test_web_app_chat_is_offline",
    "test_privacy.py::test_a_served_session_writes_no_transcript_outside_the_data_directory",
    "test_local_model.py::test_history_longer_than_the_context_is_trimmed",
    "test_faults.py::test_cli_scripted_rehearsal_fault_exits_1_and_resume_finishes_it",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.nodeid.split("/")[-1].split("[")[0]
        return SLOW_FIRST.index(name) if name in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: everything else keeps its collected order
