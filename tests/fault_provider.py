"""A fake OpenAI-compatible provider on loopback that fails on purpose, for the fault and bad-input suites.

It is a real HTTP server (the app reaches it through litellm and the openai client, exactly as it
reaches a real provider), scripted per request: each POST to /v1/chat/completions takes the next
behaviour from the script, or answers normally when the script is empty. Every request is counted.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OK = "Thanks for raising it. What numbers can you show me for the last quarter?"


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.script: deque[str] = deque()
        self.sticky = "ok"  # what every request gets once the script is used up
        self.requests: list[dict[str, Any]] = []
        self.released = threading.Event()  # set on shutdown so a hanging handler lets go
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def then(self, *behaviours: str) -> FaultServer:
        """Queue behaviours: ok, ok:<text>, 429, 500, 503, hang, drop, garbage, empty, malformed."""
        with self.lock:
            self.script.extend(behaviours)
        return self

    def next_behaviour(self, body: dict[str, Any]) -> str:
        with self.lock:
            self.requests.append(body)
            return self.script.popleft() if self.script else self.sticky

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)


def _chunk(text: str | None, finish: str | None = None, choices: bool = True) -> bytes:
    doc: dict[str, Any] = {"id": "chatcmpl-fault", "object": "chat.completion.chunk", "created": int(time.time()),
                           "model": "fault", "choices": []}
    if choices:
        delta = {"role": "assistant", "content": text} if text is not None else {}
        doc["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}]
    return f"data: {json.dumps(doc)}\n\n".encode()


def _completion(text: str, choices: bool = True) -> bytes:
    doc = {"id": "chatcmpl-fault", "object": "chat.completion", "created": int(time.time()), "model": "fault",
           "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]
           if choices else [],
           "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}
    return json.dumps(doc).encode()


class Handler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _stream_head(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def do_GET(self) -> None:
        self._send(200, json.dumps({"object": "list", "data": [{"id": "fault", "object": "model"}]}).encode())

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        streaming = bool(body.get("stream"))
        kind = self.server.next_behaviour(body)
        kind, _, arg = kind.partition(":")
        text = arg or OK
        error = json.dumps({"error": {"message": f"fault {kind}", "type": "server_error"}}).encode()
        if kind == "429":
            self._send(429, error, headers={"Retry-After": arg or "1"})
        elif kind in ("500", "502", "503"):
            self._send(int(kind), error)
        elif kind == "hang":
            self.server.released.wait(600)
        elif kind == "malformed":
            body_bytes = b'{"id": "chatcmpl-fault", "choices": [{"message": {"content": "I thi'
            if streaming:
                self._stream_head()
                self.wfile.write(b"data: " + body_bytes + b"\n\n")
            else:
                self._send(200, body_bytes)
        elif kind == "empty":
            if streaming:
                self._stream_head()
                self.wfile.write(_chunk(None, choices=False))
                self.wfile.write(b"data: [DONE]\n\n")
            else:
                self._send(200, _completion("", choices=False))
        elif kind == "garbage":
            self._stream_head() if streaming else None
            if streaming:
                self.wfile.write(_chunk("Well, "))
                self.wfile.write(b"data: \x00\xff<html>502 Bad Gateway</html>\n\n")
                self.wfile.write(b"data: [DONE]\n\n")
            else:
                self._send(200, b"\x00\xff<html>502 Bad Gateway</html>", ctype="text/html")
        elif kind == "drop":
            self._stream_head()
            if streaming:
                for word in ("I", " was", " about", " to"):
                    self.wfile.write(_chunk(word))
                    self.wfile.flush()
            else:
                self.wfile.write(_completion(text)[:40])
            self.wfile.flush()
            self.connection.shutdown(2)  # the connection drops mid-answer
        elif streaming:
            self._stream_head()
            for i, word in enumerate(text.split(" ")):
                self.wfile.write(_chunk(word if i == 0 else " " + word))
            self.wfile.write(_chunk(None, finish="stop"))
            self.wfile.write(b"data: [DONE]\n\n")
        else:
            self._send(200, _completion(text))


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    """A running FaultServer on a free loopback port, shut down (and hanging handlers released) after."""
    server = FaultServer()
    thread = threading.Thread(target=server.serve_forever, name="fault-provider", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()
