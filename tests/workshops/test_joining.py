"""Joining: the rate limit's settings, and a city member joining with their account."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.reports.factories import make_assessment, make_city, make_person
from vertebra.workshops import domain
from vertebra.workshops.models import JoinAttempt, Participant, Workshop

pytestmark = pytest.mark.django_db

DATA = {
    "title": "Leadership",
    "date": dt.date(2026, 5, 4),
    "policies": ["L1"],
    "stakeholder_types": ["Media", "Academia"],
}
NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _workshop() -> Workshop:
    city = make_city()
    city.stakeholder_types = ["Academia", "Media"]
    city.save()
    return domain.create_workshop(assessment=make_assessment(city), user=None, data=DATA)


def test_the_limit_per_address_follows_the_setting(settings: Any) -> None:
    settings.WORKSHOP_JOINS_PER_ADDRESS = 3
    workshop = _workshop()
    allowed = [domain.join_allowed(address="10.0.0.1", workshop=workshop, now=NOW) for _ in "1234"]
    assert allowed == [True, True, True, False]
    assert domain.join_allowed(address="10.0.0.2", workshop=workshop, now=NOW) is True


def test_the_limit_per_workshop_follows_the_setting(settings: Any) -> None:
    settings.WORKSHOP_JOINS_PER_WORKSHOP = 2
    workshop = _workshop()
    allowed = [
        domain.join_allowed(address=f"10.0.0.{n}", workshop=workshop, now=NOW) for n in range(3)
    ]
    assert allowed == [True, True, False]


def test_attempts_older_than_the_window_are_forgotten(settings: Any) -> None:
    settings.WORKSHOP_JOINS_PER_ADDRESS = 1
    settings.WORKSHOP_JOIN_WINDOW_MINUTES = 5
    workshop = _workshop()
    assert domain.join_allowed(address="10.0.0.1", workshop=workshop, now=NOW) is True
    later = NOW + dt.timedelta(minutes=4)
    assert domain.join_allowed(address="10.0.0.1", workshop=workshop, now=later) is False
    much_later = NOW + dt.timedelta(minutes=9, seconds=1)
    assert domain.join_allowed(address="10.0.0.1", workshop=workshop, now=much_later) is True
    assert JoinAttempt.objects.count() == 1


def _settings_with(env: dict[str, str], name: str) -> subprocess.CompletedProcess[str]:
    code = f"from django.conf import settings; print(settings.{name})"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "vertebra.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_limits_are_read_from_the_environment_with_unchanged_defaults() -> None:
    defaults = _settings_with(
        {
            "VERTEBRA_WORKSHOP_JOINS_PER_ADDRESS": "",
            "VERTEBRA_WORKSHOP_JOINS_PER_WORKSHOP": "",
            "VERTEBRA_WORKSHOP_JOIN_WINDOW_MINUTES": "",
        },
        "WORKSHOP_JOINS_PER_ADDRESS, settings.WORKSHOP_JOINS_PER_WORKSHOP, "
        "settings.WORKSHOP_JOIN_WINDOW_MINUTES",
    )
    assert defaults.stdout.split() == ["30", "200", "10"]
    changed = _settings_with(
        {"VERTEBRA_WORKSHOP_JOINS_PER_ADDRESS": "120"}, "WORKSHOP_JOINS_PER_ADDRESS"
    )
    assert changed.stdout.strip() == "120"


def test_a_wrong_limit_in_the_environment_stops_with_a_message_naming_it() -> None:
    wrong = _settings_with({"VERTEBRA_WORKSHOP_JOINS_PER_WORKSHOP": "many"}, "DEBUG")
    assert wrong.returncode != 0
    assert "VERTEBRA_WORKSHOP_JOINS_PER_WORKSHOP must be a whole number, not 'many'." in (
        wrong.stderr
    )
    zero = _settings_with({"VERTEBRA_WORKSHOP_JOIN_WINDOW_MINUTES": "0"}, "DEBUG")
    assert "VERTEBRA_WORKSHOP_JOIN_WINDOW_MINUTES must be at least 1, not 0." in zero.stderr


def test_a_member_joins_once_however_often_they_join() -> None:
    workshop = _workshop()
    member = make_person("mira@rivertown.example")
    member.name = "Mira Holm"
    member.save()
    first, first_key = domain.join(
        workshop=workshop,
        data={"name": "ignored", "stakeholder_type": "Media"},
        address="10.0.0.1",
        member=member,
    )
    again, again_key = domain.join(workshop=workshop, data={}, address="10.0.0.2", member=member)
    assert first.pk == again.pk
    assert first_key != again_key
    assert list(Participant.objects.values_list("name", "stakeholder_type", "token_digest")) == [
        ("Mira Holm", "Media", domain.digest(again_key))
    ]
    assert domain.joined_as(workshop=workshop, member=member) == again


def test_a_member_cannot_join_a_closed_workshop_again() -> None:
    workshop = _workshop()
    member = make_person("mira@rivertown.example")
    domain.join(
        workshop=workshop, data={"stakeholder_type": "Media"}, address="10.0.0.1", member=member
    )
    before = Participant.objects.get().token_digest
    domain.close(workshop=workshop)
    with pytest.raises(domain.JoinRefusedError):
        domain.join(workshop=workshop, data={}, address="10.0.0.1", member=member)
    assert Participant.objects.get().token_digest == before
