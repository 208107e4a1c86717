"""Every page and every write, for each persona: members by role, an outsider, anonymous."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.web.conftest import World
from vertebra.assessments.evidence import add_attachment
from vertebra.assessments.models import Answer, AnswerStatus, Assessment, AssessmentStatus

pytestmark = pytest.mark.django_db

MEMBERS = ("admin", "editor", "contributor", "viewer")


def _login_redirect(response, path: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


@pytest.mark.parametrize("persona", MEMBERS)
def test_home_lists_the_city_with_role_and_latest_assessment(world: World, persona: str) -> None:
    html = world.client(persona).get("/").content.decode()
    assert '<th scope="row"><a href="/cities/porto/">Porto</a></th>' in html
    assert f"<td>{persona.capitalize()}</td>" in html
    assert f'<a href="{world.url()}">Review 2026</a>' in html
    assert '<span class="badge badge--stage">No stage yet</span>' in html
    assert "Riga" not in html


def test_home_of_outsider_shows_only_their_own_city(world: World) -> None:
    html = world.client("outsider").get("/").content.decode()
    assert '<a href="/cities/riga/">Riga</a>' in html
    assert "Porto" not in html
    assert "No assessment yet" in html


def test_home_sends_anonymous_visitors_to_log_in(world: World) -> None:
    _login_redirect(world.client("anonymous").get("/"), "/")


@pytest.mark.parametrize(
    ("persona", "status", "can_create"),
    [
        ("admin", 200, True),
        ("editor", 200, True),
        ("contributor", 200, False),
        ("viewer", 200, False),
        ("outsider", 404, False),
    ],
)
def test_city_page_by_persona(world: World, persona: str, status: int, can_create: bool) -> None:
    response = world.client(persona).get("/cities/porto/")
    assert response.status_code == status
    html = response.content.decode()
    if status == 200:
        assert f'<a href="{world.url()}">Review 2026</a>' in html
        assert "0 of 96 (0%)" in html
        assert ("/cities/porto/assessments/new/" in html) is can_create
    else:
        assert "Review 2026" not in html


def test_city_page_sends_anonymous_visitors_to_log_in(world: World) -> None:
    _login_redirect(world.client("anonymous").get("/cities/porto/"), "/cities/porto/")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("editor", 200), ("contributor", 403), ("viewer", 403), ("outsider", 404)],
)
def test_new_assessment_page_by_persona(world: World, persona: str, status: int) -> None:
    response = world.client(persona).get("/cities/porto/assessments/new/")
    assert response.status_code == status
    if status == 200:
        assert "<h1>New assessment</h1>" in response.content.decode()
    if status == 403:
        assert "Your role in this city does not allow this." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status", "created"),
    [
        ("admin", 302, 1),
        ("editor", 302, 1),
        ("contributor", 403, 0),
        ("viewer", 403, 0),
        ("outsider", 404, 0),
    ],
)
def test_creating_an_assessment_by_persona(
    world: World, persona: str, status: int, created: int
) -> None:
    response = world.client(persona).post(
        "/cities/porto/assessments/new/", {"title": "Workshop", "date": "2026-05-04"}
    )
    assert response.status_code == status
    assert Assessment.objects.filter(city=world.city, title="Workshop").count() == created


@pytest.mark.parametrize("persona", MEMBERS)
def test_dashboard_is_readable_by_every_member(world: World, persona: str) -> None:
    response = world.client(persona).get(world.url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Review 2026</h1>" in html
    assert ("Finalize…" in html) is (persona == "admin")
    assert ("Start a new cycle" in html) is (persona in {"admin", "editor"})


@pytest.mark.parametrize(
    "suffix",
    ["", "history/", "policies/L1/", "objectives/L1S1/", "finalize/"],
)
def test_outsider_gets_404_on_every_assessment_page(world: World, suffix: str) -> None:
    response = world.client("outsider").get(world.url(suffix))
    assert response.status_code == 404
    assert "Review 2026" not in response.content.decode()


@pytest.mark.parametrize(
    "suffix",
    ["", "history/", "policies/L1/", "objectives/L1S1/", "finalize/"],
)
def test_anonymous_is_sent_to_log_in_from_every_assessment_page(world: World, suffix: str) -> None:
    _login_redirect(world.client("anonymous").get(world.url(suffix)), world.url(suffix))


@pytest.mark.parametrize(
    ("persona", "answer_form", "comment_form", "note"),
    [
        ("admin", True, True, ""),
        ("editor", True, True, ""),
        ("contributor", False, True, "You can read the answers and add comments"),
        ("viewer", False, False, "You can read this assessment"),
    ],
)
def test_policy_page_shows_forms_by_role(
    world: World, persona: str, answer_form: bool, comment_form: bool, note: str
) -> None:
    html = world.client(persona).get(world.url("policies/L1/")).content.decode()
    assert "<h1>L1 Municipality, cross-sectiorial and multi-governance collaboration</h1>" in html
    assert "Establish a working team responsible for resilience issues in the city" in html
    assert (f'action="{world.url("objectives/L1S1/save/")}"' in html) is answer_form
    assert (f'action="{world.url("objectives/L1S1/attachments/")}"' in html) is answer_form
    assert (f'action="{world.url("objectives/L1S1/comments/")}"' in html) is comment_form
    if note:
        assert note in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 302),
        ("editor", 302),
        ("contributor", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_saving_an_answer_by_persona(world: World, persona: str, status: int) -> None:
    response = world.client(persona).post(
        world.url("objectives/L1S1/save/"), {"status": "achieved", "version": "1"}
    )
    assert response.status_code == status
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    expected = AnswerStatus.ACHIEVED if status == 302 else AnswerStatus.NOT_STARTED
    assert answer.status == expected


def test_saving_after_the_session_ended_is_401_with_a_way_back(world: World) -> None:
    url = world.url("objectives/L1S1/save/")
    page = f"http://testserver{world.url('policies/L1/')}"
    response = world.client("anonymous").post(url, {"status": "achieved"}, HTTP_REFERER=page)
    assert response.status_code == 401
    html = response.content.decode()
    assert "<h1>Your session has ended</h1>" in html
    assert (
        "Your session has ended, so your change was NOT saved. Log in again, then go back to "
        "the page with your browser&#x27;s Back button and send it again."
    ) in html
    next_page = world.url("policies/L1/").replace("/", "%2F")
    assert f'href="/login/?next={next_page}">Log in again</a>' in html
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    assert answer.status == AnswerStatus.NOT_STARTED


def test_htmx_save_after_the_session_ended_is_401_with_a_message_that_keeps_the_form(
    world: World,
) -> None:
    page = f"http://testserver{world.url('policies/L1/')}"
    response = world.client("anonymous").post(
        world.url("objectives/L1S1/save/"),
        {"status": "achieved"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=page,
    )
    assert (response.status_code, response["HX-Reswap"]) == (401, "afterbegin show:top")
    next_page = world.url("policies/L1/").replace("/", "%2F")
    assert response.content.decode() == (
        '<p class="message message--error" role="alert" data-transient>Your session has ended, '
        "so this change was NOT saved. Log in again in a new tab, then save here again: what "
        f'you typed is still on this page. <a href="/login/?next={next_page}" target="_blank" '
        'rel="noopener">Log in (opens a new tab)</a></p>\n'
    )
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    assert answer.status == AnswerStatus.NOT_STARTED


def test_htmx_refusal_is_403_with_the_reason_as_a_message(world: World) -> None:
    response = world.client("viewer").post(
        world.url("objectives/L1S1/save/"),
        {"status": "achieved", "version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert (response.status_code, response["HX-Reswap"]) == (403, "afterbegin show:top")
    assert response.content.decode() == (
        '<p class="message message--error" role="alert" data-transient>Your role in this city '
        "does not allow this. Nothing was saved.</p>\n"
    )
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    assert answer.status == AnswerStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("persona", "status", "count"),
    [
        ("admin", 302, 1),
        ("editor", 302, 1),
        ("contributor", 302, 1),
        ("viewer", 403, 0),
        ("outsider", 404, 0),
    ],
)
def test_commenting_by_persona(world: World, persona: str, status: int, count: int) -> None:
    response = world.client(persona).post(
        world.url("objectives/L1S1/comments/"), {"text": "We have minutes of this."}
    )
    assert response.status_code == status
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    assert answer.comments.count() == count


@pytest.mark.parametrize(
    ("persona", "status", "count"),
    [
        ("admin", 302, 1),
        ("editor", 302, 1),
        ("contributor", 403, 0),
        ("viewer", 403, 0),
        ("outsider", 404, 0),
    ],
)
def test_uploading_evidence_by_persona(world: World, persona: str, status: int, count: int) -> None:
    upload = SimpleUploadedFile("minutes.txt", b"Council minutes", content_type="text/plain")
    response = world.client(persona).post(
        world.url("objectives/L1S1/attachments/"), {"file": upload}
    )
    assert response.status_code == status
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    assert answer.attachments.count() == count


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("editor", 200), ("contributor", 200), ("viewer", 200), ("outsider", 404)],
)
def test_downloading_evidence_by_persona(world: World, persona: str, status: int) -> None:
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    attachment = add_attachment(
        answer=answer,
        user=world.people["admin"],
        upload=SimpleUploadedFile("minutes.txt", b"Council minutes"),
    )
    response = world.client(persona).get(world.url(f"attachments/{attachment.uuid}/"))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == b"Council minutes"  # type: ignore[attr-defined]
        assert response["Content-Disposition"] == 'attachment; filename="minutes.txt"'
        assert response["Content-Type"] == "text/plain"


@pytest.mark.parametrize(
    ("persona", "status", "remaining"),
    [
        ("admin", 302, 0),
        ("editor", 302, 0),
        ("contributor", 403, 1),
        ("viewer", 403, 1),
        ("outsider", 404, 1),
    ],
)
def test_removing_evidence_by_persona(
    world: World, persona: str, status: int, remaining: int
) -> None:
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    attachment = add_attachment(
        answer=answer,
        user=world.people["admin"],
        upload=SimpleUploadedFile("minutes.txt", b"Council minutes"),
    )
    response = world.client(persona).post(
        world.url(f"objectives/L1S1/attachments/{attachment.uuid}/delete/")
    )
    assert response.status_code == status
    assert answer.attachments.count() == remaining


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("editor", 403), ("contributor", 403), ("viewer", 403), ("outsider", 404)],
)
def test_finalize_confirmation_page_by_persona(world: World, persona: str, status: int) -> None:
    response = world.client(persona).get(world.url("finalize/"))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "<h1>Finalize “Review 2026”?</h1>" in html
        assert "96 objectives are still “Not started”." in html


@pytest.mark.parametrize(
    ("persona", "status", "final"),
    [
        ("admin", 302, AssessmentStatus.FINAL),
        ("editor", 403, AssessmentStatus.DRAFT),
        ("contributor", 403, AssessmentStatus.DRAFT),
        ("viewer", 403, AssessmentStatus.DRAFT),
        ("outsider", 404, AssessmentStatus.DRAFT),
    ],
)
def test_finalizing_by_persona(world: World, persona: str, status: int, final: str) -> None:
    response = world.client(persona).post(world.url("finalize/"))
    assert response.status_code == status
    world.assessment.refresh_from_db()
    assert world.assessment.status == final


def test_another_citys_assessment_is_not_found_through_this_city(world: World) -> None:
    import datetime as dt

    from vertebra.assessments.domain import create_assessment

    theirs = create_assessment(
        city=world.other_city, user=None, title="Riga 2026", date=dt.date(2026, 1, 1)
    )
    response = world.client("admin").get(f"/cities/porto/assessments/{theirs.uuid}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status", "manages"),
    [
        ("admin", 200, True),
        ("editor", 200, False),
        ("contributor", 200, False),
        ("viewer", 200, False),
        ("outsider", 404, False),
    ],
)
def test_people_page_by_persona(world: World, persona: str, status: int, manages: bool) -> None:
    response = world.client(persona).get("/cities/porto/people/")
    assert response.status_code == status
    html = response.content.decode()
    assert ("viewer@porto.example" in html) is (status == 200)
    assert ('action="/cities/porto/people/invite/"' in html) is manages
    assert ("Remove…" in html) is manages


@pytest.mark.parametrize(
    ("persona", "status", "invited"),
    [
        ("admin", 302, 1),
        ("editor", 403, 0),
        ("contributor", 403, 0),
        ("viewer", 403, 0),
        ("outsider", 404, 0),
        ("anonymous", 401, 0),
    ],
)
def test_inviting_by_persona(world: World, persona: str, status: int, invited: int) -> None:
    from vertebra.cities.models import Invitation

    response = world.client(persona).post(
        "/cities/porto/people/invite/", {"email": "new@porto.example", "role": "viewer"}
    )
    assert response.status_code == status
    assert Invitation.objects.filter(city=world.city).count() == invited
