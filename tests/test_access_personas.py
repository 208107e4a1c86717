"""Personas generated from the access table: for every verb, the pages, htmx requests and API
endpoints that need it, tried by each role (a session in the browser, a token in the API), an
outsider, and an anonymous visitor.

A role the table gives the verb gets its answer (and a write writes); a role without it gets
403 and nothing is written; a member of another city gets 404; nobody signed in is sent to log
in (a plain page), or gets 401 (a form post, an htmx request, the API). A verb added to the
table without an entry in ``PROBES`` fails the suite.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.api.conftest import error
from vertebra.access import ROLE_VERBS, Verb
from vertebra.accounts.models import User
from vertebra.api.tokens import create_token
from vertebra.assessments.domain import create_assessment, finalize
from vertebra.assessments.evidence import add_attachment
from vertebra.assessments.models import (
    Answer,
    AnswerEvent,
    Assessment,
    Attachment,
    Comment,
)
from vertebra.cities import team
from vertebra.cities.models import City, Invitation, Membership, MembershipEvent, Role
from vertebra.planning.domain import create_action
from vertebra.planning.models import Action, ActionEvent, ActionNote, Target
from vertebra.reviews import domain as review_rules
from vertebra.reviews.models import Review, ReviewNote, ReviewReply
from vertebra.sharing.models import Publication, SharingEvent
from vertebra.workshops.models import Workshop

ROLES = tuple(Role)
# A critical friend during their review, after its last day, and after an admin closed it:
# no member of the city, so every city page and endpoint is 404 to them (REVIEWER_PROBES
# walk what the one during the review may reach).
REVIEWERS = ("reviewer", "reviewer_after_date", "reviewer_after_close")
PERSONAS = (*(r.value for r in ROLES), "outsider", *REVIEWERS, "anonymous")
ROLE_REFUSAL = "Your role in this city does not allow this."


@dataclass
class World:
    city: City
    assessment: Assessment
    action: Action
    attachment: Attachment
    invitation: Invitation
    people: dict[str, User]
    tokens: dict[str, str]
    reviews: dict[str, Review]
    note: ReviewNote
    final: Assessment  # last year's, final: what the Sharing page publishes

    @property
    def page(self) -> str:
        return f"/cities/porto/assessments/{self.assessment.uuid}/"

    @property
    def api(self) -> str:
        return f"/api/v1/cities/porto/assessments/{self.assessment.uuid}"

    def browser(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(self.people[persona])
        return client

    def token(self, persona: str) -> Client:
        if persona == "anonymous":
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.tokens[persona]}")


@pytest.fixture
def world(db: None, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    city = City.objects.create(slug="porto", name="Porto")
    other = City.objects.create(slug="riga", name="Riga")
    people = {}
    for role in ROLES:
        people[role.value] = User.objects.create_user(f"{role.value}@porto.example", "pw")
        Membership.objects.create(city=city, user=people[role.value], role=role)
    people["outsider"] = User.objects.create_user("admin@riga.example", "pw")
    Membership.objects.create(city=other, user=people["outsider"], role=Role.ADMIN)
    tokens = {name: create_token(user=user, name="tests")[1] for name, user in people.items()}
    assessment = create_assessment(
        city=city, user=people["admin"], title="Review 2026", date=dt.date(2026, 3, 1)
    )
    action = create_action(
        assessment=assessment, user=people["admin"], data={"title": "Existing action"}
    )
    attachment = add_attachment(
        answer=Answer.objects.get(assessment=assessment, objective__code="L1S2"),
        user=people["admin"],
        upload=SimpleUploadedFile("minutes.txt", b"Council minutes"),
    )
    invitation, _token = team.invite(
        city=city, email="invited@porto.example", role="viewer", by=people["admin"]
    )
    reviews = {}
    today = timezone.localdate()
    for persona in REVIEWERS:
        friend = User.objects.create_user(f"{persona}@riga.example", "pw")
        Membership.objects.create(city=other, user=friend, role=Role.VIEWER)
        people[persona] = friend
        tokens[persona] = create_token(user=friend, name="tests")[1]
        review, _token = review_rules.invite(
            assessment=assessment, email=friend.email, until=today, by=people["admin"]
        )
        team.accept(invitation=review.invitation, user=friend)
        review.invitation.refresh_from_db()
        reviews[persona] = review
    note = review_rules.add_note(
        review=reviews["reviewer"],
        objective="L1S1",
        mark="challenge",
        text="Minutes?",
        by=people["reviewer"],
    )
    Review.objects.filter(pk=reviews["reviewer_after_date"].pk).update(
        until=today - dt.timedelta(days=1)
    )
    review_rules.close(review=reviews["reviewer_after_close"], by=people["admin"])
    final = finalize(
        assessment=create_assessment(
            city=city, user=people["admin"], title="Review 2025", date=dt.date(2025, 3, 1)
        ),
        user=people["admin"],
    )
    return World(
        city, assessment, action, attachment, invitation, people, tokens, reviews, note, final
    )


@dataclass(frozen=True)
class Probe:
    """One request that needs a verb: through the browser ("page", "htmx") or the API."""

    name: str
    channel: str
    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] | None = None

    @property
    def writes(self) -> bool:
        return self.method != "GET"


def _file() -> SimpleUploadedFile:
    return SimpleUploadedFile("minutes.txt", b"Council minutes", content_type="text/plain")


def _page(name: str, method: str, url: Callable[[World], str], data: Any = None) -> Probe:
    return Probe(name, "page", method, url, data)


def _htmx(name: str, method: str, url: Callable[[World], str], data: Any = None) -> Probe:
    return Probe(name, "htmx", method, url, data)


def _api(name: str, method: str, url: Callable[[World], str], data: Any = None) -> Probe:
    return Probe(name, "api", method, url, data)


def _action_page(w: World) -> str:
    return f"/cities/porto/actions/{w.action.uuid}/"


def _save(w: World) -> dict[str, Any]:
    return {"status": "achieved", "version": "1"}


def _viewer(w: World) -> str:
    return str(Membership.objects.get(city=w.city, user=w.people["viewer"]).uuid)


def _open_review(w: World) -> str:
    return str(w.reviews["reviewer"].uuid)


def _invite_reviewer(w: World) -> dict[str, Any]:
    until = timezone.localdate() + dt.timedelta(days=30)
    return {"email": "friend@lisbon.example", "until": until.isoformat()}


def _reply(w: World) -> dict[str, Any]:
    return {"text": "The minutes are attached now."}


def _comment(w: World) -> dict[str, Any]:
    return {"text": "We have minutes of this."}


PROBES: dict[Verb, list[Probe]] = {
    Verb.VIEW: [
        _page("city page", "GET", lambda w: "/cities/porto/"),
        _page("benchmark page", "GET", lambda w: "/cities/porto/benchmark/"),
        _page("dashboard", "GET", lambda w: w.page),
        _page("history", "GET", lambda w: w.page + "history/"),
        _page("policy page", "GET", lambda w: w.page + "policies/L1/"),
        _page("evidence file", "GET", lambda w: w.page + f"attachments/{w.attachment.uuid}/"),
        _page("plan", "GET", lambda w: w.page + "plan/"),
        _page("actions", "GET", lambda w: w.page + "plan/actions/"),
        _page("action", "GET", _action_page),
        _page("roadmap", "GET", lambda w: w.page + "plan/roadmap/"),
        _page("comparison", "GET", lambda w: "/cities/porto/compare/"),
        _page("people", "GET", lambda w: "/cities/porto/people/"),
        _page("essentials", "GET", lambda w: w.page + "references/smr-rmm-undrr-ten-essentials/"),
        _api("city", "GET", lambda w: "/api/v1/cities/porto"),
        _api("assessment", "GET", lambda w: w.api),
        _api("answers", "GET", lambda w: w.api + "/answers"),
        _api("action", "GET", lambda w: f"{w.api}/actions/{w.action.uuid}"),
        _api("essentials", "GET", lambda w: w.api + "/references/smr-rmm-undrr-ten-essentials"),
        _page("peer reviews", "GET", lambda w: w.page + "reviews/"),
        _api("reviews", "GET", lambda w: w.api + "/reviews"),
        _api("review", "GET", lambda w: f"{w.api}/reviews/{_open_review(w)}"),
    ],
    Verb.EXPORT: [
        _page("CSV report", "GET", lambda w: w.page + "report.csv"),
        _api("JSON export", "GET", lambda w: w.api + "/exports/json"),
    ],
    Verb.COMMENT: [
        _page("comment", "POST", lambda w: w.page + "objectives/L1S1/comments/", _comment),
        _htmx("comment", "POST", lambda w: w.page + "objectives/L1S1/comments/", _comment),
        _api("comment", "POST", lambda w: w.api + "/answers/L1S1/comments", _comment),
    ],
    Verb.EDIT_ANSWERS: [
        _page("save answer", "POST", lambda w: w.page + "objectives/L1S1/save/", _save),
        _htmx("save answer", "POST", lambda w: w.page + "objectives/L1S1/save/", _save),
        _api(
            "update answer",
            "PATCH",
            lambda w: w.api + "/answers/L1S1",
            lambda w: {"version": 1, "status": "achieved"},
        ),
        _api(
            "update answers",
            "PATCH",
            lambda w: w.api + "/answers",
            lambda w: {"answers": [{"code": "L1S1", "version": 1, "status": "in_progress"}]},
        ),
        # Workshops are run by those who may edit answers (docs/WORKSHOPS.md).
        _api(
            "open a workshop",
            "POST",
            lambda w: w.api + "/workshops",
            lambda w: {
                "title": "Leadership",
                "date": "2026-05-04",
                "policies": ["L1"],
                "stakeholder_types": ["Media"],
            },
        ),
        _api("list workshops", "GET", lambda w: w.api + "/workshops"),
        _page("workshops page", "GET", lambda w: w.page + "workshops/"),
        _page(
            "open a workshop",
            "POST",
            lambda w: w.page + "workshops/new/",
            lambda w: {
                "title": "Leadership",
                "date": "2026-05-04",
                "policies": ["L1"],
                "stakeholder_types": ["Media"],
            },
        ),
    ],
    Verb.UPLOAD: [
        _page(
            "attach file",
            "POST",
            lambda w: w.page + "objectives/L1S1/attachments/",
            lambda w: {"file": _file()},
        ),
        _page(
            "remove file",
            "POST",
            lambda w: w.page + f"objectives/L1S2/attachments/{w.attachment.uuid}/delete/",
        ),
        _page(
            "choose a file to link", "GET", lambda w: w.page + "objectives/L1S1/attachments/link/"
        ),
        _page(
            "link file",
            "POST",
            lambda w: w.page + "objectives/L1S1/attachments/link/",
            lambda w: {"file": str(w.attachment.uuid)},
        ),
        _api(
            "attach file",
            "POST",
            lambda w: w.api + "/answers/L1S1/attachments",
            lambda w: {"file": _file()},
        ),
        _api(
            "link file",
            "PUT",
            lambda w: f"{w.api}/answers/L1S1/attachments/{w.attachment.uuid}",
        ),
        _api(
            "remove file",
            "DELETE",
            lambda w: f"{w.api}/answers/L1S2/attachments/{w.attachment.uuid}",
        ),
    ],
    Verb.IMPORT: [
        _page("import form", "GET", lambda w: w.page + "import/"),
        _page(
            "import",
            "POST",
            lambda w: w.page + "import/",
            lambda w: {"file": SimpleUploadedFile("a.csv", b"objective,status\nL1S1,achieved\n")},
        ),
    ],
    Verb.START_ASSESSMENT: [
        _page("new assessment form", "GET", lambda w: "/cities/porto/assessments/new/"),
        _page(
            "create assessment",
            "POST",
            lambda w: "/cities/porto/assessments/new/",
            lambda w: {"title": "Workshop", "date": "2026-05-04"},
        ),
        _api(
            "create assessment",
            "POST",
            lambda w: "/api/v1/cities/porto/assessments",
            lambda w: {"title": "Next", "date": "2027-03-01"},
        ),
        _api(
            "new cycle",
            "POST",
            lambda w: w.api + "/cycles",
            lambda w: {"title": "Review 2027", "date": "2027-03-01"},
        ),
    ],
    Verb.PLAN: [
        _page("new action form", "GET", lambda w: w.page + "plan/actions/new/"),
        _page("edit action form", "GET", lambda w: _action_page(w) + "edit/"),
        _page(
            "note on an action",
            "POST",
            lambda w: _action_page(w) + "notes/",
            lambda w: {"date": "2026-03-02", "text": "Kick-off meeting held."},
        ),
        _api(
            "create action",
            "POST",
            lambda w: w.api + "/actions",
            lambda w: {"title": "Set up a resilience team"},
        ),
        _api(
            "update action",
            "PATCH",
            lambda w: f"{w.api}/actions/{w.action.uuid}",
            lambda w: {"version": 1, "status": "planned"},
        ),
    ],
    Verb.SET_TARGETS: [
        _page("targets form", "GET", lambda w: w.page + "plan/targets/"),
        _api(
            "set targets", "PATCH", lambda w: w.api + "/targets", lambda w: {"targets": {"L1": "A"}}
        ),
    ],
    Verb.FINALIZE: [
        _page("finalize form", "GET", lambda w: w.page + "finalize/"),
        _page("finalize", "POST", lambda w: w.page + "finalize/"),
        _api("finalize", "POST", lambda w: w.api + "/finalize"),
    ],
    Verb.MANAGE_CITY: [
        # Benchmarking and the public page (the Sharing page).
        _page("sharing page", "GET", lambda w: "/cities/porto/sharing/"),
        _page(
            "join benchmarking",
            "POST",
            lambda w: "/cities/porto/sharing/benchmark/join/",
            lambda w: {"consent": "on"},
        ),
        _page(
            "publish an assessment",
            "POST",
            lambda w: f"/cities/porto/sharing/assessments/{w.final.uuid}/publish/",
            lambda w: {"licence": "CC-BY-4.0"},
        ),
        _page(
            "stakeholder types form", "GET", lambda w: "/cities/porto/settings/stakeholder-types/"
        ),
        _page(
            "set stakeholder types",
            "POST",
            lambda w: "/cities/porto/settings/stakeholder-types/",
            lambda w: {"types": "Citizens\nMedia"},
        ),
        _api(
            "set stakeholder types",
            "PUT",
            lambda w: "/api/v1/cities/porto/stakeholder-types",
            lambda w: {"stakeholder_types": ["Citizens", "Media"]},
        ),
    ],
    Verb.MANAGE_PEOPLE: [
        _page(
            "invite",
            "POST",
            lambda w: "/cities/porto/people/invite/",
            lambda w: {"email": "new@porto.example", "role": "viewer"},
        ),
        _page(
            "change a role",
            "POST",
            lambda w: f"/cities/porto/people/{_viewer(w)}/role/",
            lambda w: {"role": "editor"},
        ),
        _page("remove form", "GET", lambda w: f"/cities/porto/people/{_viewer(w)}/remove/"),
        _page("remove a person", "POST", lambda w: f"/cities/porto/people/{_viewer(w)}/remove/"),
        _page(
            "resend an invitation",
            "POST",
            lambda w: f"/cities/porto/people/invitations/{w.invitation.uuid}/resend/",
        ),
        _page(
            "withdraw an invitation",
            "POST",
            lambda w: f"/cities/porto/people/invitations/{w.invitation.uuid}/withdraw/",
        ),
        _api("members", "GET", lambda w: "/api/v1/cities/porto/members"),
        _api(
            "change a role",
            "PATCH",
            lambda w: f"/api/v1/cities/porto/members/{_viewer(w)}",
            lambda w: {"role": "editor"},
        ),
        _api("remove a member", "DELETE", lambda w: f"/api/v1/cities/porto/members/{_viewer(w)}"),
        _api("invitations", "GET", lambda w: "/api/v1/cities/porto/invitations"),
        _api(
            "invite",
            "POST",
            lambda w: "/api/v1/cities/porto/invitations",
            lambda w: {"email": "new@porto.example", "role": "viewer"},
        ),
        _api(
            "resend an invitation",
            "POST",
            lambda w: f"/api/v1/cities/porto/invitations/{w.invitation.uuid}/resend",
        ),
        _api(
            "withdraw an invitation",
            "DELETE",
            lambda w: f"/api/v1/cities/porto/invitations/{w.invitation.uuid}",
        ),
    ],
    # --- critical-friend review ---
    Verb.MANAGE_REVIEWS: [
        _page(
            "invite a reviewer",
            "POST",
            lambda w: w.page + "reviews/invite/",
            _invite_reviewer,
        ),
        _page(
            "close a review",
            "POST",
            lambda w: w.page + f"reviews/{_open_review(w)}/close/",
        ),
        _api(
            "invite a reviewer",
            "POST",
            lambda w: w.api + "/reviews",
            _invite_reviewer,
        ),
        _api("close a review", "POST", lambda w: f"{w.api}/reviews/{_open_review(w)}/close"),
    ],
    Verb.ANSWER_REVIEWS: [
        _page(
            "answer a review note",
            "POST",
            lambda w: w.page + f"reviews/notes/{w.note.uuid}/answer/",
            _reply,
        ),
        _api(
            "answer a review note",
            "POST",
            lambda w: f"{w.api}/reviews/{_open_review(w)}/notes/{w.note.uuid}/replies",
            _reply,
        ),
    ],
}

CASES = [
    pytest.param(verb, probe, persona, id=f"{verb.value}-{probe.channel}-{probe.name}-{persona}")
    for verb, probes in PROBES.items()
    for probe in probes
    for persona in PERSONAS
]


def written(w: World) -> tuple[Any, ...]:
    """Everything a request of these probes could write."""
    w.city.refresh_from_db()
    return (
        sorted(Assessment.objects.values_list("title", "status")),
        AnswerEvent.objects.count(),
        Comment.objects.count(),
        Attachment.objects.count(),
        Target.objects.count(),
        Action.objects.count(),
        ActionEvent.objects.count(),
        ActionNote.objects.count(),
        w.city.stakeholder_types,
        sorted(Membership.objects.values_list("user__email", "role")),
        sorted(Invitation.objects.values_list("email", "token_digest", "withdrawn_at")),
        MembershipEvent.objects.count(),
        sorted(Workshop.objects.values_list("title", "status")),
        sorted(Review.objects.values_list("invitation__email", "closed_at")),
        ReviewNote.objects.count(),
        ReviewReply.objects.count(),
        w.city.share_for_benchmarking,
        sorted(Publication.objects.values_list("assessment__title", flat=True)),
        SharingEvent.objects.count(),
    )


def send(w: World, probe: Probe, persona: str) -> Any:
    path = probe.url(w)
    data = probe.data(w) if probe.data else None
    if probe.channel == "api":
        client = w.token(persona)
        if data is not None and any(isinstance(v, SimpleUploadedFile) for v in data.values()):
            return client.post(path, data)
        body = json.dumps(data) if data is not None else ""
        return client.generic(probe.method, path, body, content_type="application/json")
    client = w.browser(persona)
    headers = {"HTTP_HX_REQUEST": "true"} if probe.channel == "htmx" else {}
    if probe.method == "GET":
        return client.get(path, **headers)
    return client.post(path, data or {}, **headers)


def test_every_verb_has_pages_or_endpoints_that_need_it() -> None:
    assert sorted(PROBES) == sorted(Verb)
    assert all(PROBES[verb] for verb in Verb)


def test_every_verb_is_given_to_some_role() -> None:
    assert {verb for verbs in ROLE_VERBS.values() for verb in verbs} == set(Verb)


@pytest.mark.parametrize(("verb", "probe", "persona"), CASES)
def test_each_persona_gets_what_the_table_says(
    world: World, verb: Verb, probe: Probe, persona: str
) -> None:
    before = written(world)
    response = send(world, probe, persona)
    content = response.content.decode() if not response.streaming else ""
    if persona == "anonymous":
        if probe.channel == "page" and probe.method == "GET":
            assert (response.status_code, response["Location"]) == (
                302,
                f"/login/?next={probe.url(world)}",
            )
        else:
            assert response.status_code == 401
    elif persona == "outsider" or persona in REVIEWERS:
        assert response.status_code == 404, content
        assert "Review 2026" not in content
    elif verb in ROLE_VERBS[Role(persona)]:
        assert response.status_code < 400, content
        if probe.writes:
            assert written(world) != before
        return
    else:
        assert response.status_code == 403, content
        if probe.channel == "api":
            assert response.json() == error(
                **{"code": "permission_denied", "message": ROLE_REFUSAL, "details": {}}
            )
        else:
            assert ROLE_REFUSAL in content
    assert written(world) == before


# --- critical-friend review: what a reviewer reaches, and only while the review is open ------
# Each request names the review of the "reviewer" persona (open); the reviewers whose review
# ended try their own. Only the open review's reviewer gets an answer; everyone else 404
# (anonymous visitors are sent to log in, or 401), with nothing written.


def _review_of(w: World, persona: str) -> str:
    mine = persona if persona in ("reviewer_after_date", "reviewer_after_close") else "reviewer"
    return str(w.reviews[mine].uuid)


def _note(w: World) -> dict[str, Any]:
    return {"objective": "L1S2", "mark": "suggest", "text": "Publish the minutes."}


REVIEWER_PROBES = [
    _page("review page", "GET", lambda w: "/reviews/{review}/"),
    _page("review note", "POST", lambda w: "/reviews/{review}/notes/", _note),
    _page("reviewed file", "GET", lambda w: f"/reviews/{{review}}/files/{w.attachment.uuid}/"),
    _api("review", "GET", lambda w: "/api/v1/reviews/{review}"),
    _api("review note", "POST", lambda w: "/api/v1/reviews/{review}/notes", _note),
    _api("reviewed file", "GET", lambda w: f"/api/v1/reviews/{{review}}/files/{w.attachment.uuid}"),
]


@pytest.mark.parametrize(
    ("probe", "persona"),
    [
        pytest.param(probe, persona, id=f"{probe.channel}-{probe.name}-{persona}")
        for probe in REVIEWER_PROBES
        for persona in PERSONAS
    ],
)
def test_only_the_reviewer_during_the_review_reaches_it(
    world: World, probe: Probe, persona: str
) -> None:
    address = probe.url(world).replace("{review}", _review_of(world, persona))
    found = Probe(probe.name, probe.channel, probe.method, lambda w: address, probe.data)
    before = written(world)
    response = send(world, found, persona)
    if persona == "anonymous":
        if probe.channel == "page" and probe.method == "GET":
            assert (response.status_code, response["Location"]) == (
                302,
                f"/login/?next={address}",
            )
        else:
            assert response.status_code == 401
    elif persona == "reviewer":
        assert response.status_code < 400, response.content
        if probe.writes:
            assert written(world) != before
        return
    else:
        assert response.status_code == 404
    assert written(world) == before


@pytest.mark.parametrize("persona", REVIEWERS)
def test_a_reviewer_lists_only_their_open_review(world: World, persona: str) -> None:
    listed = world.token(persona).get("/api/v1/reviews").json()
    expected = [str(world.reviews[persona].uuid)] if persona == "reviewer" else []
    assert [r["id"] for r in listed["results"]] == expected
    page = world.browser(persona).get("/work/").content.decode()
    assert ("Porto: Review 2026" in page) is (persona == "reviewer")
