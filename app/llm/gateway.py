"""The one place that talks to litellm. Everything else calls `complete`, `stream` or `structured`.

Models are picked by name: `local/smollm2` (embedded llama.cpp, the default), `fake/<name>`
(scripted, for tests and evals) and any litellm id (`openai/...`, `anthropic/...`,
`ollama/...`, or an OpenAI-compatible server through `api_base`). The embedded and fake models
are registered into litellm as custom providers, so every model takes the same code path.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import litellm
from litellm import CustomLLM
from litellm.types.utils import GenericStreamingChunk, ModelResponse
from pydantic import BaseModel, ValidationError

from app.config import Settings, get_settings
from app.errors import (
    BadInput,
    ConfigError,
    ProviderUnavailable,
    StructuredOutputError,
    UnknownModel,
    UpwardError,
)
from app.llm import fake, local
from app.llm.budget import Fitted, fit_messages

litellm.suppress_debug_info = True
litellm.drop_params = True  # a provider that lacks a parameter ignores it instead of failing
litellm.telemetry = False

Message = dict[str, str]
T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")
LOCAL_PROVIDERS = ("local", "fake")
KEYLESS_PROVIDERS = ("ollama", "ollama_chat", "hosted_vllm", "lm_studio", "llamafile")
MODEL_HELP = (
    "use --model local/smollm2 (embedded, offline), a litellm id such as openai/gpt-4o-mini, "
    "anthropic/claude-3-5-haiku-latest or ollama/llama3.2, or set UPWARD_MODEL"
)


class Engine(Protocol):
    def chat(self, messages: list[Message], *, max_tokens: int = ..., temperature: float = ...,
             stop: list[str] | None = ..., json_schema: dict[str, Any] | None = ...) -> tuple[str, int, int]: ...
    def chat_stream(self, messages: list[Message], *, max_tokens: int = ..., temperature: float = ...,
                    stop: list[str] | None = ..., json_schema: dict[str, Any] | None = ...) -> Iterator[str]: ...
    def count_tokens(self, text: str) -> int: ...


def _engine_params(optional_params: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "max_tokens": int(optional_params.get("max_tokens") or 256),
        "temperature": float(optional_params.get("temperature") or 0.0),
        "stop": optional_params.get("stop"),
    }
    fmt = optional_params.get("response_format")
    if isinstance(fmt, dict) and fmt.get("schema"):
        params["json_schema"] = fmt["schema"]
    return params


class EngineProvider(CustomLLM):
    """Adapts an in-process engine (embedded llama.cpp or the fake) to litellm's provider interface."""

    def __init__(self, provider: str, engine_for: Callable[[str], Engine]) -> None:
        super().__init__()
        self.provider = provider
        self.engine_for = engine_for

    def completion(self, model: str, messages: list, *args: Any, **kwargs: Any) -> ModelResponse:  # type: ignore[override]
        optional_params = kwargs.get("optional_params") or {}
        text, prompt_tokens, completion_tokens = self.engine_for(model).chat(
            messages, **_engine_params(optional_params)
        )
        return ModelResponse(
            model=f"{self.provider}/{model}",
            choices=[{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
            usage={
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        )

    def streaming(self, model: str, messages: list, *args: Any, **kwargs: Any) -> Iterator[GenericStreamingChunk]:  # type: ignore[override]
        optional_params = kwargs.get("optional_params") or {}
        for piece in self.engine_for(model).chat_stream(messages, **_engine_params(optional_params)):
            yield GenericStreamingChunk(
                text=piece, is_finished=False, finish_reason="", index=0, tool_use=None, usage=None
            )
        yield GenericStreamingChunk(
            text="", is_finished=True, finish_reason="stop", index=0, tool_use=None, usage=None
        )


def _local_engine(model: str) -> Engine:
    if model != "smollm2":
        raise UnknownModel(f"There is no embedded model called 'local/{model}'.", MODEL_HELP)
    settings = get_settings()
    return local.get_engine(settings.local_context, settings.local_threads)


def _fake_engine(model: str) -> Engine:
    return fake.engine(model)


litellm.custom_provider_map = [
    {"provider": "local", "custom_handler": EngineProvider("local", _local_engine)},
    {"provider": "fake", "custom_handler": EngineProvider("fake", _fake_engine)},
]


@dataclass(frozen=True)
class ModelSpec:
    """A resolved model: where it runs, how big its context is, how to count its tokens."""

    id: str
    provider: str
    context_window: int
    api_base: str | None = None
    api_key: str | None = None

    @property
    def is_local(self) -> bool:
        """True when nothing leaves this machine (embedded/fake, or a server on loopback)."""
        if self.provider in LOCAL_PROVIDERS:
            return True
        return bool(self.api_base and re.match(r"https?://(127\.|localhost|\[::1\])", self.api_base))

    def count_tokens(self, text: str) -> int:
        if self.provider == "local":
            return _local_engine(self.id.split("/", 1)[1]).count_tokens(text)
        if self.provider == "fake":
            return fake.engine(self.id).count_tokens(text)
        return len(_tiktoken(self.id).encode(text, disallowed_special=()))


def _tiktoken(model: str) -> Any:
    import tiktoken  # offline: app.offline points TIKTOKEN_CACHE_DIR at the files litellm ships

    name = "o200k_base" if re.search(r"gpt-4o|gpt-4\.1|gpt-5|/o\d|^o\d", model) else "cl100k_base"
    return tiktoken.get_encoding(name)


def privacy_notice(spec: ModelSpec) -> str:
    """One line for the person: does their text leave the machine?"""
    if spec.is_local:
        return f"Local: {spec.id} runs on this machine; nothing you type leaves it."
    where = spec.api_base or spec.provider
    return f"Remote: your text goes to {where} ({spec.id})."


def resolve(model: str | None = None, settings: Settings | None = None) -> ModelSpec:
    """Check a model id and its credentials before any call; raise a ConfigError that says the fix."""
    settings = settings or get_settings()
    model = (model or settings.model).strip()
    if not model or "/" not in model and not model.replace("-", "").replace(".", "").isalnum():
        raise UnknownModel(f"'{model}' is not a model id.", MODEL_HELP)
    if model.startswith("local/"):
        if model != local.MODEL_ID:
            raise UnknownModel(f"There is no embedded model called '{model}'.", MODEL_HELP)
        return ModelSpec(model, "local", settings.local_context)
    if model.startswith("fake/"):
        return ModelSpec(model, "fake", settings.local_context)
    try:
        _, provider, _, _ = litellm.get_llm_provider(model=model, api_base=settings.api_base)
    except Exception as exc:
        raise UnknownModel(f"Unknown model id '{model}': litellm knows no provider for it.", MODEL_HELP) from exc
    api_key = None
    if settings.api_base and provider not in KEYLESS_PROVIDERS:
        # OpenAI-compatible local servers accept any key; a real key in the environment still wins.
        env = litellm.validate_environment(model=model)
        api_key = None if env.get("keys_in_environment") else "sk-no-key-needed"
    elif provider not in KEYLESS_PROVIDERS:
        env = litellm.validate_environment(model=model)
        missing = env.get("missing_keys") or []
        if missing:
            keys = " and ".join(missing)
            raise ConfigError(
                f"The model '{model}' needs {keys}, which is not set.",
                f"export {missing[0]}=<your key> (or put it in .env), "
                f"or use the embedded model with --model {local.MODEL_ID}",
            )
    try:
        window = int(litellm.get_model_info(model).get("max_input_tokens") or 8192)
    except Exception:
        window = 8192
    return ModelSpec(model, provider, window, settings.api_base, api_key)


def _original_error(exc: BaseException) -> UpwardError | None:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, UpwardError):
            return cur
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return None


def _detail(exc: BaseException) -> str:
    """The provider's own words, without litellm's stacked class-name prefixes."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    text = re.sub(r"^(?:litellm\.\w+:\s*)?(?:\w+(?:Error|Exception):\s*)*(?:\w+Exception\s*-\s*)?", "",
                  text.splitlines()[0])
    return text[:200] or type(exc).__name__


def translate(exc: BaseException, spec: ModelSpec, partial: str = "") -> UpwardError:
    """Turn a provider exception into one of ours, with the fix a person can apply."""
    ours = _original_error(exc)
    if ours is not None:
        return ours
    inner = getattr(exc, "original_exception", None)
    if type(exc).__name__ == "MidStreamFallbackError" and isinstance(inner, Exception):
        return translate(inner, spec, partial)  # litellm's wrapper for any failure while streaming
    where = spec.api_base or spec.provider
    fallback = f"try again, or switch to the embedded model with --model {local.MODEL_ID}"
    if isinstance(exc, litellm.AuthenticationError):
        return ConfigError(f"{where} rejected the credentials for {spec.id}.", "check the API key you set")
    if isinstance(exc, litellm.NotFoundError):
        return UnknownModel(f"{where} does not serve the model '{spec.id}'.", MODEL_HELP)
    if isinstance(exc, litellm.ContextWindowExceededError):
        return BadInput(f"The conversation is too long for {spec.id}.", "shorten your message or start a new session")
    if isinstance(exc, litellm.Timeout | TimeoutError):
        return ProviderUnavailable(f"{spec.id} at {where} did not answer in time.", fallback, partial)
    if isinstance(exc, litellm.RateLimitError):
        return ProviderUnavailable(f"{spec.id} at {where} is rate-limiting requests ({_detail(exc)}).",
                                   "wait a minute and try again, or switch to the embedded model with "
                                   f"--model {local.MODEL_ID}", partial)
    if isinstance(exc, litellm.ServiceUnavailableError | litellm.InternalServerError) and not partial:
        return ProviderUnavailable(f"{spec.id} at {where} answered with a server error ({_detail(exc)}).",
                                   fallback, partial)
    if isinstance(exc, litellm.APIConnectionError | litellm.ServiceUnavailableError | litellm.InternalServerError
                   | ConnectionError):
        verb = "stopped answering part-way" if partial else "could not be reached"
        return ProviderUnavailable(f"{spec.id} at {where} {verb} ({_detail(exc)}).", fallback, partial)
    if isinstance(exc, litellm.BadRequestError):
        return BadInput(f"{where} refused the request: {str(exc)[:300]}", fallback)
    if isinstance(exc, EmptyAnswer):
        return ProviderUnavailable(f"{spec.id} at {where} sent an empty answer ({exc}).", fallback, partial)
    if isinstance(exc, litellm.APIError | ValueError | KeyError | IndexError | TypeError | AttributeError):
        # A body that is not the OpenAI shape: malformed JSON, a garbage chunk, no choices.
        return ProviderUnavailable(f"{spec.id} at {where} sent a reply that is not a valid answer "
                                   f"({type(exc).__name__}: {_detail(exc)}).", fallback, partial)
    return UpwardError(f"{spec.id} failed: {type(exc).__name__}: {str(exc)[:300]}", fallback)


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


def _retry_after(exc: BaseException) -> float | None:
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


def _pause(attempt: int, exc: BaseException, deadline: Deadline) -> float | None:
    """Seconds to wait before retry `attempt` (0-based), or None when the deadline does not allow one."""
    wait = _retry_after(exc)
    wait = min(4.0, 0.5 * 2 ** attempt) if wait is None else wait
    return wait if wait + 1.0 < deadline.left() else None


def _with_retries(call: Callable[[float], R], spec: ModelSpec, settings: Settings) -> R:
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
            err = translate(exc, spec)
            if (not isinstance(err, ProviderUnavailable) or spec.provider in LOCAL_PROVIDERS
                    or attempt >= settings.retries):
                raise err from exc
            wait = _pause(attempt, exc, deadline)
            if wait is None:
                raise err from exc
            time.sleep(wait)
            attempt += 1


@dataclass
class Completion:
    text: str
    notices: list[str] = field(default_factory=list)


def prepare(messages: list[Message], spec: ModelSpec, max_tokens: int) -> Fitted:
    """Validate the conversation and trim it to the model's context, keeping system + newest turn."""
    if not messages:
        raise BadInput("There is nothing to send to the model.", "type a message first")
    if not messages[-1].get("content", "").strip():
        raise BadInput("Your message is empty.", "type what you would say, then send it")
    budget = max(256, spec.context_window - max_tokens)
    return fit_messages(messages, spec.count_tokens, budget)


def _call_args(spec: ModelSpec, timeout: float) -> dict[str, Any]:
    args: dict[str, Any] = {"model": spec.id, "timeout": timeout}
    if spec.provider not in LOCAL_PROVIDERS:
        args["num_retries"] = 0  # we retry, within one deadline (_with_retries)
        args["max_retries"] = 0  # ... and so must not the openai client underneath
    if spec.api_base:
        args["api_base"] = spec.api_base
    if spec.api_key:
        args["api_key"] = spec.api_key
    return args


def _first_text(resp: Any) -> str:
    """The text of the first choice; ProviderUnavailable (via translate) when there is none."""
    choices = getattr(resp, "choices", None)
    if not choices:
        raise EmptyAnswer("no choices")
    return choices[0].message.content or ""


def complete(messages: list[Message], *, model: str | None = None, max_tokens: int = 256,
             temperature: float = 0.0, stop: list[str] | None = None,
             response_format: dict[str, Any] | None = None, settings: Settings | None = None) -> Completion:
    """One reply, trimmed to fit; the notices say what was trimmed."""
    settings = settings or get_settings()
    spec = resolve(model, settings)
    fitted = prepare(messages, spec, max_tokens)
    extra: dict[str, Any] = {"response_format": response_format} if response_format else {}

    def call(timeout: float) -> str:
        resp = litellm.completion(messages=fitted.messages, max_tokens=max_tokens, temperature=temperature,
                                  stop=stop, **extra, **_call_args(spec, timeout))
        return _first_text(resp)

    return Completion(_with_retries(call, spec, settings), list(fitted.notices))


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


def _close(obj: Any) -> None:
    """Close a provider's stream and the generator under it (litellm wraps ours in its own)."""
    for target in (getattr(obj, "completion_stream", None), obj):
        close = getattr(target, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # noqa: S110 - a stream that fails to close has nothing left to give
                pass


def stream(messages: list[Message], *, model: str | None = None, max_tokens: int = 256,
           temperature: float = 0.0, stop: list[str] | None = None,
           response_format: dict[str, Any] | None = None, settings: Settings | None = None) -> Stream:
    """Stream a reply. A provider that dies part-way raises ProviderUnavailable carrying the partial text.

    Failures before the first piece are retried within the deadline; after it, the partial text is
    the person's to keep and Retry asks again. The deadline covers the whole stream.
    `response_format` (e.g. a JSON schema for the embedded model's grammar) constrains what streams.
    """
    settings = settings or get_settings()
    spec = resolve(model, settings)
    fitted = prepare(messages, spec, max_tokens)
    extra: dict[str, Any] = {"response_format": response_format} if response_format else {}
    remote = spec.provider not in LOCAL_PROVIDERS

    def pieces() -> Iterator[str]:
        got = ""
        response: Any = None
        deadline = Deadline(settings.deadline)
        attempt = 0
        try:
            while True:
                try:
                    response = litellm.completion(messages=fitted.messages, max_tokens=max_tokens,
                                                  temperature=temperature, stop=stop, stream=True, **extra,
                                                  **_call_args(spec, deadline.timeout(settings.timeout)))
                    for chunk in response:
                        piece = chunk.choices[0].delta.content if chunk.choices else None
                        if piece:
                            got += piece
                            yield piece
                        if remote and not deadline.left():
                            raise TimeoutError(f"no complete answer within {settings.deadline:.0f} s")
                    if remote and not got:
                        raise EmptyAnswer("no choices with text in its stream")
                    # litellm adds a closing "stop" chunk of its own, so ask it whether the provider sent one:
                    # a connection that drops between chunks otherwise looks like a short, finished answer.
                    if remote and getattr(response, "received_finish_reason", "unknown") is None:
                        raise ConnectionError("the connection closed before the answer was finished")
                    return
                except UpwardError:
                    raise
                except Exception as exc:
                    err = translate(exc, spec, got)
                    wait = _pause(attempt, exc, deadline) if attempt < settings.retries else None
                    if got or not remote or not isinstance(err, ProviderUnavailable) or wait is None:
                        raise err from exc
                    _close(response)
                    time.sleep(wait)
                    attempt += 1
        finally:
            _close(response)

    return Stream(pieces(), list(fitted.notices))


def queued(model: str | None = None, settings: Settings | None = None) -> int:
    """How many calls hold or wait for this model in this process (the embedded model only; else 0)."""
    settings = settings or get_settings()
    try:
        spec = resolve(model, settings)
    except UpwardError:
        return 0
    if spec.provider != "local":
        return 0
    return local.get_engine(settings.local_context, settings.local_threads).queued


def _json_text(text: str) -> str:
    start, end = text.find("{"), text.rfind("}")
    return text[start:end + 1] if 0 <= start < end else text


def structured(messages: list[Message], schema: type[T], *, model: str | None = None, retries: int = 2,
               max_tokens: int = 512, temperature: float = 0.0, settings: Settings | None = None) -> T:
    """A reply validated into `schema`; re-asks with the validation error, then raises with the last output."""
    settings = settings or get_settings()
    spec = resolve(model, settings)
    json_schema = schema.model_json_schema()
    if spec.provider in LOCAL_PROVIDERS:
        fmt: dict[str, Any] = {"type": "json_object", "schema": json_schema}
        convo = list(messages)
    else:
        fmt = {"type": "json_schema", "json_schema": {"name": schema.__name__, "schema": json_schema}}
        hint = "Reply with one JSON object that matches this JSON schema, and nothing else:\n"
        convo = [*messages[:-1], {"role": messages[-1]["role"],
                                  "content": messages[-1]["content"] + "\n\n" + hint + json.dumps(json_schema)}]
    last = ""
    for _ in range(retries + 1):
        last = complete(convo, model=spec.id, max_tokens=max_tokens, temperature=temperature,
                        response_format=fmt, settings=settings).text
        try:
            return schema.model_validate_json(_json_text(last))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors()[:8])
            convo = [*convo, {"role": "assistant", "content": last},
                     {"role": "user",
                      "content": f"That JSON was not valid ({problems}). Send the corrected JSON only."}]
    raise StructuredOutputError(
        f"{spec.id} did not return valid {schema.__name__} after {retries + 1} attempts.", last,
        "try again, or use a stronger model with --model",
    )
