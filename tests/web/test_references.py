"""The assessment through a crosswalk: the reference page, the objective cards' "Supports" line,
and who may see them."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import World
from vertebra.assessments.domain import save_answer
from vertebra.assessments.models import Answer

pytestmark = pytest.mark.django_db

ESSENTIALS = "references/smr-rmm-undrr-ten-essentials/"


def _set(world: World, statuses: dict[str, str]) -> None:
    for answer in Answer.objects.filter(
        assessment=world.assessment, objective__code__in=list(statuses)
    ).select_related("assessment", "objective"):
        changes: dict[str, object] = {"status": statuses[answer.objective.code]}
        if statuses[answer.objective.code] == "not_applicable":
            changes["na_justification"] = "No such service in the city."
        save_answer(answer=answer, user=world.people["editor"], changes=changes)


def _summary_row(html: str, code: str) -> list[str]:
    start = html.index(f'<a href="#item-{code}">')
    row = html[start : html.index("</tr>", start)]
    return re.findall(r"<td>(.*?)</td>", row)


def test_essentials_page_counts_achieved_linked_and_not_applicable_objectives(
    world: World,
) -> None:
    # E05 has one linked objective (L1M3); E04 three (L1S2, L1M4, I2A5).
    _set(world, {"L1M3": "achieved", "L1S2": "achieved", "L1M4": "not_applicable"})
    response = world.client("viewer").get(world.url(ESSENTIALS))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>UNDRR Ten Essentials for Making Cities Resilient</h1>" in html
    assert "the Vertebra project&#x27;s own reading" in html
    assert _summary_row(html, "E05") == ["1 / 1", "100%"]
    assert _summary_row(html, "E04") == ["1 / 3", "50%"]
    assert _summary_row(html, "E08") == ["0 / 10", "0%"]
    section = html[html.index('id="item-E04"') : html.index('id="item-E05"')]
    assert re.findall(r">(L1S2|L1M4|I2A5)</a>", section) == ["L1S2", "L1M4", "I2A5"]
    assert "Energy efficiency standards for new buildings." in section
    assert "1 of 3 linked objectives achieved. 1 does not apply to the city." in section


def test_every_essential_is_listed_in_order_with_a_link_from_the_assessment_page(
    world: World,
) -> None:
    html = world.client("viewer").get(world.url(ESSENTIALS)).content.decode()
    assert re.findall(r'<section class="reference-item" id="item-(E\d\d)"', html) == [
        f"E{n:02d}" for n in range(1, 11)
    ]
    dashboard = world.client("viewer").get(world.url()).content.decode()
    assert f'href="{world.url(ESSENTIALS)}">Ten Essentials (UNDRR)</a>' in dashboard


def test_the_essentials_page_speaks_the_persons_language(world: World) -> None:
    html = (
        world.client("viewer")
        .get(world.url(ESSENTIALS), HTTP_ACCEPT_LANGUAGE="de")
        .content.decode()
    )
    assert "<h1>UNDRR: Zehn Grundprinzipien für resiliente Kommunen</h1>" in html
    section = html[html.index('id="item-E04"') : html.index('id="item-E05"')]
    assert "Eine resiliente Stadtentwicklung und -gestaltung verfolgen" in section
    assert "Pursue resilient urban development and design" not in section


def test_objective_cards_name_the_essentials_they_support(world: World) -> None:
    html = world.client("viewer").get(world.url("policies/L1/")).content.decode()
    card = html[html.index('id="objective-L1S2"') : html.index('id="objective-L1M1"')]
    assert (
        "Supports, in the UNDRR Ten Essentials for Making Cities Resilient: "
        "E01 Organise for disaster resilience; E04 Pursue resilient urban development and design"
    ) in card


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("editor", 200),
        ("contributor", 200),
        ("viewer", 200),
        ("outsider", 404),
    ],
)
def test_only_the_citys_members_see_the_essentials_page(
    world: World, persona: str, status: int
) -> None:
    assert world.client(persona).get(world.url(ESSENTIALS)).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(world: World) -> None:
    response = world.client("anonymous").get(world.url(ESSENTIALS))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_unknown_crosswalk_is_not_found(world: World) -> None:
    assert world.client("admin").get(world.url("references/nope/")).status_code == 404
