"""Token budgeting: fit a conversation into a model's context, pure and model-agnostic.

The system prompt and the newest turn are always kept; older turns go first. When even those two
do not fit, the newest turn is shortened. The result says what was trimmed so callers can tell
the person instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Message = dict[str, str]
PER_MESSAGE_OVERHEAD = 4  # role markers and separators in a chat template


@dataclass(frozen=True)
class Fitted:
    """Messages that fit the budget, and what had to go."""

    messages: list[Message]
    dropped_turns: int = 0
    truncated_chars: int = 0
    tokens: int = 0
    notices: list[str] = field(default_factory=list)


def message_tokens(message: Message, count: Callable[[str], int]) -> int:
    return count(message.get("content", "")) + PER_MESSAGE_OVERHEAD


def _shorten(text: str, count: Callable[[str], int], budget: int) -> str:
    """The longest prefix of `text` within `budget` tokens (binary search on characters)."""
    if budget <= 0:
        return ""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(text[:mid]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def fit_messages(messages: Sequence[Message], count: Callable[[str], int], budget: int) -> Fitted:
    """Drop the oldest non-system turns (then shorten the newest) until `budget` tokens suffice."""
    if not messages:
        return Fitted(messages=[])
    msgs = [dict(m) for m in messages]
    system = [m for m in msgs[:1] if m.get("role") == "system"]
    body = msgs[len(system):]
    newest, older = body[-1:], body[:-1]
    cost = [message_tokens(m, count) for m in older]
    fixed = sum(message_tokens(m, count) for m in system + newest)
    total = fixed + sum(cost)
    dropped = 0
    while older and total > budget:
        total -= cost.pop(0)
        older.pop(0)
        dropped += 1
    # A dangling assistant turn at the start reads oddly to most chat templates: drop it too.
    if dropped and older and older[0].get("role") == "assistant":
        total -= cost.pop(0)
        older.pop(0)
        dropped += 1
    notices: list[str] = []
    truncated = 0
    if total > budget and newest:
        room = budget - (total - message_tokens(newest[0], count)) - PER_MESSAGE_OVERHEAD
        original = newest[0]["content"]
        newest[0]["content"] = _shorten(original, count, room)
        truncated = len(original) - len(newest[0]["content"])
        total = sum(message_tokens(m, count) for m in system + older + newest)
        notices.append(
            f"Your message was too long for this model's context, so only its first "
            f"{len(newest[0]['content']):,} of {len(original):,} characters were used."
        )
    if dropped:
        notices.insert(0, f"{dropped} earlier turn(s) were left out to fit the model's context.")
    return Fitted(system + older + newest, dropped, truncated, total, notices)
