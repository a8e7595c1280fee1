"""Drafts: situations as a person types them, through `make_draft`. Scores fact retention (the
stated facts survive verbatim), structure (the contract's shape plus the kind's own checks),
banned phrases, and, for the same situation given to a busy and a detail-minded manager, whether
the drafts differ measurably in length and structure."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from app.evals import scorers
from app.evals.cases import DraftCase, load_cases
from app.evals.results import CaseFailure
from app.evals.suites.base import Context, Metrics, Outcome, Suite, errored

STRUCTURE_PREFIXES = ("shape:", "structure:")


def load(evals_dir: Path) -> list[DraftCase]:
    return load_cases(evals_dir / "drafts.yaml", DraftCase)


@lru_cache(maxsize=8)
def _card_ids(knowledge_dir: str) -> frozenset[str]:
    from app.retrieval.cards import load_cards

    return frozenset(c.id for c in load_cards(Path(knowledge_dir)))


def _temperament(ctx: Context, manager: str | None) -> str:
    if not manager:
        return ""
    from app.coach.profiles import load_profile

    return str(load_profile(ctx.manager_file(manager)).temperament)


def banned_list() -> tuple[str, ...]:
    """Our own list plus whatever the drafting module bans, so neither can drift below the other."""
    try:
        from app.coach import draft_checks

        theirs = tuple(getattr(draft_checks, "BANNED", ()))
    except ImportError:
        theirs = ()
    return tuple(dict.fromkeys(scorers.BANNED_PHRASES + theirs))


def run_case(case: DraftCase, ctx: Context) -> Outcome:
    from app.coach.drafting import check_draft, make_draft
    from app.coach.profiles import load_profile

    profile = load_profile(ctx.manager_file(case.manager)) if case.manager else None
    result = make_draft(case.kind, case.situation, profile=profile, model=ctx.model, settings=ctx.settings,
                        save=False)
    draft: dict[str, Any] = result.draft.model_dump(mode="json")
    theirs = check_draft(result.draft, case.kind, dict(result.facts), settings=ctx.settings)
    return score(case, draft, theirs, _card_ids(str(ctx.settings.knowledge_dir)),
                 temperament=_temperament(ctx, case.manager))


def score(case: DraftCase, draft: dict[str, Any], kind_problems: list[str], cards: frozenset[str],
          temperament: str = "") -> Outcome:
    """Score one draft (pure): facts, structure, banned phrases."""
    out = Outcome(case.id, output={"draft": draft, "temperament": temperament})
    text = scorers.draft_text(draft)
    missing = scorers.missing_facts(text, case.facts)
    if missing:
        out.fail("fact_retention", f"dropped {len(missing)}/{len(case.facts)} fact(s): {missing}", text)
    structure = scorers.structure_problems(draft, cards)
    structure += [p for p in kind_problems if p.startswith(STRUCTURE_PREFIXES)]
    if structure:
        out.fail("structure", "; ".join(structure), text)
    banned = scorers.banned_phrases(text, banned_list())
    if banned:
        out.fail("banned_phrases", f"found {banned}", text)
    others = [p for p in kind_problems if not p.startswith(STRUCTURE_PREFIXES)]
    out.values = {"retention": scorers.fact_retention(text, case.facts), "structure_ok": float(not structure),
                  "banned": len(banned), "all_checks_ok": float(not structure and not others and not missing),
                  "words": scorers.words(text)}
    return out


def adaptation(cases: list[DraftCase], outcomes: list[Outcome]) -> tuple[list[tuple[str, str]], list[Outcome]]:
    """Pairs (busy id, detail id) of one situation given to a busy and a detail-minded manager."""
    by_id = {o.case: o for o in outcomes if not o.error}
    groups: dict[tuple[str, str], list[DraftCase]] = {}
    for case in cases:
        groups.setdefault((case.kind, " ".join(case.situation.split())), []).append(case)
    pairs = []
    flagged = []
    for group in groups.values():
        busy = [c for c in group if by_id.get(c.id) and by_id[c.id].output.get("temperament") == "busy"]
        detail = [c for c in group if by_id.get(c.id) and by_id[c.id].output.get("temperament") != "busy"]
        for b in busy:
            for d in detail:
                pairs.append((b.id, d.id))
                problems = scorers.adaptation_problems(by_id[b.id].output["draft"], by_id[d.id].output["draft"])
                if problems:
                    o = Outcome(f"{b.id}/{d.id}")
                    o.fail("pair_adaptation", "; ".join(problems),
                           "BUSY:\n" + scorers.draft_text(by_id[b.id].output["draft"])
                           + "\nDETAIL:\n" + scorers.draft_text(by_id[d.id].output["draft"]))
                    flagged.append(o)
    return pairs, flagged


def aggregate(outcomes: list[Outcome], ctx: Context) -> tuple[Metrics, list[str], list[CaseFailure]]:
    scored = [o for o in outcomes if not o.error]
    n = max(1, len(outcomes))
    cases = [c for c in load(ctx.evals_dir) if c.id in {o.case for o in outcomes}]
    pairs, flagged = adaptation(cases, outcomes)
    metrics: Metrics = {
        "fact_retention": sum(o.values["retention"] for o in scored) / n,
        "structure_passed": sum(o.values["structure_ok"] for o in scored) / n,
        "banned_phrases": sum(o.values["banned"] for o in scored),
        "all_checks_passed": sum(o.values["all_checks_ok"] for o in scored) / n,
        "pair_adaptation": (len(pairs) - len(flagged)) / len(pairs) if pairs else None,
        "errors": errored(outcomes),
    }
    words = [o.values["words"] for o in scored]
    notes = [f"{len(pairs)} busy-vs-detail pair(s) compared; drafts average {scorers.mean(words):.0f} words; "
             "all_checks_passed also counts the drafting module's own fact, tone and grounding checks"]
    return metrics, notes, [f for o in flagged for f in o.failures]


def judge(case: DraftCase, outcome: Outcome, ctx: Context) -> dict[str, float]:
    from app.evals.judge import judge_draft

    return judge_draft(case, outcome.output["draft"], ctx)


SUITE = Suite(name="drafts", file="drafts.yaml", load=load, run_case=run_case, aggregate=aggregate,
              judge=judge, chart=("fact_retention", "structure_passed", "all_checks_passed", "pair_adaptation"),
              group=lambda c: c.kind, unit=lambda c: " ".join(c.situation.split()))
