"""The workshops' ratings and agreed answers in the XLSX and CSV exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.reports.factories import make_assessment, make_city, people
from tests.workshops.factories import open_workshop, rated, two_workshops
from vertebra.api.tokens import create_token
from vertebra.reports.exports import export_csv, export_xlsx
from vertebra.workshops.models import Decision

pytestmark = pytest.mark.django_db

RATING_HEADER = [
    "Workshop",
    "Date",
    "Participant",
    "Stakeholder type",
    "Objective",
    "Status",
    "Progress",
    "Comment",
]
DECISION_HEADER = [
    "Workshop",
    "Date",
    "Objective",
    "Agreed status",
    "Progress",
    "Note",
    "Ratings",
    "Agreement (%)",
    "Decided by",
    "Decided at (UTC)",
]


@pytest.fixture
def held() -> Any:
    city = make_city()
    persons = people(city)
    assessment = make_assessment(city)
    return city, persons, assessment, two_workshops(assessment, persons["editor"])


def _decided(code: str) -> dt.datetime:
    at = Decision.objects.get(objective_code=code).decided_at
    return at.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


def _sheet(data: bytes, name: str) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(data))[name]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_workbook_has_a_row_per_rating_and_per_agreed_answer(held: Any) -> None:
    _city, _persons, assessment, _held = held
    data = export_xlsx(assessment)
    assert load_workbook(io.BytesIO(data)).sheetnames == [
        "Answers",
        "Profile",
        "Actions",
        "Ratings",
        "Decisions",
        "About",
    ]
    may, june = dt.datetime(2026, 5, 4), dt.datetime(2026, 6, 5)
    assert _sheet(data, "Ratings") == [
        RATING_HEADER,
        [
            "Leadership",
            may,
            "Ana Quintela",
            "Emergency services",
            "L1S1",
            "Achieved",
            None,
            "Adopted in March",
        ],
        ["Leadership", may, "Ana Quintela", "Emergency services", "L1S2", "In progress", 30, None],
        ["Leadership", may, "Rui Baptista", "Media", "L1S1", "Achieved", None, None],
        ["Leadership", may, "Rui Baptista", "Media", "L1S2", "Not started", None, "=not yet"],
        ["Finance", june, "anonymous", "Media", "L1S1", "Don't know", None, "No idea"],
    ]
    assert _sheet(data, "Decisions") == [
        DECISION_HEADER,
        ["Leadership", may, "L1S1", "Achieved", None, "Plan adopted.", 2, 100,
         "editor@rivertown.example", _decided("L1S1")],
        ["Finance", june, "L1S2", "In progress", 40, "Budget pending.", 0, None,
         "editor@rivertown.example", _decided("L1S2")],
    ]  # fmt: skip
    assert b"Secret Person" not in data


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_ratings_and_decisions_csv_files_hold_the_same_rows_with_codes(held: Any) -> None:
    _city, _persons, assessment, _held = held
    ratings = export_csv(assessment, table="ratings")
    may = ["Leadership", "2026-05-04"]
    assert _csv(ratings) == [
        ["workshop", "date", "participant", "stakeholder_type", "objective", "status",
         "progress", "comment"],
        [*may, "Ana Quintela", "Emergency services", "L1S1", "achieved", "", "Adopted in March"],
        [*may, "Ana Quintela", "Emergency services", "L1S2", "in_progress", "30", ""],
        [*may, "Rui Baptista", "Media", "L1S1", "achieved", "", ""],
        [*may, "Rui Baptista", "Media", "L1S2", "not_started", "", "'=not yet"],
        ["Finance", "2026-06-05", "anonymous", "Media", "L1S1", "unknown", "", "No idea"],
    ]  # fmt: skip
    decisions = _csv(export_csv(assessment, table="decisions"))
    by = "editor@rivertown.example"
    assert decisions == [
        ["workshop", "date", "objective", "status", "progress", "note", "ratings", "agreement",
         "decided_by", "decided_at"],
        [*may, "L1S1", "achieved", "", "Plan adopted.", "2", "100", by,
         _decided("L1S1").isoformat(sep=" ")],
        ["Finance", "2026-06-05", "L1S2", "in_progress", "40", "Budget pending.", "0", "", by,
         _decided("L1S2").isoformat(sep=" ")],
    ]  # fmt: skip
    assert b"Secret Person" not in ratings


def test_answers_csv_stays_the_importable_answers_table(held: Any) -> None:
    _city, _persons, assessment, _held = held
    rows = _csv(export_csv(assessment))
    assert rows[0][:3] == ["objective", "dimension", "policy"]
    assert len(rows) == 97


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("editor", 200), ("contributor", 200), ("viewer", 200), ("outsider", 404)],
)
def test_every_member_downloads_the_workshop_tables(
    client: Any, held: Any, persona: str, status: int
) -> None:
    city, persons, assessment, _held = held
    client.force_login(persons[persona])
    for fmt, first in (("ratings.csv", b"workshop,date,participant"), ("decisions.csv", b"work")):
        response = client.get(reverse("reports:download", args=[city.slug, assessment.uuid, fmt]))
        assert response.status_code == status
        if status == 200:
            assert response["Content-Type"] == "text/csv; charset=utf-8"
            assert response["Content-Disposition"] == (
                f'attachment; filename="rivertown-review-2026.{fmt}"'
            )
            assert response.content.startswith(b"\xef\xbb\xbf" + first)


def test_anonymous_visitor_is_sent_to_log_in_for_the_workshop_tables(
    client: Any, held: Any
) -> None:
    city, _persons, assessment, _held = held
    url = reverse("reports:download", args=[city.slug, assessment.uuid, "ratings.csv"])
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")


@pytest.mark.parametrize(("persona", "status"), [("viewer", 200), ("outsider", 404)])
def test_api_exports_the_workshop_tables(client: Any, held: Any, persona: str, status: int) -> None:
    city, persons, assessment, _held = held
    _token, key = create_token(user=persons[persona], name="tests")
    base = f"/api/v1/cities/{city.slug}/assessments/{assessment.uuid}/exports/"
    response = client.get(base + "ratings.csv", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == status
    if status == 200:
        assert _csv(response.content)[5][:3] == ["Finance", "2026-06-05", "anonymous"]


def test_xlsx_queries_do_not_grow_with_workshops(client: Any, held: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    city, persons, assessment, _held = held
    client.force_login(persons["viewer"])
    url = reverse("reports:download", args=[city.slug, assessment.uuid, "xlsx"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for n in range(3):
        more = open_workshop(assessment, f"More {n}", dt.date(2026, 7, 1 + n))
        rated(
            more, f"P{n}", "Media", {"L1S1": ("achieved", None, ""), "L1M1": ("unknown", None, "")}
        )
    assert count() == before
