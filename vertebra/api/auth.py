"""``Authorization: Bearer <token>``: the token acts as its person, with their cities and roles.

A writing operation's authentication also answers whether its person may do it: the
operation names the verb it needs (vertebra.api.routing), and the city's membership is
looked up here, in ninja's authentication step, which runs before the body is read. So a
non-member gets 404 and a role without the verb 403 whatever the body holds, never a 422
that would tell them what the endpoint accepts.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from vertebra import access
from vertebra.access import Verb
from vertebra.accounts.models import User
from vertebra.api.models import ApiToken
from vertebra.api.tokens import token_for_key
from vertebra.cities.models import Membership
from vertebra.reviews.models import Review
from vertebra.workshops.domain import digest, normalized_code
from vertebra.workshops.models import Participant

_MEMBERSHIP = "_vertebra_membership"
_TOKEN_ATTRIBUTE = "_vertebra_api_token"  # noqa: S105 (where the ApiToken row is kept)
_PARTICIPANT = "_vertebra_participant"
_REVIEW = "_vertebra_review"


class TokenAuth(HttpBearer):
    def __init__(self, verb: Verb | None = None) -> None:
        super().__init__()
        self.verb = verb

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_for_key(token.strip())
        if found is None:
            return None
        setattr(request, _TOKEN_ATTRIBUTE, found)
        user = found.user
        if self.verb is None:
            return user
        match = request.resolver_match
        slug = str(match.kwargs.get("city", "")) if match is not None else ""
        # 404 for a city the person is not a member of, 403 for a role without the verb.
        setattr(request, _MEMBERSHIP, access.membership_in(user, slug, verb=self.verb))
        return user


# The path parameter of a critical friend's review: named apart from the city side's
# {review_id}, so that a client (or a tool following ids) does not take one for the other.
REVIEWER_PARAMETER = "my_review_id"


class ReviewerAuth(TokenAuth):
    """A token whose person is the reviewer of the path's ``{my_review_id}`` while the review is
    open (vertebra.access.review_for): 404 for anyone else, and for everyone once it ended."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = super().authenticate(request, token)
        if user is None:
            return None
        match = request.resolver_match
        review_id = str(match.kwargs.get(REVIEWER_PARAMETER, "")) if match is not None else ""
        try:
            found = access.review_for(user, review_id)
        except ValidationError:  # not a UUID
            raise Http404(_("No such review.")) from None
        setattr(request, _REVIEW, found)
        return user


def reviewed(request: HttpRequest) -> Review:
    """The review :class:`ReviewerAuth` opened for this request."""
    found = getattr(request, _REVIEW)
    assert isinstance(found, Review)
    return found


def caller(request: HttpRequest) -> User:
    """The person behind the request's token (set by :class:`TokenAuth`)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def checked_membership(request: HttpRequest, city_slug: str) -> Membership | None:
    """The membership :class:`TokenAuth` looked up for this request's city, if it did."""
    member: Membership | None = getattr(request, _MEMBERSHIP, None)
    if member is not None and member.city.slug == city_slug:
        return member
    return None


def caller_token(request: HttpRequest) -> ApiToken:
    """The token the request came with (set by :class:`TokenAuth`)."""
    token = getattr(request, _TOKEN_ATTRIBUTE)
    assert isinstance(token, ApiToken)
    return token


class ParticipantAuth(HttpBearer):
    """``Authorization: Bearer <participant_token>``: a workshop's participant, for the
    workshop of the path's ``{join_code}`` only (vertebra.access.participant_for)."""

    def __call__(self, request: HttpRequest) -> Participant | None:
        setattr(request, _PARTICIPANT, True)  # a 401 here asks for the participant's token
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> Participant | None:
        match = request.resolver_match
        code = str(match.kwargs.get("join_code", "")) if match is not None else ""
        key = token.strip()
        if not key or len(key) > 200:
            return None
        return access.participant_for(normalized_code(code), digest(key))


def asked_as_participant(request: HttpRequest) -> bool:
    """Whether the operation takes a participant's credential (for the 401's message)."""
    return bool(getattr(request, _PARTICIPANT, False))


def participant(request: HttpRequest) -> Participant:
    found = request.auth  # type: ignore[attr-defined]
    assert isinstance(found, Participant)
    return found
