"""Importing answers from XLSX, CSV, JSON and YAML: validate all, then write all or nothing."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from tests.reports.factories import answer, filled_assessment, make_assessment, make_city
from vertebra.assessments.domain import AssessmentLockedError, finalize
from vertebra.assessments.models import Answer, AnswerEvent
from vertebra.reports.exports import export_csv, export_json, export_xlsx
from vertebra.reports.imports import (
    ImportFileError,
    import_answers,
    import_into_new_assessment,
)

pytestmark = pytest.mark.django_db


def _answers(doc: dict) -> list[dict]:
    return doc["answers"]


@pytest.mark.parametrize(
    ("suffix", "export"),
    [
        (".xlsx", export_xlsx),
        (".csv", export_csv),
        (".json", lambda a: json.dumps(export_json(a)).encode()),
    ],
)
def test_round_trip_into_another_city_gives_identical_answers(suffix, export):
    source = filled_assessment(make_city())
    empty = make_assessment(make_city("harbourville", "Harbourville"))
    summary = import_answers(
        assessment=empty, user=None, data=export(source), filename=f"answers{suffix}"
    )
    assert _answers(export_json(empty)) == _answers(export_json(source))
    assert sorted(summary.new) == sorted(["L1S1", "L1S2", "P1S1", "P1S2", "L1M1", "C2T2", "I1S1"])
    assert summary.changed == []
    assert len(summary.unchanged) == source.answers.count() - 7


def test_import_records_each_change_in_history_with_source_import():
    a = make_assessment(make_city())
    data = b"objective,status,progress\nL1M1,in_progress,30\n"
    import_answers(assessment=a, user=None, data=data, filename="a.csv")
    events = AnswerEvent.objects.filter(assessment=a).order_by("field")
    assert [(e.objective_code, e.field, e.old_value, e.new_value, e.source) for e in events] == [
        ("L1M1", "progress", "", "30", "import"),
        ("L1M1", "status", "not_started", "in_progress", "import"),
    ]


def test_import_summary_counts_changed_unchanged_and_new():
    a = make_assessment(make_city())
    answer(a, "L1S1", status="achieved")
    answer(a, "L1S2", status="in_progress")
    data = b"objective,status\nL1S1,achieved\nL1S2,achieved\nP1S1,achieved\n"
    summary = import_answers(assessment=a, user=None, data=data, filename="a.csv")
    assert (summary.changed, summary.unchanged, summary.new) == (["L1S2"], ["L1S1"], ["P1S1"])


def test_import_changes_only_the_columns_the_file_has():
    a = make_assessment(make_city())
    answer(a, "L1S1", status="in_progress", notes="keep me", owner="Mayor")
    import_answers(
        assessment=a, user=None, data=b"objective,status\nL1S1,achieved\n", filename="a.csv"
    )
    row = a.answers.get(objective__code="L1S1")
    assert (row.status, row.notes, row.owner) == ("achieved", "keep me", "Mayor")


def test_import_of_assess_yaml_mapping():
    a = make_assessment(make_city())
    data = b"L1S1: achieved\nL1S2:\n  status: in progress\n  progress: 50\n"
    summary = import_answers(assessment=a, user=None, data=data, filename="a.yaml")
    assert summary.new == ["L1S1", "L1S2"]
    assert a.answers.get(objective__code="L1S2").progress == 50


def test_import_reports_every_error_with_row_and_column_and_writes_nothing():
    a = make_assessment(make_city())
    data = (
        b"objective,status,progress\n"
        b"L1S1,achieved,\n"
        b"L1S2,finished,\n"
        b"P1S1,in_progress,150\n"
        b"ZZ9,achieved,\n"
        b"C2T2,not_applicable,\n"
    )
    with pytest.raises(ImportFileError) as info:
        import_answers(assessment=a, user=None, data=data, filename="answers.csv")
    assert info.value.errors == [
        "answers.csv: line 3, column 2 (status): unknown status 'finished' for L1S2; "
        "use one of not_started, in_progress, achieved, not_applicable",
        "answers.csv: line 4, column 3 (progress): progress '150' must be a whole number "
        "from 0 to 100",
        "answers.csv: line 5, column 1 (objective): unknown objective code 'ZZ9'",
        "answers.csv: line 6, na_justification: Say why this objective does not apply to the city.",
    ]
    assert AnswerEvent.objects.filter(assessment=a).count() == 0


def test_import_checks_answer_rules_before_writing():
    a = make_assessment(make_city())
    data = b"objective,status\nL1S1,achieved\nC2T2,not_applicable\n"
    with pytest.raises(ImportFileError) as info:
        import_answers(assessment=a, user=None, data=data, filename="a.csv")
    assert info.value.errors == [
        "a.csv: line 3, na_justification: Say why this objective does not apply to the city."
    ]
    assert a.answers.get(objective__code="L1S1").status == "not_started"


def test_xlsx_errors_name_sheet_row_and_column_letter():
    source = filled_assessment(make_city())
    wb = load_workbook(io.BytesIO(export_xlsx(source)))
    ws = wb["Answers"]
    ws["F3"] = "Done-ish"
    ws["G4"] = "lots"
    out = io.BytesIO()
    wb.save(out)
    target = make_assessment(make_city("harbourville", "Harbourville"))
    with pytest.raises(ImportFileError) as info:
        import_answers(assessment=target, user=None, data=out.getvalue(), filename="a.xlsx")
    assert info.value.errors == [
        "a.xlsx: sheet Answers, row 3, column F (status): unknown status 'Done-ish' for L1S2; "
        "use one of not_started, in_progress, achieved, not_applicable",
        "a.xlsx: sheet Answers, row 4, column G (progress): progress 'lots' is not a number "
        "from 0 to 100",
    ]
    assert AnswerEvent.objects.filter(assessment=target).count() == 0


def test_import_refuses_a_final_assessment():
    a = make_assessment(make_city())
    finalize(assessment=a, user=None)
    with pytest.raises(AssessmentLockedError):
        import_answers(
            assessment=a, user=None, data=b"objective,status\nL1S1,achieved\n", filename="a.csv"
        )


def test_import_refuses_unknown_file_types_and_foreign_models():
    a = make_assessment(make_city())
    with pytest.raises(ImportFileError) as info:
        import_answers(assessment=a, user=None, data=b"hello", filename="notes.docx")
    assert info.value.errors == [
        "notes.docx: unknown file type .docx; use .xlsx, .csv, .json, .yaml, .yml"
    ]
    doc = {"framework": {"id": "other-model", "version": 1}, "answers": []}
    with pytest.raises(ImportFileError) as info:
        import_answers(assessment=a, user=None, data=json.dumps(doc).encode(), filename="x.json")
    assert info.value.errors == [
        "x.json: these answers are for the maturity model 'other-model', but the assessment "
        "uses 'smr-rmm'"
    ]


def test_import_into_new_assessment_creates_a_draft_only_when_the_file_is_valid():
    city = make_city()
    with pytest.raises(ImportFileError):
        import_into_new_assessment(
            city=city, user=None, data=b"objective,status\nL1S1,nope\n", filename="a.csv"
        )
    assert city.assessments.count() == 0
    summary = import_into_new_assessment(
        city=city, user=None, data=b"objective,status\nL1S1,achieved\n", filename="a.csv"
    )
    assert summary.created_assessment
    assert summary.assessment.status == "draft"
    assert summary.assessment.title == "Imported from a.csv"
    assert Answer.objects.get(assessment=summary.assessment, objective__code="L1S1").status == (
        "achieved"
    )
