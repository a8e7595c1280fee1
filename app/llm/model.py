"""A Model: one resolved model id, what it can do, and the calls to make on it.

Callers ask a Model capability questions (`small`, `grammar`, `can_judge`, `local`...) instead of
comparing provider names, and call `complete` / `stream` / `structured` on it. The transport is
`app.llm.inprocess` for an engine in this process (embedded, fake) and `app.llm.gateway` (the one
litellm importer) for a provider; both are imported on first call, so resolving the embedded model,
or calling it, never loads litellm.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app import prompts
from app.config import Settings
from app.errors import BadInput, StructuredOutputError
from app.llm import fake
from app.llm.budget import Fitted, fit_messages
from app.llm.local import LocalEngine, get_engine
from app.llm.reask import reask
from app.yamlfile import problems

Message = dict[str, str]
T = TypeVar("T", bound=BaseModel)
MODEL_HELP = (
    "use --model local/smollm2 (embedded, offline), a litellm id such as openai/gpt-4o-mini, "
    "anthropic/claude-3-5-haiku-latest or ollama/llama3.2, or set UPWARD_MODEL"
)


@dataclass
class Completion:
    text: str
    notices: list[str] = field(default_factory=list)


class Stream:
    """An iterator of text pieces; `notices` is known before the first piece, `text` grows as it goes.

    Close it (or use it as a context manager) when you stop reading early: that stops the model.
    """

    def __init__(self, pieces: Iterator[str], notices: list[str]) -> None:
        self._pieces = pieces
        self.notices = notices
        self.text = ""

    def __iter__(self) -> Iterator[str]:
        try:
            for piece in self._pieces:
                self.text += piece
                yield piece
        finally:
            self.close()

    def close(self) -> None:
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _json_text(text: str) -> str:
    start, end = text.find("{"), text.rfind("}")
    return text[start:end + 1] if 0 <= start < end else text


def _tiktoken(model: str) -> Any:
    import tiktoken  # offline: app.offline points TIKTOKEN_CACHE_DIR at the files litellm ships

    name = "o200k_base" if re.search(r"gpt-4o|gpt-4\.1|gpt-5|/o\d|^o\d", model) else "cl100k_base"
    return tiktoken.get_encoding(name)


@dataclass(frozen=True, eq=False)
class Model:
    """A model any litellm provider serves (remote, or a server on this machine through `api_base`)."""

    id: str
    provider: str  # litellm's provider name: for messages ("your text goes to ..."), not for branching
    context_window: int
    settings: Settings = field(repr=False)
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)

    small = False  # the embedded 135M model: let it choose among composed candidates, not phrase freely
    grammar = False  # output can be constrained token by token by a JSON-schema grammar
    can_judge = True  # strong enough to score a rehearsal as a second opinion
    streams = True
    local = False  # an engine in this process: no network, nothing to retry
    loads_weights = False  # has weights to load in this process first (`warm()` loads them)

    @property
    def is_local(self) -> bool:
        """True when nothing leaves this machine (embedded/fake, or a server on loopback)."""
        if self.local:
            return True
        return bool(self.api_base and re.match(r"https?://(127\.|localhost|\[::1\])", self.api_base))

    @property
    def engine(self) -> Any:
        """The in-process engine that answers (None: a provider over HTTP)."""
        return None

    @property
    def loaded(self) -> bool:
        """False while this model's weights still have to be loaded."""
        return True

    def warm(self) -> None:
        """Load what the first call would otherwise wait for."""

    def warm_soon(self, prime: list[Message] | None = None) -> None:
        """Start `warm` in the background (only the embedded model has weights to load)."""

    def prime(self, messages: list[Message]) -> None:
        """Run one short generation, so the first real one does not pay for starting up."""
        self.complete(messages, max_tokens=1)

    def queued(self) -> int:
        """How many calls hold or wait for this model in this process (only the embedded model queues)."""
        return 0

    def count_tokens(self, text: str) -> int:
        return len(_tiktoken(self.id).encode(text, disallowed_special=()))

    def privacy_notice(self) -> str:
        """One line for the person: does their text leave the machine?"""
        if self.is_local:
            return f"Local: {self.id} runs on this machine; nothing you type leaves it."
        where = self.api_base or self.provider
        return f"Remote: your text goes to {where} ({self.id})."

    def _transport(self) -> Any:
        """The module that carries this model's calls (imported on first call: litellm is heavy)."""
        if self.engine is not None:
            from app.llm import inprocess
            return inprocess
        from app.llm import gateway
        return gateway

    def prepare(self, messages: list[Message], max_tokens: int) -> Fitted:
        """Validate the conversation and trim it to the context, keeping system + newest turn."""
        if not messages:
            raise BadInput("There is nothing to send to the model.", "type a message first")
        if not messages[-1].get("content", "").strip():
            raise BadInput("Your message is empty.", "type what you would say, then send it")
        budget = max(256, self.context_window - max_tokens)
        return fit_messages(messages, self.count_tokens, budget)

    def complete(self, messages: list[Message], *, max_tokens: int = 256, temperature: float = 0.0,
                 stop: list[str] | None = None, response_format: dict[str, Any] | None = None) -> Completion:
        """One reply, trimmed to fit; the notices say what was trimmed."""
        fitted = self.prepare(messages, max_tokens)
        text = self._transport().send(self, fitted.messages, max_tokens=max_tokens, temperature=temperature, stop=stop,
                            response_format=response_format)
        return Completion(text, list(fitted.notices))

    def stream(self, messages: list[Message], *, max_tokens: int = 256, temperature: float = 0.0,
               stop: list[str] | None = None, response_format: dict[str, Any] | None = None) -> Stream:
        """Stream a reply. A provider that dies part-way raises ProviderUnavailable carrying the partial text.

        Failures before the first piece are retried within the deadline; after it, the partial text is
        the person's to keep and Retry asks again. The deadline covers the whole stream.
        `response_format` (e.g. a JSON schema for the embedded model's grammar) constrains what streams.
        """
        fitted = self.prepare(messages, max_tokens)
        pieces = self._transport().send_stream(self, fitted.messages, max_tokens=max_tokens, temperature=temperature,
                                     stop=stop, response_format=response_format)
        return Stream(pieces, list(fitted.notices))

    def structured(self, messages: list[Message], schema: type[T], *, retries: int = 2, max_tokens: int = 512,
                   temperature: float = 0.0) -> T:
        """A reply validated into `schema`; re-asks with the validation error, then raises with the last output."""
        json_schema = schema.model_json_schema()
        prompt = prompts.load("runtime/structured")
        if self.grammar:
            fmt: dict[str, Any] = {"type": "json_object", "schema": json_schema}
            convo = list(messages)
        else:
            fmt = {"type": "json_schema", "json_schema": {"name": schema.__name__, "schema": json_schema}}
            hint = prompt.part("hint", schema=json.dumps(json_schema))
            convo = [*messages[:-1], {"role": messages[-1]["role"], "content": messages[-1]["content"] + "\n\n" + hint}]

        def check(text: str) -> tuple[T | None, list[str]]:
            try:
                return schema.model_validate_json(_json_text(text)), []
            except ValidationError as exc:
                return None, [problems(exc, most=8)]

        done = reask(convo, lambda c, _: self.complete(c, max_tokens=max_tokens, temperature=temperature,
                                                       response_format=fmt).text,
                     check, lambda problems: prompt.part("retry", problems=problems[0]), attempts=retries + 1)
        if done.value is not None:
            return done.value
        last = done.last
        raise StructuredOutputError(
            f"{self.id} did not return valid {schema.__name__} after {retries + 1} attempts.", last,
            "try again, or use a stronger model with --model",
        )


