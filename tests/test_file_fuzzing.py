"""Property tests over every reader of a file a person sends: whatever the bytes, each reader
gives a result or its own clear error, never another exception. A few seconds each."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from vertebra.assessments.evidence import EvidenceError, FileKind, check_upload
from vertebra.assessments.responses import Response, ResponsesError, parse_responses
from vertebra.documents import DocumentError, load_json, load_yaml
from vertebra.frameworks.files import FrameworkFileError, load_shipped, parse_framework, to_shape
from vertebra.reports.imports import ImportFileError, read_xlsx

SHAPE = to_shape(load_shipped("smr-rmm"))
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Text with what trips parsers: YAML and JSON syntax, anchors, control characters, numbers.
SYNTAX = st.text(
    alphabet=st.sampled_from(list("{}[]:,-&*!|>'\"#\n\t .0123456789eE+naNIfinty"))
    | st.characters(),
    max_size=200,
)
CODES = st.sampled_from(["L1S1", "C2T2", "ZZ1", "", "P1S1"])
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["achieved", "not_applicable", "=1+1", "'-x", "\x1f", "nan", "1e999"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=12,
)  # fmt: skip


def _answers(data: bytes, filename: str) -> None:
    try:
        result = parse_responses(data, filename=filename, shape=SHAPE)
    except ResponsesError as exc:
        assert exc.errors
        assert all(isinstance(e, str) and e and "\n" not in e for e in exc.errors)
    else:
        assert all(isinstance(r, Response) for r in result)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".json", ".yaml"]))
def test_answer_files_of_any_bytes_give_answers_or_a_responses_error(data, suffix):
    _answers(data, f"answers{suffix}")


@FUZZ
@given(text=SYNTAX, suffix=st.sampled_from([".csv", ".json", ".yaml", ".yml"]))
def test_answer_files_of_any_text_give_answers_or_a_responses_error(text, suffix):
    _answers(text.encode("utf-8", "surrogatepass"), f"answers{suffix}")


@FUZZ
@given(document=st.dictionaries(CODES, VALUES, max_size=4) | st.fixed_dictionaries({"answers": st.lists(VALUES, max_size=4)}))  # fmt: skip
def test_answer_documents_of_any_shape_give_answers_or_a_responses_error(document):
    _answers(yaml.safe_dump(document).encode("utf-8", "surrogatepass"), "answers.yaml")
    _answers(json.dumps(document).encode(), "answers.json")  # NaN and Infinity included


@FUZZ
@given(rows=st.lists(st.lists(st.one_of(st.none(), st.integers(), st.floats(), SYNTAX), max_size=4), max_size=6))  # fmt: skip
def test_answer_csv_tables_of_any_cells_give_answers_or_a_responses_error(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["objective", "status", "progress", "notes"])
    writer.writerows(rows)
    _answers(out.getvalue().encode("utf-8", "surrogatepass"), "answers.csv")


@FUZZ
@given(text=SYNTAX)
def test_json_and_yaml_of_any_text_give_a_value_or_a_document_error(text):
    for load in (load_json, load_yaml):
        try:
            load(text)
        except DocumentError as exc:
            assert exc.problem and "\n" not in exc.problem


def _workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Answers"
    ws.append(["objective", "status", "progress", "notes"])
    ws.append(["L1S1", "achieved", None, "=1+1"])
    ws.append(["L1M1", "in_progress", 40, "\t"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _package(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office/>" * 50)
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<document/>" * 50)
    return out.getvalue()


WORKBOOK = _workbook()
PACKAGES = {"xlsx": WORKBOOK, "odt": _package("odt"), "docx": _package("docx")}


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """A real file with a few bytes changed, or cut short: its zip parts stay findable."""
    data = bytearray(original)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        position = draw(st.integers(min_value=0, max_value=len(data) - 1))
        data[position] = draw(st.integers(min_value=0, max_value=255))
    if draw(st.booleans()):
        del data[draw(st.integers(min_value=len(data) // 2, max_value=len(data))) :]
    return bytes(data)


@pytest.mark.parametrize("source", ["bytes", "mutated"])
@FUZZ
@given(data=st.data())
def test_xlsx_imports_of_any_bytes_give_answers_or_an_import_error(source, data):
    content = data.draw(st.binary(max_size=400) if source == "bytes" else mutated(WORKBOOK))
    try:
        result = read_xlsx(content, filename="answers.xlsx", shape=SHAPE)
    except ImportFileError as exc:
        assert exc.errors and all(e.startswith("answers.xlsx: ") for e in exc.errors)
    else:
        assert all(isinstance(r, Response) for r in result)


@FUZZ
@given(data=st.data(), kind=st.sampled_from(sorted(PACKAGES)))
def test_evidence_files_of_any_bytes_give_a_kind_or_an_evidence_error(data, kind):
    content = data.draw(st.binary(min_size=1, max_size=400) | mutated(PACKAGES[kind]))
    for name in (f"evidence.{kind}", "evidence.txt", "evidence.pdf"):
        try:
            found = check_upload(SimpleUploadedFile(name, content))
        except EvidenceError as exc:
            assert str(exc).startswith(name)
        else:
            assert isinstance(found, FileKind)


@FUZZ
@given(text=SYNTAX, suffix=st.sampled_from([".yaml", ".json"]))
def test_model_files_of_any_text_give_a_model_or_a_framework_file_error(text, suffix):
    try:
        parse_framework(text.encode("utf-8", "surrogatepass"), filename=f"model{suffix}")
    except FrameworkFileError as exc:
        assert exc.errors
