"""Draft: the words for the real conversation, laid out as opener, talking points, pushback, close.

The kind's fact fields are shown as editable boxes (a fixed set, relabelled per kind), so the
person can correct what was read from their situation before the draft is composed.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from functools import partial
from typing import Any

import gradio as gr

from app.config import Settings
from app.errors import BadInput, UpwardError
from app.ui.common import (
    Shared,
    alert,
    citations_markdown,
    error_text,
    export_file,
    loading_placeholder,
    profile_from_form,
)

MAX_FIELDS = 8
Updates = list[Any]


def kinds() -> tuple[str, ...]:
    from app.coach.drafting import KINDS

    return tuple(KINDS)


def field_updates(kind: str, values: dict[str, str] | None = None) -> Updates:
    """One update per fact box: the kind's fields labelled and shown, the rest hidden and emptied."""
    from app.coach.drafting import kind_fields

    values = values or {}
    fields = kind_fields(kind)
    out: Updates = []
    for i in range(MAX_FIELDS):
        if i < len(fields):
            f = fields[i]
            label = f.label + (" (required)" if f.required else "")
            out.append(gr.update(visible=True, label=label, info=f.question, value=values.get(f.name, "")))
        else:
            out.append(gr.update(visible=False, value="", label=f"fact {i + 1}", info=None))
    return out


def facts_from_boxes(kind: str, boxes: list[str]) -> dict[str, str]:
    from app.coach.drafting import kind_fields

    return {f.name: (v or "").strip() for f, v in zip(kind_fields(kind), boxes, strict=False) if (v or "").strip()}


def result_view(result: Any) -> Updates:
    """[opener, points, pushback, close, markdown, download, notes, citations] for a DraftResult."""
    d = result.draft
    points = "\n".join(f"{i}. {p}" for i, p in enumerate(d.talking_points, 1))
    pushback = "\n\n".join(f"**If they say:** {p.objection}\n\n**You can say:** {p.response}"
                           for p in d.anticipated_pushback)
    notes = []
    if result.missing:
        notes.append("**Still to confirm:** " + "; ".join(f"{f.label} — {f.question}" for f in result.missing))
    notes += [f"⚠️ {p}" for p in result.problems]
    if result.notices:
        made = "\n".join(f"<li>{html.escape(n)}</li>" for n in result.notices)
        notes.append(f"<details><summary>How this draft was made</summary><ul>{made}</ul></details>")
    path = export_file(f"upward-draft-{d.kind}", ".md", result.markdown)
    return [d.opener, points, pushback, d.close, result.markdown, gr.update(value=path, visible=True),
            "\n\n".join(notes), citations_markdown(d.citations, "Guidance behind this draft")]


def cleared() -> Updates:
    """[opener, points, pushback, close, markdown, download, notes, citations] emptied."""
    return ["", "", "", "", "", gr.update(value=None, visible=False), "", ""]


def on_kind(kind: str) -> Updates:
    """A new kind: its fact boxes, and the previous kind's draft cleared (it no longer applies)."""
    try:
        return [*field_updates(kind), *cleared()]
    except UpwardError:
        return [gr.update()] * (MAX_FIELDS + 8)


def on_facts(kind: str, situation: str, model: str, settings: Settings) -> Iterator[Updates]:
    """Read the kind's facts out of the situation into the boxes, for the person to correct."""
    from app.coach.drafting import extract_facts

    if not (situation or "").strip():
        yield [*[gr.update()] * MAX_FIELDS, alert("⚠️ Describe the situation first, in a few sentences.")]
        return
    yield [*[gr.update()] * MAX_FIELDS, alert(loading_placeholder(model, settings))]
    try:
        facts = extract_facts(kind, situation, model=model, settings=settings)
    except UpwardError as exc:
        yield [*[gr.update()] * MAX_FIELDS, alert(error_text(exc))]
        return
    yield [*field_updates(kind, facts), alert("Check the facts, fill any gaps, then press **Make draft**.")]


def on_draft(kind: str, situation: str, model: str, owner: str, rehearsal: Any, *rest: Any,
             settings: Settings) -> Iterator[Updates]:
    """Compose the draft from the situation, the edited facts and the Prepare tab's manager; saved to History."""
    from app.coach.drafting import make_draft

    boxes, profile_values = list(rest[:MAX_FIELDS]), list(rest[MAX_FIELDS:])
    keep = [gr.update()] * 8
    if not (situation or "").strip():
        yield [*keep, alert("⚠️ Describe the situation in a few sentences before drafting.")]
        return
    yield [*keep, alert(f"Drafting… {loading_placeholder(model, settings)}")]
    try:
        profile = profile_from_form(profile_values)
        facts = facts_from_boxes(kind, boxes)
        session_id = rehearsal.session_id if rehearsal is not None else None
        result = make_draft(kind, situation or "", profile=profile, facts=facts or None, model=model,
                            settings=settings, save=True, owner=owner or "", session_id=session_id)
    except UpwardError as exc:
        yield [*keep, alert(error_text(exc))]
        return
    yield [*result_view(result), alert("✅ Draft saved to History.")]


