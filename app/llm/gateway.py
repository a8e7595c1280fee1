"""The one place that talks to litellm: it resolves provider ids and carries every call over HTTP.

Models are picked by name (`app.llm.registry`): `local/smollm2` (embedded llama.cpp, the default),
`fake/<name>` (scripted, for tests and evals) and any litellm id (`openai/...`, `anthropic/...`,
`ollama/...`, or an OpenAI-compatible server through `api_base`). Callers hold a `Model` and call
its methods; a provider's calls land in `send` / `send_stream` here, while the two engines in this
process are called directly by `app.llm.inprocess` (litellm would add 3 s and 140 MB to start-up
and nothing they need), with the same parameters and error types.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any, TypeVar

import litellm
from pydantic import BaseModel

from app.config import Settings, load_settings
from app.errors import (
    BadInput,
    ConfigError,
    ProviderUnavailable,
    UnknownModel,
    UpwardError,
)
from app.llm import inprocess, local, registry
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
    if isinstance(exc, litellm.APIError):  # a body that is not the OpenAI shape: malformed JSON, no choices
        return ProviderUnavailable(f"{spec.id} at {where} sent a reply that is not a valid answer "
                                   f"({type(exc).__name__}: {_detail(exc)}).", fallback, partial)
    return inprocess.failure(exc, spec, partial)  # Python-level: a garbage chunk, a bad value


def _call_args(spec: Model, timeout: float) -> dict[str, Any]:
    args: dict[str, Any] = {"model": spec.id, "timeout": timeout,
                            "num_retries": 0,  # we retry, within one deadline (with_retries)
                            "max_retries": 0}  # ... and so must not the openai client underneath
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
                    if not deadline.left():
                        raise TimeoutError(f"no complete answer within {settings.deadline:.0f} s")
                if not got:
                    raise EmptyAnswer("no choices with text in its stream")
                # litellm adds a closing "stop" chunk of its own, so ask it whether the provider sent one:
                # a connection that drops between chunks otherwise looks like a short, finished answer.
                if getattr(response, "received_finish_reason", "unknown") is None:
                    raise ConnectionError("the connection closed before the answer was finished")
                return
            except UpwardError:
                raise
            except Exception as exc:
                err = translate(exc, spec, got)
                wait = pause(attempt, exc, deadline) if attempt < settings.retries else None
                if got or not isinstance(err, ProviderUnavailable) or wait is None:
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
