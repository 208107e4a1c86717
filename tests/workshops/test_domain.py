"""Join codes: short, without look-alikes, unique among the workshops that are not closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.reports.factories import make_assessment, make_city
from vertebra.workshops import domain

pytestmark = pytest.mark.django_db

DATA = {
    "title": "Leadership",
    "date": dt.date(2026, 5, 4),
    "policies": ["L1"],
    "stakeholder_types": ["Media"],
}


def test_a_code_taken_by_an_open_workshop_is_drawn_again(monkeypatch: Any) -> None:
    draws = iter(["KQ7M3X", "KQ7M3X", "HT4W9P"])
    monkeypatch.setattr(domain, "_new_code", lambda: next(draws))
    assessment = make_assessment(make_city())
    first = domain.create_workshop(assessment=assessment, user=None, data=DATA)
    second = domain.create_workshop(assessment=assessment, user=None, data=DATA)
    assert (first.join_code, second.join_code) == ("KQ7M3X", "HT4W9P")


def test_a_closed_workshops_code_may_be_used_again(monkeypatch: Any) -> None:
    monkeypatch.setattr(domain, "_new_code", lambda: "KQ7M3X")
    assessment = make_assessment(make_city())
    first = domain.create_workshop(assessment=assessment, user=None, data=DATA)
    domain.close(workshop=first)
    second = domain.create_workshop(assessment=assessment, user=None, data=DATA)
    assert (first.join_code, second.join_code, second.status) == ("KQ7M3X", "KQ7M3X", "open")


def test_codes_are_six_characters_without_look_alikes() -> None:
    codes = {domain._new_code() for _ in range(200)}
    assert all(len(code) == 6 for code in codes)
    assert not set("".join(codes)) & set("0O1IL")
    assert len(codes) == 200


def test_a_typed_code_is_read_whatever_its_case_spaces_or_dashes() -> None:
    assert domain.normalized_code(" kq7-m3x ") == "KQ7M3X"
