"""Answers through the API: filters, lost-write safety, and all-or-nothing bulk updates."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import INVALID, SAVEPOINT, World, error, error_of
from vertebra.assessments.domain import finalize, save_answer
from vertebra.assessments.models import Answer, AnswerEvent

pytestmark = pytest.mark.django_db


def patch(client: Any, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.patch(path, json.dumps(body), content_type="application/json", **headers)


def answer(world: World, code: str) -> Answer:
    return Answer.objects.get(assessment=world.draft, objective__code=code)


def test_answers_list_filters_by_policy_stage_and_status(world: World) -> None:
    save_answer(
        answer=answer(world, "L1S1"), user=None, changes={"status": "achieved"}, source="test"
    )
    client = world.client("viewer")
    response = client.get(world.base + "/answers?policy=L1&stage=S")
    assert response.status_code == 200
    assert [a["code"] for a in response.json()["results"]] == ["L1S1", "L1S2"]
    response = client.get(world.base + "/answers?status=achieved")
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["url"] == world.url(world.base + "/answers/L1S1")


def test_answers_list_is_paginated_with_next_and_previous_addresses(world: World) -> None:
    response = world.client("viewer").get(world.base + "/answers?limit=40&offset=40")
    data = response.json()
    assert (data["count"], len(data["results"])) == (96, 40)
    assert data["next"] == world.url(world.base + "/answers?limit=40&offset=80")
    assert data["previous"] == world.url(world.base + "/answers?limit=40&offset=0")


def test_answers_list_names_an_unknown_policy_filter(world: World) -> None:
    response = world.client("viewer").get(world.base + "/answers?policy=Z9")
    assert response.status_code == 422
    assert response.json() == error(
        **{
            "code": "validation_error",
            "message": INVALID,
            "details": {
                "policy": "Unknown policy. Choose from: L1, L2, L3, L4, P1, P2, I1, I2, C1, C2."
            },
        }
    )


def test_an_update_reads_the_answer_once(world: World, django_assert_num_queries: Any) -> None:
    """Token, membership, assessment and answer; then count the change, UPDATE, history (in
    the test's transaction, with a SAVEPOINT and its RELEASE); the workshops it was agreed in."""
    client = world.client("editor")
    client.get(world.base)  # the token's use is recorded once a minute
    with django_assert_num_queries(10):
        response = client.patch(
            world.base + "/answers/L1S1",
            {"notes": "Checked with the fire service", "version": 1},
            content_type="application/json",
        )
    assert response.status_code == 200
    assert (response.json()["notes"], response.json()["version"], response["ETag"]) == (
        "Checked with the fire service",
        2,
        '"2"',
    )
    stored = Answer.objects.get(assessment=world.draft, objective__code="L1S1")
    assert (stored.notes, stored.version) == ("Checked with the fire service", 2)


def test_whole_assessment_read_uses_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    """Token, membership, and the assessment with its revision; the first read also reads
    the targets, the answers and the workshops they were agreed in."""
    client = world.client("viewer")
    client.get(world.base)  # the model's shape is read once per process; the token marked used
    with django_assert_num_queries(6):
        first = client.get(world.base + "?include=answers,profile")
    with django_assert_num_queries(3):
        repeated = client.get(world.base + "?include=answers,profile")
    assert first.content == repeated.content
    data = repeated.json()
    assert (len(data["answers"]), data["profile"]["total"]) == (96, 96)


def test_answers_list_uses_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(7 + SAVEPOINT):
        response = world.client("viewer").get(world.base + "/answers?limit=200")
    assert len(response.json()["results"]) == 96


def test_answer_update_saves_with_history_and_returns_new_version_and_etag(world: World) -> None:
    client = world.client("editor")
    response = patch(
        client,
        world.base + "/answers/L1S1",
        {"version": 1, "status": "in_progress", "progress": 40},
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["progress"], data["version"]) == ("in_progress", 40, 2)
    assert data["updated_by"] == "editor@north.example"
    assert response["ETag"] == '"2"'
    assert list(
        AnswerEvent.objects.filter(answer__objective__code="L1S1")
        .order_by("field")
        .values_list("field", "old_value", "new_value", "source")
    ) == [("progress", "", "40", "api"), ("status", "not_started", "in_progress", "api")]


def test_answer_update_accepts_the_version_as_if_match(world: World) -> None:
    response = patch(
        world.client("editor"),
        world.base + "/answers/L1S1",
        {"notes": "Agreed in the workshop."},
        HTTP_IF_MATCH='"1"',
    )
    assert (response.status_code, response.json()["notes"]) == (200, "Agreed in the workshop.")


def test_answer_update_without_a_version_is_428(world: World) -> None:
    response = patch(world.client("editor"), world.base + "/answers/L1S1", {"notes": "x"})
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    assert answer(world, "L1S1").notes == ""


def test_stale_answer_update_is_409_with_the_current_value_and_saves_nothing(
    world: World,
) -> None:
    save_answer(answer=answer(world, "L1S1"), user=None, changes={"notes": "Theirs"})
    response = patch(
        world.client("editor"), world.base + "/answers/L1S1", {"version": 1, "notes": "Mine"}
    )
    assert response.status_code == 409
    error = error_of(response.json())
    assert (error["code"], error["message"]) == (
        "conflict",
        "L1S1 was changed by someone else while you were editing it.",
    )
    assert (error["details"]["current"]["notes"], error["details"]["current"]["version"]) == (
        "Theirs",
        2,
    )
    assert answer(world, "L1S1").notes == "Theirs"


def test_answer_update_names_invalid_fields(world: World) -> None:
    response = patch(
        world.client("editor"),
        world.base + "/answers/L1S1",
        {"version": 1, "status": "not_applicable", "progress": 140, "colour": "red"},
    )
    assert response.status_code == 422
    assert response.json()["details"] == {
        "progress": "Input should be less than or equal to 100",
        "colour": "Extra inputs are not permitted",
    }
    response = patch(
        world.client("editor"),
        world.base + "/answers/L1S1",
        {"version": 1, "status": "not_applicable"},
    )
    assert response.json()["details"] == {
        "na_justification": "Say why this objective does not apply to the city."
    }


def test_answer_update_on_a_final_assessment_is_409(world: World) -> None:
    finalize(assessment=world.draft, user=None)
    response = patch(
        world.client("admin"), world.base + "/answers/L1S1", {"version": 1, "notes": "x"}
    )
    assert response.status_code == 409
    assert error_of(response.json()) == {
        "code": "assessment_final",
        "message": "This assessment is final and can no longer be changed.",
        "details": {},
    }


def test_bulk_update_saves_every_answer_in_one_request(world: World) -> None:
    items = [
        {"code": a.objective.code, "version": 1, "status": "achieved"}
        for a in world.draft.answers.select_related("objective")
    ]
    response = patch(world.client("editor"), world.base + "/answers", {"answers": items})
    assert response.status_code == 200
    data = response.json()
    assert len(data["changed"]) == 96
    assert {a["status"] for a in data["results"]} == {"achieved"}
    assert AnswerEvent.objects.filter(assessment=world.draft, source="api").count() == 96
    profile = world.client("viewer").get(world.base + "/profile").json()
    assert profile["overall"] == {"stage": "T"}


def test_bulk_update_with_one_bad_item_saves_nothing_and_names_it(world: World) -> None:
    items = [
        {"code": "L1S1", "version": 1, "status": "achieved"},
        {"code": "L1S2", "version": 1, "status": "not_applicable"},
        {"code": "NOPE", "version": 1},
        {"code": "L1S1", "version": 1, "notes": "again"},
    ]
    response = patch(world.client("editor"), world.base + "/answers", {"answers": items})
    assert response.status_code == 422
    assert response.json()["details"] == {
        "answers.1.na_justification": "L1S2: Say why this objective does not apply to the city.",
        "answers.2.code": "No objective NOPE in this assessment.",
        "answers.3.code": "L1S1 appears more than once.",
    }
    assert AnswerEvent.objects.filter(assessment=world.draft).count() == 0
    assert answer(world, "L1S1").status == "not_started"


def test_bulk_update_with_one_stale_item_saves_nothing_and_shows_current(world: World) -> None:
    save_answer(answer=answer(world, "L1S2"), user=None, changes={"notes": "Theirs"})
    items = [
        {"code": "L1S1", "version": 1, "status": "achieved"},
        {"code": "L1S2", "version": 1, "status": "achieved"},
    ]
    response = patch(world.client("editor"), world.base + "/answers", {"answers": items})
    assert response.status_code == 409
    error = error_of(response.json())
    assert error["message"] == (
        "L1S2 changed since you read them; nothing was saved. Read them again and repeat your "
        "changes."
    )
    assert list(error["details"]["current"]) == ["L1S2"]
    assert error["details"]["current"]["L1S2"]["notes"] == "Theirs"
    assert answer(world, "L1S1").status == "not_started"


def test_answer_history_lists_changes_newest_first(world: World) -> None:
    client = world.client("editor")
    patch(client, world.base + "/answers/L1S1", {"version": 1, "status": "in_progress"})
    patch(client, world.base + "/answers/L1S1", {"version": 2, "status": "achieved"})
    response = world.client("viewer").get(world.base + "/answers/L1S1/history")
    assert [
        (e["field"], e["old_value"], e["new_value"], e["user"], e["source"])
        for e in response.json()["results"]
    ] == [
        ("status", "in_progress", "achieved", "editor@north.example", "api"),
        ("status", "not_started", "in_progress", "editor@north.example", "api"),
    ]
