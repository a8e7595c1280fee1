"""What a run produces: metrics per suite, the failing cases with their text, and the gate's verdict."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from app.errors import BadInput
from app.schemas import Strict
from app.yamlfile import load_yaml


class CaseFailure(Strict):
    """One check a case failed, with the text that failed it (a person reads this to fix things)."""

    case: str
    check: str
    detail: str
    text: str = ""


class SuiteResult(Strict):
    name: str
    cases: int
    seconds: float
    metrics: dict[str, float | None] = Field(description="None: could not be measured in this run")
    failures: list[CaseFailure] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Threshold(Strict):
    """A bound on one metric; `optional` metrics are only gated when the run measured them."""

    min: float | None = None
    max: float | None = None
    optional: bool = False
    why: str = ""

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if self.min is None and self.max is None:
            raise ValueError("give `min` or `max`")
        return self

    def describe(self) -> str:
        if self.min is not None and self.max is not None:
            return f"{self.min:g}..{self.max:g}"
        return f">= {self.min:g}" if self.min is not None else f"<= {self.max:g}"

    def passes(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


Thresholds = dict[str, dict[str, Threshold]]


class GateFailure(Strict):
    suite: str
    metric: str
    value: float | None
    threshold: str

    def __str__(self) -> str:
        shown = "not measured" if self.value is None else f"{self.value:.4g}"
        return f"{self.suite}.{self.metric} = {shown}, needs {self.threshold}"


def load_thresholds(path: Path) -> Thresholds:
    """evals/thresholds.yaml: `suite: {metric: {min: x} | {max: y}}`."""
    if not path.is_file():
        raise BadInput(f"Thresholds file {path} does not exist.", "restore evals/thresholds.yaml from git")
    data = load_yaml(path, "Thresholds file") or {}
    if not isinstance(data, dict):
        raise BadInput(f"Thresholds file {path} must map suite names to metrics.")
    out: Thresholds = {}
    for suite, metrics in data.items():
        if not isinstance(metrics, dict):
            raise BadInput(f"Thresholds file {path}: `{suite}` must map metric names to bounds.")
        out[str(suite)] = {}
        for metric, bound in metrics.items():
            try:
                out[str(suite)][str(metric)] = Threshold.model_validate(bound)
            except ValidationError as exc:
                raise BadInput(f"Thresholds file {path}: {suite}.{metric}: {exc.errors()[0]['msg']}.") from exc
    return out


def gate(results: list[SuiteResult], thresholds: Thresholds) -> list[GateFailure]:
    """Every metric of the suites that ran that is outside its threshold (or unmeasured)."""
    failures = []
    for result in results:
        for metric, bound in thresholds.get(result.name, {}).items():
            value = result.metrics.get(metric)
            if value is None:
                if bound.optional:
                    continue
                failures.append(GateFailure(suite=result.name, metric=metric, value=None, threshold=bound.describe()))
            elif not bound.passes(value):
                failures.append(GateFailure(suite=result.name, metric=metric, value=value,
                                            threshold=bound.describe()))
    return failures


class EvalRun(Strict):
    """Everything one `upward eval` produced: report.json is this, dumped."""

    started: str
    seconds: float
    model: str
    judge: str | None = None
    versions: dict[str, str] = Field(description="prompt files (version field or content hash), knowledge index")
    suites: list[SuiteResult]
    thresholds: dict[str, dict[str, str]]
    gate: list[GateFailure]

    @property
    def passed(self) -> bool:
        return not self.gate
