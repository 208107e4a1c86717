"""Workshops through the API: the facilitator's endpoints under the assessment, the
participants' under the workshop's join_api_url, and who may reach which."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import NO_CITY, NOT_AUTHENTICATED, World, error, error_of
from vertebra.assessments.models import Answer, AnswerEvent
from vertebra.workshops import domain
from vertebra.workshops.models import Decision, JoinAttempt, Participant, Rating, Workshop

pytestmark = pytest.mark.django_db

L1 = ["L1S1", "L1S2", "L1M1", "L1M2", "L1M3", "L1M4", "L1M5", "L1A1", "L1A2", "L1R1", "L1T1"]
BODY = {
    "title": "Leadership workshop",
    "date": "2026-05-04",
    "policies": ["L1"],
    "stakeholder_types": ["Emergency services", "Media"],
    "anonymous": True,
}
PARTICIPANT_401 = error(
    "not_authenticated",
    "Send the participant_token you got when you joined this workshop as "
    "'Authorization: Bearer <participant_token>'.",
)
CLOSED = {
    "code": "workshop_closed",
    "message": "This workshop is closed: its ratings can no longer be changed.",
    "details": {},
}


def bearer(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def open_workshop(world: World, persona: str = "editor", **changes: Any) -> dict[str, Any]:
    response = world.client(persona).post(
        f"{world.base}/workshops", {**BODY, **changes}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def join(workshop: dict[str, Any], name: str, kind: str, address: str = "10.0.0.1") -> str:
    response = Client(REMOTE_ADDR=address).post(
        workshop["join_api_url"] + "/participants",
        {"name": name, "stakeholder_type": kind},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["participant_token"]


def rate(workshop: dict[str, Any], key: str, code: str, **body: Any) -> Any:
    return bearer(key).put(
        f"{workshop['join_api_url']}/ratings/{code}", body, content_type="application/json"
    )


def test_an_editor_opens_a_workshop_with_a_join_code_and_addresses(world: World) -> None:
    created = world.client("editor").post(
        f"{world.base}/workshops", BODY, content_type="application/json"
    )
    body = created.json()
    stored = Workshop.objects.get()
    assert created.status_code == 201
    assert created["Location"] == body["url"]
    assert len(body["join_code"]) == 6
    assert set(body["join_code"]) <= set(domain.CODE_ALPHABET)
    assert body == {
        "url": world.url(f"{world.base}/workshops/{stored.uuid}"),
        "id": str(stored.uuid),
        "title": "Leadership workshop",
        "date": "2026-05-04",
        "policies": ["L1"],
        "stakeholder_types": ["Emergency services", "Media"],
        "anonymous": True,
        "status": "open",
        "join_code": stored.join_code,
        "join_api_url": world.url(f"/api/v1/workshops/{stored.join_code}"),
        "participants": 0,
        "created_at": body["created_at"],
        "revealed_at": None,
        "closed_at": None,
    }
    listed = world.client("admin").get(f"{world.base}/workshops").json()
    assert (listed["count"], listed["results"]) == (1, [body])


def test_opening_a_workshop_names_every_wrong_field_and_writes_nothing(world: World) -> None:
    response = world.client("admin").post(
        f"{world.base}/workshops",
        {**BODY, "title": " ", "policies": ["L1", "Q9"], "stakeholder_types": ["Aliens"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    details = error_of(response.json())["details"]
    assert details == {
        "title": "This field is required.",
        "policies": details["policies"],
        "stakeholder_types": details["stakeholder_types"],
    }
    assert details["policies"].startswith("Unknown policy Q9. Choose from: L1, L2")
    assert details["stakeholder_types"].startswith("Aliens is not one of the city's stakeholder")
    assert Workshop.objects.count() == 0


@pytest.mark.parametrize(("persona", "status"), [("contributor", 403), ("viewer", 403)])
def test_contributors_and_viewers_may_not_run_workshops(
    world: World, persona: str, status: int
) -> None:
    workshop = open_workshop(world)
    client = world.client(persona)
    answers = [
        client.post(f"{world.base}/workshops", BODY, content_type="application/json"),
        client.get(f"{world.base}/workshops"),
        client.get(workshop["url"]),
        client.get(workshop["url"] + "/results"),
        client.post(workshop["url"] + "/reveal"),
        client.post(
            workshop["url"] + "/consensus",
            {"answers": [{"code": "L1S1", "status": "achieved"}]},
            content_type="application/json",
        ),
        client.post(workshop["url"] + "/close"),
    ]
    assert [(r.status_code, error_of(r.json())["code"]) for r in answers] == [
        (status, "permission_denied")
    ] * 7
    assert (Workshop.objects.count(), Workshop.objects.get().status) == (1, "open")
    assert Decision.objects.count() == 0


def test_people_of_another_city_get_404_for_the_workshop(world: World) -> None:
    workshop = open_workshop(world)
    client = world.client("outsider")
    answers = [
        client.get(f"{world.base}/workshops"),
        client.get(workshop["url"]),
        client.get(workshop["url"] + "/results"),
        client.post(workshop["url"] + "/close"),
    ]
    assert [(r.status_code, r.json()) for r in answers] == [(404, NO_CITY)] * 4
    other = f"/api/v1/cities/south/assessments/{world.other_assessment.uuid}/workshops/"
    found = client.get(other + workshop["id"])
    assert (found.status_code, error_of(found.json())["message"]) == (
        404,
        "No such workshop in this assessment.",
    )
    assert Workshop.objects.get().status == "open"


def test_anonymous_callers_get_401_from_the_facilitators_endpoints(world: World) -> None:
    workshop = open_workshop(world)
    answers = [Client().get(workshop["url"]), Client().post(workshop["url"] + "/close")]
    assert [(r.status_code, r.json()) for r in answers] == [(401, NOT_AUTHENTICATED)] * 2


def test_participants_join_rate_and_the_facilitator_sees_the_results(world: World) -> None:
    workshop = open_workshop(world)
    ana = join(workshop, "Ana", "Emergency services")
    ben = join(workshop, "Ben", "Media")
    cy = join(workshop, "Cy", "Media")
    assert rate(workshop, ana, "L1S1", status="achieved").status_code == 200
    assert (
        rate(workshop, ben, "L1S1", status="not_started", comment="No plan yet").status_code == 200
    )
    changed = rate(workshop, cy, "L1S1", status="in_progress", progress=40)
    assert changed.json() == {
        "code": "L1S1",
        "status": "in_progress",
        "progress": 40,
        "comment": "",
        "updated_at": changed.json()["updated_at"],
    }
    rate(workshop, cy, "L1S1", status="achieved")  # changed mind
    rate(workshop, ana, "L1S2", status="unknown")
    results = world.client("editor").get(workshop["url"] + "/results").json()
    assert results["participants"] == {"Emergency services": 1, "Media": 2}
    assert [o["code"] for o in results["objectives"]] == L1
    first, second = results["objectives"][:2]
    assert first == {
        "code": "L1S1",
        "ratings": 3,
        "distribution": {
            "not_started": 1,
            "in_progress": 0,
            "achieved": 2,
            "not_applicable": 0,
            "unknown": 0,
        },
        "by_stakeholder_type": {
            "Emergency services": {
                "not_started": 0,
                "in_progress": 0,
                "achieved": 1,
                "not_applicable": 0,
                "unknown": 0,
            },
            "Media": {
                "not_started": 1,
                "in_progress": 0,
                "achieved": 1,
                "not_applicable": 0,
                "unknown": 0,
            },
        },
        "agreement": 2 / 3,
        "flagged": True,
        "answer_version": 1,
    }
    assert (second["ratings"], second["agreement"], second["flagged"]) == (1, None, False)
    assert Rating.objects.count() == 4


def test_a_rating_outside_the_workshop_or_with_bad_values_is_refused_and_not_written(
    world: World,
) -> None:
    workshop = open_workshop(world)
    key = join(workshop, "Ana", "Media")
    response = rate(workshop, key, "L2M1", status="achieved", progress=50)
    assert response.status_code == 422
    assert error_of(response.json())["details"] == {
        "objective_code": "L2M1 is not an objective of this workshop.",
        "progress": "Give a progress only for a status of in_progress.",
    }
    wrong = rate(workshop, key, "L1S1", status="in_progress", progress=101)
    assert error_of(wrong.json())["details"] == {"progress": "Give a whole number from 0 to 100."}
    assert Rating.objects.count() == 0


def test_joining_with_an_unknown_or_closed_code_gets_the_same_answer(world: World) -> None:
    workshop = open_workshop(world)
    closed = open_workshop(world, title="Earlier")
    world.client("editor").post(closed["url"] + "/close")
    answers = []
    for code in ("ZZZZZZ", closed["join_code"]):
        response = Client().post(
            f"/api/v1/workshops/{code}/participants",
            {"name": "Ana", "stakeholder_type": "Media"},
            content_type="application/json",
        )
        answers.append((response.status_code, response.json()))
    message = "No open workshop has this code. Check the code on the screen."
    assert answers == [(404, error("not_found", message))] * 2
    assert Participant.objects.count() == 0
    assert workshop["status"] == "open"


def test_a_join_with_a_stakeholder_type_the_workshop_does_not_expect_is_refused(
    world: World,
) -> None:
    workshop = open_workshop(world)
    response = Client().post(
        workshop["join_api_url"] + "/participants",
        {"name": "", "stakeholder_type": "Academia"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert error_of(response.json())["details"] == {
        "name": "This field is required.",
        "stakeholder_type": "Choose one of this workshop's stakeholder types: "
        "Emergency services, Media.",
    }
    assert Participant.objects.count() == 0


def test_joining_is_rate_limited_per_address(world: World, settings: Any) -> None:
    settings.WORKSHOP_JOINS_PER_ADDRESS = 2
    workshop = open_workshop(world)
    join(workshop, "Ana", "Media", address="10.0.0.9")
    Client(REMOTE_ADDR="10.0.0.9").post(
        "/api/v1/workshops/ZZZZZZ/participants",
        {"name": "Guess", "stakeholder_type": "Media"},
        content_type="application/json",
    )
    third = Client(REMOTE_ADDR="10.0.0.9").post(
        workshop["join_api_url"] + "/participants",
        {"name": "Ben", "stakeholder_type": "Media"},
        content_type="application/json",
    )
    assert (third.status_code, third["Retry-After"], error_of(third.json())["code"]) == (
        429,
        "60",
        "too_many_requests",
    )
    other_address = join(workshop, "Cy", "Media", address="10.0.0.10")
    assert other_address.startswith("vtw_")
    assert sorted(Participant.objects.values_list("name", flat=True)) == ["Ana", "Cy"]


def test_joining_is_rate_limited_per_workshop(world: World, settings: Any) -> None:
    settings.WORKSHOP_JOINS_PER_WORKSHOP = 2
    workshop = open_workshop(world)
    join(workshop, "Ana", "Media", address="10.0.0.1")
    join(workshop, "Ben", "Media", address="10.0.0.2")
    third = Client(REMOTE_ADDR="10.0.0.3").post(
        workshop["join_api_url"] + "/participants",
        {"name": "Cy", "stakeholder_type": "Media"},
        content_type="application/json",
    )
    assert third.status_code == 429
    assert Participant.objects.count() == 2
    assert JoinAttempt.objects.count() == 3


def test_the_credential_is_stored_only_as_a_digest(world: World) -> None:
    workshop = open_workshop(world)
    key = join(workshop, "Ana", "Media")
    stored = Participant.objects.get()
    assert stored.token_digest == domain.digest(key)
    assert key not in str(list(Participant.objects.values()))


def test_participants_see_results_only_once_revealed(world: World) -> None:
    workshop = open_workshop(world)
    key = join(workshop, "Ana", "Media")
    rate(workshop, key, "L1S1", status="achieved")
    before = bearer(key).get(workshop["join_api_url"] + "/results")
    assert (before.status_code, error_of(before.json())["message"]) == (
        403,
        "The facilitator has not revealed the results yet.",
    )
    revealed = world.client("editor").post(workshop["url"] + "/reveal")
    assert (revealed.status_code, revealed.json()["status"]) == (200, "revealed")
    after = bearer(key).get(workshop["join_api_url"] + "/results").json()
    assert after["participants"] == {"Media": 1}
    assert after["objectives"][0]["distribution"]["achieved"] == 1
    assert "answer_version" not in after["objectives"][0]
    # Ratings may still change after the reveal.
    assert rate(workshop, key, "L1S1", status="in_progress").status_code == 200


def test_a_participant_reads_what_to_rate_and_their_own_ratings(world: World) -> None:
    workshop = open_workshop(world)
    key = join(workshop, "Ana", "Media")
    other = join(workshop, "Ben", "Media")
    rate(workshop, key, "L1M1", status="unknown", comment="Not my field")
    rate(workshop, other, "L1S1", status="achieved")
    read = bearer(key).get(workshop["join_api_url"]).json()
    assert read == {
        "title": "Leadership workshop",
        "date": "2026-05-04",
        "status": "open",
        "stakeholder_types": ["Emergency services", "Media"],
        "objectives": L1,
        "ratings": [
            {
                "code": "L1M1",
                "status": "unknown",
                "progress": None,
                "comment": "Not my field",
                "updated_at": read["ratings"][0]["updated_at"],
            }
        ],
    }


def test_after_closing_participants_can_no_longer_write_or_read(world: World) -> None:
    workshop = open_workshop(world)
    key = join(workshop, "Ana", "Media")
    rate(workshop, key, "L1S1", status="achieved")
    closed = world.client("editor").post(workshop["url"] + "/close")
    assert closed.json()["status"] == "closed"
    answers = [
        rate(workshop, key, "L1S1", status="not_started"),
        bearer(key).get(workshop["join_api_url"]),
        bearer(key).get(workshop["join_api_url"] + "/results"),
    ]
    assert [(r.status_code, error_of(r.json())) for r in answers] == [(403, CLOSED)] * 3
    assert list(Rating.objects.values_list("status", flat=True)) == ["achieved"]
    again = world.client("editor").post(workshop["url"] + "/close")
    assert (again.status_code, error_of(again.json())["message"]) == (
        409,
        "This workshop is closed already.",
    )


def test_a_participant_token_reaches_nothing_else_of_the_api(world: World) -> None:
    workshop = open_workshop(world)
    other = open_workshop(world, title="Other room")
    key = join(workshop, "Ana", "Media")
    client = bearer(key)
    elsewhere = [
        client.get("/api/v1/cities"),
        client.get(world.base),
        client.get(f"{world.base}/answers/L1S1"),
        client.get(workshop["url"]),
        client.get(workshop["url"] + "/results"),
        client.post(workshop["url"] + "/reveal"),
    ]
    assert [(r.status_code, r.json()) for r in elsewhere] == [(401, NOT_AUTHENTICATED)] * 6
    # Another workshop's participant pages: this credential is not theirs.
    answers = [
        rate(other, key, "L1S1", status="achieved"),
        client.get(other["join_api_url"]),
        client.get(other["join_api_url"] + "/results"),
    ]
    assert [(r.status_code, r.json()) for r in answers] == [(401, PARTICIPANT_401)] * 3
    assert Rating.objects.count() == 0
    assert Workshop.objects.get(uuid=workshop["id"]).status == "open"


@pytest.mark.parametrize("persona", ["admin", "viewer", "outsider", "anonymous"])
def test_people_without_a_participants_credential_get_401_on_the_participant_endpoints(
    world: World, persona: str
) -> None:
    workshop = open_workshop(world)
    client = world.client(persona)
    answers = [
        client.put(
            workshop["join_api_url"] + "/ratings/L1S1",
            {"status": "achieved"},
            content_type="application/json",
        ),
        client.get(workshop["join_api_url"]),
        client.get(workshop["join_api_url"] + "/results"),
    ]
    assert [(r.status_code, r.json()) for r in answers] == [(401, PARTICIPANT_401)] * 3
    assert Rating.objects.count() == 0


def test_consensus_saves_the_agreed_answers_with_their_trail(world: World) -> None:
    workshop = open_workshop(world)
    for name, status in (("Ana", "achieved"), ("Ben", "achieved"), ("Cy", "in_progress")):
        rate(workshop, join(workshop, name, "Media"), "L1S1", status=status)
    saved = world.client("editor").post(
        workshop["url"] + "/consensus",
        {
            "answers": [
                {"code": "L1S1", "status": "achieved", "note": "Charter signed", "version": 1},
                {"code": "L1S2", "status": "in_progress", "progress": 30},
            ]
        },
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.json()
    decisions = saved.json()["decisions"]
    assert [
        (d["code"], d["status"], d["progress"], d["note"], d["ratings"]) for d in decisions
    ] == [
        ("L1S1", "achieved", None, "Charter signed", 3),
        ("L1S2", "in_progress", 30, "", 0),
    ]
    assert [d["agreement"] for d in decisions] == [2 / 3, None]
    answers = {
        a.objective.code: (a.status, a.progress, a.version)
        for a in Answer.objects.filter(
            assessment=world.draft, objective__code__in=["L1S1", "L1S2"]
        ).select_related("objective")
    }
    assert answers == {"L1S1": ("achieved", None, 2), "L1S2": ("in_progress", 30, 2)}
    events = AnswerEvent.objects.filter(source="workshop").order_by("objective_code", "field")
    assert [(e.objective_code, e.field, e.new_value, e.note, e.user.email) for e in events] == [
        (
            "L1S1",
            "status",
            "achieved",
            "Agreed in workshop Leadership workshop on 2026-05-04: 3 ratings, agreement 67 %",
            "editor@north.example",
        ),
        (
            "L1S2",
            "progress",
            "30",
            "Agreed in workshop Leadership workshop on 2026-05-04: 0 ratings, agreement -",
            "editor@north.example",
        ),
        (
            "L1S2",
            "status",
            "in_progress",
            "Agreed in workshop Leadership workshop on 2026-05-04: 0 ratings, agreement -",
            "editor@north.example",
        ),
    ]
    history = world.client("viewer").get(f"{world.base}/answers/L1S1/history").json()
    assert [(e["source"], e["note"]) for e in history["results"]] == [("workshop", events[0].note)]


def test_consensus_with_a_stale_answer_is_409_and_saves_nothing(world: World) -> None:
    workshop = open_workshop(world)
    world.client("admin").patch(
        f"{world.base}/answers/L1S2",
        {"status": "achieved", "version": 1},
        content_type="application/json",
    )
    response = world.client("editor").post(
        workshop["url"] + "/consensus",
        {
            "answers": [
                {"code": "L1S1", "status": "achieved", "version": 1},
                {"code": "L1S2", "status": "not_started", "version": 1},
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 409
    problem = error_of(response.json())
    assert problem["message"] == (
        "L1S2 changed since you read them; nothing was saved. Read them again and repeat your "
        "choices."
    )
    assert problem["details"]["current"]["L1S2"]["status"] == "achieved"
    assert AnswerEvent.objects.filter(source="workshop").count() == 0
    assert Decision.objects.count() == 0
    assert (
        Answer.objects.get(assessment=world.draft, objective__code="L1S1").status == "not_started"
    )


def test_consensus_is_validated_all_or_nothing(world: World) -> None:
    workshop = open_workshop(world)
    response = world.client("admin").post(
        workshop["url"] + "/consensus",
        {
            "answers": [
                {"code": "L1S1", "status": "achieved"},
                {"code": "L2M1", "status": "achieved"},
                {"code": "L1S2", "status": "not_applicable"},
                {"code": "L1S1", "status": "achieved"},
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert error_of(response.json())["details"] == {
        "answers.1.code": "L2M1 is not an objective of this workshop.",
        "answers.2.na_justification": "L1S2: Say why this objective does not apply to the city.",
        "answers.3.code": "L1S1 appears more than once.",
    }
    assert AnswerEvent.objects.count() == 0
    assert Decision.objects.count() == 0


def test_a_not_applicable_agreement_takes_its_note_as_the_justification(world: World) -> None:
    workshop = open_workshop(world)
    response = world.client("admin").post(
        workshop["url"] + "/consensus",
        {
            "answers": [
                {
                    "code": "L1S2",
                    "status": "not_applicable",
                    "note": "No port here.\nChecked with the harbour office.",
                }
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    answer = Answer.objects.get(assessment=world.draft, objective__code="L1S2")
    note = "No port here.\nChecked with the harbour office."
    assert (answer.status, answer.na_justification) == ("not_applicable", note)
    assert list(Decision.objects.values_list("note", flat=True)) == [note]


def test_consensus_on_a_closed_workshop_is_refused(world: World) -> None:
    workshop = open_workshop(world)
    world.client("editor").post(workshop["url"] + "/close")
    response = world.client("editor").post(
        workshop["url"] + "/consensus",
        {"answers": [{"code": "L1S1", "status": "achieved"}]},
        content_type="application/json",
    )
    assert (response.status_code, error_of(response.json())) == (403, CLOSED)
    assert AnswerEvent.objects.count() == 0


def test_a_workshop_cannot_be_opened_on_a_final_assessment(world: World) -> None:
    from vertebra.assessments.domain import finalize

    finalize(assessment=world.draft, user=world.people["admin"])
    response = world.client("admin").post(
        f"{world.base}/workshops", BODY, content_type="application/json"
    )
    assert (response.status_code, error_of(response.json())["code"]) == (409, "assessment_final")
    assert Workshop.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        ("{name", "application/json", 400),
        ('{"name": 5, "stakeholder_type": ["Media"], "zz": 1}', "application/json", 422),
        ("name=Ana", "application/x-www-form-urlencoded", 415),
    ],
)
def test_a_malformed_join_or_rating_is_a_problem_document_and_writes_nothing(
    world: World, content: str, content_type: str, status: int
) -> None:
    workshop = open_workshop(world)
    key = join(workshop, "Ana", "Media")
    answers = [
        Client().generic(
            "POST", workshop["join_api_url"] + "/participants", content, content_type=content_type
        ),
        bearer(key).generic(
            "PUT", workshop["join_api_url"] + "/ratings/L1S1", content, content_type=content_type
        ),
    ]
    assert [(r.status_code, r["Content-Type"]) for r in answers] == [
        (status, "application/problem+json")
    ] * 2
    assert (Participant.objects.count(), Rating.objects.count()) == (1, 0)


def test_the_facilitators_results_take_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    workshop = open_workshop(world)
    for n in range(6):
        key = join(workshop, f"P{n}", "Media" if n % 2 else "Emergency services")
        for code in L1[:4]:
            rate(workshop, key, code, status="achieved")
    client = world.client("editor")
    client.get(workshop["url"] + "/results")  # the token's use is recorded once a minute
    # The token, the membership, the assessment, the workshop, the answers' versions, the
    # ratings and the participants: whatever the number of participants and ratings.
    with django_assert_num_queries(7):
        response = client.get(workshop["url"] + "/results")
    assert response.json()["participants"] == {"Emergency services": 3, "Media": 3}
