"""The specifics a manager can pick up: figures, dates, names and projects from what the person said,
their situation, and the manager's own priorities, pressures and boss from the profile.

These fill the slots of the manager's line templates ({fact}, {figure}, {date}, {person}, {project},
{priority}, {pressure}, {boss}, {topic}), so a reply can say "Sev-1s from 9 to 3 is a number I can
use" instead of "Can you put numbers on that?". Pure functions over text; nothing is invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app import text as tx
from app.coach.scenarios import Concern
from app.schemas import ManagerProfile

PROJECT_NOUNS = (
    "platform|migration|launch|release|project|service|system|rollout|go-live|pipeline|dashboard|app|api|"
    "integration|redesign|programme|program|initiative|pilot|audit|contract|account|deal|site|wing|build|"
    "upgrade|review|deadline|milestone|roadmap|backlog|report|proposal|budget|campaign|feature|module|tool")
PROJECT = re.compile(
    r"\b(?:the|our|my|this|that)\s((?:[A-Za-z0-9][\w&'-]*\s){0,3}(?:" + PROJECT_NOUNS + r"))\b", re.I)
CAPITAL_PROJECT = re.compile(r"\b([A-Z][A-Za-z0-9]*(?:[-\s][A-Z0-9][A-Za-z0-9]*)*(?:\s(?:" + PROJECT_NOUNS + r")))\b")
UNIT = r"(?:\s(?:days?|weeks?|hours?|minutes?|months?|percent|people|incidents?|tickets?|bugs?|errors?))?"
RANGE = re.compile(r"\b(from\s)?([$€£]?\d[\d,.]*%?" + UNIT + r")\s(to|down to|up to)\s([$€£]?\d[\d,.]*%?" + UNIT
                   + r")(?![\w%])", re.I)
AMOUNT = re.compile(
    r"(?:[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|million|thousand)\b)?|(?<![\w-])\d[\d,.]*\s?%|(?<![\w-])\d[\d,.]*"
    r"|\b(?<!-)(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:one|two|three|four|five|six|seven|"
    r"eight|nine)|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred)\b)"
    r"(?:\s(?!(?:and|or|but|to|of|in|on|at|by|for|the|a|an|so|because|this|that|it|i|we|every|each|single|last|next|"
    r"since|than|against|with|from|until|before|after|is|was|are|were|has|had|have|myself|ourselves|yourself|"
    r"himself|herself|themselves|itself|alone|already|too|again|now|then|all|both|each|ago)\b)[a-z][\w-]*){0,2}"
    r"(?:\s(?:a|per)\s(?:day|week|month|year|quarter|sprint|shift))?", re.I)
TIME_OF_DAY = r"\b\d{1,2}(?::\d\d)?\s?(?:am|pm)\b"
WHEN = re.compile(TIME_OF_DAY + "|" + tx.DATE.pattern
                  + r"|\b(?:next|this|end of (?:the|this|next)?)\s?(?:week|month|quarter|sprint|cycle|review|year)\b"
                  r"|\bend of (?:day|week|month|quarter)\b|\btomorrow\b", re.I)
NOT_A_NAME = set(
    "i i'm i'd i've i'll we our the a an this that these those it if so but and or what how when why who where "
    "yes no okay ok well look listen honestly basically also plus then now today yesterday tomorrow last next "
    "since because after before while everyone someone nobody everybody anyone thanks thank sure great good "
    "right sorry hey hi hello my your there here let's can could would should will please maybe actually "
    "frankly again just once monday tuesday wednesday thursday friday saturday sunday january february march "
    "april may june july august september october november december q1 q2 q3 q4 ceo cfo cto vp hr qa ops "
    "sev sev-1 sev-1s it's that's there's they he she you one two three four five six seven eight nine ten "
    "eleven twelve fifteen twenty thirty forty fifty hundred each every anything everything nothing on in at "
    "for with from dr mr mrs ms prof".split())
PERSON_VERB = re.compile(r"^\s+(?:has|had|is|was|can|could|will|would|did|does|and|picks|picked|takes|took|"
                         r"covers|covered|knows|knew|runs|ran|led|leads|owns|owned|already|'s|’s|said|asked|"
                         r"\w+ed\b|\w+s\b)")
BOSS = re.compile(r"\b(CFO|CEO|CTO|COO|SVP|VP(?: of [A-Z][a-z]+)?|director|owner'?s rep|board|general manager|"
                  r"managing director|head of [a-z]+|partner|client)\b", re.I)
WORRY = re.compile(r"\b(?:worried|concerned|nervous|anxious|cautious|uneasy|wary|stressed|under pressure)\s"
                   r"(?:about|that|over|with)\s([^.;!?]{6,90})", re.I)
LEAD_VERB = ("hit", "ship", "keep", "close", "top", "cut", "lower", "raise", "grow", "reduce", "deliver", "launch",
             "finish", "hire", "protect", "land", "win", "get", "make", "stay", "avoid", "build", "move", "bring",
             "run", "fix", "clear", "meet", "hold", "improve", "increase", "open", "pass", "scale", "sign",
             "develop", "cut", "raise", "grow", "lower")
UNAMBIGUOUS = {"ship", "hit", "keep", "deliver", "launch", "hire", "protect", "finish", "avoid", "reduce",
               "increase", "improve", "bring", "meet", "win", "land", "scale", "top", "cut", "raise", "grow",
               "develop"}
SECOND_WORDS = set("the a an our my his her their every all out up down off in to on more fewer less its".split())


@dataclass
class Specifics:
    """Slot values, most specific first. `fact` is the phrase most worth picking up."""

    fact: list[str] = field(default_factory=list)
    figure: list[str] = field(default_factory=list)
    date: list[str] = field(default_factory=list)
    person: list[str] = field(default_factory=list)
    project: list[str] = field(default_factory=list)

    def tokens(self) -> list[str]:
        return [*self.fact, *self.figure, *self.date, *self.person, *self.project]


NUMBER_WORD = re.compile(r"^(?:Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Eleven|Twelve|Fifteen|Twenty|Thirty|"
                         r"Forty|Fifty|Hundred|Every|Each|Last|Next|This|The)\b")


def _clean(phrase: str) -> str:
    phrase = " ".join(phrase.split()).strip(" ,;:.!?\"'")
    if NUMBER_WORD.match(phrase):  # "Three times" at the start of their sentence reads "three times" in ours
        phrase = phrase[0].lower() + phrase[1:]
    return phrase


def _context_before(text: str, start: int, limit: int = 3) -> str:
    """Up to `limit` content words right before a figure ("sev-1s" in "we cut sev-1s from 9 to 3")."""
    before = re.findall(r"[\w'%-]+", text[:start])
    kept: list[str] = []
    for word in reversed(before[-limit - 2:]):
        low = word.lower()
        if low in tx.STOP or low.startswith(("cut", "reduc", "dropp", "brought", "went", "took", "mov", "grew",
                                             "rais", "increas", "lower")):
            break
        kept.insert(0, word)
        if len(kept) >= limit:
            break
    return " ".join(kept)


def from_text(text: str) -> Specifics:
    """Figures (with a little context), dates, colleagues' names and projects, as the person wrote them."""
    out = Specifics()
    taken: list[tuple[int, int]] = []
    for m in RANGE.finditer(text):
        figure = _clean(m.group(0))
        context = _context_before(text, m.start())
        out.figure.append(figure)
        out.fact.append(f"{context} {figure}".strip() if context else figure)
        taken.append((m.start(), m.end()))
    for m in WHEN.finditer(text):
        value = _clean(m.group(0))
        before, after = text[max(0, m.start() - 12):m.start()].lower(), text[m.end():m.end() + 5].lower()
        past = re.search(r"\b(last|since|on the|past)\s*$", before) or after.startswith(" ago")
        if re.fullmatch(TIME_OF_DAY, value, re.I):  # a time of day ("the 7pm handover") is not a deadline
            out.figure.append(value)
        elif value and value not in out.date and not past:
            out.date.append(value)
        taken.append((m.start(), m.end()))
    for m in AMOUNT.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        value = _clean(m.group(0))
        if not re.search(r"\d|[a-z]{3}", value) or value.lower() in tx.STOP:
            continue
        if re.fullmatch(r"\d{1,2}|[A-Za-z]+", value):  # a bare small number says too little to repeat back
            continue
        out.figure.append(value)
        if len(value.split()) >= 2 or re.search(r"[$€£%]", value):
            out.fact.append(value)
        taken.append((m.start(), m.end()))
    for m in [*CAPITAL_PROJECT.finditer(text), *PROJECT.finditer(text)]:
        value = _clean(m.group(0) if m.re is PROJECT else m.group(1))
        if m.re is PROJECT and not re.match(r"(?i)the\s", value):
            value = "the " + _clean(m.group(1))
        if len(value) > 3 and value.lower() not in (p.lower() for p in out.project):
            if not any(value.lower() in p.lower() or p.lower() in value.lower() for p in out.project):
                out.project.append(value)
    for m in re.finditer(r"\b[A-Z][a-z]{1,15}\b", text):
        word = m.group(0)
        if word.lower() in NOT_A_NAME or any(word in p for p in out.project):
            continue
        follows = text[m.end():m.end() + 25]
        precedes = text[max(0, m.start() - 6):m.start()].lower()
        at_start = m.start() == 0 or bool(re.search(r"[.!?;:]\s*$", text[:m.start()]))
        if at_start and not PERSON_VERB.match(follows):
            continue
        if re.search(r"\b(the|a|an|our|my|your|their)\s$", precedes):  # "the Ashford schedule": a place
            continue
        if not at_start or PERSON_VERB.match(follows) or precedes.strip().endswith(("with", "and", "to", "from")):
            if word not in out.person:
                out.person.append(word)
    out.fact += [p for p in out.project if p not in out.fact]
    return out


