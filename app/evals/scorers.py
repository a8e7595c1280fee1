"""Small pure scorers: text or rankings in, a number or a list of problems out.

Nothing here calls a model, a store or the file system, so every scorer is unit-testable and
the suites stay a thin loop of "solve with the real service, then score with these".
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence

MAX_MANAGER_WORDS = 80

# -- retrieval -------------------------------------------------------------------------------


def recall_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """1.0 when any relevant id is in the top k, else 0.0 (success@k, averaged over questions)."""
    wanted = set(relevant)
    return 1.0 if any(r in wanted for r in ranked[:k]) else 0.0


def coverage_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Share of the distinct relevant ids that appear in the top k (classic recall)."""
    wanted = set(relevant)
    if not wanted:
        return 0.0
    return len(wanted & set(ranked[:k])) / len(wanted)


def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str]) -> float:
    """1 / rank of the first relevant id, 0.0 when none is ranked."""
    wanted = set(relevant)
    for rank, item in enumerate(ranked, start=1):
        if item in wanted:
            return 1.0 / rank
    return 0.0


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; 0.0 for no values (an empty suite scores nothing, it does not crash)."""
    items = list(values)
    return statistics.fmean(items) if items else 0.0


# -- persona ---------------------------------------------------------------------------------


def words(text: str) -> int:
    """Word count as a reader would count it."""
    return len(re.findall(r"[\w'’%$.,-]+", text))


_SELF_REFERENCE = [
    r"\bas an? (?:ai|a\.i\.|artificial intelligence|language model|llm|assistant|chat ?bot|bot|virtual assistant)\b",
    r"\bi(?:'m| am|’m) (?:just |only |actually |really )?(?:an? )?"
    r"(?:ai|a\.i\.|artificial intelligence|(?:large )?language model|llm|chat ?bot|bot|virtual assistant"
    r"|ai assistant|helpful assistant|computer program|simulation)\b",
    r"\b(?:large )?language model\b",
    r"\bai (?:model|assistant|system)\b",
    r"\bchat ?bot\b",
    r"\b(?:openai|chatgpt|gpt-\d|smollm\w*|llama|anthropic|claude)\b",
    r"\bmy (?:programming|training data|knowledge cutoff)\b",
    r"\bi (?:was|have been|am) (?:trained|programmed|designed) to\b",
    r"\bi(?:'m| am) not (?:a real|an actual) (?:person|human|manager)\b",
]
_LEAK = [
    r"\bsystem (?:prompt|message|instructions?)\b",
    r"\bmy (?:instructions|prompt|directives?|rules)\b",
    r"\bi (?:was|have been|am|'ve been) (?:told|instructed|asked|prompted) to (?:play|act|pretend|role)",
    r"\b(?:role[- ]?play(?:ing)?|in character|out of character|stay in role|staying in role)\b",
    r"\bscenario card\b",
    r"\bhidden concerns?\b",
    r"\breceptiveness\b",
    r"\b(?:temperament|difficulty|persona)\s*[:=]",
    r"\b(?:move|next move|instruction|canary)\s*:",
    r"\{[a-z_]{2,40}\}",  # an unrendered template slot
    r"(?<![\w$])\$[a-z_]{2,40}\b",
    r"<\|?(?:im_start|im_end|system|assistant|user)\|?>",
    r"^\s*(?:system|assistant|user|manager)\s*:",
]
_COACHING = [
    r"\b(?:here(?:'s| is| are) (?:a |some )?tips?|tip:|pro tip)\b",
    r"\btry (?:saying|to say|phrasing|framing|opening with)\b",
    r"\byou (?:could|might|can) (?:say|try saying|phrase it|frame it|open with)\b",
    r"\b(?:a good|the best|one) (?:way|approach|strategy) (?:to|is to|would be to) "
    r"(?:talk|approach|handle|raise|frame|phrase|ask|tell)\b",
    r"\bwhen (?:you )?(?:talk|speak|talking|speaking) (?:to|with) (?:your|a) (?:manager|boss|supervisor)\b",
    r"(?<!as )\byour (?:manager|boss|supervisor)\b",
    r"\bmanaging up\b",
    r"\b(?:as|i'm|i am) your coach\b",
    r"\bcoach(?:ing)? you\b",
    r"\b(?:great|good|excellent) (?:question|job|work) on (?:your|the) (?:pitch|ask|opener)\b",
    r"\b(?:this|our|the|a) (?:rehearsal|practice (?:run|session|conversation)|exercise|simulation)\b",
    r"\b(?:strengths|improvements|feedback on your approach)\s*:",
    r"\bthe user\b",
]
_SELF_RE = [re.compile(p, re.I | re.M) for p in _SELF_REFERENCE]
_LEAK_RE = [re.compile(p, re.I | re.M) for p in _LEAK]
_COACH_RE = [re.compile(p, re.I | re.M) for p in _COACHING]


def _first_match(patterns: list[re.Pattern[str]], text: str) -> str | None:
    for pattern in patterns:
        found = pattern.search(text)
        if found:
            return found.group(0)
    return None


def self_reference(text: str) -> str | None:
    """The phrase where the manager talks about being an AI, model or assistant, if any."""
    return _first_match(_SELF_RE, text)


def leaked_instructions(text: str) -> str | None:
    """The phrase that exposes the role-play machinery (prompt, role, slots, state), if any."""
    return _first_match(_LEAK_RE, text)


def coaching(text: str) -> str | None:
    """The phrase where the 'manager' steps out to coach the person, if any."""
    return _first_match(_COACH_RE, text)


def canary_leak(text: str, canary: str) -> bool:
    """True when the canary (or its distinctive core, for partial copies) appears in the text."""
    if not canary:
        return False
    low = text.lower()
    if canary.lower() in low:
        return True
    cores = [c for c in re.split(r"[^0-9a-zA-Z]+", canary) if len(c) >= 8]
    return any(c.lower() in low for c in cores)


def character_problems(text: str, max_words: int = MAX_MANAGER_WORDS) -> list[str]:
    """Why a manager turn is out of character; an empty list means it is in character."""
    problems = []
    if not text.strip():
        return ["empty turn"]
    n = words(text)
    if n > max_words:
        problems.append(f"{n} words (limit {max_words})")
    for label, check in (("AI self-reference", self_reference), ("instructions leaked", leaked_instructions),
                         ("coaches the person", coaching)):
        found = check(text)
        if found:
            problems.append(f"{label}: {found!r}")
    return problems


# -- drafts ----------------------------------------------------------------------------------

BANNED_PHRASES = ("you always", "you never", "you should", "you must", "as an ai",
                  "language model")


def normalise(text: str) -> str:
    """Lower case, typographic quotes and dashes folded, runs of whitespace collapsed."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def missing_facts(text: str, facts: Sequence[str]) -> list[str]:
    """The stated facts that do not appear in the text (case and whitespace insensitive)."""
    body = normalise(text)
    return [f for f in facts if normalise(f) not in body]


