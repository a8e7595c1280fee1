"""A draft is said to the manager, so it talks to them: "Priya answered" becomes "you answered".

People describe their boss in the third person ("I need Gary to call the owner's rep", "Henrik
asks", "her time"). Everything a draft takes from the situation is turned to the second person
before it is composed: the manager's name (full, first, last, with a title) and "my manager / my
boss" become "you" or "your", a verb after a new subject "you" agrees ("asks" -> "ask"), and a
he/she pronoun that can only mean the manager follows. Quoted speech is left as it was said.
Pure text functions; no model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app import text as tx

TITLES = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "prof", "prof.", "sir", "dame"}
ROLE_WORDS = r"(?:manager|boss|supervisor|line manager|director|team lead|lead)"
# After one of these, a name is the object of the sentence ("ask Gary", "to Henrik"): no verb follows it.
OBJECT_BEFORE = set("""to for with from at by about of on into ask asked asking tell told telling give gave giving send
sent sending text texted email emailed show showed let help helped need want wanted like get got invite remind
introduce convince update brief copy call called thank meet met and or than ping cc loop inform""".split())
ADVERBS = set("""also always often usually never still just sometimes rarely only already really then both either
neither herself himself themselves yourself now even seldom mostly""".split())  # "You both set", "You yourself approve"
PRONOUN_OBJECT_AFTER = set("""to and or but about for with in on at that if when before after first last again directly
now today tomorrow which what whether how why who where a an the my our this that some any one two three know
i me we you it please back up""".split())
NOT_PEOPLE = set("""January February March April May June July August September October November December Monday
Tuesday Wednesday Thursday Friday Saturday Sunday I""".split())
# Words a finished sentence does not stop on (object pronouns, "that", "more", adverbs like "over" can).
FUNCTION_END = set("""a an the and or but to of for with from at by as than because if when while which who whose
we i they he she our my your their his its is are was were be been has have had will would could should can may
might must not no very into onto per via until""".split())
PREPOSITIONS = set("to for with from at by about on in into of".split())
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


def name_variants(name: str) -> list[str]:
    """The ways a person's name appears in text: full, without a title, first, last, title + last."""
    words = [w for w in name.replace(",", " ").split() if w]
    core = [w for w in words if w.lower() not in TITLES]
    titles = [w for w in words if w.lower() in TITLES]
    variants = {name.strip(), " ".join(core)}
    if core:
        variants.add(core[0])
        variants.add(core[-1])
        for t in titles:
            variants.add(f"{t} {core[-1]}")
    generic = {"your", "manager", "boss", "my"}
    return sorted((v for v in variants if v and v.lower() not in generic and len(v) > 1),
                  key=len, reverse=True)


def _base_form(verb: str) -> str:
    """'asks' -> 'ask', 'has' -> 'have', 'carries' -> 'carry' (a third-person verb after 'you')."""
    low = verb.lower()
    irregular = {"has": "have", "is": "are", "was": "were", "does": "do", "goes": "go", "doesn't": "don't",
                 "isn't": "aren't", "wasn't": "weren't", "hasn't": "haven't"}
    if low in irregular:
        out = irregular[low]
    elif low.endswith("ies") and len(low) > 4:
        out = low[:-3] + "y"
    elif re.search(r"(?:ss|sh|ch|x|z|o)es$", low):
        out = low[:-2]
    elif low.endswith("s") and not re.search(r"(?:ss|us|is)$", low) and len(low) > 2:
        out = low[:-1]
    else:
        return verb
    return out[:1].upper() + out[1:] if verb[:1].isupper() else out


ADVERB = r"(?:(?:" + "|".join(ADVERBS) + r"|ever|(?!only\b)[a-z]+ly)\s+)*"  # "personally", "only ever"
# A second verb of the same subject: "you text the crew and skips me" -> "and skip me".
COORDINATED_ANY = re.compile(r"\s(?:and|or|but)\s+(?:then\s+|also\s+)?" + ADVERB
                             + r"(doesn't|isn't|hasn't|wasn't|[a-z]+(?:s|es))")
