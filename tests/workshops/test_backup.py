"""A backup keeps every workshop: its participants, ratings and decisions come back as they
were, and a participant's credential still works after the restore."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from tests.reports.factories import make_assessment, make_city, people
from vertebra import access
from vertebra.assessments.models import AnswerEvent
from vertebra.reports.backup import restore_backup, write_backup
from vertebra.workshops import domain
from vertebra.workshops.models import Decision, Participant, Rating, Workshop

pytestmark = pytest.mark.django_db


def _workshops() -> dict[str, list[Any]]:
    return {
        "workshops": list(
            Workshop.objects.order_by("pk").values_list(
                "uuid", "title", "date", "policies", "stakeholder_types", "status", "join_code"
            )
        ),
        "participants": list(
            Participant.objects.order_by("pk").values_list(
                "name", "stakeholder_type", "token_digest"
            )
        ),
        "ratings": list(
            Rating.objects.order_by("pk").values_list(
                "participant__name", "objective_code", "status", "progress", "comment"
            )
        ),
        "decisions": list(
            Decision.objects.order_by("pk").values_list(
                "objective_code", "status", "note", "ratings", "agreement"
            )
        ),
        "notes": list(AnswerEvent.objects.filter(source="workshop").values_list("note", flat=True)),
    }


def test_a_backup_restores_workshops_ratings_and_decisions_as_they_were(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    city = make_city()
    editor = people(city)["editor"]
    assessment = make_assessment(city)
    workshop = domain.create_workshop(
        assessment=assessment,
        user=editor,
        data={
            "title": "Leadership",
            "date": dt.date(2026, 5, 4),
            "policies": ["L1"],
            "stakeholder_types": ["Media"],
            "anonymous": True,
        },
    )
    ana, key = domain.join(
        workshop=workshop, data={"name": "Ana", "stakeholder_type": "Media"}, address="10.0.0.1"
    )
    domain.rate(participant=ana, code="L1M1", data={"status": "in_progress", "progress": 40})
    domain.record_consensus(
        workshop=workshop,
        user=editor,
        answers=[domain.AgreedAnswer("L1M1", "in_progress", 50, "Plan drafted")],
    )
    before = _workshops()
    assert before["decisions"] == [("L1M1", "in_progress", "Plan drafted", 1, 1.0)]
    out = io.BytesIO()
    write_backup(out)
    Workshop.objects.all().delete()

    restore_backup(io.BytesIO(out.getvalue()), force=True)

    assert _workshops() == before
    found = access.participant_for(workshop.join_code, domain.digest(key))
    assert found is not None and found.name == "Ana"
