"""The rules' second pass: required facts the cue pass left empty, when the person did give them.

People rarely write one fact per clause. The cause often sits inside the sentence about what
happened ("...lost three days of responses in a server move", "...failed when the bank changed its
format"), two facts share a clause ("a weekly summary every Friday and anything over $15,000 to you
first"), and a fact with none of the field's cue words sits where the story puts it ("About 140
contractors won't be paid on Friday" between what happened and what is being done). So, for each
required text field still empty: first a part of a clause that the field's cues (or, for a cause, a
causal lead) point to, trimmed from the fact that held it; then an unclaimed clause, given to the
empty field that the kind's field order puts where the clause sits in the situation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app import text as tx
from app.coach.drafting.kinds import FactField, KindSpec

SUB_SPLIT = re.compile(r",\s+|:\s+|\s+(?=(?:and|so|when|after|since|because|due to|following|during|until|while|"
                       r"whereas|although|though|which)\s)")
CAUSAL_LEAD = re.compile(r"^(?:because(?: of)?|due to|owing to|as a result of|caused by|after|since|when|"
                         r"following|amid|in the wake of)\s", re.I)
EVENT_NOUNS = ("move|migration|upgrade|update|outage|reorg|reorganisation|reorganization|restructure|restructuring|"
               "cut|cuts|change|switch|rollout|release|deployment|incident|crash|failure|storm|fire|flood|strike|"
               "merger|audit|review|transfer|shutdown|breach|recall|power cut|cyberattack|attack|dispute|shortage")
EVENT = re.compile(r"\b(?:in|during|after|amid|from|following)\s+(?:a|an|the|our|their|its|last\s\w+'s)\s"
                   r"(?:[\w'-]+\s){0,3}?(?:" + EVENT_NOUNS + r")\b[^,;]*$", re.I)
CAUSE_STRIP = re.compile(r"^(?:in|during|when|after|amid|from|following|as a result of|caused by|in the wake of)\s+",
                         re.I)
ADJUNCT = re.compile(r"^(?:in|during|amid|after|since|when|because|following|until|while|from|as)\s", re.I)
PREDICATE_ONLY = re.compile(r"(?:might|could|would|should|can|will|may|must|is|are|was|were|has|have)\b", re.I)
MIN_WORDS = 2  # content words a part of a clause needs to stand as a fact

# Dates people give without a calendar date: "Friday week", "the end of next month", "end of October",
# "mid-March", "next Tuesday". Tried before the plain patterns, so "Friday week" is not cut to "Friday".
RELATIVE_DATE = (r"(?:the\s)?(?:end|start|beginning|middle)\sof\s(?:(?:next|this|the)\s(?:week|month|quarter|year)|"
                 r"(?:" + tx.MONTH_NAMES + r")|Q[1-4])|(?:" + tx.WEEKDAYS + r")\sweek|next\s(?:" + tx.WEEKDAYS
                 + r"|week|month|sprint)|(?:early|mid|late)[- ](?:" + tx.MONTH_NAMES + r")"
                 r"|(?:in|within)\s(?:about\s|roughly\s|another\s)?(?:\d+|a|an|" + tx.NUMBER_WORDS + r")\s(?:more\s)?"
                 r"(?:working\s)?(?:days?|weeks?|months?)(?:['’]\s?time)?"
                 r"|the\sweek\safter\snext|tomorrow|tonight|this\s(?:afternoon|evening)|(?:the\s)?end\sof\s(?:the\s)?day|(?:by|before|after)\s(?:Christmas|Easter|year-end|month-end)")
DATE_SPAN = re.compile(r"\b(?:" + RELATIVE_DATE + r")(?![\w-])|" + tx.DATE.pattern)
# A cost said without a currency sign: "40 grand", "5,000 dollars", or as time or people ("two FTEs",
# "about 40 hours of my time", "three more weeks"), which the money field's question also asks for.
OTHER_COST = re.compile(r"\b(?:(?:about|roughly|around|another)\s)?(?:\d[\d,.]*|a|an|" + tx.NUMBER_WORDS + r")\s"
                        r"(?:(?:grand|dollars|pounds|euros|k)\b|(?:more\s|extra\s|single\s|full-time\s|part-time\s)?"
                        r"(?:hours?|days?|weeks?|months?|FTEs?|people|staff|heads?|contractors?|hires?|temps|"
                        r"licen[cs]es|seats)\b(?:\s(?:a|per)\s(?:week|month|year)|\sof\s\w+(?:\s\w+)?\stime)?)", re.I)
# A date after these is where something was, not where it is going ("on the 21st rather than the 17th").
BACKWARD = re.compile(r"(?:\bfrom|\bsince|instead of|rather than|\bthan|\blast|\boriginally|\bago)\s+$", re.I)

# "What I'd ask of Henrik is a nod to...", "The ask is that you approve...", "My plan is for X to...": the
# frame names the field, the fact is what follows it (and "ask of you is" would read as bad agreement)
CLEFT = re.compile(r"^(?:what (?:i|we)(?:'d| would| really| am|'m)* (?:ask|need|want|hope|hoping|asking for|asking|"
                   r"propose|proposing|suggest|suggesting|recommend|like)(?: (?:of|from) [^,;]{1,30}?)? (?:is|was)"
                   r"|the (?:ask|request|plan|hope|idea|proposal|suggestion) is"
                   r"|(?:my|our) (?:ask|request|plan|hope|idea|proposal|suggestion) (?:is|would be))"
                   r"(?: that| to)?\s+", re.I)


def uncleft(value: str) -> str:
    """A value without the frame that announces it, when enough is left to stand as a fact."""
    rest = CLEFT.sub("", value, count=1)
    return rest if rest != value and len(tx.content_words(rest)) >= 2 else value

# Words that make a sentence's opening part a frame around the news rather than a fact of it: "Bad news on
# the refit: ...", "Gary would rather hear it from me: ...", "Quick update for Marisol before Thursday."
FRAME = re.compile(r"\b(?:news|heads[- ]up|update|status|progress|fyi|flag|flagging|tell|telling|hear|warn|"
                   r"stands|quick|briefly|summary|recap|report)\b", re.I)
HEADER_NOUN = re.compile(r"\b(?:update|status|report|summary|recap|progress)\b", re.I)
VERB_SIGN = re.compile(r"\b(?:is|are|was|were|has|have|had|will|i|we|they|did|do|can|could|would)\b|'(?:s|re|ve)\b",
                       re.I)
HERE_IS_WHERE = re.compile(r"^(?:here's|here is|this is) (?:where|how)\b", re.I)


def header(sentence: str) -> bool:
    """A sentence that only names the update ("Status on the audit prep.", "Level 8 report.")."""
    bare = sentence.strip().rstrip(".:!")
    if HERE_IS_WHERE.match(bare):
        return True
    return len(bare.split()) <= 8 and bool(HEADER_NOUN.search(bare)) and not VERB_SIGN.search(bare)


def without_frames(situation: str, parts: list[tx.Clause]) -> list[tx.Clause]:
    """The clauses that carry facts: header sentences dropped, and of a sentence whose part before a
    colon is a frame, only what follows the colon. Sentences are renumbered so the first one kept is
    the opening (indices stay, so other code can still find a clause by its index)."""
    sents = tx.sentences(situation)
    out: list[tx.Clause] = []
    for c in parts:
        sent = sents[c.sentence] if c.sentence < len(sents) else ""
        if header(sent):
            continue
        colon = sent.find(": ")
        if colon > 0 and FRAME.search(sent[:colon]) and not tx.LABEL.match(sent):
            at = c.text.find(": ")
            if at >= 0:
                c = tx.Clause(c.text[at + 2:], c.sentence, c.index, c.last)
            elif tx.contains(sent[:colon], c.text):
                continue
        out.append(c)
    shift = min((c.sentence for c in out), default=0)
    return [tx.Clause(c.text, c.sentence - shift, c.index, c.last) for c in out]


def date_span(text: str) -> str | None:
    """The date a clause gives: the first not placed behind "from", "instead of", "rather than"."""
    spans = [m for m in DATE_SPAN.finditer(text) if m.group(0).strip()]
    ahead = [m for m in spans if not BACKWARD.search(text[:m.start()][-20:])]
    fixed = [m for m in ahead if not re.match(r"(?:in|within)\s", m.group(0))]  # "on June 15" over "in two weeks"
    best = (fixed or ahead or spans)[0] if spans else None
    return best.group(0).strip() if best else None


def causal(f: FactField) -> bool:
    """A field that asks for a cause (its cues are causal connectives)."""
    return any(c.lower().strip() in ("because", "due to") for c in f.cues)


def _clause_of(value: str, parts: list[tx.Clause]) -> list[int]:
    return [c.index for c in parts if tx.contains(c.text, value) or tx.contains(value, tx.tidy(c.text))]


def _pieces(clause: tx.Clause) -> list[tuple[str, bool]]:
    """Parts of a clause, each with whether it reads as a cause: cut at commas, colons and
    connectives (a stub like "and budgets" stays with the part before it), plus a trailing event
    phrase ("in a server move"). A part after a colon explains what came before it."""
    text = clause.text.strip().rstrip(".")
    bounds = [(0, "")]
    for m in SUB_SPLIT.finditer(text):
        bounds.append((m.end(), m.group(0).strip()))
    parts: list[tuple[str, str]] = []
    for i, (start, sep) in enumerate(bounds):
        end = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
        piece = text[start:end].strip()
        if parts and len(piece.rstrip(",:;").split()) < 3:
            parts[-1] = (parts[-1][0] + " " + piece, parts[-1][1])
        else:
            parts.append((piece, sep))
    out: list[tuple[str, bool]] = []
    for i, (piece, sep) in enumerate(parts):
        if sep == ":" or CAUSAL_LEAD.match(piece):  # an explanation or a cause runs to the clause's end
            piece = " ".join(p for p, _ in parts[i:])
            out.append((piece.rstrip(",:;"), True))
        else:
            out.append((piece.rstrip(",:;"), False))
    out = [(p, cause) for p, cause in out if p != text]
    event = EVENT.search(text)
    if event and event.group(0) != text:
        out.append((event.group(0), True))
    return out


def _value(f: FactField, piece: str) -> str:
    value = tx.tidy(piece, f.strip)
    if causal(f):
        value = tx.tidy(CAUSE_STRIP.sub("", value), f.strip)
    return value


def _rest(host: str, piece: str) -> str | None:
    """The host value without `piece` when the piece opens or ends it, connectives kept."""
    h, p = tx.norm(host), tx.norm(piece)
    at = h.find(p)
    if at < 0 or not (at == 0 or at + len(p) == len(h)):
        return None
    return (host[len(piece):] if at == 0 else host[:at]).strip(" ,;:")


def _trim(host: str, piece: str, least: int = 3) -> str | None:
    """The host value without `piece`, when enough is left to stand as a fact."""
    rest = _rest(host, piece)
    if rest is None:
        return None
    rest = re.sub(r"^(?:and|so|but)\s+|\s+(?:and|so|but)$", "", rest).strip(" ,;:")
    return rest if len(tx.content_words(rest)) >= least else None


def _can_trim(owner: FactField, host: str, piece: str, c: tx.Clause,
              cue: Callable[[FactField, tx.Clause], float], lenient: bool = False) -> bool:
    """A part may leave a fact only when the rest still stands and keeps every cue of its own field."""
    rest = _rest(host, piece)
    if rest is None or _trim(host, piece, 2 if lenient else 3) is None:
        return False
    had = cue(owner, tx.Clause(host, c.sentence, c.index, c.last))
    return cue(owner, tx.Clause(rest, c.sentence, c.index, c.last)) >= (min(1.0, had) if lenient else had)


def _parts_for(f: FactField, parts: list[tx.Clause], have: dict[str, str], found: dict[str, str],
               spec: KindSpec, cue: Callable[[FactField, tx.Clause], float], *, claimed_ok: bool,
               lenient: bool = False) -> bool:
    """Give `f` the best-cued part of a clause (of an unclaimed clause only, unless `claimed_ok`),
    cutting it from the fact that held it. True when one was found."""
    best: tuple[float, str, list[str]] | None = None
    least = 2 if lenient else 3
    for c in parts:
        for piece, cause_like in _pieces(c):
            if len(tx.content_words(piece)) < MIN_WORDS or (ADJUNCT.match(piece) and not causal(f)):
                continue
            s = cue(f, tx.Clause(piece, c.sentence, c.index, c.last)) + (1.0 if cause_like and causal(f) else 0)
            if s < 1.0 or (best is not None and s <= best[0]):
                continue
            hosts = [n for n, v in {**have, **found}.items() if tx.contains(v, piece)]
            if hosts and not (claimed_ok or cause_like and causal(f)):
                continue
            if any(n in have or not _can_trim(spec.field(n), found[n], piece, c, cue, lenient) for n in hosts):
                continue  # the person's or the model's value is not cut up, nor one that needs this part
            best = (s, piece, hosts)
    if best is None:
        return False
    for n in best[2]:
        found[n] = _trim(found[n], best[1], least) or found[n]
    found[f.name] = _value(f, best[1])
    return True


def _by_order(empty: list[FactField], parts: list[tx.Clause], have: dict[str, str], found: dict[str, str],
              order: list[str]) -> None:
    """Unclaimed clauses, each to the empty field the kind's order puts where it sits in the story."""
    taken = {**have, **found}
    where = {n: min(idx) for n, v in taken.items() if (idx := _clause_of(v, parts))}
    claimed = {i for v in taken.values() for i in _clause_of(v, parts)}
    for c in parts:
        if not empty:
            break
        if c.index in claimed or len(tx.content_words(c.text)) < 3 or c.text.rstrip().endswith("?"):
            continue
        lo = max((order.index(n) for n, i in where.items() if i < c.index), default=-1)
        hi = min((order.index(n) for n, i in where.items() if i > c.index), default=len(order))
        inside = [f for f in empty if lo < order.index(f.name) < hi]
        f = inside[0] if inside else min(
            empty, key=lambda e: min(abs(order.index(e.name) - lo), abs(order.index(e.name) - hi)))
        found[f.name] = _value(f, c.text)
        where[f.name] = c.index
        empty.remove(f)


