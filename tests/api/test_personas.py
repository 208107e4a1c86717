"""Every endpoint with every persona: each role, a non-member and a caller without a token.

Reads are open to every member; writes to admins and editors; finalizing and targets to
admins. A non-member gets 404 (the city's existence does not leak), no token gets 401.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import FORBIDDEN, NO_CITY, NOT_AUTHENTICATED, PERSONAS, World, error
from vertebra.cities import team
from vertebra.cities.models import Membership
from vertebra.planning.domain import create_action

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: Callable[[World, Any], str]
    access: str  # "read", "write" or "admin"
    success: int = 200
    body: Callable[[World, Any], dict[str, Any]] | None = None


def _a(w: World, _x: Any) -> str:
    return w.base


def _member(w: World, _x: Any) -> str:
    viewer = Membership.objects.get(city=w.city, user=w.people["viewer"])
    return f"/api/v1/cities/north/members/{viewer.uuid}"


def _invitation(w: World, _x: Any) -> str:
    invitation, _token = team.invite(city=w.city, email="new@north.example", role="viewer", by=None)
    return f"/api/v1/cities/north/invitations/{invitation.uuid}"


ENDPOINTS = [
    Endpoint("cities detail", "GET", lambda w, _x: "/api/v1/cities/north", "read"),
    Endpoint("assessments list", "GET", lambda w, _x: "/api/v1/cities/north/assessments", "read"),
    Endpoint(
        "assessment create",
        "POST",
        lambda w, _x: "/api/v1/cities/north/assessments",
        "write",
        201,
        lambda w, _x: {"title": "Next", "date": "2027-03-01"},
    ),
    Endpoint("assessment detail", "GET", _a, "read"),
    Endpoint("assessment finalize", "POST", lambda w, _x: w.base + "/finalize", "admin"),
    Endpoint(
        "assessment new cycle",
        "POST",
        lambda w, _x: w.base + "/cycles",
        "write",
        201,
        lambda w, _x: {"title": "Review 2027", "date": "2027-03-01"},
    ),
    Endpoint("profile", "GET", lambda w, _x: w.base + "/profile", "read"),
    Endpoint("answers list", "GET", lambda w, _x: w.base + "/answers", "read"),
    Endpoint("answer detail", "GET", lambda w, _x: w.base + "/answers/L1S1", "read"),
    Endpoint("answer history", "GET", lambda w, _x: w.base + "/answers/L1S1/history", "read"),
    Endpoint(
        "answer update",
        "PATCH",
        lambda w, _x: w.base + "/answers/L1S1",
        "write",
        200,
        lambda w, _x: {"version": 1, "status": "achieved"},
    ),
    Endpoint(
        "answers bulk update",
        "PATCH",
        lambda w, _x: w.base + "/answers",
        "write",
        200,
        lambda w, _x: {"answers": [{"code": "L1S1", "version": 1, "status": "in_progress"}]},
    ),
    Endpoint("targets", "GET", lambda w, _x: w.base + "/targets", "read"),
    Endpoint(
        "targets set",
        "PATCH",
        lambda w, _x: w.base + "/targets",
        "admin",
        200,
        lambda w, _x: {"targets": {"L1": "A"}},
    ),
    Endpoint("actions list", "GET", lambda w, _x: w.base + "/actions", "read"),
    Endpoint(
        "action create",
        "POST",
        lambda w, _x: w.base + "/actions",
        "write",
        201,
        lambda w, _x: {"title": "Set up a resilience team"},
    ),
    Endpoint(
        "actions proposals", "POST", lambda w, _x: w.base + "/actions/proposals", "write", 201
    ),
    Endpoint("action detail", "GET", lambda w, x: f"{w.base}/actions/{x.uuid}", "read"),
    Endpoint(
        "action update",
        "PATCH",
        lambda w, x: f"{w.base}/actions/{x.uuid}",
        "write",
        200,
        lambda w, _x: {"version": 1, "status": "planned"},
    ),
    Endpoint(
        "action delete", "DELETE", lambda w, x: f"{w.base}/actions/{x.uuid}?version=1", "write", 204
    ),
    Endpoint(
        "action note",
        "POST",
        lambda w, x: f"{w.base}/actions/{x.uuid}/notes",
        "write",
        201,
        lambda w, _x: {"text": "Kick-off meeting held."},
    ),
    Endpoint("action history", "GET", lambda w, x: f"{w.base}/actions/{x.uuid}/history", "read"),
    Endpoint("export json", "GET", lambda w, _x: w.base + "/exports/json", "read"),
    Endpoint("export csv", "GET", lambda w, _x: w.base + "/exports/csv", "read"),
    # The city's team: admins only.
    Endpoint("members list", "GET", lambda w, _x: "/api/v1/cities/north/members", "admin"),
    Endpoint("member detail", "GET", _member, "admin"),
    Endpoint(
        "member update", "PATCH", _member, "admin", 200, lambda w, _x: {"role": "contributor"}
    ),
    Endpoint("member delete", "DELETE", _member, "admin", 204),
    Endpoint("invitations list", "GET", lambda w, _x: "/api/v1/cities/north/invitations", "admin"),
    Endpoint("invitation detail", "GET", _invitation, "admin"),
    Endpoint(
        "invitation create",
        "POST",
        lambda w, _x: "/api/v1/cities/north/invitations",
        "admin",
        201,
        lambda w, _x: {"email": "new@north.example", "role": "viewer"},
    ),
    Endpoint("invitation resend", "POST", lambda w, x: _invitation(w, x) + "/resend", "admin", 200),
    Endpoint("invitation delete", "DELETE", _invitation, "admin", 204),
]

ALLOWED = {
    "read": {"admin", "editor", "contributor", "viewer"},
    "write": {"admin", "editor"},
    "admin": {"admin"},
}


def expected(endpoint: Endpoint, persona: str) -> tuple[int, dict[str, Any] | None]:
    if persona == "anonymous":
        return 401, NOT_AUTHENTICATED
    if persona == "outsider":
        return 404, NO_CITY
    if persona in ALLOWED[endpoint.access]:
        return endpoint.success, None
    return 403, FORBIDDEN


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_endpoint_answers_each_persona_as_the_browser_would(
    world: World, endpoint: Endpoint, persona: str
) -> None:
    action = create_action(
        assessment=world.draft, user=world.people["admin"], data={"title": "Existing action"}
    )
    client = world.client(persona)
    path = endpoint.path(world, action)
    body = endpoint.body(world, action) if endpoint.body else None
    response = client.generic(
        endpoint.method,
        path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
    )
    status, error_body = expected(endpoint, persona)
    assert response.status_code == status, response.content
    if error_body is not None:
        assert response.json() == error_body
    elif status == 204:
        assert response.content == b""
    elif endpoint.name == "export csv":
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            'attachment; filename="north-2026-03-01-baseline-2026.csv"'
        )
    else:
        data = response.json()
        assert "url" in data or "results" in data or "targets" in data
        if "url" in data:
            assert data["url"].startswith("http://testserver/api/v1/")


@pytest.mark.parametrize("persona", ["admin", "editor", "contributor", "viewer", "outsider"])
def test_cities_list_holds_exactly_the_callers_cities_and_role(world: World, persona: str) -> None:
    response = world.client(persona).get("/api/v1/cities")
    assert response.status_code == 200
    slug = "south" if persona == "outsider" else "north"
    role = "admin" if persona == "outsider" else persona
    assert [(c["slug"], c["role"], c["can_write"]) for c in response.json()["results"]] == [
        (slug, role, role in {"admin", "editor"})
    ]


def test_cities_list_without_token_is_401(world: World) -> None:
    response = world.client("anonymous").get("/api/v1/cities")
    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    assert response["WWW-Authenticate"] == 'Bearer realm="vertebra"'


@pytest.mark.parametrize("persona", ["admin", "editor", "contributor", "viewer", "outsider"])
def test_frameworks_are_readable_by_every_token_holder(world: World, persona: str) -> None:
    response = world.client(persona).get("/api/v1/frameworks/smr-rmm/1")
    assert response.status_code == 200
    assert response.json()["model"]["id"] == "smr-rmm"


def test_frameworks_without_token_are_401(world: World) -> None:
    for path in ("/api/v1/frameworks", "/api/v1/frameworks/smr-rmm/1"):
        response = world.client("anonymous").get(path)
        assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)


def test_member_cannot_reach_another_citys_assessment_through_their_own_city(
    world: World,
) -> None:
    path = f"/api/v1/cities/north/assessments/{world.other_assessment.uuid}"
    response = world.client("admin").get(path)
    assert response.status_code == 404
    assert response.json() == error(
        **{
            "code": "not_found",
            "message": "No such assessment in this city.",
            "details": {},
        }
    )
