"""Critical-friend review pages: the admin invites by email from the assessment's reviews
page, the reviewer (no member) reads that assessment only and leaves notes, the team answers
on the objective's card; access ends with the review."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.reports.factories import make_assessment, make_city, make_person
from tests.smtp import body_of
from vertebra.assessments.models import Assessment
from vertebra.cities.models import City, Membership
from vertebra.reviews import domain
from vertebra.reviews.models import Review, ReviewNote, ReviewReply

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
UNTIL = TODAY + dt.timedelta(days=7)


@pytest.fixture
def city() -> City:
    return make_city()


@pytest.fixture
def assessment(city: City) -> Assessment:
    return make_assessment(city)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reviews_url(assessment: Assessment) -> str:
    return f"/cities/{assessment.city.slug}/assessments/{assessment.uuid}/reviews/"


def open_review(assessment: Assessment) -> tuple[Review, Any]:
    """A review accepted by a person of another city."""
    other = City.objects.create(slug="harbour", name="Harbour")
    friend = make_person("friend@harbour.example", other, "admin")
    review, _token = domain.invite(assessment=assessment, email=friend.email, until=UNTIL, by=None)
    from vertebra.cities import team

    team.accept(invitation=review.invitation, user=friend)
    review.invitation.refresh_from_db()
    return review, friend


def test_an_admin_invites_by_email_and_a_new_person_joins_as_reviewer_only(
    city: City, assessment: Assessment, mail_server: Any
) -> None:
    admin = make_person("lead@rivertown.example", city, "admin")
    client = signed_in(admin)
    response = client.post(
        reviews_url(assessment) + "invite/",
        {"email": "friend@elsewhere.example", "until": UNTIL.isoformat()},
    )
    assert response.status_code == 302
    [message] = mail_server.wait_for(1)
    assert "critical friend" in body_of(message)
    link = re.search(r"http://testserver(/invitations/[^/\s]+/)", body_of(message))
    assert link is not None
    visitor = Client()
    page = visitor.get(link.group(1))
    assert "Review an assessment of Rivertown" in page.content.decode()
    joined = visitor.post(
        link.group(1),
        {"name": "Fran", "password": "a-Long-walk-42", "password_again": "a-Long-walk-42"},
    )
    review = Review.objects.get()
    assert joined["Location"] == f"/reviews/{review.uuid}/"
    assert Membership.objects.filter(user__email="friend@elsewhere.example").count() == 0
    page = visitor.get(f"/reviews/{review.uuid}/")
    assert page.status_code == 200
    assert "Peer review of Rivertown: Review 2026" in page.content.decode()
    listed = client.get(reviews_url(assessment)).content.decode()
    assert "Fran" in listed and "Open." in listed


def test_bad_invitations_show_every_problem_and_write_nothing(
    city: City, assessment: Assessment
) -> None:
    admin = make_person("lead@rivertown.example", city, "admin")
    past = (TODAY - dt.timedelta(days=3)).isoformat()
    response = signed_in(admin).post(
        reviews_url(assessment) + "invite/", {"email": "lead@rivertown.example", "until": past}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is a member of this city and sees the assessment already" in page
    assert f"The review&#x27;s last day {past} is in the past." in page
    assert Review.objects.count() == 0


def test_the_reviewer_leaves_notes_and_bad_notes_are_refused_with_a_message(
    assessment: Assessment,
) -> None:
    review, friend = open_review(assessment)
    client = signed_in(friend)
    url = f"/reviews/{review.uuid}/notes/"
    refused = client.post(url, {"objective": "L1S1", "mark": "maybe", "text": ""})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Unknown mark &#x27;maybe&#x27;: use one of agree, challenge, suggest." in page
    assert "Write something: an empty text says nothing." in page
    unknown = client.post(url, {"objective": "XX9", "mark": "agree", "text": "Fine"})
    assert unknown.status_code == 400
    assert "&#x27;XX9&#x27; is not an objective of this assessment." in unknown.content.decode()
    assert ReviewNote.objects.count() == 0
    saved = client.post(url, {"objective": "L1S1", "mark": "suggest", "text": "Add the plan"})
    assert saved["Location"] == f"/reviews/{review.uuid}/#objective-L1S1"
    note = ReviewNote.objects.get()
    assert (note.answer.objective.code, note.mark, note.text, note.author) == (
        "L1S1",
        "suggest",
        "Add the plan",
        friend,
    )


def test_the_team_sees_notes_on_the_objectives_card_and_editors_answer_them(
    city: City, assessment: Assessment
) -> None:
    review, friend = open_review(assessment)
    domain.add_note(review=review, objective="L1S1", mark="challenge", text="Proof?", by=friend)
    editor = make_person("editor@rivertown.example", city, "editor")
    viewer = make_person("viewer@rivertown.example", city, "viewer")
    policy = f"/cities/rivertown/assessments/{assessment.uuid}/policies/L1/"
    seen = signed_in(viewer).get(policy).content.decode()
    assert "Peer review notes (1)" in seen and "Proof?" in seen
    assert "Answer the note" not in seen
    note = ReviewNote.objects.get()
    answer_url = reviews_url(assessment) + f"notes/{note.uuid}/answer/"
    assert signed_in(viewer).post(answer_url, {"text": "No"}).status_code == 403
    page = signed_in(editor).get(policy).content.decode()
    assert answer_url in page
    answered = signed_in(editor).post(answer_url, {"text": "Minutes attached", "next": "objective"})
    assert answered.status_code == 302
    assert list(ReviewReply.objects.values_list("text", "author__email")) == [
        ("Minutes attached", "editor@rivertown.example")
    ]
    assert "Minutes attached" in signed_in(viewer).get(policy).content.decode()
    assert "Minutes attached" in signed_in(friend).get(f"/reviews/{review.uuid}/").content.decode()


def test_the_reviewer_gets_404_for_every_other_page_of_the_city_and_nothing_after_close(
    city: City, assessment: Assessment
) -> None:
    review, friend = open_review(assessment)
    other = make_assessment(city, title="Other 2026")
    client = signed_in(friend)
    base = f"/cities/rivertown/assessments/{assessment.uuid}/"
    for path in (
        "/cities/rivertown/",
        "/cities/rivertown/people/",
        base,
        f"{base}policies/L1/",
        f"/cities/rivertown/assessments/{other.uuid}/",
        reviews_url(assessment),
        f"/cities/rivertown/assessments/{assessment.uuid}/plan/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/reviews/{review.uuid}/").status_code == 200
    assert "Rivertown: Review 2026" in client.get("/work/").content.decode()
    admin = make_person("lead@rivertown.example", city, "admin")
    closed = signed_in(admin).post(reviews_url(assessment) + f"{review.uuid}/close/")
    assert closed.status_code == 302
    assert client.get(f"/reviews/{review.uuid}/").status_code == 404
    note = client.post(
        f"/reviews/{review.uuid}/notes/", {"objective": "L1S1", "mark": "agree", "text": "x"}
    )
    assert note.status_code == 404
    assert ReviewNote.objects.count() == 0
    assert "Rivertown: Review 2026" not in client.get("/work/").content.decode()


def test_the_reviewers_access_ends_after_the_last_day(assessment: Assessment) -> None:
    review, friend = open_review(assessment)
    Review.objects.update(until=TODAY - dt.timedelta(days=1))
    assert signed_in(friend).get(f"/reviews/{review.uuid}/").status_code == 404


def test_a_review_invitation_is_accepted_from_your_work(assessment: Assessment) -> None:
    other = City.objects.create(slug="harbour", name="Harbour")
    friend = make_person("friend@harbour.example", other, "admin")
    review, _token = domain.invite(assessment=assessment, email=friend.email, until=UNTIL, by=None)
    client = signed_in(friend)
    work = client.get("/work/").content.decode()
    assert f"/reviews/{review.uuid}/accept/" in work
    accepted = client.post(f"/reviews/{review.uuid}/accept/")
    assert accepted["Location"] == f"/reviews/{review.uuid}/"
    assert client.get(f"/reviews/{review.uuid}/").status_code == 200


def test_the_reviewer_reads_the_files_and_plan_of_the_assessment_only(
    city: City, assessment: Assessment, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vertebra.assessments.evidence import add_attachment
    from vertebra.planning.domain import create_action

    settings.MEDIA_ROOT = tmp_path / "uploads"
    review, friend = open_review(assessment)
    mine = add_attachment(
        answer=assessment.answers.get(objective__code="L1S2"),
        user=None,
        upload=SimpleUploadedFile("minutes.txt", b"Council minutes"),
    )
    other = make_assessment(city, title="Other 2026")
    theirs = add_attachment(
        answer=other.answers.get(objective__code="L1S2"),
        user=None,
        upload=SimpleUploadedFile("secret.txt", b"Not for friends"),
    )
    create_action(assessment=assessment, user=None, data={"title": "Publish the minutes"})
    create_action(assessment=other, user=None, data={"title": "Hidden plan"})
    client = signed_in(friend)
    page = client.get(f"/reviews/{review.uuid}/").content.decode()
    assert f"/reviews/{review.uuid}/files/{mine.uuid}/" in page
    assert "Publish the minutes" in page and "Hidden plan" not in page
    got = client.get(f"/reviews/{review.uuid}/files/{mine.uuid}/")
    assert b"".join(got.streaming_content) == b"Council minutes"
    assert client.get(f"/reviews/{review.uuid}/files/{theirs.uuid}/").status_code == 404
    assert (
        client.get(
            f"/cities/rivertown/assessments/{assessment.uuid}/attachments/{mine.uuid}/"
        ).status_code
        == 404
    )


def test_a_review_invitations_link_opens_nothing_once_the_review_has_ended(
    assessment: Assessment,
) -> None:
    review, token = domain.invite(
        assessment=assessment, email="friend@elsewhere.example", until=UNTIL, by=None
    )
    assert Client().get(f"/invitations/{token}/").status_code == 200
    Review.objects.update(until=TODAY - dt.timedelta(days=1))
    late = Client().post(
        f"/invitations/{token}/",
        {"name": "Fran", "password": "a-Long-walk-42", "password_again": "a-Long-walk-42"},
    )
    assert late.status_code == 404
    assert review.invitation.__class__.objects.get().accepted_at is None
