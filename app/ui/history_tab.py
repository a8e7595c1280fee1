"""History: this browser's past rehearsals and drafts; read, reopen, export as Markdown or JSON.

Exports are written inside the data directory (owner-only) and deleted once downloaded.
"""

from __future__ import annotations

import json
import time
from functools import partial
from typing import Any

import gradio as gr

from app.config import Settings
from app.errors import BadInput, UpwardError
from app.ui.common import Shared, alert, chat_from_turns, error_text, export_file


def _when(ts: float) -> str:
    return time.strftime("%d %b %H:%M", time.localtime(ts))


def listing(owner: str, settings: Settings) -> tuple[list[tuple[str, str]], str]:
    """Dropdown choices ('s:<id>' rehearsals, 'd:<id>' drafts) and a Markdown summary, newest first."""
    from app.history import get_history

    if not owner:  # the page has not finished loading its id; never list another session's items
        return [], "Loading…"
    hist = get_history(settings)
    sessions = hist.sessions(owner=owner)
    drafts = hist.drafts(owner=owner)
    choices: list[tuple[str, str]] = []
    lines: list[str] = []
    for s in sessions:
        state = "debriefed" if s["finished"] else "in progress"
        label = f"Rehearsal · {s['title']} · {s['turns']} turns · {state} · {_when(s['updated'])}"
        choices.append((label, f"s:{s['id']}"))
        lines.append(f"- 🎭 {label}")
    for d in drafts:
        label = f"Draft · {d['title']} · {d['kind']} · {_when(d['created'])}"
        choices.append((label, f"d:{d['id']}"))
        lines.append(f"- ✍️ {label}")
    summary = "\n".join(lines) if lines else "Nothing yet: your rehearsals and drafts will appear here."
    return choices, summary


def _item(key: str, owner: str, settings: Settings) -> tuple[str, dict[str, Any]]:
    """('session'|'draft', the stored record), refusing another browser's items."""
    from app.history import get_history

    if not isinstance(key, str) or not isinstance(owner, str):
        raise BadInput("Pick a rehearsal or draft from the list first.", "reload the page if the list is empty")
    kind, _, item_id = key.partition(":")
    hist = get_history(settings)
    if kind == "s":
        record = hist.session(item_id)
    elif kind == "d":
        record = hist.draft(item_id)
    else:
        raise BadInput("Pick a rehearsal or draft from the list first.")
    if record.get("owner", "") != owner:
        raise BadInput("That item belongs to another browser session.")
    return ("session" if kind == "s" else "draft"), record


def on_refresh(owner: str, settings: Settings) -> tuple[dict[str, Any], str]:
    try:
        choices, summary = listing(owner, settings)
    except UpwardError as exc:  # e.g. a damaged history file: say so, and how to get out
        return gr.update(choices=[], value=None), error_text(exc)
    return gr.update(choices=choices, value=None), summary


def on_select(key: str | None, owner: str, settings: Settings) -> list[Any]:
    """Show the item and prepare its Markdown and JSON downloads."""
    from app.coach.report import session_markdown

    hidden = gr.update(value=None, visible=False)
    if not key:
        return ["", hidden, hidden, gr.update(visible=False), alert("")]
    try:
        kind, record = _item(key, owner, settings)
        text = session_markdown(record) if kind == "session" else record["markdown"]
        stem = f"upward-{kind}-{record['id']}"
        md = export_file(stem, ".md", text, settings)
        js = export_file(stem, ".json", json.dumps(record, ensure_ascii=False, indent=2, default=str), settings)
    except UpwardError as exc:
        return ["", hidden, hidden, gr.update(visible=False), alert(error_text(exc))]
    return [text, gr.update(value=md, visible=True), gr.update(value=js, visible=True),
            gr.update(visible=kind == "session"), alert("")]


def on_downloaded(path: str | None) -> dict[str, Any]:
    """The browser is fetching the export: delete it shortly after, and hide the spent button."""
    from app.ui.exports import forget

    forget(path)
    return gr.update(value=None, visible=False)


RESTORED = 4 + 7  # Rehearse's scenario, difficulty, hints and situation, then Prepare's seven profile fields


def restored_controls(rehearsal: Any) -> list[Any]:
    """The controls as they were for this session: its scenario, difficulty, hints and situation, and its
    manager back in Prepare's form (so the next Start plays the same person)."""
    from app.ui.prepare import form_values

    return [rehearsal.scenario.id, rehearsal.difficulty.value, bool(rehearsal.hints),
            getattr(rehearsal, "situation", "") or "", *form_values(rehearsal.profile)]


def on_reopen(key: str | None, owner: str, model: str, settings: Settings) -> list[Any]:
    """Resume a rehearsal in the Rehearse tab exactly where it stopped, with its debrief if it has one."""
    from app.coach.debrief import Debrief
    from app.coach.rehearsal import Rehearsal
    from app.ui import rehearse

    try:
        kind, record = _item(key or "", owner, settings)
        if kind != "session":
            raise BadInput("Only rehearsals can be reopened; a draft can be downloaded.")
        rehearsal = Rehearsal.resume(record["id"], settings=settings, model=model)
    except UpwardError as exc:
        return [gr.update()] * 6 + [alert(error_text(exc))] + [gr.update()] * (5 + RESTORED)
    stored = record.get("debrief")
    debrief = (rehearse.debrief_view(Debrief.model_validate(stored), settings) if stored
               else [gr.update(visible=False)] + [gr.update()] * 4)
    return [*rehearse.view(rehearsal, chat_from_turns(rehearsal.transcript)), gr.Tabs(selected="rehearse"),
            alert(""), *debrief, *restored_controls(rehearsal)]


def build(shared: Shared, tab: Any) -> None:
    settings = shared.settings
    with gr.Row():
        pick = gr.Dropdown(choices=[], label="Your rehearsals and drafts", elem_id="history-pick",
                           scale=4, min_width=200)
        refresh = gr.Button("Refresh", elem_id="history-refresh", scale=1, min_width=80)
    summary = gr.Markdown(elem_id="history-list")
    status = gr.Markdown(visible=False, elem_id="history-status", elem_classes=["alert"])
    with gr.Row():
        reopen = gr.Button("Reopen in Rehearse", visible=False, elem_id="history-reopen", min_width=120)
        md = gr.DownloadButton("Export Markdown", visible=False, elem_id="history-md", min_width=120)
        js = gr.DownloadButton("Export JSON", visible=False, elem_id="history-json", min_width=120)
    body = gr.Markdown(elem_id="history-body")
    refresh_fn = partial(on_refresh, settings=settings)
    refresh.click(refresh_fn, shared.owner, [pick, summary])
    tab.select(refresh_fn, shared.owner, [pick, summary])
    pick.change(partial(on_select, settings=settings), [pick, shared.owner], [body, md, js, reopen, status])
    md.click(on_downloaded, md, md)
    js.click(on_downloaded, js, js)
    reopen.click(partial(on_reopen, settings=settings), [pick, shared.owner, shared.model],
                 [*shared.rehearse_outputs, shared.tabs, status, *shared.debrief_outputs,
                  *shared.rehearse_controls, *shared.profile_fields])
