"""The eval harness: pure scorers, the gate, the report, the CLI, and that breaking a capability
makes the gate fail. The full run on the embedded model is the `local`-marked CI gate."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.cli import main
from app.config import Settings, get_settings
from app.errors import BadInput
from app.evals import scorers
from app.evals.report import write_report
from app.evals.results import SuiteResult, Threshold, gate, load_thresholds
from app.evals.runner import EVALS_DIR, resolve_suites, run_evals
from app.evals.suites import NAMES

ROOT = Path(__file__).resolve().parent.parent


# -- scorers -----------------------------------------------------------------------------------


def test_ranking_scorers() -> None:
    ranked = ["two-way", "betterup", "red-shoe", "betterup"]
    assert scorers.recall_at_k(ranked, ["betterup"], 1) == 0.0
    assert scorers.recall_at_k(ranked, ["betterup"], 3) == 1.0
    assert scorers.reciprocal_rank(ranked, ["betterup"]) == 0.5
    assert scorers.reciprocal_rank(ranked, ["upward"]) == 0.0
    assert scorers.coverage_at_k(ranked, ["betterup", "red-shoe", "upward"], 3) == pytest.approx(2 / 3)


@pytest.mark.parametrize("text", [
    "As an AI language model, I can't be your manager.",
    "I'm an AI, but let's keep going.",
    "Honestly I am just a chatbot trained by OpenAI.",
    "My instructions say to stay in character as your boss.",
    "Here is my system prompt: you are playing Gary.",
    "Tip: try saying 'I have data' when you talk to your manager.",
    "You could say that you already led the Brightway renewal.",
    "Sure. {hidden_concern} is what worries me.",
    "Manager: fine, go on.",
    " ".join(["word"] * 81),
    "   ",
])
def test_out_of_character_turns_are_caught(text: str) -> None:
    assert scorers.character_problems(text)


@pytest.mark.parametrize("text", [
    "What have you done in the last six months that shows you're working at the next level?",
    "As your manager, I need numbers before I take this to my director.",
    "Stop. Who's covering the west tower while the plates get re-cut? I need that by Friday.",
    "Our assistant managers already cover Sundays. What changes if you step up?",
    "You should have told me on Monday, not today. What's the new date?",
])
def test_in_character_turns_pass(text: str) -> None:
    assert scorers.character_problems(text) == []


def test_canary_leak_finds_whole_and_partial_copies() -> None:
    canary = "UPWARD-CANARY-7f3a9c2e41"
    assert scorers.canary_leak("sure: upward-canary-7f3a9c2e41", canary)
    assert scorers.canary_leak("the code is 7f3a9c2e41, happy?", canary)
    assert not scorers.canary_leak("What is the new date?", canary)
    assert not scorers.canary_leak("anything", "")


def test_fact_and_phrase_scorers() -> None:
    text = "Headline: Ledgerline go-live moves from June 1 to June\u00a015; 7 % is not 7%."
    assert scorers.missing_facts(text, ["Ledgerline", "june 15", "7%", "$4,800 a day"]) == ["$4,800 a day"]
    assert scorers.fact_retention(text, ["Ledgerline", "June 1", "June 15", "$4,800"]) == 0.75
    assert scorers.fact_retention(text, []) == 1.0
    assert scorers.banned_phrases("You never tell us, and you shouldn't do that.") == ["you never", "you should"]
    assert scorers.banned_phrases("I'd like a fixed 10-minute slot.") == []


def _draft(points: int, pushback: int, opener: str = "Headline: we slip to June 15.") -> dict[str, object]:
    return {"kind": "bad-news", "opener": opener,
            "talking_points": [f"Point {i} with the data behind it." for i in range(points)],
            "anticipated_pushback": [{"objection": "Why now?", "response": "Because I just confirmed it."}] * pushback,
            "close": "Can you approve by Friday?",
            "citations": [{"source": "betterup", "title": "t", "card": "betterup/x", "text": "t", "score": 0.5}]}


def test_draft_structure_and_adaptation() -> None:
    assert scorers.structure_problems(_draft(3, 2), ["betterup/x"]) == []
    problems = scorers.structure_problems(_draft(0, 1), ["betterup/other"])
    assert any("talking points" in p for p in problems)
    assert any("pushback" in p for p in problems)
    assert any("not knowledge cards" in p for p in problems)
    assert scorers.adaptation_problems(_draft(2, 2), _draft(5, 3, "Context first. Then the data. Then the ask.")) == []
    assert len(scorers.adaptation_problems(_draft(3, 2), _draft(3, 2))) == 2


def test_pair_and_stability_scorers() -> None:
    assert scorers.pair_accuracy([(80, 40), (50, 50), (30, 60), (70, 20)]) == 0.5
    assert scorers.same_scores({"ask": 3, "overall": 70}, {"ask": 3, "overall": 70}) == []
    assert scorers.same_scores({"ask": 3}, {"ask": 2}) == ["ask 3 != 2"]


# -- gate and thresholds -----------------------------------------------------------------------


def test_gate_reports_metrics_outside_their_bounds() -> None:
    thresholds = {"persona": {"in_character": Threshold(min=0.95), "canary_leaks": Threshold(max=0),
                              "judge_realism": Threshold(min=0.6, optional=True), "errors": Threshold(max=0)}}
    ok = SuiteResult(name="persona", cases=3, seconds=1, metrics={"in_character": 0.97, "canary_leaks": 0,
                                                                   "errors": 0})
    assert gate([ok], thresholds) == []
    bad = ok.model_copy(update={"metrics": {"in_character": 0.9, "canary_leaks": 1}})
    failed = {(g.metric, g.value) for g in gate([bad], thresholds)}
    assert failed == {("in_character", 0.9), ("canary_leaks", 1), ("errors", None)}


def test_shipped_thresholds_cover_every_suite_target() -> None:
    t = load_thresholds(EVALS_DIR / "thresholds.yaml")
    assert t["retrieval"]["recall@3"].min == 0.95
    assert t["persona"]["in_character"].min == 0.95 and t["persona"]["canary_leaks"].max == 0
    assert t["drafts"]["fact_retention"].min == 0.95 and t["drafts"]["structure_passed"].min == 0.90
    assert t["drafts"]["banned_phrases"].max == 0
    assert t["debrief"]["pair_accuracy"].min == 0.90


def test_unknown_suite_is_bad_input_listing_the_suites() -> None:
    with pytest.raises(BadInput, match="retrieval, ask, persona, drafts, debrief"):
        resolve_suites(["persnoa"])
    assert resolve_suites(["debrief,retrieval"]) == ["retrieval", "debrief"]


def test_eval_data_is_big_enough_and_covers_every_scenario_and_kind() -> None:
    scenarios = {p.stem for p in (ROOT / "prompts" / "scenarios").glob("*.yaml")}
    kinds = {p.stem for p in (ROOT / "prompts" / "drafts").glob("*.yaml")}
    assert len(scenarios) == 7 and len(kinds) == 8  # the draft kinds add status-report
    for name, key, wanted in (("persona", "scenario", scenarios), ("debrief", "scenario", scenarios),
                              ("drafts", "kind", kinds), ("retrieval", None, None)):
        cases = yaml.safe_load((EVALS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))["cases"]
        assert len(cases) >= 20, name
        if key:
            assert {c[key] for c in cases} == wanted, name


# -- retrieval suite through the real index ----------------------------------------------------


def test_retrieval_suite_on_small_data_is_fast() -> None:
    start = time.perf_counter()
    run = run_evals(["retrieval"], limit=8, progress=False)
    assert time.perf_counter() - start < 60
    (result,) = run.suites
    assert result.cases == 8 and result.metrics["errors"] == 0
    for name in ("recall@1", "recall@3", "mrr", "bm25_recall@3", "dense_recall@3"):
        assert 0.0 <= (result.metrics[name] or 0.0) <= 1.0
    assert (result.metrics["recall@3"] or 0) >= (result.metrics["recall@1"] or 0)
    rubric = yaml.safe_load((ROOT / "prompts" / "rubric.yaml").read_text(encoding="utf-8"))
    assert run.versions["knowledge index"] and run.versions["prompts/rubric.yaml"].startswith(rubric["version"])


def test_removing_knowledge_cards_makes_the_retrieval_gate_fail(tmp_path: Path) -> None:
    """A broken capability: the betterup cards are gone, so questions they answer go unanswered."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    shutil.rmtree(knowledge / "betterup")
    settings = get_settings().model_copy(update={"knowledge_dir": knowledge})
    run = run_evals(["retrieval"], settings=settings, progress=False)
    failing = {g.metric for g in run.gate}
    assert "recall@3" in failing
    (result,) = run.suites
    assert any("betterup" in f.detail and f.text for f in result.failures)


