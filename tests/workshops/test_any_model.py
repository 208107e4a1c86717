"""Workshops on a model other than the SMR model: its policies, its objectives, its answers."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures.any_model import FLOOD_V1, load_model
from tests.reports.factories import make_city
from vertebra.assessments.domain import create_assessment
from vertebra.workshops import domain

pytestmark = pytest.mark.django_db


def _flood_assessment():  # type: ignore[no-untyped-def]
    return create_assessment(
        city=make_city(),
        user=None,
        title="Floods 2026",
        date=dt.date(2026, 4, 1),
        framework_version=load_model(FLOOD_V1),
    )


def test_workshop_covers_the_objectives_of_the_chosen_policies_of_the_assessments_model():
    assessment = _flood_assessment()
    workshop = domain.create_workshop(
        assessment=assessment,
        user=None,
        data={
            "title": "Warnings",
            "date": dt.date(2026, 5, 4),
            "policies": ["O2", "O1"],
            "stakeholder_types": ["Media"],
        },
    )
    assert workshop.policies == ["O1", "O2"]
    assert domain.covered_codes(workshop) == ["O1B1", "O1E1", "O1X1", "O2B1", "O2E1", "O2X1"]


def test_workshop_refuses_a_policy_the_assessments_model_lacks():
    assessment = _flood_assessment()
    with pytest.raises(domain.WorkshopValidationError) as caught:
        domain.create_workshop(
            assessment=assessment,
            user=None,
            data={
                "title": "Leadership",
                "date": dt.date(2026, 5, 4),
                "policies": ["L1"],
                "stakeholder_types": ["Media"],
            },
        )
    assert caught.value.errors == {"policies": "Unknown policy L1. Choose from: G1, G2, O1, O2."}
    assert assessment.workshops.count() == 0


def test_participants_rate_and_the_agreed_answer_is_saved_on_the_model():
    assessment = _flood_assessment()
    workshop = domain.create_workshop(
        assessment=assessment,
        user=None,
        data={
            "title": "Warnings",
            "date": dt.date(2026, 5, 4),
            "policies": ["O1"],
            "stakeholder_types": ["Media"],
        },
    )
    participant, _key = domain.join(
        workshop=workshop,
        data={"name": "Ana", "stakeholder_type": "Media"},
        address="192.0.2.1",
    )
    domain.rate(participant=participant, code="O1B1", data={"status": "achieved"})
    results = domain.results_of(workshop)
    assert [(r.code, r.ratings, r.distribution["achieved"]) for r in results.objectives] == [
        ("O1B1", 1, 1),
        ("O1E1", 0, 0),
        ("O1X1", 0, 0),
    ]
    domain.record_consensus(
        workshop=workshop,
        user=None,
        answers=[domain.AgreedAnswer(code="O1B1", status="achieved", version=1)],
    )
    assert dict(
        assessment.answers.exclude(status="not_started").values_list("objective__code", "status")
    ) == {"O1B1": "achieved"}
