"""Assessments through the API: list and filter, create, new cycle, finalize, profile."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from tests.api.conftest import INVALID, SAVEPOINT, World, error_of
from vertebra.assessments.domain import create_assessment, finalize, save_answer
from vertebra.assessments.models import Answer, Assessment

pytestmark = pytest.mark.django_db


def post(client: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_assessments_list_filters_by_status_newest_first(
    world: World, django_assert_max_num_queries: Any
) -> None:
    older = create_assessment(
        city=world.city, user=None, title="Baseline 2025", date=dt.date(2025, 3, 1)
    )
    finalize(assessment=older, user=None)
    client = world.client("viewer")
    with django_assert_max_num_queries(6 + SAVEPOINT):
        data = client.get("/api/v1/cities/north/assessments").json()
    assert [(a["title"], a["status"]) for a in data["results"]] == [
        ("Baseline 2026", "draft"),
        ("Baseline 2025", "final"),
    ]
    finals = client.get("/api/v1/cities/north/assessments?status=final").json()
    assert [a["id"] for a in finals["results"]] == [str(older.uuid)]
    first = data["results"][0]
    assert first["url"] == world.url(world.base)
    assert first["answers_url"] == world.url(world.base + "/answers")
    assert first["exports"]["pdf"] == world.url(world.base + "/exports/pdf")
    assert (first["answered"], first["total"], first["overall_stage"]) == (0, 96, None)


def test_create_assessment_copying_a_previous_cycle(world: World) -> None:
    source = Answer.objects.get(assessment=world.draft, objective__code="L1S1")
    save_answer(answer=source, user=None, changes={"status": "achieved", "evidence": "Minutes"})
    response = post(
        world.client("editor"),
        "/api/v1/cities/north/assessments",
        {"title": "Review 2027", "date": "2027-03-01", "copy_from": str(world.draft.uuid)},
    )
    assert response.status_code == 201
    data = response.json()
    created = Assessment.objects.get(uuid=data["id"])
    assert (data["title"], data["status"], data["answered"]) == ("Review 2027", "draft", 1)
    assert data["previous"] == world.url(world.base)
    assert data["created_by"] == "editor@north.example"
    copied = Answer.objects.get(assessment=created, objective__code="L1S1")
    assert (copied.status, copied.evidence) == ("achieved", "Minutes")


def test_create_assessment_refuses_a_cycle_of_another_city(world: World) -> None:
    response = post(
        world.client("admin"),
        "/api/v1/cities/north/assessments",
        {"title": "X", "date": "2027-03-01", "copy_from": str(world.other_assessment.uuid)},
    )
    assert response.status_code == 422
    assert error_of(response.json()) == {
        "code": "validation_error",
        "message": INVALID,
        "details": {"copy_from": "No assessment with this id in this city."},
    }
    assert Assessment.objects.filter(city=world.city).count() == 1


def test_new_cycle_copies_the_assessment(world: World) -> None:
    response = post(
        world.client("admin"), world.base + "/cycles", {"title": "Next", "date": "2027-01-10"}
    )
    assert response.status_code == 201
    assert response.json()["previous"] == world.url(world.base)


def test_finalize_makes_the_assessment_final_once(world: World) -> None:
    client = world.client("admin")
    response = post(client, world.base + "/finalize")
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["finalized_by"]) == ("final", "admin@north.example")
    again = post(client, world.base + "/finalize")
    assert again.status_code == 409
    assert again.json()["code"] == "assessment_final"


def test_assessment_detail_embeds_answers_and_profile_on_request(world: World) -> None:
    client = world.client("contributor")
    plain = client.get(world.base).json()
    assert (plain["answers"], plain["profile"]) == (None, None)
    full = client.get(world.base + "?include=answers,profile").json()
    assert full["answers"][0]["code"] == "L1S1"
    assert full["profile"]["url"] == world.url(world.base + "/profile")


def test_profile_carries_targets_and_the_objectives_toward_them(world: World) -> None:
    client = world.client("admin")
    client.patch(
        world.base + "/targets",
        json.dumps({"targets": {"L1": "S"}}),
        content_type="application/json",
    )
    profile = world.client("viewer").get(world.base + "/profile").json()
    assert profile["policies"]["L1"]["target"] == "S"
    assert profile["policies"]["L1"]["to_target"] == ["L1S1", "L1S2"]
    assert profile["policies"]["L2"]["target"] is None
    assert (profile["framework"], profile["version"], profile["answered"]) == ("smr-rmm", 1, 0)


def test_whole_assessment_read_seen_before_shows_every_change(world: World) -> None:
    from vertebra.assessments.evidence import add_comment
    from vertebra.planning.domain import set_targets

    client = world.client("viewer")
    path = world.base + "?include=answers,profile"

    def l1s1(data: dict[str, Any]) -> dict[str, Any]:
        return next(a for a in data["answers"] if a["code"] == "L1S1")

    first = client.get(path).json()
    assert (l1s1(first)["status"], first["answered"]) == ("not_started", 0)
    assert first["profile"]["policies"]["L1"]["target"] is None

    answer = Answer.objects.select_related("assessment", "objective").get(
        assessment=world.draft, objective__code="L1S1"
    )
    save_answer(answer=answer, user=world.people["editor"], changes={"status": "achieved"})
    second = client.get(path).json()
    assert (l1s1(second)["status"], l1s1(second)["version"], second["answered"]) == (
        "achieved",
        2,
        1,
    )
    assert l1s1(second)["updated_by"] == "editor@north.example"

    set_targets(assessment=world.draft, user=None, targets={"L1": "M"})
    third = client.get(path).json()
    assert third["profile"]["policies"]["L1"]["target"] == "M"

    add_comment(answer=answer, user=world.people["contributor"], text="Seen.")
    assert client.get(path).json() == third  # a comment is not part of this read

    world.people["editor"].email = "lead@north.example"
    world.people["editor"].save()
    assert l1s1(client.get(path).json())["updated_by"] == "lead@north.example"


def test_whole_assessment_read_depends_on_what_was_asked_and_the_host(world: World) -> None:
    client = world.client("viewer")
    full = client.get(world.base + "?include=answers,profile").json()
    answers_only = client.get(world.base + "?include=answers").json()
    bare = client.get(world.base).json()
    assert ("answers" in full, "profile" in full) == (True, True)
    assert (answers_only["profile"], len(answers_only["answers"])) == (None, 96)
    assert (bare["answers"], bare["profile"]) == (None, None)
    other_host = client.get(world.base, HTTP_HOST="localhost").json()
    assert other_host["url"] == "http://localhost" + world.base
    assert bare["url"] == world.url(world.base)


def test_whole_assessment_read_answers_304_while_nothing_changed(world: World) -> None:
    client = world.client("viewer")
    path = world.base + "?include=answers,profile"
    first = client.get(path)
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)
    same = client.get(path, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    assert (same.status_code, same.content, same["ETag"]) == (304, b"", etag)
    assert client.get(path, HTTP_IF_NONE_MATCH="*").status_code == 304
    # Another include is another representation, with its own tag.
    bare = client.get(world.base, HTTP_IF_NONE_MATCH=etag)
    assert bare.status_code == 200 and bare["ETag"] != etag

    answer = Answer.objects.select_related("assessment", "objective").get(
        assessment=world.draft, objective__code="L1S1"
    )
    save_answer(answer=answer, user=None, changes={"status": "achieved"})
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["answered"] == 1
    assert client.get(path, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304
