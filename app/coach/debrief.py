"""The debrief: score a rehearsal against the published rubric (prompts/rubric.yaml), with citations.

Each dimension gets 0-4 from deterministic checks over the person's own lines (the rubric's cues,
numbers, questions, length, blame, the manager's temperament). Substance counts in full only when it is
specific (an unhedged figure, a date, a name), so cue words alone, and questions about nothing yet said,
earn little; a jab, a culprit or a threat weighs on the overall whatever figures surround it.
Where the model can judge (any model but the embedded 135M one: asked for 0-4 per dimension on the
24 debrief eval pairs, even under the JSON grammar it returned out-of-range values such as 234768905
for every one), its judgement is blended in. Same transcript, same model, temperature 0: same scores.
"""

from __future__ import annotations

import re

from pydantic import Field, create_model

from app import prompts
from app import text as tx
from app.coach.rehearsal import moves, specifics
from app.coach.rehearsal.moves import Difficulty, Reading, State
from app.coach.rubric import Dimension, Rubric, load_rubric
from app.coach.scenarios import load_scenario
from app.config import Settings, exemplar_cache
from app.errors import BadInput, UpwardError
from app.llm import registry
from app.llm.model import Model
from app.retrieval import search as retrieval
from app.schemas import Hit, ManagerProfile, Strict, Temperament, Turn
from app.voice.delivery import Delivery

QUOTE_WORDS = 30
CONCRETE_FLOOR = 0.4
HARM_PENALTY = 0.15  # of the overall score, per ultimatum, blaming, contemptuous or role-break line
JUDGE_WEIGHT = 0.5
SUBSTANCE = {"evidence", "solution", "ask", "priorities"}
VAGUE_SHARE = 0.35  # what a cue-word move counts for when nothing specific stands behind it

# A figure or a date hedged into vagueness ("roughly 5 or 6 points", "sometime next month", "Q-something",
# "a hundred things") is not a figure: it is a cue word dressed as one.
HEDGE = re.compile(r"\b(?:roughly|give or take|or so|perhaps|maybe|sometime|some point|whenever|a while|soon-ish|"
                   r"[a-z]+-ish|q-something|\d+-something|\w+-odd|a number of|or another|"
                   r"a (?:hundred|thousand|million) \w+)\b|\b\d+ or \d+\b", re.I)
# Contempt, blame and soft ultimatums the line readings can miss: a jab at a person or a threat to leave
# costs goodwill whatever figures surround it.
JAB = re.compile(
    r"\b(?:(?:it's|that's|this is|this one's|one's) on you|your fault|not my fault|careless|sloppy|incompetent|lazy|"
    r"a joke|ridiculous|pointless|useless|clueless|disrespectful|rolls? (?:her|his|their) eyes|couldn't run|"
    r"never \w+ (?:a|an) \w+ in (?:his|her|their) life|(?:someone|somebody) who actually|"
    r"clearly (?:has|have|doesn't|don't|never|can't)|tells me how much|funny how|if you hadn't|"
    r"if you(?:'d| had) [^.]{0,80}\b(?:we|i) (?:wouldn't|would not)|how it's going to be|"
    r"or (?:else|i walk|find someone|i'll (?:take|start|go|quit|leave|walk|stop|escalate))|"
    r"(?:take|taking) (?:the|their|an?) (?:\w+ )?offer|offer from|(?:i'll|i will) (?:start looking|walk|quit))\b",
    re.I)
OWN = re.compile(r"\b(?:i was|i've been|i am|i'm|my own|my)\s+(?:\w+\s+)?$", re.I)  # "my careless slip" owns it


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
    """The line in quotation marks, as whole sentences: the first ones that fit, never cut mid-sentence."""
    parts = tx.sentences(line)
    kept: list[str] = []
    for part in parts:
        if kept and len(" ".join([*kept, part]).split()) > QUOTE_WORDS:
            break
        kept.append(part)
    text = " ".join(kept) if kept else line.strip()
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


def harmful(r: Reading) -> bool:
    """An ultimatum, blame or a role-break attempt: never a strength, always named."""
    return r.does("ultimatum") or r.does("blame") or r.attack


def jab(line: str) -> bool:
    """Contempt, a culprit or a threat to leave, as written (what the line reading may not flag)."""
    return any(not OWN.search(line[:m.start()]) for m in JAB.finditer(line))


