"""Property tests for every importer: any input ends in answers or a clear error, never a
traceback, and a refused file changes nothing."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tests.reports.factories import make_assessment, make_city
from vertebra.assessments.models import AnswerEvent
from vertebra.reports.imports import MAX_IMPORT_BYTES, ImportFileError, import_answers

pytestmark = pytest.mark.django_db

SUFFIXES = (".xlsx", ".csv", ".json", ".yaml", ".yml")
CODES = st.sampled_from(["L1S1", "L1S2", "P1S1", "C2T2", "ZZ1", "", "l1s1", "L1S1 "])
CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(blacklist_categories=["Cc", "Cs"]), max_size=30),
    st.sampled_from(["achieved", "In progress", "not_applicable", "done", "50%", "101"]),
)
PROPS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(assessment, data: bytes, name: str) -> None:
    before = AnswerEvent.objects.filter(assessment=assessment).count()
    try:
        import_answers(assessment=assessment, user=None, data=data, filename=name)
    except ImportFileError as exc:
        assert exc.errors
        assert all(isinstance(e, str) and e and "\n" not in e for e in exc.errors)
        assert all(e.startswith(name) for e in exc.errors)
        assert AnswerEvent.objects.filter(assessment=assessment).count() == before


@pytest.fixture
def draft():
    return make_assessment(make_city())


@PROPS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes_never_crash(draft, data, suffix):
    _check(draft, data, f"upload{suffix}")


@PROPS
@given(
    rows=st.lists(st.tuples(CODES, CELLS, CELLS, CELLS), max_size=8),
    header=st.sampled_from(
        [
            ["objective", "status", "progress", "notes"],
            ["Objective", "Status", "Progress", "Notes"],
            ["objective", "status", "progress", "colour"],
            ["status", "objective", "owner", "owner"],
            [None, "status", "progress", "notes"],
        ]
    ),
)
def test_arbitrary_spreadsheets_never_crash(draft, rows, header):
    wb = Workbook()
    ws = wb.active
    ws.title = "Answers"
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    _check(draft, out.getvalue(), "answers.xlsx")


@PROPS
@given(rows=st.lists(st.lists(st.text(max_size=12), max_size=5), max_size=8))
def test_arbitrary_csv_tables_never_crash(draft, rows):
    import csv

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["objective", "status", "progress"])
    writer.writerows(rows)
    _check(draft, text.getvalue().encode("utf-8"), "answers.csv")


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@PROPS
@given(
    document=st.one_of(
        JSON_VALUES,
        st.dictionaries(CODES, JSON_VALUES, max_size=5),
        st.fixed_dictionaries(
            {
                "answers": st.lists(
                    st.dictionaries(
                        st.sampled_from(["objective", "status", "progress", "notes", "links"]),
                        CELLS.filter(lambda v: v != float("inf") and v == v),
                        max_size=5,
                    ),
                    max_size=5,
                )
            }
        ),
    )
)
def test_arbitrary_json_and_yaml_documents_never_crash(draft, document):
    _check(draft, json.dumps(document).encode(), "answers.json")
    _check(draft, yaml.safe_dump(document).encode(), "answers.yaml")


def test_huge_file_is_refused_with_a_clear_error(draft):
    data = b"objective,status\n" + b"L1S1,achieved\n" * (MAX_IMPORT_BYTES // 14 + 1)
    with pytest.raises(ImportFileError) as info:
        import_answers(assessment=draft, user=None, data=data, filename="huge.csv")
    assert info.value.errors == ["huge.csv: the file is larger than 5 MB"]


def test_spreadsheet_with_too_many_rows_is_refused(draft):
    wb = Workbook()
    ws = wb.active
    ws.append(["objective", "status"])
    for _ in range(5001):
        ws.append(["L1S1", "achieved"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ImportFileError) as info:
        import_answers(assessment=draft, user=None, data=out.getvalue(), filename="big.xlsx")
    assert info.value.errors == [
        "big.xlsx: sheet Sheet has more than 5000 rows; is this the right file?"
    ]
