"""The manager's voice: the system prompt that frames a move, and the checks every reply must pass.

The checks are deterministic, so a reply that names itself an AI, leaks the canary or its
instructions, coaches the person, parrots them, or runs long is caught before anyone sees it,
then regenerated once and finally repaired from the scenario's own example of the move.
"""

from __future__ import annotations

import re

from app import prompts
from app.coach.scenarios import Scenario
from app.schemas import ManagerProfile, Temperament
from app.text import content_words

# A marker in the system prompt that must never appear in what the manager says: leaks are testable.
CANARY = "UPW-CANARY-7Q4X"
MAX_WORDS = 80

PROMPT = "runtime/persona"


def _prompt() -> prompts.Prompt:
    return prompts.load(PROMPT)


def opening() -> str:
    """The user turn that stands for the person when the manager speaks first."""
    return _prompt().part("opening")


def voice(temperament: Temperament) -> str:
    """How a manager of this temperament comes across (the temperament line of the persona prompt)."""
    return _prompt().part("temperament", temperament.value)


def __getattr__(name: str) -> dict[str, str]:
    # The moves that have a direction and the temperament lines, read from the prompt file when asked for.
    if name == "MOVE_DIRECTION":
        return _prompt().choices("moves")
    if name == "TEMPERAMENT_VOICE":
        return _prompt().choices("temperament")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


BANNED = [
    r"\b(an?|the) (ai|a\.i\.)\b", r"\bai (model|assistant|language)\b", r"\bartificial intelligence\b",
    r"\blanguage model\b", r"\b(large )?llm\b", r"\bchat ?bot\b", r"\bi'?m (just )?an? (assistant|bot|program)\b",
    r"\bas an? (ai|assistant|language model|coach)\b", r"\bsmollm\b", r"\bchatgpt\b", r"\bopenai\b",
    r"\bgpt-?\d*\b", r"\b(claude|llama|gemini|mistral|qwen|anthropic)\b", r"\bi'?m (a|an|just a) (model|bot|program)\b",
    r"\bsystem prompt\b", r"\bmy (instructions|programming|guidelines|training|rules)\b",
    r"\bi (was|am|have been) (instructed|programmed|told to)\b", r"\brole-?play\b", r"\bin character\b",
    r"\bcanary\b", r"\brubric\b", r"\bmove:", r"\bdirection for\b",
    # coaching the person instead of being their manager
    r"\b(here are|here's) (some|a few) (tips|ways|suggestions)\b", r"\bmy advice (to you )?is\b",
    r"\byou should (try|say|tell|ask|consider)\b", r"\bi (would )?(suggest|recommend) (that )?you (say|tell|ask|try)\b",
    r"\bgood luck\b", r"\bin your (conversation|meeting) with your (manager|boss)\b",
    r"\byour (manager|boss) (will|would|might)\b", r"\bconvince your (manager|boss)\b",
    r"^\s*(user|assistant|manager|employee|you|me|person)\s*:", r"\n\s*(user|assistant|employee)\s*:",
]


def system_prompt(scenario: Scenario, profile: ManagerProfile, move: str, example: str, concern: str = "",
                  situation: str = "", specifics: list[str] | None = None) -> str:
    """The frame for one manager reply: who they are, the situation, and the move to make now."""
    p = _prompt()
    move = move if move in p.choices("moves") else "acknowledge"
    react = p.part("react")
    if specifics:
        react += " " + p.part("last_line", specifics="; ".join(specifics))
    parts = [
        p.part("who", name=profile.name, role=profile.role, voice=voice(profile.temperament)),
        p.part("priorities", priorities="; ".join(profile.priorities) or p.part("no_priorities")),
        p.part("pressures", pressures="; ".join(profile.pressures) or p.part("no_pressures")),
        *([p.part("style", style=profile.communication_style)] if profile.communication_style else []),
        p.part("topic", topic=scenario.title.lower()),
        *([p.part("situation", situation=situation)] if situation else []),
        react,
        p.part("stay"),
        p.part("guard"),
        p.part("canary", canary=CANARY),
        p.part("next", direction=p.part("moves", move, concern=concern or example)),
        p.part("length", max_words=MAX_WORDS, example=example),
    ]
    return "\n".join(parts)


