"""One door to city data: "may this person do this to this object of this city?"

Every page, htmx endpoint, API endpoint, report view and command reaches city data through
the loaders here, and asks what a role allows through :data:`ROLE_VERBS` with :func:`can` or
:func:`require`. Nothing else turns a city slug or an object id from outside into a row.

- A person who is not a member of the city gets ``Http404`` for anything of that city, so the
  existence of other cities' data never leaks (the same for an id of another city's object).
- A member whose role does not allow the verb gets ``PermissionDenied`` (403).
- A final assessment refuses the verbs in :data:`CHANGES` when the check is given the
  assessment (:meth:`Scoped.can`); the refusal then says the assessment is final.

Objects below an assessment or an action (answers, comments, files, notes, events) are read
through the scoped parent (``assessment.answers``, ``filter(assessment=scope.assessment)``).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Upper
from django.http import Http404
from django.utils.translation import gettext as _

from vertebra.assessments.models import Assessment
from vertebra.cities.models import (
    City,
    Invitation,
    InvitationKind,
    Membership,
    MembershipEvent,
    Role,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vertebra.accounts.models import User
    from vertebra.assessments.models import Answer, Attachment, Comment
    from vertebra.cities.models import Invitation
    from vertebra.planning.models import Action
    from vertebra.reviews.models import Review, ReviewNote
    from vertebra.sharing.models import PublicProfile, SharingEvent
    from vertebra.workshops.models import Participant, Workshop

    Person = User | AnonymousUser

# A model read in two steps (see _in_two_steps).
M = TypeVar("M", bound=Model)


class Verb(enum.StrEnum):
    """What a member may do in a city; templates read them as ``may.<value>``."""

    VIEW = "view"  # read every page, endpoint, history and file of the city
    EXPORT = "export"  # download reports and exports
    COMMENT = "comment"  # comment on an answer
    EDIT_ANSWERS = "edit_answers"  # change answers
    UPLOAD = "upload"  # attach and remove evidence files
    IMPORT = "import"  # import answers from a file
    START_ASSESSMENT = "start_assessment"  # create an assessment or start a new cycle
    PLAN = "plan"  # propose, create, change, merge, finish and confirm actions; add notes
    SET_TARGETS = "set_targets"  # set the target stages of the policies
    FINALIZE = "finalize"  # make an assessment final
    MANAGE_CITY = "manage_city"  # the city's settings (its stakeholder types)
    MANAGE_PEOPLE = "manage_people"  # invite people, change roles, remove people (the team)
    # --- critical-friend review ---
    MANAGE_REVIEWS = "manage_reviews"  # invite a reviewer to an assessment, resend, close
    ANSWER_REVIEWS = "answer_reviews"  # answer a reviewer's notes


_READ = frozenset({Verb.VIEW, Verb.EXPORT})
_WRITE = _READ | {
    Verb.COMMENT,
    Verb.EDIT_ANSWERS,
    Verb.UPLOAD,
    Verb.IMPORT,
    Verb.START_ASSESSMENT,
    Verb.PLAN,
    Verb.ANSWER_REVIEWS,
}

# The one table of what each role may do.
ROLE_VERBS: dict[Role, frozenset[Verb]] = {
    Role.ADMIN: _WRITE
    | {
        Verb.SET_TARGETS,
        Verb.FINALIZE,
        Verb.MANAGE_CITY,
        Verb.MANAGE_PEOPLE,
        Verb.MANAGE_REVIEWS,
    },
    Role.EDITOR: _WRITE,
    Role.CONTRIBUTOR: _READ | {Verb.COMMENT},
    Role.VIEWER: _READ,
}

# What a final assessment refuses, whatever the role.
CHANGES = frozenset({Verb.COMMENT, Verb.EDIT_ANSWERS, Verb.UPLOAD, Verb.IMPORT, Verb.FINALIZE})


def role_allows(role: str, verb: Verb) -> bool:
    """Whether the role allows ``verb`` in its city, whatever the assessment."""
    return verb in ROLE_VERBS.get(Role(role), frozenset())


def can(membership: Membership, verb: Verb, *, assessment: Assessment | None = None) -> bool:
    """Whether the member's role allows ``verb``; given the assessment, also its state."""
    if not role_allows(membership.role, verb):
        return False
    return not (assessment is not None and assessment.is_final and verb in CHANGES)


