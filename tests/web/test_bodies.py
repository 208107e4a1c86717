"""Request bodies are bounded by their address before they are read (vertebra.bodies).

Pages take small bodies, the evidence uploads and the import of answers their files' limits;
an oversized body is 413 before a byte of it is read, a chunked one is read only up to the
limit, and a malformed form is 400 with a message. Nothing is written in any of these cases.
The same through a real server with raw sockets: tests/test_serve_bodies.py.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from tests.web.conftest import World
from vertebra.api.errors import error_response
from vertebra.api.tokens import create_token
from vertebra.assessments.models import Answer, Attachment, Comment
from vertebra.bodies import BoundedBodiesMiddleware, Limit, limit_for

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
MULTIPART_WITHOUT_BOUNDARY = "multipart/form-data"
MB = 1024 * 1024


class Unread(io.RawIOBase):
    """A request body that counts what is read of it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.size - self.read_bytes)
        buffer[:count] = b"x" * count
        self.read_bytes += count
        return count


def through_middleware(request: HttpRequest) -> tuple[HttpResponse, list[HttpRequest]]:
    reached: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        reached.append(request)
        return HttpResponse(f"read {len(request.body)} bytes")

    return BoundedBodiesMiddleware(view)(request), reached


def answer_row(world: World, code: str = "L1S1") -> tuple[str, int, int]:
    answer = Answer.objects.get(assessment=world.assessment, objective__code=code)
    return answer.status, answer.version, answer.revision


def api_client(world: World, persona: str = "editor") -> Client:
    key = create_token(user=world.people[persona], name="tests")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def api_base(world: World) -> str:
    return f"/api/v1/cities/porto/assessments/{world.assessment.uuid}"


def test_each_address_has_its_limit(world: World) -> None:
    api = api_base(world)
    attachment = Limit(10 * MB + 64 * 1024, files=True)
    found = {
        url: limit_for(RequestFactory().post(url))
        for url in (
            world.url("objectives/L1S1/attachments/"),
            api + "/answers/L1S1/attachments",
            world.url("import/"),
            api + "/answers",
            api + "/answers/L1S1/comments",
            world.url("objectives/L1S1/save/"),
            "/login/",
            "/no/such/address/",
        )
    }
    assert found == {
        world.url("objectives/L1S1/attachments/"): attachment,
        api + "/answers/L1S1/attachments": attachment,
        world.url("import/"): Limit(5 * MB + 64 * 1024, files=True),
        api + "/answers": Limit(5 * MB),
        api + "/answers/L1S1/comments": Limit(MB),
        world.url("objectives/L1S1/save/"): Limit(MB),
        "/login/": Limit(MB),
        "/no/such/address/": Limit(MB),
    }


def test_a_page_refuses_a_body_over_its_limit_before_reading_it(world: World) -> None:
    body = Unread(2 * 1024 * 1024)
    request = RequestFactory().post(
        world.url("objectives/L1S1/save/"),
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(body.size),
    )
    request.META["wsgi.input"] = body
    request._stream = body  # type: ignore[attr-defined]
    response, reached = through_middleware(request)
    assert (response.status_code, reached, body.read_bytes) == (413, [], 0)
    html = response.content.decode()
    assert "The request is too large: this address takes at most 1.0\xa0MB." in html
    assert "Nothing was saved." in html


