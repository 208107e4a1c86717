"""Small factories for planning tests: a city with one member per role and a draft assessment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment, save_answer
from vertebra.assessments.models import Assessment
from vertebra.cities.domain import add_person, create_city
from vertebra.cities.models import City


@dataclass
class World:
    city: City
    assessment: Assessment
    admin: User
    editor: User
    contributor: User
    viewer: User
    outsider: User

    def person(self, role: str) -> User:
        return getattr(self, role)  # type: ignore[no-any-return]


def make_world(slug: str = "rivertown") -> World:
    city = create_city(slug=slug, name=slug.title())
    people: dict[str, Any] = {}
    for role in ("admin", "editor", "contributor", "viewer"):
        people[role], _, _ = add_person(
            email=f"{role}@{slug}.example", city=city, role=role, password="pw"
        )
    other = create_city(slug=f"{slug}-other", name="Elsewhere")
    outsider, _, _ = add_person(
        email=f"outsider@{slug}.example", city=other, role="admin", password="pw"
    )
    assessment = create_assessment(
        city=city, user=people["admin"], title="Review 2026", date=dt.date(2026, 1, 15)
    )
    return World(city=city, assessment=assessment, outsider=outsider, **people)


def answer(assessment: Assessment, statuses: dict[str, str]) -> None:
    """Set statuses (not applicable gets a justification)."""
    rows = {
        a.objective.code: a for a in assessment.answers.select_related("objective", "assessment")
    }
    for code, status in statuses.items():
        changes: dict[str, Any] = {"status": status}
        if status == "not_applicable":
            changes["na_justification"] = "Does not apply here."
        save_answer(answer=rows[code], user=None, changes=changes, source="test")
