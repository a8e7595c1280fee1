"""The debrief: score a rehearsal against the published rubric (prompts/rubric.yaml), with citations.

Each dimension gets 0-4 from deterministic checks over the person's own lines (the rubric's cues,
numbers, questions, length, blame, the manager's temperament). Where the model can judge (any
model but the embedded 135M one: asked for 0-4 per dimension on the 24 debrief eval pairs, even
under the JSON grammar it returned out-of-range values such as 234768905 for every one), its
judgement is blended in. Same transcript, same model, temperature 0: same scores.
"""

from __future__ import annotations

import re

from pydantic import Field, create_model

from app.coach import moves
from app.coach.moves import Difficulty, Reading
from app.coach.rubric import Dimension, Rubric, load_rubric
from app.coach.scenarios import load_scenario
from app.config import Settings, get_settings
from app.errors import BadInput, UpwardError
from app.retrieval import search as retrieval
from app.schemas import Hit, ManagerProfile, Strict, Temperament, Turn
from app.voice.delivery import Delivery

QUOTE_WORDS = 22
JUDGE_WEIGHT = 0.5


class Debrief(Strict):
    scores: dict[str, int]
    overall: int = Field(ge=0, le=100)
    strengths: list[str]
    improvements: list[str]
    moments: list[str] = Field(default_factory=list)
    receptiveness: list[int] = Field(default_factory=list)
    citations: list[Hit]
    rubric_version: str
    judged_by_model: bool = False
    notes: list[str] = Field(default_factory=list)
    delivery: Delivery | None = None  # pace, fillers, pauses, talk time: only when turns were spoken


def quote(line: str) -> str:
    words = line.split()
    text = line if len(words) <= QUOTE_WORDS else " ".join(words[:QUOTE_WORDS]) + "…"
    return f"“{text}”"


def _level(hits: float) -> int:
    """Amount of evidence for a dimension -> 0-4 (none, a trace, once, twice, three times or more)."""
    if hits <= 0:
        return 0
    if hits < 1:
        return 1
    return min(4, int(hits) + 1)


def _profile_words(profile: ManagerProfile) -> set[str]:
    text = " ".join(profile.priorities + profile.pressures)
    return {w for w in re.findall(r"[a-z]{5,}", text.lower())}


def dimension_hits(lines: list[str], readings: list[Reading], profile: ManagerProfile) -> dict[str, list[float]]:
    """Per dimension, how much each of the person's lines shows it (negative cues for `concise`)."""
    words = _profile_words(profile)
    out: dict[str, list[float]] = {d: [] for d in ("priorities", "evidence", "solution", "input", "ask",
                                                     "concise", "style")}
    for i, (line, r) in enumerate(zip(lines, readings, strict=True)):
        low = line.lower()
        overlap = len({w for w in words if w in low})
        out["priorities"].append(len(r.dims.get("priorities", [])) + min(2, overlap))
        out["evidence"].append(len(r.dims.get("evidence", [])) + r.numbers)
        out["solution"].append(float(len(r.dims.get("solution", []))))
        out["input"].append(len(r.dims.get("input", [])) + (0.5 if r.questions else 0.0))
        out["ask"].append(len(r.dims.get("ask", [])) + (0.5 if i < 2 and r.dims.get("ask") else 0.0))
        out["concise"].append(float(len(r.dims.get("concise", [])) + len(r.blame)))
        style = float(len(r.dims.get("style", [])))
        t = profile.temperament
        if t == Temperament.busy and i == 0 and r.words <= 25 and (r.dims.get("ask") or r.numbers):
            style += 1
        if t == Temperament.explosive and not r.blame and r.words <= 40 and (r.numbers or r.dims.get("solution")):
            style += 0.5
        if t == Temperament.skeptical and r.numbers >= 2:
            style += 0.5
        if t == Temperament.supportive and r.questions and r.dims.get("input"):
            style += 0.5
        if r.blame:
            style -= 1
        out["style"].append(style)
    return out


def deterministic_scores(lines: list[str], readings: list[Reading], profile: ManagerProfile) -> dict[str, int]:
    """The rubric's checks alone: 0-4 per dimension."""
    per_line = dimension_hits(lines, readings, profile)
    scores = {d: _level(sum(v)) for d, v in per_line.items() if d != "concise"}
    avg_words = sum(r.words for r in readings) / max(1, len(readings))
    limit = 35 if profile.temperament in (Temperament.busy, Temperament.explosive) else 50
    verbose = 0 if avg_words <= limit else (1 if avg_words <= limit * 1.6 else 2)
    scores["concise"] = max(0, 4 - int(sum(per_line["concise"])) - verbose)
    if profile.temperament in (Temperament.busy, Temperament.explosive) and verbose:
        scores["style"] = max(0, scores["style"] - verbose)
    return scores


def _judge(lines: list[str], rubric: Rubric, scenario_title: str, model: str, settings: Settings) -> dict[str, int]:
    """The model's 0-4 per dimension, at temperature 0."""
    from app.llm import gateway

    fields = {d.id: (int, Field(ge=0, le=4, description=d.name)) for d in rubric.dimensions}
    schema = create_model("Judgement", **fields)  # type: ignore[call-overload]
    rules = "\n".join(f"- {d.id}: {d.name}. 0 = {d.levels.get(0, '')} 4 = {d.levels.get(4, '')}"
                      for d in rubric.dimensions)
    said = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    messages = [
        {"role": "system", "content": "You score how well someone handled a conversation with their manager, "
                                      "0-4 on each dimension of a rubric. Judge only their lines."},
        {"role": "user", "content": f"Conversation: {scenario_title}\nRubric:\n{rules}\n\nTheir lines:\n{said}"},
    ]
    result = gateway.structured(messages, schema, model=model, settings=settings, temperature=0.0, max_tokens=200)
    return {d.id: int(getattr(result, d.id)) for d in rubric.dimensions}


