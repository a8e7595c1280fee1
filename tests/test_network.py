"""Nothing leaves the machine, seen from the kernel's side: strace over whole processes.

tests/test_offline.py patches Python's sockets, which native code (onnxruntime's telemetry
uploader, llama.cpp, Chroma's Rust core) never touches. Here every connect/sendto/sendmsg of the
process and all its threads and children is recorded by strace; with the default configuration
there must be no connection to a non-loopback address and no DNS query (nothing to port 53, no
nscd lookup) while `upward ask`, a scripted rehearsal and a served session run on the embedded model.
`make test` installs strace (see the Makefile's `strace` target).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from served_app import Session, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
UPWARD = str(Path(sys.executable).parent / "upward")
STRACE = shutil.which("strace")
SYSCALLS = "trace=connect,sendto,sendmsg,sendmmsg"
# Switches a developer shell may carry: the app must set them itself.
SWITCHES = ("LITELLM_LOCAL_MODEL_COST_MAP", "GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
            "HF_HUB_DISABLE_TELEMETRY", "ANONYMIZED_TELEMETRY", "DO_NOT_TRACK", "ORT_DISABLE_TELEMETRY",
            "TIKTOKEN_CACHE_DIR", "GRADIO_TEMP_DIR")

INET = re.compile(r'sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)')
INET6 = re.compile(r'sa_family=AF_INET6, sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]+)"')
NSCD = re.compile(r'sun_path="[^"]*nscd[^"]*"')


def _strace_usable() -> str | None:
    if STRACE is None:
        return "strace is not installed (make test installs it; or apt-get install -y strace)"
    probe = subprocess.run([STRACE, "-f", "-qq", "-o", os.devnull, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"strace cannot trace here (ptrace not permitted): {probe.stderr.strip()[:200]}"
    return None


pytestmark = pytest.mark.skipif(_strace_usable() is not None, reason=_strace_usable() or "")


def loopback(address: str) -> bool:
    return address.startswith("127.") or address in ("::1", "0.0.0.0", "::") or address.startswith("::ffff:127.")


def outbound(log: str) -> list[str]:
    """Every syscall line in a strace log that reaches beyond loopback or asks for a name."""
    found = []
    for line in log.splitlines():
        for pattern in (INET, INET6):
            for port, address in pattern.findall(line):
                if port == "53" or not loopback(address):
                    found.append(line.strip()[:200])
        if NSCD.search(line):
            found.append(line.strip()[:200])
    return found


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UPWARD_") and k not in SWITCHES}
    env["UPWARD_DATA_DIR"] = str(data_dir)
    return env


def traced(args: list[str], log: Path) -> list[str]:
    return [str(STRACE), "-f", "-qq", "-e", SYSCALLS, "-e", "signal=none", "-o", str(log), *args]


def test_the_detector_sees_native_dns_and_outbound_connects(tmp_path: Path) -> None:
    """The check can fail: a name lookup and a connect to a TEST-NET address both show up."""
    code = ("import socket\ntry: socket.getaddrinfo('upward-probe.invalid', 80)\nexcept OSError: pass\n"
            "s = socket.socket(); s.setblocking(False); s.connect_ex(('192.0.2.1', 80))\n"
            "t = socket.socket(); t.connect_ex(('127.0.0.1', 9))\n")
    log = tmp_path / "probe.log"
    subprocess.run(traced([sys.executable, "-c", code], log), capture_output=True, timeout=120)
    found = outbound(log.read_text())
    assert any("192.0.2.1" in f for f in found)
    assert any("htons(53)" in f or "nscd" in f for f in found)
    assert not any('"127.0.0.1"' in f for f in found)


def test_search_stays_on_the_machine(tmp_path: Path) -> None:
    """Retrieval alone (onnxruntime embeddings, Chroma), in the fast suite."""
    log = tmp_path / "search.log"
    proc = subprocess.run(traced([UPWARD, "search", "my boss explodes when I bring bad news"], log), cwd=ROOT,
                          env=clean_env(tmp_path / "data"), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert outbound(log.read_text()) == []


@pytest.mark.local
def test_ask_on_the_default_config_sends_nothing_off_the_machine(tmp_path: Path) -> None:
    log = tmp_path / "ask.log"
    proc = subprocess.run(traced([UPWARD, "ask", "How do I ask for a promotion?", "--json"], log), cwd=ROOT,
                          env=clean_env(tmp_path / "data"), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert outbound(log.read_text()) == []  # was 12-14 DNS queries for onnxruntime's telemetry


@pytest.mark.local
def test_a_rehearsal_on_the_default_config_sends_nothing_off_the_machine(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("Have you got ten minutes? I'd like to be put forward for senior analyst.\n"
                      "Last quarter I cut the close from 9 days to 6.\n", encoding="utf-8")
    log = tmp_path / "rehearse.log"
    proc = subprocess.run(traced([UPWARD, "rehearse", "--scenario", "promotion", "--script", str(script), "--json"],
                                 log), cwd=ROOT, env=clean_env(tmp_path / "data"), capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert outbound(log.read_text()) == []


@pytest.mark.local
@pytest.mark.server
def test_a_served_session_on_the_default_config_sends_nothing_off_the_machine(tmp_path: Path) -> None:
    """`upward serve` under strace, driven over HTTP from this (untraced) process: page, start, two turns."""
    port = free_port()
    log = tmp_path / "serve.log"
    server = subprocess.Popen(traced([UPWARD, "serve", "--port", str(port)], log), cwd=ROOT,
                              env=clean_env(tmp_path / "data"), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url, server)
        assert "gradio" in urllib.request.urlopen(url, timeout=10).read().decode().lower()
        browser = Session(url)
        browser.start("c" * 32, hints=True, temperament="skeptical")
        for line in ("I'd like to be put forward for senior analyst this cycle.",
                     "Last quarter I cut the close from 9 days to 6."):
            chat = browser.say(line)
        assert chat[-1]["role"] == "assistant" and chat[-1]["content"]
    finally:
        # The whole group: a terminated strace detaches and leaves `upward serve` running on its own.
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert outbound(log.read_text()) == []  # was 6 DNS queries per served session
