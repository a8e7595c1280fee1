"""Drafts: situations as a person types them, through `make_draft`. Scores fact retention (the
stated facts survive verbatim), structure (the contract's shape plus the kind's own checks),
banned phrases (a case's declared praise excepted), and, for the same situation given to a busy and
a detail-minded manager, whether the drafts differ measurably in length and structure.

Issue 13 adds what a person would notice saying it to their boss: the manager's name in the third
person outside quoted speech (objections are the manager's own words, so they are not counted), a
"you" with a third-person verb ("you wants"), a placeholder left for a value the situation gives
(fields a case declares `missing` excepted), and a sentence that stops mid-phrase. Cases of
evals/drafts_heldout.yaml are reported apart (`heldout_...`): never tuned against."""

from __future__ import annotations

import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.evals import scorers
from app.evals.cases import DraftCase, load_cases
from app.evals.results import CaseFailure
from app.evals.suites.base import Context, Metrics, Outcome, Suite, errored

STRUCTURE_PREFIXES = ("shape:", "structure:")


HELDOUT_FILE = "drafts_heldout.yaml"
TITLES = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "prof", "prof."}
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
PLACEHOLDER = re.compile(r"\[([^\]:]+): to confirm\]")
FUNCTION_END = set("""a an the and or but to of for with from at by as than because if when while which who whose
we i they he she our my your their his its is are was were be been has have had will would could should can may
might must not no very into onto per via until""".split())
BAD_AGREEMENT = re.compile(r"\byou (?:also |always |never |still |often |usually |just )?(?:is|was|has|does|wants|"
                           r"asks|needs|texts|sends|moves|rewrites|changes|says|goes|makes|takes|gives|keeps|gets|"
                           r"likes|backs|sets|answers|cancels|interrupts|expects|prefers)\b", re.I)


def load(evals_dir: Path) -> list[DraftCase]:
    tuned = load_cases(evals_dir / "drafts.yaml", DraftCase)
    held = [c.model_copy(update={"heldout": True}) for c in load_cases(evals_dir / HELDOUT_FILE, DraftCase)]
    return [*tuned, *held]


def spoken(draft: dict[str, Any]) -> str:
    """What the person says in a draft: everything but the manager's objections."""
    parts = [str(draft.get("opener") or ""), *[str(p) for p in draft.get("talking_points") or []],
             *[str(p.get("response") or "") for p in draft.get("anticipated_pushback") or []],
             str(draft.get("close") or "")]
    return "\n".join(parts)


def third_person(text: str, manager: str) -> list[str]:
    """The manager's name (any part of it but a title) outside quoted speech."""
    parts = [w for w in manager.replace(",", " ").split() if w.lower() not in TITLES and len(w) > 1]
    if not parts:
        return []
    bare = QUOTED.sub(" ", text)
    return re.findall(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in parts) + r")(?![\w-])", bare)


def mid_phrase(text: str) -> list[str]:
    """Sentences that stop on a word that cannot end one, or leave a bracket open."""
    out = []
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“(\[])", line.strip()):
            words = re.findall(r"[\w'%$€£-]+", sentence)
            question = sentence.rstrip("\"”’)").endswith("?")
            dangling = bool(words) and words[-1].lower() in FUNCTION_END and words[-1] != "May" and not (
                question and words[-1].lower() in ("to", "for", "with", "from", "at", "by", "about", "on", "in", "of"))
            # ("May" capitalised ends "...lock in May.": the month, not the verb)
            if sentence.count("(") > sentence.count(")") or (re.search(r"[.!?][\"”’)]*$", sentence) and dangling):
                out.append(sentence)
    return out


@lru_cache(maxsize=8)
def _card_ids(knowledge_dir: str) -> frozenset[str]:
    from app.retrieval.cards import load_cards

    return frozenset(c.id for c in load_cards(Path(knowledge_dir)))


def _temperament(ctx: Context, manager: str | None) -> str:
    if not manager:
        return ""
    from app.coach.profiles import load_profile

    return str(load_profile(ctx.manager_file(manager)).temperament)


def _labels(kind: str, ctx: Context) -> dict[str, str]:
    from app.coach.drafting.kinds import load_kind

    return {f.label.lower(): f.name for f in load_kind(kind, ctx.settings).fields}


def banned_list() -> tuple[str, ...]:
    """Our own list plus whatever the drafting module bans, so neither can drift below the other."""
    try:
        from app.coach.drafting import checks as draft_checks

        theirs = tuple(getattr(draft_checks, "BANNED", ()))
    except ImportError:
        theirs = ()
    return tuple(dict.fromkeys(scorers.BANNED_PHRASES + theirs))


