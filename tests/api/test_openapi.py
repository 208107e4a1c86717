"""The OpenAPI document is complete and true, and has no duplicate keys (Swagger UI and generated
clients need it whole). tests/api/test_conformance.py drives every operation against a live
server with schemathesis."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.api.conftest import World

pytestmark = pytest.mark.django_db

ATTACHMENT = (
    "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}/attachments/{attachment_id}"
)
ACTION = "/api/v1/cities/{city}/assessments/{assessment_id}/actions/{action_id}"
WORKSHOPS = "/api/v1/cities/{city}/assessments/{assessment_id}/workshops"
REVIEWS = "/api/v1/cities/{city}/assessments/{assessment_id}/reviews"
OPERATIONS = {
    ("GET", "/api/v1/frameworks"),
    ("GET", "/api/v1/cities/{city}/benchmark"),  # opt-in benchmarking
    ("GET", "/api/v1/frameworks/{framework_id}/{version}"),
    ("GET", "/api/v1/cities"),
    ("GET", "/api/v1/cities/{city}"),
    ("GET", "/api/v1/cities/{city}/assessments"),
    ("POST", "/api/v1/cities/{city}/assessments"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}"),
    ("POST", "/api/v1/cities/{city}/assessments/{assessment_id}/finalize"),
    ("POST", "/api/v1/cities/{city}/assessments/{assessment_id}/cycles"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/profile"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/answers"),
    ("PATCH", "/api/v1/cities/{city}/assessments/{assessment_id}/answers"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}"),
    ("PATCH", "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}/history"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/history"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}/comments"),
    ("POST", "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}/comments"),
    (
        "GET",
        "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}/comments/{comment_id}",
    ),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}/attachments"),
    ("POST", "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}/attachments"),
    ("GET", f"{ATTACHMENT}"),
    ("PUT", f"{ATTACHMENT}"),
    ("DELETE", f"{ATTACHMENT}"),
    ("GET", f"{ATTACHMENT}/download"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/targets"),
    ("PATCH", "/api/v1/cities/{city}/assessments/{assessment_id}/targets"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/actions"),
    ("POST", "/api/v1/cities/{city}/assessments/{assessment_id}/actions"),
    ("POST", "/api/v1/cities/{city}/assessments/{assessment_id}/actions/proposals"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/actions/{action_id}"),
    ("PATCH", "/api/v1/cities/{city}/assessments/{assessment_id}/actions/{action_id}"),
    ("DELETE", "/api/v1/cities/{city}/assessments/{assessment_id}/actions/{action_id}"),
    ("POST", "/api/v1/cities/{city}/assessments/{assessment_id}/actions/{action_id}/notes"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/actions/{action_id}/notes"),
    ("GET", f"{ACTION}/notes/{{note_id}}"),
    ("POST", "/api/v1/cities/{city}/assessments/{assessment_id}/actions/{action_id}/merge"),
    ("POST", "/api/v1/cities/{city}/assessments/{assessment_id}/actions/{action_id}/finish"),
    ("GET", f"{ACTION}/confirmations"),
    ("POST", f"{ACTION}/confirmations"),
    ("GET", "/api/v1/cities/{city}/stakeholder-types"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/plan/gaps"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/plan/warnings"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/plan/projection"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/plan/totals"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/comparison"),
    ("PUT", "/api/v1/cities/{city}/stakeholder-types"),
    ("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/actions/{action_id}/history"),
    ("GET", f"{WORKSHOPS}"),
    ("POST", f"{WORKSHOPS}"),
    ("GET", f"{WORKSHOPS}/{{workshop_id}}"),
    ("GET", f"{WORKSHOPS}/{{workshop_id}}/results"),
    ("POST", f"{WORKSHOPS}/{{workshop_id}}/reveal"),
    ("POST", f"{WORKSHOPS}/{{workshop_id}}/consensus"),
    ("POST", f"{WORKSHOPS}/{{workshop_id}}/close"),
    ("POST", "/api/v1/workshops/{join_code}/participants"),
    ("GET", "/api/v1/workshops/{join_code}"),
    ("PUT", "/api/v1/workshops/{join_code}/ratings/{code}"),
    ("GET", "/api/v1/workshops/{join_code}/results"),
    # Critical-friend review: the city's side, then the reviewer's.
    ("GET", f"{REVIEWS}"),
    ("POST", f"{REVIEWS}"),
    ("GET", f"{REVIEWS}/{{review_id}}"),
    ("POST", f"{REVIEWS}/{{review_id}}/close"),
    ("POST", f"{REVIEWS}/{{review_id}}/resend"),
    ("POST", f"{REVIEWS}/{{review_id}}/notes/{{review_note_id}}/replies"),
    ("GET", "/api/v1/reviews"),
    ("GET", "/api/v1/reviews/{my_review_id}"),
    ("POST", "/api/v1/reviews/{my_review_id}/notes"),
    ("GET", "/api/v1/reviews/{my_review_id}/files/{file_id}"),
}
# A workshop's participants: joining needs no credential; the rest a participant's.
JOINING = ("POST", "/api/v1/workshops/{join_code}/participants")


def test_openapi_document_lists_every_operation_with_bearer_auth(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Vertebra API"
    found = {
        (method.upper(), path)
        for path, operations in doc["paths"].items()
        for method in operations
        if method in {"get", "post", "patch", "put", "delete"}
    }
    assert found >= OPERATIONS
    assert doc["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"},
        "ParticipantAuth": {"type": "http", "scheme": "bearer"},
        # A person's token, for their own critical-friend review only.
        "ReviewerAuth": {"type": "http", "scheme": "bearer"},
    }
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            # What an error means, and joining a workshop: no token needed.
            if path.startswith("/api/v1/problems") or (method.upper(), path) == JOINING:
                assert "security" not in operation, (method, path)
                continue
            scheme = "ParticipantAuth" if path.startswith("/api/v1/workshops/") else "TokenAuth"
            if path.startswith("/api/v1/reviews/"):
                scheme = "ReviewerAuth"
            assert operation["security"] == [{scheme: []}], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_openapi_document_has_no_key_twice(client: Any) -> None:
    """Browsers' YAML-minded readers (Swagger UI) refuse a document with a repeated key."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _value in items]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(items)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=pairs)
    assert repeated == []


