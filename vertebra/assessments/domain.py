"""Business rules of assessments: creating cycles, saving answers with history, finalizing.

Views, the API, importers and commands all call these functions; none of them writes
answers any other way, so that history and conflict checks are never skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra.assessments.models import (
    Answer,
    AnswerEvent,
    AnswerStatus,
    Assessment,
    AssessmentStatus,
    Attachment,
)
from vertebra.assessments.rules import ANSWER_FIELDS as ANSWER_FIELDS
from vertebra.assessments.rules import check_answer
from vertebra.frameworks.domain import choose_version, shape_of
from vertebra.frameworks.models import FrameworkVersion, Objective
from vertebra.maturity import Profile, profile

if TYPE_CHECKING:
    from vertebra.accounts.models import User
    from vertebra.cities.models import City


class AssessmentLockedError(Exception):
    """A final assessment is read-only."""

    def __init__(self) -> None:
        super().__init__(_("This assessment is final and can no longer be changed."))


class AnswerValidationError(Exception):
    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class AnswerConflictError(Exception):
    """Someone else saved the answer since the caller loaded it.

    When known (a merged save): ``fields``, those both changed to different values, and
    ``mine``, every field the person changed.
    """

    def __init__(
        self,
        current: Answer,
        fields: Sequence[str] | None = None,
        mine: Sequence[str] | None = None,
    ) -> None:
        self.current = current
        self.fields = list(fields) if fields is not None else None
        self.mine = list(mine) if mine is not None else None
        super().__init__(
            _("%(code)s was changed by someone else while you were editing it.")
            % {"code": current.objective.code}
        )


@dataclass
class SaveResult:
    answer: Answer
    changed: list[str] = field(default_factory=list)


def create_assessment(
    *,
    city: City,
    user: User | None,
    title: str,
    date: dt.date,
    framework_version: FrameworkVersion | None = None,
    copy_from: Assessment | None = None,
) -> Assessment:
    """A new draft with one answer row per objective.

    ``framework_version`` is the model version it uses (``frameworks.domain.choose_version``
    picks it from a person's choice); by default the default model's newest, or for a new cycle
    the version of the cycle it continues.

    A new cycle (``copy_from``) copies the previous cycle's answers, with their evidence files:
    each new answer refers to the same stored files as the answer it continues. On a newer
    version of the model, the answers of the objectives that still exist (same code) are
    carried over and new objectives start empty. Its plan is
    carried over by ``vertebra.planning.domain.start_assessment``, which pages, the API and
    commands call.
    """
    if copy_from is not None and copy_from.city_id != city.pk:
        raise ValueError(_("An assessment can only continue a cycle of the same city."))
    fv = framework_version or choose_version(
        continuing=copy_from.framework_version if copy_from is not None else None
    )
    if copy_from is not None and fv.framework_id != copy_from.framework_version.framework_id:
        raise ValueError(_("A new cycle keeps the maturity model of the cycle it continues."))
    with transaction.atomic():
        assessment = Assessment.objects.create(
            city=city,
            framework_version=fv,
            title=title,
            date=date,
            previous=copy_from,
            created_by=user,
        )
        previous: dict[str, Answer] = {}
        if copy_from is not None:
            previous = {
                a.objective.code: a
                for a in copy_from.answers.select_related("objective").order_by()
            }
        rows = []
        for objective in Objective.objects.filter(framework_version=fv).order_by("position"):
            source = previous.get(objective.code)
            answer = Answer(assessment=assessment, objective=objective, updated_by=user)
            if source is not None:
                for name in ANSWER_FIELDS:
                    setattr(answer, name, getattr(source, name))
            rows.append(answer)
        Answer.objects.bulk_create(rows)
        if previous:
            _carry_files(previous, {a.objective.code: a for a in rows})
    return assessment


def _carry_files(previous: Mapping[str, Answer], answers: Mapping[str, Answer]) -> None:
    """Link the new answers to the files of the answers they continue (no bytes copied)."""
    Link = Attachment.answers.through
    carried = Link.objects.filter(answer__in=[a.pk for a in previous.values()]).values_list(
        "attachment_id", "answer__objective__code"
    )
    Link.objects.bulk_create(
        Link(attachment_id=attachment_id, answer_id=answers[code].pk)
        for attachment_id, code in carried.order_by("id")
        if code in answers
    )


def clean_changes(answer: Answer, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a set of field changes against the answer as it would become (``rules.py``)."""
    cleaned, problems = check_answer(
        changes, status=answer.status, na_justification=answer.na_justification
    )
    if problems:
        raise AnswerValidationError({name: p.text(_) for name, p in problems.items()})
    return cleaned


def save_answer(
    *,
    answer: Answer,
    user: User | None,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
    source: str = "web",
) -> SaveResult:
    """Apply changes to one answer, record each changed field, refuse stale or final writes.

    ``answer`` is the caller's copy, read with its objective in the same request: when it is
    the version the person expects, it is written without reading it again (the UPDATE
    requires its version and revision to be unchanged) and updated in place. The returned
    answer carries the values, version and revision now stored.
    """
    if answer.assessment.status == AssessmentStatus.FINAL:
        raise AssessmentLockedError()
    cleaned = clean_changes(answer, changes)
    with transaction.atomic():
        current = answer
        if expected_version not in (None, answer.version) or not _changed(answer, cleaned):
            # Compare with the answer as it is now, not with the caller's copy.
            current = _reread(answer)
        if expected_version is not None and current.version != expected_version:
            raise AnswerConflictError(current)
        if not _changed(current, cleaned):
            return SaveResult(current, [])
        # Holds the assessment's row until the end: every other change of its answers (and
        # of their revisions) waits for this one, so a second attempt below cannot be raced.
        count_change(assessment_id=current.assessment_id)
        changed = _write(current, cleaned, user, source)
        if changed is None:
            # Changed since the caller read it (a save, or a comment or file on it).
            current = _reread(answer)
            if expected_version is not None and current.version != expected_version:
                raise AnswerConflictError(current)
            changed = _write(current, cleaned, user, source)
            if changed is None:  # pragma: no cover - the assessment's row is held
                raise AnswerConflictError(_reread(answer))
    return SaveResult(current, changed)


# A merged save (save_merged) compares short digests of the values the person loaded, so that
# the form carries a few bytes per field instead of a copy of every text.
DIGEST_LENGTH = 12


def _digest(value: object) -> str:
    text = _text(value).replace("\r\n", "\n")
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_LENGTH]


