"""Prompts are files: loaded by name, versioned, never rendered with a blank hole, and an eval
report names the prompt versions that produced it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import prompts
from app.errors import BadInput
from app.evals.report import write_report
from app.evals.runner import run_evals

ROOT = Path(__file__).resolve().parent.parent
FAKE = "fake/prompts"


def test_every_runtime_and_judge_prompt_loads_with_a_version() -> None:
    names = [f"{p.parent.name}/{p.stem}" for folder in ("runtime", "judge")
             for p in sorted((ROOT / "prompts" / folder).glob("*.yaml"))]
    assert {"runtime/ask", "runtime/persona", "runtime/debrief", "runtime/draft_facts", "runtime/draft_polish",
            "runtime/rehearsal_select", "judge/draft", "judge/persona"} <= set(names)
    for name in names:
        assert prompts.load(name).version
    assert set(prompts.runtime_versions()) == {n for n in names if n.startswith("runtime/")}


def test_a_missing_variable_raises_naming_it_instead_of_rendering_blank() -> None:
    ask = prompts.load("runtime/ask")
    with pytest.raises(BadInput, match=r"runtime/ask needs a value for \$question"):
        ask.messages(notes="[1] Say it plainly.")
    assert "Question: why?" in ask.messages(notes="[1] x", question="why?")[1]["content"]


def test_values_are_inserted_as_written() -> None:
    polish = prompts.load("runtime/draft_polish")
    assert polish.user_text(sentence="It cost $40k {budget} ${x}.") == "Sentence: It cost $40k {budget} ${x}."


def test_a_broken_prompt_file_is_bad_input_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "runtime").mkdir()
    (tmp_path / "runtime" / "bad.yaml").write_text("version: v1\nsystem: [unclosed\n", encoding="utf-8")
    (tmp_path / "runtime" / "extra.yaml").write_text("version: v1\nsytem: typo\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"bad.yaml is not valid YAML \(line"):
        prompts.load("runtime/bad", tmp_path)
    with pytest.raises(BadInput, match=r"extra.yaml is malformed: sytem"):
        prompts.load("runtime/extra", tmp_path)
    with pytest.raises(BadInput, match="missing"):
        prompts.load("runtime/none", tmp_path)


def test_recording_lists_the_prompts_rendered_inside_the_block() -> None:
    with prompts.recording() as used:
        prompts.load("runtime/draft_polish").messages(sentence="Hi.")
    prompts.load("runtime/ask").messages(notes="", question="")
    assert used == {"runtime/draft_polish": prompts.load("runtime/draft_polish").version}


@pytest.fixture
def fake_evals() -> Iterator[str]:
    from app.llm import fake

    fake.engine(FAKE).reset()
    yield FAKE
    fake.engine(FAKE).reset()


def test_eval_report_records_the_versions_of_the_prompts_that_ran(tmp_path: Path, fake_evals: str) -> None:
    run = run_evals(["persona"], model=fake_evals, limit=1, progress=False)
    persona = prompts.load("runtime/persona").version
    assert run.versions["sent prompts/runtime/persona.yaml"] == persona
    assert run.versions["prompts/runtime/persona.yaml"].startswith(persona)
    md, js, _ = write_report(run, tmp_path / "report")
    assert "sent prompts/runtime/persona.yaml" in md.read_text(encoding="utf-8") and persona in md.read_text("utf-8")
    assert json.loads(js.read_text(encoding="utf-8"))["versions"]["sent prompts/runtime/persona.yaml"] == persona


def test_a_broken_data_file_is_bad_input_naming_the_file_and_line(tmp_path: Path) -> None:
    from app.coach.rehearsal.voicing import load_voice
    from app.schemas import Temperament

    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "busy.yaml").write_text("max_words: 30\nmoves: {open: [oops\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"Voice file .*busy.yaml is not valid YAML \(line 3, column 1\)"):
        load_voice(tmp_path, Temperament.busy)
