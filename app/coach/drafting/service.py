"""Drafting: the words for a hard conversation, grounded in the person's own facts.

Measured: asked for a bad-news opener, the embedded model invented a company and a consultant. So
the model is never the source of a fact. Facts are extracted (schema-constrained, then grounded),
the structure is composed from the kind's templates, the model only rephrases the opener under a
tight token limit, and deterministic checks run last. A draft that fails is repaired, and in the
end falls back to the composition of the person's own facts; `notices` says which path was used.
"""

from __future__ import annotations

import re
from pathlib import Path

from app import prompts
from app import text as tx
from app.coach.drafting import voice
from app.coach.drafting.checks import BLAME_RE, banned_phrases, check_draft, draft_text, fact_retention, invented
from app.coach.drafting.compose import Style, add_context, compose, style_for
from app.coach.drafting.facts import (
    MAX_SITUATION_CHARS,
    check_given,
    check_situation,
    extract,
    extract_facts,
    rule_values,
)
from app.coach.drafting.kinds import KINDS, Draft, FactField, KindSpec, Pushback, check_kind, kind_fields, load_kind
from app.coach.profiles import DEFAULT_PROFILE, parse_profile
from app.config import Settings
from app.errors import BadInput, ProviderUnavailable, UpwardError
from app.history import get_history
from app.llm import registry
from app.llm.model import Model
from app.llm.reask import reask
from app.schemas import Hit, ManagerProfile, Strict

__all__ = [
    "KINDS", "Draft", "DraftResult", "FactField", "Pushback", "Style", "banned_phrases", "check_draft",
    "draft_from_rehearsal", "draft_markdown", "draft_text", "extract_facts", "fact_retention", "kind_fields",
    "make_draft", "MAX_SITUATION_CHARS", "style_for", "invented",
]
SCENARIO_KIND: dict[str, str] = {}  # a rehearsal scenario whose draft kind has another name
PHRASE_TOKENS = 80


class DraftResult(Strict):
    """A draft plus what it was built from: the facts, what is still missing, and how it was made."""

    draft: Draft
    facts: dict[str, str]
    missing: list[FactField]
    problems: list[str]
    notices: list[str]
    draft_id: str | None
    markdown: str


def citations(spec: KindSpec, style: Style, settings: Settings) -> list[Hit]:
    """Knowledge cards for this kind (ingested documents are not cited: a citation must be a card)."""
    from app.retrieval.search import search

    root = Path(settings.knowledge_dir)
    hits = search(spec.query, k=8, scenario=spec.kind, topics=spec.topics, settings=settings)
    cards = [h for h in hits if (root / f"{h.card}.md").is_file()]
    return cards[: 4 if style == Style.detailed else 3]


def phrasing_problems(original: str, candidate: str, allowed: list[str]) -> list[str]:
    """Why a model rewrite of one sentence cannot be used (empty when it can)."""
    problems = []
    lost = [t for t in tx.salient(original) if not tx.contains(candidate, t)]
    if lost:
        problems.append("dropped " + ", ".join(lost))
    new = [t for t in tx.salient(candidate) if not any(tx.contains(a, t) for a in allowed)]
    if new:
        problems.append("added " + ", ".join(new))
    if tx.coverage(candidate, "\n".join(allowed)) < 0.75:
        problems.append("used words that are not yours")
    n, m = len(tx.words(original)), len(tx.words(candidate))
    if not 0.6 * n <= m <= 1.5 * n + 4:
        problems.append("changed the length too much")
    if "?" in original and "?" not in candidate:
        problems.append("lost the question")
    if "[" in original and "[" not in candidate:
        problems.append("lost a placeholder")
    if banned_phrases(candidate):
        problems.append("blamed")
    if tx.coverage(original, candidate) < 0.5:
        problems.append("lost the meaning")
    return problems


def _clean(text: str) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    text = re.sub(r"^(?:rewrite|rewritten|sentence|answer)\s*:\s*", "", text, flags=re.I)
    return text.strip().strip('"“”').strip()


def phrasing_pays(model: Model, settings: Settings) -> bool:
    """Whether asking the model to reword the opener is worth the wait.

    Measured on 12 cases of evals/drafts.yaml with local/smollm2 (issue 13): its rewrite passed the
    checks for 1 of 12 composed openers, and that one read worse ("Here's your update: Here's my
    one-on-one, headline."); the others dropped or invented facts. Each attempt cost 19-210 s on a
    loaded 2-core machine. So the embedded model is not asked; any other model is
    (UPWARD_PHRASING=select switches it off, =free forces it on)."""
    if settings.phrasing == "select":
        return False
    if settings.phrasing == "free":
        return True
    return not model.small