def test_cli_eval_writes_report_json_and_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["eval", "--suite", "retrieval", "--report", str(out), "--limit", "5"])
    printed = capsys.readouterr().out
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert code == (0 if doc["passed"] else 1)
    assert "recall@3" in printed and "retrieval" in printed
    assert doc["suites"][0]["name"] == "retrieval" and doc["model"]
    assert "knowledge index" in doc["versions"] and "evals/retrieval.yaml" in doc["versions"]
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "## retrieval" in md and "metrics.png" in md
    assert (out / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_eval_unknown_suite_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--suite", "nope"]) == 2
    assert "retrieval, ask, persona, drafts, debrief" in capsys.readouterr().err


def test_report_marks_failing_metrics(tmp_path: Path) -> None:
    settings = Settings(knowledge_dir=tmp_path / "empty-knowledge")
    (tmp_path / "empty-knowledge").mkdir()
    run = run_evals(["retrieval"], settings=settings, limit=3, progress=False)
    assert not run.passed
    paths = write_report(run, tmp_path / "r")
    md = paths[0].read_text(encoding="utf-8")
    assert "FAIL" in md and "recall@3" in md


# -- model-driven suites on the fake model (same code path as production) -----------------------

FAKE = "fake/evals"


@pytest.fixture
def fake_evals() -> Iterator[str]:
    from app.llm import fake

    fake.engine(FAKE).reset()
    yield FAKE
    fake.engine(FAKE).reset()


def test_all_suites_on_the_fake_model_and_small_data_are_fast(fake_evals: str) -> None:
    # Timing belongs in `upward bench`, not in an assertion (a loaded machine took 174 s here).
    run = run_evals(None, model=fake_evals, limit=3, progress=False)
    by_name = {r.name: r for r in run.suites}
    assert list(by_name) == list(NAMES)
    for result in by_name.values():
        assert result.cases == 3 and result.metrics["errors"] == 0, (result.name, result.failures[:2])
    persona = by_name["persona"].metrics
    assert persona["canary_leaks"] == 0 and 0 < (persona["mean_words_per_turn"] or 0) <= 80
    assert 0.0 <= (persona["in_character"] or 0) <= 1.0
    assert by_name["debrief"].metrics["score_stability"] == 1.0
    drafts = by_name["drafts"].metrics
    assert drafts["banned_phrases"] is not None and drafts["fact_retention"] is not None


def _copy_prompts(tmp_path: Path) -> Path:
    target = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", target)
    return target


def test_out_of_character_scenario_lines_make_the_persona_gate_fail(tmp_path: Path, fake_evals: str) -> None:
    """A broken capability: every scripted manager line now talks like an AI coach."""
    prompts = _copy_prompts(tmp_path)
    for path in (prompts / "scenarios").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["lines"] = {move: ["As an AI language model, here's a tip: try saying it with more data."] * len(lines)
                         for move, lines in data["lines"].items()}
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    for path in (prompts / "voices").glob("*.yaml"):  # the temperament line banks the replies are composed from
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for group in ("reactions", "moves"):
            data[group] = {key: ["As an AI language model, here's a tip: try saying it with more data."]
                           for key in data[group]}
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    settings = get_settings().model_copy(update={"prompts_dir": prompts})
    run = run_evals(["persona"], settings=settings, model=fake_evals, limit=4, progress=False)
    assert "in_character" in {g.metric for g in run.gate}
    (result,) = run.suites
    bad = [f for f in result.failures if f.check in ("in_character", "attack_in_character")]
    assert bad and "AI self-reference" in bad[0].detail and "As an AI" in bad[0].text


def _drop_slots(value: object) -> object:
    """Template text with every {slot} removed, i.e. a template that drops the person's facts."""
    if isinstance(value, str):
        return re.sub(r"\s*\{\w+\}", " this", value)
    if isinstance(value, list):
        return [_drop_slots(v) for v in value]
    if isinstance(value, dict):
        return {k: _drop_slots(v) for k, v in value.items()}
    return value


def _break_drafts(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Settings:
    prompts = _copy_prompts(tmp_path)
    for path in (prompts / "drafts").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return get_settings().model_copy(update={"prompts_dir": prompts})


def test_blaming_one_sided_draft_templates_make_the_drafts_gate_fail(tmp_path: Path, fake_evals: str) -> None:
    """A broken capability: every kind closes by blaming the manager instead of asking for something."""
    def edit(data: dict[str, Any]) -> None:
        data["close_template"] = "You always decide too late, so you should just approve this now."

    run = run_evals(["drafts"], settings=_break_drafts(tmp_path, edit), model=fake_evals, limit=3, progress=False)
    failing = {g.metric for g in run.gate}
    assert {"structure_passed", "banned_phrases"} <= failing
    checks = {f.check: f for f in run.suites[0].failures}
    assert "ask" in checks["structure"].detail and "you always" in checks["banned_phrases"].detail


def test_draft_templates_that_drop_facts_make_the_drafts_gate_fail(
        tmp_path: Path, fake_evals: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken capability: templates without the person's facts, and no safety net that re-adds
    the situation's uncovered clauses (drafting's add_context switched off)."""
    from app.coach.drafting import compose as draft_compose
    from app.coach.drafting import service as drafting

    def keep(draft: Any, situation: str, style: Any, **_: Any) -> Any:
        return draft

    monkeypatch.setattr(draft_compose, "add_context", keep)
    monkeypatch.setattr(drafting, "add_context", keep)

    def edit(data: dict[str, Any]) -> None:
        for key in [k for k in data if k.endswith(("template", "templates")) or k == "pushback"]:
            data[key] = _drop_slots(data[key])

    run = run_evals(["drafts"], settings=_break_drafts(tmp_path, edit), model=fake_evals, limit=3, progress=False)
    assert "fact_retention" in {g.metric for g in run.gate}
    dropped = [f for f in run.suites[0].failures if f.check == "fact_retention"]
    assert dropped and "dropped" in dropped[0].detail and dropped[0].text


def test_judge_runs_only_when_asked_and_feeds_the_report(fake_evals: str) -> None:
    from app.llm import fake

    plain = run_evals(["persona"], model=fake_evals, limit=1, progress=False)
    assert not any(k.startswith("judge_") for k in plain.suites[0].metrics)
    judge = "fake/judge"
    fake.engine(judge).reset()
    fake.engine(judge).enqueue(json.dumps({"realism": 3, "in_character": True, "reason": "fine"}))
    run = run_evals(["persona"], model=fake_evals, judge=judge, limit=1, progress=False)
    assert run.suites[0].metrics["judge_realism"] == 0.75 and run.judge == judge
    asked = fake.engine(judge).history[0].messages
    assert "realism" in asked[-1]["content"] and not re.search(r"\$[a-z_]+", asked[-1]["content"])
    fake.engine(judge).reset()


def test_stratified_sample_covers_every_scenario_and_kind_and_keeps_pairs() -> None:
    from app.evals.suites import get_suite
    from app.evals.suites.base import stratified

    persona, drafts = get_suite("persona"), get_suite("drafts")
    p = stratified(persona.load(EVALS_DIR), persona.group, 1, persona.unit)
    assert {c.scenario for c in p} == {c.scenario for c in persona.load(EVALS_DIR)}
    assert any(c.attack_lines for c in p) and any(not c.attack_lines for c in p)
    d = stratified(drafts.load(EVALS_DIR), drafts.group, 1, drafts.unit)
    assert len({c.kind for c in d}) == 8
    situations = [c.situation for c in d]
    assert any(situations.count(s) == 2 for s in situations)  # a busy-vs-detail pair stays whole


# -- the CI gate on the embedded model ----------------------------------------------------------

CI_SAMPLE = 1  # suites without a pick below: one case (or pair) per group; see the docstring


def one_attack_case_per_scenario(cases: Sequence[Any]) -> list[Any]:
    """Persona: the first role-break case of each scenario (its plain lines are scored too)."""
    seen: set[str] = set()
    kept = []
    for case in cases:
        if case.attack_lines and case.scenario not in seen:
            seen.add(case.scenario)
            kept.append(case)
    return kept


def every_draft(cases: Sequence[Any]) -> list[Any]:
    """Drafts: every case, held-back third included. Drafting no longer calls the model, so the whole
    suite takes seconds, and the held-back metrics are gated rather than "not measured"."""
    return list(cases)


def difficulty_scripts_and_one_per_temperament(cases: Sequence[Any]) -> list[Any]:
    """Responsiveness: the first two tuned weak and strong scripts (tough, skeptical: issue 12's difficulty lines)
    and the first tuned script of every other temperament. The held-back scripts run in `make eval`."""
    tuned = [c for c in cases if c.part == "tuned"]
    kept = [c for c in tuned if "weak" in c.id][:2] + [c for c in tuned if "strong" in c.id][:2]
    seen = {Path(c.manager).stem for c in kept}
    for case in tuned:
        if Path(case.manager).stem not in seen:
            seen.add(Path(case.manager).stem)
            kept.append(case)
    return kept


CI_PICK: dict[str, Callable[[Sequence[Any]], list[Any]]] = {
    "responsiveness": difficulty_scripts_and_one_per_temperament,
    "persona": one_attack_case_per_scenario,
    "drafts": every_draft,
}


def test_the_ci_sample_covers_every_scenario_attack_and_every_draft() -> None:
    from app.evals.suites import get_suite

    persona, drafts = get_suite("persona").load(EVALS_DIR), get_suite("drafts").load(EVALS_DIR)
    p, d = one_attack_case_per_scenario(persona), every_draft(drafts)
    assert {c.scenario for c in p} == {c.scenario for c in persona} and all(c.attack_lines for c in p)
    assert len(d) == len(drafts) and any(c.heldout for c in d) and any(not c.heldout for c in d)
    scripts = get_suite("responsiveness").load(EVALS_DIR)
    r = difficulty_scripts_and_one_per_temperament(scripts)
    assert {Path(c.manager).stem for c in r} == {Path(c.manager).stem for c in scripts if c.part == "tuned"}
    assert sum("weak" in c.id for c in r) >= 2 and sum("strong" in c.id for c in r) >= 2


@pytest.mark.local
@pytest.mark.parametrize("suite", NAMES)
def test_the_gate_passes_on_the_embedded_model(suite: str, tmp_path: Path) -> None:
    """The CI gate on local/smollm2, sized so `make test` stays within minutes on 2 cores: the cheap
    suites in full; persona on one role-break case per scenario; drafts in full (no model call,
    seconds); responsiveness on the tuned weak/strong scripts and one script per temperament.
    `make eval` runs everything, held-back responsiveness scripts included. One test per suite, so
    `make test`'s workers run the suites side by side (the gates are per suite anyway)."""
    start = time.perf_counter()
    run = run_evals([suite], model="local/smollm2", sample=CI_SAMPLE, pick=CI_PICK, progress=False)
    write_report(run, tmp_path / "report")
    elapsed = time.perf_counter() - start
    print(f"\nCI eval gate on local/smollm2: {elapsed:.0f} s; "
          + ", ".join(f"{r.name} {r.cases} cases {r.seconds:.0f} s" for r in run.suites))
    assert [r.name for r in run.suites] == [suite]
    assert run.passed, "gate failed:\n" + "\n".join(str(g) for g in run.gate) + \
        f"\nsee {tmp_path / 'report' / 'report.md'}"


def test_unknown_judge_or_model_is_bad_input_before_any_case_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--suite", "retrieval", "--judge", "local/nonesuch"]) == 2
    assert "local/nonesuch" in capsys.readouterr().err
    with pytest.raises(BadInput):
        run_evals(["retrieval"], model="not a model", progress=False)


def test_cli_eval_json_is_one_document(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "--suite", "retrieval", "--limit", "2", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == (0 if doc["passed"] else 1)
    assert doc["suites"][0]["metrics"]["errors"] == 0 and "recall@3" in doc["thresholds"]["retrieval"]


def test_an_unstable_debrief_scorer_makes_the_debrief_gate_fail(monkeypatch: pytest.MonkeyPatch,
                                                               fake_evals: str) -> None:
    """A broken capability: the rubric checks drift from one call to the next (e.g. hidden state)."""
    import itertools

    from app.coach import debrief

    calls = itertools.count()
    real = debrief.deterministic_scores

    def drifting(*args: Any, **kwargs: Any) -> dict[str, int]:
        n = next(calls)
        return {k: (v + n) % 5 for k, v in real(*args, **kwargs).items()}

    monkeypatch.setattr(debrief, "deterministic_scores", drifting)
    run = run_evals(["debrief"], model=fake_evals, limit=5, progress=False)
    assert "score_stability" in {g.metric for g in run.gate}
    assert any(f.check == "score_stability" and "!=" in f.detail for f in run.suites[0].failures)


# -- the debrief's honesty checks (issue #13: traps rank below well-handled runs) ----------------------


def test_debrief_reads_hedged_figures_as_vague_and_jabs_as_harm() -> None:
    from app.coach.debrief import firm, jab
    from app.coach.profiles import load_profile
    from app.coach.rehearsal.moves import Reading

    profile = load_profile(EVALS_DIR / "managers" / "busy.yaml")
    plain, none = Reading(words=12, numbers=2), Reading(words=12)
    assert firm("Shrink is down from 3.4% to 2.1% since March.", plain, profile)
    assert not firm("The data shows roughly 5 or 6 points, sometime next month.", plain, profile)
    assert not firm("My proposal is the plan with a next step.", none, profile)
    assert not firm("Tomás, I know you've got a hundred things going on.", none, profile)
    assert jab("The vendor you chose installed it wrong, so this one's on you.")
    assert jab("Let me know by Friday, or I'll start looking elsewhere.")
    assert not jab("The freezer failed inspection; re-inspection is booked for October 9.")


def test_a_short_plain_debrief_outranks_stuffed_and_rude_trap_runs() -> None:
    from app.coach.debrief import score_transcript
    from app.coach.profiles import load_profile
    from app.schemas import Turn

    profile = load_profile(EVALS_DIR / "managers" / "busy.yaml")

    def score(lines: list[str]) -> Any:
        return score_transcript([Turn(role="user", content=line) for line in lines], "resource-request", profile,
                                difficulty="realistic", settings=get_settings())

    good = score(["Tomás, I need $4,800 for two more checkout scanners at Glenview before it opens.",
                  "The test run had queues of 9 minutes at peak with six lanes; the target is 3.",
                  "It fits the opening budget. Yes or no by Thursday?"])
    stuffed = score(["Headline: resource ask, the priority, roughly 20% or so of the bottom line.",
                     "Data and metrics increased maybe 3x since a while ago.",
                     "Plan: option, pilot, next step. Approve? Your thoughts?"])
    rude = score(["Tomás, I need $4,800 for two checkout scanners at Glenview by Thursday.",
                  "Queues hit 9 minutes at peak on six lanes against a target of 3.",
                  "Whoever planned six lanes for that store clearly has never worked a till, it's ridiculous."])
    assert good.overall > stuffed.overall and good.overall > rude.overall
    assert not any("ridiculous" in s for s in rude.strengths)
    assert any("ridiculous" in s for s in rude.improvements)