def firm(line: str, r: Reading, profile: ManagerProfile) -> bool:
    """The line carries something specific: a figure, a date, a name or a named project, none of it hedged.
    The manager's own name and generic nouns ("my proposal", "the plan") do not count."""
    if HEDGE.search(line):
        return False
    found = specifics.from_text(line)
    own = {w.strip(".") for w in profile.name.split()}
    named = [p for p in found.person if p not in own]
    projects = [p for p in found.project if re.search(r"[A-Z0-9]", p.split(maxsplit=1)[-1])]
    return bool(r.numbers or found.figure or found.date or named or projects)


_REQUEST = re.compile(r"\b(?:could you|can you|will you|would you|can i|could i|please|i'd like|approve|sign off|"
                      r"put me|put my name)\b|\?", re.I)


def dimension_hits(lines: list[str], readings: list[Reading], profile: ManagerProfile) -> dict[str, list[float]]:
    """Per dimension, how much each of the person's lines shows it, read from what the line does (its
    acts and the concerns it answers), not from the words it contains (negative cues for `concise`)."""
    words = _profile_words(profile)
    out: dict[str, list[float]] = {d: [] for d in ("priorities", "evidence", "solution", "input", "ask",
                                                     "concise", "style")}
    grounded = False  # has anything specific been put on the table yet?
    for i, (line, r) in enumerate(zip(lines, readings, strict=True)):
        low = line.lower()
        bad = harmful(r) or jab(line)
        scale = 0.5 if bad else 1.0  # a good move wrapped in a threat or blame lands at half strength
        # Substance must be specific: cue words with no figure, date or name behind them count for little.
        is_firm = firm(line, r, profile)
        sure = scale * (1.0 if is_firm else VAGUE_SHARE)
        grounded = grounded or (is_firm and bool(set(r.acts) & SUBSTANCE or re.search(r"\d", line)))
        dated = bool(specifics.from_text(line).date) and not HEDGE.search(line)
        asks = r.does("ask") or bool(dated and _REQUEST.search(line))
        overlap = len({w for w in words if w in low})
        out["priorities"].append(sure * ((1.0 if r.does("priorities") else 0.0) + (0.5 if overlap else 0.0)
                                         + 0.5 * len(r.addressed)))
        out["evidence"].append(sure * ((1.0 if r.does("evidence") else (0.5 if re.search(r"\d", line) else 0.0))
                                       + (0.5 if r.does("evidence") and r.numbers >= 2 else 0.0)))
        out["solution"].append(sure * (1.0 if r.does("solution") else 0.0))
        # "What do you think?" about nothing in particular is politeness, not an invitation to shape a plan.
        out["input"].append(scale * (1.0 if grounded and r.does("input") else 0.0))
        out["ask"].append(sure * ((1.0 if asks else 0.0) + (0.5 if asks and (i < 2 or dated) else 0.0)))
        out["concise"].append(float(min(2, len(r.dims.get("concise", []))) + 2 * int(r.does("blame") or jab(line))
                                    + 3 * int(r.does("ultimatum"))))
        style = 0.0
        substance = r.does("evidence") or r.does("solution") or r.does("ask")
        t = profile.temperament
        if r.dims.get("style") and (substance or r.numbers) and is_firm:
            style += 1
        # Brevity or a matching manner carries no weight on a line that says nothing specific, nor does an
        # open question before anything specific has been said.
        if is_firm and t == Temperament.busy and i == 0 and r.words <= 25 and (r.does("ask") or r.does("evidence")
                                                                                  or r.numbers):
            style += 1
        if is_firm and t == Temperament.explosive and not bad and r.words <= 40 and (r.does("evidence")
                                                                                     or r.does("solution")):
            style += 0.5
        if is_firm and t == Temperament.skeptical and r.does("evidence") and r.numbers >= 2:
            style += 0.5
        if grounded and t in (Temperament.supportive, Temperament.reflective) and r.does("input"):
            style += 0.5
        if bad:
            style -= 2
        out["style"].append(style)
    return out


