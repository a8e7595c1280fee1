"""Paths measured as processes: `upward search`, `upward serve` to its first page, the first reply a
person gets after starting the app, and the served app's peak memory after a full tour.

Each is set against a bare process doing the least the path must do (`import chromadb`, a bare
Gradio Blocks app), started alternately in the same run so machine load hits both alike. The
served app is driven through its own HTTP API (gradio_client), events found by the elem_id of the
button a person would press, so the figures include every layer a browser request goes through.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.benchmarks.paths import SCRIPT
from app.benchmarks.report import Row, median

BARE_GRADIO = """
import gradio as gr
with gr.Blocks() as demo:
    gr.Markdown("bare")
demo.launch(server_name="127.0.0.1", server_port={port}, quiet=True)
"""
SEARCH_QUERY = "my boss explodes when I bring bad news"
PAGE_TIMEOUT = 180.0
PROFILE = {"profile-name": "Dana", "profile-role": "Engineering manager",
           "profile-priorities": "ship the Q3 migration", "profile-pressures": "a new director",
           "profile-style": "direct", "profile-temperament": "skeptical"}
SITUATION = ("The Ledgerline go-live slips from June 1 to June 15 because 7% of invoices matched the wrong "
             "purchase order in the parallel run. I need sign-off to extend the parallel run by two weeks.")


def upward_command() -> list[str]:
    """The `upward` console script next to this interpreter, else `python -m app.cli`."""
    script = Path(sys.executable).with_name("upward")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "app.cli"]


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"UPWARD_DATA_DIR": str(data_dir), "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"})
    env.pop("UPWARD_CHROMA_URL", None)
    return env


def _run_seconds(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def search_process(data_dir: Path, runs: int = 5) -> list[Row]:
    """`upward search` end to end against the bare `import chromadb` process, runs interleaved."""
    env = _env(data_dir)
    ours = [*upward_command(), "search", SEARCH_QUERY, "--json"]
    bare = [sys.executable, "-c", "import chromadb"]
    _run_seconds(ours, env)  # page cache and index files warm for both
    _run_seconds(bare, env)
    times: dict[str, list[float]] = {"ours": [], "bare": []}
    for _ in range(runs):
        times["ours"].append(_run_seconds(ours, env))
        times["bare"].append(_run_seconds(bare, env))
    return [Row("processes", "upward search (whole process)", median(times["ours"]), floor=median(times["bare"]),
                floor_label="python -c 'import chromadb'", goal=1.5, goal_on="ratio", samples=runs)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _page_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    url: str
    started: float
    log: Any = None
    page: float = 0.0  # seconds from process start to the first 200 on "/"

    def stderr(self) -> str:
        self.log.seek(0)
        return str(self.log.read().decode(errors="replace"))

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the server process so far (VmHWM)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def serving(cmd: list[str], env: dict[str, str], port: int) -> Iterator[Served]:
    """Start a server process, wait for its first page, and stop it (only this process) afterwards."""
    url = f"http://127.0.0.1:{port}/"
    log = tempfile.TemporaryFile()  # not a pipe: a server that logs a lot must never block on it
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
    served = Served(proc, url, start, log)
    try:
        while not _page_up(url):
            if proc.poll() is not None:
                raise RuntimeError(f"{' '.join(cmd[:3])} exited with {proc.returncode}: {served.stderr()[-800:]}")
            if time.perf_counter() - start > PAGE_TIMEOUT:
                raise RuntimeError(f"no page at {url} after {PAGE_TIMEOUT:.0f} s")
            time.sleep(0.02)
        served.page = time.perf_counter() - start
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@dataclass
class App:
    """The served Upward app, driven like a browser does: events found by the button's elem_id."""

    url: str
    client: Any = None
    config: dict[str, Any] = field(default_factory=dict)
    owner: str = field(default_factory=lambda: uuid.uuid4().hex)

    def connect(self) -> None:
        import json

        from gradio_client import Client

        with urllib.request.urlopen(self.url + "config", timeout=30) as resp:
            self.config = json.loads(resp.read())
        self.client = Client(self.url, verbose=False)

    def press(self, elem_id: str, values: dict[str, Any] | None = None, event: str = "click") -> Any:
        """Run the event wired to `elem_id`; inputs get `values` by elem_id, else their current value."""
        comps = {c["id"]: c for c in self.config["components"]}

        def target(t: list[Any]) -> tuple[Any, Any]:
            return comps.get(t[0], {}).get("props", {}).get("elem_id"), t[1]

        dep = next(d for d in self.config["dependencies"] if (elem_id, event) in map(target, d["targets"]))
        args = []
        for cid in dep["inputs"]:
            comp = comps[cid]
            if comp["type"] == "state":
                continue  # kept by the client's session, not sent
            if comp["type"] == "browserstate":
                args.append(self.owner)
                continue
            props = comp.get("props", {})
            args.append((values or {}).get(props.get("elem_id") or "", props.get("value")))
        return self.client.predict(*args, api_name=f"/{dep['api_name']}")


