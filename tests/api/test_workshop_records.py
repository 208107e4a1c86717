"""What stays after workshops, through the API: each answer's ``agreed`` list."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import World
from tests.api.test_workshops import join, open_workshop, rate

pytestmark = pytest.mark.django_db


def _agree(world: World, workshop: dict[str, Any], *answers: dict[str, Any]) -> None:
    response = world.client("editor").post(
        workshop["url"] + "/consensus", {"answers": list(answers)}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()


def _two_workshops(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    first = open_workshop(world, title="Leadership", date="2026-05-04")
    for name, status in (("Ana", "achieved"), ("Rui", "achieved"), ("Eva", "in_progress")):
        rate(first, join(first, name, "Media"), "L1S1", status=status)
    _agree(world, first, {"code": "L1S1", "status": "achieved", "note": "Plan adopted."})
    second = open_workshop(world, title="Finance", date="2026-06-05")
    for name, status in (("Ana", "achieved"), ("Rui", "not_started")):
        rate(second, join(second, name, "Media", address="10.0.0.2"), "L1S1", status=status)
    _agree(world, second, {"code": "L1S1", "status": "in_progress", "progress": 40})
    return first, second


def _expected(world: World, first: dict[str, Any], second: dict[str, Any], *, links: bool):
    return [
        {
            "workshop": {
                "id": second["id"],
                "title": "Finance",
                "date": "2026-06-05",
                "url": second["url"] if links else None,
            },
            "status": "in_progress",
            "progress": 40,
            "note": "",
            "ratings": 2,
            "agreement": 0.5,
        },
        {
            "workshop": {
                "id": first["id"],
                "title": "Leadership",
                "date": "2026-05-04",
                "url": first["url"] if links else None,
            },
            "status": "achieved",
            "progress": None,
            "note": "Plan adopted.",
            "ratings": 3,
            "agreement": pytest.approx(2 / 3),
        },
    ]


def _without_times(agreed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for item in agreed:
        assert isinstance(item.pop("decided_at"), str)
    return agreed


@pytest.mark.parametrize(
    ("persona", "links"),
    [("admin", True), ("editor", True), ("contributor", False), ("viewer", False)],
)
def test_an_answer_lists_the_workshops_it_was_agreed_in_latest_first(
    world: World, persona: str, links: bool
) -> None:
    first, second = _two_workshops(world)
    client = world.client(persona)
    one = client.get(world.base + "/answers/L1S1").json()
    expected = _expected(world, first, second, links=links)
    assert _without_times(one["agreed"]) == expected
    listed = client.get(world.base + "/answers?policy=L1").json()["results"]
    assert [(a["code"], len(a["agreed"])) for a in listed if a["agreed"]] == [("L1S1", 2)]
    whole = client.get(world.base + "?include=answers").json()["answers"]
    assert _without_times(whole[0]["agreed"]) == expected
    assert all(a["agreed"] == [] for a in whole[1:])


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("anonymous", 401)])
def test_others_do_not_read_an_answers_agreements(world: World, persona: str, status: int) -> None:
    _two_workshops(world)
    response = world.client(persona).get(world.base + "/answers/L1S1")
    assert response.status_code == status
    assert "agreed" not in response.json()


def test_answers_list_queries_do_not_grow_with_workshops(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client("viewer")
    client.get(world.base)  # the token's use is recorded once a minute

    def count() -> tuple[int, dict[str, int]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(world.base + "/answers?limit=200")
        results = response.json()["results"]
        return len(queries), {a["code"]: len(a["agreed"]) for a in results if a["agreed"]}

    none = count()
    _two_workshops(world)
    third = open_workshop(world, title="Health", date="2026-07-01")
    _agree(
        world,
        third,
        {"code": "L1S2", "status": "achieved"},
        {"code": "L1M1", "status": "not_started"},
    )
    assert count() == (none[0], {"L1S1": 2, "L1S2": 1, "L1M1": 1})


def test_an_anonymous_workshops_participants_are_named_nowhere(world: World) -> None:
    from django.test import Client

    workshop = open_workshop(world, title="Finance", date="2026-06-05", anonymous=True)
    key = join(workshop, "Secret Person", "Media")
    rate(workshop, key, "L1S1", status="achieved", comment="From the harbour")
    _agree(world, workshop, {"code": "L1S1", "status": "achieved", "note": "Agreed."})
    editor = world.client("editor")
    reads = [
        f"{world.base}/workshops",
        workshop["url"],
        workshop["url"] + "/results",
        f"{world.base}/answers/L1S1",
        f"{world.base}?include=answers,profile",
        f"{world.base}/exports/json",
        f"{world.base}/exports/csv",
        f"{world.base}/exports/ratings.csv",
        f"{world.base}/exports/decisions.csv",
    ]
    for url in reads:
        response = editor.get(url)
        assert response.status_code == 200, url
        assert b"Secret Person" not in response.content, url
    ratings = editor.get(f"{world.base}/exports/ratings.csv").content.decode("utf-8-sig")
    assert '"anonymous","Media","L1S1","achieved","","From the harbour"' in ratings
    pages = Client()
    pages.force_login(world.people["editor"])
    site = f"/cities/{world.city.slug}/assessments/{world.draft.uuid}/"
    for url in ("", "policies/L1/", "workshops/", f"workshops/{workshop['id']}/",
                f"workshops/{workshop['id']}/live/", "report.ratings.csv"):  # fmt: skip
        response = pages.get(site + url)
        assert response.status_code == 200, url
        assert b"Secret Person" not in response.content, url