def fill_gaps(spec: KindSpec, parts: list[tx.Clause], have: dict[str, str], found: dict[str, str],
              cue: Callable[[FactField, tx.Clause], float]) -> dict[str, str]:
    """Values for required text fields left empty; `found` (the rules' own values) may be trimmed
    where a part of one of them is taken. `cue(field, clause)` is the cue pass's score.

    In order of evidence: a cue-matched part of an unclaimed clause (or a causal part anywhere, for
    a cause), then an unclaimed clause by where it sits, then a cue-matched part of a claimed one."""
    order = [f.name for f in spec.fields]
    empty = [f for f in spec.fields if f.required and f.type == "text" and not have.get(f.name)
             and not found.get(f.name)]
    for f in sorted(empty, key=lambda e: not causal(e)):
        if _parts_for(f, parts, have, found, spec, cue, claimed_ok=False):
            empty.remove(f)
    for f in list(empty):  # cues pointing at a clause an optional field took beat placing one by position
        if _from_optional(f, parts, found, spec, cue, min_cue=1.0):
            empty.remove(f)
    _by_order(empty, parts, have, found, order)
    for f in list(empty):
        if _parts_for(f, parts, have, found, spec, cue, claimed_ok=True) or _from_optional(f, parts, found, spec, cue) \
                or _parts_for(f, parts, have, found, spec, cue, claimed_ok=True, lenient=True):
            empty.remove(f)  # last, a part whose host keeps one cue of its own rather than all of them
    # an optional fact sharing a clause with a required one ("a summary every Friday and anything over
    # $15,000 to you first") gets its part when the rest still carries the required field's cues
    for f in spec.fields:
        if not f.required and f.type == "text" and f.name not in found and f.name not in have and f.cues:
            before = dict(found)
            if _parts_for(f, parts, have, found, spec, cue, claimed_ok=True) and PREDICATE_ONLY.match(found[f.name]):
                found.clear()  # "..., might be open to me taking over": a predicate cut from its subject
                found.update(before)
    return found


def _from_optional(f: FactField, parts: list[tx.Clause], found: dict[str, str], spec: KindSpec,
                   cue: Callable[[FactField, tx.Clause], float], min_cue: float = 0.0) -> bool:
    """A required field still empty takes a value the rules gave an optional field (a draft needs its
    payoff more than its goal): the one its cues fit best, else the nearest in the kind's order."""
    order = [g.name for g in spec.fields]
    held = [n for n in found if not spec.field(n).required and spec.field(n).type == "text"]
    if not held:
        return False

    def fit(n: str) -> tuple[float, int]:
        at = _clause_of(found[n], parts)
        c = next((p for p in parts if p.index in at), tx.Clause(found[n], 0, 0, False))
        return cue(f, tx.Clause(found[n], c.sentence, c.index, c.last)), -abs(order.index(n) - order.index(f.name))

    best = max(held, key=fit)
    if fit(best)[0] < min_cue:
        return False
    found[f.name] = _value(f, found.pop(best))
    return True
