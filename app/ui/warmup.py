"""Warm the app in the background while the server starts, so the first reply does not pay for loading.

`upward serve` shows its page as soon as Gradio is up; meanwhile one thread imports the services
(litellm alone takes seconds; only a provider's model needs it), loads the embedded LLM and runs it
for one token (which also pages its weights in), opens the knowledge index with the embedding
model, and embeds each scenario's exemplars for reading the person's lines (the page's default
scenario first; the others only while no request is being handled, so they never slow a reply).
Event handlers wait for that thread's imports to finish before they run: two threads importing the
same packages at once can deadlock on Python's per-module import locks (seen with chromadb), and a
handler would need those imports anyway.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import inspect
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from app import prompts
from app.config import Settings, exemplar_cache
from app.llm import registry

IMPORT_WAIT = 120.0  # seconds a handler waits for the warm-up's imports before going on regardless
STOP_WAIT = 20.0  # seconds the process waits at exit for the warm-up's current step
IDLE_WAIT = 60.0  # seconds the warm-up defers optional work while requests are being handled
IDLE_QUIET = 5.0  # ... and until this long after the last one ended
M_ARENA_MAX = -8  # glibc's mallopt parameter number


def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): its allocator's defaults stand
        return None


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas before the server starts its threads.

    Each of Gradio's worker threads otherwise gets an arena of its own that keeps freed memory:
    measured over a served rehearsal, draft and Ask, peak RSS 915 MB by default, 813 MB with two.
    """
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, arenas)


class _MatplotlibBackendOnlyIfLoaded:
    """Gradio's per-request switch to matplotlib's agg backend, done only when matplotlib is loaded."""

    gradios: Any = None  # Gradio's own manager

    def __init__(self) -> None:
        self._inner: Any = None

    def __enter__(self) -> None:
        if "matplotlib" in sys.modules:  # someone draws with it: switch as Gradio would
            self._inner = self.gradios()
            self._inner.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self._inner is not None:
            self._inner.__exit__(*exc)


def skip_matplotlib_import() -> None:
    """Stop Gradio from importing matplotlib around every request just to set its backend.

    No component of ours draws with matplotlib; the import alone added 26 MB to the served process.
    """
    from gradio import utils

    current = getattr(utils, "MatplotlibBackendMananger", None)  # sic: Gradio's spelling
    if current is not None and current is not _MatplotlibBackendOnlyIfLoaded:
        _MatplotlibBackendOnlyIfLoaded.gradios = current
        setattr(utils, "MatplotlibBackendMananger", _MatplotlibBackendOnlyIfLoaded)  # noqa: B010 - typed as Gradio's class


