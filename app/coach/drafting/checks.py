"""Deterministic checks on a draft, run after generation, and the scorers the eval harness calls.

A draft passes when it keeps every fact the person gave, obeys its kind's structure, makes a clear
ask, blames no one ("you always", "you never", "you should"...) and names nothing the person did not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from app import text as tx
from app.coach.drafting import voice
from app.coach.drafting.kinds import Draft, KindSpec, load_kind
from app.config import Settings

BANNED = (
    "you always", "you never", "you should", "you shouldn't", "you must", "your fault",
    "it's your fault", "you don't care", "you made me", "why can't you", "you're wrong", "you don't listen",
    "you failed", "you ruined",
)
BANNED_RE = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(b) for b in BANNED) + r")(?![a-z])")
BLAME_RE = re.compile(
    r"\b(?:(?:his|her|their|your) fault|to blame|blame (?:him|her|them|you)|incompetent|useless|lazy)\b")
CONSENT_RE = re.compile(
    r"\b(?:could|may|can) i\b|\bwould you be open\b|\bis (?:now|this) a good time\b|\bdo you have a minute\b")
MAX_BAD_NEWS_OPENER_WORDS = 60
MAX_BAD_NEWS_BODY_WORDS = 340


def draft_text(draft: Draft) -> str:
    """Everything the draft would have the person say, as one text (citations excluded)."""
    parts = [draft.opener, *draft.talking_points]
    parts += [f"{p.objection} {p.response}" for p in draft.anticipated_pushback]
    parts.append(draft.close)
    return "\n".join(parts)


def _body(draft: Draft) -> str:
    return "\n".join([draft.opener, *draft.talking_points, draft.close])


# "You always back the team" is praise; "you always change the plan" is blame. What follows
# "you always / you never" decides, and anything unclear counts as blame.
KIND_WORDS = set("""back backs support supports help helps listen listens answer answers encourage encourages thank
thanks credit credits share shares protect protects explain explains trust trusts stand stands champion champions
include includes remember remembers notice notices recognise recognises recognize recognizes give gives make makes
find finds take takes respond responds reply replies clear kind fair generous patient open quick ready make
made sure time""".split())
UNKIND_WORDS = set("""interrupt interrupts cancel cancels late ignore ignores forget forgets change changes rewrite
rewrites override overrides move moves dismiss dismisses micromanage micromanages criticise criticises criticize
criticizes blame blames shout shouts yell yells miss misses reschedule reschedules cut cuts undermine undermines
contradict contradicts overrule overrules nitpick nitpicks skip skips reject rejects leave leaves wait waits
last without talk talks second-guess second-guesses push pushes""".split())


def praise(phrase: str, after: str) -> bool:
    """True when 'you always/never' plus the words after it is praise ('you never miss a deadline')."""
    words = re.findall(r"[a-z'-]+", after)[:5]
    if not words or words[0] in ("make", "makes", "made") and len(words) > 1 and words[1] in ("me", "us"):
        return False  # "you always make me..." blames
    kind = any(w in KIND_WORDS for w in words[:3])
    unkind = any(w in UNKIND_WORDS for w in words)
    if phrase == "you always":
        return kind and not unkind
    if phrase == "you never":
        return unkind and not kind
    return False


def banned_phrases(draft: Draft | str) -> list[str]:
    """Blaming phrases in the draft ("you always change...", "you never listen", "you should");
    praise that uses the same words ("you always back the team") is not blame."""
    text = tx.norm(draft if isinstance(draft, str) else draft_text(draft))
    found = set()
    for m in BANNED_RE.finditer(text):
        clause = re.split(r"[.;!?,]", text[m.end():], maxsplit=1)[0]
        if not praise(m.group(0), clause):
            found.add(m.group(0))
    return sorted(found)


def fact_retention(draft: Draft | str, facts: Sequence[str]) -> float:
    """Share of `facts` (exact strings from the situation) present in the draft, 1.0 when none."""
    if not facts:
        return 1.0
    text = draft if isinstance(draft, str) else draft_text(draft)
    return sum(tx.contains(text, f) for f in facts) / len(facts)


def kept(value: str, text: str) -> bool:
    """A fact survives if it is there verbatim, or all its figures and names plus most of its words are."""
    if tx.contains(text, value):
        return True
    return all(tx.contains(text, t) for t in tx.salient(value)) and tx.coverage(value, text) >= 0.8


def invented(draft: Draft, allowed: Iterable[str]) -> list[str]:
    """Names and figures in the draft that appear in none of the allowed texts."""
    pool = "\n".join(allowed)
    return [t for t in tx.salient(draft_text(draft)) if not tx.contains(pool, t)]


def _where(value: str, text: str) -> int:
    n, t = tx.norm(value), tx.norm(text)
    i = t.find(n)
    if i < 0 and tx.salient(value):
        i = t.find(tx.norm(tx.salient(value)[0]))
    return i


def _order(spec: KindSpec, names: Sequence[str], values: dict[str, str], text: str) -> list[str]:
    seen: list[tuple[str, int]] = []
    for name in names:
        value = values.get(name) or spec.field(name).placeholder()
        pos = _where(value, text)
        if pos >= 0:
            seen.append((name, pos))
    problems = []
    for (a, pa), (b, pb) in zip(seen, seen[1:], strict=False):
        if pb < pa and tx.norm(values.get(a, "")) != tx.norm(values.get(b, "")):
            problems.append(f"structure: '{b}' should come after '{a}'")
    return problems


def _structure(spec: KindSpec, draft: Draft, values: dict[str, str]) -> list[str]:
    body = _body(draft)
    opener = draft.opener
    problems: list[str] = []

    def value(name: str) -> str:
        return values.get(name) or spec.field(name).placeholder()

    def in_opener(name: str) -> None:
        if not kept(value(name), opener):
            problems.append(f"structure: the opener should state '{name}'")

    kind = spec.kind
    if kind == "upward-feedback":
        if "?" not in opener or not CONSENT_RE.search(tx.norm(opener)):
            problems.append("structure: feedback should open by asking for consent (e.g. 'Could I share...?')")
        problems += _order(spec, ["behaviour", "impact", "request"], values, body)
    elif kind == "bad-news":
        in_opener("what_happened")
        if len(tx.words(opener)) > MAX_BAD_NEWS_OPENER_WORDS:
            problems.append("structure: bad news should open in one short, factual sentence")
        if len(tx.words("\n".join([opener, *draft.talking_points]))) > MAX_BAD_NEWS_BODY_WORDS:
            problems.append("structure: bad news should be short; trim the talking points")
        for name in ("already_doing", "need", "new_date"):
            if not kept(value(name), body):
                problems.append(f"structure: bad news needs next steps: '{name}' is missing")
        if BLAME_RE.search(tx.norm(body)):
            problems.append("structure: bad news should state the cause without blame")
    elif kind == "status-report":
        if "headline" not in tx.norm(opener) and not kept(value("done"), opener):
            problems.append("structure: a status report should lead with the headline")
        problems += _order(spec, ["done", "doing", "blocked", "proposed_fix", "next"], values, body)
    elif kind == "promotion":
        in_opener("role")
        problems += _order(spec, ["role", "evidence", "team_benefit"], values, body)
    elif kind == "career-goal":
        in_opener("goal")
        close = tx.norm(draft.close)
        for word in ("skills", "time frame", "stakeholders"):
            if word not in close:
                problems.append(f"structure: the close should ask about {word}")
    elif kind == "autonomy":
        in_opener("scope")
        problems += _order(spec, ["scope", "track_record", "checkins"], values, body)
    elif kind == "workload":
        in_opener("signals")
        for name in ("load", "proposal"):
            if not kept(value(name), body):
                problems.append(f"structure: a workload conversation needs its '{name}'")
    elif kind == "resource-request":
        in_opener("need")
        for name in ("cost", "payoff"):
            if not kept(value(name), body):
                problems.append(f"structure: a resource request needs its '{name}'")
    return problems


def grammar_problems(draft: Draft, manager: str | None = None) -> list[str]:
    """Sentences that stop mid-phrase, and the manager named in the third person in words said to them."""

    problems = []
    for part in [draft.opener, *draft.talking_points, draft.close, *(p.response for p in draft.anticipated_pushback)]:
        for sentence in tx.sentences(part):
            if voice.ends_mid_phrase(sentence):
                problems.append(f"grammar: a sentence stops mid-phrase: '{sentence[-40:]}'")
    if manager:
        said = "\n".join([draft.opener, *draft.talking_points, draft.close,
                          *(p.response for p in draft.anticipated_pushback)])
        for name in dict.fromkeys(voice.third_person_mentions(said, manager)):
            problems.append(f"voice: '{name}' is named in the third person; the draft speaks to them")
    return problems


def check_draft(draft: Draft, kind: str, facts: dict[str, str], required_strings: Sequence[str] = (),
                *, allowed: Sequence[str] = (), settings: Settings | None = None,
                manager: str | None = None) -> list[str]:
    """Every problem found, as short sentences; an empty list means the draft passes.

    `facts` are the field values the draft was built from; `required_strings` must appear verbatim
    (the person's names, dates and numbers); `allowed` (the situation, profile...) enables the
    check that the draft names nothing the person did not; `manager` (their name) the check that
    the draft speaks to them rather than about them.
    """
    spec = load_kind(kind, settings)
    problems: list[str] = []
    if not draft.opener.strip():
        problems.append("shape: the opener is empty")
    if not draft.talking_points or not all(p.strip() for p in draft.talking_points):
        problems.append("shape: talking points are missing or empty")
    if len(draft.anticipated_pushback) < 2 or not all(
            p.objection.strip() and p.response.strip() for p in draft.anticipated_pushback):
        problems.append("shape: at least two pushback items, each with a reply, are needed")
    if "?" not in draft.close:
        problems.append("shape: the close should make a clear ask (a question)")
    text = draft_text(draft)
    for name, value in facts.items():
        if value and not kept(value, text):
            problems.append(f"facts: the draft drops '{name}': {value}")
    for f in spec.fields:
        if f.required and not facts.get(f.name) and f.placeholder() not in text:
            problems.append(f"facts: '{f.name}' is missing and has no placeholder")
    for s in required_strings:
        if not tx.contains(text, s):
            problems.append(f"facts: the draft drops '{s}'")
    problems += [f"tone: banned phrase '{b}'" for b in banned_phrases(draft)]
    if allowed:
        pool = [*allowed, *facts.values(), spec.template_text(), *(f.placeholder() for f in spec.fields)]
        problems += [f"grounding: '{t}' is not in your situation" for t in invented(draft, pool)]
    problems += _structure(spec, draft, facts)
    problems += grammar_problems(draft, manager)
    return problems
