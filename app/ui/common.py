"""What every tab shares: per-browser context, error rendering, citations and chat conversion.

Nothing here loads a model or opens an index; those happen inside handlers, on first use.
"""

from __future__ import annotations

import html
import queue
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import gradio as gr

from app.config import Settings, private_file
from app.errors import UpwardError
from app.llm import registry
from app.llm.model import Model
from app.schemas import Hit, ManagerProfile, Turn

T = TypeVar("T")
ChatHistory = list[dict[str, Any]]
LOADING_LOCAL = "Loading the embedded model (first use only, a few seconds)…"
THINKING = "…"


@dataclass
class Shared:
    """Components that several tabs read or write, created once per Blocks."""

    settings: Settings
    owner: Any = None  # gr.BrowserState: a random id per browser, filters History
    model: Any = None  # gr.State: the model id this browser session uses
    profile_fields: list[Any] = field(default_factory=list)  # Prepare's form, in ManagerProfile order
    profile_saved: Any = None  # Prepare's dropdown of this browser's saved profiles
    rehearsal: Any = None  # gr.State: the live Rehearsal object of this browser session
    tabs: Any = None  # gr.Tabs, so a handler can switch tab
    chat: Any = None  # Rehearse's chatbot
    rehearse_outputs: list[Any] = field(default_factory=list)  # [state, chat, meter, alert, retry]
    rehearse_controls: list[Any] = field(default_factory=list)  # [scenario, difficulty, hints]
    debrief_outputs: list[Any] = field(default_factory=list)  # [group, overall, chart, notes, citations]


def new_owner(current: str | None) -> str:
    """Keep this browser's owner id, or make one the first time it visits."""
    current = (current or "").strip()
    return current if re.fullmatch(r"[0-9a-f]{16,32}", current) else uuid.uuid4().hex


def error_text(exc: UpwardError) -> str:
    """An error as a person reads it: what happened, then what to do."""
    return f"⚠️ {exc.message}" + (f"\n\n**Fix:** {exc.fix}" if exc.fix else "")


def alert(text: str) -> dict[str, Any]:
    """An update for an alert Markdown: shown with text, hidden when empty."""
    return gr.update(value=text, visible=bool(text))


def loading_placeholder(model: str | Model, settings: Settings) -> str:
    """What to show while waiting for the first piece: says so when the embedded model must load."""
    try:
        chosen = registry.model(model, settings)
    except UpwardError:
        return THINKING
    if not chosen.loaded:
        return LOADING_LOCAL
    ahead = chosen.queued()
    if ahead:  # the embedded model answers one conversation at a time
        return waiting_notice(ahead)
    return THINKING


def waiting_notice(ahead: int) -> str:
    """What to show while this reply waits its turn for the embedded model."""
    replies = "reply" if ahead == 1 else "replies"
    return f"⏳ Waiting for the model: {ahead} other {replies} ahead of yours…"


def chat_from_turns(turns: list[Turn] | list[dict[str, Any]]) -> ChatHistory:
    """Rehearsal turns (user/manager) as Gradio messages (user/assistant)."""
    out: ChatHistory = []
    for t in turns:
        role, content = (t.role, t.content) if isinstance(t, Turn) else (t["role"], t["content"])
        out.append({"role": "user" if role == "user" else "assistant", "content": content})
    return out


MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
AUTOLINK = re.compile(r"(?i)\b(https?|ftp|file|data|javascript|mailto)(:)|\b(www)(\.)")


def as_text(text: str) -> str:
    """Untrusted text (an ingested document, a question) for a Markdown component: shown as
    written, never rendered, so an image, link or tag in it cannot fetch or point anywhere."""
    # a zero-width space after the scheme keeps a bare URL from being auto-linked
    text = AUTOLINK.sub(lambda m: (m.group(1) or m.group(3)) + "\u200b" + (m.group(2) or m.group(4)), text)
    # HTML first (its entities hold no Markdown punctuation), then every Markdown mark is escaped
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))


def citations_markdown(hits: list[Hit] | list[dict[str, Any]], heading: str = "Sources", start: int = 1) -> str:
    """Each citation as a collapsible block that opens to the card's (or document's) own text, as text."""
    if not hits:
        return ""
    parts = [f"**{heading}**", ""]
    for i, h in enumerate(hits, start):
        hit = h if isinstance(h, Hit) else Hit.model_validate(h)
        parts.append(
            # the summary is raw HTML (Markdown is not parsed there), so HTML escaping is the whole job
            f"<details class='cite'><summary>[{i}] {html.escape(hit.title)} "
            f"<small>({html.escape(hit.source)})</small></summary>\n\n"
            f"{as_text(hit.text)}\n\n<small>card: <code>{html.escape(hit.card)}</code></small>\n\n</details>"
        )
    return "\n".join(parts)


def profile_from_form(values: list[Any]) -> ManagerProfile:
    """The Prepare form as a profile; an empty form means the generic busy manager."""
    from app.coach.profiles import DEFAULT_PROFILE, parse_profile

    keys = ["name", "role", "priorities", "pressures", "communication_style", "temperament", "notes"]
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in zip(keys, values, strict=True)}
    if not any(data[k] for k in keys if k != "temperament"):
        return DEFAULT_PROFILE
    data = {k: v for k, v in data.items() if v not in (None, "")}
    return parse_profile(data, "The manager profile")


def export_file(stem: str, suffix: str, text: str, settings: Settings | None = None) -> str:
    """Write a download to a fresh private folder inside the data directory (app/ui/exports.py) and
    return its path; Gradio serves it from there without copying it."""
    from app.ui.exports import new_export_folder

    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-")[:60] or "upward"
    folder = new_export_folder(settings)
    path = folder / f"{safe}{suffix}"
    path.write_text(text, encoding="utf-8")
    private_file(path)
    return str(path)


def in_one_thread(pieces: Iterator[T]) -> Iterator[T]:
    """Drive a stream to its end in one thread of its own, handing its items over as they come.

    A page closed mid-reply abandons Gradio's generator; running the rehearsal's stream in a thread
    of its own, always to completion, means the manager's reply is still checked and stored in
    History, so reopening the session shows a whole turn rather than a dangling line. (The embedded
    model's lock is owned by its own worker thread, so thread-hopping is safe either way.)
    """
    box: queue.Queue[tuple[str, Any]] = queue.Queue()

    def run() -> None:
        try:
            for item in pieces:
                box.put(("item", item))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            box.put(("error", exc))
        else:
            box.put(("done", None))

    threading.Thread(target=run, name="upward-stream", daemon=True).start()
    while True:
        kind, value = box.get()
        if kind == "item":
            yield value
        elif kind == "error":
            raise value
        else:
            return
