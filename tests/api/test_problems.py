"""Every error under /api/ is a problem document (RFC 9457), whoever refused the request: the
API's handlers, django-ninja, or Django before any endpoint ran."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import INVALID, KINDS, NO_CITY, NOT_AUTHENTICATED, World, error

pytestmark = pytest.mark.django_db

NO_ENDPOINT = "There is no API endpoint at this address."


def send(client: Client, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    content = json.dumps(body) if body is not None else ""
    return client.generic(method, path, content, content_type="application/json", **extra)


def test_errors_of_every_kind_are_problem_documents(world: World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    admin, viewer = world.client("admin"), world.client("viewer")
    answer = world.base + "/answers/L1S1"
    cases = {
        "no token": Client().get("/api/v1/cities"),
        "a role without the verb": send(viewer, "PATCH", answer, {"status": "achieved"}),
        "another city": send(world.client("outsider"), "GET", "/api/v1/cities/north"),
        "no endpoint under v1": admin.get("/api/v1/nothing/here"),
        "no endpoint under /api/": admin.get("/api/v2/cities"),
        "the bare /api/": admin.get("/api/"),
        "a method not allowed": admin.delete("/api/v1/cities"),
        "a stale body version": send(admin, "PATCH", answer, {"version": 7, "notes": "x"}),
        "a stale If-Match": send(admin, "PATCH", answer, {"notes": "x"}, HTTP_IF_MATCH='"7"'),
        "a body too large": send(admin, "PATCH", answer, {"version": 1, "notes": "x" * 5000}),
        "a form instead of JSON": admin.patch(
            answer, "notes=x", content_type="application/x-www-form-urlencoded"
        ),
        "a body that is not JSON": admin.patch(answer, "{notes", content_type="application/json"),
        "invalid values": send(admin, "PATCH", answer, {"version": 1, "progress": 101}),
        "no version": send(admin, "PATCH", answer, {"notes": "x"}),
    }
    statuses = {name: response.status_code for name, response in cases.items()}
    assert statuses == {
        "no token": 401,
        "a role without the verb": 403,
        "another city": 404,
        "no endpoint under v1": 404,
        "no endpoint under /api/": 404,
        "the bare /api/": 404,
        "a method not allowed": 405,
        "a stale body version": 409,
        "a stale If-Match": 412,
        "a body too large": 413,
        "a form instead of JSON": 415,
        "a body that is not JSON": 400,
        "invalid values": 422,
        "no version": 428,
    }
    for name, response in cases.items():
        assert response["Content-Type"] == "application/problem+json", name
        document = response.json()
        status, title = KINDS[document["code"]]
        assert document == {
            "type": "/api/v1/problems/" + document["code"],
            "title": title,
            "status": response.status_code,
            "detail": document["detail"],
            "code": document["code"],
            "details": document["details"],
        }, name
        assert status == response.status_code, name
    assert cases["no token"].json() == NOT_AUTHENTICATED
    assert cases["no token"]["WWW-Authenticate"] == 'Bearer realm="vertebra"'
    assert cases["another city"].json() == NO_CITY
    assert cases["no endpoint under /api/"].json() == error("not_found", NO_ENDPOINT)
    assert cases["a method not allowed"].json() == error(
        "method_not_allowed",
        "DELETE is not allowed here. Allowed: GET.",
        {"allowed": ["GET"]},
    )
    assert cases["a method not allowed"]["Allow"] == "GET"
    assert cases["a form instead of JSON"].json() == error(
        "unsupported_media_type",
        "Send the body as JSON, with 'Content-Type: application/json' "
        "(got 'application/x-www-form-urlencoded').",
    )
    assert cases["invalid values"].json() == error(
        "validation_error", INVALID, {"progress": "Input should be less than or equal to 100"}
    )


def test_a_request_refused_by_django_before_any_view_is_a_problem_document(world: World) -> None:
    response = world.client("admin").get("/api/v1/cities", HTTP_HOST="elsewhere.example")
    assert (response.status_code, response["Content-Type"]) == (400, "application/problem+json")
    assert response.json() == error(
        "bad_request", "The body is not valid JSON, or the request is malformed."
    )


def test_pages_outside_the_api_keep_their_html_errors(world: World) -> None:
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_each_problem_type_is_described_at_its_address_without_a_token() -> None:
    kinds = Client().get("/api/v1/problems")
    assert kinds.status_code == 200
    assert [(k["code"], k["status"], k["title"]) for k in kinds.json()["results"]] == [
        (code, status, title) for code, (status, title) in KINDS.items()
    ]
    codes = {k["code"]: k for k in kinds.json()["results"]}
    one = Client().get("/api/v1/problems/precondition_failed")
    assert (
        one.json()
        == codes["precondition_failed"]
        == {
            "type": "/api/v1/problems/precondition_failed",
            "code": "precondition_failed",
            "status": 412,
            "title": "The precondition failed",
            "description": "The If-Match header names no current version of the object (a weak "
            "tag never matches); details.current holds the current value. Nothing was saved.",
        }
    )
    unknown = Client().get("/api/v1/problems/nonsense")
    assert unknown.json() == error("not_found", "No such kind of problem.")


class RefuseEverything:
    """A middleware that answers before any view, as a body-size limit would: plain text."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from django.http import HttpResponse

        if request.headers.get("X-Refuse") == "crash":
            raise RuntimeError("a middleware broke")
        response = HttpResponse("too large", status=413, content_type="text/plain")
        response["Retry-After"] = "5"
        return response


def test_an_error_answered_by_a_middleware_before_the_api_is_a_problem_document(
    world: World, settings: Any
) -> None:
    assert settings.MIDDLEWARE[0] == "vertebra.api.middleware.ProblemDetailsMiddleware"
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0],  # the problem documents, outermost
        "tests.api.test_problems.RefuseEverything",
        *settings.MIDDLEWARE[1:],
    ]
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    refused = world.client("admin").post("/api/v1/cities/north/assessments", {})
    assert (refused.status_code, refused["Content-Type"], refused["Retry-After"]) == (
        413,
        "application/problem+json",
        "5",
    )
    assert refused.json() == error(
        "payload_too_large", "The body is larger than the server accepts. Nothing was saved."
    )
    crashed = Client(raise_request_exception=False).get("/api/v1/cities", HTTP_X_REFUSE="crash")
    assert (crashed.status_code, crashed.json()) == (
        500,
        error("server_error", "A fault on the server. It is logged; no internals are shown."),
    )
    page = Client().get("/login/")
    assert (page.status_code, page.content) == (413, b"too large")  # pages keep their own
