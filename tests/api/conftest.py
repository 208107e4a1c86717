"""Factories for API tests: a city with one person per role, an outsider, and their tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from vertebra.accounts.models import User
from vertebra.api.tokens import create_token
from vertebra.assessments.domain import create_assessment
from vertebra.assessments.models import Assessment
from vertebra.cities import team
from vertebra.cities.models import City, Membership

ROLES = ("admin", "editor", "contributor", "viewer")
# A token's first use in a minute is recorded in its own savepoint, so that a database that
# cannot take the write does not fail the read: SAVEPOINT and RELEASE around the UPDATE.
SAVEPOINT = 2
PERSONAS = (*ROLES, "outsider", "anonymous")


@dataclass
class World:
    city: City
    other_city: City
    people: dict[str, User]
    tokens: dict[str, str]
    draft: Assessment
    other_assessment: Assessment

    def client(self, persona: str) -> Client:
        if persona == "anonymous":
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.tokens[persona]}")

    @property
    def base(self) -> str:
        return f"/api/v1/cities/{self.city.slug}/assessments/{self.draft.uuid}"

    def url(self, path: str) -> str:
        return "http://testserver" + path


def make_person(email: str, city: City | None = None, role: str | None = None) -> User:
    user = User.objects.create_user(email, "pw-for-tests-1")
    if city is not None and role is not None:
        Membership.objects.create(city=city, user=user, role=role)
    return user


@pytest.fixture
def world(db: Any) -> World:
    city = City.objects.create(slug="north", name="North City")
    other = City.objects.create(slug="south", name="South City")
    people = {role: make_person(f"{role}@north.example", city, role) for role in ROLES}
    people["outsider"] = make_person("admin@south.example", other, "admin")
    tokens = {name: create_token(user=user, name="tests")[1] for name, user in people.items()}
    draft = create_assessment(
        city=city, user=people["admin"], title="Baseline 2026", date=dt.date(2026, 3, 1)
    )
    other_assessment = create_assessment(
        city=other, user=people["outsider"], title="South 2026", date=dt.date(2026, 3, 1)
    )
    return World(city, other, people, tokens, draft, other_assessment)


# Each error kind's status and title, as its problem documents carry them (RFC 9457).
KINDS = {
    "bad_request": (400, "The request cannot be read"),
    "not_authenticated": (401, "A valid token is needed"),
    "permission_denied": (403, "Your role does not allow this"),
    "workshop_closed": (403, "The workshop is closed"),
    "not_found": (404, "Not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "conflict": (409, "Changed by someone else"),
    "assessment_final": (409, "The assessment is final"),
    "last_admin": (409, "The city's last admin"),
    "precondition_failed": (412, "The precondition failed"),
    "not_opted_in": (403, "The city does not take part in benchmarking"),
    "not_enough_cities": (409, "Not enough cities yet"),
    "payload_too_large": (413, "The request is too large"),
    "unsupported_media_type": (415, "Unsupported content type"),
    "validation_error": (422, "The request has invalid values"),
    "precondition_required": (428, "The version you read is needed"),
    "too_many_requests": (429, "Too many requests"),
    "server_error": (500, "Server error"),
    "database_unavailable": (503, "The database is not available"),
    "storage_full": (507, "The server's storage is full"),
}


def error(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole problem document of an error of kind ``code``."""
    status, title = KINDS[code]
    return {
        "type": f"/api/v1/problems/{code}",
        "title": title,
        "status": status,
        "detail": message,
        "code": code,
        "details": details or {},
    }


def error_of(document: dict[str, Any]) -> dict[str, Any]:
    """A problem document's code, detail and details, once its other members are checked."""
    code = document["code"]
    assert document == error(code, document["detail"], document["details"])
    return {"code": code, "message": document["detail"], "details": document["details"]}