def gerund(phrase: str) -> str:
    """'top out the structure by August' -> 'topping out the structure by August' (a noun phrase)."""
    words = phrase.split()
    if len(words) < 2 or words[0].lower() not in LEAD_VERB:
        return phrase
    verb = words[0].lower()
    if verb not in UNAMBIGUOUS and words[1].lower() not in SECOND_WORDS:
        return phrase  # "lower freight cost" reads as a noun phrase already
    if verb.endswith("e") and not verb.endswith("ee"):
        ing = verb[:-1] + "ing"
    elif len(verb) <= 4 and re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", verb):
        ing = verb + verb[-1] + "ing"
    else:
        ing = verb + "ing"
    return " ".join([ing, *words[1:]])


def _phrase(text: str) -> str:
    text = _clean(text)
    if text and not re.match(r"[A-Z]{2}|[A-Z][a-z]+\s[A-Z]", text):  # keep acronyms and names capitalised
        text = text[0].lower() + text[1:]
    return text


def priorities(profile: ManagerProfile) -> list[str]:
    return [gerund(_phrase(p)) for p in profile.priorities if _phrase(p)]


def the(phrase: str) -> str:
    """'CFO scrutinising every line' -> 'the CFO scrutinising every line'; phrases with a determiner stay."""
    first = phrase.split()[0].lower() if phrase.split() else ""
    if not first or first in ("the", "a", "an", "my", "our", "his", "her", "their", "your", "this", "that", "these",
                              "those", "every", "each", "no", "some", "any") or first[0].isdigit():
        return phrase
    return f"the {phrase}"


