"""A caller who may not write gets 403 (a viewer) or 404 (a non-member) from every writing
endpoint, whatever the body holds: the role is checked before the body is read, so a refused
caller learns nothing about what the endpoint accepts, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import FORBIDDEN, NO_CITY, Objects, World, operations
from vertebra.assessments.models import AnswerEvent, Assessment, Attachment, Comment
from vertebra.cities.models import Invitation, Membership, MembershipEvent
from vertebra.planning.models import Action, ActionEvent, ActionNote, Target
from vertebra.reviews.models import Review, ReviewNote, ReviewReply
from vertebra.workshops.models import Decision, Workshop

pytestmark = pytest.mark.django_db

WRITES = ("POST", "PUT", "PATCH", "DELETE")
BODIES = {
    "not JSON": ("{title", "application/json"),
    "wrong types and unknown fields": (
        '{"title": 5, "version": "x", "zz": []}',
        "application/json",
    ),
    "not a JSON type": ("title=x", "application/x-www-form-urlencoded"),
}


def written(world: World) -> dict[str, Any]:
    """Everything a write could have changed."""
    world.city.refresh_from_db()
    return {
        "assessments": Assessment.objects.count(),
        "answer events": AnswerEvent.objects.count(),
        "actions": Action.objects.count(),
        "action events": ActionEvent.objects.count(),
        "notes": ActionNote.objects.count(),
        "comments": Comment.objects.count(),
        "files": Attachment.objects.count(),
        "targets": Target.objects.count(),
        "stakeholder types": list(world.city.stakeholder_types),
        "members": sorted(Membership.objects.values_list("user__email", "role")),
        "invitations": sorted(
            Invitation.objects.values_list("email", "token_digest", "withdrawn_at")
        ),
        "team events": MembershipEvent.objects.count(),
        "workshops": sorted(Workshop.objects.values_list("title", "status")),
        "decisions": Decision.objects.count(),
        "reviews": sorted(Review.objects.values_list("invitation__email", "closed_at")),
        "review notes": ReviewNote.objects.count(),
        "review answers": ReviewReply.objects.count(),
    }


@pytest.mark.parametrize("body", sorted(BODIES))
@pytest.mark.parametrize(
    ("persona", "status", "document"),
    [
        ("viewer", 403, FORBIDDEN),
        ("outsider", 404, NO_CITY),
    ],
)
def test_every_writing_endpoint_refuses_before_reading_the_body(
    world: World, objects: Objects, body: str, persona: str, status: int, document: Any
) -> None:
    # A city's endpoints; a workshop's participants' are in tests/api/test_workshops.py.
    writes = [w for w in operations(Client(), *WRITES) if "{city}" in w[1]]
    assert len(writes) == 32
    before = written(world)
    content, content_type = BODIES[body]
    answers = {}
    for method, template in writes:
        response = world.client(persona).generic(
            method, objects.fill(template), content, content_type=content_type
        )
        answers[method, template] = (response.status_code, response.json())
    assert answers == {operation: (status, document) for operation in writes}
    assert written(world) == before
