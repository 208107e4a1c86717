"""Progress notes, merging, finishing and confirming actions, and the city's stakeholder types,
through the API with every persona."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.api.conftest import (
    FORBIDDEN,
    INVALID,
    NO_CITY,
    NOT_AUTHENTICATED,
    PERSONAS,
    PRECONDITION_FAILED,
    World,
    error,
    error_of,
)
from vertebra.assessments.domain import finalize
from vertebra.assessments.models import Answer, AnswerEvent
from vertebra.cities.models import DEFAULT_STAKEHOLDER_TYPES
from vertebra.planning.domain import add_note, create_action, finish_action, update_action
from vertebra.planning.models import Action, ActionEvent, ActionNote

pytestmark = pytest.mark.django_db

MEMBERS = {"admin", "editor", "contributor", "viewer"}
WRITERS = {"admin", "editor"}


def send(world: World, persona: str, method: str, path: str, body: Any, **headers: str) -> Any:
    return world.client(persona).generic(
        method, path, json.dumps(body), content_type="application/json", **headers
    )


def refused(persona: str) -> tuple[int, dict[str, Any]]:
    if persona == "anonymous":
        return 401, NOT_AUTHENTICATED
    if persona == "outsider":
        return 404, NO_CITY
    return 403, FORBIDDEN


def _status(world: World, code: str) -> tuple[str, str]:
    answer = Answer.objects.get(assessment=world.draft, objective__code=code)
    return answer.status, answer.evidence


@pytest.fixture
def action(world: World) -> Action:
    return create_action(
        assessment=world.draft,
        user=world.people["admin"],
        data={
            "title": "Resilience team charter",
            "objectives": ["L1S1", "L1S2"],
            "cost": "1000",
            "start_date": dt.date(2026, 4, 1),
            "due_date": dt.date(2026, 6, 30),
            "status": "planned",
        },
    )


def _path(world: World, action: Action, tail: str = "") -> str:
    return f"{world.base}/actions/{action.uuid}{tail}"


# --- progress notes ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_progress_notes_are_listed_newest_first_for_every_member(
    world: World, action: Action, persona: str
) -> None:
    add_note(action=action, user=world.people["editor"], text="Kick-off", date=dt.date(2026, 4, 2))
    add_note(
        action=action, user=world.people["admin"], text="Draft ready", date=dt.date(2026, 5, 9)
    )
    response = world.client(persona).get(_path(world, action, "/notes"))
    if persona in MEMBERS:
        assert response.status_code == 200
        data = response.json()
        assert data["count"] == 2
        notes = {n.text: n.uuid for n in ActionNote.objects.all()}
        assert [
            {k: v for k, v in note.items() if k != "created_at"} for note in data["results"]
        ] == [
            {
                "url": world.url(_path(world, action, f"/notes/{notes['Draft ready']}")),
                "id": str(notes["Draft ready"]),
                "action": world.url(_path(world, action)),
                "date": "2026-05-09",
                "text": "Draft ready",
                "author": "admin@north.example",
            },
            {
                "url": world.url(_path(world, action, f"/notes/{notes['Kick-off']}")),
                "id": str(notes["Kick-off"]),
                "action": world.url(_path(world, action)),
                "date": "2026-04-02",
                "text": "Kick-off",
                "author": "editor@north.example",
            },
        ]
    else:
        assert (response.status_code, response.json()) == refused(persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_progress_note_is_read_at_its_own_url_by_every_member(
    world: World, action: Action, persona: str
) -> None:
    add_note(action=action, user=world.people["editor"], text="Kick-off", date=dt.date(2026, 4, 2))
    note = ActionNote.objects.get()
    embedded = world.client("viewer").get(_path(world, action)).json()["notes"]
    url = world.url(_path(world, action, f"/notes/{note.uuid}"))
    assert embedded == [
        {
            "url": url,
            "id": str(note.uuid),
            "date": "2026-04-02",
            "text": "Kick-off",
            "author": "editor@north.example",
        }
    ]
    response = world.client(persona).get(url.removeprefix("http://testserver"))
    if persona in MEMBERS:
        assert response.status_code == 200
        assert {k: v for k, v in response.json().items() if k != "created_at"} == {
            **embedded[0],
            "action": world.url(_path(world, action)),
        }
    else:
        assert (response.status_code, response.json()) == refused(persona)


def test_a_note_is_not_found_under_another_action(world: World, action: Action) -> None:
    other = create_action(assessment=world.draft, user=None, data={"title": "Other"})
    add_note(action=action, user=None, text="Kick-off", date=dt.date(2026, 4, 2))
    note = ActionNote.objects.get()
    response = world.client("viewer").get(_path(world, other, f"/notes/{note.uuid}"))
    assert (response.status_code, response.json()) == (
        404,
        error(**{"code": "not_found", "message": "No such note on this action.", "details": {}}),
    )


# --- merging -------------------------------------------------------------------------------


@pytest.fixture
def other(world: World) -> Action:
    return create_action(
        assessment=world.draft,
        user=world.people["admin"],
        data={
            "title": "Risk register",
            "objectives": ["L1M1"],
            "cost": "250.50",
            "due_date": dt.date(2026, 9, 30),
            "stakeholder_types": ["Emergency services"],
        },
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_merge_folds_other_actions_into_one_for_editors_and_admins(
    world: World, action: Action, other: Action, persona: str
) -> None:
    add_note(action=other, user=None, text="Register template chosen")
    response = send(
        world,
        persona,
        "POST",
        _path(world, action, "/merge"),
        {"others": [str(other.uuid)]},
        HTTP_IF_MATCH='"1"',
    )
    if persona in WRITERS:
        assert response.status_code == 200
        data = response.json()
        assert (
            data["title"],
            data["objectives"],
            data["cost"],
            data["start_date"],
            data["due_date"],
            data["stakeholder_types"],
            [n["text"] for n in data["notes"]],
            data["version"],
        ) == (
            "Resilience team charter",
            ["L1S1", "L1S2", "L1M1"],
            "1250.50",
            "2026-04-01",
            "2026-09-30",
            ["Emergency services"],
            ["Register template chosen"],
            2,
        )
        assert response["ETag"] == '"2"'
        assert list(Action.objects.values_list("title", flat=True)) == ["Resilience team charter"]
        merged_into = ActionEvent.objects.get(action_uuid=other.uuid, field="merged_into")
        assert (merged_into.new_value, merged_into.source) == ("Resilience team charter", "api")
    else:
        assert (response.status_code, response.json()) == refused(persona)
        assert Action.objects.count() == 2


def test_merge_with_a_stale_version_is_409_and_merges_nothing(
    world: World, action: Action, other: Action
) -> None:
    update_action(action=action, user=None, changes={"title": "Team charter"})
    response = send(
        world,
        "editor",
        "POST",
        _path(world, action, "/merge"),
        {"others": [str(other.uuid)], "version": 1},
    )
    assert response.status_code == 409
    assert response.json()["details"]["current"]["title"] == "Team charter"
    assert Action.objects.count() == 2


def test_merge_without_a_version_is_428(world: World, action: Action, other: Action) -> None:
    response = send(
        world, "editor", "POST", _path(world, action, "/merge"), {"others": [str(other.uuid)]}
    )
    assert response.status_code == 428
    assert response.json()["details"] == {"version": "Required."}


def test_merge_names_actions_that_are_not_in_the_assessment(world: World, action: Action) -> None:
    foreign = create_action(
        assessment=world.other_assessment, user=None, data={"title": "South's action"}
    )
    response = send(
        world,
        "admin",
        "POST",
        _path(world, action, "/merge"),
        {"others": [str(foreign.uuid)], "version": 1},
    )
    assert response.status_code == 422
    assert error_of(response.json()) == {
        "code": "validation_error",
        "message": INVALID,
        "details": {"others": f"No action with the id {foreign.uuid} in this assessment."},
    }
    assert Action.objects.filter(pk=foreign.pk).exists()


def test_merge_refuses_costs_in_different_currencies(
    world: World, action: Action, other: Action
) -> None:
    update_action(action=other, user=None, changes={"currency": "NOK"})
    response = send(
        world,
        "admin",
        "POST",
        _path(world, action, "/merge"),
        {"others": [str(other.uuid)], "version": 1},
    )
    assert response.status_code == 422
    assert response.json()["details"] == {
        "others": "These actions have costs in different currencies (EUR, NOK); change them to "
        "one currency before merging."
    }


# --- finishing and confirming --------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_finish_marks_the_action_done_and_leaves_the_assessment_alone(
    world: World, action: Action, persona: str
) -> None:
    response = send(world, persona, "POST", _path(world, action, "/finish"), {"version": 1})
    if persona in WRITERS:
        assert response.status_code == 200
        data = response.json()
        assert (data["status"], data["version"], response["ETag"]) == ("done", 2, '"2"')
        assert [(a["code"], a["status"]) for a in data["to_confirm"]] == [
            ("L1S1", "not_started"),
            ("L1S2", "not_started"),
        ]
        assert data["confirmations_url"] == world.url(_path(world, action, "/confirmations"))
        assert AnswerEvent.objects.count() == 0
        assert _status(world, "L1S1") == ("not_started", "")
    else:
        assert (response.status_code, response.json()) == refused(persona)
        assert Action.objects.get().status == "planned"


def test_finish_with_a_stale_version_is_409(world: World, action: Action) -> None:
    response = send(world, "editor", "POST", _path(world, action, "/finish"), {"version": 7})
    assert response.status_code == 409
    assert response.json()["details"]["current"]["status"] == "planned"


@pytest.mark.parametrize("persona", PERSONAS)
def test_objectives_to_confirm_are_read_by_every_member(
    world: World, action: Action, persona: str
) -> None:
    before = world.client(persona).get(_path(world, action, "/confirmations"))
    finish_action(action=action, user=None)
    after = world.client(persona).get(_path(world, action, "/confirmations"))
    if persona in MEMBERS:
        url = world.url(_path(world, action))
        assert before.json() == {"url": url + "/confirmations", "action": url, "to_confirm": []}
        data = after.json()
        assert (data["url"], data["action"]) == (url + "/confirmations", url)
        assert [a["code"] for a in data["to_confirm"]] == ["L1S1", "L1S2"]
    else:
        assert (after.status_code, after.json()) == refused(persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_confirm_marks_objectives_achieved_with_evidence_for_editors_and_admins(
    world: World, action: Action, persona: str
) -> None:
    finish_action(action=action, user=None)
    response = send(
        world,
        persona,
        "POST",
        _path(world, action, "/confirmations"),
        {"codes": ["L1S2"], "evidence": "Charter signed 30 June 2026"},
    )
    if persona in WRITERS:
        assert response.status_code == 200
        data = response.json()
        assert [(a["code"], a["status"], a["evidence"]) for a in data["confirmed"]] == [
            ("L1S2", "achieved", "Charter signed 30 June 2026")
        ]
        assert [a["code"] for a in data["to_confirm"]] == ["L1S1"]
        assert _status(world, "L1S2") == ("achieved", "Charter signed 30 June 2026")
        assert sorted(
            AnswerEvent.objects.filter(objective_code="L1S2").values_list("field", "source", "user")
        ) == [
            ("evidence", "action", world.people[persona].pk),
            ("status", "action", world.people[persona].pk),
        ]
    else:
        assert (response.status_code, response.json()) == refused(persona)
        assert _status(world, "L1S2") == ("not_started", "")


def test_confirm_names_what_is_missing(world: World, action: Action) -> None:
    response = send(
        world,
        "editor",
        "POST",
        _path(world, action, "/confirmations"),
        {"codes": ["P1S1"], "evidence": " "},
    )
    assert response.status_code == 422
    assert response.json()["details"] == {
        "evidence": "Say what shows that the objective is achieved.",
        "status": "Finish the action before confirming its objectives.",
        "codes": "P1S1: not an objective of this action that is still to be confirmed.",
    }
    assert AnswerEvent.objects.count() == 0


def test_confirm_on_a_final_assessment_is_409(world: World, action: Action) -> None:
    finish_action(action=action, user=None)
    finalize(assessment=world.draft, user=world.people["admin"])
    response = send(
        world,
        "admin",
        "POST",
        _path(world, action, "/confirmations"),
        {"codes": ["L1S1"], "evidence": "Minutes"},
    )
    assert (response.status_code, response.json()) == (
        409,
        error(
            **{
                "code": "assessment_final",
                "message": "The assessment is final; record the achievement in the next cycle.",
                "details": {},
            }
        ),
    )


# --- stakeholder types ---------------------------------------------------------------------

TYPES_PATH = "/api/v1/cities/north/stakeholder-types"


@pytest.mark.parametrize("persona", PERSONAS)
def test_stakeholder_types_are_read_by_every_member(world: World, persona: str) -> None:
    response = world.client(persona).get(TYPES_PATH)
    if persona in MEMBERS:
        assert response.status_code == 200
        assert response.json() == {
            "url": world.url(TYPES_PATH),
            "stakeholder_types": DEFAULT_STAKEHOLDER_TYPES,
        }
        assert response["ETag"].startswith('"')
    else:
        assert (response.status_code, response.json()) == refused(persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_stakeholder_types_are_set_by_admins_only(world: World, persona: str) -> None:
    response = send(
        world,
        persona,
        "PUT",
        TYPES_PATH,
        {"stakeholder_types": [" Utilities ", "Schools", "Utilities", ""]},
    )
    world.city.refresh_from_db()
    if persona == "admin":
        assert response.status_code == 200
        assert response.json() == {
            "url": world.url(TYPES_PATH),
            "stakeholder_types": ["Utilities", "Schools"],
        }
        assert world.city.stakeholder_types == ["Utilities", "Schools"]
    else:
        assert (response.status_code, response.json()) == refused(persona)
        assert world.city.stakeholder_types == DEFAULT_STAKEHOLDER_TYPES


def test_stakeholder_types_in_use_cannot_be_removed(world: World, other: Action) -> None:
    response = send(world, "admin", "PUT", TYPES_PATH, {"stakeholder_types": ["Media"]})
    assert response.status_code == 422
    assert response.json()["details"] == {
        "stakeholder_types": "Still used by actions, so they cannot be removed: Emergency services."
    }


def test_stakeholder_types_cannot_be_emptied(world: World) -> None:
    response = send(world, "admin", "PUT", TYPES_PATH, {"stakeholder_types": [" "]})
    assert response.status_code == 422
    assert response.json()["details"] == {
        "stakeholder_types": "Keep at least one stakeholder type."
    }


def test_stakeholder_types_changed_since_read_are_412_and_kept(world: World) -> None:
    etag = world.client("admin").get(TYPES_PATH)["ETag"]
    first = send(
        world, "admin", "PUT", TYPES_PATH, {"stakeholder_types": ["Media"]}, HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200
    second = send(
        world, "admin", "PUT", TYPES_PATH, {"stakeholder_types": ["Schools"]}, HTTP_IF_MATCH=etag
    )
    assert second.status_code == 412
    assert error_of(second.json()) == {
        "code": "precondition_failed",
        "message": PRECONDITION_FAILED,
        "details": {"current": ["Media"]},
    }
    world.city.refresh_from_db()
    assert world.city.stakeholder_types == ["Media"]


def test_city_links_to_its_stakeholder_types(world: World) -> None:
    data = world.client("viewer").get("/api/v1/cities/north").json()
    assert data["stakeholder_types_url"] == world.url(TYPES_PATH)
