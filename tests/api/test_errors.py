"""One error shape for every failure, including 404, 405, 400, 422 and 500."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import INVALID, World, error
from vertebra.assessments.models import Assessment

pytestmark = pytest.mark.django_db


def test_unknown_address_under_the_api_is_404_in_the_error_shape(world: World) -> None:
    response = world.client("admin").get("/api/v1/nothing/here")
    assert (response.status_code, response.json()) == (
        404,
        error(
            **{
                "code": "not_found",
                "message": "There is no API endpoint at this address.",
                "details": {},
            }
        ),
    )


def test_wrong_method_is_405_in_the_error_shape(world: World) -> None:
    response = world.client("admin").delete("/api/v1/cities")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == error(
        **{
            "code": "method_not_allowed",
            "message": "DELETE is not allowed here. Allowed: GET.",
            "details": {"allowed": ["GET"]},
        }
    )


def test_body_that_is_not_json_is_400(world: World) -> None:
    response = world.client("admin").post(
        "/api/v1/cities/north/assessments", "{title", content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "bad_request")
    assert response.json()["detail"] == "The request body is not valid JSON."


def test_validation_error_names_each_failing_field(world: World) -> None:
    response = world.client("admin").post(
        "/api/v1/cities/north/assessments",
        {"title": "  ", "date": "31/12/2026"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == error(
        **{
            "code": "validation_error",
            "message": INVALID,
            "details": {
                "title": "String should have at least 1 character",
                "date": "Input should be a valid date or datetime, invalid character in year",
            },
        }
    )


def test_server_error_is_500_in_the_error_shape_without_internals(
    world: World, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("vertebra.api.endpoints.cities.city_json", broken)
    response = world.client("admin").get("/api/v1/cities/north")
    assert (response.status_code, response.json()) == (
        500,
        error(
            **{
                "code": "server_error",
                "message": "Something went wrong on the server. The error has been logged.",
                "details": {},
            }
        ),
    )


def test_body_over_the_size_limit_is_413_in_the_error_shape(world: World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"text": "x" * 2000})
    response = world.client("editor").post(
        world.base + "/answers/L1S1/comments", body, content_type="application/json"
    )
    assert (response.status_code, response.json()) == (
        413,
        error(
            **{
                "code": "payload_too_large",
                "message": "The request is too large: send at most 1.0\xa0KB of data "
                "(files excepted).",
                "details": {},
            }
        ),
    )


def test_text_that_no_database_can_store_is_422_naming_where(world: World) -> None:
    from vertebra.assessments.models import Assessment

    body = '{"title": "Cycle\\u0000 2027", "date": "2027-01-01", "notes": ["ok", "\\ud800"]}'
    response = world.client("admin").post(
        "/api/v1/cities/north/assessments", body, content_type="application/json"
    )
    assert (response.status_code, response.json()) == (
        422,
        error(
            **{
                "code": "validation_error",
                "message": "Some text in the request cannot be stored.",
                "details": {
                    "body.title": "Text may not contain the NUL character (\\u0000).",
                    "body.notes.1": "Text contains broken Unicode (half of a surrogate pair).",
                },
            }
        ),
    )
    assert Assessment.objects.filter(city=world.city).count() == 1


def test_nul_character_in_an_address_is_refused_before_any_lookup(world: World) -> None:
    response = world.client("admin").get(f"{world.base}/answers/L1S1%00")
    assert (response.status_code, response.json()) == (
        422,
        error(
            **{
                "code": "validation_error",
                "message": "The address contains a NUL character, which is not allowed.",
                "details": {},
            }
        ),
    )
    response = world.client("admin").get(f"{world.base}/answers?status=%00")
    assert response.status_code == 422


def test_a_titles_length_is_checked_on_what_was_sent_as_documented(world: World) -> None:
    """The OpenAPI document says at most 200 characters: control characters count too."""
    client = world.client("admin")
    before = Assessment.objects.count()
    response = client.post(
        "/api/v1/cities/north/assessments",
        {"title": "\u0093" + "T" * 200, "date": "2026-12-31"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["details"] == {"title": "String should have at most 200 characters"}
    assert Assessment.objects.count() == before
    saved = client.post(
        "/api/v1/cities/north/assessments",
        {"title": "\u0093 Review\u001f 2027 ", "date": "2026-12-31"},
        content_type="application/json",
    )
    assert (saved.status_code, saved.json()["title"]) == (201, "Review 2027")