def fact_retention(text: str, facts: Sequence[str]) -> float:
    """Share of stated facts present in the text; 1.0 when there are none to keep."""
    if not facts:
        return 1.0
    return 1.0 - len(missing_facts(text, facts)) / len(facts)


def banned_phrases(text: str, phrases: Iterable[str] = BANNED_PHRASES) -> list[str]:
    """Each banned phrase found in the text, on word boundaries ('you shouldn't' counts too)."""
    body = normalise(text)
    found = []
    for phrase in dict.fromkeys(normalise(p) for p in phrases):
        if phrase and re.search(rf"(?<!\w){re.escape(phrase)}", body):
            found.append(phrase)
    return found


def draft_text(draft: Mapping[str, object]) -> str:
    """Everything a person would read in a draft (contract JSON), as one block of text."""
    parts: list[str] = [str(draft.get("opener") or "")]
    parts += [str(p) for p in draft.get("talking_points") or []]  # type: ignore[attr-defined]
    for item in draft.get("anticipated_pushback") or []:  # type: ignore[attr-defined]
        if isinstance(item, Mapping):
            parts += [str(item.get("objection") or ""), str(item.get("response") or "")]
    parts.append(str(draft.get("close") or ""))
    return "\n".join(p for p in parts if p)


def structure_problems(draft: Mapping[str, object], known_cards: Iterable[str] = ()) -> list[str]:
    """The contract's shape: opener, talking points, >= 2 pushback items with replies, a close,
    and citations that resolve to knowledge cards (when the known card ids are given)."""
    problems = []
    if not str(draft.get("opener") or "").strip():
        problems.append("empty opener")
    points = [str(p) for p in draft.get("talking_points") or [] if str(p).strip()]  # type: ignore[attr-defined]
    if not points:
        problems.append("no talking points")
    pushback = list(draft.get("anticipated_pushback") or [])  # type: ignore[call-overload]
    answered = [p for p in pushback if isinstance(p, Mapping)
                and str(p.get("objection") or "").strip() and str(p.get("response") or "").strip()]
    if len(answered) < 2:
        problems.append(f"{len(answered)} pushback item(s) with a reply (need at least 2)")
    if not str(draft.get("close") or "").strip():
        problems.append("empty close")
    citations = list(draft.get("citations") or [])  # type: ignore[call-overload]
    if not citations:
        problems.append("no citations")
    cards = set(known_cards)
    if cards:
        unknown = [str(c.get("card")) for c in citations if isinstance(c, Mapping) and c.get("card") not in cards]
        if unknown:
            problems.append(f"citations that are not knowledge cards: {', '.join(unknown)}")
    return problems


