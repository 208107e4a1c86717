"""The rules of a critical-friend review, which pages, the API and reports share.

- A city admin invites one address to review one assessment until a date (today or later,
  at most :data:`MAX_DAYS` ahead). The invitation is the instance's (``cities.Invitation`` of
  kind ``review``): its link holds a secret stored as a digest, works once for 7 days, and can
  be sent again (a new link) or withdrawn while nobody accepted it. A member of the city is
  not a critical friend (they see the assessment already); an address has at most one review
  of an assessment that has not ended.
- The review is open from its acceptance to the end of ``until`` (the instance's time zone),
  or until an admin closes it; :func:`is_open` is asked at every request of the reviewer
  (``vertebra.access``), so access ends with the review, without any job.
- While it is open, the reviewer leaves notes on objectives (a mark and a text); the city's
  team answers each note, also after the review ended. Both show on the objective's card and
  in the API's read of the assessment, so each write counts its change
  (``assessments.domain.count_change``).

Every refusal is a :class:`ReviewError` naming the field that is wrong; nothing is written
then.
"""

from __future__ import annotations

import datetime as dt
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra.accounts.models import User
from vertebra.assessments.domain import count_change
from vertebra.assessments.models import Answer, Assessment
from vertebra.cities import team
from vertebra.cities.models import Invitation, InvitationKind, Membership, Role
from vertebra.reviews.models import Mark, Review, ReviewNote, ReviewReply
from vertebra.text import clean_text

# A review lasts at most this many days from today.
MAX_DAYS = 366
# The longest note or answer, in characters.
TEXT_MAX = 5000


class ReviewError(ValueError):
    """A change the review's rules refuse, with what is wrong by field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def today() -> dt.date:
    """The instance's date now: a review's last day is read in its time zone."""
    return timezone.localdate()


def is_open(review: Review, *, on: dt.date | None = None) -> bool:
    """Accepted, not closed, and ``until`` not passed."""
    return (
        review.invitation.accepted_at is not None
        and review.closed_at is None
        and (on or today()) <= review.until
    )


def has_ended(review: Review, *, on: dt.date | None = None) -> bool:
    """Closed, or its last day has passed (whether or not anyone accepted it)."""
    return review.closed_at is not None or (on or today()) > review.until


def parse_until(value: object) -> dt.date | None:
    """A date from an ISO 8601 string or a date; ``None`` when it is not one."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) <= 32:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def invitation_problems(
    *, assessment: Assessment, email: str, until: object
) -> tuple[dict[str, str], str, dt.date | None]:
    """What is wrong with inviting ``email`` until ``until`` (empty: nothing), with the
    cleaned address and date."""
    problems: dict[str, str] = {}
    cleaned = ""
    if not str(email or "").strip():
        problems["email"] = _("Give the reviewer's email address.")
    else:
        try:
            cleaned = team.clean_email(str(email))
        except team.TeamError as error:
            problems["email"] = str(error)
    day = parse_until(until)
    now = today()
    if day is None:
        problems["until"] = _("Give the review's last day as a date (YYYY-MM-DD).")
    elif day < now:
        problems["until"] = _("The review's last day %(day)s is in the past.") % {
            "day": day.isoformat()
        }
    elif day > now + timedelta(days=MAX_DAYS):
        problems["until"] = _(
            "A review lasts at most %(days)d days: choose a day until %(last)s."
        ) % {
            "days": MAX_DAYS,
            "last": (now + timedelta(days=MAX_DAYS)).isoformat(),
        }
    if cleaned and "email" not in problems:
        if Membership.objects.filter(city=assessment.city_id, user__email=cleaned).exists():
            problems["email"] = _(
                "%(email)s is a member of this city and sees the assessment already: a "
                "critical friend comes from outside the city."
            ) % {"email": cleaned}
        elif _running(assessment, cleaned, now).exists():
            problems["email"] = _(
                "%(email)s has a review of this assessment already: close it first, or send "
                "its invitation again."
            ) % {"email": cleaned}
    return problems, cleaned, day


