"""The assessment through a crosswalk in the API: the list, one crosswalk's exact figures, and
who may read them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import NO_CITY, NOT_AUTHENTICATED, PERSONAS, World, error
from vertebra.assessments.domain import save_answer
from vertebra.assessments.models import Answer

pytestmark = pytest.mark.django_db

CROSSWALK = "smr-rmm-undrr-ten-essentials"


def _set(world: World, **statuses: str) -> None:
    for code, status in statuses.items():
        answer = Answer.objects.select_related("assessment", "objective").get(
            assessment=world.draft, objective__code=code
        )
        changes: dict[str, Any] = {"status": status}
        if status == "not_applicable":
            changes["na_justification"] = "No such service here."
        save_answer(answer=answer, user=None, changes=changes, expected_version=answer.version)


def test_the_list_names_the_crosswalks_of_the_assessments_model(world: World) -> None:
    response = world.client("viewer").get(f"{world.base}/references")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["id"] == CROSSWALK
    assert item["version"] == 1
    assert item["url"] == world.url(f"{world.base}/references/{CROSSWALK}")
    assert item["reference"] == {
        "id": "undrr-ten-essentials",
        "name": "UNDRR Ten Essentials for Making Cities Resilient",
        "url": "https://mcr2030.undrr.org/",
    }
    assert "own reading" in item["description"]


def test_each_essential_counts_its_linked_objectives_by_status(world: World) -> None:
    _set(world, L1S2="achieved", L1M4="not_applicable", L1M3="in_progress")
    data = world.client("viewer").get(f"{world.base}/references/{CROSSWALK}").json()
    assert data["assessment"] == world.url(world.base)
    assert [item["code"] for item in data["items"]] == [f"E{n:02d}" for n in range(1, 11)]
    e04 = data["items"][3]
    assert e04 == {
        "code": "E04",
        "name": "Pursue resilient urban development and design",
        "linked": 3,
        "achieved": 1,
        "not_applicable": 1,
        "achieved_percent": 50,
        "objectives": [
            {
                "code": "L1S2",
                "text": "Integrate resilience into visions, policies and strategies for city "
                "development plans",
                "status": "achieved",
                "note": "Where the city development plans cover land use and building design.",
            },
            {
                "code": "L1M4",
                "text": "Establish a target for city-wide emissions reduction",
                "status": "not_applicable",
                "note": "An emissions target shapes how the city develops and builds.",
            },
            {
                "code": "I2A5",
                "text": "Incentivate the private sector to encourage the adoption of energy "
                "efficiency standards in new buildings",
                "status": "not_started",
                "note": "Energy efficiency standards for new buildings.",
            },
        ],
    }
    e05 = data["items"][4]
    assert (e05["linked"], e05["achieved"], e05["achieved_percent"]) == (1, 0, 0)
    assert e05["objectives"][0]["status"] == "in_progress"
    # Every one of the model's 96 objectives supports at least one essential.
    linked = {o["code"] for item in data["items"] for o in item["objectives"]}
    assert len(linked) == 96


def test_an_essential_whose_objectives_all_do_not_apply_has_no_percentage(world: World) -> None:
    _set(world, L1M3="not_applicable")
    e05 = world.client("viewer").get(f"{world.base}/references/{CROSSWALK}").json()["items"][4]
    assert (e05["linked"], e05["not_applicable"], e05["achieved_percent"]) == (1, 1, None)


def test_an_unknown_crosswalk_is_not_found(world: World) -> None:
    response = world.client("viewer").get(f"{world.base}/references/nope")
    assert (response.status_code, response.json()) == (
        404,
        error("not_found", "No such crosswalk for this assessment's model."),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", ["references", f"references/{CROSSWALK}"])
def test_references_are_read_by_every_member_and_nobody_else(
    world: World, persona: str, path: str
) -> None:
    response = world.client(persona).get(f"{world.base}/{path}")
    if persona == "anonymous":
        assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    elif persona == "outsider":
        assert (response.status_code, response.json()) == (404, NO_CITY)
    else:
        assert response.status_code == 200
        assert response.json() == world.client("admin").get(f"{world.base}/{path}").json()