def deterministic_scores(lines: list[str], readings: list[Reading], profile: ManagerProfile) -> dict[str, int]:
    """The rubric's checks alone: 0-4 per dimension."""
    per_line = dimension_hits(lines, readings, profile)
    scores = {d: _level(sum(v)) for d, v in per_line.items() if d != "concise"}
    avg_words = sum(r.words for r in readings) / max(1, len(readings))
    limit = 35 if profile.temperament in (Temperament.busy, Temperament.explosive) else 50
    verbose = 0 if avg_words <= limit else (1 if avg_words <= limit * 1.6 else 2)
    sure = [firm(line, r, profile) for line, r in zip(lines, readings, strict=True)]
    substance = sum(per_line[d][i] for d in ("evidence", "solution", "ask") for i in range(len(lines)) if sure[i])
    empty = 1 if substance < 1 else 0  # short but saying nothing specific is not concise, it is empty
    scores["concise"] = max(0, 4 - int(sum(per_line["concise"])) - verbose - 4 * empty)
    if profile.temperament in (Temperament.busy, Temperament.explosive) and verbose:
        scores["style"] = max(0, scores["style"] - verbose)
    return scores


def _judge(lines: list[str], rubric: Rubric, scenario_title: str, model: Model) -> dict[str, int]:
    """The model's 0-4 per dimension, at temperature 0."""
    fields = {d.id: (int, Field(ge=0, le=4, description=d.name)) for d in rubric.dimensions}
    schema = create_model("Judgement", **fields)  # type: ignore[call-overload]
    prompt = prompts.load("runtime/debrief")
    rules = "\n".join(prompt.part("rule", id=d.id, name=d.name, low=d.levels.get(0, ""), high=d.levels.get(4, ""))
                      for d in rubric.dimensions)
    said = "\n".join(prompt.part("line", n=i, text=line) for i, line in enumerate(lines, 1))
    messages = prompt.messages(scenario=scenario_title, rubric=rules, lines=said)
    result = model.structured(messages, schema, temperature=0.0, max_tokens=200)
    return {d.id: int(getattr(result, d.id)) for d in rubric.dimensions}


def _use_judge(model: str | Model, settings: Settings) -> bool:
    if settings.judge != "auto":
        return settings.judge == "on"
    return registry.model(model, settings).can_judge


def _best_line(lines: list[str], values: list[float], skip: set[int] = frozenset()) -> str | None:  # type: ignore[assignment]
    usable = [i for i in range(len(values)) if i not in skip]
    if not usable or max(values[i] for i in usable) <= 0:
        return None
    return lines[max(usable, key=lambda i: (values[i], -i))]


