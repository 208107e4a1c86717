"""The OpenAPI document is complete and true: schemathesis drives every operation with a valid
token and checks for server errors and responses that break the documented schema."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import World
from vertebra.assessments.evidence import add_attachment, add_comment
from vertebra.assessments.models import Answer, Attachment, Comment
from vertebra.planning.domain import add_note, create_action
from vertebra.planning.models import ActionNote

pytestmark = pytest.mark.django_db

ATTACHMENT = (
    "/api/v1/cities/{city}/assessments/{assessment_id}/answers/{code}/attachments/{attachment_id}"
)
ACTION = "/api/v1/cities/{city}/assessments/{assessment_id}/actions/{action_id}"
OPERATIONS = {
    ("GET", "/api/v1/frameworks"),
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
}


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
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/problems"):  # what an error means: no token needed
                assert "security" not in operation, (method, path)
                continue
            assert operation["security"] == [{"TokenAuth": []}], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_docs_page_loads_every_asset_from_this_server(client: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""", html)
    assert sorted(sources) == [
        "/static/ninja/favicon.png",
        "/static/ninja/favicon.svg",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
        "/static/ninja/swagger-ui.css",
    ]
    assert "//" not in "".join(sources)
    assert '"validatorUrl": null' in html
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        b"".join(asset.streaming_content) if asset.streaming else asset.content


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Calling the WSGI application directly fires request_started/finished, whose handler
    closes a connection left outside autocommit: the test's own transaction. Django's test
    client disconnects it for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema() -> Any:
    from vertebra.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


# The document needs no database, so it is loaded once at collection.
schema = _schema()


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_as_documented(
    case: Any, world: World, settings: Any, tmp_path: Path
) -> None:
    """Path parameters point at real objects, so that generated bodies reach the domain."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    world.draft.refresh_from_db()
    action = world.draft.actions.first() or create_action(
        assessment=world.draft, user=world.people["admin"], data={"title": "Fixture action"}
    )
    answer = Answer.objects.select_related("objective", "assessment").get(
        assessment=world.draft, objective__code="L1S1"
    )
    attachment = Attachment.objects.filter(answer=answer).first()
    if attachment is None and not world.draft.is_final:
        attachment = add_attachment(
            answer=answer,
            user=world.people["admin"],
            upload=SimpleUploadedFile("minutes.txt", b"Council minutes"),
        )
    comment = Comment.objects.filter(answer=answer).first() or (
        None if world.draft.is_final else add_comment(answer=answer, user=None, text="Noted.")
    )
    note = ActionNote.objects.filter(action=action).first() or add_note(
        action=action, user=None, text="Kick-off held.", date=dt.date(2026, 4, 2)
    )
    real = {
        "comment_id": str(comment.uuid) if comment else "",
        "note_id": str(note.uuid),
        "city": world.city.slug,
        "assessment_id": str(world.draft.uuid),
        "code": "L1S1",
        "action_id": str(action.uuid),
        "attachment_id": str(attachment.uuid) if attachment else "",
        "framework_id": "smr-rmm",
        "version": 1,
    }
    if case.path_parameters:
        for name in case.path_parameters:
            if real.get(name):
                case.path_parameters[name] = real[name]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world.tokens['admin']}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
