"""What the manager's understanding costs a turn: reading the line (embeddings, classifier, stemmed
cues), moving the state, and composing the candidate replies with their slots filled, all without
the model, set beside the model's own time for the turn (the rehearsal section's full reply)."""

from __future__ import annotations

import time

from app.benchmarks.paths import ROOT, SCRIPT, Context
from app.benchmarks.report import Row, pct
from app.config import exemplar_cache


def rows(ctx: Context) -> list[Row]:
    from app.coach.profiles import load_profile
    from app.coach.rehearsal import moves, understanding, voicing
    from app.coach.rubric import load_rubric
    from app.coach.scenarios import load_scenario

    section = "understanding (per rehearsal turn, no model)"
    profile = load_profile(ROOT / "evals" / "managers" / "skeptical.yaml")
    where = moves.frame(load_scenario("promotion", ctx.settings), profile, moves.Difficulty.realistic,
                        load_rubric(ctx.settings), prompts_dir=ctx.settings.prompts_dir,
                        cache_dir=exemplar_cache(ctx.settings))
    moves.replay_frame(SCRIPT[:1], where)  # warm: exemplar bank embedded, classifier fitted
    reads: list[float] = []
    composes: list[float] = []
    for _ in range(1 if ctx.quick else 3):
        state = moves.initial_state(where.scenario, where.profile, where.difficulty, where.extra)
        said: list[str] = []
        for i, line in enumerate(SCRIPT, start=1):
            understanding.forget_lines()  # each read embeds its line as a new one would be
            begin = time.perf_counter()
            state = moves.advance(state, moves.read_next(line, where, state), where)
            middle = time.perf_counter()
            said.append(voicing.candidates(where, state, SCRIPT[:i], said)[0])
            reads.append(middle - begin)
            composes.append(time.perf_counter() - middle)
    total = [a + b for a, b in zip(reads, composes, strict=True)]
    note = (f"read p50 {pct(reads, 0.5) * 1000:.1f} ms, compose p50 {pct(composes, 0.5) * 1000:.1f} ms; "
            "compare with the rehearsal section's full-reply time (the model's share of a turn)")
    return [Row(section, "read + move + compose, p50", pct(total, 0.5), goal=0.05, note=note, samples=len(total)),
            Row(section, "read + move + compose, p95", pct(total, 0.95), samples=len(total))]
