"""The web app. Handlers are thin: they call the same services the CLI calls.

Nothing heavy is created here at import or build time; the model loads on the first message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from app.config import Settings, get_settings
from app.errors import ConfigError, UpwardError

MAX_MESSAGE_CHARS = 8000
CHAT_SYSTEM = (
    "You are the person's manager in a workplace conversation. Stay in character as their manager. "
    "Answer in one to three short sentences. Never say you are an AI."
)

History = list[dict[str, Any]]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # Gradio 6 may hand back [{"type": "text", "text": ...}]
        return " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
    return str(content)


def chat_reply(message: str, history: History, settings: Settings) -> Iterator[History]:
    """Stream the manager's reply into the chat; errors become a visible note, history stays."""
    from app.llm import gateway, local

    message = (message or "").strip()
    if not message:
        raise gr.Error("Your message is empty: type what you would say to your manager.")
    if len(message) > MAX_MESSAGE_CHARS:
        raise gr.Error(f"That message is {len(message):,} characters; keep it under {MAX_MESSAGE_CHARS:,}.")
    history = [*history, {"role": "user", "content": message}]
    spec = gateway.resolve(settings.model, settings)
    placeholder = "…"
    if spec.provider == "local" and not local.get_engine(settings.local_context).loaded:
        placeholder = "Loading the embedded model (first message only)…"
    yield [*history, {"role": "assistant", "content": placeholder}]
    convo = [{"role": "system", "content": CHAT_SYSTEM}] + [
        {"role": "assistant" if m["role"] == "assistant" else "user", "content": _text(m["content"])}
        for m in history
    ]
    try:
        reply = gateway.stream(convo, model=settings.model, settings=settings, max_tokens=160, temperature=0.3)
        for notice in reply.notices:
            gr.Info(notice)
        for _ in reply:
            yield [*history, {"role": "assistant", "content": reply.text}]
    except UpwardError as exc:
        partial = getattr(exc, "partial", "")
        kept = [*history, {"role": "assistant", "content": partial}] if partial else history
        note = f"⚠️ {exc.message}" + (f" — {exc.fix}" if exc.fix else "")
        yield [*kept, {"role": "assistant", "content": note}]


def build_ui(settings: Settings | None = None) -> gr.Blocks:
    """The Blocks app; creating it loads no model and opens no index."""
    settings = settings or get_settings()
    from app.llm import gateway

    try:
        notice = gateway.privacy_notice(gateway.resolve(settings.model, settings))
    except UpwardError as exc:
        notice = f"Model problem: {exc.message}"
    with gr.Blocks(title="Upward") as demo:
        gr.Markdown("# Upward\nRehearse the conversation you dread with your manager.")
        gr.Markdown(notice, elem_id="privacy-notice")
        chat = gr.Chatbot(label="Your manager", elem_id="chat", height=420)
        box = gr.Textbox(label="What you say", placeholder="Say what you'd say to your manager…", elem_id="msg")
        send = gr.Button("Send", variant="primary", elem_id="send")

        def respond(message: str, history: History) -> Iterator[tuple[History, str]]:
            for h in chat_reply(message, history or [], settings):
                yield h, ""

        send.click(respond, [box, chat], [chat, box])
        box.submit(respond, [box, chat], [chat, box])
    return demo


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def serve(settings: Settings | None = None) -> None:
    """Start the app; a non-loopback host requires a username and password."""
    settings = settings or get_settings()
    auth = None
    if not _loopback(settings.host):
        if not (settings.username and settings.password):
            raise ConfigError(
                f"Serving on {settings.host} would expose your conversations to the network without a login.",
                "set UPWARD_USERNAME and UPWARD_PASSWORD, or serve on 127.0.0.1",
            )
        auth = (settings.username, settings.password)
    print(f"Upward on http://{settings.host}:{settings.port}  ({settings.model})", flush=True)
    build_ui(settings).queue(default_concurrency_limit=4).launch(
        server_name=settings.host, server_port=settings.port, share=False, auth=auth,
        show_error=True, inbrowser=False,
    )