@dataclass(frozen=True, eq=False)
class LocalModel(Model):
    """The embedded SmolLM2 in llama.cpp: small, grammar-constrained, one generation at a time."""

    small = True
    grammar = True
    can_judge = False
    local = True
    loads_weights = True

    @property
    def engine(self) -> LocalEngine:
        return get_engine(self.settings.local_context, self.settings.local_threads)

    @property
    def loaded(self) -> bool:
        return self.engine.loaded

    def warm(self) -> None:
        self.engine.llama  # noqa: B018 - the property loads the weights

    def warm_soon(self, prime: list[Message] | None = None) -> None:
        """Start loading the weights in a background thread and return at once; then, given `prime`,
        generate its first token there too (see `prime`).

        llama.cpp reads the weights and generates in native code behind ctypes, which releases the GIL,
        so on two cores both run beside whatever the caller imports next (`upward serve`: Gradio, about
        2 s). llama_cpp itself is imported here, in the caller's thread: two threads importing the same
        packages at once can deadlock on Python's module locks (a generation imports nothing new).
        """
        import atexit
        import threading

        import llama_cpp  # noqa: F401

        def load() -> None:
            self.warm()
            if prime is not None:
                self.prime(prime)

        loading = threading.Thread(target=load, name="upward-weights", daemon=True)
        loading.start()
        atexit.register(loading.join, 20.0)  # a daemon thread left inside llama.cpp at exit aborts the process

    def prime(self, messages: list[Message]) -> None:
        self.engine.prime(messages)

    def queued(self) -> int:
        return self.engine.queued

    def count_tokens(self, text: str) -> int:
        return self.engine.count_tokens(text)


@dataclass(frozen=True, eq=False)
class FakeModel(Model):
    """The scripted fake (`fake/<name>`): in-process and grammar-aware like the embedded model, never judges."""

    grammar = True
    can_judge = False
    local = True

    @property
    def engine(self) -> fake.FakeEngine:
        return fake.engine(self.id)

    def count_tokens(self, text: str) -> int:
        return self.engine.count_tokens(text)
