"""The facilitator's workshop pages: opening, the list, the workshop with its join code."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.web.conftest import World
from vertebra.workshops import domain
from vertebra.workshops.models import Workshop

pytestmark = pytest.mark.django_db


def _open(world: World, **data: object) -> Workshop:
    return domain.create_workshop(
        assessment=world.assessment,
        user=world.people["admin"],
        data={
            "title": "Leadership",
            "date": dt.date(2026, 5, 4),
            "policies": ["L1"],
            "stakeholder_types": list(world.city.stakeholder_types)[:2],
            **data,
        },
    )


def test_editor_opens_a_workshop_and_is_sent_to_its_page(world: World) -> None:
    kinds = list(world.city.stakeholder_types)[:2]
    response = world.client("editor").post(
        world.url("workshops/new/"),
        {
            "title": "Leadership",
            "date": "2026-05-04",
            "policies": ["L1", "L2"],
            "stakeholder_types": kinds,
            "anonymous": "on",
        },
    )
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == world.url(f"workshops/{workshop.uuid}/")
    assert (
        workshop.title,
        workshop.date,
        workshop.policies,
        workshop.stakeholder_types,
        workshop.anonymous,
        workshop.created_by,
    ) == ("Leadership", dt.date(2026, 5, 4), ["L1", "L2"], kinds, True, world.people["editor"])


def test_opening_names_each_wrong_field_and_writes_nothing(world: World) -> None:
    response = world.client("admin").post(
        world.url("workshops/new/"),
        {"title": "  ", "date": "4 May", "policies": ["L1", "ZZ"], "stakeholder_types": []},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "title": ["This field is required."],
        "date": ["Enter a valid date."],
        "policies": ["Select a valid choice. ZZ is not one of the available choices."],
        "stakeholder_types": ["This field is required."],
    }
    assert Workshop.objects.count() == 0


def test_workshop_page_shows_the_join_code_and_its_qr_code_as_inline_svg(world: World) -> None:
    workshop = _open(world)
    response = world.client("admin").get(world.url(f"workshops/{workshop.uuid}/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<p class="join-code" id="join-code" aria-label="Join code">{workshop.join_code}</p>'
        in (html)
    )
    address = f"http://testserver/join/{workshop.join_code}/"
    assert "<svg viewBox=" in html
    assert f"<title>{address}</title>" in html
    assert "http" not in html.split('id="join-qr">')[1].split("</svg>")[0].replace(address, "")


def test_workshop_page_holds_each_part_once_and_a_plain_title(world: World) -> None:
    workshop = _open(world)
    html = world.client("admin").get(world.url(f"workshops/{workshop.uuid}/")).content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and title.startswith(workshop.title)
    assert html.count('id="agree-heading"') == 1
    assert html.count('id="agree-L1S1"') == 1
    assert html.count(">Facilitation</h2>") == 1


def test_workshop_list_shows_each_workshop_with_its_participants(world: World) -> None:
    first = _open(world, title="Leadership")
    domain.close(workshop=_open(world, title="Finance"))
    domain.join(
        workshop=first,
        data={"name": "Ana", "stakeholder_type": first.stakeholder_types[0]},
        address="10.0.0.1",
    )
    response = world.client("editor").get(world.url("workshops/"))
    rows = [(w.title, w.status, w.joined) for w in response.context["workshops"]]
    assert sorted(rows) == [("Finance", "closed", 0), ("Leadership", "open", 1)]
    assert f"<code>{first.join_code}</code>" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("editor", 200), ("contributor", 403), ("viewer", 403), ("outsider", 404)],
)
def test_facilitator_pages_by_persona(world: World, persona: str, status: int) -> None:
    workshop = _open(world)
    client = world.client(persona)
    for suffix in ("workshops/", "workshops/new/", f"workshops/{workshop.uuid}/"):
        assert client.get(world.url(suffix)).status_code == status, suffix
    response = client.post(
        world.url("workshops/new/"),
        {
            "title": "X",
            "date": "2026-05-04",
            "policies": ["L1"],
            "stakeholder_types": workshop.stakeholder_types,
        },
    )
    assert response.status_code == (302 if status == 200 else status)
    assert Workshop.objects.count() == (2 if status == 200 else 1)


def test_outsider_does_not_reach_another_citys_workshop(world: World) -> None:
    workshop = _open(world)
    response = world.client("outsider").get(world.url(f"workshops/{workshop.uuid}/"))
    assert response.status_code == 404


def _rate(workshop: Workshop, name: str, kind: int, ratings: dict[str, str]) -> None:
    participant, _key = domain.join(
        workshop=workshop,
        data={"name": name, "stakeholder_type": workshop.stakeholder_types[kind]},
        address=f"10.0.0.{len(name)}",
    )
    for code, status in ratings.items():
        domain.rate(participant=participant, code=code, data={"status": status})


def test_live_view_sorts_by_disagreement_and_splits_by_stakeholder_type(world: World) -> None:
    workshop = _open(world)
    first, second = workshop.stakeholder_types
    _rate(workshop, "Ana", 0, {"L1S1": "achieved", "L1S2": "achieved", "L1M1": "achieved"})
    _rate(workshop, "Rui", 1, {"L1S1": "achieved", "L1S2": "not_started", "L1M1": "in_progress"})
    _rate(workshop, "Eva", 1, {"L1S1": "unknown", "L1M1": "not_applicable"})
    response = world.client("editor").get(world.url(f"workshops/{workshop.uuid}/live/"))
    rows = response.context["live"]["rows"]
    assert [
        (r["result"].code, r["result"].ratings, r["share"], r["result"].flagged) for r in rows[:4]
    ] == [
        ("L1M1", 3, 33, True),
        ("L1S2", 2, 50, True),
        ("L1S1", 3, 100, False),
        (rows[3]["result"].code, 0, None, False),
    ]
    assert rows[0]["by_type"] == sorted(
        [(first, [("Achieved", 1)]), (second, [("In progress", 1), ("Not applicable", 1)])]
    )
    assert response.context["live"]["participants"] == sorted({first: 1, second: 2}.items())
    html = response.content.decode()
    assert 'hx-trigger="every 3s"' in html
    assert f'hx-get="{world.url(f"workshops/{workshop.uuid}/live/")}"' in html


def test_live_view_names_each_stakeholder_types_ratings_by_their_status_labels(
    world: World,
) -> None:
    workshop = _open(world)
    first, second = workshop.stakeholder_types
    _rate(workshop, "Ana", 0, {"L1M1": "achieved"})
    _rate(workshop, "Rui", 1, {"L1M1": "in_progress"})
    _rate(workshop, "Eva", 1, {"L1M1": "not_applicable"})
    live = world.url(f"workshops/{workshop.uuid}/live/")
    html = world.client("editor").get(live).content.decode()
    row = html[html.index('id="live-L1M1"') : html.index("</tr>", html.index('id="live-L1M1"'))]
    split = row.split("</td>")[2]  # the "By stakeholder type" cell
    assert f"<li>{first}: Achieved 1</li>" in split
    assert f"<li>{second}: In progress 1, Not applicable 1</li>" in split
    assert "in_progress" not in split and "not_applicable" not in split
    assert '<strong class="badge badge--warning">Discuss</strong>' in row
    spanish = world.client("editor").get(live, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f"<li>{second}: En curso 1, No aplicable 1</li>" in spanish


def test_every_badge_class_of_the_pages_has_a_rule_in_the_apps_css() -> None:
    root = Path(__file__).resolve().parents[2] / "vertebra" / "web"
    css = (root / "static" / "web" / "css" / "app.css").read_text(encoding="utf-8")
    used = {
        name
        for template in (root / "templates").rglob("*.html")
        for name in re.findall(r"\b(badge--[a-z_]+)\b", template.read_text(encoding="utf-8"))
    }
    assert "badge--warning" in used
    assert sorted(name for name in used if f".{name} " not in css) == []


def test_live_view_of_a_closed_workshop_stops_polling(world: World) -> None:
    workshop = _open(world)
    domain.close(workshop=workshop)
    html = world.client("admin").get(world.url(f"workshops/{workshop.uuid}/")).content.decode()
    assert "hx-trigger" not in html
    assert 'id="join-code"' not in html


def test_reveal_and_close_move_the_workshop_on(world: World) -> None:
    workshop = _open(world)
    client = world.client("editor")
    base = world.url(f"workshops/{workshop.uuid}/")
    assert client.post(base + "reveal/")["Location"] == base
    workshop.refresh_from_db()
    assert workshop.status == "revealed"
    client.post(base + "close/")
    workshop.refresh_from_db()
    assert workshop.status == "closed"
    again = client.post(base + "close/", follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "The results are revealed to the participants.",
        "The workshop is closed. Its ratings are kept.",
        "This workshop is closed already.",
    ]


def test_agreeing_saves_the_answer_through_the_consensus_path(world: World) -> None:
    from vertebra.assessments.models import Answer, AnswerEvent

    workshop = _open(world)
    _rate(workshop, "Ana", 0, {"L1S1": "achieved"})
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    response = world.client("editor").post(
        world.url(f"workshops/{workshop.uuid}/agree/"),
        {
            "code": "L1S1",
            "status": "in_progress",
            "progress": "60",
            "note": "Budget pending.",
            "version": str(answer.version),
        },
    )
    assert response["Location"] == world.url(f"workshops/{workshop.uuid}/") + "#agree-L1S1"
    answer.refresh_from_db()
    assert (answer.status, answer.progress, answer.version) == ("in_progress", 60, 2)
    assert list(
        workshop.decisions.values_list("objective_code", "status", "progress", "note", "ratings")
    ) == [("L1S1", "in_progress", 60, "Budget pending.", 1)]
    assert AnswerEvent.objects.filter(answer=answer, source="workshop").count() >= 1


def test_agreeing_on_a_stale_answer_shows_the_conflict_and_saves_nothing(world: World) -> None:
    from vertebra.assessments.domain import save_answer
    from vertebra.assessments.models import Answer

    workshop = _open(world)
    answer = Answer.objects.get(assessment=world.assessment, objective__code="L1S1")
    read = answer.version
    save_answer(answer=answer, user=world.people["admin"], changes={"status": "achieved"})
    response = world.client("editor").post(
        world.url(f"workshops/{workshop.uuid}/agree/"),
        {"code": "L1S1", "status": "not_started", "note": "", "version": str(read)},
    )
    assert response.status_code == 409
    assert response.context["conflict"]["answer"].status == "achieved"
    assert "L1S1 is now: Achieved." in response.content.decode()
    answer.refresh_from_db()
    assert answer.status == "achieved"
    assert workshop.decisions.count() == 0


def test_agreeing_names_a_wrong_progress_and_saves_nothing(world: World) -> None:
    from vertebra.assessments.models import Answer

    workshop = _open(world)
    response = world.client("admin").post(
        world.url(f"workshops/{workshop.uuid}/agree/"),
        {"code": "L1S1", "status": "in_progress", "progress": "900", "version": "1"},
    )
    assert response.status_code == 400
    assert list(response.context["agree_errors"]) == ["progress"]
    assert Answer.objects.get(assessment=world.assessment, objective__code="L1S1").version == 1
    assert workshop.decisions.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [("contributor", 403), ("viewer", 403), ("outsider", 404)],
)
def test_only_facilitators_reveal_close_agree_or_poll(
    world: World, persona: str, status: int
) -> None:
    workshop = _open(world)
    client = world.client(persona)
    base = world.url(f"workshops/{workshop.uuid}/")
    assert client.get(base + "live/").status_code == status
    for step in ("reveal/", "close/"):
        assert client.post(base + step).status_code == status
    agreed = client.post(base + "agree/", {"code": "L1S1", "status": "achieved"})
    assert agreed.status_code == status
    workshop.refresh_from_db()
    assert (workshop.status, workshop.decisions.count()) == ("open", 0)


def test_a_participant_session_reaches_no_facilitator_page(world: World) -> None:
    from django.test import Client

    workshop = _open(world)
    client = Client()
    client.post(
        f"/join/{workshop.join_code}/",
        {"name": "Ana", "stakeholder_type": workshop.stakeholder_types[0]},
    )
    base = world.url(f"workshops/{workshop.uuid}/")
    assert client.get(base + "live/").status_code == 302
    assert client.post(base + "close/").status_code == 401
    workshop.refresh_from_db()
    assert workshop.status == "open"


def test_list_and_live_view_queries_do_not_grow_with_workshops_or_ratings(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    workshop = _open(world)
    client = world.client("admin")
    live = world.url(f"workshops/{workshop.uuid}/live/")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count(live)  # the model's titles and shape are cached after the first page
    before = (count(world.url("workshops/")), count(live))
    _open(world, title="Finance")
    _open(world, title="Health")
    _rate(workshop, "Ana", 0, {"L1S1": "achieved", "L1S2": "unknown"})
    _rate(workshop, "Rui", 1, {"L1S1": "not_started"})
    assert (count(world.url("workshops/")), count(live)) == before
