"""Retrying transient provider failures within one total deadline (`UPWARD_RETRIES`, `UPWARD_DEADLINE`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from app.config import Settings
from app.errors import ProviderUnavailable, UpwardError
from app.llm.model import Model

R = TypeVar("R")


class EmptyAnswer(ValueError):
    """The provider answered, but with no choices or no text at all."""


class Deadline:
    """The total time one model call may take, retries included (`UPWARD_DEADLINE`)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def timeout(self, per_attempt: float) -> float:
        """The timeout for the next attempt: never past the deadline."""
        return max(0.5, min(per_attempt, self.left()))


def retry_after(exc: BaseException) -> float | None:
    """The provider's Retry-After in seconds, if it sent one (litellm keeps the real headers apart)."""
    for headers in (getattr(exc, "litellm_response_headers", None),
                    getattr(getattr(exc, "response", None), "headers", None)):
        get = getattr(headers, "get", None)
        value = get("retry-after") if callable(get) else None
        if value is not None:
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


def pause(attempt: int, exc: BaseException, deadline: Deadline) -> float | None:
    """Seconds to wait before retry `attempt` (0-based), or None when the deadline does not allow one."""
    wait = retry_after(exc)
    wait = min(4.0, 0.5 * 2 ** attempt) if wait is None else wait
    return wait if wait + 1.0 < deadline.left() else None


def with_retries(call: Callable[[float], R], model: Model, settings: Settings,
                 translate: Callable[[BaseException, Model], UpwardError]) -> R:
    """Run `call(timeout)`; retry transient provider failures within one total deadline.

    litellm and the openai client are told not to retry themselves (their retries multiplied:
    2 x retries + 1 requests per call), so `UPWARD_RETRIES` and `UPWARD_DEADLINE` mean what they say.
    """
    deadline = Deadline(settings.deadline)
    attempt = 0
    while True:
        try:
            return call(deadline.timeout(settings.timeout))
        except Exception as exc:
            err = translate(exc, model)
            if not isinstance(err, ProviderUnavailable) or model.local or attempt >= settings.retries:
                raise err from exc
            wait = pause(attempt, exc, deadline)
            if wait is None:
                raise err from exc
            time.sleep(wait)
            attempt += 1
