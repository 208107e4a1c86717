"""Report downloads, the import form and the comparison page, for every persona."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.reports.factories import answer, filled_assessment, make_assessment, make_city, people
from vertebra.assessments.domain import finalize
from vertebra.assessments.models import AnswerEvent

pytestmark = pytest.mark.django_db

MEMBERS = ("admin", "editor", "contributor", "viewer")


@pytest.fixture
def world():
    city = make_city()
    persons = people(city)
    first = make_assessment(city, title="Baseline 2025", date=dt.date(2025, 3, 1))
    answer(first, "L1S1", status="achieved")
    finalize(assessment=first, user=None)
    second = filled_assessment(city, copy_from=first)
    return city, persons, first, second


def _download(city, a, fmt):
    return reverse("reports:download", args=[city.slug, a.uuid, fmt])


@pytest.mark.parametrize("role", MEMBERS)
@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbfobjective,dimension"),
        ("json", "application/json", b"{"),
    ],
)
def test_every_member_downloads_exports(client, world, role, fmt, content_type, magic):
    city, persons, _first, second = world
    client.force_login(persons[role])
    response = client.get(_download(city, second, fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="rivertown-review-2026.{fmt}"'
    assert response.content.startswith(magic)


def test_viewer_downloads_pdf(client, world):
    city, persons, _first, second = world
    client.force_login(persons["viewer"])
    response = client.get(_download(city, second, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_outsider_gets_404_and_anonymous_goes_to_login(client, world):
    city, persons, _first, second = world
    url = _download(city, second, "json")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    client.force_login(persons["outsider"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("reports:compare", args=[city.slug])).status_code == 404
    assert client.get(reverse("reports:import", args=[city.slug, second.uuid])).status_code == 404


def test_unknown_format_and_other_citys_assessment_are_404(client, world):
    city, persons, _first, second = world
    client.force_login(persons["admin"])
    assert client.get(_download(city, second, "docx")).status_code == 404
    other = make_assessment(make_city("harbourville", "Harbourville"))
    assert client.get(_download(city, other, "json")).status_code == 404


def test_json_download_query_count_is_bounded(client, world, django_assert_max_num_queries):
    city, persons, _first, second = world
    client.force_login(persons["viewer"])
    with django_assert_max_num_queries(14):
        response = client.get(_download(city, second, "json"))
    assert response.status_code == 200


def test_xlsx_download_query_count_is_bounded(client, world, django_assert_max_num_queries):
    city, persons, _first, second = world
    client.force_login(persons["viewer"])
    with django_assert_max_num_queries(14):
        response = client.get(_download(city, second, "xlsx"))
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Answers"


def test_pdf_download_query_count_is_bounded(client, world, django_assert_max_num_queries):
    city, persons, _first, second = world
    client.force_login(persons["viewer"])
    # The report's own data, plus its peer review section and its annex of workshops.
    with django_assert_max_num_queries(18):
        assert client.get(_download(city, second, "pdf")).status_code == 200


# -- import -------------------------------------------------------------------------------------


def _upload(name: str, data: bytes) -> dict:
    return {"file": SimpleUploadedFile(name, data)}


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_writers_import_a_file_and_see_the_summary(client, world, role):
    city, persons, _first, second = world
    client.force_login(persons[role])
    url = reverse("reports:import", args=[city.slug, second.uuid])
    assert client.get(url).status_code == 200
    data = b"objective,status\nL1S1,achieved\nL2M1,achieved\nL1M1,achieved\n"
    response = client.post(url, _upload("answers.csv", data), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "web:assessment", args=[city.slug, second.uuid]
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Imported answers.csv: 1 new, 1 changed and 1 unchanged answers."
    ]
    event = AnswerEvent.objects.filter(assessment=second, objective_code="L2M1").get()
    assert (event.source, event.user) == ("import", persons[role])


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_contributors_and_viewers_may_not_import(client, world, role):
    city, persons, _first, second = world
    client.force_login(persons[role])
    url = reverse("reports:import", args=[city.slug, second.uuid])
    assert client.get(url).status_code == 403
    assert (
        client.post(url, _upload("a.csv", b"objective,status\nL1S1,achieved\n")).status_code == 403
    )


def test_anonymous_import_goes_to_login(client, world):
    city, _persons, _first, second = world
    url = reverse("reports:import", args=[city.slug, second.uuid])
    assert client.get(url)["Location"] == f"{reverse('login')}?next={url}"
    response = client.post(url, _upload("a.csv", b"objective,status\n"))
    assert response.status_code == 401
    assert b'<a class="button button--primary" href="/login/">Log in again</a>' in response.content


def test_import_form_lists_every_error_and_changes_nothing(client, world):
    city, persons, _first, second = world
    client.force_login(persons["editor"])
    url = reverse("reports:import", args=[city.slug, second.uuid])
    data = b"objective,status\nL1S1,done\nQQ1,achieved\n"
    response = client.post(url, _upload("answers.csv", data))
    assert response.status_code == 400
    assert response.context["import_errors"] == [
        "answers.csv: line 2, column 2 (status): unknown status 'done' for L1S1; "
        "use one of not_started, in_progress, achieved, not_applicable",
        "answers.csv: line 3, column 1 (objective): unknown objective code 'QQ1'",
    ]
    assert b"Nothing was imported: the file has 2 problems." in response.content
    assert not AnswerEvent.objects.filter(assessment=second, source="import").exists()


def test_import_form_refuses_wrong_type_and_oversized_files(client, world, settings):
    city, persons, _first, second = world
    client.force_login(persons["admin"])
    url = reverse("reports:import", args=[city.slug, second.uuid])
    response = client.post(url, _upload("photo.png", b"\x89PNG"))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "Choose an XLSX, CSV, JSON or YAML file (this one ends in .png)."
    ]
    # Just over the limit: the form says so. Far over it: refused before it is read (413).
    big = (b"objective,status\n" + b"L1S1,achieved\n" * 374_491)[: 5 * 1024 * 1024 + 1]
    assert len(big) == 5 * 1024 * 1024 + 1
    response = client.post(url, _upload("big.csv", big))
    assert response.context["form"].errors["file"] == ["The file is larger than 5 MB."]
    before = sorted(second.answers.values_list("objective__code", "status", "version"))
    response = client.post(url, _upload("big.csv", big + b"L1S1,achieved\n" * 5000))
    assert response.status_code == 413
    assert "this address takes at most 5.1\xa0MB, the file included." in response.content.decode()
    assert sorted(second.answers.values_list("objective__code", "status", "version")) == before


def test_import_into_final_assessment_is_refused(client, world):
    city, persons, first, _second = world
    client.force_login(persons["admin"])
    url = reverse("reports:import", args=[city.slug, first.uuid])
    response = client.post(url, _upload("a.csv", b"objective,status\nL1S2,achieved\n"))
    assert response.status_code == 409
    assert b"This assessment is final" in response.content
    assert first.answers.get(objective__code="L1S2").status == "not_started"


# -- comparison ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", MEMBERS)
def test_every_member_sees_the_comparison_with_trend_chart(client, world, role):
    city, persons, first, second = world
    client.force_login(persons[role])
    url = reverse("reports:compare", args=[city.slug])
    response = client.get(url, {"older": str(first.uuid), "newer": str(second.uuid)})
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert [o["code"] for o in comparison["objectives"]] == ["L1S2", "L1M1", "P1S1", "P1S2", "C2T2"]
    assert [(p["code"], p["old"], p["new"], p["up"]) for p in comparison["policies"]] == [
        ("L1", "no stage yet", "Starting", True)
    ]
    assert b"<svg" in response.content
    assert b"Stages over all cycles" in response.content


def test_comparison_flags_an_objective_that_went_back_with_a_sign_and_words(client, world):
    city, persons, first, second = world
    answer(second, "L1S1", status="in_progress")  # achieved in the first cycle
    client.force_login(persons["viewer"])
    url = reverse("reports:compare", args=[city.slug])
    response = client.get(url, {"older": str(first.uuid), "newer": str(second.uuid)})
    html = response.content.decode()
    row = html[html.index('<tr class="regression"><th scope="row">L1S1</th>') :]
    row = row[: row.index("</tr>")]
    assert row.endswith(
        "<td>Achieved</td><td><strong>In progress</strong></td><td>▼ went back</td>"
    )
    assert html.count('<tr class="regression">') == 1
    assert "<td>▲ moved on</td>" in html
    assert " · 1 went back</caption>" in html
    from vertebra.reports.pdf import render_html

    pdf = render_html(second)
    assert (
        '<tr class="regression"><th scope="row" class="answers__id">L1S1\nAchieved → In progress\n▼ went back</th>'
        in pdf
    )


def test_comparison_defaults_to_latest_and_its_previous_cycle(
    client, world, django_assert_max_num_queries
):
    city, persons, first, second = world
    client.force_login(persons["viewer"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("reports:compare", args=[city.slug]))
    assert response.context["older"] == first
    assert response.context["newer"] == second


def test_assessment_page_offers_each_download_and_import_to_writers(client, world):
    city, persons, _first, second = world
    client.force_login(persons["editor"])
    page = client.get(reverse("web:assessment", args=[city.slug, second.uuid])).content.decode()
    for fmt in ("pdf", "xlsx", "csv", "json"):
        assert f'href="{_download(city, second, fmt)}"' in page
    assert reverse("reports:import", args=[city.slug, second.uuid]) in page
    client.force_login(persons["viewer"])
    page = client.get(reverse("web:assessment", args=[city.slug, second.uuid])).content.decode()
    assert _download(city, second, "pdf") in page
    assert reverse("reports:import", args=[city.slug, second.uuid]) not in page


def test_chart_legends_stay_inside_their_charts_with_whole_names(client, world):
    """Legend items one per line, names whole: none runs past the chart's right edge
    (at most 7 px per character of the 12 px font)."""
    import re as regex

    from vertebra.reports.charts import WIDTH

    city, persons, _first, second = world
    client.force_login(persons["viewer"])
    compare = client.get(reverse("reports:compare", args=[city.slug])).content.decode()
    dashboard = client.get(reverse("web:assessment", args=[city.slug, second.uuid]))
    legends = []
    for svg in regex.findall(r"<svg.*?</svg>", compare + dashboard.content.decode(), regex.S):
        height = float(regex.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg).group(1))
        for x, y, text in regex.findall(r'<text x="([\d.]+)" y="([\d.]+)">([^<]+)</text>', svg):
            assert float(x) + 7 * len(text) <= WIDTH, text
            assert float(y) <= height, text
            legends.append(text)
        centred = r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle"[^>]*>([^<]+)</text>'
        for x, text in regex.findall(centred, svg):
            assert float(x) + 3.5 * len(text) <= WIDTH, text
    assert "Infrastructure &amp; Resources" in legends  # the trend's legend, not shortened
    assert "Progress toward the next stage" in legends
