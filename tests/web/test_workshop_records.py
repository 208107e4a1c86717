"""What stays after workshops, on the pages: each objective's card says which workshops
agreed its answer, and participation per stakeholder type is shown."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import World
from vertebra.fragments import forget_all
from vertebra.workshops import domain
from vertebra.workshops.models import Workshop

pytestmark = pytest.mark.django_db


def _open(world: World, title: str, date: dt.date, **data: object) -> Workshop:
    return domain.create_workshop(
        assessment=world.assessment,
        user=world.people["admin"],
        data={
            "title": title,
            "date": date,
            "policies": ["L1"],
            "stakeholder_types": list(world.city.stakeholder_types)[:2],
            **data,
        },
    )


def _rate(workshop: Workshop, name: str, kind: int, ratings: dict[str, str]) -> None:
    participant, _key = domain.join(
        workshop=workshop,
        data={"name": name, "stakeholder_type": workshop.stakeholder_types[kind]},
        address=f"10.0.1.{len(name)}",
    )
    for code, status in ratings.items():
        domain.rate(participant=participant, code=code, data={"status": status})


def _agree(world: World, workshop: Workshop, code: str, status: str, note: str = "") -> None:
    domain.record_consensus(
        workshop=workshop,
        user=world.people["editor"],
        answers=[domain.AgreedAnswer(code, status, None, note)],
    )


def _two_workshops(world: World) -> tuple[Workshop, Workshop]:
    """Leadership (4 May) agrees L1S1 achieved from 3 ratings, 67 %; Finance (5 June) agrees
    it again, unchanged, from 2 ratings, 50 %."""
    first = _open(world, "Leadership", dt.date(2026, 5, 4))
    _rate(first, "Ana", 0, {"L1S1": "achieved"})
    _rate(first, "Rui", 1, {"L1S1": "achieved"})
    _rate(first, "Eva", 1, {"L1S1": "in_progress"})
    _agree(world, first, "L1S1", "achieved", "Plan adopted.")
    second = _open(world, "Finance", dt.date(2026, 6, 5))
    _rate(second, "Ana", 0, {"L1S1": "achieved"})
    _rate(second, "Rui", 1, {"L1S1": "not_started"})
    _agree(world, second, "L1S1", "achieved")
    return first, second


def _agreed_list(html: str, code: str) -> str:
    card = html.split(f'id="objective-{code}"')[1].split("</article>")[0]
    if "objective__agreed" not in card:
        return ""
    return card.split('<ul class="objective__agreed small">')[1].split("</ul>")[0]


def test_objective_card_names_the_workshops_that_agreed_its_answer_latest_first(
    world: World,
) -> None:
    first, second = _two_workshops(world)
    html = world.client("editor").get(world.url("policies/L1/")).content.decode()
    link = world.url("workshops/{}/")
    assert _agreed_list(html, "L1S1") == (
        f'<li><a href="{link.format(second.uuid)}">agreed in Finance on 5 Jun 2026: '
        "2 ratings, agreement 50%</a></li>"
        f'<li><a href="{link.format(first.uuid)}">agreed in Leadership on 4 May 2026: '
        "3 ratings, agreement 67%</a></li>"
    )
    assert _agreed_list(html, "L1S2") == ""


@pytest.mark.parametrize("persona", ["contributor", "viewer"])
def test_who_may_not_open_workshops_reads_where_an_answer_was_agreed_without_a_link(
    world: World, persona: str
) -> None:
    _two_workshops(world)
    html = world.client(persona).get(world.url("policies/L1/")).content.decode()
    assert _agreed_list(html, "L1S1") == (
        "<li>agreed in Finance on 5 Jun 2026: 2 ratings, agreement 50%</li>"
        "<li>agreed in Leadership on 4 May 2026: 3 ratings, agreement 67%</li>"
    )
    assert "/workshops/" not in html.split('id="objective-L1S1"')[1].split("</article>")[0]


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("anonymous", 302)])
def test_others_do_not_read_the_agreed_lines(world: World, persona: str, status: int) -> None:
    _two_workshops(world)
    response = world.client(persona).get(world.url("policies/L1/"))
    assert response.status_code == status
    assert b"agreed in" not in response.content


def test_an_agreement_that_changes_nothing_still_shows_on_the_kept_card(world: World) -> None:
    client = world.client("editor")
    workshop = _open(world, "Leadership", dt.date(2026, 5, 4))
    assert _agreed_list(client.get(world.url("policies/L1/")).content.decode(), "L1S1") == ""
    _agree(world, workshop, "L1S1", "not_started")  # the answer is not started already
    html = client.get(world.url("policies/L1/")).content.decode()
    assert _agreed_list(html, "L1S1") == (
        f'<li><a href="{world.url(f"workshops/{workshop.uuid}/")}">agreed in Leadership on '
        "4 May 2026: 0 ratings, agreement –</a></li>"
    )


def test_a_workshop_that_agreed_twice_counts_with_its_latest_decision(world: World) -> None:
    workshop = _open(world, "Leadership", dt.date(2026, 5, 4))
    _rate(workshop, "Ana", 0, {"L1S1": "achieved"})
    _agree(world, workshop, "L1S1", "in_progress")
    _agree(world, workshop, "L1S1", "achieved")
    html = world.client("viewer").get(world.url("policies/L1/")).content.decode()
    assert _agreed_list(html, "L1S1") == (
        "<li>agreed in Leadership on 4 May 2026: 1 rating, agreement 100%</li>"
    )


def test_policy_page_queries_do_not_grow_with_workshops_or_decisions(world: World) -> None:
    client = world.client("editor")

    def count() -> int:
        forget_all()  # every card rendered afresh
        with CaptureQueriesContext(connection) as queries:
            assert client.get(world.url("policies/L1/")).status_code == 200
        return len(queries)

    count()  # the model's shape and titles are cached after the first page
    workshop = _open(world, "Leadership", dt.date(2026, 5, 4))
    _rate(workshop, "Ana", 0, {"L1S1": "achieved"})
    _agree(world, workshop, "L1S1", "achieved")
    before = count()
    for n, title in enumerate(("Finance", "Health", "Water")):
        more = _open(world, title, dt.date(2026, 6, 1 + n))
        _rate(more, "Rui", 1, {"L1S2": "achieved", "L1M1": "not_started"})
        _agree(world, more, "L1S1", "in_progress")
        _agree(world, more, "L1S2", "achieved")
        _agree(world, more, "L1M1", "not_started")
    assert count() == before


# --- participation per stakeholder type ---------------------------------------------------------


def _section(html: str, marker: str, end: str = "</section>") -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.split(marker)[1].split(end)[0]).split())


def test_workshop_page_shows_participants_per_expected_stakeholder_type(world: World) -> None:
    workshop = _open(world, "Leadership", dt.date(2026, 5, 4))
    first, second = workshop.stakeholder_types
    _rate(workshop, "Ana", 0, {"L1S1": "achieved"})
    _rate(workshop, "Rui", 0, {})
    for url in (f"workshops/{workshop.uuid}/", f"workshops/{workshop.uuid}/live/"):
        response = world.client("editor").get(world.url(url))
        assert response.context["live"]["participation"] == [(first, 2), (second, 0)]
        html = response.content.decode()
        assert _section(html, 'id="live-participation">', "</table>") == (
            f"Participants per stakeholder type Stakeholder type Participants {first} 2 {second} 0"
        )
    assert "workshop-summary" not in html


def test_closed_workshop_page_sums_up_who_took_part_and_what_was_agreed(world: World) -> None:
    from vertebra.l10n import day

    workshop = _open(world, "Leadership", dt.date(2026, 5, 4))
    first, _second = workshop.stakeholder_types
    _rate(workshop, "Ana", 0, {"L1S1": "achieved", "L1S2": "not_started"})
    _rate(workshop, "Rui", 0, {"L1S1": "achieved", "L1S2": "achieved"})
    _agree(world, workshop, "L1S1", "achieved")
    domain.close(workshop=workshop)
    workshop.refresh_from_db()
    html = world.client("admin").get(world.url(f"workshops/{workshop.uuid}/")).content.decode()
    assert _section(html, 'id="workshop-summary"') == (
        f'aria-labelledby="summary-heading"> Summary Closed on {day(workshop.closed_at)}. '
        "2 participants, from 1 of the 2 stakeholder types expected. "
        "1 of 11 objectives agreed; 1 marked for discussion."
    )
    assert f'<th scope="row">{first}</th><td>2</td>' in html


@pytest.mark.parametrize("persona", ["admin", "editor", "contributor", "viewer"])
def test_assessment_page_counts_the_kinds_of_stakeholders_that_took_part(
    world: World, persona: str
) -> None:
    types = list(world.city.stakeholder_types)
    first = _open(world, "Leadership", dt.date(2026, 5, 4))
    _rate(first, "Ana", 0, {})
    _rate(first, "Rui", 1, {})
    second = _open(world, "Finance", dt.date(2026, 6, 5))
    _rate(second, "Eva", 1, {})
    html = world.client(persona).get(world.url()).content.decode()
    assert _section(html, 'id="participation-count">', "</p>") == (
        f"2 of the city's {len(types)} kinds of stakeholders took part in 2 workshops of this "
        "assessment (3 participants)."
    )
    rows = re.findall(
        r'<tr(?: class="muted")?><th scope="row">([^<]+)</th><td>(\d+)</td></tr>',
        html.split('id="participation-types"')[1].split("</table>")[0],
    )
    assert rows == [(types[0], "1"), (types[1], "2")] + [(kind, "0") for kind in types[2:]]
    facilitator = persona in ("admin", "editor")
    assert (f'href="{world.url("workshops/")}"' in html.split('id="participation"')[1]) == (
        facilitator
    )
    assert f'href="{world.url("report.ratings.csv")}"' in html


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("anonymous", 302)])
def test_others_do_not_see_the_assessments_participation(
    world: World, persona: str, status: int
) -> None:
    _rate(_open(world, "Leadership", dt.date(2026, 5, 4)), "Ana", 0, {})
    response = world.client(persona).get(world.url())
    assert response.status_code == status
    assert b"participation" not in response.content


def test_assessment_page_without_workshops_has_no_participation(world: World) -> None:
    html = world.client("viewer").get(world.url()).content.decode()
    assert 'id="participation"' not in html


def test_assessment_page_queries_do_not_grow_with_workshops(world: World) -> None:
    client = world.client("viewer")

    def count() -> int:
        forget_all()  # the page's body rendered afresh
        with CaptureQueriesContext(connection) as queries:
            assert client.get(world.url()).status_code == 200
        return len(queries)

    _rate(_open(world, "Leadership", dt.date(2026, 5, 4)), "Ana", 0, {})
    count()  # the model's shape is cached
    before = count()
    for title in ("Finance", "Health", "Water"):
        more = _open(world, title, dt.date(2026, 6, 1))
        _rate(more, "Rui", 1, {})
        _rate(more, "Eva", 0, {})
    assert count() == before


def test_a_participant_joining_shows_on_the_kept_assessment_page(world: World) -> None:
    client = world.client("viewer")
    workshop = _open(world, "Leadership", dt.date(2026, 5, 4))
    _rate(workshop, "Ana", 0, {})
    client.get(world.url())  # kept
    _rate(workshop, "Rui", 1, {})
    html = client.get(world.url()).content.decode()
    assert "took part in 1 workshop of this assessment (2 participants)." in _section(
        html, 'id="participation-count">', "</p>"
    )


# --- the facilitator's live view and the agreed answers ------------------------------------------

FIELDS = re.compile(r"<(form|input|select|textarea|button)\b")


def test_the_polled_results_hold_no_form_field_and_the_agree_forms_stay_outside(
    world: World,
) -> None:
    workshop = _open(world, "Leadership", dt.date(2026, 5, 4))
    _rate(workshop, "Ana", 0, {"L1S1": "achieved"})
    client = world.client("editor")
    fragment = client.get(world.url(f"workshops/{workshop.uuid}/live/")).content.decode()
    assert fragment.count('id="live"') == 1 and 'hx-get="' in fragment
    assert FIELDS.findall(fragment) == []
    page = client.get(world.url(f"workshops/{workshop.uuid}/")).content.decode()
    live = page.split('<section class="card workshop-live" id="live"')[1].split("</section>")[0]
    assert FIELDS.findall(live) == []
    after = page.split('<section class="card workshop-live" id="live"')[1].split("</section>", 1)[1]
    after = after.split("<footer")[0]  # the footer's language switcher is a form of its own
    assert after.count('<form method="post" action="') == 11  # one per objective of L1
    assert 'id="agree-note-L1S1"' in after


def test_one_click_on_a_status_records_it_with_the_note_like_any_answer(world: World) -> None:
    from vertebra.assessments.models import Answer, AnswerEvent

    workshop = _open(world, "Leadership", dt.date(2026, 5, 4))
    _rate(workshop, "Ana", 0, {"L1S1": "achieved"})
    _rate(workshop, "Rui", 1, {"L1S1": "not_started"})
    page = world.client("editor").get(world.url(f"workshops/{workshop.uuid}/")).content.decode()
    form = page.split('id="agree-L1S1">')[1].split("</form>")[0]
    assert re.findall(r'<button type="submit" name="status" value="(\w+)"', form) == [
        "not_started",
        "in_progress",
        "achieved",
        "not_applicable",
    ]
    assert 'value="not_started" class="button button--small button--current"' in form
    response = world.client("editor").post(
        world.url(f"workshops/{workshop.uuid}/agree/"),
        {"code": "L1S1", "version": "1", "note": "Adopted.", "progress": "", "status": "achieved"},
    )
    assert response.status_code == 302
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    assert (answer.status, answer.version) == ("achieved", 2)
    events = AnswerEvent.objects.filter(answer=answer)
    assert list(events.values_list("field", "old_value", "new_value", "source", "note")) == [
        (
            "status",
            "not_started",
            "achieved",
            "workshop",
            "Agreed in workshop Leadership on 2026-05-04: 2 ratings, agreement 50 %",
        )
    ]
    assert list(workshop.decisions.values_list("status", "note", "ratings")) == [
        ("achieved", "Adopted.", 2)
    ]


def test_a_refused_agreement_gives_back_the_note_being_typed(world: World) -> None:
    from vertebra.assessments.domain import save_answer
    from vertebra.assessments.models import Answer

    workshop = _open(world, "Leadership", dt.date(2026, 5, 4))
    client = world.client("editor")
    url = world.url(f"workshops/{workshop.uuid}/agree/")
    wrong = client.post(
        url,
        {"code": "L1S2", "version": "1", "note": "Half done", "progress": "900",
         "status": "in_progress"},
    )  # fmt: skip
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert 'id="agree-note-L1S2" maxlength="2000" placeholder="Note" value="Half done"' in html
    assert 'id="agree-progress-L1S2" value="900"' in html
    assert 'id="agree-note-L1S1" maxlength="2000" placeholder="Note" value=""' in html
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    save_answer(answer=answer, user=world.people["admin"], changes={"status": "achieved"})
    stale = client.post(
        url, {"code": "L1S1", "version": "1", "note": "From the room", "status": "in_progress"}
    )
    assert stale.status_code == 409
    assert 'placeholder="Note" value="From the room"' in stale.content.decode()
    answer.refresh_from_db()
    assert (answer.status, workshop.decisions.count()) == ("achieved", 0)
