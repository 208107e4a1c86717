"""Critical-friend review in the API: the admin invites by email, the reviewer reads one
assessment and leaves notes while the review is open, the team answers; 404 everywhere else."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.utils import timezone

from tests.api.conftest import FORBIDDEN, INVALID, World, error
from tests.smtp import body_of
from vertebra.api.tokens import create_token
from vertebra.assessments.domain import create_assessment
from vertebra.cities.models import Invitation, Membership
from vertebra.reviews.models import Review, ReviewNote, ReviewReply

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
UNTIL = (TODAY + dt.timedelta(days=14)).isoformat()


def _post(client: Any, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def _invite_and_accept(world: World, mail_server: Any) -> tuple[dict[str, Any], Any]:
    """The admin invites the other city's admin; they accept with the email's link; their
    token's client."""
    response = _post(
        world.client("admin"),
        f"{world.base}/reviews",
        {"email": "admin@south.example", "until": UNTIL},
    )
    assert response.status_code == 201, response.content
    [message] = mail_server.wait_for(1)
    link = re.search(r"http://testserver(/invitations/[^/\s]+/)", body_of(message))
    assert link is not None
    page = world.client("anonymous")
    page.force_login(world.people["outsider"])
    assert page.post(link.group(1)).status_code == 302
    return response.json(), world.client("outsider")


def test_an_admin_invites_a_reviewer_who_accepts_and_becomes_no_member(
    world: World, mail_server: Any
) -> None:
    created, _client = _invite_and_accept(world, mail_server)
    review = Review.objects.get()
    assert created["url"] == world.url(f"{world.base}/reviews/{review.uuid}")
    assert (created["email"], created["until"], created["state"], created["reviewer"]) == (
        "admin@south.example",
        UNTIL,
        "invited",
        None,
    )
    assert created["invitation_sent"] is True and created["send_problem"] is None
    read = world.client("viewer").get(created["url"]).json()
    assert (read["state"], read["reviewer"], read["reviewer_cities"], read["notes"]) == (
        "open",
        "admin@south.example",
        ["South City"],
        [],
    )
    assert not Membership.objects.filter(city=world.city, user=world.people["outsider"]).exists()
    assert Invitation.objects.get().kind == "review"


def test_the_reviewer_reads_the_assessment_and_leaves_notes_the_team_answers(
    world: World, mail_server: Any
) -> None:
    created, reviewer = _invite_and_accept(world, mail_server)
    mine = reviewer.get("/api/v1/reviews").json()
    assert [r["id"] for r in mine["results"]] == [created["id"]]
    url = mine["results"][0]["url"]
    read = reviewer.get(url).json()
    answers = read["assessment_read"]["answers"]
    assert (read["assessment_read"]["title"], read["assessment_read"]["city"]) == (
        "Baseline 2026",
        "North City",
    )
    assert len(answers) == 96 and answers[0]["code"] == "L1S1"
    response = _post(
        reviewer, f"{url}/notes", {"objective": "L1S1", "mark": "challenge", "text": "Minutes?"}
    )
    assert response.status_code == 201, response.content
    note = response.json()
    assert (note["objective"], note["mark"], note["text"], note["author"], note["replies"]) == (
        "L1S1",
        "challenge",
        "Minutes?",
        "admin@south.example",
        [],
    )
    team_read = world.client("editor").get(created["url"]).json()
    [team_note] = team_read["notes"]
    replies = team_note["replies_url"]
    assert replies == f"{created['url']}/notes/{note['id']}/replies"
    assert _post(world.client("viewer"), replies, {"text": "No"}).json() == FORBIDDEN
    answered = _post(world.client("editor"), replies, {"text": "Attached now"})
    assert answered.status_code == 201
    assert answered.json()["author"] == "editor@north.example"
    [seen] = reviewer.get(url).json()["notes"]
    assert [(r["text"], r["author"]) for r in seen["replies"]] == [
        ("Attached now", "editor@north.example")
    ]


