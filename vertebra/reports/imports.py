"""Importing answers into a draft assessment from XLSX, CSV, JSON or YAML.

Our own exports and the files ``vertebra assess`` reads are accepted. Everything is checked
first and every problem is reported at once with its sheet, row and column; only a file without
a single problem is written, in one transaction, through ``save_answers`` (source "import") so
that each change lands in the history like any other edit.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra.archives import DAMAGED, XLSX_IMPORT, ArchiveError, check_archive
from vertebra.assessments.domain import (
    ANSWER_FIELDS,
    AnswerPlan,
    AnswerValidationError,
    AssessmentLockedError,
    clean_changes,
    create_assessment,
    save_answers,
)
from vertebra.assessments.models import Answer, AnswerStatus, Assessment
from vertebra.assessments.responses import (
    MAX_RESPONSES_BYTES,
    Response,
    ResponsesError,
    parse_responses,
    parse_table,
)
from vertebra.documents import DocumentError, load_json
from vertebra.frameworks.domain import choose_version, shape_of
from vertebra.frameworks.models import FrameworkVersion
from vertebra.maturity import Shape
from vertebra.reports.exports import ANSWER_COLUMNS, ANSWERS_SHEET

if TYPE_CHECKING:
    from vertebra.accounts.models import User
    from vertebra.cities.models import City

MAX_IMPORT_BYTES = MAX_RESPONSES_BYTES
MAX_SHEET_ROWS = 5000
MAX_SHEET_COLUMNS = 60
IMPORT_EXTENSIONS = (".xlsx", ".csv", ".json", ".yaml", ".yml")
MAX_LISTED_ERRORS = 200


class ImportFileError(Exception):
    """A file that cannot be imported; ``errors`` has one line per problem, with its place."""

    def __init__(self, errors: Sequence[str]) -> None:
        errors = list(errors)
        if len(errors) > MAX_LISTED_ERRORS:
            rest = len(errors) - MAX_LISTED_ERRORS
            errors = [*errors[:MAX_LISTED_ERRORS], _("… and %(n)d more problems.") % {"n": rest}]
        self.errors = [e.replace("\r", " ").replace("\n", " ") for e in errors]
        super().__init__("\n".join(self.errors))


@dataclass
class ImportSummary:
    assessment: Assessment
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    created_assessment: bool = False

    @property
    def total(self) -> int:
        return len(self.changed) + len(self.unchanged) + len(self.new)


# -- reading ------------------------------------------------------------------------------------


def _heading_aliases() -> dict[str, str]:
    aliases = {name: name for name, _heading, _width in ANSWER_COLUMNS}
    aliases.update({heading.lower(): name for name, heading, _width in ANSWER_COLUMNS})
    aliases["objective code"] = "objective"
    aliases["objective_text"] = "text"
    return aliases


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    letter: str = get_column_letter(index)
    return letter


def read_xlsx(data: bytes, *, filename: str, shape: Shape) -> list[Response]:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError([f"{filename}: " + _("this is not an Excel (.xlsx) workbook")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_archive(archive, XLSX_IMPORT)
    except ArchiveError as exc:
        raise ImportFileError(
            [f"{filename}: " + _("this workbook is refused: %(why)s") % {"why": exc}]
        ) from None
    except DAMAGED:
        raise ImportFileError(
            [f"{filename}: " + _("this is not an Excel (.xlsx) workbook, or it is damaged")]
        ) from None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError(
            [f"{filename}: " + _("this is not an Excel (.xlsx) workbook, or it is damaged")]
        ) from None
    try:
        names = wb.sheetnames
        sheet_name = ANSWERS_SHEET if ANSWERS_SHEET in names else (names[0] if names else None)
        if sheet_name is None:
            raise ImportFileError([f"{filename}: " + _("the workbook has no sheets")])
        ws = wb[sheet_name]
        rows: list[list[str]] = []
        try:
            for row in ws.iter_rows(max_col=MAX_SHEET_COLUMNS, values_only=True):
                rows.append([_cell_text(v) for v in row])
                if len(rows) > MAX_SHEET_ROWS:
                    raise ImportFileError(
                        [
                            f"{filename}: "
                            + _("sheet %(sheet)s has more than %(n)d rows; is this the right file?")
                            % {"sheet": sheet_name, "n": MAX_SHEET_ROWS}
                        ]
                    )
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(
                [f"{filename}: " + _("sheet %(sheet)s cannot be read") % {"sheet": sheet_name}]
            ) from None
    finally:
        wb.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(
            [f"{filename}: " + _("sheet %(sheet)s is empty") % {"sheet": sheet_name}]
        )
    aliases = _heading_aliases()
    rows[0] = [aliases.get(h.strip().lower(), h.strip().lower()) for h in rows[0]]
    try:
        return parse_table(
            rows,
            filename=filename,
            shape=shape,
            row_word=_("row"),
            prefix=_("sheet %(sheet)s, ") % {"sheet": sheet_name},
            column_label=_column_letter,
        )
    except ResponsesError as exc:
        raise ImportFileError([f"{filename}: {e}" for e in exc.errors]) from None


def _check_framework(data: bytes, *, filename: str, framework: FrameworkVersion) -> None:
    """Our JSON export names its model; refuse answers written for another model."""
    try:
        document = load_json(data.decode("utf-8-sig"))
    except (DocumentError, UnicodeDecodeError):
        return  # parse_responses reports it
    if not isinstance(document, dict) or not isinstance(document.get("framework"), dict):
        return
    fid = document["framework"].get("id")
    if isinstance(fid, str) and fid != framework.framework_id:
        raise ImportFileError(
            [
                f"{filename}: "
                + _(
                    "these answers are for the maturity model %(theirs)r, but the assessment "
                    "uses %(ours)r"
                )
                % {"theirs": fid, "ours": framework.framework_id}
            ]
        )


def read_import(
    data: bytes, *, filename: str, shape: Shape, framework: FrameworkVersion
) -> list[Response]:
    """Parse and check a file of answers; raise ImportFileError listing every problem."""
    name = PurePath(filename).name or "file"
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            [
                f"{name}: "
                + _("the file is larger than %(mb)d MB") % {"mb": MAX_IMPORT_BYTES // 1024 // 1024}
            ]
        )
    suffix = PurePath(name).suffix.lower()
    if suffix not in IMPORT_EXTENSIONS:
        raise ImportFileError(
            [
                f"{name}: "
                + _("unknown file type %(suffix)s; use %(types)s")
                % {"suffix": suffix or _("(none)"), "types": ", ".join(IMPORT_EXTENSIONS)}
            ]
        )
    if suffix == ".xlsx":
        return read_xlsx(data, filename=name, shape=shape)
    if suffix == ".json":
        _check_framework(data, filename=name, framework=framework)
    try:
        return parse_responses(data, filename=name, shape=shape)
    except ResponsesError as exc:
        raise ImportFileError([f"{name}: {e}" for e in exc.errors]) from None


# -- writing ------------------------------------------------------------------------------------


def _changes(response: Response) -> dict[str, Any]:
    return {name: getattr(response, name) for name in ANSWER_FIELDS if name in response.given}


def _is_blank(answer: Answer) -> bool:
    return (
        answer.status == AnswerStatus.NOT_STARTED
        and answer.progress is None
        and not any(getattr(answer, name) for name in ANSWER_FIELDS[2:])
    )


def _differs(answer: Answer, cleaned: dict[str, Any]) -> bool:
    return any(getattr(answer, name) != value for name, value in cleaned.items())


def _plan(
    responses: Sequence[Response], answers: dict[str, Answer], *, filename: str
) -> list[tuple[Answer, dict[str, Any]]]:
    errors: list[str] = []
    plan: list[tuple[Answer, dict[str, Any]]] = []
    for response in responses:
        answer = answers.get(response.objective)
        if answer is None:
            place = response.columns.get("objective", response.objective)
            errors.append(
                f"{filename}: {place}: "
                + _("objective %(code)s is not part of this assessment's maturity model")
                % {"code": response.objective}
            )
            continue
        try:
            cleaned = clean_changes(answer, _changes(response))
        except AnswerValidationError as exc:
            for name, message in exc.errors.items():
                place = response.columns.get(name, response.objective)
                errors.append(f"{filename}: {place}: {message}")
            continue
        plan.append((answer, cleaned))
    if errors:
        raise ImportFileError(errors)
    return plan


def _apply(
    plan: Sequence[tuple[Answer, dict[str, Any]]], *, summary: ImportSummary, user: User | None
) -> None:
    batch: list[AnswerPlan] = []
    for answer, cleaned in plan:
        code = answer.objective.code
        if not _differs(answer, cleaned):
            summary.unchanged.append(code)
            continue
        (summary.new if _is_blank(answer) else summary.changed).append(code)
        batch.append(AnswerPlan(answer, cleaned, answer.version))
    if batch:
        save_answers(assessment=batch[0].answer.assessment, user=user, plans=batch, source="import")


def import_answers(
    *, assessment: Assessment, user: User | None, data: bytes, filename: str
) -> ImportSummary:
    """Import a file into an existing draft; nothing is written unless the whole file is valid.

    ``assessment`` must come through the city scoping helper. Raises ImportFileError or
    AssessmentLockedError.
    """
    if assessment.is_final:
        raise AssessmentLockedError()
    fv = assessment.framework_version
    name = PurePath(filename).name or "file"
    responses = read_import(data, filename=name, shape=shape_of(fv), framework=fv)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.is_final:
            raise AssessmentLockedError()
        answers = {
            a.objective.code: a
            for a in Answer.objects.filter(assessment=locked).select_related(
                "objective", "assessment"
            )
        }
        plan = _plan(responses, answers, filename=name)
        summary = ImportSummary(assessment=locked)
        _apply(plan, summary=summary, user=user)
    return summary


def import_into_new_assessment(
    *,
    city: City,
    user: User | None,
    data: bytes,
    filename: str,
    title: str | None = None,
    framework: FrameworkVersion | None = None,
) -> ImportSummary:
    """Create a new draft assessment from a file; it is created only if the file is valid."""
    fv = framework or choose_version()
    name = PurePath(filename).name or "file"
    shape = shape_of(fv)
    responses = read_import(data, filename=name, shape=shape, framework=fv)
    # Check against blank answers first, so that a bad file creates nothing.
    blanks = {
        code: Answer(status=AnswerStatus.NOT_STARTED, version=1) for code in shape.objective_codes
    }
    _plan(responses, blanks, filename=name)
    today = timezone.localdate()
    with transaction.atomic():
        assessment = create_assessment(
            city=city,
            user=user,
            title=title or _("Imported from %(file)s") % {"file": name},
            date=today,
            framework_version=fv,
        )
        answers = {
            a.objective.code: a
            for a in Answer.objects.filter(assessment=assessment).select_related(
                "objective", "assessment"
            )
        }
        plan = _plan(responses, answers, filename=name)
        summary = ImportSummary(assessment=assessment, created_assessment=True)
        _apply(plan, summary=summary, user=user)
    return summary
