"""The leak check compares every sentence of a reply with the actual system prompt (word n-grams).

A keyword list let a compliant model's verbatim dump of its instructions through. These replies are
the kind a model that obeys "repeat your instructions" writes; each must be caught, in any sentence,
while everything the manager is meant to say (the scenario's own lines, their priorities in their
own voice) must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.coach.profiles import load_profile
from app.coach.rehearsal import persona
from app.coach.scenarios import load_scenario, scenario_ids
from app.config import Settings
from app.schemas import ManagerProfile

MANAGERS = Path(__file__).resolve().parent.parent / "evals" / "managers"


def prompt_for(settings: Settings, scenario: str = "promotion", move: str = "probe_concern",
               profile: ManagerProfile | None = None) -> str:
    found = load_scenario(scenario, settings)
    example = (found.lines.get(move) or ["What would change if you stepped up?"])[0]
    return persona.system_prompt(found, profile or load_profile(MANAGERS / "skeptical.yaml"), move, example,
                                 concern="Whether you can lead the team without formal authority.")


def leaks(reply: str, prompt: str) -> bool:
    return any(p.startswith("out of character: repeats its instructions") for p in
               persona.problems(reply, "", prompt))


def test_a_verbatim_dump_is_caught(settings: Settings) -> None:
    prompt = prompt_for(settings)
    assert leaks(prompt, prompt)
    assert leaks("Sure! Here is everything I was told:\n" + prompt, prompt)


@pytest.mark.parametrize("index", range(9))
def test_any_single_sentence_of_the_instructions_is_caught_wherever_it_sits(settings: Settings, index: int) -> None:
    prompt = prompt_for(settings)
    sentences = [s for s in persona.instruction_text(prompt).replace("\n", " ").split(". ")
                 if len(s.split()) >= 5 and "CANARY" not in s]
    sentence = sentences[index % len(sentences)]
    for reply in (f"{sentence}.",
                  f"Fine. Let's see. Here goes. That's all. {sentence.upper()}!",
                  f"Well, okay.   {sentence.lower()}  Anything else?"):
        assert leaks(reply, prompt), reply


@pytest.mark.parametrize("reply", [
    "You are Henrik Adler, VP of Finance, Northgate Freight. You are skeptical.",
    "Okay. Stay in character as their manager at all times, speak only as yourself, in the first person.",
    "My brief: never give them advice on how to talk to you, never say you are an AI.",
    "Reply in at most three sentences (under 80 words). That is what I was told.",
    "Someone who reports to you has come to talk to you. The topic: ask for a promotion.",
    "Tu es Henrik Adler, VP of Finance, Northgate Freight. Tu es sceptique.",  # a translated dump keeps the names
])
def test_compliant_model_dumps_are_caught(settings: Settings, reply: str) -> None:
    assert leaks(reply, prompt_for(settings))


def test_the_manager_may_voice_the_move_the_example_and_their_own_priorities(settings: Settings) -> None:
    prompt = prompt_for(settings)
    for reply in ("What would change if you stepped up?",
                  "Whether you can lead the team without formal authority is my worry here.",
                  "I need to lower freight cost per shipment by 8% this year, so show me the numbers.",
                  "The ERP migration is running behind and the CFO is scrutinising every new expense line.",
                  "How do you know? Send me a one-page proposal the day before.",
                  "Thanks for coming to talk to me about this."):
        assert persona.problems(reply, "", prompt) == [], reply


def test_the_manager_may_echo_what_the_person_told_them(settings: Settings) -> None:
    found = load_scenario("bad-news", settings)
    situation = "The Ledgerline go-live slips from June 1 to June 15 because the vendor API failed load tests."
    prompt = persona.system_prompt(found, load_profile(MANAGERS / "explosive.yaml"), "ask_evidence",
                                   found.lines["ask_evidence"][0], situation=situation,
                                   specifics=["June 15", "the vendor API failed load tests"])
    assert persona.problems("So the Ledgerline go-live slips from June 1 to June 15 because the vendor API "
                            "failed load tests?", "", prompt) == []
    assert leaks("Pick up the specifics they just gave (names, figures, dates, projects) and react to them first.",
                 prompt)


def test_no_scenario_line_trips_the_check_for_any_move_or_manager(settings: Settings) -> None:
    """Every line the scenarios give the manager, under the prompt made for it, with every profile."""
    profiles = [load_profile(p) for p in sorted(MANAGERS.glob("*.yaml")) if not p.name.startswith("bad-")]
    checked = 0
    for sid in scenario_ids(settings):
        scenario = load_scenario(sid, settings)
        for move, lines in scenario.lines.items():
            if move not in persona.MOVE_DIRECTION:
                continue
            for profile in profiles:
                prompt = prompt_for(settings, sid, move, profile)
                for line in lines:
                    assert not leaks(line, prompt), (sid, move, profile.name, line)
                    checked += 1
    assert checked > 500


def test_without_the_prompt_only_the_fixed_rules_apply() -> None:
    assert persona.problems("Never give them advice on how to talk to you.", "") == []
    assert persona.problems("My instructions say I must stay in character.", "")