def require(membership: Membership, verb: Verb, *, assessment: Assessment | None = None) -> None:
    """``PermissionDenied`` with the reason when :func:`can` says no."""
    if can(membership, verb, assessment=assessment):
        return
    if can(membership, verb):
        raise PermissionDenied(_("This assessment is final and can no longer be changed."))
    raise PermissionDenied(_("Your role in this city does not allow this."))


def may(membership: Membership, *, assessment: Assessment | None = None) -> dict[str, bool]:
    """Every verb's answer, for templates: ``{% if may.start_assessment %}``."""
    return {verb.value: can(membership, verb, assessment=assessment) for verb in Verb}


@dataclass(frozen=True)
class Scoped:
    """A member's assessment: reached through the membership, checked against the table."""

    membership: Membership
    assessment: Assessment

    @property
    def city(self) -> City:
        return self.membership.city

    def can(self, verb: Verb) -> bool:
        return can(self.membership, verb, assessment=self.assessment)

    def require(self, verb: Verb) -> None:
        require(self.membership, verb, assessment=self.assessment)

    @property
    def may(self) -> dict[str, bool]:
        return may(self.membership, assessment=self.assessment)


# --- memberships -------------------------------------------------------------------------


def memberships(user: Person) -> QuerySet[Membership]:
    """The person's memberships with their cities, by city name: the API's list of the
    caller's cities takes a page of them, and :func:`menu_of` and :func:`memberships_matching`
    start from them (never all read at once: a person may belong to hundreds of cities)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.select_related("city")
        .filter(user=user)
        .order_by("city__name", "city__slug")
    )


def membership_in(user: Person, city_slug: str, *, verb: Verb = Verb.VIEW) -> Membership:
    """The person's membership in the city (404 when none) whose role allows ``verb`` (403)."""
    if not user.is_authenticated:
        raise Http404(_("No such city."))
    try:
        membership = Membership.objects.select_related("city").get(user=user, city__slug=city_slug)
    except Membership.DoesNotExist:
        raise Http404(_("No such city.")) from None
    require(membership, verb)
    return membership


def members_of(membership: Membership) -> list[Membership]:
    """The members of the member's city with their people, by email (owners of actions)."""
    return list(
        Membership.objects.filter(city=membership.city_id)
        .select_related("user")
        .order_by("user__email")
    )


# --- many cities: the bounded city menu and the person's cities page by page ---------------
# A person may belong to hundreds of cities: no page reads or shows all of them. The menu
# holds a few, the home page a page of them with a search; each takes a fixed number of
# queries whatever the number of cities.

MENU_CITIES = 8


class MenuCity(NamedTuple):
    """A city as the menu links it."""

    slug: str
    name: str


@dataclass(frozen=True)
class Menu:
    cities: list[MenuCity]  # at most MENU_CITIES, by name; the page's own city always among them
    more: bool  # the person has more cities than these (the menu links to the home page)
    membership: Membership | None  # the person's membership in the page's city, if any


def menu_of(user: Person, city_slug: str | None = None) -> Menu:
    """The cities of every page's menu and, when the page is a city's, the person's membership
    in it, in one query: the page's city is ordered first, so it is always shown and its
    membership comes with the menu. A page that is no city's reads the links as plain values."""
    if not user.is_authenticated:
        return Menu(cities=[], more=False, membership=None)
    if city_slug is None:
        links = [
            MenuCity(*row)
            for row in memberships(user).values_list("city__slug", "city__name")[: MENU_CITIES + 1]
        ]
        return Menu(cities=links[:MENU_CITIES], more=len(links) > MENU_CITIES, membership=None)
    here = Case(When(city__slug=city_slug, then=Value(0)), default=Value(1))
    rows = list(
        memberships(user)
        .annotate(here=here)
        .order_by("here", "city__name", "city__slug")[: MENU_CITIES + 1]
    )
    membership = rows[0] if rows and rows[0].city.slug == city_slug else None
    shown = sorted(
        (MenuCity(m.city.slug, m.city.name) for m in rows[:MENU_CITIES]),
        key=lambda c: (c.name, c.slug),
    )
    return Menu(cities=shown, more=len(rows) > MENU_CITIES, membership=membership)


