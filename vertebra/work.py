"""A person's work across their cities: the "Your work" page and the digest email share it.

Everything is read through ``vertebra.access`` (the person's own cities only) and grouped by
city here, as plain items with their addresses, so that the page and the email only place
them. ``now`` is given by the caller: the digest tells what happened in ``(since, now]`` and
then records ``now`` as told (``User.digest_sent_at``), so nothing is told twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra import access
from vertebra.accounts.models import User
from vertebra.assessments.models import Answer, Comment
from vertebra.cities.models import City, Invitation, Role
from vertebra.frameworks.domain import objective_titles
from vertebra.l10n import moment
from vertebra.planning.models import Action, ActionStatus

# An action is "due soon" this many days before its due date.
DUE_SOON_DAYS = 14
# The page shows the comments and mentions of this many days.
RECENT_DAYS = 30
# A person's first digest tells what happened in this many days before it.
FIRST_DIGEST_DAYS = 7


@dataclass(frozen=True)
class ObjectiveItem:
    code: str
    title: str
    assessment: str
    path: str


@dataclass(frozen=True)
class CommentItem:
    author: str
    code: str
    title: str
    text: str
    at: dt.datetime
    path: str


@dataclass(frozen=True)
class ActionItem:
    title: str
    due_date: dt.date
    overdue: bool
    status: str
    path: str


@dataclass(frozen=True)
class InvitationItem:
    role: str
    invited_by: str
    expires_at: dt.datetime
    # Where the person accepts it with one button (signed in with the invited address).
    accept_path: str


def _objective_path(answer: Answer) -> str:
    assessment = answer.assessment
    return reverse(
        "web:objective", args=[assessment.city.slug, assessment.uuid, answer.objective.code]
    )


def _title(answer: Answer) -> str:
    return objective_titles(answer.assessment.framework_version).get(answer.objective.code, "")


def _objective_item(answer: Answer) -> ObjectiveItem:
    return ObjectiveItem(
        code=answer.objective.code,
        title=_title(answer),
        assessment=answer.assessment.title,
        path=_objective_path(answer),
    )


def _comment_item(comment: Comment) -> CommentItem:
    answer = comment.answer
    return CommentItem(
        author=comment.author.display_name if comment.author else _("someone no longer here"),
        code=answer.objective.code,
        title=_title(answer),
        text=comment.text,
        at=comment.created_at,
        path=_objective_path(answer),
    )


def _action_item(action: Action, today: dt.date) -> ActionItem:
    assert action.due_date is not None  # access.actions_due gives dated actions only
    return ActionItem(
        title=action.title,
        due_date=action.due_date,
        overdue=action.due_date < today,
        status=str(ActionStatus(action.status).label),
        path=reverse("planning:action", args=[action.city.slug, action.uuid]),
    )


def _invitation_item(invitation: Invitation) -> InvitationItem:
    by = invitation.invited_by
    return InvitationItem(
        role=str(Role(invitation.role).label),
        invited_by=by.display_name if by else "",
        expires_at=invitation.expires_at,
        accept_path=reverse("invitation_accept", args=[invitation.uuid]),
    )


@dataclass
class CityWork:
    """What concerns the person in one city (or, for an invitation, the city they may join)."""

    city: City
    objectives: list[ObjectiveItem] = field(default_factory=list)
    comments: list[CommentItem] = field(default_factory=list)
    mentions: list[CommentItem] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    invitations: list[InvitationItem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.objectives or self.comments or self.mentions or self.actions or self.invitations
        )


@dataclass(frozen=True)
class ReviewItem:
    """A critical friend's review of another city's assessment: open, or waiting to be
    accepted (``accept_path``)."""

    city: str
    assessment: str
    until: dt.date
    path: str
    accept_path: str = ""


def _review_items(user: User, now: dt.datetime) -> list[ReviewItem]:
    """The person's open reviews, then the review invitations to their address."""
    items = [
        ReviewItem(
            city=r.assessment.city.name,
            assessment=r.assessment.title,
            until=r.until,
            path=reverse("review", args=[r.uuid]),
        )
        for r in access.reviews_for(user)
    ]
    items += [
        ReviewItem(
            city=r.assessment.city.name,
            assessment=r.assessment.title,
            until=r.until,
            path="",
            accept_path=reverse("review_accept", args=[r.uuid]),
        )
        for r in access.review_invitations_to(user, now=now)
    ]
    return items


