"""Small factories for report tests: a city with people in every role and filled assessments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment, save_answer
from vertebra.assessments.models import Answer, Assessment
from vertebra.cities.models import City, Membership, Role
from vertebra.planning.models import Action, ActionNote, Target

ROLES = ("admin", "editor", "contributor", "viewer")


def make_city(slug: str = "rivertown", name: str = "Rivertown") -> City:
    return City.objects.create(slug=slug, name=name, country="Norway")


def make_person(email: str, city: City | None = None, role: str | None = None) -> User:
    user = User.objects.create_user(email, "correct horse battery")
    if city is not None and role is not None:
        Membership.objects.create(city=city, user=user, role=role)
    return user


def people(city: City) -> dict[str, User]:
    """One member per role, plus an outsider who belongs to another city."""
    found = {role: make_person(f"{role}@{city.slug}.example", city, role) for role in ROLES}
    other = City.objects.create(slug=f"other-{city.slug}", name="Elsewhere")
    found["outsider"] = make_person(f"outsider@{city.slug}.example", other, Role.ADMIN)
    return found


def answer(assessment: Assessment, code: str, **changes: Any) -> Answer:
    row = assessment.answers.select_related("objective", "assessment").get(objective__code=code)
    return save_answer(answer=row, user=None, changes=changes, source="test").answer


def make_assessment(
    city: City,
    *,
    title: str = "Review 2026",
    date: dt.date = dt.date(2026, 3, 1),
    copy_from: Assessment | None = None,
) -> Assessment:
    return create_assessment(city=city, user=None, title=title, date=date, copy_from=copy_from)


def filled_assessment(city: City, **kwargs: Any) -> Assessment:
    """An assessment with every kind of answer, a target and two actions."""
    a = make_assessment(city, **kwargs)
    for code in ("L1S1", "L1S2", "P1S1", "P1S2"):
        answer(a, code, status="achieved", evidence=f"Council minutes for {code}", owner="Mayor")
    answer(a, "L1M1", status="in_progress", progress=40, notes="Workshop in May;\nsee notes")
    answer(
        a,
        "C2T2",
        status="not_applicable",
        na_justification="A small city: no European role for now.",
        links="https://example.org/c2t2",
    )
    answer(a, "I1S1", owner="Water Utility, “Team Ø”", evidence='Quote " and, comma')
    Target.objects.create(assessment=a, policy_code="L1", stage_code="A")
    first = Action.objects.create(
        city=city,
        assessment=a,
        title="Set up the resilience board",
        due_date=dt.date(2020, 1, 31),
        cost=Decimal("12000.50"),
        status="in_progress",
        owner_department="Resilience Office",
    )
    first.objectives.set(a.framework_version.objectives.filter(code__in=["L1M1", "L1M2"]))
    ActionNote.objects.create(action=first, date=dt.date(2026, 2, 1), text="Board members named.")
    Action.objects.create(
        city=city, assessment=a, title="Flood map", cost=Decimal("3000"), status="done"
    )
    return a