def pressures(profile: ManagerProfile) -> list[str]:
    return [the(_phrase(p)) for p in profile.pressures if _phrase(p)]


def boss(profile: ManagerProfile) -> str:
    """Who the manager answers to, as they would say it ("the CFO", "my director"), from the profile."""
    for text in (*profile.pressures, profile.notes, profile.communication_style, *profile.priorities):
        found = BOSS.search(text or "")
        if found:
            who = found.group(1)
            return f"the {who}" if who.isupper() or "'" in who or who.lower() in ("board", "client") else f"my {who}"
    return "my boss"


def situation_worries(situation: str) -> list[str]:
    """What the person says the manager worries about ("she's worried about the audit") -> "the audit"."""
    return [_phrase(m.group(1)) for m in WORRY.finditer(situation or "")][:2]


RELATED = {  # a pressure about money is answered by a line about cost, and so on
    "budget": "cost spend money expense fund free cheap save saving", "expense": "cost spend money budget free save",
    "cost": "spend money budget expense save saving cheap", "headcount": "hire hiring people contractor role",
    "deadline": "date timeline schedule late slip", "timeline": "date schedule deadline late slip week",
    "turnover": "leave quit retention burnout morale", "audit": "finding compliance control review",
    "scrutin": "justify case numbers evidence cost", "behind": "late slip schedule date recover",
    "survey": "inspection audit compliance ready", "freeze": "cost spend budget free existing",
}


def profile_concerns(profile: ManagerProfile, situation: str = "") -> list[Concern]:
    """Concerns the manager raises from their own pressures and the person's situation, in their words."""
    out: list[Concern] = []
    sources = [*pressures(profile)[:2], *situation_worries(situation)]
    for i, text in enumerate(dict.fromkeys(sources)):
        words = [w for w in tx.content_words(text) if len(w) > 3][:6]
        if not words:
            continue
        words += [r for w in words for key, more in RELATED.items() if w.startswith(key) for r in more.split()]
        out.append(Concern(
            id=f"pressure-{i + 1}", concern=the(text), probe="", addressed_by=list(dict.fromkeys(words)),
            reactions=[f"Fair, that speaks to {text}.", f"Okay, that helps with {text}."],
        ))
    return out
