"""One bounded generate-check-re-ask loop (instructor's pattern): generate, check, and on a problem
send the answer back with what was wrong, a fixed number of times. Structured output re-asks with the
validation error; a draft's polished sentence re-asks with the facts it dropped or added."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
Message = dict[str, str]


@dataclass(frozen=True)
class Checked(Generic[T]):
    """The first answer that passed (`value`), or None with the last answer and its problems."""

    value: T | None
    last: str
    problems: list[str] = field(default_factory=list)


def reask(messages: list[Message], generate: Callable[[list[Message], int], str],
          check: Callable[[str], tuple[T | None, list[str]]], feedback: Callable[[list[str]], str], *,
          attempts: int) -> Checked[T]:
    """Up to `attempts` answers: `generate(conversation, attempt)`, then `check(answer)` -> (value,
    problems); on problems the answer and `feedback(problems)` join the conversation for the next try."""
    convo = list(messages)
    last, problems = "", list[str]()
    for attempt in range(attempts):
        last = generate(convo, attempt)
        value, problems = check(last)
        if not problems:
            return Checked(value, last)
        convo = [*convo, {"role": "assistant", "content": last}, {"role": "user", "content": feedback(problems)}]
    return Checked(None, last, problems)
