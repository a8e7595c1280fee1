"""The privacy promise: with the default configuration, nothing connects beyond loopback.

Each check runs in a child Python whose sitecustomize refuses (and records) every non-loopback
socket connection, so a phone-home would either break the command or show up in the log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUARD = ROOT / "tests" / "offline_guard"
BIN = Path(sys.executable).parent


def run_guarded(args: list[str], tmp_path: Path, timeout: int = 300) -> tuple[subprocess.CompletedProcess[str], str]:
    log = tmp_path / "net.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UPWARD_")}
    env.update(PYTHONPATH=str(GUARD), UPWARD_NET_LOG=str(log), UPWARD_DATA_DIR=str(tmp_path / "data"))
    # Undo the switches a developer shell may carry, so the app must set them itself.
    for key in ("LITELLM_LOCAL_MODEL_COST_MAP", "GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE",
                "ANONYMIZED_TELEMETRY", "TIKTOKEN_CACHE_DIR"):
        env.pop(key, None)
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return proc, log.read_text() if log.exists() else ""


def test_guard_really_refuses_outbound(tmp_path: Path) -> None:
    code = "import socket; s=socket.socket(); s.settimeout(2); print(s.connect_ex(('192.0.2.1', 80)))"
    proc, log = run_guarded([sys.executable, "-c", code], tmp_path)
    assert "192.0.2.1" in log and proc.returncode != 0


def test_search_is_offline(tmp_path: Path) -> None:
    proc, log = run_guarded([str(BIN / "upward"), "search", "my boss explodes when I bring bad news", "--json"],
                            tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["hits"][0]["source"] == "betterup"
    assert log == ""


@pytest.mark.local
def test_ask_on_the_embedded_model_is_offline(tmp_path: Path) -> None:
    proc, log = run_guarded([str(BIN / "upward"), "ask", "How do I ask for a promotion?", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["citations"]
    assert log == ""


@pytest.mark.local
def test_web_app_chat_is_offline(tmp_path: Path) -> None:
    script = """
import socket, urllib.request
import app
from app.config import get_settings
from app import ui
s = get_settings()
demo = ui.build_ui(s)
sock = socket.socket(); sock.bind(("127.0.0.1", 0)); port = sock.getsockname()[1]; sock.close()
demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, share=False)
page = urllib.request.urlopen(demo.local_url, timeout=10).read().decode()
assert "Upward" in page or "gradio" in page.lower()
from app.coach.profiles import load_profile
from app.coach.rehearsal import Rehearsal
from app.ui import rehearse
session = Rehearsal.start("workload", load_profile(None), settings=s, greet=True)
for _ in rehearse.on_send("Can we talk about my workload? The team has worked 50-hour weeks for a month.", session, s):
    pass
assert session.transcript[-1].role == "manager" and session.transcript[-1].content.strip()
print("REPLY", session.transcript[-1].content[:80])
demo.close()
"""
    proc, log = run_guarded([sys.executable, "-c", script], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "REPLY" in proc.stdout
    assert log == ""


@pytest.mark.local
def test_rehearse_and_draft_on_the_embedded_model_are_offline(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("Have you got ten minutes? I'd like to be put forward for senior analyst.\n"
                      "Last quarter I cut the close from 9 days to 6.\n", encoding="utf-8")
    manager = str(ROOT / "evals" / "managers" / "skeptical.yaml")
    proc, log = run_guarded([str(BIN / "upward"), "rehearse", "--scenario", "promotion", "--manager", manager,
                             "--script", str(script), "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(json.loads(proc.stdout)["transcript"]) == 4
    proc, log2 = run_guarded([str(BIN / "upward"), "draft", "promotion", "--manager", manager, "--json",
                              "--situation", "I want to move up to senior analyst in the March round. I cut the "
                                             "close from 9 days to 6, which frees the team two days a month."],
                             tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout)["opener"]
    assert log == "" and log2 == ""
