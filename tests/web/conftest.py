"""Factories for the web tests: a city with one person per role, an outsider and a draft."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment
from vertebra.assessments.models import Assessment
from vertebra.cities.models import City, Membership, Role

PERSONAS = ("admin", "editor", "contributor", "viewer", "outsider", "anonymous")


@dataclass
class World:
    city: City
    other_city: City
    assessment: Assessment
    people: dict[str, User]

    def client(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(self.people[persona])
        return client

    def url(self, suffix: str = "") -> str:
        return f"/cities/{self.city.slug}/assessments/{self.assessment.uuid}/{suffix}"


def make_person(email: str, city: City | None = None, role: str | None = None) -> User:
    user = User.objects.create_user(email, "pw")
    if city is not None and role is not None:
        Membership.objects.create(city=city, user=user, role=role)
    return user


@pytest.fixture
def world(db: None) -> World:
    city = City.objects.create(slug="porto", name="Porto")
    other = City.objects.create(slug="riga", name="Riga")
    people = {role.value: make_person(f"{role.value}@porto.example", city, role) for role in Role}
    people["outsider"] = make_person("outsider@riga.example", other, Role.ADMIN)
    assessment = create_assessment(
        city=city, user=people["admin"], title="Review 2026", date=dt.date(2026, 3, 1)
    )
    return World(city, other, assessment, people)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"