def run_case(case: DraftCase, ctx: Context) -> Outcome:
    from app.coach.drafting import check_draft, make_draft
    from app.coach.profiles import load_profile

    profile = load_profile(ctx.manager_file(case.manager)) if case.manager else None
    start = time.perf_counter()
    result = make_draft(case.kind, case.situation, profile=profile, model=ctx.model, settings=ctx.settings,
                        save=False)
    seconds = time.perf_counter() - start
    draft: dict[str, Any] = result.draft.model_dump(mode="json")
    theirs = check_draft(result.draft, case.kind, dict(result.facts), settings=ctx.settings)
    out = score(case, draft, theirs, _card_ids(str(ctx.settings.knowledge_dir)),
                temperament=_temperament(ctx, case.manager))
    words = spoken(draft)
    named = third_person(words, profile.name) if profile is not None else []
    agreement = BAD_AGREEMENT.findall(words)
    labels = _labels(case.kind, ctx)
    leftover = [label for label in PLACEHOLDER.findall(scorers.draft_text(draft))
                if labels.get(label.lower(), label) not in case.missing]
    stopped = mid_phrase(words)
    out.values.update({"third_person": float(len(named)), "agreement": float(len(agreement)),
                       "placeholders": float(len(leftover)), "mid_phrase": float(len(stopped)),
                       "seconds": seconds, "heldout": float(case.heldout)})
    text = scorers.draft_text(draft)
    if named:
        out.fail("second_person", f"the manager named in the third person: {named}", text)
    if agreement:
        out.fail("agreement", f"'you' with a third-person verb: {agreement}", text)
    if leftover:
        out.fail("placeholders", f"placeholder left for a value the situation gives: {sorted(set(leftover))}", text)
    if stopped:
        out.fail("mid_phrase", f"sentence(s) stop mid-phrase: {stopped[:3]}", text)
    return out


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
    allowed = "\n".join(scorers.normalise(p) for p in case.praise)
    banned = [b for b in scorers.banned_phrases(text, banned_list()) if b not in allowed]
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


def _part(outcomes: list[Outcome], prefix: str) -> Metrics:
    scored = [o for o in outcomes if not o.error]
    n = max(1, len(outcomes))
    return {
        f"{prefix}fact_retention": sum(o.values["retention"] for o in scored) / n,
        f"{prefix}structure_passed": sum(o.values["structure_ok"] for o in scored) / n,
        f"{prefix}banned_phrases": sum(o.values["banned"] for o in scored),
        f"{prefix}all_checks_passed": sum(o.values["all_checks_ok"] for o in scored) / n,
        f"{prefix}third_person_mentions": sum(o.values.get("third_person", 0.0) for o in scored),
        f"{prefix}agreement_errors": sum(o.values.get("agreement", 0.0) for o in scored),
        f"{prefix}leftover_placeholders": sum(o.values.get("placeholders", 0.0) for o in scored),
        f"{prefix}mid_phrase_sentences": sum(o.values.get("mid_phrase", 0.0) for o in scored),
    }


def aggregate(outcomes: list[Outcome], ctx: Context) -> tuple[Metrics, list[str], list[CaseFailure]]:
    scored = [o for o in outcomes if not o.error]
    cases = [c for c in load(ctx.evals_dir) if c.id in {o.case for o in outcomes}]
    pairs, flagged = adaptation(cases, outcomes)
    tuned = [o for o in outcomes if not o.values.get("heldout")]
    held = [o for o in outcomes if o.values.get("heldout")]
    metrics: Metrics = {
        **_part(tuned, ""),
        "pair_adaptation": (len(pairs) - len(flagged)) / len(pairs) if pairs else None,
        **(_part(held, "heldout_") if held else {}),
        "errors": errored(outcomes),
    }
    words = [o.values["words"] for o in scored]
    seconds = sorted(o.values["seconds"] for o in scored if "seconds" in o.values)
    notes = [f"{len(pairs)} busy-vs-detail pair(s) compared; drafts average {scorers.mean(words):.0f} words; "
             "all_checks_passed also counts the drafting module's own fact, tone and grounding checks",
             f"{len(tuned)} tuned and {len(held)} held-back case(s); draft time p50 "
             f"{seconds[len(seconds) // 2] if seconds else 0:.2f} s"]
    return metrics, notes, [f for o in flagged for f in o.failures]


def judge(case: DraftCase, outcome: Outcome, ctx: Context) -> dict[str, float]:
    from app.evals.judge import judge_draft

    return judge_draft(case, outcome.output["draft"], ctx)


SUITE = Suite(name="drafts", file="drafts.yaml", load=load, run_case=run_case, aggregate=aggregate,
              judge=judge, chart=("fact_retention", "structure_passed", "all_checks_passed", "pair_adaptation"),
              group=lambda c: c.kind, unit=lambda c: " ".join(c.situation.split()))
