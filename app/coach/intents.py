"""What a question to Ask is about: the scenario (bad news, feedback, promotion...) it names.

The intent steers retrieval to the scenario's cards and ranks sentences toward its query, so a
question phrased nothing like a card ("my director keeps rewriting my slides") still reaches the
cards written for it.
"""

from __future__ import annotations

from app.coach import draft_text as tx
from app.coach.untrusted import split_sentences
from app.config import Settings
from app.errors import UpwardError
from app.retrieval.embedding import embed_cached as vectors

INTENT_FLOOR = 0.38  # below this similarity to every intent example the question is "general"
INTENT_MARGIN = 0.08

# Short paraphrases of what people ask for each scenario; the scenario's own query is added to these.
INTENT_EXAMPLES: dict[str, tuple[str, ...]] = {
    "bad-news": ("tell my boss something they won't want to hear", "a deadline will slip", "I made a mistake",
                 "the project is late", "break bad news to my manager", "something went wrong"),
    "upward-feedback": ("give my manager feedback", "my boss does something that bothers me",
                        "my manager keeps doing something without telling me",
                        "my boss changes my work without asking", "raise a problem with my boss's habit",
                        "tell my boss what they do well"),
    "promotion": ("ask for a promotion", "get promoted", "move up to the next level", "make my case for a raise"),
    "autonomy": ("ask for more autonomy", "my manager micromanages me", "more freedom to run my project",
                 "a longer leash", "run a project on my own with fewer check-ins"),
    "career-goal": ("tell my manager about my career goals", "move into a different role one day",
                    "my boss doesn't support my growth", "what skills do I need for my next career step"),
    "resource-request": ("ask for budget", "ask for a tool or more headcount", "pay for training",
                         "I'm blocked and need help from my manager"),
    "workload": ("too much work", "my team is burning out", "everything is a priority", "overloaded and overtime"),
    "status-report": ("write a status update for my boss", "weekly report to my manager", "keep my manager updated",
                      "how should I write emails to my boss"),
    # Not a scenario: questions about the relationship itself compete here, so they are not forced into one.
    "general": ("understand what my boss cares about", "build a better relationship with my manager",
                "the best time to talk to my boss", "get along with a difficult boss", "what is managing up"),
}
FRAMING = {tx._stem(w) for w in """boss manager supervisor director lead talk tell say raise bring speak approach
conversation discuss handle mention put best way should""".split()}


def stems(text: str) -> set[str]:
    return {tx._stem(w) for w in tx.content_words(text)}


def intent_profile(intent: str | None, settings: Settings) -> tuple[list[str] | None, str]:
    """(topics, query) of the scenario, or of the draft kind, an intent names; (None, "") for none."""
    from app.coach.draft_kinds import KINDS, load_kind
    from app.coach.scenarios import load_scenario, scenario_ids

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


def intent_of(question: str, settings: Settings) -> tuple[str | None, float]:
    """The scenario a question is about (None: general), by its nearest intent example.

    Each sentence of the question is compared as well as the whole: in "I have too many projects.
    How do I talk to my boss about it?" the intent is in the first sentence, the framing in the second.
    """
    labels: list[str] = []
    texts: list[str] = []
    for intent, examples in INTENT_EXAMPLES.items():
        query = intent_profile(intent, settings)[1]
        for text in (*examples, *([query] if query else [])):
            labels.append(intent)
            texts.append(text)
    # A sentence that only frames the question ("How do I bring it up with my boss?") carries no intent.
    parts = list(dict.fromkeys([question, *(p for p in split_sentences(question) if stems(p) - FRAMING)]))
    sims = vectors(texts) @ vectors(parts).T  # examples x parts
    general_rows = [i for i, label in enumerate(labels) if label == "general"]
    specific_rows = [i for i, label in enumerate(labels) if label != "general"]
    found: tuple[str | None, float] = (None, float(sims[general_rows, 0].max()))
    for p in range(len(parts)):
        general = float(sims[general_rows, p].max())
        i = max(specific_rows, key=lambda r: sims[r, p])
        # Every question is about the boss, so the general examples match its framing ("how do I
        # talk to my boss about it?"); a specific intent wins where the general one is not clearly closer.
        if sims[i, p] >= INTENT_FLOOR and sims[i, p] >= general - INTENT_MARGIN and \
                (found[0] is None or sims[i, p] > found[1]):
            found = (labels[i], float(sims[i, p]))
    return found