def answer_digest(answer: Answer) -> str:
    """The answer's values as the person loads them: one digest per field of ANSWER_FIELDS."""
    return ".".join(_digest(getattr(answer, name)) for name in ANSWER_FIELDS)


def _loaded(digest: str) -> dict[str, str] | None:
    parts = digest.split(".")
    valid = len(parts) == len(ANSWER_FIELDS) and all(
        len(part) == DIGEST_LENGTH and all(c in "0123456789abcdef" for c in part) for part in parts
    )
    return dict(zip(ANSWER_FIELDS, parts, strict=True)) if valid else None


def save_merged(
    *,
    answer: Answer,
    user: User | None,
    changes: Mapping[str, Any],
    loaded: str,
    expected_version: int,
    keep_theirs: Collection[str] = (),
    source: str = "web",
) -> SaveResult:
    """The editor's save: the person's changes merged field by field into the answer as it is.

    ``loaded`` is ``answer_digest`` of the answer as the person loaded it. A field counts as
    the person's change when its value differs from what they loaded; only those fields are
    written, so a field someone else changed meanwhile and this person did not touch keeps the
    other person's value. A field both changed to different values is a conflict
    (AnswerConflictError with ``fields``). After seeing a conflict the person loads the saved
    values anew and chooses per field: their input is written, or the field is named in
    ``keep_theirs`` and left as saved. Without a valid ``loaded`` digest this is save_answer
    with ``expected_version``.
    """
    base = _loaded(loaded)
    if base is None:
        return save_answer(
            answer=answer,
            user=user,
            changes=changes,
            expected_version=expected_version,
            source=source,
        )
    cleaned = clean_changes(answer, changes)
    mine = [
        name for name in cleaned if _digest(cleaned[name]) != base[name] and name not in keep_theirs
    ]
    current = answer
    for _attempt in range(3):
        theirs = {name for name in ANSWER_FIELDS if _digest(getattr(current, name)) != base[name]}
        both = [
            name
            for name in mine
            if name in theirs and _digest(cleaned[name]) != _digest(getattr(current, name))
        ]
        if both:
            raise AnswerConflictError(current, both, mine)
        try:
            return save_answer(
                answer=current,
                user=user,
                changes={name: cleaned[name] for name in mine},
                expected_version=current.version,
                source=source,
            )
        except AnswerConflictError as exc:  # saved again in between: merge with that
            current = exc.current
    raise AnswerConflictError(current, [], mine)


