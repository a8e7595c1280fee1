"""Settings: which model this browser session uses (and where its text goes), and knowledge ingest."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from app.config import Settings
from app.errors import UpwardError
from app.llm import registry
from app.ui.common import Shared, error_text


def model_choices(settings: Settings) -> list[str]:
    """The default model first, then the extra ids configured for the switcher, without repeats."""
    return list(dict.fromkeys([settings.model, *settings.models]))


def notice(model: str, settings: Settings) -> str:
    """The privacy line for a model, or the reason it cannot be used."""
    try:
        return registry.model(model, settings).privacy_notice()
    except UpwardError as exc:
        return error_text(exc)


def on_switch(model: str, settings: Settings) -> tuple[str, str, str]:
    """Switch this session's model only if it resolves; otherwise keep the old one and say why."""
    if model not in model_choices(settings):
        return settings.model, f"⚠️ {model!r} is not a configured model.", notice(settings.model, settings)
    try:
        text = registry.model(model, settings).privacy_notice()
    except UpwardError as exc:
        return settings.model, error_text(exc), notice(settings.model, settings)
    return model, text, text


def on_ingest(files: list[Any] | None, settings: Settings, progress: gr.Progress | None = None) -> str:
    """Add the uploaded files to the search index, one progress step per file read."""
    from app.retrieval.ingest import ingest

    paths = [Path(f if isinstance(f, str) else getattr(f, "name", str(f))) for f in (files or [])]
    if not paths:
        return "⚠️ Choose one or more files first (Markdown, text, HTML or PDF)."
    names = {str(p.resolve()): p.name for p in paths}

    def step(done: int, total: int, name: str) -> None:
        if progress is not None:
            progress((done, total), desc=f"Reading {name}", unit="files")

    if progress is not None:
        progress(0, desc="Reading files…")
    try:
        report = ingest(paths, progress=step, settings=settings)
    except UpwardError as exc:
        return error_text(exc)
    lines = [f"✅ Added {len(report.added)} file(s), {report.chunks} passages; "
             f"{len(report.unchanged)} unchanged. Ask and Rehearse can now cite them."]
    lines += [f"- added: {names.get(a, Path(a).name)}" for a in report.added]
    lines += [f"- ⚠️ skipped {names.get(s.path, Path(s.path).name)}: {s.reason}" for s in report.skipped]
    return "\n".join(lines)


def build(shared: Shared, header: Any) -> None:
    settings = shared.settings
    choices = model_choices(settings)
    gr.Markdown("### Model")
    pick = gr.Dropdown(choices, value=settings.model, label="Model for this browser session",
                       elem_id="model-pick", info="Add more with UPWARD_MODELS=openai/gpt-4o-mini,ollama/llama3.2")
    where = gr.Markdown(elem_id="model-notice")
    gr.Markdown("### Your own documents\nAdd notes, handbooks or career ladders (Markdown, text, HTML, PDF). "
                "They stay on this machine and are searched alongside the guidance.")
    files = gr.File(file_count="multiple", file_types=[".md", ".markdown", ".txt", ".html", ".htm", ".pdf"],
                    label="Files to add", elem_id="ingest-files")
    go = gr.Button("Add to knowledge", elem_id="ingest-go")
    result = gr.Markdown(elem_id="ingest-result")
    pick.change(partial(on_switch, settings=settings), pick, [shared.model, where, header])
    header.change(lambda text: text, header, where)  # the tab repeats the header's notice
    go.click(lambda f, progress=gr.Progress(): on_ingest(f, settings, progress), files, result)  # noqa: B008