def draft_shape(draft: Mapping[str, object]) -> tuple[int, int, int]:
    """A coarse structural signature: talking points, pushback items, sentences in the opener."""
    opener = str(draft.get("opener") or "")
    sentences = len([s for s in re.split(r"(?<=[.!?])\s+", opener.strip()) if s])
    return (len(list(draft.get("talking_points") or [])),  # type: ignore[call-overload]
            len(list(draft.get("anticipated_pushback") or [])),  # type: ignore[call-overload]
            sentences)


def adaptation_problems(busy: Mapping[str, object], detail: Mapping[str, object],
                        min_ratio: float = 1.15) -> list[str]:
    """Why a busy-manager draft and a detail-minded one are not measurably different.

    Expected: the detail draft is at least `min_ratio` times longer (in words) and differs in
    structure (talking points, pushback items or opener sentences)."""
    problems = []
    short, long_ = words(draft_text(busy)), words(draft_text(detail))
    if long_ < min_ratio * short:
        problems.append(f"detail draft {long_} words vs busy draft {short} words (want >= {min_ratio:.2f}x)")
    if draft_shape(busy) == draft_shape(detail):
        problems.append(f"same structure {draft_shape(busy)} (points, pushback, opener sentences)")
    return problems


# -- debrief ---------------------------------------------------------------------------------


def pair_accuracy(pairs: Sequence[tuple[float, float]]) -> float:
    """Share of (good, bad) score pairs where the good one scores strictly higher."""
    if not pairs:
        return 0.0
    return sum(1 for good, bad in pairs if good > bad) / len(pairs)


def same_scores(first: Mapping[str, object], second: Mapping[str, object]) -> list[str]:
    """Differences between two scorings of one transcript ('overall 61 != 64'); empty when equal."""
    diffs = []
    for key in sorted(set(first) | set(second)):
        if first.get(key) != second.get(key):
            diffs.append(f"{key} {first.get(key)} != {second.get(key)}")
    return diffs