def on_from_rehearsal(model: str, owner: str, rehearsal: Any, settings: Settings) -> Iterator[Updates]:
    """A draft for the real conversation, built from what the person said in this session's rehearsal;
    its kind follows the rehearsal's scenario (a promotion rehearsal gives a promotion draft)."""
    from app.coach.drafting import draft_from_rehearsal

    keep = [gr.update()] * (8 + MAX_FIELDS + 1)
    if rehearsal is None or not rehearsal.person_lines:
        exc = BadInput("There is no rehearsal in this session to draft from.",
                       "rehearse first (or reopen one from History), then come back here")
        yield [*keep, alert(error_text(exc))]
        return
    yield [*keep, alert(f"Drafting from your rehearsal… {loading_placeholder(model, settings)}")]
    try:
        result = draft_from_rehearsal(rehearsal.session_id, model=model, settings=settings, owner=owner or "")
    except UpwardError as exc:
        yield [*keep, alert(error_text(exc))]
        return
    yield [*result_view(result), result.draft.kind, *field_updates(result.draft.kind, result.facts),
           alert("✅ Drafted from your rehearsal and saved to History.")]


def build(shared: Shared) -> None:
    from app.coach.drafting import kind_fields

    settings = shared.settings
    choices = kinds()
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=280):
            kind = gr.Dropdown(list(choices), value=choices[0], label="What are you preparing?",
                               elem_id="draft-kind")
            situation = gr.Textbox(label="Your situation", lines=4, elem_id="draft-situation",
                                   placeholder="What happened, what you want, by when…")
            with gr.Row():
                read = gr.Button("Fill facts from my situation", elem_id="draft-facts", min_width=120)
                from_rehearsal = gr.Button("Draft from this rehearsal", elem_id="draft-from-rehearsal",
                                           min_width=120)
            first = kind_fields(choices[0])
            boxes = [gr.Textbox(label=(first[i].label + (" (required)" if first[i].required else ""))
                                if i < len(first) else f"fact {i + 1}",
                                info=first[i].question if i < len(first) else None, visible=i < len(first),
                                elem_id=f"draft-fact-{i}", elem_classes=["fact"]) for i in range(MAX_FIELDS)]
            go = gr.Button("Make draft", variant="primary", elem_id="draft-go")
            status = gr.Markdown(visible=False, elem_id="draft-status", elem_classes=["alert"])
        with gr.Column(scale=3, min_width=280):
            opener = gr.Textbox(label="Opener", lines=2, buttons=["copy"], elem_id="draft-opener")
            gr.Markdown("**Talking points**")
            points = gr.Markdown(elem_id="draft-points")
            gr.Markdown("**Pushback and replies**")
            pushback = gr.Markdown(elem_id="draft-pushback")
            close = gr.Textbox(label="Close", lines=2, buttons=["copy"], elem_id="draft-close")
            notes = gr.Markdown(elem_id="draft-notes")
            with gr.Accordion("Whole draft as Markdown (copy or download)", open=False):
                whole = gr.Code(language="markdown", buttons=["copy"], elem_id="draft-markdown",
                                wrap_lines=True, show_line_numbers=False)
            download = gr.DownloadButton("Download Markdown", visible=False, elem_id="draft-download")
            cites = gr.Markdown(elem_id="draft-citations")
    outputs = [opener, points, pushback, close, whole, download, notes, cites]
    # .input, not .change: drafting from a rehearsal sets kind and facts itself
    kind.input(on_kind, kind, [*boxes, *outputs])
    read.click(partial(on_facts, settings=settings), [kind, situation, shared.model], [*boxes, status])
    go.click(partial(on_draft, settings=settings),
             [kind, situation, shared.model, shared.owner, shared.rehearsal, *boxes, *shared.profile_fields],
             [*outputs, status])
    from_rehearsal.click(partial(on_from_rehearsal, settings=settings),
                         [shared.model, shared.owner, shared.rehearsal], [*outputs, kind, *boxes, status])
