"""A scripted model, registered like a real provider (`fake/<name>`), for tests and evals.

`engine("fake/x").enqueue("reply", ...)` queues replies; an Exception instance in the queue is
raised instead; `Die("partial")` streams the partial text and then fails, like a provider that
drops mid-answer. Every call is recorded in `history`. With an empty queue the fake answers
deterministically: a valid minimal JSON instance when a schema is given, otherwise a short line
derived from the last user message.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Die:
    """Stream `partial`, then fail as if the connection dropped."""

    partial: str = ""
    message: str = "connection reset by peer"


@dataclass
class Call:
    messages: list[dict[str, str]]
    params: dict[str, Any]


@dataclass
class FakeEngine:
    name: str
    queue: deque[Any] = field(default_factory=deque)
    history: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pace: float = 0.0  # seconds between streamed words, so a UI test can watch a reply grow

    def enqueue(self, *replies: Any) -> FakeEngine:
        with self.lock:
            self.queue.extend(replies)
        return self

    def reset(self) -> None:
        with self.lock:
            self.queue.clear()
            self.history.clear()

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + text.count("\n")

    def _next(self, messages: list[dict[str, str]], params: dict[str, Any]) -> Any:
        with self.lock:
            self.history.append(Call([dict(m) for m in messages], dict(params)))
            if self.queue:
                return self.queue.popleft()
        schema = params.get("json_schema")
        if schema is not None:
            return json.dumps(minimal_instance(schema, schema))
        last = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
        words = last.split()
        topic = " ".join(words[:6]) if words else "that"
        return f"I hear you on {topic}. Tell me more about what you need from me."

    def chat(self, messages: list[dict[str, str]], **params: Any) -> tuple[str, int, int]:
        reply = self._next(messages, params)
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, Die):
            raise ConnectionError(reply.message)
        text = str(reply)
        prompt = sum(self.count_tokens(m.get("content", "")) for m in messages)
        return text, prompt, self.count_tokens(text)

    def chat_stream(self, messages: list[dict[str, str]], **params: Any) -> Iterator[str]:
        reply = self._next(messages, params)
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, Die):
            yield from self._paced(reply.partial)
            raise ConnectionError(reply.message)
        yield from self._paced(str(reply))

    def _paced(self, text: str) -> Iterator[str]:
        for piece in _pieces(text):
            if self.pace:
                time.sleep(self.pace)
            yield piece


def _pieces(text: str) -> Iterator[str]:
    words = text.split(" ")
    for i, word in enumerate(words):
        yield word if i == 0 else " " + word


def minimal_instance(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    """A small value that validates against a JSON schema (enough for pydantic-made schemas)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return minimal_instance(root.get("$defs", {}).get(name, {}), root)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return minimal_instance(schema[key][0], root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: minimal_instance(v, root) for k, v in props.items() if k in schema.get("required", props)}
    if kind == "array":
        return [minimal_instance(schema.get("items", {}), root) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return "x" * max(1, schema.get("minLength", 1))
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    return None


# A cache keyed by its real input: one scripted engine per `fake/<name>`, so a test or eval can enqueue
# replies to a name and the model call under test, made anywhere in the process, answers with them.
_engines: dict[str, FakeEngine] = {}
_lock = threading.Lock()


def engine(model: str) -> FakeEngine:
    """The fake engine for `fake/<name>` (one per name, shared by the process)."""
    name = model.split("/", 1)[1] if "/" in model else model
    with _lock:
        return _engines.setdefault(name, FakeEngine(name))