def _changed(answer: Answer, cleaned: Mapping[str, Any]) -> list[str]:
    return [name for name, value in cleaned.items() if getattr(answer, name) != value]


def _reread(answer: Answer) -> Answer:
    current = Answer.objects.select_related("objective", "updated_by").get(pk=answer.pk)
    current.assessment = answer.assessment
    return current


def _write(
    current: Answer, cleaned: Mapping[str, Any], user: User | None, source: str
) -> list[str] | None:
    """Write the changed fields and their history if the answer is still ``current`` (same
    version and revision); then ``current`` holds what is stored. None when it was not."""
    changed = _changed(current, cleaned)
    now = timezone.now()
    updated = Answer.objects.filter(
        pk=current.pk, version=current.version, revision=current.revision
    ).update(
        **{name: cleaned[name] for name in changed},
        version=F("version") + 1,
        revision=F("revision") + 1,
        updated_by=user,
        updated_at=now,
    )
    if updated != 1:
        return None
    AnswerEvent.objects.bulk_create(
        _event(current, name, cleaned[name], user, source) for name in changed
    )
    for name in changed:
        setattr(current, name, cleaned[name])
    # Exact: the UPDATE matched this version and revision.
    current.version += 1
    current.revision += 1
    current.updated_by = user
    current.updated_at = now
    return changed


@dataclass(frozen=True)
class AnswerPlan:
    """One answer to change in a batch: the changes, and the version the caller last read."""

    answer: Answer
    changes: Mapping[str, Any]
    expected_version: int | None = None
    # Kept on each history row of the change (e.g. the workshop it was agreed in).
    note: str = ""


def save_answers(
    *, assessment: Assessment, user: User | None, plans: Sequence[AnswerPlan], source: str
) -> list[SaveResult]:
    """Apply many answers' changes at once, all or nothing, with the same rules as save_answer.

    Every plan is validated first; then the answers are re-read under lock, every version is
    checked (the first stale one raises AnswerConflictError and nothing is written), and the
    changes and their history rows are written in bulk in one transaction.
    """
    if assessment.status == AssessmentStatus.FINAL:
        raise AssessmentLockedError()
    cleaned = [(plan, clean_changes(plan.answer, plan.changes)) for plan in plans]
    ids = [plan.answer.pk for plan in plans]
    if len(set(ids)) != len(ids):
        raise ValueError(_("An answer appears more than once in one batch."))
    results: list[SaveResult] = []
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status == AssessmentStatus.FINAL:
            raise AssessmentLockedError()
        current = {
            a.pk: a
            for a in Answer.objects.select_for_update()
            .select_related("objective")
            .filter(pk__in=ids, assessment=assessment)
            .order_by()
        }
        if len(current) != len(ids):
            raise ValueError(_("Every answer of a batch must belong to the assessment."))
        for plan, _changes in cleaned:
            answer = current[plan.answer.pk]
            if plan.expected_version is not None and answer.version != plan.expected_version:
                raise AnswerConflictError(answer)
        now = timezone.now()
        events: list[AnswerEvent] = []
        touched: list[Answer] = []
        for plan, changes in cleaned:
            answer = current[plan.answer.pk]
            changed = [name for name, value in changes.items() if getattr(answer, name) != value]
            for name in changed:
                events.append(_event(answer, name, changes[name], user, source, plan.note))
                setattr(answer, name, changes[name])
            if changed:
                # Exact: the answers are locked.
                answer.version += 1
                answer.revision += 1
                answer.updated_by = user
                answer.updated_at = now
                touched.append(answer)
            results.append(SaveResult(answer, changed))
        if touched:
            # One UPDATE per distinct (field, new value): a batch usually sets few distinct
            # values (e.g. "achieved" for many answers), and this is far cheaper than one
            # CASE expression per row and field.
            groups: dict[tuple[str, Any], list[int]] = {}
            for result in results:
                for name in result.changed:
                    value = getattr(result.answer, name)
                    groups.setdefault((name, value), []).append(result.answer.pk)
            for (name, value), pks in groups.items():
                Answer.objects.filter(pk__in=pks).update(**{name: value})
            count_change(assessment_id=assessment.pk)
            Answer.objects.filter(pk__in=[a.pk for a in touched]).update(
                version=F("version") + 1,
                revision=F("revision") + 1,
                updated_by=user,
                updated_at=now,
            )
            AnswerEvent.objects.bulk_create(events)
    return results


