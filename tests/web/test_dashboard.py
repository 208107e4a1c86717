"""The dashboard, the lifecycle pages, the chart, and query budgets of the busy pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import World
from vertebra.assessments.domain import finalize, profile_of, save_answer
from vertebra.assessments.evidence import add_attachment, add_comment
from vertebra.assessments.models import Answer, Assessment, AssessmentStatus
from vertebra.frameworks.domain import shape_of
from vertebra.reports.charts import policy_stages_svg

pytestmark = pytest.mark.django_db


def _answer_all(world: World, codes: list[str], status: str = "achieved") -> None:
    for answer in Answer.objects.filter(
        assessment=world.assessment, objective__code__in=codes
    ).select_related("assessment", "objective"):
        save_answer(answer=answer, user=world.people["editor"], changes={"status": status})


def test_dashboard_shows_matrix_cells_with_text_state_and_stage_names(world: World) -> None:
    _answer_all(world, ["L1S1", "L1S2", "L1M1"])
    _answer_all(world, ["L1M2"], status="in_progress")
    html = world.client("viewer").get(world.url()).content.decode()
    for name in ("Starting", "Moderate", "Advanced", "Robust", "verTebrate"):
        assert f'<th scope="col" class="num">{name}</th>' in html
    row_start = html.index(f'<a href="{world.url("policies/L1/")}">L1 Municipality')
    row = html[row_start : html.index("</tr>", row_start)]
    assert '<td class="cell cell--met cell--reached">' in row
    assert '<span class="cell__count">2 / 2</span>' in row
    assert (
        '<span class="cell__count">1 / 5</span>\n  <span class="cell__state">partly</span>' in row
    )
    assert "<td><strong>Starting</strong></td>" in row
    l2_start = html.index(f'<a href="{world.url("policies/L2/")}">L2 ')
    l2_row = html[l2_start : html.index("</tr>", l2_start)]
    assert '<td class="cell cell--none cell--reached">' in l2_row
    assert '<span class="cell__state">no objectives</span>' in l2_row
    assert '<span class="cell__state">open</span>' in l2_row


def test_dashboard_explains_in_words_and_shows_progress_and_coverage(world: World) -> None:
    _answer_all(world, ["L1S1", "L1S2", "L1A1"])
    html = world.client("viewer").get(world.url()).content.decode()
    assert "L1 stands at Starting; Moderate needs L1M1, L1M2, L1M3, L1M4 and L1M5." in html
    assert "L1A1 already achieved; they count once Moderate is met." in html
    assert '<span class="figure__value">3 / 96</span>' in html
    assert "3% coverage" in html
    assert '<span class="figure__value">No stage yet</span>' in html
    assert "The city has not reached Starting yet; Starting needs" in html
    assert '<span class="progress__text">0%</span>' in html


def test_dashboard_embeds_the_chart_inline_without_outside_requests(world: World) -> None:
    html = world.client("viewer").get(world.url()).content.decode()
    start = html.index("<svg")
    svg = html[start : html.index("</svg>") + 6]
    assert "<script" not in svg
    assert "http://" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in svg
    assert "<style" not in svg


def test_chart_labels_each_policy_with_its_stage_name_as_text() -> None:
    from vertebra.frameworks.domain import latest_version

    shape = shape_of(latest_version("smr-rmm"))
    statuses = {code: "achieved" for code in shape.policy_objectives["L4"]}
    statuses.update({code: "achieved" for code in shape.policy_stage_objectives["L1"][0]})
    from vertebra.maturity import profile

    svg = policy_stages_svg(profile(shape, statuses), shape, title="Porto 2026")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
    assert '<title id="vt-chart-title-' in svg
    assert "Porto 2026</text>" in svg
    assert 'font-weight="bold">verTebrate</text>' in svg
    assert 'font-weight="bold">Starting</text>' in svg
    assert svg.count("No stage yet</text>") == 6  # L2 and C2 have no Starting objectives
    assert "L4: verTebrate; " in svg
    assert svg.endswith("</svg>")


def test_creating_an_empty_assessment(world: World) -> None:
    response = world.client("editor").post(
        "/cities/porto/assessments/new/",
        {"title": "Workshop May", "date": "2026-05-04", "copy_from": ""},
    )
    created = Assessment.objects.get(title="Workshop May")
    assert response["Location"] == f"/cities/porto/assessments/{created.uuid}/"
    assert (created.date, created.previous, created.answers.count()) == (
        dt.date(2026, 5, 4),
        None,
        96,
    )


def test_new_cycle_copies_the_chosen_assessment(world: World) -> None:
    _answer_all(world, ["L1S1"])
    finalize(assessment=world.assessment, user=world.people["admin"])
    client = world.client("admin")
    form = client.get(f"/cities/porto/assessments/new/?from={world.assessment.uuid}")
    assert (
        f'<input type="radio" name="copy_from" value="{world.assessment.uuid}" '
        'id="id_copy_from_1" checked>'
    ) in form.content.decode()
    client.post(
        "/cities/porto/assessments/new/",
        {"title": "Cycle 2", "date": "2027-03-01", "copy_from": str(world.assessment.uuid)},
    )
    created = Assessment.objects.get(title="Cycle 2")
    assert created.previous == world.assessment
    assert created.status == AssessmentStatus.DRAFT
    assert created.answers.get(objective__code="L1S1").status == "achieved"


def test_creating_an_assessment_with_bad_input_names_the_fields(world: World) -> None:
    response = world.client("admin").post(
        "/cities/porto/assessments/new/", {"title": "", "date": "13/31/2026", "copy_from": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give the assessment a title." in html
    assert "Enter a date as year-month-day, for example 2026-11-13." in html
    assert "Select a valid choice. x is not one of the available choices." in html
    assert Assessment.objects.count() == 1


def test_finalizing_keeps_a_snapshot_and_offers_a_new_cycle(world: World) -> None:
    client = world.client("admin")
    response = client.post(world.url("finalize/"))
    assert response["Location"] == world.url()
    world.assessment.refresh_from_db()
    assert world.assessment.snapshot is not None
    html = client.get(world.url()).content.decode()
    assert "“Review 2026” is now final. Its answers can no longer be changed." in html
    assert '<span class="badge badge--final">Final</span>' in html
    assert "Finalize…" not in html
    assert f'href="/cities/porto/assessments/new/?from={world.assessment.uuid}"' in html
    again = client.get(world.url("finalize/"))
    assert again["Location"] == world.url()


# Query budgets --------------------------------------------------------------------------------


def _fill_everything(world: World) -> None:
    """Every objective answered, with history, files and comments on each."""
    answers = Answer.objects.filter(assessment=world.assessment).select_related(
        "assessment", "objective"
    )
    for answer in answers:
        answer = save_answer(
            answer=answer,
            user=world.people["editor"],
            changes={"status": "in_progress", "progress": 50, "evidence": "E"},
        ).answer
        add_attachment(
            answer=answer, user=world.people["editor"], upload=SimpleUploadedFile("a.txt", b"a")
        )
        add_comment(answer=answer, user=world.people["contributor"], text="ok")


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # warm caches of the model shape
    return _queries(client, url)


@pytest.mark.parametrize("suffix", ["policies/L1/", "", "history/"])
def test_busy_pages_use_a_fixed_small_number_of_queries(world: World, suffix: str) -> None:
    client = world.client("editor")
    _answer_all(world, ["L1S1"])
    few = _count(client, world.url(suffix))
    _fill_everything(world)
    full = _count(client, world.url(suffix))
    assert few == full
    assert full <= 15


def _change(world: World, code: str) -> None:
    answer = Answer.objects.select_related("assessment", "objective").get(
        assessment=world.assessment, objective__code=code
    )
    save_answer(answer=answer, user=world.people["editor"], changes={"notes": f"{answer.notes}!"})


def test_policy_page_query_budget_as_the_assessment_changes(world: World) -> None:
    """Seen again: session, person, memberships (with the menu's cities), and the assessment
    with its revision. After a change elsewhere: also the statuses and each answer's revision
    (the cards are kept). After a change to one of its answers: also that answer, its files,
    comments and history, its review notes, and the workshops it was agreed in."""
    _fill_everything(world)
    client = world.client("admin")
    url = world.url("policies/I2/")
    client.get(url)
    assert _queries(client, url) == 4
    _change(world, "L1S1")
    assert (_queries(client, url), _queries(client, url)) == (6, 4)
    _change(world, "I2S1")
    assert (_queries(client, url), _queries(client, url)) == (12, 4)


def test_dashboard_query_budget_as_the_assessment_changes(world: World) -> None:
    """Seen again: four queries. After a change: also the statuses and the workshops'
    participation."""
    _fill_everything(world)
    client = world.client("admin")
    client.get(world.url())
    assert _queries(client, world.url()) == 4
    _change(world, "L1S1")
    assert (_queries(client, world.url()), _queries(client, world.url())) == (6, 4)


def test_dashboard_figures_match_the_engine(world: World) -> None:
    _answer_all(world, ["L1S1", "L1S2", "L2M1"])
    prof = profile_of(world.assessment)
    html = world.client("viewer").get(world.url()).content.decode()
    assert f'<span class="figure__value">{prof.answered} / {prof.total}</span>' in html


@pytest.mark.parametrize("suffix", ["", "policies/L1/", "history/", "finalize/"])
def test_pages_have_no_inline_scripts_or_styles(world: World, suffix: str) -> None:
    import re

    _answer_all(world, ["L1S1"])
    html = world.client("admin").get(world.url(suffix)).content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html
    assert "<style" not in html
    assert " on" + "click=" not in html


def test_dashboard_shows_a_saved_change_on_the_next_load(world: World) -> None:
    viewer = world.client("viewer")
    before = viewer.get(world.url()).content.decode()
    assert "L3 has not reached Starting yet; Starting needs L3S1." in before
    _answer_all(world, ["L3S1"])
    after = viewer.get(world.url()).content.decode()
    assert "L3 stands at Starting; Moderate needs L3M1." in after
    assert '<span class="figure__value">1 / 96</span>' in after
    _answer_all(world, ["L3S1"], status="not_started")
    again = viewer.get(world.url()).content.decode()
    assert "L3 has not reached Starting yet; Starting needs L3S1." in again
    assert '<span class="figure__value">0 / 96</span>' in again


def test_where_the_city_stands_names_the_objectives_with_titles_and_links(world: World) -> None:
    from vertebra.frameworks.domain import objective_titles, shape_of

    fv = world.assessment.framework_version
    titles, shape = objective_titles(fv), shape_of(fv)
    starting = [code for code in shape.objective_codes if shape.objective_stage[code] == "S"]
    html = world.client("viewer").get(world.url()).content.decode()
    assert (
        f'<p class="lead">The city has not reached Starting yet; Starting needs these '
        f"{len(starting)} objectives:</p>"
    ) in html
    link = world.url("objectives/L1S1/")
    assert (
        f'<li><a href="{link}"><span class="objective__code">L1S1</span></a> {titles["L1S1"]}</li>'
    ) in html
    assert html.count('<details class="gaps"') == 1 + len(shape.dimension_codes)
    assert world.client("viewer").get(link)["Location"].endswith("/policies/L1/#objective-L1S1")


def test_new_assessment_form_shows_every_error_at_once(world) -> None:
    response = world.client("admin").post(
        "/cities/porto/assessments/new/", {"title": "", "date": "1800-01-01", "copy_from": "x"}
    )
    assert response.status_code == 400
    errors = re.findall(r'id="id_(\w+)_error"[^>]*>([^<]*)<', response.content.decode())
    assert errors == [
        ("title", "Give the assessment a title."),
        ("date", "Enter a date between 1990 and 2200."),
        ("copy_from", "Select a valid choice. x is not one of the available choices."),
    ]
    assert list(world.city.assessments.values_list("title", flat=True)) == ["Review 2026"]
