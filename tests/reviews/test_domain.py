"""The rules of a critical-friend review, whatever the interface: the invitation, the dates,
the marks and texts of notes, answers, and the end of access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.reports.factories import make_assessment, make_city, make_person
from vertebra import access
from vertebra.assessments.models import Assessment
from vertebra.cities import team
from vertebra.cities.models import City, Invitation, Membership, MembershipEvent
from vertebra.reviews import domain
from vertebra.reviews.models import Review, ReviewNote, ReviewReply

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def city() -> City:
    return make_city()


@pytest.fixture
def assessment(city: City) -> Assessment:
    return make_assessment(city)


def accepted(assessment: Assessment, email: str = "friend@elsewhere.example") -> Review:
    review, token = domain.invite(
        assessment=assessment, email=email, until=TODAY + dt.timedelta(days=10), by=None
    )
    user = make_person(email)
    found = team.invitation_by_token(token)
    assert found is not None
    assert team.accept_as(invitation=found, user=user) is None
    review.invitation.refresh_from_db()
    return review


def test_a_review_invitation_uses_the_instances_link_and_makes_no_member(
    assessment: Assessment,
) -> None:
    review, token = domain.invite(
        assessment=assessment, email=" Friend@Elsewhere.example ", until=TODAY, by=None
    )
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.kind, invitation.token_digest) == (
        "friend@elsewhere.example",
        "review",
        team.digest(token),
    )
    assert team.invitation_by_token(token) == invitation
    user = team.join_as_new_person(invitation=invitation, name="Fran", password="a-Long-walk-42")
    assert Membership.objects.count() == 0
    assert MembershipEvent.objects.count() == 0
    review.refresh_from_db()
    assert domain.reviewer(review) == user
    assert access.review_for(user, review.uuid) == review
    assert team.invitation_by_token(token) is None


def test_a_review_invitation_is_not_a_pending_invitation_to_join(
    city: City, assessment: Assessment
) -> None:
    admin = make_person("lead@rivertown.example", city, "admin")
    domain.invite(assessment=assessment, email="friend@elsewhere.example", until=TODAY, by=admin)
    membership = Membership.objects.get(user=admin)
    assert list(access.invitations_of(membership)) == []
    assert list(team.open_invitations_to("friend@elsewhere.example")) == []
    # ... nor does it stop the same address being invited to join the city.
    joined, _token = team.invite(
        city=city, email="friend@elsewhere.example", role="viewer", by=admin
    )
    assert joined.kind == "member"


def test_bad_invitations_are_refused_by_field_with_nothing_written(
    city: City, assessment: Assessment
) -> None:
    make_person("member@rivertown.example", city, "viewer")
    with pytest.raises(domain.ReviewError) as refused:
        domain.invite(assessment=assessment, email="not an address", until="tomorrow", by=None)
    assert refused.value.problems == {
        "email": "'not an address' is not a valid email address.",
        "until": "Give the review's last day as a date (YYYY-MM-DD).",
    }
    yesterday = TODAY - dt.timedelta(days=1)
    with pytest.raises(domain.ReviewError) as refused:
        domain.invite(
            assessment=assessment, email="member@rivertown.example", until=yesterday, by=None
        )
    assert refused.value.problems == {
        "email": "member@rivertown.example is a member of this city and sees the assessment "
        "already: a critical friend comes from outside the city.",
        "until": f"The review's last day {yesterday.isoformat()} is in the past.",
    }
    with pytest.raises(domain.ReviewError) as refused:
        domain.invite(
            assessment=assessment,
            email="friend@elsewhere.example",
            until=TODAY + dt.timedelta(days=367),
            by=None,
        )
    assert list(refused.value.problems) == ["until"]
    assert (Review.objects.count(), Invitation.objects.count()) == (0, 0)


def test_an_address_has_one_running_review_of_an_assessment(assessment: Assessment) -> None:
    review, _token = domain.invite(
        assessment=assessment, email="friend@elsewhere.example", until=TODAY, by=None
    )
    with pytest.raises(domain.ReviewError, match="has a review of this assessment already"):
        domain.invite(assessment=assessment, email="friend@elsewhere.example", until=TODAY, by=None)
    domain.close(review=review, by=None)
    again, _token = domain.invite(
        assessment=assessment, email="friend@elsewhere.example", until=TODAY, by=None
    )
    assert Review.objects.count() == 2 and again.closed_at is None


def test_notes_need_an_objective_of_the_assessment_a_known_mark_and_a_text(
    assessment: Assessment,
) -> None:
    review = accepted(assessment)
    user = domain.reviewer(review)
    assert user is not None
    with pytest.raises(domain.ReviewError) as refused:
        domain.add_note(review=review, objective="XX9", mark="disagree", text="  ", by=user)
    assert refused.value.problems == {
        "objective": "'XX9' is not an objective of this assessment.",
        "mark": "Unknown mark 'disagree': use one of agree, challenge, suggest.",
        "text": "Write something: an empty text says nothing.",
    }
    with pytest.raises(domain.ReviewError) as refused:
        domain.add_note(review=review, objective="L1S1", mark="agree", text="x" * 5001, by=user)
    assert refused.value.problems == {"text": "At most 5000 characters (this one has 5001)."}
    assert ReviewNote.objects.count() == 0
    note = domain.add_note(
        review=review, objective="L1S1", mark="challenge", text="Where are the minutes?", by=user
    )
    assert (note.answer.objective.code, note.mark, note.text, note.author) == (
        "L1S1",
        "challenge",
        "Where are the minutes?",
        user,
    )


def test_a_note_and_its_answer_count_a_change_of_the_objectives_card(
    assessment: Assessment,
) -> None:
    review = accepted(assessment)
    user = domain.reviewer(review)
    assert user is not None
    answer = assessment.answers.get(objective__code="L1S1")
    before = (Assessment.objects.get().revision, answer.revision)
    note = domain.add_note(review=review, objective="L1S1", mark="agree", text="Good", by=user)
    domain.reply(note=note, text="Thank you", by=user)
    answer.refresh_from_db()
    assert (Assessment.objects.get().revision, answer.revision) == (
        before[0] + 2,
        before[1] + 2,
    )
    assert list(ReviewReply.objects.values_list("text", flat=True)) == ["Thank you"]


def test_access_ends_when_the_review_is_closed_or_its_last_day_has_passed(
    assessment: Assessment,
) -> None:
    review = accepted(assessment)
    user = domain.reviewer(review)
    assert user is not None
    assert access.reviews_for(user) == [review]
    Review.objects.filter(pk=review.pk).update(until=TODAY - dt.timedelta(days=1))
    assert access.reviews_for(user) == []
    with pytest.raises(access.Http404):
        access.review_for(user, review.uuid)
    review.refresh_from_db()
    with pytest.raises(domain.ReviewError, match="This review has ended"):
        domain.add_note(review=review, objective="L1S1", mark="agree", text="Late", by=user)
    Review.objects.filter(pk=review.pk).update(until=TODAY)
    assert access.review_for(user, review.uuid) == review
    assert domain.close(review=review, by=None) is True
    assert domain.close(review=review, by=None) is False
    with pytest.raises(access.Http404):
        access.review_for(user, review.uuid)
    assert ReviewNote.objects.count() == 0


def test_closing_a_review_stops_its_pending_invitation(assessment: Assessment) -> None:
    review, token = domain.invite(
        assessment=assessment, email="friend@elsewhere.example", until=TODAY, by=None
    )
    new_token = domain.resend(review=review)
    assert team.invitation_by_token(token) is None
    assert team.invitation_by_token(new_token) == review.invitation
    domain.close(review=review, by=None)
    assert team.invitation_by_token(new_token) is None
    with pytest.raises(domain.ReviewError, match="accepted or withdrawn already"):
        domain.resend(review=review)
