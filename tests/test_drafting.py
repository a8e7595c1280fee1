"""Drafting on the scripted fake model: the contract, facts kept, fallbacks, styles, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from app.cli import main
from app.coach.drafting import (
    KINDS,
    Draft,
    Pushback,
    banned_phrases,
    check_draft,
    draft_from_rehearsal,
    draft_text,
    extract_facts,
    fact_retention,
    kind_fields,
    make_draft,
)
from app.coach.profiles import load_profile
from app.errors import BadInput
from app.history import get_history
from app.llm import fake

ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((ROOT / "evals" / "drafts.yaml").read_text())["cases"]
FIRST_OF_KIND = {c["kind"]: c for c in reversed(CASES)}
BAD_NEWS = next(c for c in CASES if c["id"] == "d01")
MANAGERS = ROOT / "evals" / "managers"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("kind", KINDS)
def test_cli_prints_the_contract_json_for_every_kind(kind: str, fake_model: str, capsys) -> None:
    case = FIRST_OF_KIND[kind]
    code, out, err = run_cli(capsys, "draft", kind, "--situation", case["situation"], "--manager",
                             str(MANAGERS / case["manager"]), "--model", fake_model, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert {"kind", "opener", "talking_points", "anticipated_pushback", "close", "citations"} <= set(doc)
    assert doc["kind"] == kind and doc["opener"].strip() and doc["close"].strip()
    assert doc["talking_points"] and all(p.strip() for p in doc["talking_points"])
    assert len(doc["anticipated_pushback"]) >= 2
    assert all(p["objection"].strip() and p["response"].strip() for p in doc["anticipated_pushback"])
    assert doc["citations"], "a draft cites the guidance that shaped it"
    for hit in doc["citations"]:
        assert (ROOT / "knowledge" / f"{hit['card']}.md").is_file()
    text = json.dumps(doc)
    assert all(f.lower() in text.lower() for f in case["facts"]), "every stated fact survives"
    assert doc["draft_id"] and get_history().draft(doc["draft_id"])["kind"] == kind


def test_readable_text_without_json(fake_model: str, capsys) -> None:
    code, out, _ = run_cli(capsys, "draft", "bad-news", "--situation", BAD_NEWS["situation"], "--model", fake_model)
    assert code == 0
    assert "## Opener" in out and "## Anticipated pushback" in out and "June 15" in out
    assert not out.lstrip().startswith("{")


def test_model_values_are_kept_only_when_grounded_in_the_situation(fake_model: str, settings) -> None:
    fake.engine(fake_model).enqueue(json.dumps({
        "what_happened": "the switch to Ledgerline will miss its June 1 go-live",
        "impact": "Acme Consulting will bill us $90,000",  # invented: not in the situation
        "cause": "", "already_doing": "", "need": "", "new_date": "June 15", "options": "",
    }))
    facts = extract_facts("bad-news", BAD_NEWS["situation"], model=fake_model, settings=settings)
    assert facts["what_happened"] == "the switch to Ledgerline will miss its June 1 go-live"
    assert facts["new_date"] == "June 15"
    assert "Acme" not in json.dumps(facts) and "90,000" not in json.dumps(facts)
    assert facts["need"].startswith("I need sign-off"), "the gap is filled from the person's own words"
    call = fake.engine(fake_model).history[0]
    assert call.params.get("json_schema"), "extraction is schema-constrained"


def test_a_rewrite_that_drops_facts_falls_back_to_the_composed_opener(fake_model: str, settings) -> None:
    engine = fake.engine(fake_model)
    engine.enqueue("{}", "I have some bad news about the project.", "Sorry, there is a delay at Acme Corp.")
    result = make_draft("bad-news", BAD_NEWS["situation"], model=fake_model, save=False, settings=settings)
    assert "Ledgerline" in result.draft.opener and "June 1" in result.draft.opener
    assert "Acme" not in draft_text(result.draft)
    assert fact_retention(result.draft, BAD_NEWS["facts"]) == 1.0
    assert result.problems == []
    assert any("not used" in n and "dropped" in n for n in result.notices)
    assert any(n.startswith("Path: structured composition") for n in result.notices)
    assert len(engine.history) == 3, "one extraction, then the rewrite and one regeneration"


def test_a_rewrite_that_keeps_every_fact_is_used(fake_model: str, settings) -> None:
    rewrite = ("I want to flag this early so it's no surprise: the switch to the new invoice-matching tool, "
               "Ledgerline, will miss its June 1 go-live.")
    fake.engine(fake_model).enqueue("{}", rewrite)
    result = make_draft("bad-news", BAD_NEWS["situation"], model=fake_model, save=False, settings=settings)
    assert result.draft.opener == rewrite
    assert result.problems == []
    assert any("model-phrased" in n for n in result.notices)


def test_missing_essential_facts_are_asked_for_not_invented(fake_model: str, settings) -> None:
    situation = ("The mobile release will miss its May 3 date because the payment SDK update broke the "
                 "checkout tests. I've already rolled back to the old SDK on a branch.")
    result = make_draft("bad-news", situation, model=fake_model, save=False, settings=settings)
    missing = {f.name for f in result.missing}
    assert "new_date" in missing and "need" in missing
    assert "What new date can you commit to with confidence?" in [f.question for f in result.missing]
    text = draft_text(result.draft)
    assert "[realistic new date: to confirm]" in text
    assert result.problems == []
    given = make_draft("bad-news", situation, facts={"new_date": "May 17", "need": "a decision on scope"},
                       model=fake_model, save=False, settings=settings)
    assert {f.name for f in given.missing}.isdisjoint({"new_date", "need"})
    assert "May 17" in draft_text(given.draft) and "to confirm]" not in given.draft.close
    assert given.facts["new_date"] == "May 17"


def test_busy_and_detail_minded_managers_get_measurably_different_drafts(fake_model: str, settings) -> None:
    for case_id in ("d01", "d09", "d17", "d25"):
        case = next(c for c in CASES if c["id"] == case_id)
        busy = make_draft(case["kind"], case["situation"], profile=load_profile(MANAGERS / "busy.yaml"),
                          model=fake_model, save=False, settings=settings)
        detail = make_draft(case["kind"], case["situation"], profile=load_profile(MANAGERS / "skeptical.yaml"),
                            model=fake_model, save=False, settings=settings)
        assert busy.problems == [] and detail.problems == []
        assert fact_retention(busy.draft, case["facts"]) == 1.0 == fact_retention(detail.draft, case["facts"])
        busy_words, detail_words = len(draft_text(busy.draft).split()), len(draft_text(detail.draft).split())
        assert detail_words >= 1.3 * busy_words, (case_id, busy_words, detail_words)
        assert len(detail.draft.talking_points) > len(busy.draft.talking_points)
        assert len(detail.draft.anticipated_pushback) > len(busy.draft.anticipated_pushback) >= 2
        assert "?" in busy.draft.close and len(busy.draft.close) < len(detail.draft.close)
        assert any(p.startswith("The figures") for p in detail.draft.talking_points)


def _draft(**update: object) -> Draft:
    base = Draft(kind="upward-feedback",
                 opener="Could I share an observation with you? It's about the design reviews.",
                 talking_points=["What I've noticed: Aiko rewrote my sections.",
                                 "How it affects my work: I couldn't explain them on March 3.",
                                 "What would help me from here on: edits as tracked comments."],
                 anticipated_pushback=[Pushback(objection="Why now?", response="It became a pattern."),
                                       Pushback(objection="Is it everyone?", response="Only my work.")],
                 close="Would you be open to trying that?", citations=[])
    return base.model_copy(update=update)


FEEDBACK_FACTS = {"situation": "the design reviews", "behaviour": "Aiko rewrote my sections",
                  "impact": "I couldn't explain them on March 3", "request": "edits as tracked comments"}
SOURCE = ["In the design reviews Aiko rewrote my sections, so I couldn't explain them on March 3. "
          "I'd like edits as tracked comments."]


def test_check_draft_passes_a_good_draft_and_names_each_problem() -> None:
    assert check_draft(_draft(), "upward-feedback", FEEDBACK_FACTS, ["March 3"], allowed=SOURCE) == []
    blamed = _draft(close="You always do this. Would you be open to trying that?")
    assert banned_phrases(blamed) == ["you always"]
    assert any("banned phrase 'you always'" in p for p in check_draft(blamed, "upward-feedback", FEEDBACK_FACTS))
    dropped = _draft(talking_points=["What I've noticed: Aiko rewrote my sections."])
    problems = check_draft(dropped, "upward-feedback", FEEDBACK_FACTS, ["March 3"])
    assert any("drops 'impact'" in p for p in problems) and any("drops 'March 3'" in p for p in problems)
    no_consent = _draft(opener="About the design reviews.")
    assert any("consent" in p for p in check_draft(no_consent, "upward-feedback", FEEDBACK_FACTS))
    made_up = _draft(opener="Could I share something Bob at Initech told me about the design reviews?")
    problems = check_draft(made_up, "upward-feedback", FEEDBACK_FACTS, allowed=SOURCE)
    assert any("'Bob'" in p for p in problems) and any("'Initech'" in p for p in problems)
    no_ask = _draft(close="Thanks.")
    assert any("clear ask" in p for p in check_draft(no_ask, "upward-feedback", FEEDBACK_FACTS))
    swapped = _draft(talking_points=list(reversed(_draft().talking_points)))
    assert any("should come after" in p for p in check_draft(swapped, "upward-feedback", FEEDBACK_FACTS))


def test_scorers_for_the_eval_harness() -> None:
    draft = _draft()
    assert fact_retention(draft, ["March 3", "tracked comments"]) == 1.0
    assert fact_retention(draft, ["March 3", "June 9"]) == 0.5
    assert fact_retention(draft, []) == 1.0
    assert banned_phrases(draft) == []
    assert banned_phrases("Honestly, you never listen and you should stop.") == ["you never", "you should"]


def test_every_kind_declares_required_fields_with_questions() -> None:
    for kind in KINDS:
        fields = kind_fields(kind)
        assert any(f.required for f in fields)
        assert all("?" in f.question for f in fields)


@pytest.mark.parametrize(("argv", "needle"), [
    (["draft", "pep-talk", "--situation", "x"], "Known kinds: career-goal"),
    (["draft", "bad-news", "--situation", "   "], "situation is empty"),
    (["draft", "bad-news", "--situation", "We slipped. " * 700], "limit is 6,000"),
    (["draft", "bad-news", "--situation", "We slipped.", "--manager", str(MANAGERS / "bad-syntax.yaml")],
     "not valid YAML"),
    (["draft", "bad-news", "--situation", "We slipped.", "--manager", str(MANAGERS / "bad-temperament.yaml")],
     "temperament"),
    (["draft", "bad-news", "--situation", "We slipped.", "--manager", str(MANAGERS / "bad-missing-role.yaml")],
     "'role' is missing"),
    (["draft", "bad-news", "--situation", "We slipped.", "--fact", "mood=grim"], "not a fact of a bad-news draft"),
    (["draft", "bad-news", "--situation", "We slipped.", "--fact", "no-equals"], "is not name=value"),
])
def test_bad_input_exits_2_with_a_message(argv: list[str], needle: str, fake_model: str, capsys) -> None:
    code, out, err = run_cli(capsys, *argv, "--model", fake_model)
    assert code == 2
    assert needle in err and "fix:" in err
    assert out == ""


def test_draft_from_rehearsal_reuses_the_persons_lines(settings, fake_model: str) -> None:
    history = get_history(settings)
    busy = load_profile(MANAGERS / "busy.yaml").model_dump(mode="json")
    sid = history.create_session("resource-request", "realistic", fake_model, "Ask for licences", {"profile": busy})
    lines = [
        ("user", "Can we talk about the team's load?"),
        ("manager", "Sure. What's going on?"),
        ("user", "Two analysts each spend 10 hours a week rebuilding the same reports in Excel."),
        ("manager", "Can't you make do with what you have?"),
        ("user", "I'm asking for two licences of Plotwise for $1,800 a year, which would free 20 hours a week."),
        ("manager", "Let me think about it."),
    ]
    for role, content in lines:
        history.add_turn(sid, role, content, {"profile": busy})
    result = draft_from_rehearsal(sid, model=fake_model, settings=settings)
    assert result.draft.kind == "resource-request"
    text = draft_text(result.draft)
    for fact in ("Plotwise", "$1,800", "10 hours a week", "20 hours a week"):
        assert fact in text
    assert any(p.startswith("In my own words: I'm asking for two licences") for p in result.draft.talking_points)
    reused = [p for p in result.draft.anticipated_pushback if p.objection == "Can't you make do with what you have?"]
    assert reused and reused[0].response.startswith("I'm asking for two licences")
    assert result.problems == []
    assert "Style: brief (from the manager profile)." in result.notices, "the rehearsal's manager shapes the style"
    saved = history.draft(result.draft_id or "")
    assert saved["session_id"] == sid and saved["markdown"] == result.markdown


def test_draft_from_rehearsal_without_own_lines_is_bad_input(settings, fake_model: str) -> None:
    sid = get_history(settings).create_session("promotion", "realistic", fake_model, "Promotion", {})
    with pytest.raises(BadInput, match="no lines of yours"):
        draft_from_rehearsal(sid, model=fake_model, settings=settings)
    with pytest.raises(BadInput, match="No rehearsal session"):
        draft_from_rehearsal("nope", model=fake_model, settings=settings)


# -- issue 13: words said to the manager -----------------------------------------------------------


def case(case_id: str) -> dict:
    return next(c for c in CASES if c["id"] == case_id)


@pytest.mark.parametrize(("case_id", "said", "not_said"), [
    ("d03", ["I need you to call the owner's rep"], ["Gary"]),
    ("d06", ["you want the weekly freight variance report", "move the deadline to Monday 2pm"], ["Henrik", "him"]),
    ("d08", ["you rewrote my analysis-plan sections yourself", "your edits as tracked comments"], ["Aiko", "her"]),
    ("d10", ["off your plate", "your time"], ["my manager", "her time"]),
    ("d20", ["you ask their controller directly", "draft P&L to you on day 5"], ["Henrik"]),
])
def test_a_draft_for_a_known_manager_speaks_to_them(case_id: str, said: list[str], not_said: list[str],
                                                    fake_model: str, capsys) -> None:
    c = case(case_id)
    code, out, err = run_cli(capsys, "draft", c["kind"], "--situation", c["situation"], "--manager",
                             str(MANAGERS / c["manager"]), "--model", fake_model, "--json")
    assert code == 0, err
    doc = json.loads(out)
    spoken = "\n".join([doc["opener"], *doc["talking_points"], doc["close"],
                        *(p["response"] for p in doc["anticipated_pushback"])])
    for text in said:
        assert text.lower() in spoken.lower(), (text, spoken)
    for text in not_said:
        assert not re.search(rf"(?<![\w-]){re.escape(text)}(?![\w-])", spoken), (text, spoken)
    assert all(f.lower() in spoken.lower() or f.lower() in out.lower() for f in c["facts"])


def test_second_person_keeps_quotes_verbs_and_other_people() -> None:
    from app.coach.drafting.voice import second_person

    assert second_person("Henrik asks for numbers, and Henrik's CFO wants them.", "Henrik Adler") == \
        "You ask for numbers, and your CFO wants them."
    assert second_person("Tomás also wants it weekly.", "Tomás Reyes") == "You also want it weekly."
    assert second_person("I'd like Dr. Tanaka to review it and give me her notes.", "Dr. Aiko Tanaka") == \
        "I'd like you to review it and give me your notes."
    assert second_person('Gary said "Gary never waits" at the huddle.', "Gary Pruitt") == \
        'You said "Gary never waits" at the huddle.'
    assert second_person("I'd like to shadow Dev Patel and ask him first.", "Tomás Reyes") == \
        "I'd like to shadow Dev Patel and ask him first.", "he is someone else"
    assert second_person("It would take work off my manager's plate.", None) == "It would take work off your plate."


def test_tone_check_passes_praise_and_fails_blame() -> None:
    praise = _draft(talking_points=["First, something I value: you always back the team in front of the doctors.",
                                    *_draft().talking_points])
    assert banned_phrases(praise) == []
    assert not [p for p in check_draft(praise, "upward-feedback", FEEDBACK_FACTS) if p.startswith("tone:")]
    assert banned_phrases("You never miss a deadline, which the team notices.") == []
    for blame in ("You always change the plan on Sunday night.", "You never listen to the team.",
                  "You always make me redo the slides.", "You should have told me sooner."):
        drafted = _draft(close=blame + " Would you be open to trying that?")
        assert banned_phrases(drafted), blame
        assert any(p.startswith("tone:") for p in check_draft(drafted, "upward-feedback", FEEDBACK_FACTS)), blame


def test_a_value_the_person_gave_leaves_no_placeholder(fake_model: str, settings) -> None:
    c = case("d34")  # "we can go live on July 29": no "new date" cue word
    result = make_draft(c["kind"], c["situation"], profile=load_profile(MANAGERS / c["manager"]),
                        model=fake_model, save=False, settings=settings)
    assert result.facts["new_date"] == "July 29"
    text = draft_text(result.draft)
    assert "[realistic new date: to confirm]" not in text and "(July 29)" in result.draft.close
    assert "Henrik" not in text and "I need you to approve the new date" in text


def test_no_sentence_stops_mid_phrase() -> None:
    from app.coach.drafting.voice import ends_mid_phrase, trim_dangling

    assert ends_mid_phrase("We need more than the 600 we.")
    assert ends_mid_phrase("I'd like to talk about (the budget.")
    assert not ends_mid_phrase("It handled 400 transactions a second and we need 600.")
    assert not ends_mid_phrase("Which stakeholders would I need to build relationships with?")
    assert not ends_mid_phrase("Could I share an observation with you?")
    assert trim_dangling("it handled 400 transactions a second and we") == "it handled 400 transactions a second"
    mid = _draft(talking_points=["What I've noticed: Aiko rewrote my sections and we.", *_draft().talking_points[1:]])
    assert any(p.startswith("grammar:") for p in check_draft(mid, "upward-feedback", FEEDBACK_FACTS))
    named = check_draft(_draft(), "upward-feedback", FEEDBACK_FACTS, manager="Dr. Aiko Tanaka")
    assert any(p.startswith("voice:") and "Aiko" in p for p in named)


def test_a_workload_draft_and_a_workload_rehearsal_draft(settings, fake_model: str) -> None:
    c = case("d29")
    result = make_draft("workload", c["situation"], profile=load_profile(MANAGERS / "busy.yaml"), model=fake_model,
                        save=False, settings=settings)
    assert result.problems == [] and fact_retention(result.draft, c["facts"]) == 1.0
    assert any(p.startswith("What I propose:") for p in result.draft.talking_points)
    assert "Tomás" not in draft_text(result.draft)
    history = get_history(settings)
    sid = history.create_session("workload", "realistic", fake_model, "Flag team strain", {})
    for role, content in [("user", "My team has worked every Saturday for four weeks."), ("manager", "Go on."),
                          ("user", "I'd like to pause the shrink audit until January.")]:
        history.add_turn(sid, role, content, {})
    assert draft_from_rehearsal(sid, model=fake_model, settings=settings).draft.kind == "workload"


def test_the_embedded_model_is_not_waited_for_where_its_output_is_rarely_kept(settings) -> None:
    from app.llm import local

    c = case("d01")
    before = local.any_loaded()
    result = make_draft(c["kind"], c["situation"], profile=load_profile(MANAGERS / c["manager"]),
                        model="local/smollm2", settings=settings, save=False)
    assert result.problems == [] and fact_retention(result.draft, c["facts"]) == 1.0
    assert any(n.startswith("Facts were matched by rules") for n in result.notices)
    assert "Path: structured composition of your facts." in result.notices
    assert local.any_loaded() == before, "no model was loaded for this draft"


def test_a_place_named_before_a_noun_is_not_another_person() -> None:
    from app.coach.drafting.voice import second_person

    assert second_person("Tomás keeps the Glenview opening on his weekly call, and I need him to sign.",
                         "Tomás Reyes") == "You keep the Glenview opening on your weekly call, and I need you to sign."
    assert second_person("Gary met Luis and asked him to call.", "Gary Pruitt") == \
        "You met Luis and asked him to call.", "Luis is a person: 'him' may be Luis"


def test_a_date_something_moves_to_is_the_new_date() -> None:
    from app.coach.drafting.facts import rule_values
    from app.coach.drafting.kinds import load_kind
    from app.config import Settings

    situation = ("The sprinkler test failed on Monday because 6 heads were blocked. We've already moved the shelving. "
                 "I need you to tell the COO the opening moves from October 2 to October 9.")
    found = rule_values(load_kind("bad-news", Settings()), situation, {})
    assert found.get("new_date") == "October 9"



@pytest.mark.parametrize(("said", "to_them"), [
    ("Priya herself approves every change.", "You yourself approve every change."),
    ("Priya never replies to email and prefers texts.", "You never reply to email and prefer texts."),
    ("Priya, our director, expects it by noon.", "You expect it by noon."),
    ("Priya either cancels or moves the meeting.", "You either cancel or move the meeting."),
    ("Priya keeps asking and keeps changing it.", "You keep asking and keep changing it."),
    ("My manager Priya asked me.", "You asked me."),
    ("When Ms. Shah reviews it she marks it.", "When you review it you mark it."),
    ("Priya's been saying she needs help; Priya's team agrees.", "You've been saying you need help; your team agrees."),
])
def test_every_mention_and_verb_of_the_manager_becomes_you(said: str, to_them: str) -> None:
    from app.coach.drafting.voice import second_person

    assert second_person(said, "Priya Shah") == to_them