NOT_AUTHENTICATED = error(
    "not_authenticated",
    "Send a valid personal token as 'Authorization: Bearer <token>'. "
    "Create one under Account > API tokens.",
)
FORBIDDEN = error("permission_denied", "Your role in this city does not allow this.")
NO_CITY = error("not_found", "No such city.")
INVALID = "Some values are not valid; see details for each field."
PRECONDITION_FAILED = (
    "The If-Match header does not name the current version of this object: someone changed "
    "it since you read it (or the tag is weak). Nothing was saved. Read it again and repeat "
    "your change."
)


@dataclass
class Objects:
    """One object of each kind below the draft, and the path parameters that name them."""

    action: Any
    attachment: Any
    comment: Any
    note: Any
    path: dict[str, str]
    # A participant's credential for the workshop of path["join_code"].
    participant_token: str = ""

    def fill(self, template: str) -> str:
        """``/cities/{city}/...`` with every parameter replaced by a real object's."""
        for name, value in self.path.items():
            template = template.replace("{" + name + "}", value)
        return template


@pytest.fixture
def objects(world: World, settings: Any, tmp_path: Any) -> Objects:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vertebra.assessments.evidence import add_attachment, add_comment
    from vertebra.assessments.models import Answer
    from vertebra.planning.domain import add_note, create_action
    from vertebra.workshops.domain import create_workshop, join

    settings.MEDIA_ROOT = tmp_path / "uploads"
    admin = world.people["admin"]
    answer = Answer.objects.select_related("objective", "assessment").get(
        assessment=world.draft, objective__code="L1S1"
    )
    action = create_action(assessment=world.draft, user=admin, data={"title": "Team charter"})
    attachment = add_attachment(
        answer=answer, user=admin, upload=SimpleUploadedFile("minutes.txt", b"Council minutes")
    )
    comment = add_comment(answer=answer, user=admin, text="Noted.")
    note = add_note(action=action, user=admin, text="Kick-off held.", date=dt.date(2026, 4, 2))
    workshop = create_workshop(
        assessment=world.draft,
        user=admin,
        data={
            "title": "Leadership",
            "date": dt.date(2026, 5, 4),
            "policies": ["L1"],
            "stakeholder_types": ["Media"],
        },
    )
    _participant, key = join(
        workshop=workshop, data={"name": "Ana", "stakeholder_type": "Media"}, address="10.0.0.1"
    )
    # A critical friend's open review of the draft: the outsider (of another city) reviews.
    from vertebra.reviews import domain as reviews

    review, _token = reviews.invite(
        assessment=world.draft,
        email=world.people["outsider"].email,
        until=dt.date.today() + dt.timedelta(days=7),
        by=admin,
    )
    team.accept(invitation=review.invitation, user=world.people["outsider"])
    path = {
        "city": world.city.slug,
        "assessment_id": str(world.draft.uuid),
        "code": "L1S1",
        "action_id": str(action.uuid),
        "attachment_id": str(attachment.uuid),
        "comment_id": str(comment.uuid),
        "note_id": str(note.uuid),
        "framework_id": "smr-rmm",
        "version": "1",
        "crosswalk_id": "smr-rmm-undrr-ten-essentials",
        "fmt": "csv",
        # The city's team: the viewer's membership and a pending invitation.
        "member_id": str(Membership.objects.get(city=world.city, user=world.people["viewer"]).uuid),
        "invitation_id": str(
            team.invite(city=world.city, email="guest@north.example", role="viewer", by=admin)[
                0
            ].uuid
        ),
        # An open workshop on the draft, and one participant of it.
        "workshop_id": str(workshop.uuid),
        "join_code": workshop.join_code,
        # The review (its reviewer is the outsider) and a file of the reviewed assessment.
        "review_id": str(review.uuid),
        "my_review_id": str(review.uuid),
        "file_id": str(attachment.uuid),
    }
    return Objects(action, attachment, comment, note, path, participant_token=key)


def operations(client: Client, *methods: str) -> list[tuple[str, str]]:
    """(method, path template) of every operation of the OpenAPI document with these methods."""
    document = client.get("/api/v1/openapi.json").json()
    return [
        (method.upper(), path)
        for path, found in document["paths"].items()
        for method in found
        if method.upper() in methods
    ]
