"""The JSON, CSV and XLSX exports of an assessment."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from tests.reports.factories import answer, filled_assessment, make_city
from vertebra.assessments.domain import profile_of
from vertebra.reports.exports import (
    ANSWER_COLUMN_NAMES,
    export_csv,
    export_json,
    export_xlsx,
)

pytestmark = pytest.mark.django_db


def test_json_export_has_every_top_level_part():
    a = filled_assessment(make_city())
    doc = export_json(a)
    assert list(doc) == [
        "format",
        "format_version",
        "city",
        "assessment",
        "framework",
        "answers",
        "profile",
        "targets",
        "actions",
    ]
    assert doc["city"] == {"slug": "rivertown", "name": "Rivertown", "country": "Norway"}
    assert doc["assessment"]["id"] == str(a.uuid)
    assert doc["assessment"]["date"] == "2026-03-01"
    assert doc["framework"]["id"] == "smr-rmm"
    assert doc["framework"]["version"] == a.framework_version.version
    assert doc["targets"] == [{"policy": "L1", "stage": "A", "target_date": None}]
    json.dumps(doc)  # JSON-ready


def test_json_export_answers_follow_model_order_with_every_field():
    a = filled_assessment(make_city())
    answers = export_json(a)["answers"]
    codes = list(a.framework_version.objectives.order_by("position").values_list("code", flat=True))
    assert [x["objective"] for x in answers] == codes
    by_code = {x["objective"]: x for x in answers}
    assert by_code["L1M1"] == {
        "objective": "L1M1",
        "status": "in_progress",
        "progress": 40,
        "evidence": "",
        "links": "",
        "notes": "Workshop in May;\nsee notes",
        "owner": "",
        "na_justification": "",
        "files": [],
    }
    assert by_code["C2T2"]["na_justification"] == "A small city: no European role for now."


def test_json_export_profile_is_the_engine_output_with_targets():
    a = filled_assessment(make_city())
    fv = a.framework_version
    expected = profile_of(a, targets={"L1": "A"}).to_json(
        framework=fv.framework_id, version=fv.version
    )
    assert export_json(a)["profile"] == expected
    assert export_json(a)["profile"]["policies"]["L1"]["target"] == "A"


def test_json_export_profile_matches_vertebra_assess_output(tmp_path):
    a = filled_assessment(make_city())
    doc = export_json(a)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": doc["answers"]}))
    printed = subprocess.run(
        [
            sys.executable,
            "-m",
            "vertebra.cli",
            "assess",
            str(path),
            "--format",
            "json",
            "--target",
            "L1=A",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(printed) == doc["profile"]


def test_json_export_lists_actions_with_objectives_costs_and_notes():
    a = filled_assessment(make_city())
    actions = export_json(a)["actions"]
    assert [x["title"] for x in actions] == ["Set up the resilience board", "Flood map"]
    board = actions[0]
    assert board["objectives"] == ["L1M1", "L1M2"]
    assert board["cost"] == "12000.50"
    assert board["due_date"] == "2020-01-31"
    assert board["status"] == "in_progress"
    assert board["notes"] == [{"date": "2026-02-01", "text": "Board members named."}]


def test_csv_export_is_the_answers_table_that_assess_reads():
    a = filled_assessment(make_city())
    data = export_csv(a)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == ANSWER_COLUMN_NAMES
    assert rows[0][:10] == [
        "objective",
        "dimension",
        "policy",
        "stage",
        "text",
        "status",
        "progress",
        "evidence",
        "notes",
        "owner",
    ]
    assert len(rows) == 1 + a.answers.count()
    by_code = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_code["I1S1"]["owner"] == "Water Utility, “Team Ø”"
    assert by_code["I1S1"]["evidence"] == 'Quote " and, comma'
    assert by_code["L1M1"]["progress"] == "40"
    assert by_code["L1M1"]["notes"] == "Workshop in May;\nsee notes"
    assert by_code["L1S1"]["status"] == "achieved"
    assert by_code["L1S1"]["stage"] == "Starting"


def test_xlsx_export_has_answers_profile_actions_and_workshop_sheets():
    a = filled_assessment(make_city())
    wb = load_workbook(io.BytesIO(export_xlsx(a)))
    assert wb.sheetnames == ["Answers", "Profile", "Actions", "Ratings", "Decisions", "About"]
    answers = wb["Answers"]
    header = [c.value for c in answers[1]]
    assert header[:10] == [
        "Objective",
        "Dimension",
        "Policy",
        "Stage",
        "Objective text",
        "Status",
        "Progress",
        "Evidence",
        "Notes",
        "Owner",
    ]
    assert answers.freeze_panes == "A2"
    assert answers.max_row == 1 + a.answers.count()
    row = {c.value: answers.cell(row=2, column=i + 1).value for i, c in enumerate(answers[1])}
    assert row["Objective"] == "L1S1"
    assert row["Status"] == "Achieved"
    validations = answers.data_validations.dataValidation
    assert any(
        v.formula1 == '"Not started,In progress,Achieved,Not applicable"' for v in validations
    )
    assert answers.column_dimensions["E"].width == 60
    profile_rows = list(wb["Profile"].iter_rows(values_only=True))
    assert profile_rows[1][0] == "City"
    l1 = next(r for r in profile_rows if r[1] == "L1")
    assert l1[7] == "Advanced (A)"
    actions = list(wb["Actions"].iter_rows(values_only=True))
    assert actions[1][0] == "Set up the resilience board"
    assert actions[1][2] == "L1M1, L1M2"
    assert float(actions[1][7]) == 12000.5


def test_xlsx_export_drops_control_characters_that_spreadsheets_cannot_hold():
    a = filled_assessment(make_city())
    answer(a, "L2M1", notes="pasted\x0btext\x01")
    wb = load_workbook(io.BytesIO(export_xlsx(a)))
    notes = {r[0]: r[8] for r in wb["Answers"].iter_rows(min_row=2, values_only=True)}
    assert notes["L2M1"] == "pastedtext"