def _running(assessment: Assessment, email: str, now: dt.date) -> QuerySet[Review]:
    """The reviews of ``email`` on the assessment that have not ended."""
    return Review.objects.filter(
        assessment=assessment, invitation__email=email, closed_at=None, until__gte=now
    )


def invite(
    *, assessment: Assessment, email: str, until: object, by: User | None
) -> tuple[Review, str]:
    """A new review of the assessment by ``email`` until ``until``, and its link's secret."""
    problems, cleaned, day = invitation_problems(assessment=assessment, email=email, until=until)
    if problems:
        raise ReviewError(problems)
    assert day is not None
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            city_id=assessment.city_id,
            email=cleaned,
            role=Role.VIEWER,
            kind=InvitationKind.REVIEW,
            token_digest=team.digest(token),
            invited_by=by,
            created_at=now,
            expires_at=now + timedelta(days=team.INVITATION_DAYS),
        )
        review = Review.objects.create(
            assessment=assessment, invitation=invitation, until=day, invited_by=by
        )
    review.assessment = assessment
    return review, token


def _pending(review: Review) -> None:
    if review.invitation.accepted_at is not None or review.invitation.withdrawn_at is not None:
        raise ReviewError(
            {"invitation": _("This review's invitation was accepted or withdrawn already.")}
        )
    if has_ended(review):
        raise ReviewError({"review": _("This review has ended.")})


def resend(*, review: Review) -> str:
    """A new link (the old one stops working) and a new expiry, while nobody accepted it."""
    _pending(review)
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=team.INVITATION_DAYS)
    updated = Invitation.objects.filter(
        pk=review.invitation_id, accepted_at=None, withdrawn_at=None
    ).update(token_digest=team.digest(token), expires_at=expires_at, sent_at=None)
    if not updated:
        raise ReviewError(
            {"invitation": _("This review's invitation was accepted or withdrawn already.")}
        )
    review.invitation.refresh_from_db()
    return token


def close(*, review: Review, by: User | None) -> bool:
    """End the review now: the reviewer's access ends, a pending invitation stops working.
    ``False`` when it was closed already (nothing changed)."""
    now = timezone.now()
    with transaction.atomic():
        closed = Review.objects.filter(pk=review.pk, closed_at=None).update(
            closed_at=now, closed_by=by
        )
        Invitation.objects.filter(
            pk=review.invitation_id, accepted_at=None, withdrawn_at=None
        ).update(withdrawn_at=now)
    review.refresh_from_db()
    review.invitation.refresh_from_db()
    return bool(closed)


def _text(value: object, field: str, problems: dict[str, str]) -> str:
    """The cleaned text; its problem (not text, empty, too long) added to ``problems``."""
    if not isinstance(value, str | None):
        problems[field] = _("Write the text as a string.")
        return ""
    text = clean_text(value or "").strip()
    if not text:
        problems[field] = _("Write something: an empty text says nothing.")
    elif len(text) > TEXT_MAX:
        problems[field] = _("At most %(max)d characters (this one has %(count)d).") % {
            "max": TEXT_MAX,
            "count": len(text),
        }
    return text


