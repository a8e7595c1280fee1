"""The in-process user paths, through the same public services the app and CLI call.

Each path runs warm (model loaded, index open) in a scratch data directory, with the embedded
model's generations recorded by a Probe, so every row can be set against its floor: raw llama.cpp
doing the same generations (and the retrieval the path needs at minimum), measured in this run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from app.benchmarks.probe import Call, Floor, Probe, floor_of, raw_generation
from app.benchmarks.report import Row, median, pct
from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = [  # the person's lines in a 10-turn promotion rehearsal
    "I'd like to talk about my promotion to senior engineer.",
    "Over the last year I led the billing migration and cut incidents by 40%.",
    "I'd like to be considered for senior in the next promotion cycle.",
    "The team benefits too: I already mentor two junior engineers.",
    "I can also take on designing the on-call rota.",
    "What would you need to see from me to support this?",
    "I can bring the incident dashboard and the migration numbers by Friday.",
    "Does that address your concern about scope?",
    "I'd also value your input on which project I should lead next.",
    "So can we agree to review this at the next cycle?",
]
MANAGERS = ("skeptical", "supportive", "busy")
ASK_QUESTIONS = 5
DRAFT_CASES = 3


@dataclass
class Context:
    """What every path needs: settings on a scratch data dir, the model id, the loaded llama, a probe."""

    settings: Settings
    model: str
    llama: Any | None  # None when the model is not the embedded one: no probe, no floors
    probe: Probe | None
    quick: bool = False

    def search_seconds(self, query: str, k: int = 4) -> float:
        """One warm hybrid search: the retrieval floor of a path that needs guidance."""
        from app.retrieval.search import search

        start = time.perf_counter()
        search(query, k=k, settings=self.settings)
        return time.perf_counter() - start

    def take(self) -> list[Call]:
        """The embedded model's generations since the last take."""
        return self.probe.take() if self.probe is not None else []

    def floor(self, calls: list[Call]) -> Floor | None:
        return floor_of(self.llama, calls) if self.llama is not None else None

    def first_call_floor(self, calls: list[Call]) -> float:
        """Raw llama.cpp doing the first generation of a path (0 when there was none)."""
        if self.llama is None or not calls:
            return 0.0
        return raw_generation(self.llama, calls[0].prompt, calls[0].completion_tokens).total


def _q(values: list[float], q: float) -> float | None:
    return pct(values, q) if values else None


def _model_note(calls_per_run: list[list[Call]], seconds: list[float]) -> str:
    """Where the time went: model calls per run, how many under a grammar, tokens, share in the model."""
    n = len(calls_per_run)
    if not any(calls_per_run):
        return "no embedded-model generations recorded"
    calls = sum(len(c) for c in calls_per_run) / n
    grammar = sum(sum(x.grammar for x in c) for c in calls_per_run) / n
    tokens = sum(sum(x.completion_tokens for x in c) for c in calls_per_run) / n
    prompt = sum(sum(len(x.prompt) for x in c) for c in calls_per_run) / n
    in_model = sum(sum(x.seconds for x in c) for c in calls_per_run)
    share = in_model / max(1e-9, sum(seconds))
    return (f"per run {calls:.1f} model calls ({grammar:.1f} under a JSON grammar), {prompt:.0f} prompt + "
            f"{tokens:.0f} generated tokens, {share:.0%} of the time inside the model")