def phrase(sentence: str, allowed: list[str], model: Model, attempts: int = 2) -> tuple[str | None, list[str]]:
    """The model's more natural wording of one sentence, or None with the reasons it was refused."""
    prompt = prompts.load("runtime/draft_polish")
    messages = prompt.messages(sentence=sentence)
    budget = min(PHRASE_TOKENS, 2 * len(sentence.split()) + 16)

    def check(candidate: str) -> tuple[str | None, list[str]]:
        if not candidate:
            return None, ["said nothing"]
        return candidate, phrasing_problems(sentence, candidate, [sentence, *allowed])

    done = reask(messages, lambda convo, attempt: _clean(model.complete(
                     convo, max_tokens=budget, temperature=0.0 if attempt == 0 else 0.4).text),
                 check, lambda reasons: prompt.part("retry", reasons="; ".join(reasons), sentence=sentence),
                 attempts=attempts)
    return done.value, done.problems


def _missing(spec: KindSpec, facts: dict[str, str]) -> list[FactField]:
    return [f for f in spec.fields if f.required and not facts.get(f.name)]


def draft_markdown(draft: Draft, *, title: str | None = None, missing: list[FactField] | None = None) -> str:
    """The draft as Markdown, for history and export."""
    lines = [f"# {title or 'Draft: ' + draft.kind}", "", "## Opener", "", draft.opener, "", "## Talking points", ""]
    lines += [f"- {p}" for p in draft.talking_points]
    lines += ["", "## Anticipated pushback", ""]
    for p in draft.anticipated_pushback:
        lines += [f"- **{p.objection}**", f"  {p.response}"]
    lines += ["", "## Close", "", draft.close]
    if missing:
        lines += ["", "## Still to confirm", "", *[f"- {f.question}" for f in missing]]
    if draft.citations:
        lines += ["", "## Guidance this draws on", ""]
        lines += [f"- {h.title} ({h.source}: knowledge/{h.card}.md)" for h in draft.citations]
    return "\n".join(lines).rstrip() + "\n"


def addressee(profile: ManagerProfile | None) -> str | None:
    """The manager's name the draft speaks to, when a real one is known."""
    return profile.name if profile is not None and profile.name != DEFAULT_PROFILE.name else None


def make_draft(kind: str, situation: str, *, profile: ManagerProfile | None = None,
               facts: dict[str, str] | None = None, model: str | Model | None = None, settings: Settings,
               save: bool = True, owner: str = "", session_id: str | None = None,
               own_lines: list[str] | None = None, own_pushback: list[Pushback] | None = None) -> DraftResult:
    """Draft the conversation: facts first, structure from templates, model phrasing, checks last.

    Everything taken from the situation is turned to the second person first ("I need Gary to
    call" -> "I need you to call"), because the draft is said to the manager."""
    spec = load_kind(check_kind(kind), settings)
    said_to = addressee(profile)
    situation = voice.second_person(check_situation(situation), said_to)
    given = {k: voice.second_person(v, said_to) for k, v in check_given(spec, facts).items()}
    own_lines = [voice.second_person(line, said_to) for line in own_lines or []]
    own_pushback = [p.model_copy(update={"response": voice.second_person(p.response, said_to)})
                    for p in own_pushback or []]
    chosen = registry.model(model, settings)  # resolved once for the extraction and the phrasing
    got = extract(spec, situation, model=chosen, settings=settings, given=given)
    values = {k: voice.trim_dangling(v) if got.sources.get(k) != "you" else v for k, v in got.values.items()}
    notices = list(got.notices)
    style = style_for(profile)
    notices.append(f"Style: {style.value} (from the manager profile).")
    if said_to:
        notices.append(f"Addressed to {said_to} as \"you\".")
    allowed = [situation, *own_lines, *(f"{p.objection} {p.response}" for p in own_pushback)]
    if profile is not None:
        allowed.append(f"{profile.name} {profile.role}")
    must = list(dict.fromkeys([*tx.salient(situation), *(t for v in given.values() for t in tx.salient(v))]))

    def checked(draft: Draft, vals: dict[str, str]) -> list[str]:
        return check_draft(draft, kind, vals, must, allowed=allowed, settings=settings, manager=said_to)

    composed = compose(spec, values, style, situation, profile=profile, own_lines=own_lines,
                       own_pushback=own_pushback)
    problems = checked(composed, values)
    if problems:
        # The model-extracted values made a draft that fails: rebuild from rule-matched facts alone.
        rule_only = {k: v for k, v in values.items() if got.sources.get(k) != "model"}
        rule_only.update({k: voice.trim_dangling(v) for k, v in rule_values(spec, situation, rule_only).items()})
        retry = compose(spec, rule_only, style, situation, profile=profile, own_lines=own_lines,
                        own_pushback=own_pushback)
        retry_problems = checked(retry, rule_only)
        if len(retry_problems) < len(problems):
            notices.append("Fell back to facts matched by rules: the model's extraction failed the checks ("
                           + "; ".join(problems[:3]) + ").")
            composed, problems, values = retry, retry_problems, rule_only

    draft = composed
    path = "structured composition of your facts"
    if "[" not in composed.opener and not got.outage and phrasing_pays(chosen, settings):
        try:  # one outage, one wait: no second call to a dead provider
            candidate, reasons = phrase(composed.opener, allowed + [spec.template_text(), *values.values()],
                                        chosen)
        except ProviderUnavailable as exc:  # the composed draft is still the person's, and is saved
            candidate, reasons = None, [f"the model could not be reached: {exc.message}"]
        if candidate is None:
            notices.append("Phrasing: the model's opener was not used (" + "; ".join(reasons) + ").")
        else:
            phrased = add_context(composed.model_copy(update={"opener": candidate}), situation, style)
            phrased_problems = checked(phrased, values)
            if not phrased_problems:
                draft, problems, path = phrased, phrased_problems, "model-phrased opener on the composed structure"
            else:
                notices.append("Repaired: the model's opener failed the checks ("
                               + "; ".join(phrased_problems[:3]) + "), so the composed opener was kept.")
    notices.append(f"Path: {path}.")
    draft = draft.model_copy(update={"citations": citations(spec, style, settings)})
    missing = _missing(spec, values)
    if missing:
        notices.append("Still to confirm: " + ", ".join(f.label.lower() for f in missing) + ".")
    title = f"{spec.title}" + (f" with {profile.name}" if profile is not None else "")
    markdown = draft_markdown(draft, title=title, missing=missing)
    draft_id = None
    if save:
        draft_id = get_history(settings).save_draft(kind, title, draft.model_dump(), markdown,
                                                    session_id=session_id, owner=owner)
    return DraftResult(draft=draft, facts=values, missing=missing, problems=problems, notices=notices,
                       draft_id=draft_id, markdown=markdown)


