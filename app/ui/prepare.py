"""Prepare: describe the manager (saved per browser under the data directory) and see what to find out.

A browser's saved profiles are its own, like its History; the one it used last fills the form
again when the page is reopened, so Rehearse and Draft never silently fall back to a generic boss.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from app import text as tx
from app.coach.profiles import active_profile, list_profiles, read_profile, save_profile, set_active
from app.config import Settings
from app.errors import BadInput, UpwardError
from app.schemas import ManagerProfile, Temperament
from app.ui.common import Shared, alert, error_text, profile_from_form

CHECKLIST_QUERY = ("build a picture of your manager: their goals and priorities, the pressures on them, "
                   "how they like to communicate, their strengths and blind spots")
CHECKLIST_ITEMS = 5


# -- the profile store (per browser: app/coach/profiles.py) --------------------------------------

def form_values(profile: ManagerProfile) -> list[Any]:
    """A profile as the form's values, in field order."""
    return [profile.name, profile.role, "\n".join(profile.priorities), "\n".join(profile.pressures),
            profile.communication_style, profile.temperament.value, profile.notes]


# -- the checklist ---------------------------------------------------------------------------------

def checklist(settings: Settings) -> str:
    """'What to find out about your manager', one item per retrieved card, each cited."""
    from app.retrieval.cards import load_cards
    from app.retrieval.search import search

    hints = {c.id: c.hint for c in load_cards(settings.knowledge_dir)}
    # guidance only: an ingested document is not a checklist item
    hits = [h for h in search(CHECKLIST_QUERY, k=CHECKLIST_ITEMS + 4, settings=settings) if h.card in hints]
    hits = hits[:CHECKLIST_ITEMS]
    lines = ["**What to find out about your manager**", ""]
    for h in hits:
        item = hints.get(h.card) or tx.first_sentence(h.text)
        lines.append(f"- [ ] {item} <small>— *{h.title}* ({h.source})</small>")
    return "\n".join(lines)


# -- handlers --------------------------------------------------------------------------------------

def on_save(settings: Settings, owner: str, *values: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        profile = profile_from_form(list(values))
        if not (values[0] or "").strip():
            raise BadInput("Give the profile a name before saving it.", "type your manager's name or a nickname")
        name = save_profile(profile, settings, owner)
    except UpwardError as exc:
        return gr.update(), alert(error_text(exc))
    return (gr.update(choices=list_profiles(settings, owner), value=name),
            alert(f"✅ Saved profile **{name}** (in this browser only)."))


def on_load(name: str, owner: str, settings: Settings) -> list[Any]:
    try:
        profile = read_profile(name, settings, owner)
        set_active(name, settings, owner)
    except UpwardError as exc:
        return [gr.update()] * 7 + [alert(error_text(exc))]
    return [*form_values(profile), alert(f"Loaded **{name}**.")]


def on_page_load(owner: str, settings: Settings) -> list[Any]:
    """A new visit: this browser's saved profiles, and the one it used last back in the form."""
    choices = list_profiles(settings, owner)
    info = f"{len(choices)} saved in this browser; only this browser can see them."
    found = active_profile(settings, owner)
    if found is None:
        return [gr.update(choices=choices, value=None, info=info), *[gr.update()] * 7]
    name, profile = found
    return [gr.update(choices=choices, value=name, info=info), *form_values(profile)]


def on_import(path: str | None, settings: Settings) -> list[Any]:
    from app.coach.profiles import load_profile

    if not path:
        return [gr.update()] * 7 + [alert("")]
    try:
        p = Path(path)
        if p.suffix.lower() not in (".yaml", ".yml", ".json"):
            raise BadInput(f"{p.name} is not a YAML or JSON file.", "upload a .yaml, .yml or .json profile")
        profile = load_profile(p)
    except UpwardError as exc:
        # Name the uploaded file, not Gradio's temporary path.
        return [gr.update()] * 7 + [alert(error_text(exc).replace(str(path), Path(path).name))]
    return [*form_values(profile), alert(f"Imported **{profile.name}**: check the fields, then save.")]


def on_checklist(settings: Settings) -> Iterator[str]:
    yield "Loading the guidance (the first search builds the index)…"
    try:
        yield checklist(settings)
    except UpwardError as exc:
        yield error_text(exc)


def build(shared: Shared) -> None:
    settings = shared.settings
    gr.Markdown("Describe your manager. The rehearsal role-plays this person and drafts are written for them.")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            with gr.Row():
                saved = gr.Dropdown(choices=[], value=None, label="Saved profiles (this browser)",
                                    elem_id="profile-saved", scale=3, min_width=160)
                load = gr.Button("Load", elem_id="profile-load", scale=1, min_width=80)
            name = gr.Textbox(label="Name", placeholder="e.g. Dana", elem_id="profile-name")
            role = gr.Textbox(label="Role", placeholder="e.g. Engineering manager, payments", elem_id="profile-role")
            priorities = gr.Textbox(label="Priorities (one per line)", lines=3, elem_id="profile-priorities",
                                    placeholder="ship the Q3 migration\nkeep the on-call load down")
            pressures = gr.Textbox(label="Pressures (one per line)", lines=2, elem_id="profile-pressures",
                                   placeholder="a new director asking for weekly numbers")
            style = gr.Textbox(label="Communication style", elem_id="profile-style",
                               placeholder="Direct; wants the headline first, details on request")
            temperament = gr.Dropdown([t.value for t in Temperament], value=Temperament.busy.value,
                                      label="Temperament", elem_id="profile-temperament")
            notes = gr.Textbox(label="Notes", lines=2, elem_id="profile-notes")
            with gr.Row():
                save = gr.Button("Save profile", variant="primary", elem_id="profile-save", min_width=120)
                upload = gr.UploadButton("Import YAML/JSON", file_types=[".yaml", ".yml", ".json"],
                                         elem_id="profile-import", min_width=120)
            status = gr.Markdown(visible=False, elem_id="profile-status", elem_classes=["alert"])
        with gr.Column(scale=2, min_width=260):
            check = gr.Markdown("Press the button to see what the guidance says to find out.",
                                elem_id="checklist")
            show = gr.Button("What should I find out?", elem_id="checklist-show")
    fields = [name, role, priorities, pressures, style, temperament, notes]
    shared.profile_fields = fields
    shared.profile_saved = saved
    # saved in another tab of this browser
    saved.focus(lambda owner: gr.update(choices=list_profiles(settings, owner)), shared.owner, saved)
    save.click(partial(on_save, settings), [shared.owner, *fields], [saved, status])
    load.click(partial(on_load, settings=settings), [saved, shared.owner], [*fields, status])
    upload.upload(partial(on_import, settings=settings), upload, [*fields, status])
    show.click(partial(on_checklist, settings), None, check)
