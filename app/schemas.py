"""The domain, as pydantic models. Validation messages are written for a person."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Strict(BaseModel):
    """Base for every structured thing: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Hit(Strict):
    """One retrieved passage, as the CLI contract prints it."""

    source: str = Field(description="source id, e.g. betterup, or the file name of an ingested document")
    title: str
    card: str = Field(description="card id (path under knowledge/ without .md) or document chunk id")
    text: str
    score: float


class Temperament(StrEnum):
    supportive = "supportive"
    skeptical = "skeptical"
    busy = "busy"
    explosive = "explosive"
    reflective = "reflective"


class ManagerProfile(Strict):
    """The person's picture of their manager: what they want, what presses on them, how they talk."""

    name: str = Field(min_length=1, max_length=80)
    role: str = Field(min_length=1, max_length=120)
    priorities: list[str] = Field(default_factory=list, max_length=12)
    pressures: list[str] = Field(default_factory=list, max_length=12)
    communication_style: str = Field("", max_length=400)
    temperament: Temperament = Temperament.busy
    notes: str = Field("", max_length=2000)

    @field_validator("priorities", "pressures", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        if isinstance(value, str):
            return [p.strip() for p in value.replace("\n", ";").split(";") if p.strip()]
        return value


Role = Literal["user", "manager"]


class Turn(Strict):
    role: Role
    content: str