def _feedback(dims: list[Dimension], scores: dict[str, int], lines: list[str], readings: list[Reading],
              per_line: dict[str, list[float]], unanswered: list[tuple[str, int]]) -> tuple[list[str], list[str]]:
    """Strengths quote the person's best line per strong dimension (never a threat or blame); every
    debrief names at least one concrete next step, starting with what hurt."""
    bad = {i for i, r in enumerate(readings) if harmful(r) or jab(lines[i])}
    strengths: list[str] = []
    improvements: list[str] = []
    for i in sorted(bad):
        r = readings[i]
        what = ("an ultimatum" if r.does("ultimatum") else "blame" if r.does("blame") else
                "a role-break attempt" if r.attack else "a jab or a threat")
        improvements.append(f"Turn {i + 1} was {what}: {quote(lines[i])} It cost you goodwill whatever else the line "
                            "said. State the stakes as facts and what you need, without a threat or a culprit.")
    ranked = sorted(dims, key=lambda d: (-scores[d.id], -d.weight))
    for d in ranked:
        if scores[d.id] < 3 or len(strengths) >= 3:
            continue
        if d.id == "concise":
            clean = [line for i, line in enumerate(lines) if i not in bad]
            line = min(clean, key=lambda s: len(s.split())) if clean else None
        else:
            line = _best_line(lines, per_line[d.id], bad)
        if line is not None:
            strengths.append(f"{d.name} ({scores[d.id]}/4): {quote(line)}")
    for d in sorted(dims, key=lambda d: (scores[d.id], -d.weight)):
        if scores[d.id] > 2 or len(improvements) >= 3:
            continue
        aim = d.levels.get(4, d.definition).rstrip(".")
        if d.id == "concise":
            worst = _best_line(lines, per_line["concise"]) or max(lines, key=lambda s: len(s.split()))
            improvements.append(f"{d.name} ({scores[d.id]}/4): {quote(worst)} costs you here. Aim for: {aim}.")
        elif (closest := _best_line(lines, per_line[d.id], bad)) is not None:
            improvements.append(f"{d.name} ({scores[d.id]}/4): closest you came was {quote(closest)} "
                                f"Aim for: {aim}.")
        else:
            improvements.append(f"{d.name} (0/4): none of your lines did this; it would fit after "
                                f"{quote(lines[0])} Aim for: {aim}.")
    for asked, reply_index in unanswered[:2]:
        if len(improvements) >= 4:
            break
        after = quote(lines[min(reply_index, len(lines) - 1)])
        improvements.append(f"Your manager asked {asked} and your reply, {after}, left it open. Answer a worry "
                            "when it is raised, with a fact or a plan.")
    if not improvements:  # even a strong run has a next step: the weakest dimension, aimed higher
        d = min(dims, key=lambda d: (scores[d.id], -d.weight))
        aim = d.levels.get(4, d.definition).rstrip(".")
        line = _best_line(lines, per_line[d.id], bad) or lines[-1]
        improvements.append(f"Next time, push {d.name.lower()} further ({scores[d.id]}/4) than {quote(line)} "
                            f"Aim for: {aim}.")
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
                     difficulty: str | Difficulty = "realistic", model: str | Model | None = None,
                     settings: Settings, situation: str = "",
                     replayed: tuple[moves.Frame, list[State], list[Reading]] | None = None) -> Debrief:
    """Score the person's side of a rehearsal: 0-4 per dimension, overall 0-100, quotes and citations.

    `replayed` is what a live session already holds (its frame, states and the reading of each line);
    without it the transcript is replayed, which gives the same states."""
    lines = [t.content for t in transcript if t.role == "user" and t.content.strip()]
    if not lines:
        raise BadInput("There is nothing to score: the transcript has none of your lines.")
    if replayed is not None and len(replayed[2]) == len(lines):
        where, states, readings = replayed
        scenario, rubric = where.scenario, where.rubric
    else:
        scenario = load_scenario(scenario_id, settings)
        rubric = load_rubric(settings)
        where = moves.frame(scenario, profile, Difficulty(difficulty), rubric, prompts_dir=settings.prompts_dir,
                            situation=situation, cache_dir=exemplar_cache(settings))
        states, readings = moves.replay_with_readings(lines, where)  # what the manager reacted to, scored
    scores = deterministic_scores(lines, readings, profile)
    judged = False
    notes: list[str] = []
    model = model or settings.model
    if _use_judge(model, settings):
        try:
            opinion = _judge(lines, rubric, scenario.title, registry.model(model, settings))
            scores = {d: int(round((1 - JUDGE_WEIGHT) * s + JUDGE_WEIGHT * opinion.get(d, s) + 1e-9))
                      for d, s in scores.items()}
            judged = True
        except UpwardError as exc:  # the rubric's own checks still stand
            notes.append(f"The model's judgement was left out: {exc.message}")
    dims = [d for d in rubric.dimensions if d.id in scores]
    total = sum(d.weight * scores[d.id] for d in dims) / sum(d.weight * 4 for d in dims)
    total = max(0.0, total - HARM_PENALTY * sum(harmful(r) or jab(line) for line, r in zip(lines, readings,
                                                                                           strict=True)))
    # Cue words without a single name, figure, date or project behind them is how a scorer gets gamed;
    # a conversation earns the top of the scale only when most lines carry something concrete.
    # Judged over the lines that claim substance (evidence, a plan, an ask, a priority, a specific): small talk
    # around a specific case costs nothing, and a conversation that never claims anything has nothing concrete.
    sure = [firm(line, r, profile) for line, r in zip(lines, readings, strict=True)]
    claims = [i for i, r in enumerate(readings) if sure[i] or set(r.acts) & SUBSTANCE]
    total *= CONCRETE_FLOOR + (1 - CONCRETE_FLOOR) * sum(sure[i] for i in claims) / max(1, len(claims))
    per_line = dimension_hits(lines, readings, profile)
    unanswered: list[tuple[str, int]] = []  # (what the manager asked, the person's line that followed)
    for i, state in enumerate(states):
        concern = where.concern(state.concern) if state.move == "probe_concern" else None
        if concern is not None and concern.id not in states[-1].addressed:
            unanswered.append((f"“{concern.probe}”" if concern.probe else f"about {concern.concern}", i))
    strengths, improvements = _feedback(dims, scores, lines, readings, per_line, unanswered)
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
