"""Exports of one assessment: JSON (complete enough to rebuild it), XLSX and CSV.

The answers sheet of the XLSX file and the CSV file have the columns that
:mod:`vertebra.assessments.responses` reads, so either can be edited and imported back.

Every cell of both is written through :func:`xlsx_row` or :func:`csv_row`: text is cleaned of
control characters and can never become a formula (in the workbook it is stored as text; in
the CSV file a leading ``'`` keeps it inert, and the importer takes it off again), while the
numbers and dates the application writes stay numbers and dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from vertebra.assessments.models import Assessment
from vertebra.frameworks.domain import model_texts
from vertebra.reports.data import ReportData, report_data
from vertebra.text import clean_text, inert_csv_text

EXPORT_FORMAT = "vertebra-assessment"
EXPORT_FORMAT_VERSION = 1

# (column name as the importer reads it, heading shown in the spreadsheet, width)
ANSWER_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("objective", "Objective", 11),
    ("dimension", "Dimension", 22),
    ("policy", "Policy", 24),
    ("stage", "Stage", 12),
    ("text", "Objective text", 60),
    ("status", "Status", 15),
    ("progress", "Progress", 10),
    ("evidence", "Evidence", 50),
    ("notes", "Notes", 40),
    ("owner", "Owner", 22),
    ("links", "Links", 30),
    ("na_justification", "Why not applicable", 40),
    ("files", "Files", 30),  # the names of the evidence files; an import ignores them
)
ANSWER_COLUMN_NAMES = tuple(name for name, _heading, _width in ANSWER_COLUMNS)
# Status values as people read them in the spreadsheet; the importer accepts these and the codes.
STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "achieved": "Achieved",
    "not_applicable": "Not applicable",
}
ANSWERS_SHEET = "Answers"
PROFILE_SHEET = "Profile"
ACTIONS_SHEET = "Actions"
ABOUT_SHEET = "About"
RATINGS_SHEET = "Ratings"
DECISIONS_SHEET = "Decisions"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_json(assessment: Assessment, *, data: ReportData | None = None) -> dict[str, Any]:
    data = data or report_data(assessment, with_previous=False)
    a = data.assessment
    fv = a.framework_version
    city = a.city
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "city": {"slug": city.slug, "name": city.name, "country": city.country},
        "assessment": {
            "id": str(a.uuid),
            "title": a.title,
            "date": a.date.isoformat(),
            "status": a.status,
            "previous": str(a.previous.uuid) if a.previous_id and a.previous else None,
            "finalized_at": _date(a.finalized_at),
        },
        "framework": {"id": fv.framework_id, "version": fv.version, "name": fv.name},
        "answers": [
            {
                "objective": answer.objective.code,
                "status": answer.status,
                "progress": answer.progress,
                "evidence": answer.evidence,
                "links": answer.links,
                "notes": answer.notes,
                "owner": answer.owner,
                "na_justification": answer.na_justification,
                "files": [f.original_name for f in answer.attachments.all()],
            }
            for answer in data.answers
        ],
        "profile": data.profile_json(),
        "targets": [
            {
                "policy": t.policy_code,
                "stage": t.stage_code,
                "target_date": _date(t.target_date),
            }
            for t in data.targets
        ],
        "actions": [_action_json(action) for action in data.actions],
    }


def _action_json(action: Any) -> dict[str, Any]:
    return {
        "id": str(action.uuid),
        "title": action.title,
        "description": action.description,
        "status": action.status,
        "objectives": [o.code for o in action.objectives.all()],
        "owner": action.owner_user.email if action.owner_user is not None else None,
        "owner_department": action.owner_department,
        "stakeholder_types": list(action.stakeholder_types or []),
        "start_date": _date(action.start_date),
        "due_date": _date(action.due_date),
        "cost": str(action.cost) if action.cost is not None else None,
        "currency": action.currency,
        "notes": [{"date": _date(n.date), "text": n.text} for n in action.notes.all()],
    }


# -- the workshops' ratings and decisions as tables ---------------------------------------------

# (column name in the CSV file, heading in the spreadsheet, width), like ANSWER_COLUMNS.
RATING_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("workshop", "Workshop", 28),
    ("date", "Date", 12),
    ("participant", "Participant", 22),  # the display name, or "anonymous"
    ("stakeholder_type", "Stakeholder type", 24),
    ("objective", "Objective", 11),
    ("status", "Status", 15),
    ("progress", "Progress", 10),
    ("comment", "Comment", 50),
)
DECISION_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("workshop", "Workshop", 28),
    ("date", "Date", 12),
    ("objective", "Objective", 11),
    ("status", "Agreed status", 15),
    ("progress", "Progress", 10),
    ("note", "Note", 50),
    ("ratings", "Ratings", 9),
    ("agreement", "Agreement (%)", 12),
    ("decided_by", "Decided by", 26),
    ("decided_at", "Decided at (UTC)", 20),
)
# A rating's statuses as people read them in the spreadsheet (the CSV file has the codes).
RATING_LABELS = {**STATUS_LABELS, "unknown": "Don't know"}


@dataclass(frozen=True)
class Table:
    """One table of an export: the XLSX file's sheet ``sheet``, or a CSV file of its own."""

    sheet: str
    columns: tuple[tuple[str, str, int], ...]
    rows: list[list[Any]]


