"""Ask: questions as a person types them, through `guidance.ask`.

Scored per answer sentence (each `- sentence [n: source]` line):
- restated: the share of the sentence's content words (stop words dropped, loosely stemmed) that
  are in the question; above 0.6 the sentence restates the question (an answer with one counts);
- supported: the cited card backs the sentence when >= 0.6 of the sentence's content words are in
  the card, or its MiniLM cosine with one of the card's sentences is >= 0.75;
- intended source: one of the case's intended cards is among the citations;
- traps: off-topic questions must be declined with no citations; `forbid` phrases never appear.
Cases from evals/ask_heldout.yaml are reported apart (`heldout_...`): they were never tuned against.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path
from typing import Literal

from pydantic import Field

from app.evals.cases import load_cases
from app.evals.results import CaseFailure
from app.evals.suites.base import Context, Metrics, Outcome, Suite, errored
from app.schemas import Strict
from app.text import STOP

RESTATE_MAX = 0.6
SUPPORT_OVERLAP = 0.6
SUPPORT_COSINE = 0.75
HELDOUT_FILE = "ask_heldout.yaml"
LINE = re.compile(r"^- (?P<text>.+?) \[(?P<n>\d+): [^\]]+\]$")


class AskCase(Strict):
    id: str
    question: str = Field(min_length=1)
    intent: str = "general"
    cards: list[str] = Field(default_factory=list)
    expect: Literal["answer", "decline"] = "answer"
    forbid: list[str] = Field(default_factory=list)
    heldout: bool = False


# -- pure scorers ----------------------------------------------------------------------------------

def content(text: str) -> set[str]:
    """Content words, loosely stemmed, for overlap measures."""
    out = set()
    for w in re.findall(r"[a-z0-9][a-z0-9'-]*", text.lower().replace("’", "'")):
        if w in STOP or len(w) < 3:
            continue
        for suffix in ("ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                w = w[: -len(suffix)]
                break
        out.add(w)
    return out


def restatement(sentence: str, question: str) -> float:
    """Share of the sentence's content words that are in the question (1.0: it says nothing new)."""
    mine = content(sentence)
    return len(mine & content(question)) / len(mine) if mine else 1.0


def overlap(sentence: str, card: str) -> float:
    """Share of the sentence's content words found in the card."""
    mine = content(sentence)
    return len(mine & content(card)) / len(mine) if mine else 0.0


def answer_lines(answer: str) -> list[tuple[str, int]]:
    """(sentence, citation number) for every advice line of an answer."""
    return [(m.group("text"), int(m.group("n"))) for line in answer.splitlines()
            if (m := LINE.match(line.strip()))]


def load(evals_dir: Path) -> list[AskCase]:
    tuned = load_cases(evals_dir / "ask.yaml", AskCase)
    held = [c.model_copy(update={"heldout": True}) for c in load_cases(evals_dir / HELDOUT_FILE, AskCase)]
    return [*tuned, *held]


def _card_sentences(text: str) -> list[str]:
    from app.coach.untrusted import split_sentences

    return split_sentences(text) or [text]


def run_case(case: AskCase, ctx: Context) -> Outcome:
    from app.coach.guidance import ask
    from app.retrieval.embedding import embed

    start = time.perf_counter()
    answer = ask(case.question, model=ctx.model, settings=ctx.settings)
    seconds = time.perf_counter() - start
    out = Outcome(case.id, output={"answer": answer.answer, "citations": [h.card for h in answer.citations]})
    lines = answer_lines(answer.answer)
    cited = [h.card for h in answer.citations]
    declined = not answer.citations
    out.values = {"seconds": seconds, "heldout": float(case.heldout), "lines": float(len(lines))}
    if case.expect == "decline":
        out.values["trap_ok"] = float(declined)
        if not declined:
            out.fail("decline", "an off-topic question was answered from the cards", answer.answer)
        return out
    if declined:
        out.values.update({"restated": 0.0, "supported": 0.0, "intended": 0.0, "answered": 0.0})
        out.fail("answered", "declined a question the guidance covers", case.question)
        return out
    worst = max((restatement(text, case.question) for text, _ in lines), default=0.0)
    unsupported: list[str] = []
    for text, n in lines:
        hit = answer.citations[n - 1] if 1 <= n <= len(answer.citations) else None
        if hit is None:
            unsupported.append(text)
            continue
        if overlap(text, f"{hit.title} {hit.text}") >= SUPPORT_OVERLAP:
            continue
        sims = embed(_card_sentences(hit.text)) @ embed([text])[0]
        if float(sims.max()) < SUPPORT_COSINE:
            unsupported.append(text)
    intended = not case.cards or any(c in cited for c in case.cards)
    forbidden = [f for f in case.forbid if f.lower() in answer.answer.lower()]
    out.values.update({"restated": float(worst > RESTATE_MAX), "answered": 1.0, "intended": float(intended),
                       "supported": (len(lines) - len(unsupported)) / len(lines) if lines else 0.0,
                       "forbidden": float(len(forbidden))})
    if worst > RESTATE_MAX:
        out.fail("restated", f"a sentence restates the question (overlap {worst:.2f})", answer.answer)
    if unsupported:
        out.fail("supported", f"{len(unsupported)} sentence(s) not backed by the cited card: {unsupported}",
                 answer.answer)
    if not intended:
        out.fail("intended_source", f"none of {case.cards} cited; cited {cited}", answer.answer)
    if forbidden:
        out.fail("forbid", f"the answer says {forbidden}", answer.answer)
    return out


def _part(outcomes: list[Outcome], prefix: str) -> Metrics:
    answered = [o for o in outcomes if not o.error and "intended" in o.values]
    traps = [o for o in outcomes if not o.error and "trap_ok" in o.values]
    n = max(1, len([o for o in outcomes if "trap_ok" not in o.values]))
    lines = sum(o.values.get("lines", 0.0) for o in answered)
    return {
        f"{prefix}restated_answers": sum(o.values["restated"] for o in answered),
        f"{prefix}supported": (sum(o.values["supported"] * o.values["lines"] for o in answered) / lines
                               if lines else 0.0),
        f"{prefix}intended_source": sum(o.values["intended"] for o in answered) / n,
        f"{prefix}traps_declined": (sum(o.values["trap_ok"] for o in traps) / len(traps)) if traps else None,
        f"{prefix}forbidden": sum(o.values.get("forbidden", 0.0) for o in answered),
    }


def aggregate(outcomes: list[Outcome], ctx: Context) -> tuple[Metrics, list[str], list[CaseFailure]]:
    tuned = [o for o in outcomes if not o.values.get("heldout")]
    held = [o for o in outcomes if o.values.get("heldout")]
    metrics: Metrics = {**_part(tuned, ""), **(_part(held, "heldout_") if held else {}), "errors": errored(outcomes)}
    seconds = [o.values["seconds"] for o in outcomes if "seconds" in o.values]
    notes = [f"{len(tuned)} tuned and {len(held)} held-back question(s); answer time p50 "
             f"{statistics.median(seconds) if seconds else 0:.2f} s (the first includes loading the index)",
             "restated: share of an answer sentence's content words found in the question (> 0.6 restates); "
             f"supported: >= {SUPPORT_OVERLAP} of its content words in the cited card, or MiniLM cosine >= "
             f"{SUPPORT_COSINE} with one of the card's sentences"]
    return metrics, notes, []


SUITE = Suite(name="ask", file="ask.yaml", load=load, run_case=run_case, aggregate=aggregate,
              chart=("supported", "intended_source", "heldout_supported", "heldout_intended_source"))
