"""Bad input, from outside: every case gets a message that says what and how to fix, never a traceback.

The CLI is driven through its real entry point (`app.cli.main`, in-process so that a stray
exception fails the test rather than hiding in a log; a few cases need a real process: raw bytes on
stdin, a read-only data directory, a busy port). Exit codes follow the contract: 2 for input the
person can correct, 1 for anything else (a damaged file in the data directory, a provider outage).
The web handlers are called as Gradio calls them, including with values only the HTTP API can send.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_provider import fault_server

from app import cli
from app.config import Settings, reset_settings
from app.history import get_history
from app.ui import ask as ask_tab
from app.ui import draft, history_tab, prepare, rehearse, settings_tab

ROOT = Path(__file__).resolve().parent.parent
UPWARD = str(Path(sys.executable).parent / "upward")
MANAGERS = ROOT / "evals" / "managers"
PROFILE = ["Dana", "Engineering manager", "ship the Q3 migration", "a new director", "direct", "busy", ""]
SITUATION = "The Ledgerline go-live slips from June 1 to June 15 because the vendor API failed load tests."


# -- the command line, in-process ------------------------------------------------------------------


def nested_yaml(depth: int = 3000) -> str:
    return "[" * depth + "]" * depth  # ~6 KB, far under the 64 KB profile limit


def files(tmp: Path) -> dict[str, Path]:
    """Inputs on disk for the CLI cases."""
    made = {
        "empty.txt": b"",
        "blank.txt": b"  \n\n \t\n",
        "latin1.txt": "Caf\xe9 au lait\n".encode("latin-1") + b"\xff\xfe\n",
        "long.txt": ("word " * 600).encode(),
        "list.yaml": b"- name: Dana\n- role: VP\n",
        "nested.yaml": nested_yaml().encode(),
        "nested.json": nested_yaml().encode(),
        "deep-map.yaml": ("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 400))).encode(),
        "big.yaml": b"name: Dana\nrole: VP\nnotes: " + b"x" * 70_000 + b"\n",
        "binary.yaml": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)),
        "extra.yaml": b"name: Dana\nrole: VP\nsalary: 200k\n",
        "scalar.json": b"42",
        "tool.exe": b"MZ\x90\0binary",
    }
    out = {}
    for name, data in made.items():
        (tmp / name).write_bytes(data)
        out[name] = tmp / name
    (tmp / "a-folder").mkdir()
    (tmp / "empty-dir").mkdir()
    out["a-folder"] = tmp / "a-folder"
    out["empty-dir"] = tmp / "empty-dir"
    return out


# (id, argv, environment, expected exit code, words the message must contain)
CLI_CASES: list[tuple[str, list[str], dict[str, str], int, str]] = [
    ("unknown-scenario", ["rehearse", "--scenario", "pay-rise", "--script", "-"], {}, 2, "pay-rise"),
    ("bad-difficulty", ["rehearse", "--difficulty", "extreme"], {}, 2, "invalid choice"),
    ("script-missing", ["rehearse", "--script", "{tmp}/nope.txt"], {}, 2, "does not exist"),
    ("script-empty", ["rehearse", "--script", "{empty.txt}"], {}, 2, "no lines"),
    ("script-blank", ["rehearse", "--script", "{blank.txt}"], {}, 2, "no lines"),
    ("script-not-utf8", ["rehearse", "--script", "{latin1.txt}"], {}, 2, "UTF-8"),
    ("script-line-too-long", ["rehearse", "--script", "{long.txt}"], {}, 2, "at most 2,000"),
    ("script-is-a-folder", ["rehearse", "--script", "{a-folder}"], {}, 2, "could not be read"),
    ("manager-missing", ["rehearse", "--manager", "{tmp}/boss.yaml", "--script", "-"], {}, 2, "does not exist"),
    ("manager-is-a-folder", ["rehearse", "--manager", "{a-folder}"], {}, 2, "is a folder"),
    ("manager-bad-syntax", ["rehearse", "--manager", str(MANAGERS / "bad-syntax.yaml")], {}, 2, "not valid YAML"),
    ("manager-bad-temperament", ["rehearse", "--manager", str(MANAGERS / "bad-temperament.yaml")], {}, 2,
     "temperament"),
    ("manager-missing-role", ["rehearse", "--manager", str(MANAGERS / "bad-missing-role.yaml")], {}, 2, "role"),
    ("manager-a-list", ["rehearse", "--manager", "{list.yaml}"], {}, 2, "mapping"),
    ("manager-nested-yaml", ["rehearse", "--manager", "{nested.yaml}"], {}, 2, "nested too deeply"),
    ("manager-nested-json", ["rehearse", "--manager", "{nested.json}"], {}, 2, "nested too deeply"),
    ("manager-deep-mapping", ["draft", "promotion", "--situation", SITUATION, "--manager", "{deep-map.yaml}"], {},
     2, "Manager file"),
    ("manager-too-big", ["rehearse", "--manager", "{big.yaml}"], {}, 2, "larger than"),
    ("manager-binary", ["rehearse", "--manager", "{binary.yaml}"], {}, 2, "is not text"),
    ("manager-extra-field", ["rehearse", "--manager", "{extra.yaml}"], {}, 2, "not a profile field"),
    ("manager-scalar-json", ["draft", "promotion", "--situation", SITUATION, "--manager", "{scalar.json}"], {}, 2,
     "mapping"),
    ("draft-unknown-kind", ["draft", "raise", "--situation", SITUATION], {}, 2, "raise"),
    ("draft-empty-situation", ["draft", "promotion", "--situation", ""], {}, 2, "situation"),
    ("draft-blank-situation", ["draft", "promotion", "--situation", "   \n "], {}, 2, "situation"),
    ("draft-huge-situation", ["draft", "promotion", "--situation", "I shipped it. " * 600], {}, 2, "6,000"),
    ("draft-fact-no-value", ["draft", "promotion", "--situation", SITUATION, "--fact", "novalue"], {}, 2,
     "name=value"),
    ("draft-fact-unknown", ["draft", "promotion", "--situation", SITUATION, "--fact", "salary=1"], {}, 2,
     "is not a fact"),
    ("draft-fact-too-long", ["draft", "bad-news", "--situation", SITUATION, "--fact", "new_date=" + "x" * 700],
     {}, 2, "limit is 600"),
    ("search-empty", ["search", ""], {}, 2, "Type a question"),
    ("search-k-zero", ["search", "feedback", "-k", "0"], {}, 2, "-k must be at least 1"),
    ("search-k-text", ["search", "feedback", "-k", "many"], {}, 2, "invalid int"),
    ("search-overlong", ["search", "x" * 10_000], {}, 2, "characters"),
    ("ask-empty", ["ask", "  "], {}, 2, "question"),
    ("model-local-unknown", ["ask", "How do I ask for a raise?", "--model", "local/gpt-9"], {}, 2, "local/gpt-9"),
    ("model-unknown-provider", ["draft", "promotion", "--situation", SITUATION, "--model", "nosuch/x"], {}, 2,
     "nosuch/x"),
    ("model-blank", ["rehearse", "--script", "-", "--model", "   "], {}, 2, "model"),
    ("model-missing-key", ["ask", "How do I ask for a raise?", "--model", "openai/gpt-4o-mini"], {}, 2,
     "OPENAI_API_KEY"),
    ("env-models-broken-json", ["search", "feedback"], {"UPWARD_MODELS": "[x"}, 2, "UPWARD_MODELS"),
    ("env-models-not-strings", ["search", "feedback"], {"UPWARD_MODELS": '[{"a": 1}]'}, 2, "UPWARD_MODELS"),
    ("env-timeout-negative", ["search", "feedback"], {"UPWARD_TIMEOUT": "-1"}, 2, "UPWARD_TIMEOUT"),
    ("env-deadline-text", ["search", "feedback"], {"UPWARD_DEADLINE": "soon"}, 2, "UPWARD_DEADLINE"),
    ("env-retries-huge", ["search", "feedback"], {"UPWARD_RETRIES": "99"}, 2, "UPWARD_RETRIES"),
    ("env-phrasing-bogus", ["search", "feedback"], {"UPWARD_PHRASING": "poetic"}, 2, "UPWARD_PHRASING"),
    ("env-port-text", ["search", "feedback"], {"UPWARD_PORT": "http"}, 2, "UPWARD_PORT"),
    ("env-port-range", ["search", "feedback"], {"UPWARD_PORT": "70000"}, 2, "UPWARD_PORT"),
    ("env-context-small", ["search", "feedback"], {"UPWARD_LOCAL_CONTEXT": "16"}, 2, "UPWARD_LOCAL_CONTEXT"),
    ("env-chroma-url-scheme", ["search", "feedback"], {"UPWARD_CHROMA_URL": "ftp://example"}, 2,
     "UPWARD_CHROMA_URL"),
    ("serve-port-99999", ["serve", "--port", "99999"], {}, 2, "--port"),
    ("serve-port-zero", ["serve", "--port", "0"], {}, 2, "--port"),
    ("serve-port-negative", ["serve", "--port", "-5"], {}, 2, "--port"),
    ("serve-port-text", ["serve", "--port", "http"], {}, 2, "invalid int"),
    ("serve-exposed-no-login", ["serve", "--host", "0.0.0.0"], {}, 2, "UPWARD_USERNAME"),
    ("ingest-missing", ["ingest", "{tmp}/nothing-here.md"], {}, 2, "does not exist"),
    ("ingest-unsupported", ["ingest", "{tool.exe}"], {}, 2, "not a supported type"),
    ("ingest-empty-folder", ["ingest", "{empty-dir}"], {}, 2, "no files found"),
    ("history-unknown-id", ["history", "0123456789ab"], {}, 2, "No draft"),
    ("resume-unknown-id", ["rehearse", "--resume", "0123456789ab"], {}, 2, "No rehearsal session"),
    ("data-dir-is-a-file", ["history"], {"UPWARD_DATA_DIR": "{long.txt}"}, 2, "is a file"),
    ("data-dir-inside-a-file", ["search", "feedback"], {"UPWARD_DATA_DIR": "{long.txt}/data"}, 2, "inside a file"),
]


@pytest.fixture
def cli_files(tmp_path: Path) -> dict[str, Path]:
    return files(tmp_path)


def fill(arg: str, made: dict[str, Path], tmp: Path) -> str:
    arg = arg.replace("{tmp}", str(tmp))
    for name, path in made.items():
        arg = arg.replace("{" + name + "}", str(path))
    return arg


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`upward ARGV` in this process: (exit code, stdout, stderr). argparse errors exit 2 via SystemExit."""
    reset_settings()
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("argv", "env", "code", "words"), [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input(argv: list[str], env: dict[str, str], code: int, words: str, cli_files: dict[str, Path],
                       tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("I'd like to talk about my promotion.\n"))
    for key, value in env.items():
        monkeypatch.setenv(key, fill(value, cli_files, tmp_path))
    args = [fill(a, cli_files, tmp_path) for a in argv]
    if "--model" not in args and args[0] in ("rehearse", "draft", "ask"):
        args += ["--model", "fake/bad-input"]
    got, out, err = run_main(args, capsys)
    assert got == code, err
    assert words in err, err
    assert "Traceback" not in err and out == ""
    if "usage:" not in err:  # argparse prints its usage; everything else is ours
        assert err.startswith("upward: ")
        assert "\nfix: " in err or err.startswith("upward: Type a question")  # that message is its own fix


def test_cli_a_lone_surrogate_line_on_stdin_is_refused_before_anything_is_stored(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    before = len(get_history(settings).sessions())
    raw = io.TextIOWrapper(io.BytesIO(b"\xff\xfe hi\nA second line.\n"), encoding="utf-8", errors="surrogateescape")
    monkeypatch.setattr(sys, "stdin", raw)
    code, _, err = run_main(["rehearse", "--script", "-", "--model", "fake/bad-input"], capsys)
    assert code == 2 and "not UTF-8" in err and "Traceback" not in err
    assert len(get_history(settings).sessions()) == before  # no half-made session


# -- damaged data ---------------------------------------------------------------------------------


def valid_history(folder: Path) -> Path:
    """A real history file with one session in it."""
    from app.history import History

    hist = History(folder / "history.sqlite3")
    sid = hist.create_session("promotion", "realistic", "fake/x", "t", {}, "")
    hist.add_turn(sid, "user", "Hello " * 2000, {})
    return folder / "history.sqlite3"


def corrupt_random(folder: Path) -> None:
    (folder / "history.sqlite3").write_bytes(os.urandom(4096))


def corrupt_truncated(folder: Path) -> None:
    path = valid_history(folder)
    for extra in ("-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def corrupt_schema(folder: Path) -> None:
    with sqlite3.connect(folder / "history.sqlite3") as db:
        db.execute("CREATE TABLE sessions (id TEXT, body BLOB)")


def corrupt_pages(folder: Path) -> None:
    path = valid_history(folder)
    for extra in ("-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    data[100:4096] = os.urandom(3996)  # the header survives, the schema page does not
    path.write_bytes(bytes(data))


def history_is_a_folder(folder: Path) -> None:
    (folder / "history.sqlite3").mkdir()


@pytest.mark.parametrize(("damage", "code", "words"), [
    (corrupt_random, 1, "move it aside"),
    (corrupt_truncated, 1, "move it aside"),
    (corrupt_schema, 1, "not the one Upward writes"),
    (corrupt_pages, 1, "move it aside"),
    (history_is_a_folder, 2, "cannot be written"),
], ids=["random-bytes", "truncated", "wrong-schema", "damaged-pages", "is-a-folder"])
def test_a_damaged_history_file_is_a_message_with_the_way_out(
        damage: Callable[[Path], None], code: int, words: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    damage(data)
    monkeypatch.setenv("UPWARD_DATA_DIR", str(data))
    monkeypatch.setattr(sys, "stdin", io.StringIO("Can we talk about my promotion?\n"))
    got, _, err = run_main(["history"], capsys)
    assert got == code and words in err and "Traceback" not in err, err
    got, _, err = run_main(["rehearse", "--script", "-", "--model", "fake/bad-input"], capsys)
    assert got == code and words in err, err
    # the web History tab says the same thing in the page
    s = Settings(data_dir=data)
    update, summary = history_tab.on_refresh(uuid.uuid4().hex, s)
    assert update["choices"] == [] and words in summary


def test_a_corrupt_search_index_says_which_folder_to_delete(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    (data / "chroma").mkdir(parents=True)
    (data / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(8192))
    monkeypatch.setenv("UPWARD_DATA_DIR", str(data))
    from app.retrieval import search as search_mod

    search_mod.reset_searchers()
    try:
        code, _, err = run_main(["search", "my boss explodes when I bring bad news"], capsys)
    finally:
        search_mod.reset_searchers()
    assert code == 1 and "damaged" in err and str(data / "chroma") in err and "Traceback" not in err


def test_huge_ingest_writes_in_batches_the_store_accepts(tmp_path: Path) -> None:
    """Text over ~4.4 MB made more chunks than Chroma takes in one write (5,461) and failed after the
    embedding; the writer now batches. Vectors are random here: the embedding is not what is tested."""
    import chromadb
    import numpy as np

    from app.retrieval import store

    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    collection = client.create_collection("huge")
    n = client.get_max_batch_size() + 700
    rng = np.random.default_rng(0)
    ids = [f"doc-{i}" for i in range(n)]
    store.write_batches(client, collection, ids, rng.random((n, 8), dtype=np.float32),
                        [f"chunk {i}" for i in range(n)], [{"chunk": i} for i in range(n)])
    assert collection.count() == n
    store.delete_batches(client, collection, ids[: n - 3])
    assert collection.count() == 3


# -- cases that need a real process ------------------------------------------------------------------


def run_cli(args: list[str], env: dict[str, str] | None = None, stdin: bytes = b"", cwd: Path = ROOT,
            prefix: list[str] | None = None) -> subprocess.CompletedProcess[bytes]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("UPWARD_")}
    full.update(env or {})
    return subprocess.run([*(prefix or []), UPWARD, *args], input=stdin, capture_output=True, timeout=300, cwd=cwd,
                          env=full)


def test_raw_non_utf8_bytes_piped_into_a_script_are_bad_input(tmp_path: Path) -> None:
    # The issue's own repro: printf '\xff\xfe hi\n' | upward rehearse --script -
    proc = run_cli(["rehearse", "--script", "-", "--model", "fake/x"], {"UPWARD_DATA_DIR": str(tmp_path)},
                   stdin=b"\xff\xfe hi\n")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err and "UTF-8" in err, err


def test_a_non_utf8_env_file_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"UPWARD_MODEL=\xff\xfelocal\n")
    proc = run_cli(["search", "feedback"], {"UPWARD_DATA_DIR": str(tmp_path / "data")}, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and ".env" in err and "UTF-8" in err and "Traceback" not in err, err


def without_root_powers() -> list[str]:
    """A prefix that makes root obey file permissions (root ignores them), or [] when not root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root ignores file permissions, so nothing is read-only")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


@pytest.fixture
def locked() -> Iterator[list[Path]]:
    """Paths to make unreadable/read-only; their modes are restored afterwards so tmp cleanup works."""
    paths: list[Path] = []
    yield paths
    for p in paths:
        p.chmod(0o700)


def test_a_read_only_data_directory_is_bad_input(tmp_path: Path, locked: list[Path]) -> None:
    prefix = without_root_powers()
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o500)
    locked.append(data)
    proc = run_cli(["rehearse", "--script", "-", "--model", "fake/x"], {"UPWARD_DATA_DIR": str(data)},
                   stdin=b"Hello there.\n", prefix=prefix)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "read-only" in err and "UPWARD_DATA_DIR" in err and "Traceback" not in err, err


def test_a_read_only_history_file_is_bad_input(tmp_path: Path, locked: list[Path]) -> None:
    prefix = without_root_powers()
    data = tmp_path / "data"
    data.mkdir()
    path = valid_history(data)
    for extra in ("-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    path.chmod(0o400)
    locked.append(path)
    proc = run_cli(["rehearse", "--script", "-", "--model", "fake/x"], {"UPWARD_DATA_DIR": str(data)},
                   stdin=b"Hello there.\n", prefix=prefix)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "cannot be written" in err and "Traceback" not in err, err


def test_an_unreadable_manager_file_is_bad_input(tmp_path: Path, locked: list[Path]) -> None:
    prefix = without_root_powers()
    boss = tmp_path / "boss.yaml"
    boss.write_text("name: Dana\nrole: VP\n", encoding="utf-8")
    boss.chmod(0o000)
    locked.append(boss)
    proc = run_cli(["rehearse", "--manager", str(boss), "--script", "-", "--model", "fake/x"],
                   {"UPWARD_DATA_DIR": str(tmp_path / "data")}, stdin=b"Hello.\n", prefix=prefix)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "could not be read" in err and "Traceback" not in err, err


def test_a_port_in_use_names_our_setting_not_gradios(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_cli(["serve", "--port", str(port)], {"UPWARD_DATA_DIR": str(tmp_path)})
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err, err
    assert f"127.0.0.1:{port}" in err and "--port" in err and "GRADIO_SERVER_PORT" not in err


@pytest.mark.parametrize("command", ["rehearse", "draft"])
def test_a_provider_answering_no_choices_is_a_message(command: str, tmp_path: Path) -> None:
    with fault_server() as provider:
        provider.sticky = "empty"
        env = {"UPWARD_DATA_DIR": str(tmp_path), "UPWARD_MODEL": "openai/fault", "UPWARD_API_BASE": provider.url,
               "UPWARD_DEADLINE": "5", "UPWARD_TIMEOUT": "2", "UPWARD_JUDGE": "off"}
        args = (["rehearse", "--script", "-"] if command == "rehearse"
                else ["draft", "bad-news", "--situation", SITUATION])
        proc = run_cli(args, env, stdin=b"Can we talk about the launch date?\n")
    err = proc.stderr.decode()
    assert "Traceback" not in err and "IndexError" not in err, err
    if command == "rehearse":  # the line is stored; the fix says how to get the answer
        assert proc.returncode == 1 and "empty answer (no choices" in err and "--resume" in err
    else:  # the draft is composed from the person's facts and saved, with a note
        assert proc.returncode == 0 and "June 15" in proc.stdout.decode()
        assert "note: The model could not be reached" in err
        with sqlite3.connect(tmp_path / "history.sqlite3") as db:
            assert db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 1


# -- the web handlers ------------------------------------------------------------------------------


def owner() -> str:
    return uuid.uuid4().hex


def started(settings: Settings, model: str) -> Any:
    steps = list(rehearse.on_start("promotion", "realistic", False, model, owner(), *PROFILE, settings=settings))
    return steps[-1][0]


def alert_text(update: Any) -> str:
    return str(update.get("value") or "") if isinstance(update, dict) else str(update)


@pytest.mark.parametrize(("message", "words"), [
    ("", "empty"),
    (None, "empty"),
    ("   \n\t", "empty"),
    ("x" * 2500, "2,000"),
    ("\udcff\udcfe hi", "not UTF-8"),
    ("ok \ud800 then", "not UTF-8"),
    ({"text": "hi"}, "not text"),
    (["hi"], "not text"),
], ids=["empty", "none", "blank", "too-long", "lone-surrogates", "high-surrogate", "dict", "list"])
def test_web_send_bad_line_keeps_the_conversation(message: Any, words: str, settings: Settings,
                                                  fake_model: str) -> None:
    r = started(settings, fake_model)
    turns, states = list(r.transcript), len(r.states)
    final = list(rehearse.on_send(message, r, settings))[-1]
    assert words in alert_text(final[3])
    assert r.transcript == turns and len(r.states) == states  # nothing half-done: one state per turn
    assert [t["role"] for t in get_history(settings).session(r.session_id)["turns"]] == ["manager"]


def test_web_steps_before_a_rehearsal_exists_say_to_start(settings: Settings) -> None:
    assert "Start a rehearsal first" in alert_text(list(rehearse.on_send("hi", None, settings))[-1][3])
    assert "Start a rehearsal first" in alert_text(list(rehearse.on_retry(None, settings))[-1][3])
    assert "start a rehearsal first" in alert_text(rehearse.on_rewind(None)[3])
    assert "start a rehearsal first" in alert_text(list(rehearse.on_finish(None, settings))[-1][3])


def test_web_retry_rewind_and_finish_with_nothing_to_do(settings: Settings, fake_model: str) -> None:
    r = started(settings, fake_model)
    assert "no unanswered line" in alert_text(list(rehearse.on_retry(r, settings))[-1][3])
    assert "nothing to take back" in alert_text(rehearse.on_rewind(r)[3])
    assert "Nothing to score" in alert_text(list(rehearse.on_finish(r, settings))[-1][3])


@pytest.mark.parametrize(("scenario", "model", "profile", "who", "words"), [
    ("pay-rise", None, PROFILE, "x", "pay-rise"),
    ("promotion", "local/gpt-9", PROFILE, "x", "local/gpt-9"),
    ("promotion", None, [*PROFILE[:5], "volcanic", ""], "x", "temperament"),
    ("promotion", None, PROFILE, {"id": "other"}, "not text"),
], ids=["unknown-scenario", "unknown-model", "bad-temperament", "owner-a-dict"])
def test_web_start_refusals_are_shown_in_the_page(scenario: str, model: str | None, profile: list[Any], who: Any,
                                                  words: str, settings: Settings, fake_model: str) -> None:
    steps = list(rehearse.on_start(scenario, "realistic", False, model or fake_model, who, *profile,
                                   settings=settings))
    assert words in alert_text(steps[-1][3])


def test_web_profile_import_refuses_bad_files_by_name(settings: Settings, tmp_path: Path) -> None:
    made = files(tmp_path)
    cases = {"tool.exe": "not a YAML or JSON file", "nested.yaml": "nested too deeply",
             "nested.json": "nested too deeply", "big.yaml": "larger than", "binary.yaml": "is not text",
             "list.yaml": "mapping"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    for name, words in [*cases.items(), ("bad.yaml", "not valid YAML")]:
        out = prepare.on_import(str(made.get(name, bad)), settings)
        shown = alert_text(out[-1])
        assert words in shown and name in shown and str(tmp_path) not in shown, (name, shown)


def test_web_profile_save_and_load_refusals(settings: Settings) -> None:
    mine = owner()  # saved profiles belong to one browser (issue 15)
    assert "name" in alert_text(prepare.on_save(settings, mine, "", "VP", "", "", "", "busy", "")[1])
    assert "Pick a saved profile" in alert_text(prepare.on_load("../../etc/passwd", mine, settings)[-1])
    assert "Pick a saved profile" in alert_text(prepare.on_load("", mine, settings)[-1])
    for who in ("", "../../etc", {}, 7):  # an owner id that is not one of ours reaches no folder
        assert "not finished loading" in alert_text(prepare.on_load("dana", who, settings)[-1])  # type: ignore


def test_web_history_refuses_foreign_or_malformed_requests(settings: Settings, fake_model: str) -> None:
    mine = owner()
    r = rehearse.on_start("promotion", "realistic", False, fake_model, mine, *PROFILE, settings=settings)
    session = list(r)[-1][0]
    key = f"s:{session.session_id}"
    assert "another browser" in alert_text(history_tab.on_select(key, owner(), settings)[-1])
    assert "Pick a rehearsal" in alert_text(history_tab.on_select("zz:nothing", mine, settings)[-1])
    assert "No rehearsal session" in alert_text(history_tab.on_select("s:0123456789ab", mine, settings)[-1])
    # what only the HTTP API can send: an owner or key that is not text
    for who in ({}, {"id": mine}, ["x"], 7):
        update, _ = history_tab.on_refresh(who, settings)  # type: ignore[arg-type]
        assert update["choices"] == []
        assert "Pick a rehearsal" in alert_text(history_tab.on_select(key, who, settings)[-1])  # type: ignore
    assert "Pick a rehearsal" in alert_text(history_tab.on_select({"k": 1}, mine, settings)[-1])  # type: ignore
    assert "Pick a rehearsal" in alert_text(history_tab.on_reopen("x:nothing", mine, fake_model, settings)[6])


def test_web_draft_ask_and_settings_refusals(settings: Settings, fake_model: str) -> None:
    boxes = [""] * draft.MAX_FIELDS
    out = list(draft.on_draft("promotion", "   ", fake_model, owner(), None, *boxes, *PROFILE, settings=settings))
    assert "Describe the situation" in alert_text(out[-1][-1])
    out = list(draft.on_draft("raise", SITUATION, fake_model, owner(), None, *boxes, *PROFILE, settings=settings))
    assert "raise" in alert_text(out[-1][-1])
    out = list(draft.on_draft("promotion", "x " * 4000, fake_model, owner(), None, *boxes, *PROFILE,
                              settings=settings))
    assert "6,000" in alert_text(out[-1][-1])
    out = list(draft.on_facts("promotion", "", fake_model, settings))
    assert "Describe the situation" in alert_text(out[-1][-1])
    assert "Type a question" in list(ask_tab.on_ask("  ", fake_model, settings))[-1][0]
    assert "characters" in list(ask_tab.on_ask("x" * 10_000, fake_model, settings))[-1][0]
    model, shown, _ = settings_tab.on_switch("nosuch/model", settings)
    assert model == settings.model and "not a configured model" in shown
    assert "Choose one or more files" in settings_tab.on_ingest([], settings)


def test_web_ingest_upload_of_unsupported_files_says_why(settings: Settings, tmp_path: Path) -> None:
    made = files(tmp_path)
    shown = settings_tab.on_ingest([str(made["tool.exe"]), str(made["empty.txt"])], settings)
    assert "Nothing readable" in shown and "tool.exe" in shown


def test_web_a_provider_with_no_choices_is_a_message_and_the_line_is_kept(settings: Settings) -> None:
    with fault_server() as provider:
        s = settings.with_overrides(model="openai/fault", api_base=provider.url, deadline=5, timeout=2, judge="off")
        r = started(s, "openai/fault")
        provider.sticky = "empty"
        final = list(rehearse.on_send("When could the promotion decision happen?", r, s))[-1]
        assert "empty answer (no choices" in alert_text(final[3]) and final[4]["visible"] is True
        assert r.pending and r.transcript[-1].content == "When could the promotion decision happen?"



def test_search_ends_complete_whether_it_built_the_index_or_only_read(tmp_path: Path) -> None:
    # The first search builds the index and exits normally; the next only reads and ends without the
    # interpreter's teardown: its output must still be whole, and the index still there for a third.
    env = {"UPWARD_DATA_DIR": str(tmp_path / "data")}
    runs = [run_cli(["search", "my boss explodes when I bring bad news", "--json"], env) for _ in range(3)]
    assert [p.returncode for p in runs] == [0, 0, 0], [p.stderr.decode()[-500:] for p in runs]
    hits = [[h["card"] for h in json.loads(p.stdout)["hits"]] for p in runs]
    assert hits[0] and hits[0] == hits[1] == hits[2]


def test_search_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    # `true` exits without reading, so the hits are written into a pipe nobody holds any more
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; '{UPWARD}' search feedback | true"], capture_output=True,
                          timeout=300, env={**os.environ, "UPWARD_DATA_DIR": str(tmp_path / "data")})
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err and "Broken pipe" not in err, err