def _use_judge(model: str, settings: Settings) -> bool:
    if settings.judge != "auto":
        return settings.judge == "on"
    from app.llm import gateway

    return gateway.resolve(model, settings).provider not in ("local", "fake")


def _best_line(lines: list[str], values: list[float]) -> str | None:
    if not values or max(values) <= 0:
        return None
    return lines[max(range(len(values)), key=lambda i: (values[i], -i))]


def _feedback(dims: list[Dimension], scores: dict[str, int], lines: list[str],
              per_line: dict[str, list[float]]) -> tuple[list[str], list[str]]:
    strengths: list[str] = []
    improvements: list[str] = []
    ranked = sorted(dims, key=lambda d: (-scores[d.id], -d.weight))
    for d in ranked:
        if scores[d.id] < 3 or len(strengths) >= 3:
            continue
        if d.id == "concise":
            line = min(lines, key=lambda s: len(s.split()))
        else:
            line = _best_line(lines, per_line[d.id]) or lines[0]
        strengths.append(f"{d.name} ({scores[d.id]}/4): {quote(line)}")
    for d in sorted(dims, key=lambda d: (scores[d.id], -d.weight)):
        if scores[d.id] > 2 or len(improvements) >= 3:
            continue
        aim = d.levels.get(4, d.definition).rstrip(".")
        if d.id == "concise":
            worst = _best_line(lines, per_line["concise"]) or max(lines, key=lambda s: len(s.split()))
            improvements.append(f"{d.name} ({scores[d.id]}/4): {quote(worst)} costs you here. Aim for: {aim}.")
        elif (closest := _best_line(lines, per_line[d.id])) is not None:
            improvements.append(f"{d.name} ({scores[d.id]}/4): closest you came was {quote(closest)}. "
                                f"Aim for: {aim}.")
        else:
            improvements.append(f"{d.name} (0/4): none of your lines did this; it would fit after "
                                f"{quote(lines[0])}. Aim for: {aim}.")
    return strengths, improvements


def _citations(dims: list[Dimension], scores: dict[str, int], scenario_id: str, query: str,
               settings: Settings) -> list[Hit]:
    weakest = sorted(dims, key=lambda d: (scores[d.id], -d.weight))[:2]
    found: dict[str, Hit] = {}
    for d in weakest:
        for hit in retrieval.search(f"{d.name}. {d.definition}", k=2, scenario=scenario_id, topics=d.topics,
                                    settings=settings):
            found.setdefault(hit.card, hit)
    for hit in retrieval.search(query, k=2, scenario=scenario_id, settings=settings):
        found.setdefault(hit.card, hit)
    return list(found.values())[:4]


def score_transcript(transcript: list[Turn], scenario_id: str, profile: ManagerProfile, *,
                     difficulty: str | Difficulty = "realistic", model: str | None = None,
                     settings: Settings | None = None) -> Debrief:
    """Score the person's side of a rehearsal: 0-4 per dimension, overall 0-100, quotes and citations."""
    settings = settings or get_settings()
    lines = [t.content for t in transcript if t.role == "user" and t.content.strip()]
    if not lines:
        raise BadInput("There is nothing to score: the transcript has none of your lines.")
    scenario = load_scenario(scenario_id, settings)
    rubric = load_rubric(settings)
    readings = [moves.read_turn(line, scenario, rubric) for line in lines]
    scores = deterministic_scores(lines, readings, profile)
    judged = False
    notes: list[str] = []
    model = model or settings.model
    if _use_judge(model, settings):
        try:
            opinion = _judge(lines, rubric, scenario.title, model, settings)
            scores = {d: int(round((1 - JUDGE_WEIGHT) * s + JUDGE_WEIGHT * opinion.get(d, s) + 1e-9))
                      for d, s in scores.items()}
            judged = True
        except UpwardError as exc:  # the rubric's own checks still stand
            notes.append(f"The model's judgement was left out: {exc.message}")
    dims = [d for d in rubric.dimensions if d.id in scores]
    total = sum(d.weight * scores[d.id] for d in dims) / sum(d.weight * 4 for d in dims)
    per_line = dimension_hits(lines, readings, profile)
    strengths, improvements = _feedback(dims, scores, lines, per_line)
    states = moves.replay(lines, scenario, profile, Difficulty(difficulty), rubric)
    swings = sorted(range(1, len(states)), key=lambda i: (-abs(states[i].delta), i))[:3]
    moments = [f"Turn {i}: {quote(lines[i - 1])} moved receptiveness {states[i].delta:+d} "
               f"({states[i - 1].receptiveness}→{states[i].receptiveness})" for i in sorted(swings)
               if states[i].delta]
    return Debrief(
        scores=scores, overall=round(100 * total), strengths=strengths, improvements=improvements,
        moments=moments, receptiveness=[s.receptiveness for s in states],
        citations=_citations(dims, scores, scenario.id, scenario.query, settings),
        rubric_version=f"{rubric.version}@{rubric.digest}", judged_by_model=judged, notes=notes,
    )