def _event(
    answer: Answer, name: str, new: object, user: User | None, source: str, note: str = ""
) -> AnswerEvent:
    """The history row of one field's change, from the answer as it was before it."""
    return AnswerEvent(
        assessment_id=answer.assessment_id,
        answer=answer,
        objective_code=answer.objective.code,
        field=name,
        old_value=_text(getattr(answer, name)),
        new_value=_text(new),
        user=user,
        source=source,
        note=note,
    )


def _text(value: object) -> str:
    return "" if value is None else str(value)


# Sent inside finalize()'s transaction with the final ``assessment``; receivers write in it.
assessment_finalized = Signal()


def finalize(*, assessment: Assessment, user: User | None) -> Assessment:
    """Make a draft final: read-only from now on, with its profile kept as a snapshot."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status == AssessmentStatus.FINAL:
            raise AssessmentLockedError()
        fv = locked.framework_version
        locked.snapshot = profile_of(locked).to_json(framework=fv.framework_id, version=fv.version)
        locked.status = AssessmentStatus.FINAL
        locked.finalized_at = timezone.now()
        locked.finalized_by = user
        Assessment.objects.filter(pk=locked.pk).update(
            snapshot=locked.snapshot,
            status=locked.status,
            finalized_at=locked.finalized_at,
            finalized_by=user,
            revision=F("revision") + 1,
        )
        locked.revision += 1  # exact: the row is locked
        # Inside the transaction: what depends on final assessments (the benchmark figures)
        # changes with it or not at all.
        assessment_finalized.send(sender=Assessment, assessment=locked)
    return locked


def count_change(
    *, assessment_id: int, answer_ids: Collection[int] = (), draft: bool = True
) -> None:
    """Count one saved change in the revisions that key the kept page parts (vertebra.fragments).

    Every write that shows on the assessment's pages or in its API read calls it in its own
    transaction, before its other writes: the assessment's revision goes up by one, and that
    of each answer in ``answer_ids`` (whose cards show the change) too. Increments in the
    database, so none is lost to a concurrent change. The UPDATE also holds the assessment's
    row until the transaction ends, so that a finalization cannot slip in between: with
    ``draft`` (every change of answers, files and comments) a final assessment raises
    AssessmentLockedError.
    """
    rows = Assessment.objects.filter(pk=assessment_id)
    if draft:
        rows = rows.filter(status=AssessmentStatus.DRAFT)
    if rows.update(revision=F("revision") + 1) != 1:
        raise AssessmentLockedError()
    if answer_ids:
        Answer.objects.filter(pk__in=answer_ids).update(revision=F("revision") + 1)


@dataclass(frozen=True)
class AnswerRevision:
    """What identifies the shown state of one answer: see ``answer_revisions``."""

    pk: int
    code: str
    stage_code: str
    revision: int


def answer_revisions(assessment: Assessment, policy_code: str) -> list[AnswerRevision]:
    """Each answer of one policy with its revision, in the model's order (one query).

    An answer's revision grows with every change its card shows (``count_change``), as the
    assessment's does with every change its pages show.
    """
    rows = (
        Answer.objects.filter(assessment=assessment, objective__policy_code=policy_code)
        .order_by("objective__position")
        .values_list("pk", "objective__code", "objective__stage_code", "revision")
    )
    return [AnswerRevision(*row) for row in rows]


def statuses_of(assessment: Assessment) -> dict[str, str]:
    """Objective code to status for every objective that has been answered (one query).

    "Not started" is the engine's default, so those rows are left out and the profile's
    ``answered`` count is the number of objectives with any other status.
    """
    return dict(
        Answer.objects.filter(assessment=assessment)
        .exclude(status=AnswerStatus.NOT_STARTED)
        .values_list("objective__code", "status")
    )


def profile_of(
    assessment: Assessment,
    *,
    statuses: Mapping[str, str] | None = None,
    targets: Mapping[str, str] | None = None,
) -> Profile:
    shape = shape_of(assessment.framework_version)
    if statuses is None:
        statuses = statuses_of(assessment)
    return profile(shape, statuses, targets=targets)


def answers_by_code(assessment: Assessment, codes: Iterable[str]) -> dict[str, Answer]:
    return {
        a.objective.code: a
        for a in assessment.answers.select_related("objective").filter(objective__code__in=codes)
    }