def test_a_page_at_its_limit_is_read_and_saved(world: World, settings: Any) -> None:
    settings.MAX_BODY_BYTES = 2000
    client = world.client("editor")
    url = world.url("objectives/L1S1/save/")
    fields = "status=achieved&version=1&notes="
    exact = fields + "n" * (2000 - len(fields))
    response = client.post(url, exact, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    assert answer_row(world)[:2] == ("achieved", 2)
    over = "status=in_progress&version=2&notes=" + "n" * 2000
    response = client.post(url, over, content_type="application/x-www-form-urlencoded", **HTMX)
    assert response.status_code == 413
    assert response["HX-Reswap"] == "afterbegin show:top"
    assert response.content.decode() == (
        '<p class="message message--error" role="alert" data-transient>The request is too '
        "large: this address takes at most 2.0\xa0KB. Nothing was saved.</p>\n"
    )
    assert answer_row(world)[:2] == ("achieved", 2)


def test_an_upload_takes_its_file_limit_and_no_more(world: World, settings: Any) -> None:
    settings.MAX_ATTACHMENT_BYTES = 100 * 1024
    client = world.client("editor")
    url = world.url("objectives/L1S1/attachments/")
    # A file of the attachment limit is more than a page takes, and is accepted.
    ok = SimpleUploadedFile("minutes.txt", b"m" * (100 * 1024), content_type="text/plain")
    response = client.post(url, {"file": ok}, **HTMX)
    assert response.status_code == 200
    assert "minutes.txt attached." in response.content.decode()
    # Over the limit and the room for the form around it: refused before it is read.
    big = SimpleUploadedFile("big.txt", b"b" * (170 * 1024), content_type="text/plain")
    response = client.post(url, {"file": big}, **HTMX)
    assert response.status_code == 413
    assert "this address takes at most 164.0\xa0KB, the file included." in (
        response.content.decode()
    )
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["minutes.txt"]


def test_an_api_body_over_its_limit_is_413_in_the_api_error_shape(
    world: World, settings: Any
) -> None:
    settings.MAX_BODY_BYTES = 1000
    response = api_client(world).post(
        api_base(world) + "/answers/L1S1/comments",
        {"text": "x" * 1000},
        content_type="application/json",
    )
    expected = error_response(
        413, "The request is too large: this address takes at most 1000\xa0bytes."
    )
    assert (response.status_code, response.content) == (413, expected.content)
    assert Comment.objects.count() == 0


def test_the_api_update_of_many_answers_takes_an_import_sized_body(
    world: World, settings: Any
) -> None:
    settings.MAX_BODY_BYTES = 1000
    notes = "n" * 2000
    response = api_client(world).patch(
        api_base(world) + "/answers",
        {"answers": [{"code": "L1S1", "version": 1, "notes": notes}]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Answer.objects.get(assessment=world.assessment, objective__code="L1S1").notes == notes


@pytest.mark.parametrize("htmx", [False, True])
def test_a_multipart_form_without_boundary_is_400_on_a_page(world: World, htmx: bool) -> None:
    response = world.client("editor").generic(
        "POST",
        world.url("objectives/L1S1/attachments/"),
        b"--x\r\nnot a form",
        content_type=MULTIPART_WITHOUT_BOUNDARY,
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 400
    assert (
        "The form could not be read: its multipart body is malformed (a missing or wrong "
        "boundary, or a broken part)."
    ) in response.content.decode()
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize("body", [b"--x\r\nnot a form", b""])
def test_a_multipart_form_without_boundary_is_400_in_the_api(world: World, body: bytes) -> None:
    response = api_client(world).generic(
        "POST",
        api_base(world) + "/answers/L1S1/attachments",
        body,
        content_type=MULTIPART_WITHOUT_BOUNDARY,
        CONTENT_TYPE=MULTIPART_WITHOUT_BOUNDARY,  # the test client drops it without a body
    )
    expected = error_response(
        400,
        "The form could not be read: its multipart body is malformed (a missing or wrong "
        "boundary, or a broken part).",
    )
    assert (response.status_code, response.content) == (400, expected.content)
    assert Attachment.objects.count() == 0


def test_a_file_sent_to_a_page_that_takes_none_is_refused(world: World, settings: Any) -> None:
    file = SimpleUploadedFile("payload.bin", b"p" * 5000)
    response = world.client("editor").post(
        world.url("objectives/L1S1/comments/"), {"text": "Hello", "file": file}
    )
    assert response.status_code == 400
    assert "This address takes no files, but the form sent one (payload.bin)." in (
        response.content.decode()
    )
    assert Comment.objects.count() == 0
    assert not Path(settings.MEDIA_ROOT).exists()


def test_a_form_with_too_many_fields_or_files_is_400(world: World, settings: Any) -> None:
    client = world.client("editor")
    fields = "&".join(f"f{n}=1" for n in range(1001))
    response = client.post(
        world.url("objectives/L1S1/save/"), fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "at most 1000 fields and 1 file." in response.content.decode()
    two = [SimpleUploadedFile(f"{n}.txt", b"x", content_type="text/plain") for n in (1, 2)]
    response = client.post(world.url("objectives/L1S1/attachments/"), {"file": two})
    assert response.status_code == 400
    assert "at most 1000 fields and 1 file." in response.content.decode()
    assert (answer_row(world)[:2], Attachment.objects.count()) == (("not_started", 1), 0)


def test_a_chunked_body_is_read_up_to_the_limit_and_no_further(settings: Any) -> None:
    settings.MAX_BODY_BYTES = 1000

    def chunked(size: int) -> tuple[HttpRequest, Unread]:
        body = Unread(size)
        request = RequestFactory().post(
            "/login/", CONTENT_TYPE="application/json", HTTP_TRANSFER_ENCODING="chunked"
        )
        del request.META["CONTENT_LENGTH"]
        request.META["wsgi.input"] = body
        return request, body

    request, body = chunked(1000)
    response, reached = through_middleware(request)
    assert (response.content, len(reached), body.read_bytes) == (b"read 1000 bytes", 1, 1000)

    request, body = chunked(50 * 1024 * 1024)
    response, reached = through_middleware(request)
    assert (response.status_code, reached, body.read_bytes) == (413, [], 1001)
