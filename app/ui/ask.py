"""Ask: a question answered from the guidance, with the cited passages beside the answer."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import gradio as gr

from app.config import Settings
from app.errors import UpwardError
from app.schemas import Hit
from app.ui.common import LOADING_LOCAL, Shared, as_text, citations_markdown, error_text, loading_placeholder


def on_ask(question: str, model: str, settings: Settings) -> Iterator[tuple[str, str]]:
    """Yield a placeholder at once (the first question loads the index and maybe the model), then the answer."""
    from app.coach.guidance import ask

    question = (question or "").strip()
    if not question:
        yield "⚠️ Type a question first, e.g. *How do I tell my manager a deadline will slip?*", ""
        return
    wait = loading_placeholder(model, settings)
    yield ("Searching the guidance…" if wait != LOADING_LOCAL else wait), ""
    try:
        answer = ask(question, model=model, settings=settings, as_text=as_text)
    except UpwardError as exc:
        yield error_text(exc), ""
        return
    asked = f"*You asked:* {as_text(question)}\n\n"  # the answer says which question it answers
    yield asked + answer.answer, sources_markdown(answer.citations, settings)


def sources_markdown(hits: list[Hit], settings: Settings) -> str:
    """The cited cards, then the person's own documents apart: as written, minus anything that
    reads like an instruction, never under the 'guidance' heading."""
    from app.coach.untrusted import plain, quotable

    cards = [h for h in hits if (settings.knowledge_dir / f"{h.card}.md").is_file()]
    docs = [h.model_copy(update={"text": " ".join(quotable(plain(h.text)))}) for h in hits if h not in cards]
    parts = [citations_markdown(cards, "Cited guidance (open a card to read it)")]
    if docs:
        parts.append(citations_markdown(docs, "From your own documents (as written, not advice)", len(cards) + 1))
    return "\n\n".join(p for p in parts if p)


def build(shared: Shared) -> None:
    settings = shared.settings
    gr.Markdown("Ask anything about working with your manager. Every point cites the guidance it comes from.")
    with gr.Row():
        question = gr.Textbox(label="Your question", elem_id="ask-question", scale=4, min_width=200,
                              placeholder="How do I ask for more autonomy without sounding ungrateful?")
        go = gr.Button("Ask", variant="primary", elem_id="ask-go", scale=1, min_width=80)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=260):
            answer = gr.Markdown(elem_id="ask-answer")
        with gr.Column(scale=2, min_width=260):
            cites = gr.Markdown(elem_id="ask-citations")
    fn = partial(on_ask, settings=settings)
    go.click(fn, [question, shared.model], [answer, cites])
    question.submit(fn, [question, shared.model], [answer, cites])