def rehearsal(ctx: Context) -> list[Row]:
    """A scripted 10-turn session per manager: first visible text and full reply, turn 1 vs turn 10."""
    from app.coach.profiles import load_profile
    from app.coach.rehearsal import Rehearsal

    section = "rehearsal turn (embedded model, warm)"
    firsts: list[float] = []
    fulls: list[float] = []
    floors_first: list[float] = []
    floors_full: list[float] = []
    starts: list[float] = []
    debriefs: list[float] = []
    turn1: list[float] = []
    turn10: list[float] = []
    all_calls: list[list[Call]] = []
    no_model = 0
    managers = MANAGERS[:1] if ctx.quick else MANAGERS
    for manager in managers:
        profile = load_profile(ROOT / "evals" / "managers" / f"{manager}.yaml")
        start = time.perf_counter()
        session = Rehearsal.start("promotion", profile, difficulty="realistic", hints=ctx.settings.hints,
                                  model=ctx.model, settings=ctx.settings)
        for _ in session.opening():
            pass
        starts.append(time.perf_counter() - start)
        ctx.take()
        turns: list[tuple[float, float, list[Call]]] = []
        for line in SCRIPT:
            begin = time.perf_counter()
            first = None
            for snapshot in session.reply(line):
                if first is None and snapshot.strip():
                    first = time.perf_counter() - begin
            full = time.perf_counter() - begin
            turns.append((first if first is not None else full, full, ctx.take()))
        start = time.perf_counter()
        session.finish()
        debriefs.append(time.perf_counter() - start)
        for i, (first, full, calls) in enumerate(turns):  # floors after the session, so it ran undisturbed
            floor = ctx.floor(calls)
            firsts.append(first)
            fulls.append(full)
            if floor is not None:
                floors_first.append(floor.first)
                floors_full.append(floor.total)
            all_calls.append(calls)
            no_model += not calls
            if i == 0:
                turn1.append(first)
            if i == len(turns) - 1:
                turn10.append(first)
    model_turns = len(firsts) - no_model
    floor_note = (f"floor: raw llama.cpp, same prompts and token counts, stable prefix warm, no grammar; "
                  f"{model_turns} of {len(firsts)} turns called the model")
    rows = [
        Row(section, "first visible text p50", pct(firsts, 0.5), floor=_q(floors_first, 0.5),
            floor_label="raw first token", goal=0.5, samples=len(firsts), note=floor_note),
        Row(section, "first visible text p95", pct(firsts, 0.95), floor=_q(floors_first, 0.95),
            floor_label="raw first token", samples=len(firsts)),
        Row(section, "full reply p50", pct(fulls, 0.5), floor=_q(floors_full, 0.5), floor_label="raw same tokens",
            goal=2.0, samples=len(fulls), note=_model_note(all_calls, fulls)),
        Row(section, "full reply p95", pct(fulls, 0.95), floor=_q(floors_full, 0.95),
            floor_label="raw same tokens", samples=len(fulls)),
        Row(section, "turn 10 first text (vs turn 1)", median(turn10), floor=median(turn1), floor_label="turn 1",
            goal=1.2, goal_on="ratio", samples=len(turn10)),
        Row(section, "session start (greeting shown)", median(starts), samples=len(starts)),
    ]
    search_floor = median([ctx.search_seconds("asking for a promotion") for _ in range(3)])
    rows.append(Row("debrief", "end and debrief p50", median(debriefs), floor=search_floor,
                    floor_label="one hybrid search", samples=len(debriefs),
                    note="scored in code; its citations need three searches"))
    return rows


def _service_rows(ctx: Context, section: str, runs: list[tuple[str, Callable[[], Any]]], goal: float,
                  note_extra: Callable[[list[Any]], str] | None = None) -> list[Row]:
    seconds: list[float] = []
    floors: list[float] = []
    calls_per_run: list[list[Call]] = []
    results: list[Any] = []
    for query, run in runs:
        ctx.take()
        start = time.perf_counter()
        results.append(run())
        seconds.append(time.perf_counter() - start)
        calls = ctx.take()
        calls_per_run.append(calls)
        floors.append(ctx.search_seconds(query) + ctx.first_call_floor(calls))
    note = _model_note(calls_per_run, seconds)
    if note_extra is not None:
        note += "; " + note_extra(results)
    return [
        Row(section, "p50", pct(seconds, 0.5), floor=pct(floors, 0.5), floor_label="search + raw first call",
            goal=goal, samples=len(seconds), note=note),
        Row(section, "p95", pct(seconds, 0.95), floor=pct(floors, 0.95), floor_label="search + raw first call",
            samples=len(seconds)),
    ]


def ask(ctx: Context) -> list[Row]:
    """Grounded answers to held-out questions from evals/retrieval.yaml."""
    from app.coach.guidance import ask as answer

    cases = yaml.safe_load((ROOT / "evals" / "retrieval.yaml").read_text(encoding="utf-8"))["cases"]
    questions = [str(c["question"]) for c in cases[: 2 if ctx.quick else ASK_QUESTIONS]]
    runs: list[tuple[str, Callable[[], Any]]] = [
        (q, partial(answer, q, model=ctx.model, settings=ctx.settings)) for q in questions]
    return _service_rows(ctx, "Ask (embedded model, warm)", runs, goal=3.0)


def draft(ctx: Context) -> list[Row]:
    """Drafts for situations from evals/drafts.yaml, one per kind, not saved to history."""
    from app.coach.drafting import make_draft
    from app.coach.profiles import load_profile

    cases = yaml.safe_load((ROOT / "evals" / "drafts.yaml").read_text(encoding="utf-8"))["cases"]
    picked: list[dict[str, Any]] = []
    for case in cases:
        if case["kind"] not in {c["kind"] for c in picked}:
            picked.append(case)
    picked = picked[: 1 if ctx.quick else DRAFT_CASES]

    def run(case: dict[str, Any]) -> Any:
        profile = load_profile(ROOT / "evals" / "managers" / case["manager"])
        return make_draft(case["kind"], case["situation"], profile=profile, model=ctx.model,
                          settings=ctx.settings, save=False)

    def paths(results: list[Any]) -> str:
        used = [next((n for n in r.notices if n.startswith("Path:")), "") for r in results]
        phrased = sum("model-phrased" in u for u in used)
        return f"model-phrased opener kept in {phrased} of {len(results)} drafts"

    runs: list[tuple[str, Callable[[], Any]]] = [(str(c["situation"]), partial(run, c)) for c in picked]
    return _service_rows(ctx, "draft (embedded model, warm)", runs, goal=5.0, note_extra=paths)