def _evidence(line: str) -> float:
    return 2.0 * len(tx.salient(line)) + len(tx.content_words(line)) / 10


def draft_from_rehearsal(session_id: str, *, kind: str | None = None, model: str | Model | None = None,
                         settings: Settings, owner: str = "",
                         profile: ManagerProfile | None = None, save: bool = True) -> DraftResult:
    """Turn a rehearsal into a draft that reuses the person's own lines (the best-evidenced as points)."""
    session = get_history(settings).session(session_id)
    scenario = str(session.get("scenario") or "")
    kind = kind or SCENARIO_KIND.get(scenario, scenario)
    if kind not in KINDS:
        raise BadInput(f"The rehearsal's scenario '{scenario}' has no matching draft kind.",
                       f"pass kind= one of: {', '.join(KINDS)}")
    turns = session.get("turns") or []
    mine = [" ".join(t["content"].split()) for t in turns if t["role"] == "user" and t["content"].strip()]
    if not mine:
        raise BadInput(f"Rehearsal {session_id} has no lines of yours yet.", "say a few lines in the rehearsal first")
    if profile is None:
        state = session.get("state") or {}
        raw = state.get("profile") if isinstance(state, dict) else None
        if isinstance(raw, dict):
            try:
                profile = parse_profile(raw, "the rehearsal's manager profile")
            except UpwardError:
                profile = None
    usable = [line for line in mine if not banned_phrases(line) and not BLAME_RE.search(tx.norm(line))]
    ranked = sorted(usable, key=_evidence, reverse=True)
    situation = ""
    for line in sorted(ranked[:8], key=mine.index):  # the strongest lines, in the order they were said
        if len(situation) + len(line) + 1 > MAX_SITUATION_CHARS:
            break
        situation = f"{situation} {line}".strip()
    if not situation:
        raise BadInput(f"Rehearsal {session_id} has no usable lines of yours.", "rehearse again, then draft")
    pushback: list[Pushback] = []
    for prev, nxt in zip(turns, turns[1:], strict=False):
        if prev["role"] == "manager" and nxt["role"] == "user" and "?" in prev["content"]:
            question = next((s for s in tx.sentences(prev["content"]) if s.endswith("?")), "")
            reply = " ".join(nxt["content"].split())
            if question and reply in usable and len(question) < 200 and len(reply) < 400:
                pushback.append(Pushback(objection=question, response=reply))
    best = ranked[:1]
    result = make_draft(kind, situation, profile=profile, model=model, settings=settings, save=save, owner=owner,
                        session_id=session_id, own_lines=best, own_pushback=pushback[:2])
    result.notices.append(f"From rehearsal {session_id}: {len(mine)} of your lines; "
                          f"{len(pushback[:2])} of the manager's questions reused as pushback.")
    return result

