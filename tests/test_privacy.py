"""Transcripts are the person's alone: owner-only files in the data directory, nothing outside it.

Every process here starts with a permissive umask (022), as a person's shell would, so the
modes checked are the ones Upward sets, not ones the test environment happened to give.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from served_app import Session, free_port, wait_for

from app.config import Settings
from app.ui import exports, history_tab, rehearse
from app.ui.login import LoginThrottle

ROOT = Path(__file__).resolve().parent.parent
UPWARD = str(Path(sys.executable).parent / "upward")
PROFILE = ["Dana", "Engineering manager", "ship the Q3 migration", "a new director", "direct", "busy", ""]


# The child's umask is set by subprocess itself (`umask=`), not by a preexec_fn: a preexec_fn makes Python fork
# rather than vfork, and the fork's atfork handlers (OpenBLAS shutting down its thread pool) can hang the test.
LOOSE_UMASK = 0o022


def modes(root: Path) -> dict[str, str]:
    """Every path under root that group or others could read, with its mode."""
    open_ = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            open_[str(path.relative_to(root.parent))] = oct(mode)
    return open_


def run(args: list[str], data: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("UPWARD_")}
    full.update(UPWARD_DATA_DIR=str(data), **env)
    return subprocess.run([UPWARD, *args], input=stdin, capture_output=True, text=True, timeout=600, cwd=ROOT,
                          env=full, umask=LOOSE_UMASK)


def test_everything_the_cli_writes_is_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    doc = tmp_path / "notes.md"
    doc.write_text("# My notes\n\nI led the payments migration and cut latency by 30%.\n", encoding="utf-8")
    steps = [
        (["rehearse", "--script", "-", "--model", "fake/privacy"], "I'd like to talk about my promotion.\n"),
        (["draft", "promotion", "--situation", "I led the payments migration and cut latency by 30%.",
          "--model", "fake/privacy"], ""),
        (["ingest", str(doc)], ""),
        (["search", "payments migration latency"], ""),
        (["history"], ""),
    ]
    for args, stdin in steps:
        proc = run(args, data, stdin)
        assert proc.returncode == 0, (args, proc.stderr[-2000:])
    assert (data / "history.sqlite3").is_file() and (data / "chroma").is_dir()
    assert modes(data) == {}  # every folder 0700, every file 0600, Chroma's included


def test_an_existing_world_readable_data_directory_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    run(["history"], data)  # creates the history file
    (data / "history.sqlite3").chmod(0o644)
    data.chmod(0o755)
    proc = run(["history"], data)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "history.sqlite3").stat().st_mode) == 0o600


def test_history_exports_live_in_the_data_directory_and_go_after_download(
        settings: Settings, tmp_path: Path, fake_model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings.with_overrides(data_dir=tmp_path / "data")
    who = uuid.uuid4().hex
    r = list(rehearse.on_start("promotion", "realistic", False, fake_model, who, *PROFILE, settings=s))[-1][0]
    marker = f"marker-{uuid.uuid4().hex[:8]}"
    list(rehearse.on_send(f"My private line {marker} about the promotion.", r, s))
    _, md, js, _, _ = history_tab.on_select(f"s:{r.session_id}", who, s)
    paths = [Path(md["value"]), Path(js["value"])]
    for path in paths:
        assert path.is_relative_to(tmp_path / "data" / "tmp" / "exports")
        assert marker in path.read_text(encoding="utf-8")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    monkeypatch.setattr(exports, "EXPORT_GRACE", 0.2)
    hidden = history_tab.on_downloaded(str(paths[0]))
    assert hidden["visible"] is False
    for _ in range(100):  # the deletion runs on a timer thread
        if not paths[0].parent.exists():
            break
        time.sleep(0.1)
    assert not paths[0].exists() and not paths[0].parent.exists()
    assert paths[1].exists()  # not downloaded yet: it stays until it is old
    exports.sweep(paths[1].parent.parent, max_age=0)
    assert not paths[1].exists()


@pytest.mark.server
def test_a_served_session_writes_no_transcript_outside_the_data_directory(tmp_path: Path) -> None:
    """Serve with a private system temp dir, rehearse and export over HTTP, then look everywhere."""
    data, system_tmp = tmp_path / "data", tmp_path / "system-tmp"
    system_tmp.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("UPWARD_") and k != "GRADIO_TEMP_DIR"}
    env.update(UPWARD_DATA_DIR=str(data), UPWARD_MODEL="fake/privacy", TMPDIR=str(system_tmp))
    server = subprocess.Popen([UPWARD, "serve", "--port", str(port)], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, umask=LOOSE_UMASK)
    url = f"http://127.0.0.1:{port}/"
    marker = f"marker-{uuid.uuid4().hex[:8]}"
    who = uuid.uuid4().hex
    try:
        wait_for(url, server)
        browser = Session(url, download_files=str(tmp_path / "browser-downloads"))
        browser.start(who)
        browser.say(f"My private line {marker} about the promotion.")
        with sqlite3.connect(data / "history.sqlite3") as db:
            (sid,) = db.execute("SELECT id FROM sessions WHERE owner=?", (who,)).fetchone()
        browser.client.predict(who, api_name=browser.endpoint(["owner"], returns=2))  # the History list
        shown = browser.client.predict(f"s:{sid}", who,
                                       api_name=browser.endpoint(["key", "owner"], component="Downloadbutton"))
        assert marker in shown[0]
        downloaded = [Path(x["value"] if isinstance(x, dict) else x) for x in shown[1:3]]
        assert all(marker in p.read_text(encoding="utf-8") for p in downloaded)  # both exports were served
    finally:
        server.terminate()
        server.wait(timeout=60)
    inside = [p for p in data.rglob("*") if p.is_file() and marker.encode() in p.read_bytes()]
    outside = [p for p in system_tmp.rglob("*") if p.is_file() and marker.encode() in p.read_bytes()]
    assert inside and outside == []
    assert any("exports" in p.parts for p in inside)  # the export sat in the data directory's temp folder
    assert modes(data) == {}


# -- login throttling ---------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_login_locks_out_guessing_and_lets_the_owner_back_in_later() -> None:
    clock = Clock()
    login = LoginThrottle("me", "s3cret", clock=clock)
    results = [login("me", f"guess{i}") for i in range(30)]
    assert not any(results) and login.checked == 5  # 25 of 30 guesses were never even compared
    assert not login("me", "s3cret")  # locked: even the right password waits
    clock.now += 2.5
    assert not login("me", "wrong-again")  # the sixth failure doubles the lockout
    clock.now += 3.0
    assert not login("me", "s3cret")
    clock.now += 2.0
    assert login("me", "s3cret") and login.failures == 0
    assert not login("someone", "s3cret") and not login("me", "")


@pytest.mark.server
def test_an_exposed_server_throttles_wrong_passwords(settings: Settings, tmp_path: Path) -> None:
    from app import ui

    port = free_port()
    s = settings.with_overrides(host="0.0.0.0", port=port, username="me", password="s3cret",
                                data_dir=tmp_path / "data", model="fake/privacy")
    demo = ui.serve(s, block=False)
    try:
        login = demo.auth
        assert isinstance(login, LoginThrottle)

        def attempt(password: str) -> int:
            body = urllib.parse.urlencode({"username": "me", "password": password}).encode()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", body, timeout=10) as resp:
                    return resp.status
            except urllib.error.HTTPError as exc:
                return exc.code

        codes = [attempt(f"guess{i}") for i in range(30)]
        assert codes == [400] * 30 and login.checked == 5
        assert attempt("s3cret") == 400  # locked out for now
    finally:
        demo.close()
