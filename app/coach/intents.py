"""What a question to Ask is about: the scenario (bad news, feedback, promotion...) it names.

The intent steers retrieval to the scenario's cards and ranks sentences toward its query, so a
question phrased nothing like a card ("my director keeps rewriting my slides") still reaches the
cards written for it. People rarely name the scenario: they describe what happened, in their own
words, with typos. So a question is read three ways: its MiniLM similarity to situations people
describe for each scenario (INTENT_EXAMPLES), Snowball-stemmed cue phrases (so "overshot the
budget" and "promoted" count), and after plain repairs (texting shorthand, a director or
supervisor is the boss, a one-letter slip in a key word).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from app import text as tx
from app.coach.drafting.kinds import KINDS, load_kind
from app.coach.rehearsal.understanding import cue_hits
from app.coach.rehearsal.understanding import stems as stem_list
from app.coach.scenarios import load_scenario, scenario_ids
from app.coach.untrusted import split_sentences
from app.config import Settings
from app.errors import UpwardError
from app.retrieval.embedding import embed_cached as vectors
from app.retrieval.embedding import get_model

INTENT_FLOOR = 0.38  # below this score for every scenario the question is "general"
INTENT_MARGIN = 0.08  # a scenario wins unless a general example is this much closer
CUE_BONUS = 0.10  # one of the scenario's cue phrases in the question
NEAREST = 2  # examples of a scenario averaged per part of the question

# What people say when they need each scenario: the ask itself, and the situations behind it
# (often all they describe). The scenario's own query is added to these.
INTENT_EXAMPLES: dict[str, tuple[str, ...]] = {
    "bad-news": ("tell my boss something they won't want to hear", "a deadline will slip", "I made a mistake",
                 "the project is late", "break bad news to my manager", "something went wrong",
                 "I messed up at work and have to own up to it", "we are going over budget",
                 "the numbers came in worse than expected", "a client is unhappy and may leave us",
                 "I broke something in production", "we're behind schedule and won't make the date",
                 "I'm afraid my boss will be angry when I tell them", "should I wait until I've fixed the problem",
                 "the launch failed"),
    "upward-feedback": ("give my manager feedback", "my boss does something that bothers me",
                        "my manager keeps doing something without telling me",
                        "my boss changes my work without asking", "raise a problem with my boss's habit",
                        "tell my boss what they do well", "my boss keeps interrupting me",
                        "my manager's habit is making my job harder", "my boss criticises me in front of others",
                        "my manager is unclear about what they want and then unhappy with the result",
                        "my boss dumps work on me at the last minute", "my manager takes credit for my work",
                        "I'm frustrated with the way my boss treats me", "my manager keeps cancelling our meetings"),
    "promotion": ("ask for a promotion", "get promoted", "move up to the next level", "make my case for a raise",
                  "I was passed over for promotion", "why didn't I get promoted",
                  "I'm doing the job of the level above without the title", "a colleague got promoted instead of me",
                  "ask for a better title and pay", "what do I need to do to reach the senior level",
                  "my performance review is coming up and I want to move up"),
    "autonomy": ("ask for more autonomy", "my manager micromanages me", "more freedom to run my project",
                 "a longer leash", "run a project on my own with fewer check-ins", "my boss checks everything I do",
                 "my manager wants to approve every decision", "own the work without constant oversight",
                 "get my boss to trust me to work on my own", "make decisions without asking permission each time",
                 "my boss hovers over my work"),
    "career-goal": ("tell my manager about my career goals", "move into a different role one day",
                    "my boss doesn't support my growth", "what skills do I need for my next career step",
                    "I want to switch to another field someday", "I don't know what's next in my career",
                    "share my long-term ambitions without seeming disloyal", "I want to become a manager one day",
                    "I feel stuck and want to grow", "find a mentor or sponsor"),
    "resource-request": ("ask for budget", "ask for a tool or more headcount", "pay for training",
                         "I'm blocked and need help from my manager", "we need to hire another person",
                         "convince my boss to pay for something", "ask for new equipment or software",
                         "ask the company to fund a course or a conference", "my team needs more people to deliver",
                         "ask for money when budgets are tight"),
    "workload": ("too much work", "my team is burning out", "everything is a priority", "overloaded and overtime",
                 "I have more work than I can handle", "my boss keeps piling on more tasks", "say no to extra work",
                 "I'm working late every night and at weekends", "I'm exhausted and stressed by the amount of work",
                 "which of my projects can wait"),
    "status-report": ("write a status update for my boss", "weekly report to my manager", "keep my manager updated",
                      "how should I write emails to my boss", "my boss doesn't know what I'm working on",
                      "what to put in my weekly update", "summarise my progress for my manager",
                      "keep my manager in the loop", "how long should my update be"),
    # Not a scenario: questions about the relationship itself compete here, so they are not forced into one.
    "general": ("understand what my boss cares about", "build a better relationship with my manager",
                "the best time to talk to my boss", "get along with a difficult boss", "what is managing up",
                "my boss and I don't get along", "my new manager is hard to read", "build trust with my boss",
                "my manager is distant and I don't know what they think of me",
                "adapt to my boss's communication style"),
}
# Words that name the scenario whatever the sentence around them; stemmed, matched in order.
INTENT_CUES: dict[str, tuple[str, ...]] = {
    "bad-news": ("mistake", "messed up", "screwed up", "went wrong", "goes wrong", "over budget", "overshoot",
                 "overrun", "behind schedule", "slip", "delay", "miss the deadline", "missed the deadline", "broke",
                 "failed", "lost", "bad news", "outage", "my fault"),
    "upward-feedback": ("feedback", "interrupt", "rewrite", "habit", "criticise", "criticize", "take credit",
                        "belittle", "undermine", "talks over", "behaviour", "behavior"),
    "promotion": ("promotion", "promoted", "senior", "title", "pay rise", "salary", "next level", "passed over"),
    "autonomy": ("autonomy", "micromanage", "micromanaging", "leash", "on my own", "trust me", "approve every",
                 "check every", "checking every", "oversight", "hover", "freedom", "independently"),
    "career-goal": ("career", "someday", "one day", "long term", "ambition", "move into", "stuck", "growth",
                    "mentor", "sponsor", "become a"),
    "resource-request": ("budget", "headcount", "hire", "tool", "equipment", "software", "laptop", "licence",
                         "license", "training", "course", "conference", "pay for", "fund", "resources", "blocked"),
    "workload": ("workload", "too much", "too many", "overload", "overwhelm", "drowning", "swamped", "overtime",
                 "burn out", "burning out", "burnout", "weekend", "say no", "priority", "priorities", "exhausted",
                 "piling"),
    "status-report": ("status", "update", "report", "in the loop", "progress", "working on"),
}
# Words that make a question about work at all; a question with none of them, no card close to it and
# no confident intent is declined ("negotiate the rent down with my landlord").
WORKPLACE = frozenset(stem_list("""boss manager supervisor director team colleague coworker company employer job
work office client customer project deadline promotion promoted raise salary title career role budget headcount
hire meeting report review feedback performance staff department fired colleague"""))
FRAMING = {tx._stem(w) for w in """boss manager supervisor director lead talk tell say raise bring speak approach
conversation discuss handle mention put best way should""".split()}
SHORTHAND = {"im": "I'm", "ive": "I've", "id": "I'd", "dont": "don't", "cant": "can't", "wont": "won't",
             "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't", "w/o": "without", "w/": "with", "u": "you",
             "ur": "your", "pls": "please", "bc": "because", "cuz": "because", "mgr": "manager"}
BOSS = re.compile(r"\b(?:director|supervisor|line manager|team lead|skip[- ]level|vp|head of (?:the )?\w+)\b", re.I)
KEY_WORDS = ("manager", "promotion", "promoted", "feedback", "deadline", "autonomy", "budget", "headcount",
             "workload", "career", "priority", "priorities", "micromanage", "mistake", "overtime", "status")
WORD = re.compile(r"[A-Za-z/'’]+")


def stems(text: str) -> set[str]:
    return {tx._stem(w) for w in tx.content_words(text)}


def _one_slip(word: str, target: str) -> bool:
    """True when word is target with one letter missing, added, changed or two swapped."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == target[diff[1]] and word[diff[1]] == target[diff[0]])
    short, long_ = sorted((word, target), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    return frozenset(get_model().tokenizer.get_vocab())


def normalise(question: str) -> str:
    """The question with texting shorthand spelled out, any boss called the boss, and a key word's
    one-letter slip repaired ("my manger" -> "my manager"), so the embeddings see plain words."""
    vocabulary = _vocabulary()

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        low = w.lower().replace("’", "'")
        if low in SHORTHAND:
            return SHORTHAND[low]
        if len(low) >= 5 and low not in vocabulary:  # a word MiniLM knows whole is a real word
            for key in KEY_WORDS:
                if _one_slip(low, key):
                    return key
        return w

    return BOSS.sub("boss", WORD.sub(word, question))


def about_work(question: str) -> bool:
    """True when the question names something of work: the boss, the team, a project, pay..."""
    return bool(set(stem_list(normalise(question))) & WORKPLACE)


def intent_profile(intent: str | None, settings: Settings) -> tuple[list[str] | None, str]:
    """(topics, query) of the scenario, or of the draft kind, an intent names; (None, "") for none."""

    if not intent:
        return None, ""
    try:
        if intent in scenario_ids(settings):
            scenario = load_scenario(intent, settings)
            return list(scenario.topics), scenario.query
        if intent in KINDS:
            spec = load_kind(intent, settings)
            return list(spec.topics), spec.query
    except UpwardError:
        pass
    return None, ""


def _parts(question: str) -> list[str]:
    """The whole question, then each sentence and clause that carries more than its framing.

    In "I have too many projects. How do I talk to my boss about it?" the intent is in the first
    sentence, the framing in the second; "..., how do I bring it up" frames a clause the same way.
    """
    pieces = [question]
    for sentence in split_sentences(question):
        pieces.append(sentence)
        pieces += [c for c in re.split(r"\s*[,;:]\s+|\s+(?:but|and so|so)\s+", sentence) if len(tx.words(c)) >= 3]
    return list(dict.fromkeys(p for p in pieces if p == question or stems(p) - FRAMING))


def intent_of(question: str, settings: Settings) -> tuple[str | None, float]:
    """The scenario a question is about (None: general) and how sure: the nearest example of each
    scenario to any part of the question, plus a bonus where the scenario's cue words occur."""
    question = normalise(question)
    labels: list[str] = []
    texts: list[str] = []
    for intent, examples in INTENT_EXAMPLES.items():
        query = intent_profile(intent, settings)[1]
        for text in (*examples, *([query] if query else [])):
            labels.append(intent)
            texts.append(text)
    parts = _parts(question)
    sims = vectors(texts) @ vectors(parts).T  # examples x parts
    # per part, the mean of its two nearest examples of each scenario: one example's stray word
    # ("the launch failed" for "lead the launch") does not decide alone
    best = {label: float(np.sort(sims[[i for i, lab in enumerate(labels) if lab == label]], axis=0)[-NEAREST:]
                         .mean(axis=0).max()) for label in INTENT_EXAMPLES}
    said = stem_list(question)
    for intent, cues in INTENT_CUES.items():
        if cue_hits(said, cues):
            best[intent] += CUE_BONUS
    general = best.pop("general")
    intent = max(best, key=lambda k: best[k])
    # Every question is about the boss, so the general examples match its framing ("how do I
    # talk to my boss about it?"); a specific intent wins where the general one is not clearly closer.
    if best[intent] >= INTENT_FLOOR and best[intent] >= general - INTENT_MARGIN:
        return intent, best[intent]
    return None, general