def test_bad_invitations_and_notes_name_each_wrong_field_and_write_nothing(
    world: World, mail_server: Any
) -> None:
    past = (TODAY - dt.timedelta(days=1)).isoformat()
    response = _post(
        world.client("admin"), f"{world.base}/reviews", {"email": "nobody", "until": past}
    )
    assert response.status_code == 422
    assert response.json() == error(
        "validation_error",
        INVALID,
        {
            "email": "'nobody' is not a valid email address.",
            "until": f"The review's last day {past} is in the past.",
        },
    )
    assert Review.objects.count() == 0
    created, reviewer = _invite_and_accept(world, mail_server)
    url = f"/api/v1/reviews/{created['id']}"
    response = _post(reviewer, f"{url}/notes", {"objective": "L1S1", "mark": "meh", "text": ""})
    assert response.status_code == 422
    assert response.json()["details"] == {
        "mark": "Unknown mark 'meh': use one of agree, challenge, suggest.",
        "text": "Write something: an empty text says nothing.",
    }
    assert ReviewNote.objects.count() == 0


def test_only_admins_invite_and_close_and_editors_answer(world: World) -> None:
    body = {"email": "friend@elsewhere.example", "until": UNTIL}
    for persona in ("editor", "contributor", "viewer"):
        assert _post(world.client(persona), f"{world.base}/reviews", body).json() == FORBIDDEN
    assert _post(world.client("outsider"), f"{world.base}/reviews", body).status_code == 404
    assert Review.objects.count() == 0


def test_the_reviewer_gets_404_for_every_other_object_and_nothing_after_close(
    world: World, mail_server: Any
) -> None:
    created, reviewer = _invite_and_accept(world, mail_server)
    other = create_assessment(
        city=world.city, user=None, title="Other 2026", date=dt.date(2026, 4, 1)
    )
    for path in (
        world.base,
        f"{world.base}/answers",
        f"/api/v1/cities/north/assessments/{other.uuid}",
        "/api/v1/cities/north/members",
        f"{world.base}/reviews",
        created["url"],
    ):
        assert reviewer.get(path).status_code == 404, path
    url = f"/api/v1/reviews/{created['id']}"
    assert reviewer.get(url).status_code == 200
    # Another person's token does not open the review.
    assert world.client("viewer").get(url).status_code == 404
    closed = _post(world.client("admin"), f"{created['url']}/close", {})
    assert closed.json()["state"] == "closed"
    assert reviewer.get(url).status_code == 404
    assert reviewer.get("/api/v1/reviews").json()["count"] == 0
    note = _post(reviewer, f"{url}/notes", {"objective": "L1S1", "mark": "agree", "text": "x"})
    assert note.status_code == 404
    assert ReviewNote.objects.count() == 0


def test_access_ends_after_the_reviews_last_day(world: World, mail_server: Any) -> None:
    created, reviewer = _invite_and_accept(world, mail_server)
    url = f"/api/v1/reviews/{created['id']}"
    Review.objects.update(until=TODAY - dt.timedelta(days=1))
    assert reviewer.get(url).status_code == 404
    assert world.client("admin").get(created["url"]).json()["state"] == "ended"


def test_a_pending_review_invitation_is_resent_with_a_new_link_and_closing_withdraws_it(
    world: World, mail_server: Any
) -> None:
    created = _post(
        world.client("admin"),
        f"{world.base}/reviews",
        {"email": "friend@elsewhere.example", "until": UNTIL},
    ).json()
    resent = _post(world.client("admin"), f"{created['url']}/resend", {})
    assert resent.status_code == 200 and resent.json()["invitation_sent"] is True
    first, second = mail_server.wait_for(2)
    assert body_of(first) != body_of(second)
    _post(world.client("admin"), f"{created['url']}/close", {})
    invitation = Invitation.objects.get()
    assert invitation.withdrawn_at is not None
    again = _post(world.client("admin"), f"{created['url']}/resend", {})
    assert again.status_code == 409
    assert ReviewReply.objects.count() == 0


def test_a_reviewers_token_from_before_is_refused_only_for_what_is_not_theirs(
    world: World,
) -> None:
    stranger = world.people["outsider"]
    _row, key = create_token(user=stranger, name="second")
    assert (
        world.client("anonymous")
        .get("/api/v1/reviews", HTTP_AUTHORIZATION=f"Bearer {key}")
        .json()["count"]
        == 0
    )


def test_a_note_by_anyone_but_the_reviewer_is_404_before_its_body_is_read(
    world: World, mail_server: Any
) -> None:
    created, _reviewer = _invite_and_accept(world, mail_server)
    url = f"/api/v1/reviews/{created['id']}/notes"
    for persona in ("admin", "viewer"):
        response = world.client(persona).post(url, "{not json", content_type="application/json")
        assert response.status_code == 404
        assert response.json()["detail"] == "No such review."
    assert ReviewNote.objects.count() == 0
