"""The remote-provider path over real HTTP: llama-cpp-python's OpenAI-compatible server on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from app.llm import gateway, local

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = log_path.open("wb")  # a file, not a pipe: llama.cpp logs enough to fill a pipe and stall
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(local.gguf_path()),
         "--model_alias", "smollm2", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(120):
            if proc.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited: {log_path.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{base}/models", timeout=1).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("llama.cpp server did not start in 60 s")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_openai_compatible_server_completes(server: str, settings) -> None:
    cfg = settings.with_overrides(api_base=server, model="openai/smollm2")
    spec = gateway.resolve(None, cfg)
    assert spec.provider == "openai" and spec.is_local  # loopback: nothing leaves the machine
    out = gateway.complete([{"role": "user", "content": "Say hello to your team."}], settings=cfg, max_tokens=30)
    assert out.text.strip()


def test_openai_compatible_server_streams(server: str, settings) -> None:
    cfg = settings.with_overrides(api_base=server, model="openai/smollm2")
    s = gateway.stream([{"role": "user", "content": "Give me two tips for a one-on-one."}], settings=cfg,
                       max_tokens=40)
    pieces = list(s)
    assert len(pieces) > 3 and s.text.strip()
