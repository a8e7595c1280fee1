"""The optional model-graded pass: a stronger model (`--judge MODEL`) rates persona realism and
draft quality against the published rubric. Prompts live in prompts/judge/*.yaml (read by
app.prompts); nothing here runs unless a judge model is named, so the default eval stays offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field, create_model

from app import prompts
from app.errors import BadInput
from app.evals.cases import DraftCase, PersonaCase
from app.evals.suites.base import Context
from app.schemas import Strict


class PersonaVerdict(Strict):
    realism: int = Field(ge=0, le=4)
    in_character: bool
    reason: str = Field(max_length=400)


def _ask(ctx: Context, name: str, schema: Any, **values: str) -> Any:
    from app.llm import gateway

    if not ctx.judge:
        raise BadInput("No judge model was given.", "pass --judge MODEL, e.g. --judge openai/gpt-4o")
    messages = prompts.load(f"judge/{name}", Path(ctx.settings.prompts_dir)).messages(**values)
    return gateway.structured(messages, schema, model=ctx.judge, settings=ctx.settings, temperature=0.0,
                              max_tokens=400)


def _manager(ctx: Context, file: str | None) -> str:
    if not file:
        return "a typical manager (no profile given)"
    from app.coach.profiles import load_profile

    return json.dumps(load_profile(ctx.manager_file(file)).model_dump(mode="json"), ensure_ascii=False)


def judge_persona(case: PersonaCase, transcript: list[dict[str, Any]], ctx: Context) -> dict[str, float]:
    """realism in [0, 1] and in_character 0/1, from the judge model."""
    from app.coach.scenarios import load_scenario

    scenario = load_scenario(case.scenario, ctx.settings)
    said = "\n".join(f"{t.get('role', '?').upper()}: {t.get('content', '')}" for t in transcript)
    verdict: PersonaVerdict = _ask(ctx, "persona", PersonaVerdict, manager=_manager(ctx, case.manager),
                                   scenario=scenario.title, goal=scenario.person_goal, transcript=said)
    return {"realism": verdict.realism / 4, "in_character": float(verdict.in_character)}


def judge_draft(case: DraftCase, draft: dict[str, Any], ctx: Context) -> dict[str, float]:
    """quality in [0, 1] (the rubric's weighted mean) and invents_facts 0/1, from the judge model."""
    from app.coach.rubric import load_rubric
    from app.evals.scorers import draft_text

    rubric = load_rubric(ctx.settings)
    fields: dict[str, Any] = {d.id: (int, Field(ge=0, le=4, description=d.name)) for d in rubric.dimensions}
    fields["invents_facts"] = (bool, ...)
    fields["reason"] = (str, Field(max_length=400))
    schema = create_model("DraftVerdict", __base__=Strict, **fields)
    lines = "\n".join(f"- {d.id}: {d.name}. {d.definition.strip()} 0 = {d.levels.get(0, '')} "
                      f"4 = {d.levels.get(4, '')}" for d in rubric.dimensions)
    verdict = _ask(ctx, "draft", schema, kind=case.kind, manager=_manager(ctx, case.manager),
                   situation=case.situation, draft=draft_text(draft), rubric=lines)
    total = sum(d.weight * getattr(verdict, d.id) for d in rubric.dimensions)
    quality = total / sum(d.weight * 4 for d in rubric.dimensions)
    return {"quality": quality, "invents_facts": float(verdict.invents_facts)}