def memberships_matching(user: Person, search: str = "") -> QuerySet[Membership]:
    """The person's memberships whose city's name or short name holds ``search``, by city
    name, each with the id of the city's latest assessment (``latest_id``, None when none):
    the home page takes one page of them."""
    found = memberships(user)
    if search:
        found = found.filter(Q(city__name__icontains=search) | Q(city__slug__icontains=search))
    latest = Assessment.objects.filter(city=OuterRef("city")).order_by("-date", "-created_at")
    return found.annotate(latest_id=Subquery(latest.values("pk")[:1]))


def assessment_states(
    user: Person, assessment_ids: Iterable[int], fields: tuple[str, ...]
) -> dict[int, tuple[Any, ...]]:
    """The ``fields`` (``values_list`` names) of those of the assessments that are in the
    person's cities, by id, in one query and without loading them: what the home page's kept
    table is keyed by, so that a page of cities seen again loads no assessment."""
    if not user.is_authenticated:
        return {}
    rows = Assessment.objects.filter(
        pk__in=list(assessment_ids), city__in=_cities_of_user(user)
    ).values_list("pk", *fields)
    return {row[0]: tuple(row[1:]) for row in rows}


# --- end of many cities ----------------------------------------------------------------------


# --- the city's team: its members, invitations and history -------------------------------


def member_in(membership: Membership, member_uuid: uuid.UUID | str) -> Membership:
    """A member of the member's city by the membership's id (404 for any other)."""
    found = (
        Membership.objects.select_related("user")
        .filter(city=membership.city_id, uuid=member_uuid)
        .first()
    )
    if found is None:
        raise Http404(_("No such member of this city."))
    found.city = membership.city
    return found


def invitations_of(membership: Membership) -> QuerySet[Invitation]:
    """The city's pending invitations (neither accepted nor withdrawn), newest first."""
    return Invitation.objects.select_related("invited_by").filter(
        city=membership.city_id, accepted_at=None, withdrawn_at=None, kind=InvitationKind.MEMBER
    )


def invitation_in(
    membership: Membership, invitation_uuid: uuid.UUID | str, *, pending: bool = True
) -> Invitation:
    """A pending invitation of the member's city by its id (404 for any other); with
    ``pending=False`` also one that was accepted or withdrawn."""
    query = (
        invitations_of(membership)
        if pending
        else Invitation.objects.select_related("invited_by").filter(
            city=membership.city_id, kind=InvitationKind.MEMBER
        )
    )
    found = query.filter(uuid=invitation_uuid).first()
    if found is None:
        raise Http404(_("No such pending invitation in this city."))
    found.city = membership.city
    return found


def team_history(membership: Membership) -> QuerySet[MembershipEvent]:
    """The city's team changes, newest first."""
    return MembershipEvent.objects.filter(city=membership.city_id).select_related("by")


def require_operator(user: Person) -> None:
    """The instance's operator (a superuser) may create cities; anyone else gets 404."""
    if not (user.is_authenticated and user.is_superuser):
        raise Http404(_("Not found."))


# --- assessments -------------------------------------------------------------------------


class Load(enum.Enum):
    """How much of an assessment a caller loads with it (each in the same one query)."""

    PAGE = "page"  # the model version, without the large documents no page shows
    DETAIL = "detail"  # also the previous cycle and the people who created and finalized it
    REPORT = "report"  # the model version with its documents and the previous cycle


def assessments(city: City | int | Iterable[City | int], *, load: Load) -> QuerySet[Assessment]:
    """The assessments of a city (or of several), loaded as ``load`` says."""
    if isinstance(city, City | int):
        query = Assessment.objects.filter(city=city)
    else:
        query = Assessment.objects.filter(city__in=[getattr(c, "pk", c) for c in city])
    if load is Load.PAGE:
        return query.with_framework()
    if load is Load.DETAIL:
        return (
            query.with_framework()
            .select_related("previous", "created_by", "finalized_by")
            .defer("previous__snapshot")
        )
    return query.select_related("framework_version", "previous")


