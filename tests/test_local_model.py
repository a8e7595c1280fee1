"""The real embedded model (SmolLM2-135M in llama.cpp) through the LLM layer."""

from __future__ import annotations

import threading
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from app.llm import gateway, local

pytestmark = pytest.mark.local
MODEL = "local/smollm2"


class Reply(BaseModel):
    mood: str = Field(max_length=40)
    sentence: str = Field(max_length=300)
    # Enums become grammar rules; numeric bounds do not, so small-model schemas use Literal.
    confidence: Literal[0, 1, 2, 3, 4]


def test_streams_a_reply_in_pieces() -> None:
    s = gateway.stream([{"role": "system", "content": "You are a busy engineering manager."},
                        {"role": "user", "content": "Could we move our one-on-one to Thursday?"}],
                       model=MODEL, max_tokens=40)
    pieces = list(s)
    assert len(pieces) > 3 and s.text.strip()


def test_structured_output_validates_into_pydantic() -> None:
    out = gateway.structured(
        [{"role": "user", "content": "Your report asks for a raise. Answer as their manager."}],
        Reply, model=MODEL, max_tokens=120)
    assert isinstance(out, Reply) and 0 <= out.confidence <= 4


def test_history_longer_than_the_context_is_trimmed(settings) -> None:
    engine = local.get_engine(settings.local_context)
    convo = [{"role": "system", "content": "You are a manager. Reply briefly."}]
    for i in range(60):
        role = "user" if i % 2 == 0 else "assistant"
        convo.append({"role": role, "content": f"Point {i}: " + "we should revisit the roadmap and the budget. " * 8})
    convo.append({"role": "user", "content": "So, can I lead the migration?"})
    assert sum(engine.count_tokens(m["content"]) for m in convo) > settings.local_context
    out = gateway.complete(convo, model=MODEL, max_tokens=40)
    assert out.text.strip()
    assert any("left out" in n for n in out.notices)


def test_concurrent_calls_are_serialised_safely() -> None:
    results: list[str] = []

    def ask(i: int) -> None:
        results.append(gateway.complete([{"role": "user", "content": f"Say the number {i}."}],
                                        model=MODEL, max_tokens=12).text)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 3 and all(r.strip() for r in results)


@pytest.mark.local
def test_loading_the_model_leaves_the_process_std_streams_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """llama-cpp-python's loader would dup2 fds 1 and 2 and swap sys.stderr process-wide: a load in the
    warm-up thread then swallowed other threads' output (and another test's captured stderr)."""
    import os

    from app.llm.local import LocalEngine

    calls: list[tuple[int, int]] = []
    real = os.dup2
    monkeypatch.setattr(os, "dup2", lambda a, b, *rest: calls.append((a, b)) or real(a, b, *rest))
    engine = LocalEngine(n_ctx=256, n_threads=1)
    try:
        assert engine.llama is not None
    finally:
        engine.close()
    assert calls == []


@pytest.mark.local
def test_serve_primes_the_model_once_while_the_caller_goes_on(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """`upward serve` loads the weights and generates one token in a thread while Gradio imports; the
    warm-up's own first token then finds the model primed and generates nothing."""
    from app import prompts
    from app.llm import registry

    engine = local.LocalEngine(n_ctx=512, n_threads=1)
    monkeypatch.setattr("app.llm.model.get_engine", lambda *a, **k: engine)
    calls: list[int] = []
    real_chat = engine.chat
    monkeypatch.setattr(engine, "chat", lambda *a, **k: calls.append(1) or real_chat(*a, **k))
    model = registry.model(MODEL, settings)
    try:
        model.warm_soon(prime=prompts.warmup_messages())
        model.prime(prompts.warmup_messages())  # waits for the thread's turn, then finds it done
        assert engine.primed and engine.loaded and calls == [1]
    finally:
        engine.close()
