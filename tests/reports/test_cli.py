"""`vertebra report`, `vertebra import`, `vertebra backup` and `vertebra restore`."""

from __future__ import annotations

import json

import pytest

from tests.reports.factories import filled_assessment, make_assessment, make_city
from vertebra.assessments.domain import finalize
from vertebra.assessments.models import Assessment
from vertebra.cities.models import City
from vertebra.cli import main

pytestmark = pytest.mark.django_db


def test_report_writes_latest_assessment_as_json(tmp_path, capsys):
    city = make_city()
    make_assessment(city, title="Old")
    latest = filled_assessment(city, title="Newest")
    Assessment.objects.filter(title="Old").update(date="2020-01-01")
    out = tmp_path / "r.json"
    assert main(["report", "rivertown", "--format", "json", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["assessment"]["id"] == str(latest.uuid)
    assert capsys.readouterr().out == f"Wrote {out}: Newest (2026-03-01), JSON\n"


@pytest.mark.parametrize(
    ("fmt", "magic"), [("pdf", b"%PDF-"), ("xlsx", b"PK"), ("csv", b"\xef\xbb\xbf")]
)
def test_report_with_assessment_id_in_each_format(tmp_path, fmt, magic):
    a = filled_assessment(make_city())
    out = tmp_path / f"r.{fmt}"
    assert (
        main(["report", "rivertown", "--assessment", str(a.uuid), "--format", fmt, "-o", str(out)])
        == 0
    )
    assert out.read_bytes().startswith(magic)


def test_report_errors_exit_2_with_a_message(tmp_path, capsys):
    make_city()
    assert main(["report", "nowhere", "--format", "json", "-o", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err == "vertebra: no city with the short name 'nowhere'\n"
    assert main(["report", "rivertown", "--format", "json", "-o", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err == "vertebra: rivertown has no assessments yet\n"


def test_import_without_assessment_creates_a_draft(tmp_path, capsys):
    city = make_city()
    path = tmp_path / "answers.csv"
    path.write_text("objective,status\nL1S1,achieved\nL1S2,in progress\n")
    assert main(["import", "rivertown", str(path)]) == 0
    a = city.assessments.get()
    assert a.status == "draft"
    assert capsys.readouterr().out == (
        f"Created the draft assessment 'Imported from answers.csv' ({a.uuid}).\n"
        "Imported answers.csv into 'Imported from answers.csv': 2 new, 0 changed, 0 unchanged.\n"
    )


def test_import_errors_exit_2_one_line_each_and_change_nothing(tmp_path, capsys):
    city = make_city()
    a = make_assessment(city)
    path = tmp_path / "answers.csv"
    path.write_text("objective,status,progress\nL1S1,yes,\nL1S2,achieved,x\n")
    assert main(["import", "rivertown", str(path), "--assessment", str(a.uuid)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "vertebra: answers.csv: line 2, column 2 (status): unknown status 'yes' for L1S1; "
        "use one of not_started, in_progress, achieved, not_applicable",
        "vertebra: answers.csv: line 3, column 3 (progress): progress 'x' is not a number "
        "from 0 to 100",
    ]
    assert a.answers.exclude(status="not_started").count() == 0
    assert City.objects.get().assessments.count() == 1


def test_import_into_final_assessment_exits_2(tmp_path, capsys):
    a = make_assessment(make_city())
    finalize(assessment=a, user=None)
    path = tmp_path / "answers.csv"
    path.write_text("objective,status\nL1S1,achieved\n")
    assert main(["import", "rivertown", str(path), "--assessment", str(a.uuid)]) == 2
    assert "is final and can no longer be changed" in capsys.readouterr().err


def test_backup_then_restore_refuses_non_empty_then_forces(tmp_path, capsys, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    filled_assessment(make_city())
    path = tmp_path / "instance.zip"
    assert main(["backup", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"Wrote {path}: 0 people, 1 cities, 1 assessments, 0 attachment files.\n"
    )
    assert main(["restore", str(path)]) == 2
    assert "give --force" in capsys.readouterr().err
    assert main(["restore", str(path), "--force"]) == 0
    assert City.objects.get().slug == "rivertown"
    missing = tmp_path / "missing.zip"
    assert main(["restore", str(missing)]) == 2
    assert capsys.readouterr().err == f"vertebra: {missing}: no such file\n"