def assessment_in(
    membership: Membership, assessment_uuid: uuid.UUID | str, *, load: Load = Load.PAGE
) -> Assessment:
    """One assessment of the member's city (404 for any other), its city set."""
    found = assessments(membership.city, load=load).filter(uuid=assessment_uuid).first()
    if found is None:
        raise Http404(_("No such assessment in this city."))
    found.city = membership.city
    return found


def scoped(
    membership: Membership,
    assessment_uuid: uuid.UUID | str,
    *,
    verb: Verb = Verb.VIEW,
    load: Load = Load.PAGE,
) -> Scoped:
    """The member's assessment (404 when not of their city) when their role allows ``verb``."""
    assessment = assessment_in(membership, assessment_uuid, load=load)
    require(membership, verb)
    return Scoped(membership, assessment)


def assessment_for(
    user: Person,
    city_slug: str,
    assessment_uuid: uuid.UUID | str,
    *,
    verb: Verb = Verb.VIEW,
    load: Load = Load.PAGE,
) -> Scoped:
    """(person, city, assessment id) to the scoped assessment: 404 for outsiders, 403 by role."""
    membership = membership_in(user, city_slug)
    return scoped(membership, assessment_uuid, verb=verb, load=load)


# --- actions -----------------------------------------------------------------------------


def action_for(
    user: Person, city_slug: str, action_uuid: uuid.UUID | str, *, verb: Verb = Verb.VIEW
) -> tuple[Scoped, Action]:
    """(person, city, action id) to the action with its scoped assessment."""
    from vertebra.planning.models import Action

    membership = membership_in(user, city_slug)
    action = (
        Action.objects.select_related("assessment__framework_version", "owner_user", "created_by")
        .filter(city=membership.city_id, uuid=action_uuid)
        .first()
    )
    if action is None:
        raise Http404(_("No such action."))
    require(membership, verb)
    action.assessment.city = membership.city
    action.city = membership.city
    return Scoped(membership, action.assessment), action


# --- workshops: the facilitator's through the assessment, a participant's by credential -----


def workshops_of(scope: Scoped) -> QuerySet[Workshop]:
    """The workshops of the scoped assessment, newest first."""
    from vertebra.workshops.models import Workshop

    return Workshop.objects.filter(assessment=scope.assessment).order_by("-date", "-created_at")


def workshop_in(scope: Scoped, workshop_uuid: uuid.UUID | str) -> Workshop:
    """One workshop of the scoped assessment (404 for any other), its assessment set."""
    found = workshops_of(scope).filter(uuid=workshop_uuid).first()
    if found is None:
        raise Http404(_("No such workshop in this assessment."))
    found.assessment = scope.assessment
    return found


def workshop_to_join(join_code: str) -> Workshop | None:
    """The workshop that is not closed with this join code, with its assessment and city,
    or None. Anyone may ask (joining needs no account): it is rate-limited by its caller."""
    from vertebra.workshops.models import Workshop, WorkshopStatus

    return (
        Workshop.objects.exclude(status=WorkshopStatus.CLOSED)
        .filter(join_code=join_code)
        .select_related("assessment__city", "assessment__framework_version")
        .defer("assessment__snapshot", "assessment__framework_version__definition")
        .first()
    )


def participant_for(join_code: str, key_digest: str) -> Participant | None:
    """The participant with this credential's digest in the workshop of this join code (a
    closed one too: its refusal says it is closed), with the workshop, assessment and city;
    None for any other credential, so it reaches this workshop and nothing else."""
    from vertebra.workshops.models import Participant

    return (
        Participant.objects.filter(token_digest=key_digest, workshop__join_code=join_code)
        .select_related("workshop__assessment__city", "workshop__assessment__framework_version")
        .defer(
            "workshop__assessment__snapshot",
            "workshop__assessment__framework_version__definition",
        )
        .first()
    )


# --- critical-friend review (vertebra.reviews) ---------------------------------------------
# A reviewer is no member of the city: their access is to one assessment, through the review,
# and only while it is open (accepted, not closed, its last day not passed), asked at every
# request. Every other object of the city stays 404 to them (the loaders above need a
# membership). The team reads and manages the reviews through the scoped assessment.


