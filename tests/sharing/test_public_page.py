"""The public page for citizens: only what the city published, to anyone, and nothing else."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.sharing.factories import assessed, member
from vertebra.assessments.domain import finalize
from vertebra.assessments.evidence import add_attachment
from vertebra.cities.models import City
from vertebra.planning.models import Action, Target
from vertebra.sharing.models import Publication, SharingEvent
from vertebra.sharing.public import PublishError, publish

ADDRESSES = ("", "data.json", "data.csv", "badge.svg")


@pytest.fixture
def porto(db: None, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    city = City.objects.create(slug="porto", name="Porto")
    admin = member("ana.admin@porto.example", city)
    admin.name = "Ana Admin"
    admin.save()
    first = assessed(city, (), title="Review 2025", date=dt.date(2025, 3, 1))
    draft = assessed(city, (), title="Review 2026", date=dt.date(2026, 3, 1), final=False)
    minutes = draft.answers.get(objective__code="L1S1")
    add_attachment(
        answer=minutes,
        user=admin,
        upload=SimpleUploadedFile("board-minutes-secret.txt", b"Minutes"),
    )
    draft.answers.filter(objective__code__startswith="L1S").update(status="achieved")
    latest = finalize(assessment=draft, user=admin)
    latest.answers.filter(objective__code="L1S1").update(evidence="Secret council minutes")
    Target.objects.create(
        assessment=latest, policy_code="L1", stage_code="M", target_date=dt.date(2027, 6, 30)
    )
    action = Action.objects.create(
        city=city,
        assessment=latest,
        title="Set up the resilience board",
        owner_user=admin,
        owner_department="Mayor's office",
        due_date=dt.date(2026, 9, 1),
        cost=Decimal("12500.00"),
        status="planned",
    )
    action.objectives.set(latest.framework_version.objectives.filter(code="L1M1"))
    return {"city": city, "admin": admin, "first": first, "latest": latest}


def get(path: str, **headers: Any) -> Any:
    return Client().get(f"/public/{path}", **headers)


def test_a_city_that_has_not_published_has_no_public_page_like_an_unknown_city(
    porto: dict[str, Any],
) -> None:
    for address in ADDRESSES:
        mine, unknown = get(f"porto/{address}"), get(f"nowhere/{address}")
        assert (mine.status_code, unknown.status_code) == (404, 404)
        assert mine["Content-Type"] == unknown["Content-Type"]
        assert b"Porto" not in mine.content


def test_the_open_data_shows_stages_trend_matrix_and_the_plan_by_policy(
    porto: dict[str, Any],
) -> None:
    publish(assessment=porto["first"], by=porto["admin"], licence="CC0-1.0", include_costs=False)
    publish(assessment=porto["latest"], by=porto["admin"], licence="CC0-1.0", include_costs=False)

    data = get("porto/data.json").json()

    assert data["city"] == {"name": "Porto", "country": ""}
    assert data["licence"] == {
        "id": "CC0-1.0",
        "url": "https://creativecommons.org/publicdomain/zero/1.0/",
    }
    assert data["model"] == {"framework": "smr-rmm", "version": 1, "name": data["model"]["name"]}
    assert [(c["title"], c["date"], c["stage"]) for c in data["cycles"]] == [
        ("Review 2025", "2025-03-01", None),
        ("Review 2026", "2026-03-01", None),
    ]
    l1 = next(p for p in data["assessment"]["policies"] if p["code"] == "L1")
    assert (l1["stage"], l1["target"], l1["target_date"]) == ("S", "M", "2027-06-30")
    assert l1["plan"] == {
        "actions": 1,
        "by_status": {"planned": 1},
        "due_from": "2026-09-01",
        "due_until": "2026-09-01",
    }
    assert l1["matrix"][0]["stage"] == "S"
    assert l1["matrix"][0]["achieved"] == l1["matrix"][0]["objectives"]


def test_public_pages_and_data_hold_no_names_evidence_or_costs_unless_included(
    porto: dict[str, Any],
) -> None:
    publish(assessment=porto["latest"], by=porto["admin"], licence="CC-BY-4.0", include_costs=False)
    private = (
        "Ana Admin",
        "ana.admin@porto.example",
        "Secret council minutes",
        "Mayor's office",
        "Set up the resilience board",
        "12500",
        "board-minutes-secret",
    )

    for address in ADDRESSES:
        body = get(f"porto/{address}").content.decode()
        for text in private:
            assert text not in body, (address, text)

    publish(assessment=porto["latest"], by=porto["admin"], licence="CC-BY-4.0", include_costs=True)
    l1 = next(
        p for p in get("porto/data.json").json()["assessment"]["policies"] if p["code"] == "L1"
    )
    assert l1["plan"]["costs"] == [{"currency": "EUR", "amount": "12500.00"}]
    assert "12500.00 EUR" in get("porto/").content.decode()


def test_the_badge_is_an_svg_without_script(porto: dict[str, Any]) -> None:
    City.objects.filter(slug="porto").update(name="Porto <script>alert(1)</script>")
    publish(assessment=porto["latest"], by=None, licence="CC-BY-4.0", include_costs=False)

    badge = get("porto/badge.svg")

    assert badge["Content-Type"] == "image/svg+xml"
    assert badge["X-Content-Type-Options"] == "nosniff"
    body = badge.content.decode()
    assert body.startswith("<svg xmlns=")
    assert "<script" not in body.lower() and "on" + "load" not in body.lower()
    assert "Porto &lt;script&gt;" in body and "No stage yet" in body


def test_unpublishing_removes_the_page_and_data_at_once_even_when_kept(
    porto: dict[str, Any],
) -> None:
    publish(assessment=porto["latest"], by=porto["admin"], licence="CC-BY-4.0", include_costs=False)
    assert [get(f"porto/{a}").status_code for a in ADDRESSES] == [200] * 4
    etag = get("porto/")["ETag"]
    assert get("porto/", HTTP_IF_NONE_MATCH=etag).status_code == 304

    client = Client()
    client.force_login(porto["admin"])
    response = client.post(f"/cities/porto/sharing/assessments/{porto['latest'].uuid}/unpublish/")

    assert response.status_code == 302
    assert [get(f"porto/{a}").status_code for a in ADDRESSES] == [404] * 4
    assert get("porto/", HTTP_IF_NONE_MATCH=etag).status_code == 404
    kinds = list(SharingEvent.objects.order_by("id").values_list("kind", "by_email"))
    assert kinds == [
        ("published", "ana.admin@porto.example"),
        ("unpublished", "ana.admin@porto.example"),
    ]


def test_a_draft_cannot_be_published_and_nothing_is_written(porto: dict[str, Any]) -> None:
    draft = assessed(porto["city"], (), title="Draft 2027", date=dt.date(2027, 1, 1), final=False)
    client = Client()
    client.force_login(porto["admin"])

    response = client.post(
        f"/cities/porto/sharing/assessments/{draft.uuid}/publish/",
        {"licence": "CC-BY-4.0"},
    )

    assert response.status_code == 400
    assert "Only a final assessment can be published" in response.content.decode()
    assert not Publication.objects.exists()
    with pytest.raises(PublishError):
        publish(assessment=porto["latest"], by=None, licence="MIT", include_costs=False)
    assert not Publication.objects.exists()


def test_the_public_page_speaks_the_visitors_language_and_is_revalidated(
    porto: dict[str, Any],
) -> None:
    publish(assessment=porto["latest"], by=None, licence="CC-BY-4.0", include_costs=False)

    page = get("porto/")

    assert page["Cache-Control"] == "public, no-cache"
    assert "Accept-Language" in page["Vary"]
    assert "How resilient is Porto?" in page.content.decode()
    assert "Review 2026" in page.content.decode()
    assert "1 Mar 2026" in page.content.decode()  # dates as the visitor's language writes them


def test_the_public_page_is_drawn_in_a_fixed_number_of_queries(
    porto: dict[str, Any], django_assert_num_queries: Any, settings: Any
) -> None:
    publish(assessment=porto["latest"], by=None, licence="CC-BY-4.0", include_costs=False)
    with django_assert_num_queries(6) as first:
        assert get("porto/").status_code == 200
    with django_assert_num_queries(1):  # kept: only the city and its revision are read
        assert get("porto/").status_code == 200
    for n in range(5):
        Action.objects.create(
            city=porto["city"], assessment=porto["latest"], title=f"Action {n}", status="planned"
        )
    publish(assessment=porto["first"], by=None, licence="CC-BY-4.0", include_costs=False)
    with django_assert_num_queries(len(first.captured_queries)):
        assert get("porto/data.json").status_code == 200


def test_the_csv_has_a_row_per_level_and_no_cell_a_spreadsheet_would_run(
    porto: dict[str, Any],
) -> None:
    Assessment = type(porto["latest"])
    Assessment.objects.filter(pk=porto["latest"].pk).update(title='=HYPERLINK("x")')
    publish(assessment=porto["latest"], by=None, licence="CC0-1.0", include_costs=False)

    response = get("porto/data.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "framework", "version", "licence", "assessment", "date", "level", "code", "name",
        "stage", "target", "target_date", "actions", "due_from", "due_until", "costs",
    ]  # fmt: skip
    head = ["smr-rmm", "1", "CC0-1.0", '\'=HYPERLINK("x")', "2026-03-01"]
    assert rows[1] == [*head, "city", "", "Porto", "", "", "", "", "", "", ""]
    assert [r[5] for r in rows[1:]] == ["city"] + ["dimension"] * 4 + ["policy"] * 10
    l1 = next(r for r in rows if r[5:7] == ["policy", "L1"])
    assert l1[8:] == ["S", "M", "2027-06-30", "1", "2026-09-01", "2026-09-01", ""]