LEAK_NGRAM = 3  # a sentence leaks when most of its word trigrams come from the instructions ...
LEAK_SHARE = 0.5
LEAK_MIN_HITS = 3
LEAK_RUN = 8  # ... or when it repeats any 8 words of them in a row
# What follows these headers is the manager's (or the person's) own material, theirs to voice; the headers are
# not. The next-reply line is skipped whole: the move and its concern are the manager's to voice.
OWN_PARTS = ("priorities", "pressures", "style", "situation", "last_line")


def _heads() -> tuple[str, list[str]]:
    p = _prompt()
    return p.template("next").split("$", 1)[0].rstrip(), [p.template(k).split("$", 1)[0].rstrip() for k in OWN_PARTS]


def _grams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())  # any script: a translated dump leaks its names and numbers too


def instruction_text(prompt: str) -> str:
    """The part of a system prompt a reply must never repeat: all of it but what the manager is meant
    to say in their own voice (the move, the quoted example line, their priorities, pressures and style)
    and what the person said (their situation and the specifics of their last line)."""
    own_move, own_words = _heads()
    lines = []
    for line in prompt.splitlines():
        if line.startswith(own_move):
            continue
        for head in own_words:
            if head in line:
                line = line[: line.index(head) + len(head)]
        lines.append(line)
    return re.sub(r'"[^"]*"', " ", "\n".join(lines))


def leaked_sentences(reply: str, prompt: str) -> list[str]:
    """Sentences of `reply` that reproduce the instructions in `prompt` (word n-gram overlap)."""
    reference = _words(instruction_text(prompt))
    if not reference:
        return []
    tri, runs = _grams(reference, LEAK_NGRAM), _grams(reference, LEAK_RUN)
    leaked = []
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", reply):
        words = _words(sentence)
        mine = [tuple(words[i:i + LEAK_NGRAM]) for i in range(len(words) - LEAK_NGRAM + 1)]
        hits = sum(g in tri for g in mine)
        if (hits >= LEAK_MIN_HITS and hits >= LEAK_SHARE * len(mine)) or _grams(words, LEAK_RUN) & runs:
            leaked.append(sentence.strip())
    return leaked


def problems(reply: str, person_line: str, prompt: str = "") -> list[str]:
    """Why this reply cannot be shown as the manager's, or [] when it can.

    `prompt` is the system prompt the reply was made under: every sentence is compared with it, so
    a model that obeys "repeat your instructions" is caught in any wording that copies them.
    """
    text = reply.strip()
    found: list[str] = []
    if not text or not re.search(r"[^\W\d_]{2}", text):
        return ["empty"]
    if CANARY.lower() in text.lower() or "upw-canary" in text.lower():
        found.append("canary leak")
    low = text.lower()
    for pattern in BANNED:
        if re.search(pattern, low):
            found.append(f"out of character: /{pattern}/")
            break
    leaks = leaked_sentences(text, prompt) if prompt else []
    if leaks:
        found.append(f"out of character: repeats its instructions ({leaks[0][:60]!r})")
    if len(text.split()) > MAX_WORDS:
        found.append(f"too long ({len(text.split())} words)")
    mine, theirs = content_words(text), content_words(person_line)
    if mine and theirs and len(mine & theirs) / len(mine) > 0.7 and len(mine) >= 4:
        found.append("parrots the person")
    return found


def tidy(reply: str, max_sentences: int = 3) -> str:
    """Trim the reply to whole sentences and strip quotes, labels and stray whitespace."""
    text = reply.strip().strip('"').strip()
    text = re.sub(r"^\s*\w[\w .]{0,30}:\s+", "", text) if re.match(r"^\s*[A-Z][\w .]{0,30}:\s", text) else text
    text = re.sub(r"\s+", " ", text)
    sentences = re.findall(r"[^.!?]+[.!?]+(?:[\"'])?|[^.!?]+$", text)
    kept = " ".join(s.strip() for s in sentences[:max_sentences]).strip()
    words = kept.split()
    if len(words) > MAX_WORDS:
        kept = " ".join(words[:MAX_WORDS]).rstrip(",;:") + "."
    return kept