@dataclass
class Work:
    cities: list[CityWork]
    # Critical-friend reviews of other cities' assessments (the page only).
    reviews: list[ReviewItem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.reviews and all(city.is_empty for city in self.cities)


def _group(
    *,
    objectives: list[Answer],
    comments: list[Comment],
    mentions: list[Comment],
    actions: list[Action],
    invitations: list[Invitation],
    today: dt.date,
) -> list[CityWork]:
    by_city: dict[int, CityWork] = {}

    def of(city: City) -> CityWork:
        return by_city.setdefault(city.pk, CityWork(city))

    mentioned = {c.pk for c in mentions}
    for answer in objectives:
        of(answer.assessment.city).objectives.append(_objective_item(answer))
    for comment in comments:
        # A comment that mentions the person is listed once, as a mention.
        if comment.pk not in mentioned:
            of(comment.answer.assessment.city).comments.append(_comment_item(comment))
    for comment in mentions:
        of(comment.answer.assessment.city).mentions.append(_comment_item(comment))
    for action in actions:
        of(action.city).actions.append(_action_item(action, today))
    for invitation in invitations:
        of(invitation.city).invitations.append(_invitation_item(invitation))
    return sorted(by_city.values(), key=lambda w: (w.city.name.lower(), w.city.slug))


def work_of(user: User, *, now: dt.datetime | None = None) -> Work:
    """Everything on the person's "Your work" page, by city."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    recent = now - dt.timedelta(days=RECENT_DAYS)
    objectives = access.owned_answers(user)
    return Work(
        _group(
            objectives=objectives,
            comments=access.comments_on(user, objectives, since=recent),
            mentions=access.mentions_of(user, since=recent),
            actions=access.actions_due(user, by=today + dt.timedelta(days=DUE_SOON_DAYS)),
            invitations=access.invitations_to(user, now=now),
            today=today,
        ),
        reviews=_review_items(user, now),
    )


def _action_is_news(action: Action, *, since: dt.datetime, today: dt.date) -> bool:
    """Whether an action due soon or overdue is new since the last digest: it was changed
    since, or it became due soon or overdue on a day after the last digest's."""
    if action.updated_at > since:
        return True
    assert action.due_date is not None  # access.actions_due gives dated actions only
    since_day = timezone.localdate(since)
    became_due_soon = action.due_date - dt.timedelta(days=DUE_SOON_DAYS)
    became_overdue = action.due_date + dt.timedelta(days=1)
    return any(since_day < day <= today for day in (became_due_soon, became_overdue))


def digest_since(user: User, now: dt.datetime) -> dt.datetime:
    """Up to when the person has been told: their last digest, or a week for the first."""
    return user.digest_sent_at or now - dt.timedelta(days=FIRST_DIGEST_DAYS)


def news_of(user: User, *, now: dt.datetime) -> Work:
    """What happened for the person in ``(their last digest, now]``: the digest's content."""
    since = digest_since(user, now)
    today = timezone.localdate(now)
    objectives = access.owned_answers(user)
    comments = [c for c in access.comments_on(user, objectives, since=since) if c.created_at <= now]
    mentions = [c for c in access.mentions_of(user, since=since) if c.created_at <= now]
    actions = [
        a
        for a in access.actions_due(user, by=today + dt.timedelta(days=DUE_SOON_DAYS))
        if _action_is_news(a, since=since, today=today)
    ]
    invitations = [
        i
        for i in access.invitations_to(user, now=now)
        if since < max(i.created_at, i.sent_at or i.created_at) <= now
    ]
    return Work(
        _group(
            objectives=[],
            comments=comments,
            mentions=mentions,
            actions=actions,
            invitations=invitations,
            today=today,
        )
    )


# --- the digest email (`vertebra notify`) ---------------------------------------------------


@dataclass(frozen=True)
class Digest:
    subject: str
    body: str
    html: str


def digest_of(user: User, work: Work, *, since: dt.datetime) -> Digest:
    """The digest email of the person's news, in their language, with absolute links."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation

    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "user": user,
            "work": work,
            "since": since,
            "base_url": settings.BASE_URL,
            "due_soon_days": DUE_SOON_DAYS,
        }
        subject = _("Vertebra: what happened since %(date)s") % {"date": moment(since)}
        return Digest(
            subject=subject,
            body=render_to_string("notify/digest.txt", context),
            html=render_to_string("notify/digest.html", context),
        )