def release_freed_memory() -> None:
    """Hand memory freed after start-up (import-time garbage, index building) back to the system."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


class WarmUp:
    """The background warm-up of one served app; `imported` is set once its imports are done."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.imported = threading.Event()
        self._handling = 0  # requests being handled right now
        self._last_request = float("-inf")  # when the last one ended (time.monotonic)
        self._handling_lock = threading.Lock()
        self.seconds: dict[str, float] = {}
        self.error: str = ""
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name="upward-warmup", daemon=True)

    def start(self) -> WarmUp:
        # Modules both Gradio's launch and the services import for the first time, loaded here first
        # so the two threads never import them at once.
        import encodings.idna  # noqa: F401
        import stringprep  # noqa: F401

        atexit.register(self.stop)
        self.thread.start()
        return self

    def stop(self, timeout: float = STOP_WAIT) -> None:
        """Let the warm-up finish its current step and skip the rest (at exit: a daemon thread left inside
        onnxruntime or llama.cpp while the interpreter tears down aborts the process)."""
        self.stopping.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def _step(self, name: str, fn: Callable[[], object]) -> None:
        if self.stopping.is_set():
            return
        start = time.perf_counter()
        fn()
        self.seconds[name] = round(time.perf_counter() - start, 3)

    def _imports(self) -> bool:
        """Import what the handlers use; True when the embedded model is the one to warm."""
        model = registry.model(self.settings.model, self.settings)  # a provider's id imports litellm here
        import app.coach.drafting.service  # noqa: F401
        import app.coach.guidance  # noqa: F401
        import app.coach.rehearsal.session  # noqa: F401  (with debrief: retrieval and chromadb)
        import app.llm.inprocess  # noqa: F401  (the first generation's, when serve primed the model)
        import app.retrieval.embedding  # noqa: F401

        if model.loads_weights:
            import llama_cpp  # noqa: F401
        return model.loads_weights

    def _load(self, local_model: bool) -> None:
        from app.coach.rehearsal import echo
        from app.coach.scenarios import scenario_ids

        if local_model:
            model = registry.model(self.settings.model, self.settings)  # a provider's id imports litellm here
            self._step("model", model.warm)
            # at once when `upward serve` primed it while Gradio imported (LocalModel.warm_soon)
            self._step("first token", lambda: model.prime(prompts.warmup_messages(self.settings.prompts_dir)))
        scenarios = scenario_ids(self.settings)  # the Rehearse tab offers them in this order
        self._step("understanding", lambda: self._exemplars(scenarios[:1]))
        # the manager's echo of a line inflects its verbs; the parsed tables are kept in the data directory
        self._step("word tables", lambda: echo.load_tables(exemplar_cache(self.settings)))
        self._step("index and embeddings", self._index)
        self._step("other scenarios", lambda: self._exemplars(scenarios[1:], when_idle=True))

    def _index(self) -> None:
        """Open the knowledge index with the embedding model, for Ask and the debrief's citations; while no
        request is being handled (a first rehearsal reply needs neither, and would share the CPU with it)."""
        from app.retrieval.search import search

        self._wait_until_idle()
        if not self.stopping.is_set():
            search("warm up", k=1, settings=self.settings)

    def _exemplars(self, scenarios: list[str], when_idle: bool = False) -> None:
        """The scenarios' exemplar embeddings and the act classifier, which reading a line needs."""
        from app.coach.rehearsal import understanding
        from app.coach.scenarios import load_scenario
        from app.errors import UpwardError

        for sid in scenarios:
            if when_idle:
                self._wait_until_idle()
            if self.stopping.is_set():
                return
            try:
                understanding.bank(self.settings.prompts_dir, load_scenario(sid, self.settings),
                                   cache_dir=exemplar_cache(self.settings))
            except UpwardError:  # a broken scenario file is reported when someone picks it
                continue

    def _wait_until_idle(self) -> None:
        """Until no request is being handled and none ended in the last IDLE_QUIET seconds (a person
        starting a rehearsal sends their first line moments later), at most IDLE_WAIT seconds."""
        deadline = time.monotonic() + IDLE_WAIT
        while time.monotonic() < deadline and not self.stopping.is_set():
            with self._handling_lock:
                busy = self._handling or time.monotonic() - self._last_request < IDLE_QUIET
            if not busy:
                return
            time.sleep(0.1)

    @contextmanager
    def handling(self) -> Iterator[None]:
        """Count a request in progress (optional warm-up work waits for none to be)."""
        with self._handling_lock:
            self._handling += 1
        try:
            yield
        finally:
            with self._handling_lock:
                self._handling -= 1
                self._last_request = time.monotonic()

    def run(self) -> None:
        """Warm everything now, in this thread (`start` runs it in the background)."""
        local_model = False
        try:
            start = time.perf_counter()
            local_model = self._imports()
            self.seconds["imports"] = round(time.perf_counter() - start, 3)
        except Exception as exc:  # noqa: BLE001 - the handler that needs it will report the problem
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.imported.set()
        try:
            if not self.error:
                self._load(local_model)
        except Exception as exc:  # noqa: BLE001 - same: the first request says what is wrong, with the fix
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            release_freed_memory()  # about 40 MB after the warm-up
        if self.error:
            print(f"upward: warm-up stopped early ({self.error}); the first request will load what it needs",
                  file=sys.stderr, flush=True)
        else:
            steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.seconds.items())
            print(f"upward: warmed up ({steps})", file=sys.stderr, flush=True)

    def after_imports(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """`fn`, waiting first for the warm-up's imports (generator functions stay generators)."""
        ready = self.imported
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
                ready.wait(IMPORT_WAIT)
                with self.handling():
                    yield from fn(*args, **kwargs)
            return stream
        if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
            return fn  # none of ours; an async handler must not block the event loop
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            ready.wait(IMPORT_WAIT)
            with self.handling():
                return fn(*args, **kwargs)
        return call

    def gate(self, demo: Any) -> None:
        """Make every event handler of the Blocks wait for the warm-up's imports."""
        for block_fn in demo.fns.values():
            if block_fn.fn is not None:
                block_fn.fn = self.after_imports(block_fn.fn)