def add_note(
    *, review: Review, objective: object, mark: object, text: object, by: User
) -> ReviewNote:
    """The reviewer's note on one objective of the reviewed assessment, while the review is
    open."""
    problems: dict[str, str] = {}
    code = str(objective or "").strip()[:64] if isinstance(objective, str | None) else ""
    answer = None
    if not code:
        problems["objective"] = _("Name the objective the note is about (its code).")
    else:
        answer = (
            Answer.objects.filter(assessment=review.assessment_id, objective__code=code)
            .select_related("objective")
            .first()
        )
        if answer is None:
            problems["objective"] = _("%(code)r is not an objective of this assessment.") % {
                "code": code
            }
    if mark not in Mark.values:
        problems["mark"] = _("Unknown mark %(mark)r: use one of %(marks)s.") % {
            "mark": mark,
            "marks": ", ".join(Mark.values),
        }
    cleaned = _text(text, "text", problems)
    if not is_open(review):
        problems = {"review": _("This review has ended: notes can no longer be added.")}
    if problems:
        raise ReviewError(problems)
    assert answer is not None
    with transaction.atomic():
        count_change(assessment_id=review.assessment_id, answer_ids=[answer.pk], draft=False)
        note = ReviewNote.objects.create(
            review=review, answer=answer, mark=str(mark), text=cleaned, author=by
        )
    note.answer = answer
    return note


def reply(*, note: ReviewNote, text: object, by: User) -> ReviewReply:
    """The city team's answer to a note (also after the review ended)."""
    problems: dict[str, str] = {}
    cleaned = _text(text, "text", problems)
    if problems:
        raise ReviewError(problems)
    with transaction.atomic():
        count_change(
            assessment_id=note.review.assessment_id, answer_ids=[note.answer_id], draft=False
        )
        return ReviewReply.objects.create(note=note, text=cleaned, author=by)


def notes_of(assessment: Assessment, *, review: Review | None = None) -> list[ReviewNote]:
    """The notes on the assessment (of one review when given), each with its objective, its
    review's invitation and its replies with their authors, in the model's order."""
    query = ReviewNote.objects.filter(review__assessment=assessment)
    if review is not None:
        query = query.filter(review=review)
    replies = ReviewReply.objects.select_related("author").order_by("created_at", "id")
    return list(
        query.select_related("answer__objective", "author", "review__invitation")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("answer__objective__position", "created_at", "id")
    )


def state(review: Review, *, on: dt.date | None = None) -> str:
    """invited, open, closed or ended (the API's and the pages' word for it)."""
    if review.closed_at is not None:
        return "closed"
    if (on or today()) > review.until:
        return "ended"
    return "open" if review.invitation.accepted_at is not None else "invited"


def reviewer(review: Review) -> User | None:
    """Who accepted the review's invitation (None while nobody did)."""
    return review.invitation.accepted_by


def reviews_for_report(assessment: Assessment) -> list[dict[str, object]]:
    """The assessment's reviews that were accepted, oldest first, each with its reviewer's
    name and cities, its dates and its notes with their answers (the report's "peer review"
    section); a fixed number of queries, whatever the number of reviews and notes."""
    reviews = list(
        Review.objects.filter(assessment=assessment, invitation__accepted_at__isnull=False)
        .select_related("invitation__accepted_by")
        .order_by("created_at", "id")
    )
    if not reviews:
        return []
    people = {r.invitation.accepted_by_id for r in reviews}
    cities: dict[int, list[str]] = {}
    for user_id, name in (
        Membership.objects.filter(user__in=people)
        .order_by("city__name")
        .values_list("user_id", "city__name")
    ):
        cities.setdefault(user_id, []).append(name)
    notes: dict[int, list[ReviewNote]] = {}
    for note in notes_of(assessment):
        notes.setdefault(note.review_id, []).append(note)
    return [
        {
            "reviewer": r.invitation.accepted_by.display_name
            if r.invitation.accepted_by
            else r.invitation.email,
            "cities": cities.get(r.invitation.accepted_by_id or 0, []),
            "accepted": r.invitation.accepted_at,
            "until": r.until,
            "closed": r.closed_at,
            "notes": notes.get(r.pk, []),
        }
        for r in reviews
    ]


def reviewer_cities(user: User | None) -> list[str]:
    """The names of the cities the reviewer is a member of on this instance (their own
    city, for the report's "peer review" section), by name."""
    if user is None:
        return []
    return list(
        Membership.objects.filter(user=user)
        .order_by("city__name")
        .values_list("city__name", flat=True)
    )