COORDINATED = re.compile(COORDINATED_ANY.pattern +
                         r"(?=\s+(?:me|us|it|them|the|a|an|my|our|your|their|this|that|these|those|to|on|in|at|for|with|up|out|off|back|"
                         r"everything|anything|every|each|some|any|all)\b|[.,;!?]|$)")
# Verbs people use of their boss, agreed after "and/or/but" whatever follows ("and prefers texts").
SERIES = re.compile(r",\s+(?:then\s+)?" + ADVERB + r"([a-z]+(?:s|es))\b")
SERIES_END = re.compile(r"\s*(?:[.;!?]|$|\s(?:me|us|it|them|the|a|an|my|our|to|on|in|at|for|with|up|out|off|back)\b)")
COMMON_VERBS = set("""prefers takes keeps changes moves cancels sends asks wants needs expects goes makes gives gets
sets says tells adds reads replies edits rewrites approves signs joins leaves checks reviews
forwards calls emails decides insists overcommits interrupts skips drops pushes questions
rejects ignores forgets answers owns runs uses likes hates follows waits comes puts turns holds
brings lets seems tends thinks knows feels looks books reschedules assigns overrides""".split())
CLAUSE_END = re.compile(r"[.;!?]|,\s+(?:but|so|which|because|while)\b|\s(?:because|when|while|since|although)\s")


def _agree(text: str, start: int) -> str:
    """Make the verb right after position `start` (a new subject 'you') agree, skipping adverbs,
    and a verb coordinated with it in the same clause."""
    rest = text[start:]
    m = re.match(r"(\s+)(" + ADVERB + r")([A-Za-z']+)", rest)
    if not m:
        return text
    verb = m.group(3)
    fixed = _base_form(verb)
    if fixed == verb:
        return text
    at = start + m.start(3)
    text = text[:at] + fixed + text[at + len(verb):]
    after = at + len(fixed)
    end = CLAUSE_END.search(text, after)
    clause = text[after:end.start() if end else len(text)]
    # a verb in a series: "you text late, replies to nobody", "you yell, then apologises."
    series = [c for c in SERIES.finditer(clause) if c.group(1) in COMMON_VERBS or c.group(0).lstrip(", ").startswith(
        "then") and SERIES_END.match(clause, c.end())]
    for c in reversed(sorted([c for c in COORDINATED_ANY.finditer(clause) if COORDINATED.match(clause, c.start())
                              or c.group(1) in COMMON_VERBS or c.group(1) in THIRD_PERSON] + series,
                             key=lambda c: c.start())):
        base = _base_form(c.group(1))
        i = after + c.start(1)
        text = text[:i] + base + text[i + len(c.group(1)):]
    return text