def _utc(value: dt.datetime) -> dt.datetime:
    """A moment as the spreadsheet stores it: UTC, without a zone, to the second."""
    return value.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


def workshop_tables(data: ReportData, *, status_labels: bool) -> dict[str, Table]:
    """The workshops' ratings (one row per rating; an anonymous workshop's participants are
    "anonymous") and agreed answers, as the XLSX sheets and the CSV files show them."""

    def status(code: str) -> str:
        return RATING_LABELS.get(code, code) if status_labels else code

    ratings = [
        [
            r.workshop,
            r.date,
            r.participant,
            r.stakeholder_type,
            r.objective,
            status(r.status),
            r.progress,
            r.comment,
        ]
        for r in data.ratings
    ]
    decisions = [
        [
            d.workshop,
            d.date,
            d.objective,
            status(d.status),
            d.progress,
            d.note,
            d.ratings,
            d.agreement,
            d.decided_by,
            _utc(d.decided_at),
        ]
        for d in data.decisions
    ]
    return {
        "ratings": Table(RATINGS_SHEET, RATING_COLUMNS, ratings),
        "decisions": Table(DECISIONS_SHEET, DECISION_COLUMNS, decisions),
    }


# The CSV files: the answers (which import back), and the workshops' two tables.
CSV_TABLES = ("answers", "ratings", "decisions")


# -- answers as rows ----------------------------------------------------------------------------


def answer_rows(data: ReportData, *, status_labels: bool) -> Iterator[list[Any]]:
    shape = data.shape
    for answer in data.answers:
        o = answer.objective
        yield [
            o.code,
            shape.dimension_name.get(o.dimension_code, o.dimension_code),
            f"{o.policy_code} {shape.policy_name.get(o.policy_code, '')}".strip(),
            shape.stage_names.get(o.stage_code, o.stage_code),
            o.shown_text,
            STATUS_LABELS[answer.status] if status_labels else answer.status,
            answer.progress,
            answer.evidence,
            answer.notes,
            answer.owner,
            answer.links,
            answer.na_justification,
            "\n".join(f.original_name for f in answer.attachments.all()),
        ]


def _csv_value(value: Any) -> Any:
    """Dates and moments in ISO 8601, as programs read them."""
    return (
        value.isoformat(sep=" ")
        if isinstance(value, dt.datetime)
        else (value.isoformat() if isinstance(value, dt.date) else value)
    )


def csv_row(values: Iterable[Any]) -> list[Any]:
    """The cells of one CSV row: text made inert (see the module's docstring), numbers kept."""
    return ["" if v is None else inert_csv_text(v) if isinstance(v, str) else v for v in values]