def _reviews() -> QuerySet[Review]:
    from vertebra.reviews.models import Review

    return Review.objects.select_related(
        "invitation__accepted_by",
        "invited_by",
        "closed_by",
        "assessment__city",
        "assessment__framework_version",
    ).defer("assessment__snapshot", "assessment__framework_version__definition")


def reviews_for(user: Person) -> list[Review]:
    """The person's open reviews (they accepted, not closed, not past), soonest end first."""
    from vertebra.reviews.domain import today

    if not user.is_authenticated:
        return []
    from vertebra.reviews.models import Review

    found = Review.objects.filter(invitation__accepted_by=user, closed_at=None, until__gte=today())
    return _in_two_steps(found, _reviews().order_by("until", "id"))


def review_for(user: Person, review_uuid: uuid.UUID | str) -> Review:
    """The person's open review by its id, with its assessment and city: 404 for anyone but
    its reviewer, and for everyone once it has ended."""
    from vertebra.reviews.domain import today

    if not user.is_authenticated:
        raise Http404(_("No such review."))
    found = (
        _reviews()
        .filter(uuid=review_uuid, invitation__accepted_by=user, closed_at=None, until__gte=today())
        .first()
    )
    if found is None:
        raise Http404(_("No such review."))
    return found


def review_invitations_to(user: User, *, now: datetime) -> list[Review]:
    """The reviews the person is invited to by their address, not yet accepted, not ended."""
    from vertebra.reviews.domain import today
    from vertebra.reviews.models import Review

    found = Review.objects.filter(
        invitation__email__iexact=user.email,
        invitation__accepted_at=None,
        invitation__withdrawn_at=None,
        invitation__expires_at__gt=now,
        closed_at=None,
        until__gte=today(),
    )
    return _in_two_steps(found, _reviews().order_by("-created_at", "-id"))


def review_invitation_to(user: User, review_uuid: uuid.UUID, *, now: datetime) -> Review:
    """One of :func:`review_invitations_to` by its review's id (404 for any other)."""
    for review in review_invitations_to(user, now=now):
        if review.uuid == review_uuid:
            return review
    raise Http404(_("No such invitation."))


def reviewed_attachment(review: Review, attachment_uuid: uuid.UUID | str) -> Attachment:
    """A file of the reviewed assessment (404 for any other file)."""
    from vertebra.assessments.models import Attachment

    found = (
        Attachment.objects.filter(uuid=attachment_uuid, answers__assessment=review.assessment_id)
        .distinct()
        .first()
    )
    if found is None:
        raise Http404(_("No such file in this assessment."))
    return found


def reviewed_answers(review: Review) -> list[Answer]:
    """The reviewed assessment's answers with their objectives and files, in the model's
    order (what the reviewer reads)."""
    from vertebra.assessments.models import Answer

    return list(
        Answer.objects.filter(assessment=review.assessment_id)
        .select_related("objective")
        .prefetch_related("attachments")
        .order_by("objective__position")
    )


def reviewed_actions(review: Review) -> list[Action]:
    """The reviewed assessment's action plan with each action's objectives and owner."""
    from vertebra.planning.models import Action

    return list(
        Action.objects.filter(assessment=review.assessment_id)
        .select_related("owner_user")
        .prefetch_related("objectives")
        .order_by("due_date", "id")
    )


def reviews_of(scope: Scoped) -> QuerySet[Review]:
    """The reviews of the scoped assessment, newest first."""
    return _reviews().filter(assessment=scope.assessment)


def review_in(scope: Scoped, review_uuid: uuid.UUID | str) -> Review:
    """One review of the scoped assessment (404 for any other)."""
    found = reviews_of(scope).filter(uuid=review_uuid).first()
    if found is None:
        raise Http404(_("No such review of this assessment."))
    return found


def review_note_in(
    scope: Scoped, note_uuid: uuid.UUID | str, *, review: Review | None = None
) -> ReviewNote:
    """One review note on the scoped assessment (of ``review`` when given; 404 for any other)."""
    from vertebra.reviews.models import ReviewNote

    query = ReviewNote.objects.filter(review__assessment=scope.assessment, uuid=note_uuid)
    if review is not None:
        query = query.filter(review=review)
    found = query.select_related("review__invitation", "answer__objective").first()
    if found is None:
        raise Http404(_("No such review note in this assessment."))
    return found


