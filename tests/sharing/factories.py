"""Cities with final assessments whose stages a test chooses, for benchmarking and the public
page."""

from __future__ import annotations

import datetime as dt

from vertebra.accounts.models import User
from vertebra.api.tokens import create_token
from vertebra.assessments.domain import create_assessment, finalize
from vertebra.assessments.models import Answer, Assessment
from vertebra.cities.models import City, Membership, Role


def member(email: str, city: City, role: str = Role.ADMIN) -> User:
    user = User.objects.create_user(email, "correct horse battery")
    Membership.objects.create(city=city, user=user, role=role)
    return user


def token_of(user: User) -> str:
    return create_token(user=user, name="test")[1]


def assessed(
    city: City,
    achieved: tuple[str, ...],
    *,
    title: str = "Review 2026",
    date: dt.date = dt.date(2026, 3, 1),
    final: bool = True,
) -> Assessment:
    """An assessment whose objectives starting with one of ``achieved`` are achieved (e.g.
    "L1S" reaches Starting in L1), final unless told."""
    assessment = create_assessment(city=city, user=None, title=title, date=date)
    for prefix in achieved:
        Answer.objects.filter(assessment=assessment, objective__code__startswith=prefix).update(
            status="achieved"
        )
    if final:
        assessment = finalize(assessment=assessment, user=None)
    return assessment
