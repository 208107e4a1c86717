"""Targets and actions through the API, with validation, filters and lost-write safety."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import INVALID, World, error_of
from vertebra.planning.domain import create_action, update_action
from vertebra.planning.models import Action, ActionEvent

pytestmark = pytest.mark.django_db


def send(client: Any, method: str, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.generic(
        method, path, json.dumps(body), content_type="application/json", **headers
    )


def test_admin_sets_targets_per_dimension_with_a_policy_exception(world: World) -> None:
    response = send(
        world.client("admin"),
        "PATCH",
        world.base + "/targets",
        {"dimensions": {"L": "M"}, "targets": {"L2": "A"}, "target_date": "2028-06-30"},
    )
    assert response.status_code == 200
    assert response.json()["targets"] == [
        {"policy": "L1", "stage": "M", "target_date": "2028-06-30"},
        {"policy": "L2", "stage": "A", "target_date": "2028-06-30"},
        {"policy": "L3", "stage": "M", "target_date": "2028-06-30"},
        {"policy": "L4", "stage": "M", "target_date": "2028-06-30"},
    ]


def test_targets_with_unknown_codes_are_refused_by_name(world: World) -> None:
    response = send(
        world.client("admin"),
        "PATCH",
        world.base + "/targets",
        {"targets": {"Q9": "A", "L1": "Z"}},
    )
    assert response.status_code == 422
    assert response.json()["details"] == {
        "targets.Q9": "Unknown policy Q9.",
        "targets.L1": "Unknown stage Z; use one of S, M, A, R, T.",
    }


def test_action_create_then_read_with_its_url(world: World) -> None:
    response = send(
        world.client("editor"),
        "POST",
        world.base + "/actions",
        {
            "title": "Resilience team charter",
            "objectives": ["L1S1", "L1S2"],
            "owner": "editor@north.example",
            "cost": "1500.5",
            "start_date": "2026-04-01",
            "due_date": "2026-09-30",
            "stakeholder_types": ["Emergency services"],
        },
    )
    assert response.status_code == 201
    data = response.json()
    assert data["url"] == world.url(f"{world.base}/actions/{data['id']}")
    assert (data["objectives"], data["policies"], data["owner"], data["cost"]) == (
        ["L1S1", "L1S2"],
        ["L1"],
        "editor@north.example",
        "1500.50",
    )
    read = world.client("viewer").get(data["url"].removeprefix("http://testserver"))
    assert (read.json(), read["ETag"]) == (data, '"1"')


def test_action_create_refuses_bad_input_and_saves_nothing(world: World) -> None:
    response = send(
        world.client("editor"),
        "POST",
        world.base + "/actions",
        {
            "title": "Bad",
            "objectives": ["L1S1", "ZZ9"],
            "cost": -5,
            "start_date": "2027-01-01",
            "due_date": "2026-01-01",
            "owner": "admin@south.example",
        },
    )
    assert response.status_code == 422
    assert error_of(response.json()) == {
        "code": "validation_error",
        "message": INVALID,
        "details": {
            "objectives": "ZZ9 are not objectives of SMR Resilience Maturity Model (v1).",
            "cost": "The cost cannot be negative.",
            "owner": "admin@south.example is not a member of North City.",
            "due_date": "The due date (1 Jan 2026) is before the start date (1 Jan 2027).",
        },
    }
    assert Action.objects.count() == 0


def test_actions_list_filters_by_status_owner_and_policy(world: World) -> None:
    admin = world.people["admin"]
    create_action(
        assessment=world.draft,
        user=admin,
        data={"title": "A", "objectives": ["L1S1"], "owner_user": world.people["editor"]},
    )
    create_action(
        assessment=world.draft,
        user=admin,
        data={"title": "B", "objectives": ["P1S1"], "owner_department": "Civil Protection"},
    )
    create_action(assessment=world.draft, user=admin, data={"title": "C", "status": "planned"})
    client = world.client("editor")

    def titles(query: str) -> list[str]:
        return [a["title"] for a in client.get(world.base + "/actions" + query).json()["results"]]

    assert titles("") == ["A", "B", "C"]
    assert titles("?policy=L1") == ["A"]
    assert titles("?owner=me") == ["A"]
    assert titles("?owner=civil%20protection") == ["B"]
    assert titles("?status=planned") == ["C"]


def test_stale_action_update_is_409_with_the_current_action(world: World) -> None:
    action = create_action(assessment=world.draft, user=None, data={"title": "Plan"})
    update_action(action=action, user=None, changes={"title": "Their plan"})
    path = f"{world.base}/actions/{action.uuid}"
    response = send(world.client("editor"), "PATCH", path, {"version": 1, "title": "My plan"})
    assert response.status_code == 409
    current = response.json()["details"]["current"]
    assert (current["title"], current["version"]) == ("Their plan", 2)
    ok = send(world.client("editor"), "PATCH", path, {"title": "My plan"}, HTTP_IF_MATCH='"2"')
    assert (ok.status_code, ok.json()["title"], ok["ETag"]) == (200, "My plan", '"3"')


def test_action_delete_needs_the_version_and_keeps_history(world: World) -> None:
    action = create_action(assessment=world.draft, user=None, data={"title": "Plan"})
    path = f"{world.base}/actions/{action.uuid}"
    assert world.client("editor").delete(path).status_code == 428
    assert world.client("editor").delete(path + "?version=1").status_code == 204
    assert not Action.objects.filter(pk=action.pk).exists()
    assert list(
        ActionEvent.objects.filter(action_uuid=action.uuid)
        .order_by("id")
        .values_list("field", flat=True)
    ) == ["created", "currency", "status", "deleted"]


def test_notes_and_proposals(world: World) -> None:
    client = world.client("admin")
    send(client, "PATCH", world.base + "/targets", {"targets": {"L1": "S"}})
    response = send(client, "POST", world.base + "/actions/proposals", {})
    assert response.status_code == 201
    proposals = response.json()["results"]
    assert [a["objectives"] for a in proposals] == [["L1S1"], ["L1S2"]]
    note = send(
        client,
        "POST",
        proposals[0]["notes_url"].removeprefix("http://testserver"),
        {"text": "Started."},
    )
    assert note.status_code == 201
    assert [n["text"] for n in note.json()["notes"]] == ["Started."]


def test_a_final_assessments_plan_refuses_changes_with_409_but_records_its_carrying_out(
    world: World,
) -> None:
    from vertebra.assessments.domain import finalize

    action = create_action(assessment=world.draft, user=None, data={"title": "Flood drill"})
    finalize(assessment=world.draft, user=world.people["admin"])
    admin, editor = world.client("admin"), world.client("editor")
    refused = [
        send(admin, "PATCH", world.base + "/targets", {"targets": {"L1": "M"}}),
        send(editor, "POST", world.base + "/actions", {"title": "Late idea"}),
        send(
            editor,
            "PATCH",
            f"{world.base}/actions/{action.uuid}",
            {"title": "Renamed", "version": 1},
        ),
        editor.delete(f"{world.base}/actions/{action.uuid}", HTTP_IF_MATCH='"1"'),
    ]
    for response in refused:
        assert response.status_code == 409
        assert "This assessment is final" in response.content.decode()
    assert list(world.draft.targets.all()) == []
    assert list(Action.objects.filter(assessment=world.draft).values_list("title", "version")) == [
        ("Flood drill", 1)
    ]
    carried_out = send(
        editor,
        "PATCH",
        f"{world.base}/actions/{action.uuid}",
        {"status": "in_progress", "version": 1},
    )
    assert carried_out.status_code == 200
    assert (carried_out.json()["status"], carried_out.json()["version"]) == ("in_progress", 2)
