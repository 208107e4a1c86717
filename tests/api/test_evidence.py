"""Comments, evidence files and the assessment's history through the API, with every persona
and the browser's checks."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder

from tests.api.conftest import (
    FORBIDDEN,
    INVALID,
    NO_CITY,
    NOT_AUTHENTICATED,
    PERSONAS,
    SAVEPOINT,
    World,
    error,
    error_of,
)
from vertebra.assessments.domain import finalize, save_answer
from vertebra.assessments.evidence import add_attachment, add_comment
from vertebra.assessments.models import Answer, AnswerEvent, Attachment, Comment

pytestmark = pytest.mark.django_db

FINAL = error(
    **{
        "code": "assessment_final",
        "message": "This assessment is final and can no longer be changed.",
        "details": {},
    }
)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _iso(moment: dt.datetime) -> str:
    """A date and time as the API writes it (milliseconds, "Z")."""
    return str(DjangoJSONEncoder().default(moment))


def _answer(world: World, code: str = "L1S1") -> Answer:
    return Answer.objects.select_related("assessment", "objective").get(
        assessment=world.draft, objective__code=code
    )


def _post_json(world: World, persona: str, path: str, body: dict[str, Any]) -> Any:
    return world.client(persona).post(path, json.dumps(body), content_type="application/json")


def _upload(world: World, persona: str, name: str, content: bytes, code: str = "L1S1") -> Any:
    return world.client(persona).post(
        f"{world.base}/answers/{code}/attachments", {"file": SimpleUploadedFile(name, content)}
    )


def _error_for(persona: str) -> tuple[int, dict[str, Any]]:
    if persona == "anonymous":
        return 401, NOT_AUTHENTICATED
    if persona == "outsider":
        return 404, NO_CITY
    return 403, FORBIDDEN


# --- comments ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_comment_is_added_by_contributors_editors_and_admins_only(
    world: World, persona: str
) -> None:
    response = _post_json(
        world, persona, world.base + "/answers/L1S1/comments", {"text": "  Ask Civil Protection.  "}
    )
    if persona in {"admin", "editor", "contributor"}:
        assert response.status_code == 201
        comment = Comment.objects.get()
        assert response.json() == {
            "url": world.url(f"{world.base}/answers/L1S1/comments/{comment.uuid}"),
            "id": str(comment.uuid),
            "answer": world.url(world.base + "/answers/L1S1"),
            "text": "Ask Civil Protection.",
            "author": f"{persona}@north.example",
            "created_at": _iso(comment.created_at),
        }
        assert (comment.answer, comment.author) == (_answer(world), world.people[persona])
    else:
        status, body = _error_for(persona)
        assert (response.status_code, response.json()) == (status, body)
        assert Comment.objects.count() == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_comments_are_listed_oldest_first_for_every_member(world: World, persona: str) -> None:
    answer = _answer(world)
    add_comment(answer=answer, user=world.people["contributor"], text="First remark")
    add_comment(answer=answer, user=world.people["editor"], text="Second remark")
    response = world.client(persona).get(world.base + "/answers/L1S1/comments")
    if persona in {"admin", "editor", "contributor", "viewer"}:
        assert response.status_code == 200
        data = response.json()
        assert (data["count"], data["next"], data["previous"]) == (2, None, None)
        assert [(c["text"], c["author"], c["answer"]) for c in data["results"]] == [
            ("First remark", "contributor@north.example", world.url(world.base + "/answers/L1S1")),
            ("Second remark", "editor@north.example", world.url(world.base + "/answers/L1S1")),
        ]
    else:
        status, body = _error_for(persona)
        assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_comment_is_read_at_its_own_url_by_every_member(world: World, persona: str) -> None:
    answer = _answer(world)
    add_comment(answer=answer, user=world.people["contributor"], text="First remark")
    listed = world.client("viewer").get(world.base + "/answers/L1S1/comments").json()
    url = listed["results"][0]["url"]
    response = world.client(persona).get(url.removeprefix("http://testserver"))
    if persona in {"admin", "editor", "contributor", "viewer"}:
        comment = Comment.objects.get()
        assert url == world.url(f"{world.base}/answers/L1S1/comments/{comment.uuid}")
        assert response.status_code == 200
        assert (
            response.json()
            == listed["results"][0]
            == {
                "url": url,
                "id": str(comment.uuid),
                "answer": world.url(world.base + "/answers/L1S1"),
                "text": "First remark",
                "author": "contributor@north.example",
                "created_at": _iso(comment.created_at),
            }
        )
    else:
        status, body = _error_for(persona)
        assert (response.status_code, response.json()) == (status, body)


def test_a_comment_is_not_found_under_another_answer_or_an_unknown_id(world: World) -> None:
    comment = add_comment(answer=_answer(world), user=None, text="On L1S1")
    client = world.client("viewer")
    elsewhere = client.get(f"{world.base}/answers/L1S2/comments/{comment.uuid}")
    unknown = client.get(f"{world.base}/answers/L1S1/comments/{'0' * 8}-0000-4000-8000-{'0' * 12}")
    for response in (elsewhere, unknown):
        assert (response.status_code, response.json()) == (
            404,
            error(
                **{
                    "code": "not_found",
                    "message": "No such comment on this answer.",
                    "details": {},
                }
            ),
        )


def test_empty_comment_is_refused_with_the_browsers_message(world: World) -> None:
    response = _post_json(
        world, "contributor", world.base + "/answers/L1S1/comments", {"text": " "}
    )
    assert response.status_code == 422
    assert error_of(response.json()) == {
        "code": "validation_error",
        "message": INVALID,
        "details": {"text": "Write a comment before sending it."},
    }


def test_too_long_comment_is_refused_naming_the_limit(world: World) -> None:
    response = _post_json(
        world, "editor", world.base + "/answers/L1S1/comments", {"text": "x" * 5001}
    )
    assert response.status_code == 422
    assert response.json()["details"] == {"text": "A comment can be at most 5000 characters."}
    assert Comment.objects.count() == 0


def test_no_comment_on_a_final_assessment(world: World) -> None:
    finalize(assessment=world.draft, user=world.people["admin"])
    response = _post_json(
        world, "contributor", world.base + "/answers/L1S1/comments", {"text": "Hi"}
    )
    assert (response.status_code, response.json()) == (409, FINAL)
    assert Comment.objects.count() == 0


def test_comment_on_unknown_objective_is_404(world: World) -> None:
    response = _post_json(world, "admin", world.base + "/answers/ZZ9/comments", {"text": "Hi"})
    assert response.status_code == 404
    assert response.json()["detail"] == "No objective ZZ9 in this assessment."


def test_comments_list_query_count_does_not_grow_with_comments(
    world: World, django_assert_num_queries: Any
) -> None:
    answer = _answer(world)
    for index in range(12):
        add_comment(answer=answer, user=world.people["editor"], text=f"Remark {index}")
    client = world.client("viewer")
    # token (read, mark used), membership, assessment, answer, page with authors and count
    with django_assert_num_queries(6 + SAVEPOINT):
        response = client.get(world.base + "/answers/L1S1/comments")
    assert response.json()["count"] == 12


# --- evidence files ------------------------------------------------------------------------


def _attachment_body(world: World, attachment: Attachment, uploaded_by: str) -> dict[str, Any]:
    url = world.url(f"{world.base}/answers/L1S1/attachments/{attachment.uuid}")
    return {
        "url": url,
        "id": str(attachment.uuid),
        "answer": world.url(world.base + "/answers/L1S1"),
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "uploaded_by": uploaded_by,
        "uploaded_at": _iso(attachment.uploaded_at),
        "download_url": url + "/download",
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_evidence_file_is_uploaded_by_editors_and_admins_only(world: World, persona: str) -> None:
    response = _upload(world, persona, "minutes.txt", b"Council minutes 3/2026")
    if persona in {"admin", "editor"}:
        assert response.status_code == 201
        attachment = Attachment.objects.get()
        assert response.json() == _attachment_body(world, attachment, f"{persona}@north.example")
        assert (attachment.original_name, attachment.content_type, attachment.size) == (
            "minutes.txt",
            "text/plain",
            22,
        )
        event = AnswerEvent.objects.get(field="attachments")
        assert (event.objective_code, event.new_value, event.source, event.user) == (
            "L1S1",
            "minutes.txt",
            "api",
            world.people[persona],
        )
    else:
        status, body = _error_for(persona)
        assert (response.status_code, response.json()) == (status, body)
        assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "tool.exe",
            b"MZ binary",
            "tool.exe is not an allowed type. Allowed: pdf, png, jpg, docx, xlsx, odt, ods, "
            "txt, csv.",
        ),
        (
            "report.pdf",
            b"not a pdf at all",
            "report.pdf does not look like a .pdf file; its content does not match its name.",
        ),
        ("empty.txt", b"", "empty.txt is empty."),
    ],
)
def test_upload_is_checked_like_the_browser(
    world: World, name: str, content: bytes, message: str
) -> None:
    response = _upload(world, "editor", name, content)
    assert response.status_code == 422
    assert error_of(response.json()) == {
        "code": "validation_error",
        "message": INVALID,
        "details": {"file": message},
    }
    assert Attachment.objects.count() == 0


def test_upload_over_the_size_limit_is_refused(world: World, settings: Any) -> None:
    settings.MAX_ATTACHMENT_BYTES = 1024
    response = _upload(world, "editor", "big.csv", b"a,b\n" * 300)
    assert response.status_code == 422
    assert response.json()["details"] == {
        "file": "big.csv is too large: files can be at most 1.0\xa0KB."
    }


def test_upload_without_a_file_names_the_field(world: World) -> None:
    response = world.client("editor").post(f"{world.base}/answers/L1S1/attachments", {})
    assert response.status_code == 422
    assert response.json()["details"] == {"file": "Field required"}


def test_no_upload_to_a_final_assessment(world: World) -> None:
    finalize(assessment=world.draft, user=world.people["admin"])
    response = _upload(world, "admin", "minutes.txt", b"Council minutes")
    assert (response.status_code, response.json()) == (409, FINAL)


@pytest.fixture
def stored(world: World) -> Attachment:
    return add_attachment(
        answer=_answer(world),
        user=world.people["editor"],
        upload=SimpleUploadedFile("minutes.txt", b"Council minutes"),
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_evidence_files_are_listed_and_read_by_every_member(
    world: World, stored: Attachment, persona: str
) -> None:
    listed = world.client(persona).get(world.base + "/answers/L1S1/attachments")
    one = world.client(persona).get(f"{world.base}/answers/L1S1/attachments/{stored.uuid}")
    if persona in {"admin", "editor", "contributor", "viewer"}:
        body = _attachment_body(world, stored, "editor@north.example")
        assert listed.status_code == 200
        assert listed.json() == {"count": 1, "next": None, "previous": None, "results": [body]}
        assert (one.status_code, one.json()) == (200, body)
    else:
        status, error = _error_for(persona)
        assert (listed.status_code, listed.json()) == (status, error)
        assert (one.status_code, one.json()) == (status, error)


@pytest.mark.parametrize("persona", PERSONAS)
def test_evidence_file_is_downloaded_by_every_member(
    world: World, stored: Attachment, persona: str
) -> None:
    response = world.client(persona).get(
        f"{world.base}/answers/L1S1/attachments/{stored.uuid}/download"
    )
    if persona in {"admin", "editor", "contributor", "viewer"}:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"Council minutes"
        assert response["Content-Type"] == "text/plain"
        assert response["Content-Disposition"] == 'attachment; filename="minutes.txt"'
        assert response["Cache-Control"] == "private, no-store"
    else:
        status, error = _error_for(persona)
        assert (response.status_code, response.json()) == (status, error)


def test_evidence_file_is_only_reached_through_its_own_answer(
    world: World, stored: Attachment
) -> None:
    response = world.client("admin").get(
        f"{world.base}/answers/L1S2/attachments/{stored.uuid}/download"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "No such file for this answer."


@pytest.mark.parametrize("persona", PERSONAS)
def test_evidence_file_is_deleted_by_editors_and_admins_only(
    world: World, stored: Attachment, persona: str
) -> None:
    response = world.client(persona).delete(f"{world.base}/answers/L1S1/attachments/{stored.uuid}")
    if persona in {"admin", "editor"}:
        assert (response.status_code, response.content) == (204, b"")
        assert Attachment.objects.count() == 0
        removed = AnswerEvent.objects.get(field="attachments", new_value="")
        assert (removed.old_value, removed.source) == ("minutes.txt", "api")
    else:
        status, error = _error_for(persona)
        assert (response.status_code, response.json()) == (status, error)
        assert Attachment.objects.count() == 1


def test_no_delete_from_a_final_assessment(world: World, stored: Attachment) -> None:
    finalize(assessment=world.draft, user=world.people["admin"])
    response = world.client("admin").delete(f"{world.base}/answers/L1S1/attachments/{stored.uuid}")
    assert (response.status_code, response.json()) == (409, FINAL)
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_file_is_linked_to_another_answer_by_editors_and_admins_only(
    world: World, stored: Attachment, persona: str
) -> None:
    url = f"{world.base}/answers/L1S2/attachments/{stored.uuid}"
    response = world.client(persona).put(url)
    linked = sorted(stored.answers.values_list("objective__code", flat=True))
    if persona in {"admin", "editor"}:
        assert (response.status_code, response.json()["name"], linked) == (
            200,
            "minutes.txt",
            ["L1S1", "L1S2"],
        )
        event = AnswerEvent.objects.get(objective_code="L1S2", field="attachments")
        assert (event.old_value, event.new_value, event.source) == ("", "minutes.txt", "api")
        again = world.client(persona).put(url)  # already linked: left as it is
        assert again.status_code == 200
        assert AnswerEvent.objects.filter(objective_code="L1S2").count() == 1
        # Removed from the first answer, it stays for the second.
        assert world.client(persona).delete(url.replace("L1S2", "L1S1")).status_code == 204
        assert list(stored.answers.values_list("objective__code", flat=True)) == ["L1S2"]
        assert Attachment.objects.count() == 1
    else:
        status, error = _error_for(persona)
        assert (response.status_code, response.json(), linked) == (status, error, ["L1S1"])


def test_only_a_file_of_the_same_assessment_is_linked(world: World, stored: Attachment) -> None:
    response = world.client("admin").put(f"{world.base}/answers/L1S2/attachments/{uuid.uuid4()}")
    assert (response.status_code, response.json()["detail"]) == (
        404,
        "No such file in this assessment.",
    )
    finalize(assessment=world.draft, user=world.people["admin"])
    final = world.client("admin").put(f"{world.base}/answers/L1S2/attachments/{stored.uuid}")
    assert (final.status_code, final.json()) == (409, FINAL)
    assert list(stored.answers.values_list("objective__code", flat=True)) == ["L1S1"]


def test_answer_links_to_its_comments_and_files(world: World) -> None:
    data = world.client("viewer").get(world.base + "/answers/L1S1").json()
    assert (data["comments_url"], data["attachments_url"]) == (
        world.url(world.base + "/answers/L1S1/comments"),
        world.url(world.base + "/answers/L1S1/attachments"),
    )


# --- history of the whole assessment -------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_assessment_history_is_newest_first_for_every_member(world: World, persona: str) -> None:
    save_answer(
        answer=_answer(world, "L1S1"),
        user=world.people["editor"],
        changes={"status": "in_progress"},
        expected_version=1,
    )
    save_answer(
        answer=_answer(world, "L2M1"),
        user=world.people["admin"],
        changes={"notes": "Ask the region"},
        expected_version=1,
        source="api",
    )
    response = world.client(persona).get(world.base + "/history?limit=1")
    if persona in {"admin", "editor", "contributor", "viewer"}:
        assert response.status_code == 200
        data = response.json()
        newest = data["results"][0]
        assert (data["count"], data["previous"]) == (2, None)
        assert data["next"] == world.url(world.base + "/history?limit=1&offset=1")
        assert {k: v for k, v in newest.items() if k != "at"} == {
            "code": "L2M1",
            "answer": world.url(world.base + "/answers/L2M1"),
            "field": "notes",
            "old_value": "",
            "new_value": "Ask the region",
            "user": "admin@north.example",
            "source": "api",
            "note": "",
        }
        older = world.client(persona).get(world.base + "/history?limit=1&offset=1").json()
        assert [(e["code"], e["field"], e["new_value"]) for e in older["results"]] == [
            ("L1S1", "status", "in_progress")
        ]
    else:
        status, error = _error_for(persona)
        assert (response.status_code, response.json()) == (status, error)


def test_assessment_history_query_count_does_not_grow_with_events(
    world: World, django_assert_num_queries: Any
) -> None:
    for code in ("L1S1", "L1S2", "L1M1", "L2M1"):
        save_answer(
            answer=_answer(world, code),
            user=world.people["editor"],
            changes={"status": "achieved"},
            expected_version=1,
        )
    client = world.client("viewer")
    # token (read, mark used), membership, assessment, page with users and count
    with django_assert_num_queries(5 + SAVEPOINT):
        response = client.get(world.base + "/history")
    assert response.json()["count"] == 4