def csv_bytes(header: Sequence[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A CSV file of these rows under ``header``: every CSV Vertebra writes (an assessment's
    export, a city's public open data) is written here."""
    out = io.StringIO(newline="")
    # The header is our own column names, as they are. Below it every text is in quotes, so
    # that no separator inside it can start a new cell, whichever separator the spreadsheet
    # program expects; numbers stay bare.
    csv.writer(out, lineterminator="\r\n").writerow(header)
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    for row in rows:
        writer.writerow(csv_row(row))
    # A byte order mark so that spreadsheet programs open the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_csv(
    assessment: Assessment, *, data: ReportData | None = None, table: str = "answers"
) -> bytes:
    """One table of ``CSV_TABLES`` as a CSV file: the answers by default."""
    data = data or report_data(assessment, with_previous=False)
    if table == "answers":
        return csv_bytes(ANSWER_COLUMN_NAMES, answer_rows(data, status_labels=False))
    found = workshop_tables(data, status_labels=False)[table]
    return csv_bytes(
        [name for name, _heading, _width in found.columns],
        ([_csv_value(v) for v in row] for row in found.rows),
    )


# -- XLSX ---------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


def xlsx_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append one row: text cleaned and stored as text, never as a formula or an error code.

    openpyxl would store text that starts with "=" as a formula and "#N/A" as an error, and
    refuses control characters (pasted text sometimes has them).
    """
    cells: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(ws, value=clean_text(value))
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    ws.append(cells)


def _header(ws: Worksheet, headings: list[str], widths: list[int]) -> None:
    xlsx_row(ws, headings)
    for index, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30


def _wrap_columns(ws: Worksheet, widths: list[int], rows: int) -> None:
    for column, width in enumerate(widths, start=1):
        alignment = _WRAP if width >= 30 else _TOP
        for row in ws.iter_rows(min_row=2, max_row=rows + 1, min_col=column, max_col=column):
            row[0].alignment = alignment


def export_xlsx(assessment: Assessment, *, data: ReportData | None = None) -> bytes:
    data = data or report_data(assessment, with_previous=False)
    wb = Workbook()
    answers = wb.active
    assert answers is not None
    answers.title = ANSWERS_SHEET
    _answers_sheet(answers, data)
    _profile_sheet(wb.create_sheet(PROFILE_SHEET), data)
    _actions_sheet(wb.create_sheet(ACTIONS_SHEET), data)
    for table in workshop_tables(data, status_labels=True).values():
        _table_sheet(wb.create_sheet(table.sheet), table)
    _about_sheet(wb.create_sheet(ABOUT_SHEET), data)
    a = data.assessment
    wb.properties.title = clean_text(f"{a.city.name}: {a.title}", single_line=True)
    wb.properties.creator = "Vertebra"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _answers_sheet(ws: Worksheet, data: ReportData) -> None:
    # The importer reads these headings (and the CSV column names), so the sheet imports back
    # as it is; the widths and the frozen, coloured header row make it easy to fill in.
    widths = [width for _name, _heading, width in ANSWER_COLUMNS]
    _header(ws, [heading for _name, heading, _width in ANSWER_COLUMNS], widths)
    count = 0
    for row in answer_rows(data, status_labels=True):
        xlsx_row(ws, row)
        count += 1
    _wrap_columns(ws, widths, count)
    status_col = get_column_letter(ANSWER_COLUMN_NAMES.index("status") + 1)
    progress_col = get_column_letter(ANSWER_COLUMN_NAMES.index("progress") + 1)
    last = max(count + 1, 2)
    statuses = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_LABELS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Status"),
        error=_("Choose a status from the list."),
    )
    statuses.add(f"{status_col}2:{status_col}{last}")
    progress = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Progress"),
        error=_("Progress is a whole number from 0 to 100."),
    )
    progress.add(f"{progress_col}2:{progress_col}{last}")
    ws.add_data_validation(statuses)
    ws.add_data_validation(progress)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ANSWER_COLUMNS))}{last}"


def _table_sheet(ws: Worksheet, table: Table) -> None:
    widths = [width for _name, _heading, width in table.columns]
    _header(ws, [heading for _name, heading, _width in table.columns], widths)
    for row in table.rows:
        xlsx_row(ws, row)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    _wrap_columns(ws, widths, len(table.rows))
    if table.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{len(table.rows) + 1}"


def _stage_label(data: ReportData, code: str | None) -> str:
    if code is None:
        return _("none yet")
    return f"{data.shape.stage_names.get(code, code)} ({code})"


def _profile_sheet(ws: Worksheet, data: ReportData) -> None:
    headings = [
        _("Level"),
        _("Code"),
        _("Name"),
        _("Stage"),
        _("Next stage"),
        _("Progress to next stage"),
        _("Still needed for next stage"),
        _("Target"),
        _("Still needed for target"),
        _("Explanation"),
    ]
    widths = [12, 9, 30, 16, 16, 12, 30, 16, 30, 60]
    _header(ws, headings, widths)
    result = data.profile
    rows = 0

    def percent(value: float | None) -> str:
        return "" if value is None else f"{round(value * 100)}%"

    o = result.overall
    xlsx_row(
        ws,
        [
            _("City"),
            "",
            data.city.name,
            _stage_label(data, o.stage),
            _stage_label(data, o.next_stage) if o.next_stage else "",
            percent(o.next_stage_progress),
            ", ".join(o.gaps),
            "",
            "",
            o.explanation,
        ],
    )
    rows += 1
    for code, d in result.dimensions.items():
        xlsx_row(
            ws,
            [
                _("Dimension"),
                code,
                d.name,
                _stage_label(data, d.stage),
                _stage_label(data, d.next_stage) if d.next_stage else "",
                percent(d.next_stage_progress),
                ", ".join(d.gaps),
                "",
                "",
                d.explanation,
            ],
        )
        rows += 1
    for code, p in result.policies.items():
        xlsx_row(
            ws,
            [
                _("Policy"),
                code,
                p.name,
                _stage_label(data, p.stage),
                _stage_label(data, p.next_stage) if p.next_stage else "",
                percent(p.next_stage_progress),
                ", ".join(p.gaps),
                _stage_label(data, p.target) if p.target else "",
                ", ".join(p.to_target),
                p.explanation,
            ],
        )
        rows += 1
    _wrap_columns(ws, widths, rows)


def _actions_sheet(ws: Worksheet, data: ReportData) -> None:
    headings = [
        _("Title"),
        _("Status"),
        _("Objectives"),
        _("Owner"),
        _("Owning department"),
        _("Start date"),
        _("Due date"),
        _("Estimated cost"),
        _("Currency"),
        _("Stakeholders"),
        _("Description"),
    ]
    widths = [40, 13, 20, 26, 24, 12, 12, 14, 9, 30, 60]
    _header(ws, headings, widths)
    for action in data.actions:
        xlsx_row(
            ws,
            [
                action.title,
                action.get_status_display(),
                ", ".join(o.code for o in action.objectives.all()),
                action.owner_user.email if action.owner_user else "",
                action.owner_department,
                action.start_date,
                action.due_date,
                action.cost,
                action.currency,
                ", ".join(action.stakeholder_types or []),
                action.description,
            ],
        )
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=7):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for row in ws.iter_rows(min_row=2, min_col=8, max_col=8):
        row[0].number_format = "#,##0.00"
    _wrap_columns(ws, widths, len(data.actions))


def _about_sheet(ws: Worksheet, data: ReportData) -> None:
    a = data.assessment
    fv = a.framework_version
    rows = [
        (_("City"), a.city.name),
        (_("Assessment"), a.title),
        (_("Assessment date"), a.date.isoformat()),
        (_("Assessment status"), a.get_status_display()),
        (
            _("Maturity model"),
            _("%(name)s (%(id)s, version %(version)s)")
            % {"name": model_texts(fv).name, "id": fv.framework_id, "version": fv.version},
        ),
        (_("Assessment id"), str(a.uuid)),
        ("", ""),
        (
            _("How to use this file"),
            _(
                "Fill in the Answers sheet (status, progress, evidence, notes, owner) and import "
                "it back into a draft assessment. Keep the first row and the objective codes as "
                "they are; rows you leave out are not changed."
            ),
        ),
    ]
    for row in rows:
        xlsx_row(ws, row)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 90
    for row in ws.iter_rows(min_col=1, max_col=1):
        row[0].font = Font(bold=True)
    for row in ws.iter_rows(min_col=2, max_col=2):
        row[0].alignment = _WRAP
