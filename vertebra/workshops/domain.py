"""The rules of running a workshop: opening it, joining, rating, revealing, agreeing, closing.

Pages, the API and (later) commands call these functions; the agreed answers are saved
through ``assessments.domain.save_answers``, so history, validation and conflict checks work
as for any answer. Every function validates everything first and writes in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra.assessments.domain import (
    AnswerConflictError,
    AnswerPlan,
    AnswerValidationError,
    AssessmentLockedError,
    clean_changes,
    count_change,
    save_answers,
)
from vertebra.assessments.models import Answer, AnswerStatus, Assessment
from vertebra.frameworks.domain import shape_of
from vertebra.maturity import Shape
from vertebra.text import clean_text
from vertebra.workshops import rules
from vertebra.workshops.models import (
    Decision,
    JoinAttempt,
    Participant,
    Rating,
    RatingStatus,
    Workshop,
    WorkshopStatus,
)

if TYPE_CHECKING:
    from vertebra.accounts.models import User

# Short and unambiguous when read from a projector: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
TOKEN_PREFIX = "vtw_"  # noqa: S105 (not a secret: the visible start of a participant's credential)
MAX_TITLE = 200
MAX_NAME = 100
MAX_COMMENT = 2000
MAX_NOTE = 2000
# Joining is limited per address and per workshop, over a sliding window: the settings
# WORKSHOP_JOIN_WINDOW_MINUTES, WORKSHOP_JOINS_PER_ADDRESS and WORKSHOP_JOINS_PER_WORKSHOP
# (docs/CONFIGURATION.md), read on every join so that a test may change them.


class WorkshopValidationError(Exception):
    """Field name to message, for every field that is wrong."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class WorkshopStateError(Exception):
    """The workshop's status does not allow this (e.g. it is closed)."""


class WorkshopClosedError(WorkshopStateError):
    def __init__(self) -> None:
        super().__init__(_("This workshop is closed: its ratings can no longer be changed."))


class JoinRefusedError(Exception):
    """No open workshop has this code (closed and unknown codes get the same answer)."""

    def __init__(self) -> None:
        super().__init__(_("No open workshop has this code. Check the code on the screen."))


class TooManyJoinsError(Exception):
    def __init__(self) -> None:
        super().__init__(_("Too many attempts to join. Wait a few minutes and try again."))


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def normalized_code(code: str) -> str:
    """A join code as typed: letter case and spaces or dashes aside."""
    return "".join(c for c in code.upper() if c not in " -")[: CODE_LENGTH * 2]


# --- opening --------------------------------------------------------------------------------


def _clean_text_field(
    errors: dict[str, str],
    name: str,
    value: Any,
    *,
    limit: int,
    required: bool,
    single_line: bool = True,
) -> str:
    if not isinstance(value, str):
        errors[name] = _("Give a text.")
        return ""
    cleaned = clean_text(value, single_line=single_line).strip()
    if required and not cleaned:
        errors[name] = _("This field is required.")
    elif len(cleaned) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return cleaned


