"""Driving a real `upward serve` over HTTP, as a browser session does (gradio_client keeps one session).

Endpoints are found by their parameter names, not Gradio's generated names, so a tab that gains an
input does not break the tests that use it.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from typing import Any

SAY_LABEL = "What you say"
PROFILE_LABELS = ["Name", "Role", "Priorities (one per line)", "Pressures (one per line)", "Communication style",
                  "Temperament", "Notes"]
PROFILE = ["Dana", "Engineering manager", "ship the Q3 migration", "a new director", "direct", "busy", ""]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[Any], seconds: float = 300) -> None:
    """Until the page answers; fails if the server process exits first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(1)


class Session:
    """One browser session of the served app."""

    def __init__(self, url: str, **client_args: Any) -> None:
        from gradio_client import Client

        self.client = Client(url, verbose=False, **client_args)
        self.endpoints = self.client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        self.params = {n: [p["parameter_name"] for p in e["parameters"]] for n, e in self.endpoints.items()}

    def endpoint(self, params: list[str], returns: int | None = None, component: str | None = None) -> str:
        for name, have in self.params.items():
            outs = self.endpoints[name]["returns"]
            if have != params or (returns is not None and len(outs) != returns):
                continue
            if component is None or any(r["component"] == component for r in outs):
                return name
        raise LookupError(f"no endpoint with parameters {params}")

    def start(self, owner: str, scenario: str = "promotion", difficulty: str = "realistic", hints: bool = False,
              profile: list[str] | None = None, temperament: str | None = None) -> Any:
        """Press Start on Rehearse: inputs are matched by their labels (the owner is the BrowserState)."""
        name = next(n for n, e in self.endpoints.items()
                    if {"Scenario", "Difficulty"} <= {p["label"] for p in e["parameters"]})
        values = list(profile or PROFILE)
        if temperament:
            values[5] = temperament
        by_label = {"Scenario": scenario, "Difficulty": difficulty, "Coaching hints": hints}
        args: list[Any] = []
        for param in self.endpoints[name]["parameters"]:
            label, component = param["label"], param["component"]
            if component == "Browserstate":
                args.append(owner)
            elif label in by_label:
                args.append(by_label[label])
            elif label in PROFILE_LABELS:
                args.append(values[PROFILE_LABELS.index(label)])
            else:
                args.append(_blank(param))  # anything else: the optional situation box, "speak replies"
        return self.client.predict(*args, api_name=name)

    def say(self, line: str) -> list[dict[str, Any]]:
        """Type a line in "What you say" and send it; the chat as it stands afterwards."""
        name = next(n for n, e in self.endpoints.items() if SAY_LABEL in {p["label"] for p in e["parameters"]})
        args = [line if p["label"] == SAY_LABEL else _blank(p) for p in self.endpoints[name]["parameters"]]
        chat: list[dict[str, Any]] = self.client.predict(*args, api_name=name)[0]
        return chat


def _blank(param: dict[str, Any]) -> Any:
    """The untouched value of an input the test does not care about."""
    return False if param["component"] == "Checkbox" else ""
