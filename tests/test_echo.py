"""Saying the person's ask, offer or wish back from the manager's side (app/coach/echo.py), and the
manager's replies that use it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.coach.rehearsal import echo


@pytest.mark.parametrize(("line", "kind", "base", "gerund"), [
    ("Could you text the charge nurse before you say yes, so we can line up a bed?", "ask",
     "text the charge nurse before I say yes", "texting the charge nurse before I say yes"),
    ("On my side, I'll keep the bed board updated every hour so you can see what we can take.", "offer",
     "keep the bed board updated every hour", "keeping the bed board updated every hour"),
    ("I'd like to set the Ashford staffing schedule myself, without the district sign-off.", "want",
     "set the Ashford staffing schedule yourself", "setting the Ashford staffing schedule yourself"),
    ("I need you to back me in calibration.", "ask", "back you in calibration", "backing you in calibration"),
    ("What I need from you is a call to their PM today so they don't fight me.", "need",
     "a call to their PM today", "a call to their PM today"),
    ("Could we try it for a month and look at the overtime numbers together at the end of March?", "joint",
     "try it for a month", "trying it for a month"),
    ("My recommendation is to hire one contractor for three months.", "offer",
     "hire one contractor for three months", "hiring one contractor for three months"),
])
def test_an_ask_offer_or_wish_is_turned_round(line: str, kind: str, base: str, gerund: str) -> None:
    found = echo.from_line(line)
    assert found, line
    assert (found[0].kind, found[0].base, found[0].gerund) == (kind, base, gerund)


@pytest.mark.parametrize("line", [
    "I can't keep doing this.",
    "I'll be honest, I am frustrated.",
    "Could you really?",
    "It has been a long quarter for everyone.",
    "If you keep changing priorities, I will start looking elsewhere.",
])
def test_no_clear_ask_gives_nothing(line: str) -> None:
    assert echo.from_line(line) == []


def test_things_are_noun_phrases_from_the_managers_side() -> None:
    assert echo.things("Two of my nurses stayed past their shift.")[:1] == ["your nurses"]
    assert echo.things("I know the house supervisor leans on you hard.") == ["the house supervisor"]
    assert echo.things("Can I give you some feedback about the ED overflow calls?") == ["the ED overflow calls"]
    assert echo.things("You're the first person I've told, and the team knows.") == []


@pytest.mark.parametrize("temperament", ["supportive", "skeptical", "busy", "explosive", "reflective"])
def test_every_voice_says_the_persons_ask_back(temperament: str) -> None:
    """Composed in code, no model: the best candidate reply to a clear ask repeats it from the manager's side."""
    from pathlib import Path

    from app.coach.profiles import load_profile
    from app.coach.rehearsal import moves, voicing
    from app.coach.rubric import load_rubric
    from app.coach.scenarios import load_scenario

    managers = Path(__file__).resolve().parent.parent / "evals" / "managers"
    profile = load_profile(managers / f"{temperament}.yaml")
    where = moves.frame(load_scenario("upward-feedback"), profile, moves.Difficulty("realistic"), load_rubric())
    opener = "Can I give you some feedback about the overflow calls?"
    line = "Could you text the charge nurse before you say yes, so we can line up a bed?"
    states = moves.replay_frame([opener, line], where)
    options = voicing.candidates(where, states[-1], [opener, line], ["Sure, go ahead."])
    assert "the charge nurse before i say yes" in options[0].lower(), options  # "text ..." or "texting ..."


def test_word_tables_kept_in_the_cache_read_back_the_same(tmp_path: Path) -> None:
    # A fresh process parses lemminflect's tables and keeps them in the cache; the next reads them from
    # there; a torn cache file is parsed anew. Each must echo the same.
    code = ("import sys; from pathlib import Path; from app.coach.rehearsal import echo; "
            "echo.load_tables(Path(sys.argv[1])); "
            "print(echo.from_line('Could you keep the bed board updated before the night shift?'), "
            "echo._lemmas().getAllLemmas('texted'), echo._lemmas().getInflection('ship', tag='VBG'))")
    cache = tmp_path / "cache"

    def run() -> str:
        return subprocess.run([sys.executable, "-c", code, str(cache)], capture_output=True, text=True,
                              check=True, timeout=120).stdout

    parsed = run()
    files = list(cache.glob("lemminflect-*.json"))
    assert len(files) == 1 and "keeping the bed board updated" in parsed and "shipping" in parsed
    assert run() == parsed
    files[0].write_text('[{"keeps": ')
    assert run() == parsed
    assert json.loads(files[0].read_text())[0]  # rewritten whole