def clean_workshop(
    *, shape: Shape, city_types: Sequence[str], data: Mapping[str, Any]
) -> dict[str, Any]:
    """The workshop's fields as they are stored, or WorkshopValidationError naming each
    wrong one: a title, a date, policies of the assessment's model (``shape``, at least one),
    stakeholder types from the city's list (at least one), and whether it is anonymous."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    cleaned["title"] = _clean_text_field(
        errors, "title", data.get("title"), limit=MAX_TITLE, required=True
    )
    date = data.get("date")
    if not isinstance(date, dt.date):
        errors["date"] = _("Give a date (YYYY-MM-DD).")
    cleaned["date"] = date
    policies = data.get("policies")
    if not isinstance(policies, list | tuple) or not all(isinstance(p, str) for p in policies):
        errors["policies"] = _("Give a list of policy codes.")
    elif not policies:
        errors["policies"] = _("Choose at least one policy.")
    else:
        unknown = [p for p in policies if p not in shape.policy_codes]
        if unknown:
            errors["policies"] = _("Unknown policy %(code)s. Choose from: %(codes)s.") % {
                "code": unknown[0][:40],
                "codes": ", ".join(shape.policy_codes),
            }
        else:
            cleaned["policies"] = [p for p in shape.policy_codes if p in policies]
    types = data.get("stakeholder_types")
    if not isinstance(types, list | tuple) or not all(isinstance(t, str) for t in types):
        errors["stakeholder_types"] = _("Give a list of stakeholder types.")
    elif not types:
        errors["stakeholder_types"] = _("Choose at least one stakeholder type.")
    else:
        unknown = [t for t in types if t not in city_types]
        if unknown:
            errors["stakeholder_types"] = _(
                "%(type)s is not one of the city's stakeholder types: %(types)s."
            ) % {"type": unknown[0][:100], "types": ", ".join(city_types)}
        else:
            cleaned["stakeholder_types"] = [t for t in city_types if t in types]
    anonymous = data.get("anonymous", False)
    if not isinstance(anonymous, bool):
        errors["anonymous"] = _("Give true or false.")
    cleaned["anonymous"] = anonymous
    if errors:
        raise WorkshopValidationError(errors)
    return cleaned


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_workshop(
    *, assessment: Assessment, user: User | None, data: Mapping[str, Any]
) -> Workshop:
    """A new open workshop on a draft assessment, with a join code no open workshop has."""
    if assessment.is_final:
        raise AssessmentLockedError()
    cleaned = clean_workshop(
        shape=shape_of(assessment.framework_version),
        city_types=list(assessment.city.stakeholder_types),
        data=data,
    )
    for _attempt in range(10):
        try:
            with transaction.atomic():
                # The assessment's page shows its workshops' participation (kept parts).
                count_change(assessment_id=assessment.pk)
                return Workshop.objects.create(
                    assessment=assessment, created_by=user, join_code=_new_code(), **cleaned
                )
        except IntegrityError:  # the code is taken by an open workshop: draw another
            continue
    raise RuntimeError("No free join code after 10 draws")  # pragma: no cover


def covered_in(shape: Shape, policies: Sequence[str]) -> list[str]:
    """The objective codes of these policies, in the model's order."""
    chosen = set(policies)
    return [code for code in shape.objective_codes if shape.objective_policy[code] in chosen]


def covered_codes(workshop: Workshop) -> list[str]:
    """The objective codes of the workshop's policies, in the model's order."""
    return covered_in(shape_of(workshop.assessment.framework_version), workshop.policies)


# --- joining --------------------------------------------------------------------------------


def join_allowed(*, address: str, workshop: Workshop | None, now: dt.datetime) -> bool:
    """Count this attempt; False when the address or the workshop joined too often lately."""
    since = now - dt.timedelta(minutes=settings.WORKSHOP_JOIN_WINDOW_MINUTES)
    with transaction.atomic():
        JoinAttempt.objects.filter(at__lt=since).delete()
        JoinAttempt.objects.create(address=address[:64], workshop=workshop, at=now)
        if JoinAttempt.objects.filter(address=address[:64], at__gte=since).count() > (
            settings.WORKSHOP_JOINS_PER_ADDRESS
        ):
            return False
        return (
            workshop is None
            or JoinAttempt.objects.filter(workshop=workshop, at__gte=since).count()
            <= settings.WORKSHOP_JOINS_PER_WORKSHOP
        )


