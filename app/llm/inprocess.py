"""Calls to an engine in this process (the embedded llama.cpp model, the scripted fake): no litellm.

litellm is the way to every provider over HTTP, but it costs about 3 s and 140 MB to import, and an
engine in this process needs none of what it does (no transport, no retries, no provider errors to
map). So a `Model` whose `engine` is in-process calls it here directly, with the same parameters
(`response_format`'s schema becomes the engine's grammar) and the same error types a provider's
failure gets in `app.llm.gateway`; `upward serve` on the default then never loads litellm.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.errors import ProviderUnavailable, UpwardError
from app.llm.model import Model

Message = dict[str, str]


def engine_params(max_tokens: int, temperature: float, stop: list[str] | None,
                  response_format: dict[str, Any] | None) -> dict[str, Any]:
    """The engine's keyword arguments for one call (a JSON schema becomes its grammar)."""
    params: dict[str, Any] = {"max_tokens": int(max_tokens or 256), "temperature": float(temperature or 0.0),
                              "stop": stop}
    if isinstance(response_format, dict) and response_format.get("schema"):
        params["json_schema"] = response_format["schema"]
    return params


def failure(exc: BaseException, spec: Model, partial: str = "") -> UpwardError:
    """A Python-level failure (no provider's HTTP error) as one of ours, with the fix a person can apply."""
    if isinstance(exc, UpwardError):
        return exc
    where = spec.api_base or spec.provider
    fallback = "try again, or switch to the embedded model with --model local/smollm2"
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    if isinstance(exc, TimeoutError):
        return ProviderUnavailable(f"{spec.id} at {where} did not answer in time.", fallback, partial)
    if isinstance(exc, ConnectionError):
        verb = "stopped answering part-way" if partial else "could not be reached"
        return ProviderUnavailable(f"{spec.id} at {where} {verb} ({detail}).", fallback, partial)
    if isinstance(exc, ValueError | KeyError | IndexError | TypeError | AttributeError):
        return ProviderUnavailable(f"{spec.id} at {where} sent a reply that is not a valid answer "
                                   f"({type(exc).__name__}: {detail}).", fallback, partial)
    return UpwardError(f"{spec.id} failed: {type(exc).__name__}: {str(exc)[:300]}", fallback)


def send(spec: Model, messages: list[Message], *, max_tokens: int, temperature: float, stop: list[str] | None,
         response_format: dict[str, Any] | None) -> str:
    """One reply from the in-process engine."""
    try:
        text, _, _ = spec.engine.chat(messages, **engine_params(max_tokens, temperature, stop, response_format))
    except Exception as exc:
        raise failure(exc, spec) from exc
    return text or ""


def send_stream(spec: Model, messages: list[Message], *, max_tokens: int, temperature: float,
                stop: list[str] | None, response_format: dict[str, Any] | None) -> Iterator[str]:
    """The pieces of one reply from the in-process engine; a failure part-way carries the partial text."""
    got = ""
    pieces = spec.engine.chat_stream(messages, **engine_params(max_tokens, temperature, stop, response_format))
    try:
        for piece in pieces:
            if piece:
                got += piece
                yield piece
    except Exception as exc:
        raise failure(exc, spec, got) from exc
    finally:
        close = getattr(pieces, "close", None)
        if callable(close):
            close()