def _outside_quotes(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that are not quoted speech."""
    spans, last = [], 0
    for m in QUOTED.finditer(text):
        spans.append((last, m.start()))
        last = m.end()
    spans.append((last, len(text)))
    return spans


# A capitalised word that names the place or thing the next noun belongs to, not a person.
THING_AFTER = re.compile(r"\s+(?:[a-z]+ing|store|stores|site|sites|office|branch|plant|warehouse|project|account|"
                         r"tool|system|team|wing|tower|building|campus|clinic|unit|ward|launch|reset|release|rollout|"
                         r"migration|renewal|contract|study|trial|programme|program|pilot|deal|order|report|"
                         r"dashboard|app|platform|server|region|district|market)\b")


def _person_names(text: str, manager: Iterable[str]) -> list[tuple[int, str]]:
    """(position, name) of capitalised words that may be other people (not the manager, not a date)."""
    mine = {w for v in manager for w in v.split()}
    out = []
    starts = {0} | {m.end() for m in re.finditer(r"[.!?:;]\s+", text)}
    for m in re.finditer(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b", text):
        word = m.group(0)
        if m.start() in starts or word in NOT_PEOPLE or word in mine or word in ("You", "Your"):
            continue
        if THING_AFTER.match(text, m.end()):  # "the Glenview opening", "Ledgerline tool": a place or a thing
            continue
        out.append((m.start(), word))
    return out


VOCATIVE_NEXT = ("i|i'm|i've|i'd|i'll|we|we're|we've|we'll|the|our|this|it|it's|there|there's|can|could|would|"
                 "please|quick|just|heads|sorry|thanks|so|here|here's|a|an|as you know|just so you know")


def drop_vocative(text: str, names: list[str]) -> str:
    """Without the manager's name used to address them ("Henrik, the study will be late", "..., Gary."):
    said to them, it would read "You, the study will be late"."""
    if not names:
        return text
    alt = "|".join(re.escape(n) for n in names)
    # "my manager, Henrik, wants" and "Henrik, my manager, wants" are one mention
    text = re.sub(rf"\b[Mm]y {ROLE_WORDS},\s+((?:{alt}))\s*,", r"\1", text)
    text = re.sub(rf"\b((?:{alt})),\s+(?:my|our|the) [\w' -]{{0,30}}?\b{ROLE_WORDS}\b[^,.;]{{0,30}},", r"\1", text)
    # a vocative opens with a whole clause after it; "Henrik, who...", "Tomás, as the lead, ..." are subjects
    text = re.sub(r"(^|(?<=[.!?])\s+)(?:(?:hi|hey|so)\s+)?(?:" + alt + r"),\s+(?=(?:" + VOCATIVE_NEXT + r")\b)(\w?)",
                  lambda m: m.group(1) + m.group(2).upper(), text, flags=re.I)
    return re.sub(r",\s+(?:" + alt + r")(?=[.!?])", "", text)


def second_person(text: str, manager_name: str | None) -> str:
    """The text addressed to the manager: their name and 'my manager/boss' become you/your."""
    if not text:
        return text
    names = name_variants(manager_name) if manager_name else []
    text = drop_vocative(text, names)
    # "my manager Marisol" and "Mr. Adler" are one mention of the manager, like "Marisol"
    titled = r"(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+)?"
    named = [rf"(?:[Mm]y {ROLE_WORDS},?\s+)?" + titled + "(?:" + "|".join(map(re.escape, names)) + ")"]
    alternatives = (named if names else []) + [rf"my {ROLE_WORDS}", rf"My {ROLE_WORDS}"]
    mention = re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?P<poss>['’]s)?(?![\w-])")
    out = []
    for a, b in _outside_quotes(text):
        out.append(_convert(text[a:b], mention, names))
        if b < len(text):
            end = QUOTED.match(text, b)
            out.append(end.group(0) if end else "")
    return _agree_inserts("".join(out)) if names else "".join(out)


INSERTS = (re.compile(r"(?:^|(?<=[.!?]\s))You,\s+who\b"),
           re.compile(r"(?:^|(?<=[.!?]\s))You,\s+[^,.;:!?\"“]{1,60}?,"))


def _agree_inserts(text: str) -> str:
    """'You, who usually sends...' and 'You, as the lead, approves...': the verb after a relative
    'who' and the one after an inserted phrase belong to the subject 'you' too."""
    for pattern in INSERTS:
        for m in reversed(list(pattern.finditer(text))):
            text = _agree(text, m.end())
    return text


def _convert(text: str, mention: re.Pattern[str], names: list[str]) -> str:
    mentions: list[int] = []
    pieces: list[str] = []
    last = 0
    for m in mention.finditer(text):
        before = text[last:m.start()]
        prev = re.findall(r"[A-Za-z']+", text[:m.start()])
        word = "your" if m.group("poss") else "you"
        if m.group("poss"):  # "Gary's been saying", "Aiko's away": a contraction, not a possessive
            nxt = re.match(r"\s+([a-z]+)", text[m.end():])
            follow = nxt.group(1) if nxt else ""
            word = "you've" if _has_reading(text[m.end():]) else "you're" if follow in IS_NEXT or (
                follow.endswith("ing") and follow not in ("morning", "evening", "building", "meeting")) else word
        sentence_start = re.search(r"(?:^|[.!?:]\s+|\n)$", text[:m.start()]) is not None
        if sentence_start:
            word = word.capitalize()
        pieces.append(before)
        pieces.append(word)
        mentions.append(sum(len(p) for p in pieces))
        last = m.end()
        # after a comma the name opens a clause ("On the regional call, Tomás announces"): not an object
        opens = re.search(r"[,;:]\s*$", text[:m.start()]) is not None
        subject = not m.group("poss") and (opens or not (prev and prev[-1].lower() in OBJECT_BEFORE))
        if not subject and not m.group("poss") and prev and prev[-1].lower() in CONJUNCTIONS:
            # "...one owner, and Henrik gets his Fridays back": after a conjunction the name opens a new
            # clause when a third-person verb follows it ("ask Sam and Henrik to join" has none)
            nxt = re.match(r"\s+" + ADVERB + r"([a-z']+)", text[m.end():])
            subject = nxt is not None and (nxt.group(1) in COMMON_VERBS or nxt.group(1) in THIRD_PERSON)
        if subject:
            pieces.append("\0AGREE\0")
    pieces.append(text[last:])
    joined = "".join(pieces)
    while "\0AGREE\0" in joined:
        at = joined.index("\0AGREE\0")
        joined = joined[:at] + joined[at + len("\0AGREE\0"):]
        joined = _agree(joined, at)
    return _pronouns(joined, names) if mentions else joined


THIRD_PERSON = set("has is was does doesn't isn't wasn't hasn't gets".split())
HAS_NEXT = set("""been got gotten had done made asked said told taken given sent agreed decided approved started stopped
moved changed cancelled already""".split())
def _has_reading(rest: str) -> bool:
    """Whether the "'s" before `rest` is "has": "'s been", "'s got", "'s since changed", "'s already asked"."""
    words = re.findall(r"[a-z']+", rest[:40].lower())[:2]
    if not words:
        return False
    if words[0] in HAS_NEXT:
        return True
    if len(words) > 1 and words[1] in ("me", "us", "them", "him", "her", "you") and (
            words[0] in PARTICIPLES or re.search(r"(?:ed|en)$", words[0])):
        return True  # "Gary's put me on two jobs", "Aiko's given us a week"
    return words[0] in ("since", "just", "never", "also", "recently", "now", "always", "only") and len(words) > 1 \
        and (words[1] in HAS_NEXT or words[1].endswith("ed"))


CONJUNCTIONS = ("and", "or", "but", "than", "like", "as")
PARTICIPLES = set("put set cut let left kept brought bought built found held paid spent shown told sent lent".split())
IS_NEXT = set("""not going always never still away out off busy on leaving about the a an in at here there back very
so too really right sure usually often""".split())  # "Gary's the one", "Aiko's in Leeds": is, not a possessive
PERSON_NOUN = re.compile(r"\b(?:a|an|the|my|our|one|another|each|this|that|new)\s+(?:\w+\s)?(?:colleague|co-?worker|"
                         r"hire|nurse|engineer|analyst|customer|client|teammate|director|vp|ceo|cfo|rep|woman|man|"
                         r"person|member|buyer|controller|inspector|vendor|doctor|patient|peer|report|lead|"
                         r"manager|supervisor|foreman|contractor|candidate|intern|student|friend|partner)\b", re.I)
PRONOUN = re.compile(r"\b(she|her|hers|herself|he|him|his|himself)\b", re.I)


def _pronouns(text: str, names: list[str]) -> str:
    """He/she pronouns after a mention of the manager (now "you"), with no other person named in
    between and at most one sentence break: those can only mean the manager."""
    gender: str | None = None
    pos = 0
    while m := PRONOUN.search(text, pos):
        pos = m.end()
        word = m.group(1).lower()
        g = "f" if word in ("she", "her", "hers", "herself") else "m"
        prior = [p.start() for p in re.finditer(r"\b[Yy]our?\b", text[:m.start()])]
        if not prior or gender not in (None, g):
            continue
        near = prior[-1]
        between = text[near:m.start()]
        # another person named, or a singular person mentioned ("a new hire"), could be the one meant
        if any(near < p < m.start() for p, _ in _person_names(text, names)) or PERSON_NOUN.search(between):
            continue
        gender = g
        after = re.match(r"\s*([A-Za-z']+|[.,;:!?]|$)", text[m.end():])
        nxt = after.group(1).lower() if after else ""
        new = {"herself": "yourself", "himself": "yourself", "hers": "yours", "she": "you", "he": "you",
               "his": "your", "him": "you"}.get(word)
        if new is None:  # "her": the object ("ask her to") or the possessive ("her time")
            new = "you" if (not nxt or nxt in PRONOUN_OBJECT_AFTER or not nxt[0].isalpha()) else "your"
        end = m.end()
        short = re.match(r"['’]s\s+([a-z]+)", text[end:]) if word in ("she", "he") else None
        if short:  # "she's short of staff" -> "you're short", "he's been" -> "you've been"
            new = "you've" if _has_reading(text[end + 2:]) else "you're"
            end += 2
        if m.group(1)[0].isupper():
            new = new.capitalize()
        text = text[:m.start()] + new + text[end:]
        pos = m.start() + len(new)
        if word in ("she", "he") and not short:
            text = _agree(text, pos)
    return text


def third_person_mentions(text: str, manager_name: str) -> list[str]:
    """The manager's name used outside quoted speech (what a draft said to them should not contain)."""
    names = name_variants(manager_name)
    if not names:
        return []
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")
    found = []
    for a, b in _outside_quotes(text):
        found += [m.group(0) for m in pattern.finditer(text[a:b])]
    return found


def ends_mid_phrase(sentence: str) -> bool:
    """True when a sentence stops on a word that cannot end one ('... the 600 we.'), or leaves a
    bracket or quote open."""
    s = sentence.strip()
    if not s:
        return False
    if s.count("(") > s.count(")") or s.count("“") > s.count("”") or s.count('"') % 2:
        return True
    words = re.findall(r"[\w'%$€£-]+", s)
    if not words or not re.search(r"[.!?][\"”’)]*$", s):
        return False
    last = words[-1].lower()
    if s.rstrip("\"”’)").endswith("?") and last in PREPOSITIONS:
        return False  # "...which stakeholders would I need to build relationships with?"
    return last in FUNCTION_END and words[-1] != "May"  # the month, not the verb


def trim_dangling(value: str) -> str:
    """A slot value without trailing words that would leave its sentence unfinished ('... and we')."""
    words = value.rstrip(" ,;:-").split()
    while len(words) > 1 and words[-1].lower().strip(",;:") in FUNCTION_END and words[-1].strip(",;:") != "May":
        words.pop()
    return " ".join(words).rstrip(" ,;:-")


COMMON_STARTERS = set("""since during after before when while because last next every each our my this that these
those there here we it in on at for all both two three four five six month-end weekly monthly daily done doing
blocked one most some many right now today yesterday we're they're you're it's there's we've
we'll""".split())


def lower_lead(value: str, situation: str = "") -> str:
    """A value that opened a sentence ('Since the reset...') reads mid-sentence after a label's colon:
    lower its first letter when it is an ordinary word (a stop word, a common opener, or a word the
    situation also writes in lower case), never a name, an acronym or 'I'."""
    first = value.split(" ", 1)[0]
    if not first or not first[0].isupper() or first in ("I", "I'm", "I've", "I'd", "I'll"):
        return value
    bare = re.sub(r"['’]s$", "", first.strip(",.;:"))
    if sum(c.isupper() for c in bare) >= 2 or any(c.isdigit() for c in bare) or bare in NOT_PEOPLE:
        return value
    low = bare.lower()
    if low in ("you", "your", "you'd", "you're", "you've", "you'll") or low in tx.STOP or low in COMMON_STARTERS or \
            re.search(rf"(?<![\w-]){re.escape(low)}(?![\w-])", situation):
        return value[:1].lower() + value[1:]
    return value