def clean_participant(*, workshop: Workshop, data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = _clean_text_field(errors, "name", data.get("name"), limit=MAX_NAME, required=True)
    kind = data.get("stakeholder_type")
    if not isinstance(kind, str) or kind not in workshop.stakeholder_types:
        errors["stakeholder_type"] = _(
            "Choose one of this workshop's stakeholder types: %(types)s."
        ) % {"types": ", ".join(workshop.stakeholder_types)}
    if errors:
        raise WorkshopValidationError(errors)
    return {"name": name, "stakeholder_type": str(kind)}


def member_name(member: User) -> str:
    """The name a city member joins under: their account's (its email when it has none)."""
    return clean_text(member.display_name, single_line=True).strip()[:MAX_NAME]


def join(
    *,
    workshop: Workshop | None,
    data: Mapping[str, Any],
    address: str,
    member: User | None = None,
) -> tuple[Participant, str]:
    """A new participant of an open (or revealed) workshop and their credential, returned
    here and never again; ``workshop`` is None for an unknown code. Rate-limited per address
    and per workshop (TooManyJoinsError); a closed or unknown code is JoinRefusedError.

    ``member`` is a member of the workshop's city (the caller checks it through ``access``):
    their name is their account's, whatever ``data`` says; when they joined before, their
    participant is given a new credential (the previous one stops working) and keeps its
    stakeholder type and ratings, so a member is one participant however often they join."""
    if not join_allowed(address=address, workshop=workshop, now=timezone.now()):
        raise TooManyJoinsError()
    if workshop is None or workshop.is_closed:
        raise JoinRefusedError()
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    if member is None:
        cleaned = clean_participant(workshop=workshop, data=data)
        with transaction.atomic():
            # The assessment's page shows its workshops' participation (kept parts); a
            # workshop may outlive its assessment's finalization, so a final one counts too.
            count_change(assessment_id=workshop.assessment_id, draft=False)
            participant = Participant.objects.create(
                workshop=workshop, token_digest=digest(key), **cleaned
            )
        return participant, key
    with transaction.atomic():
        # The workshop's row, locked, makes a member's joins one after the other.
        Workshop.objects.select_for_update().filter(pk=workshop.pk).values_list("pk").first()
        found = Participant.objects.filter(workshop=workshop, member=member).first()
        if found is not None:
            found.token_digest = digest(key)
            found.save(update_fields=["token_digest"])
            found.workshop = workshop
            return found, key
        cleaned = clean_participant(workshop=workshop, data={**data, "name": member_name(member)})
        count_change(assessment_id=workshop.assessment_id, draft=False)
        participant = Participant.objects.create(
            workshop=workshop, member=member, token_digest=digest(key), **cleaned
        )
    return participant, key


def joined_as(*, workshop: Workshop, member: User) -> Participant | None:
    """The participant a city member joined this workshop as, or None."""
    return Participant.objects.filter(workshop=workshop, member=member).first()


# --- rating ---------------------------------------------------------------------------------


def clean_rating(*, covered: Sequence[str], code: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A rating's fields as stored, or WorkshopValidationError: an objective of the workshop
    (``covered``), a status, a progress 0-100 for in_progress only, a comment."""
    errors: dict[str, str] = {}
    if code not in covered:
        errors["objective_code"] = _("%(code)s is not an objective of this workshop.") % {
            "code": code[:40]
        }
    status = data.get("status")
    if status not in RatingStatus.values:
        errors["status"] = _("Choose one of: %(statuses)s.") % {
            "statuses": ", ".join(RatingStatus.values)
        }
    progress = data.get("progress")
    if progress is not None:
        if status != RatingStatus.IN_PROGRESS:
            errors["progress"] = _("Give a progress only for a status of in_progress.")
        elif (
            not isinstance(progress, int)
            or isinstance(progress, bool)
            or not (0 <= progress <= 100)
        ):
            errors["progress"] = _("Give a whole number from 0 to 100.")
    comment = _clean_text_field(
        errors,
        "comment",
        data.get("comment", ""),
        limit=MAX_COMMENT,
        required=False,
        single_line=False,
    )
    if errors:
        raise WorkshopValidationError(errors)
    return {"status": status, "progress": progress, "comment": comment}


def rate(*, participant: Participant, code: str, data: Mapping[str, Any]) -> Rating:
    """The participant's rating of one objective, created or changed; until the workshop
    closes (WorkshopClosedError)."""
    workshop = participant.workshop
    if workshop.is_closed:
        raise WorkshopClosedError()
    cleaned = clean_rating(covered=covered_codes(workshop), code=code, data=data)
    with transaction.atomic():
        # Checked again under lock: a close in between refuses the rating.
        status = (
            Workshop.objects.select_for_update()
            .filter(pk=workshop.pk)
            .values_list("status", flat=True)
        )
        if status.first() == WorkshopStatus.CLOSED:
            raise WorkshopClosedError()
        rating, _created = Rating.objects.update_or_create(
            participant=participant, objective_code=code, defaults=cleaned
        )
    return rating


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    objectives: list[rules.ObjectiveResult]
    participants: dict[str, int]


def results_of(workshop: Workshop) -> Results:
    """Per covered objective: ratings, distribution, split by stakeholder type, agreement and
    flag; and the participants per stakeholder type (two queries).

    The database counts the ratings per objective, stakeholder type and status, so what is
    read grows with the objectives, not with the ratings: the facilitator's live view asks
    for this every few seconds while the room is rating."""
    votes: dict[str, list[rules.Vote]] = {}
    rows = (
        Rating.objects.filter(participant__workshop=workshop)
        .values_list("objective_code", "participant__stakeholder_type", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    for code, kind, status, count in rows:
        votes.setdefault(code, []).extend([rules.Vote(kind, status)] * count)
    kinds = (
        Participant.objects.filter(workshop=workshop)
        .values_list("stakeholder_type")
        .annotate(count=Count("id"))
        .order_by()
    )
    participants = rules.participation(kind for kind, count in kinds for _ in range(count))
    return Results(rules.results(covered_codes(workshop), votes), participants)


# --- the facilitator's steps ----------------------------------------------------------------


def _move(workshop: Workshop, status: WorkshopStatus, **stamps: Any) -> Workshop:
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if locked.is_closed:
            raise WorkshopStateError(_("This workshop is closed already."))
        if status == WorkshopStatus.REVEALED and locked.status == WorkshopStatus.REVEALED:
            return locked
        Workshop.objects.filter(pk=locked.pk).update(status=status, **stamps)
    workshop.status = status
    for name, value in stamps.items():
        setattr(workshop, name, value)
    return workshop


def reveal(*, workshop: Workshop) -> Workshop:
    """Participants may now see the results; they may still change their ratings."""
    return _move(workshop, WorkshopStatus.REVEALED, revealed_at=timezone.now())


def close(*, workshop: Workshop) -> Workshop:
    """No more joining or rating; the participants' credentials stop working; everything
    is kept."""
    return _move(workshop, WorkshopStatus.CLOSED, closed_at=timezone.now())


@dataclass(frozen=True)
class AgreedAnswer:
    code: str
    status: Any
    progress: Any = None
    note: Any = ""
    version: int | None = None


class ConsensusConflictError(Exception):
    """Answers changed since the facilitator read them: nothing was saved."""

    def __init__(self, current: Mapping[str, Answer]) -> None:
        self.current = dict(current)
        super().__init__(
            _(
                "%(codes)s changed since you read them; nothing was saved. Read them again "
                "and repeat your choices."
            )
            % {"codes": ", ".join(self.current)}
        )


def history_note(workshop: Workshop, ratings: int, agreement: float | None) -> str:
    share = "-" if agreement is None else f"{round(agreement * 100)} %"
    text = _(
        "Agreed in workshop %(title)s on %(date)s: %(ratings)d ratings, agreement %(share)s"
    ) % {
        "title": workshop.title,
        "date": workshop.date.isoformat(),
        "ratings": ratings,
        "share": share,
    }
    return text[:300]


def record_consensus(
    *, workshop: Workshop, user: User | None, answers: Sequence[AgreedAnswer]
) -> list[Decision]:
    """Save the agreed answers, all or nothing, through ``save_answers`` (source
    ``workshop``, with a note naming the workshop and its ratings), and keep a Decision per
    objective. Every item is checked first: WorkshopValidationError names each wrong one
    (``answers.<n>.<field>``), ConsensusConflictError the answers saved since their
    ``version`` was read."""
    if workshop.is_closed:
        raise WorkshopClosedError()
    assessment = workshop.assessment
    if assessment.is_final:
        raise AssessmentLockedError()
    covered = set(covered_codes(workshop))
    found = {
        a.objective.code: a
        for a in Answer.objects.filter(assessment=assessment, objective__code__in=covered)
        .select_related("objective")
        .order_by()
    }
    summary = {r.code: r for r in results_of(workshop).objectives}
    errors: dict[str, str] = {}
    conflicts: dict[str, Answer] = {}
    seen: set[str] = set()
    plans: list[tuple[AnswerPlan, AgreedAnswer]] = []
    if not answers:
        errors["answers"] = _("Give at least one agreed answer.")
    for index, item in enumerate(answers):
        where = f"answers.{index}"
        answer = found.get(item.code)
        if answer is None:
            errors[f"{where}.code"] = _("%(code)s is not an objective of this workshop.") % {
                "code": str(item.code)[:40]
            }
            continue
        if item.code in seen:
            errors[f"{where}.code"] = _("%(code)s appears more than once.") % {"code": item.code}
            continue
        seen.add(item.code)
        answer.assessment = assessment
        note = _clean_text_field(
            errors, f"{where}.note", item.note, limit=MAX_NOTE, required=False, single_line=False
        )
        changes = {"status": item.status, "progress": item.progress}
        if item.status == AnswerStatus.NOT_APPLICABLE and not answer.na_justification:
            changes["na_justification"] = note  # the note says why it does not apply
        try:
            changes = clean_changes(answer, changes)
        except AnswerValidationError as exc:
            for name, message in exc.errors.items():
                errors[f"{where}.{name}"] = f"{item.code}: {message}"
            continue
        if item.version is not None and answer.version != item.version:
            conflicts[item.code] = answer
            continue
        result = summary[item.code]
        plan = AnswerPlan(
            answer,
            changes,
            item.version,
            note=history_note(workshop, result.ratings, result.agreement),
        )
        plans.append(
            (plan, AgreedAnswer(item.code, changes["status"], changes.get("progress"), note))
        )
    if errors:
        raise WorkshopValidationError(errors)
    if conflicts:
        raise ConsensusConflictError(conflicts)
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().filter(pk=workshop.pk)
        if locked.values_list("status", flat=True).first() == WorkshopStatus.CLOSED:
            raise WorkshopClosedError()
        try:
            saved = save_answers(
                assessment=assessment, user=user, plans=[p for p, _a in plans], source="workshop"
            )
        except AnswerConflictError as exc:
            raise ConsensusConflictError({exc.current.objective.code: exc.current}) from None
        # Each objective shows the workshops its answer was agreed in (``records.agreed_in``):
        # an agreed answer that was already the city's changes what its card and the API's
        # read show too, so it is counted like a change (once for the assessment).
        unchanged = [result.answer.pk for result in saved if not result.changed]
        if unchanged:
            if len(unchanged) == len(saved):
                count_change(assessment_id=assessment.pk, answer_ids=unchanged)
            else:
                Answer.objects.filter(pk__in=unchanged).update(revision=F("revision") + 1)
        decisions = Decision.objects.bulk_create(
            Decision(
                workshop=workshop,
                objective_code=agreed.code,
                status=agreed.status,
                progress=agreed.progress,
                note=agreed.note,
                ratings=summary[agreed.code].ratings,
                agreement=summary[agreed.code].agreement,
                decided_by=user,
            )
            for _plan, agreed in plans
        )
    return decisions