def _first_reply(app: App) -> None:
    """The manager's answer to the person's first line, the page's defaults left as they are."""
    app.connect()
    app.press("rehearse-start", PROFILE)
    out = app.press("rehearse-send", {"rehearse-msg": SCRIPT[0]})
    chat = out[0] if isinstance(out, list | tuple) else out
    if not chat or chat[-1].get("role") != "assistant":
        raise RuntimeError(f"the first reply did not arrive: {str(out)[:300]}")


def _tour(app: App) -> None:
    """The rest of a full rehearsal, its debrief, a draft and an Ask."""
    for line in SCRIPT[1:]:
        app.press("rehearse-send", {"rehearse-msg": line})
    app.press("rehearse-end")
    app.press("draft-go", {"draft-kind": "bad-news", "draft-situation": SITUATION})
    app.press("ask-go", {"ask-question": "How do I ask for a promotion?"})


def serve_rows(data_dir: Path, runs: int = 3, tour: bool = True) -> list[Row]:
    """`upward serve` vs a bare Gradio app to the first page, the first reply, and peak RSS after a tour."""
    ours_page: list[float] = []
    bare_page: list[float] = []
    replies: list[float] = []
    rss_bare: list[float] = []
    rss = None
    for i in range(runs):
        port = free_port()
        with serving([sys.executable, "-c", BARE_GRADIO.format(port=port)], _env(data_dir), port) as bare:
            bare_page.append(bare.page)
            rss_bare.append(bare.peak_rss_mb())
        served_dir = data_dir.parent / f"serve-{i}"
        shutil.rmtree(served_dir, ignore_errors=True)
        # The index and the exemplar vectors as a returning person has them (`first start` below is a new one).
        for kept in ("chroma", "cache"):
            if (data_dir / kept).is_dir():
                shutil.copytree(data_dir / kept, served_dir / kept)
        port = free_port()
        cmd = [*upward_command(), "serve", "--port", str(port)]
        with serving(cmd, _env(served_dir), port) as ours:
            ours_page.append(ours.page)
            app = App(ours.url)
            page_at = time.perf_counter()
            _first_reply(app)
            replies.append(time.perf_counter() - page_at)
            if tour and i == runs - 1:
                _tour(app)
                rss = ours.peak_rss_mb()
        shutil.rmtree(served_dir, ignore_errors=True)
    first_start = _first_start(data_dir.parent / "serve-new") if tour else None
    rows = [
        Row("processes", "upward serve to first page", median(ours_page), floor=median(bare_page),
            floor_label="bare Gradio Blocks", goal=1.5, goal_on="ratio", samples=runs),
        Row("processes", "first reply after serve (from page)", median(replies), goal=3.0, samples=runs,
            note="page opened at once: start a rehearsal and send the first line through the app's HTTP API"),
    ]
    if rss is not None:
        rows.append(Row("processes", "peak RSS after rehearsal+debrief, draft, Ask", rss, unit="MB",
                        floor=median(rss_bare), floor_label="bare Gradio", goal=700, samples=1))
    if first_start is not None:
        reply, peak = first_start
        rows += [Row("processes", "first start: first reply (index built then)", reply, samples=1,
                     note="a new person's first `upward serve`: the warm-up builds the knowledge index"),
                 Row("processes", "first start: peak RSS after the first reply", peak, unit="MB", samples=1)]
    return rows


def _first_start(data_dir: Path) -> tuple[float, float]:
    """The very first `upward serve` (empty data directory): first reply from the page, and peak RSS."""
    shutil.rmtree(data_dir, ignore_errors=True)
    port = free_port()
    with serving([*upward_command(), "serve", "--port", str(port)], _env(data_dir), port) as served:
        page_at = time.perf_counter()
        _first_reply(App(served.url))
        reply = time.perf_counter() - page_at
        peak = served.peak_rss_mb()
    shutil.rmtree(data_dir, ignore_errors=True)
    return reply, peak