# --- workshops: a city member joining with their account ----------------------------------


def member_joining(user: Person, workshop: Workshop) -> User | None:
    """The signed-in person when they are a member of the workshop's city (any role), who
    then joins with their account; None for anyone else, who joins as a guest would."""
    if not user.is_authenticated:
        return None
    assessment = workshop.assessment
    if not Membership.objects.filter(user=user, city=assessment.city_id).exists():
        return None
    return user


# --- the command line: the operator of the instance reaches every city -------------------


def city_for_operator(city_slug: str) -> City | None:
    """A city by its short name for the command line, whose operator holds the instance."""
    return City.objects.filter(slug=city_slug).first()


def latest_assessment_for_operator(city: City) -> Assessment | None:
    return Assessment.objects.filter(city=city).order_by("-date", "-created_at").first()


def assessment_for_operator(city: City, assessment_uuid: uuid.UUID) -> Assessment | None:
    return assessments(city, load=Load.PAGE).filter(uuid=assessment_uuid).first()


# --- a person's own work: "Your work" and the digest (vertebra.work) ----------------------
# Each loader reads the person's own cities only, through their memberships as they are now:
# a person who left a city sees nothing of it any more, and nothing names another city's
# people. Objects come with their city so that links are built without further queries.


def owned_answers(user: User) -> list[Answer]:
    """The objectives the person is responsible for in their cities' draft assessments.

    An answer's ``owner`` is free text (a department, a stakeholder outside the app, or a
    person); it names a member when it is their email, or their name, letter case and spaces
    around it aside (docs/NOTIFICATIONS.md)."""
    from vertebra.assessments.models import Answer, AssessmentStatus

    # Upper on both sides, as iexact compares, but in the form of the owner's index.
    names = Q(owner_upper=Upper(Value(user.email)))
    if user.name.strip():
        names |= Q(owner_upper=Upper(Value(" ".join(user.name.split()))))
    found = (
        Answer.objects.alias(owner_upper=Upper("owner"))
        .filter(names, assessment__city__in=_cities_of_user(user))
        .filter(assessment__status=AssessmentStatus.DRAFT)
    )
    return _in_two_steps(
        found,
        Answer.objects.select_related(
            "objective", "assessment__city", "assessment__framework_version"
        )
        .defer("assessment__snapshot", "assessment__framework_version__definition")
        .order_by("assessment__city__name", "assessment__date", "objective__position"),
    )


def comments_on(user: User, answers: Iterable[Answer], *, since: datetime) -> list[Comment]:
    """Comments of others on these answers (the person's own, from :func:`owned_answers`)
    written after ``since``, newest first."""
    return _comments_for(user, Q(answer__in=[a.pk for a in answers]), since=since)


def mentions_of(user: User, *, since: datetime) -> list[Comment]:
    """Comments of others that mention the person, in their cities, written after ``since``."""
    return _comments_for(user, Q(mentioned=user), since=since)


def _comments_for(user: User, which: Q, *, since: datetime) -> list[Comment]:
    """Others' comments in the person's cities written after ``since``, newest first, each
    with its objective, assessment and city for its link."""
    from vertebra.assessments.models import Comment

    found = Comment.objects.filter(
        which, answer__assessment__city__in=_cities_of_user(user), created_at__gt=since
    ).exclude(author=user)
    return _in_two_steps(
        found,
        Comment.objects.select_related(
            "author",
            "answer__objective",
            "answer__assessment__city",
            "answer__assessment__framework_version",
        )
        .defer("answer__assessment__snapshot", "answer__assessment__framework_version__definition")
        .order_by("-created_at", "-id"),
    )


def _cities_of_user(user: User) -> QuerySet[Membership, Any]:
    """The ids of the person's cities, as a subquery."""
    return Membership.objects.filter(user=user).values("city_id")