def test_docs_page_loads_every_asset_from_this_server(client: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""", html)
    assert sorted(sources) == [
        "/static/api/docs.js",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui.css",
        "/static/web/favicon.svg",
    ]
    assert "//" not in "".join(sources)
    # The settings travel in a data attribute, read by docs.js: no inline script.
    assert "&quot;validatorUrl&quot;: null" in html
    assert "&quot;url&quot;: &quot;/api/v1/openapi.json&quot;" in html
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        b"".join(asset.streaming_content) if asset.streaming else asset.content


def _document(client: Any) -> dict[str, Any]:
    def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), f"duplicate keys: {keys}"
        return dict(pairs)

    response = client.get("/api/v1/openapi.json")
    return json.loads(response.content, object_pairs_hook=refuse_duplicates)


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def test_openapi_document_has_no_duplicate_keys(client: Any) -> None:
    assert _document(client)["paths"]  # refuse_duplicates checked every object


def test_operation_ids_are_short_unique_camel_case_names(client: Any) -> None:
    ids = {key: op["operationId"] for key, op in _operations(_document(client)).items()}
    assert len(set(ids.values())) == len(ids)
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", op_id) for op_id in ids.values()), ids
    answer = "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}"
    assert {
        ids[("GET", "/api/v1/cities")],
        ids[("GET", "/api/v1/cities/{city}/assessments/{assessment_id}")],
        ids[("GET", answer)],
        ids[("PATCH", answer)],
        ids[("PATCH", answer.removesuffix("/{code}"))],
        ids[("POST", "/api/v1/cities/{city}/assessments/{assessment_id}/actions")],
        ids[("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/exports/{fmt}")],
        ids[("PUT", "/api/v1/cities/{city}/stakeholder-types")],
    } == {
        "listCities",
        "getAssessment",
        "getAnswer",
        "updateAnswer",
        "updateAnswers",
        "createAction",
        "downloadExport",
        "replaceStakeholderTypes",
    }


def test_each_id_parameter_names_one_kind_of_object(client: Any) -> None:
    # A client (or a tool that follows ids from answers into paths by name) must never take one
    # kind of object's id for another's: each `*_id` names the objects of one collection.
    collections: dict[str, set[str]] = {}
    for path in _document(client)["paths"]:
        for found in re.finditer(r"\{(\w+_id)\}", path):
            collection = re.sub(r"\{\w+\}", "{}", path[: found.start()])
            collections.setdefault(found.group(1), set()).add(collection)
    assert {name: sorted(paths) for name, paths in collections.items() if len(paths) > 1} == {}
    assert collections["review_id"] == {"/api/v1/cities/{}/assessments/{}/reviews/"}
    assert collections["my_review_id"] == {"/api/v1/reviews/"}
    assert collections["note_id"] == {"/api/v1/cities/{}/assessments/{}/actions/{}/notes/"}
    assert collections["review_note_id"] == {"/api/v1/cities/{}/assessments/{}/reviews/{}/notes/"}


PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
IF_MATCH_OPERATIONS = {
    ("PATCH", "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}"),
    ("PATCH", ACTION),
    ("DELETE", ACTION),
    ("POST", f"{ACTION}/merge"),
    ("POST", f"{ACTION}/finish"),
    ("PUT", "/api/v1/cities/{city}/stakeholder-types"),
}


def test_errors_conditional_headers_and_locations_are_declared_where_used(client: Any) -> None:
    document = _document(client)
    assert set(document["components"]["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
        "code",
        "details",
    }
    for (method, path), operation in _operations(document).items():
        responses = operation["responses"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"] == PROBLEM, (method, path, status)
        if method == "GET":
            assert "If-None-Match" in headers, (method, path)
            assert set(responses["200"]["headers"]) == {"ETag"}, (method, path)
            assert "content" not in responses["304"], (method, path)
        assert ("If-Match" in headers) == ((method, path) in IF_MATCH_OPERATIONS), (method, path)
        assert ("412" in responses) == ((method, path) in IF_MATCH_OPERATIONS), (method, path)
        if "201" in responses:
            assert "Location" in responses["201"]["headers"], (method, path)
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            assert "415" in responses, (method, path)
    updates = _operations(document)[("PATCH", f"{ACTION}")]["responses"]
    assert set(updates["200"]["headers"]) == {"ETag"}


def test_file_downloads_are_described_as_binary_with_their_types(client: Any) -> None:
    operations = _operations(_document(client))
    export = operations[("GET", "/api/v1/cities/{city}/assessments/{assessment_id}/exports/{fmt}")]
    binary = {"type": "string", "format": "binary"}
    assert export["responses"]["200"]["content"] == {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": binary},
        "application/pdf": {"schema": binary},
        "text/csv": {"schema": binary},
        "application/json": {"schema": {"type": "object"}},
    }
    download = operations[("GET", f"{ATTACHMENT}/download")]["responses"]["200"]["content"]
    assert {"application/pdf", "image/png", "text/csv", "text/plain"} <= set(download)
    assert all(media == {"schema": binary} for media in download.values())


def test_limits_are_declared_as_the_server_enforces_them(client: Any) -> None:
    document = _document(client)
    schemas = document["components"]["schemas"]
    lists = _operations(document)[("GET", "/api/v1/cities")]["parameters"]
    limit = next(p for p in lists if p["name"] == "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 200)
    progress = schemas["AnswerUpdate"]["properties"]["progress"]["anyOf"][0]
    assert (progress["minimum"], progress["maximum"]) == (0, 100)
    comment = schemas["CommentIn"]["properties"]["text"]
    assert (comment["maxLength"], comment["pattern"]) == (5000, r"\S")
    cost = schemas["ActionCreate"]["properties"]["cost"]
    assert (cost["minimum"], cost["maximum"]) == (0, 999_999_999_999.99)
    assert schemas["AnswerOut"]["properties"]["progress"]["anyOf"][1] == {"type": "null"}


def test_the_index_links_where_a_client_starts(world: World) -> None:
    response = world.client("viewer").get("/api/v1/")
    assert response.json() == {
        "cities": "http://testserver/api/v1/cities",
        "me": "http://testserver/api/v1/me",
        "frameworks": "http://testserver/api/v1/frameworks",
        "openapi": "http://testserver/api/v1/openapi.json",
        "docs": "http://testserver/api/v1/docs",
        "problems": "http://testserver/api/v1/problems",
    }
    me = world.client("viewer").get("/api/v1/me").json()
    assert (me["email"], me["token"]["name"], me["cities_url"]) == (
        "viewer@north.example",
        "tests",
        "http://testserver/api/v1/cities",
    )
