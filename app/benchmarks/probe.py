"""Watch the embedded model's generations, then time raw llama.cpp doing the same amount of work.

`Probe` wraps the loaded `Llama` object's `create_completion` (which every chat completion ends in)
for the duration of a `with` block, recording each call's prompt tokens, output and time. It
changes nothing the app sees. `raw_generation` is the floor: llama-cpp-python's own `generate`
loop, greedy, no grammar, no chat layer, producing a given number of tokens after a prompt whose
stable prefix (everything before the newest message) is already in the KV cache.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass
class Call:
    """One generation the app asked of the embedded model."""

    prompt: list[int]
    grammar: bool
    stream: bool
    started: float
    first: float | None = None  # seconds to the first piece (streams only)
    seconds: float = 0.0
    text: str = ""
    completion_tokens: int = 0


class Probe:
    """Record every generation `llama` runs inside the `with` block."""

    def __init__(self, llama: Any) -> None:
        self.llama = llama
        self.calls: list[Call] = []

    def __enter__(self) -> Probe:
        original = self.llama.create_completion

        def recorded(prompt: Any, *args: Any, **kwargs: Any) -> Any:
            tokens = list(prompt) if not isinstance(prompt, str | bytes) else self._tokens(prompt)
            call = Call(prompt=tokens, grammar=kwargs.get("grammar") is not None,
                        stream=bool(kwargs.get("stream")), started=time.perf_counter())
            self.calls.append(call)
            out = original(prompt, *args, **kwargs)
            if call.stream:
                return self._watch(out, call)
            call.seconds = time.perf_counter() - call.started
            call.text = out["choices"][0].get("text") or ""
            call.completion_tokens = int((out.get("usage") or {}).get("completion_tokens") or 0)
            return out

        self.llama.create_completion = recorded  # an instance attribute shadows the method
        return self

    def __exit__(self, *exc: object) -> None:
        self.llama.__dict__.pop("create_completion", None)

    def _tokens(self, prompt: str | bytes) -> list[int]:
        data = prompt.encode("utf-8") if isinstance(prompt, str) else prompt
        return list(self.llama.tokenize(data, add_bos=True, special=True))

    def _watch(self, chunks: Iterator[dict[str, Any]], call: Call) -> Iterator[dict[str, Any]]:
        for chunk in chunks:
            if call.first is None:
                call.first = time.perf_counter() - call.started
            call.text += chunk["choices"][0].get("text") or ""
            yield chunk
        call.seconds = time.perf_counter() - call.started
        call.completion_tokens = len(self.llama.tokenize(call.text.encode("utf-8"), add_bos=False, special=False))

    def take(self) -> list[Call]:
        """The calls recorded since the last take."""
        calls, self.calls = self.calls, []
        return calls


def stable_prefix(llama: Any, prompt: list[int]) -> int:
    """How many tokens precede the newest message (the chat template's last message header)."""
    header = list(llama.tokenize(b"<|im_start|>", add_bos=False, special=True))
    if len(header) != 1:
        return 0
    starts = [i for i, t in enumerate(prompt) if t == header[0]]
    # the prompt ends with the assistant header; the newest message starts at the header before it
    return starts[-2] if len(starts) >= 2 else 0


@dataclass
class Floor:
    first: float  # seconds to the first token
    total: float  # seconds for all the tokens


def raw_generation(llama: Any, prompt: list[int], n_tokens: int, warm: int | None = None) -> Floor:
    """Raw llama.cpp: evaluate `prompt` (its first `warm` tokens already cached) and sample n tokens."""
    warm = stable_prefix(llama, prompt) if warm is None else warm
    if warm > 0:  # put the stable prefix in the KV cache, as the previous turn would have
        next(iter(llama.generate(prompt[:warm], temp=0.0, repeat_penalty=1.15, reset=True)))
    else:
        llama.reset()
    start = time.perf_counter()
    first = 0.0
    count = 0
    if n_tokens <= 0:
        if warm < len(prompt):
            llama.eval(prompt[warm:])
        elapsed = time.perf_counter() - start
        return Floor(elapsed, elapsed)
    for _ in llama.generate(prompt, temp=0.0, repeat_penalty=1.15, reset=True):
        count += 1
        if count == 1:
            first = time.perf_counter() - start
        if count >= n_tokens:
            break
    return Floor(first, time.perf_counter() - start)


def floor_of(llama: Any, calls: list[Call]) -> Floor:
    """The same generations done raw: each call's prompt (stable prefix warm) and token count.

    `first` is the raw time to the first token of the last call, the one whose text is shown.
    """
    total = 0.0
    first = 0.0
    for i, call in enumerate(calls):
        floor = raw_generation(llama, call.prompt, call.completion_tokens)
        total += floor.total
        if i == len(calls) - 1:
            first = total - floor.total + floor.first
    return Floor(first, total)