def _in_two_steps(found: QuerySet[M], full: QuerySet[M]) -> list[M]:
    """The rows of ``full`` (with its related rows and order) that ``found`` selects.

    ``found`` names the rows with the joins its conditions need only. On PostgreSQL, planning
    a query of many joins takes a few milliseconds, far longer than running it; most people
    have none of these rows on most days (comments, reviews, objectives of their own), and
    then the query with every join the page shows is not run at all."""
    ids = list(found.values_list("pk", flat=True))
    if not ids:
        return []
    return list(full.filter(pk__in=ids))


def actions_due(user: User, *, by: date) -> list[Action]:
    """Open actions (not done, not cancelled) the person owns in their cities, due by ``by``
    (overdue ones too), soonest first."""
    from vertebra.planning.models import Action, ActionStatus

    return list(
        Action.objects.filter(owner_user=user, city__memberships__user=user, due_date__lte=by)
        .exclude(status__in=[ActionStatus.DONE, ActionStatus.CANCELLED])
        .select_related("city")
        .order_by("due_date", "id")
    )


def invitations_to(user: User, *, now: datetime) -> list[Invitation]:
    """The open invitations to the person's email address that have not expired."""
    from vertebra.cities.models import Invitation

    return list(
        Invitation.objects.filter(
            email__iexact=user.email,
            kind=InvitationKind.MEMBER,
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("city", "invited_by")
        .order_by("-created_at", "-id")
    )


def invitation_to(user: User, invitation_uuid: uuid.UUID, *, now: datetime) -> Invitation:
    """One of :func:`invitations_to`, by its id; 404 for any other (another address's, used,
    withdrawn or expired)."""
    for invitation in invitations_to(user, now=now):
        if invitation.uuid == invitation_uuid:
            return invitation
    raise Http404(_("No such invitation."))


# --- the command line: people, cities and their members (vertebra user/city list) ----------


def cities_for_operator() -> QuerySet[City]:
    """Every city with its number of members (``member_count``), by short name."""
    from django.db.models import Count

    return City.objects.annotate(member_count=Count("memberships")).order_by("slug")


def people_for_operator(city: City | None = None) -> list[tuple[User, list[Membership]]]:
    """Every person (or, given a city, its members) with their memberships, by email; two
    queries whatever the number of people."""
    from django.db.models import Prefetch

    from vertebra.accounts.models import User

    people = User.objects.order_by("email")
    if city is not None:
        people = people.filter(memberships__city=city)
    memberships = Membership.objects.select_related("city").order_by("city__slug")
    people = people.prefetch_related(Prefetch("memberships", queryset=memberships))
    return [(person, list(person.memberships.all())) for person in people]


# --- sharing beyond the team: benchmarking and the public page (vertebra.sharing) ----------
# The public page needs no account: a city is reachable there only while it has a published
# assessment (404 otherwise, the same as for a city that does not exist), and only its
# published assessments are. Benchmark figures are read through the member's own city.


def public_city(city_slug: str) -> City:
    """The city with its public page's choices, while it publishes something; else 404."""
    found = (
        City.objects.filter(slug=city_slug, publications__isnull=False)
        .select_related("public_profile")
        .first()
    )
    if found is None:
        raise Http404(_("No such public page."))
    return found


def published_assessments(city: City) -> list[Assessment]:
    """The city's published assessments, oldest first, with their model versions."""
    return list(
        Assessment.objects.filter(city=city, publication__isnull=False)
        .select_related("framework_version")
        .defer("framework_version__definition")
        .order_by("date", "created_at")
    )


def sharing_of(membership: Membership) -> tuple[PublicProfile | None, list[SharingEvent]]:
    """The member's city's public-page choices (None before its first publication) and its
    latest 50 sharing events, newest first."""
    from vertebra.sharing.models import PublicProfile, SharingEvent

    events = SharingEvent.objects.filter(city=membership.city_id).select_related("assessment")
    return PublicProfile.objects.filter(city=membership.city_id).first(), list(events[:50])


def final_assessments_of(membership: Membership) -> list[Assessment]:
    """The member's city's final assessments, newest first, each with its publication (or
    None): what the sharing page offers to publish."""
    from vertebra.assessments.models import AssessmentStatus

    found = list(
        assessments(membership.city, load=Load.PAGE)
        .filter(status=AssessmentStatus.FINAL)
        .select_related("publication")
    )
    for assessment in found:
        assessment.city = membership.city
    return found
