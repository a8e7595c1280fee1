"""The one place that talks to litellm: it resolves provider ids and carries every call.

Models are picked by name (`app.llm.registry`): `local/smollm2` (embedded llama.cpp, the default),
`fake/<name>` (scripted, for tests and evals) and any litellm id (`openai/...`, `anthropic/...`,
`ollama/...`, or an OpenAI-compatible server through `api_base`). The embedded and fake engines
are registered into litellm as custom providers, so every model takes the same code path; callers
hold a `Model` and call its methods, which land in `send` / `send_stream` here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any, Protocol, TypeVar

import litellm
from litellm import CustomLLM
from litellm.types.utils import GenericStreamingChunk, ModelResponse
from pydantic import BaseModel

from app.config import Settings, load_settings
from app.errors import (
    BadInput,
    ConfigError,
    ProviderUnavailable,
    UnknownModel,
    UpwardError,
)
from app.llm import local, registry
from app.llm.model import MODEL_HELP, Completion, Model, Stream
from app.llm.retries import Deadline, EmptyAnswer, pause, with_retries

litellm.suppress_debug_info = True
litellm.drop_params = True  # a provider that lacks a parameter ignores it instead of failing
litellm.telemetry = False

__all__ = ["Completion", "Model", "Stream", "complete", "privacy_notice", "queued", "resolve", "stream",
           "structured"]

Message = dict[str, str]
T = TypeVar("T", bound=BaseModel)
KEYLESS_PROVIDERS = ("ollama", "ollama_chat", "hosted_vllm", "lm_studio", "llamafile")
ModelSpec = Model  # the old name of a resolved model


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
    """Adapts an in-process engine (embedded llama.cpp or the fake) to litellm's provider interface.

    The calling Model hands its engine over as litellm's `client`, so the engine is the one its
    settings chose (context size, threads) rather than one looked up here.
    """

    def __init__(self, provider: str) -> None:
        super().__init__()
        self.provider = provider

    def _engine(self, model: str, kwargs: dict[str, Any]) -> Engine:
        engine = kwargs.get("client")
        if engine is None:
            raise UnknownModel(f"'{self.provider}/{model}' is called through its Model, not litellm.", MODEL_HELP)
        return engine  # type: ignore[no-any-return]

    def completion(self, model: str, messages: list, *args: Any, **kwargs: Any) -> ModelResponse:  # type: ignore[override]
        optional_params = kwargs.get("optional_params") or {}
        text, prompt_tokens, completion_tokens = self._engine(model, kwargs).chat(
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
        for piece in self._engine(model, kwargs).chat_stream(messages, **_engine_params(optional_params)):
            yield GenericStreamingChunk(
                text=piece, is_finished=False, finish_reason="", index=0, tool_use=None, usage=None
            )
        yield GenericStreamingChunk(
            text="", is_finished=True, finish_reason="stop", index=0, tool_use=None, usage=None
        )


litellm.custom_provider_map = [
    {"provider": "local", "custom_handler": EngineProvider("local")},
    {"provider": "fake", "custom_handler": EngineProvider("fake")},
]


def remote_model(model: str, settings: Settings) -> Model:
    """A litellm id checked for its provider and credentials before any call."""
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
    return Model(model, provider, window, settings, settings.api_base, api_key)


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


def translate(exc: BaseException, spec: Model, partial: str = "") -> UpwardError:
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


def _call_args(spec: Model, timeout: float) -> dict[str, Any]:
    args: dict[str, Any] = {"model": spec.id, "timeout": timeout}
    if spec.local:
        args["client"] = spec.engine  # EngineProvider answers with it
    else:
        args["num_retries"] = 0  # we retry, within one deadline (with_retries)
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


def send(spec: Model, messages: list[Message], *, max_tokens: int, temperature: float, stop: list[str] | None,
         response_format: dict[str, Any] | None) -> str:
    """One reply to messages that already fit; provider failures retried and translated."""
    extra: dict[str, Any] = {"response_format": response_format} if response_format else {}

    def call(timeout: float) -> str:
        resp = litellm.completion(messages=messages, max_tokens=max_tokens, temperature=temperature,
                                  stop=stop, **extra, **_call_args(spec, timeout))
        return _first_text(resp)

    return with_retries(call, spec, spec.settings, translate)


def _close(obj: Any) -> None:
    """Close a provider's stream and the generator under it (litellm wraps ours in its own)."""
    for target in (getattr(obj, "completion_stream", None), obj):
        close = getattr(target, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # noqa: S110 - a stream that fails to close has nothing left to give
                pass


def send_stream(spec: Model, messages: list[Message], *, max_tokens: int, temperature: float,
                stop: list[str] | None, response_format: dict[str, Any] | None) -> Iterator[str]:
    """The pieces of one reply; retried before the first piece only, within the deadline."""
    settings = spec.settings
    extra: dict[str, Any] = {"response_format": response_format} if response_format else {}
    remote = not spec.local
    got = ""
    response: Any = None
    deadline = Deadline(settings.deadline)
    attempt = 0
    try:
        while True:
            try:
                response = litellm.completion(messages=messages, max_tokens=max_tokens,
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
                wait = pause(attempt, exc, deadline) if attempt < settings.retries else None
                if got or not remote or not isinstance(err, ProviderUnavailable) or wait is None:
                    raise err from exc
                _close(response)
                time.sleep(wait)
                attempt += 1
    finally:
        _close(response)


# -- the module-level calls: resolve the id, then call the Model ----------------------------------
# For scripts and tests; the app resolves through Services.model. Without `settings` they read the
# environment afresh (there is no process-wide copy to fall back on).

def resolve(model: str | Model | None = None, settings: Settings | None = None) -> Model:
    """Check a model id and its credentials before any call; raise a ConfigError that says the fix."""
    return registry.model(model, settings or load_settings())


def privacy_notice(spec: Model) -> str:
    """One line for the person: does their text leave the machine?"""
    return spec.privacy_notice()


def complete(messages: list[Message], *, model: str | Model | None = None, max_tokens: int = 256,
             temperature: float = 0.0, stop: list[str] | None = None,
             response_format: dict[str, Any] | None = None, settings: Settings | None = None) -> Completion:
    """One reply, trimmed to fit; the notices say what was trimmed."""
    return resolve(model, settings).complete(messages, max_tokens=max_tokens, temperature=temperature, stop=stop,
                                             response_format=response_format)


def stream(messages: list[Message], *, model: str | Model | None = None, max_tokens: int = 256,
           temperature: float = 0.0, stop: list[str] | None = None,
           response_format: dict[str, Any] | None = None, settings: Settings | None = None) -> Stream:
    """Stream a reply (see `Model.stream`)."""
    return resolve(model, settings).stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop,
                                           response_format=response_format)


def structured(messages: list[Message], schema: type[T], *, model: str | Model | None = None, retries: int = 2,
               max_tokens: int = 512, temperature: float = 0.0, settings: Settings | None = None) -> T:
    """A reply validated into `schema` (see `Model.structured`)."""
    return resolve(model, settings).structured(messages, schema, retries=retries, max_tokens=max_tokens,
                                               temperature=temperature)


def queued(model: str | Model | None = None, settings: Settings | None = None) -> int:
    """How many calls hold or wait for this model in this process (the embedded model only; else 0)."""
    try:
        spec = resolve(model, settings)
    except UpwardError:
        return 0
    return spec.queued()
