"""The benchmark's schemas: counts of cities per stage, never a city's name or row."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from vertebra.api.schemas import Schema


class BenchmarkQuery(Schema):
    framework: str = Field(
        max_length=64,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="The maturity model's id, as in /api/v1/frameworks.",
    )
    version: int = Field(ge=1, le=1_000_000, description="The model's version number.")


class StageCount(Schema):
    stage: str | None = Field(description="A stage code; null for no stage reached yet.")
    cities: int = Field(description="How many of the other participating cities stand there.")


class BenchmarkRow(Schema):
    code: str = Field(description='A policy or dimension code, or "overall" for the city.')
    name: str
    counts: list[StageCount] = Field(description="Lowest stage first, no stage yet before it.")
    stage: str | None = Field(description="This city's stage; null when it does not contribute.")
    position: Literal["behind", "same", "ahead"] | None = Field(
        description="Where this city stands against the other cities' median stage."
    )


class BenchmarkOut(Schema):
    url: str
    framework: str
    version: int
    other_cities: int = Field(description="How many other cities contribute (at least 5).")
    contributes: bool = Field(
        description="Whether this city's own stages count (its latest final assessment of "
        "this model version); they are never among the counts shown to it."
    )
    overall: BenchmarkRow
    dimensions: list[BenchmarkRow]
    policies: list[BenchmarkRow]
