"""What the pages of one city's assessment share: the caller's membership and what it allows.

Every page reaches city data through ``vertebra.cities.scoping`` here first.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from vertebra.accounts.models import User
from vertebra.assessments.domain import assessment_in_city
from vertebra.assessments.models import Answer, AnswerStatus, Assessment
from vertebra.cities.models import City, Membership, Role
from vertebra.cities.scoping import membership_among, memberships_of
from vertebra.frameworks.domain import shape_of
from vertebra.maturity import Profile, Shape, profile

COMMENT_ROLES = frozenset({Role.ADMIN, Role.EDITOR, Role.CONTRIBUTOR})


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@dataclass(frozen=True)
class AssessmentScope:
    membership: Membership
    assessment: Assessment

    @property
    def city(self) -> City:
        return self.membership.city

    @property
    def shape(self) -> Shape:
        return shape_of(self.assessment.framework_version)

    @property
    def can_edit(self) -> bool:
        """Change answers and evidence: admins and editors, while the assessment is a draft."""
        return self.membership.can_write and not self.assessment.is_final

    @property
    def can_comment(self) -> bool:
        return self.membership.role in COMMENT_ROLES and not self.assessment.is_final

    @property
    def can_finalize(self) -> bool:
        return self.membership.is_admin and not self.assessment.is_final

    def require_edit(self) -> None:
        if not self.can_edit:
            raise PermissionDenied(self._refusal())

    def require_comment(self) -> None:
        if not self.can_comment:
            raise PermissionDenied(self._refusal())

    def _refusal(self) -> str:
        if self.assessment.is_final:
            return _("This assessment is final and can no longer be changed.")
        return _("Your role in this city does not allow this.")


def load_scope(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> AssessmentScope:
    # One query gives the membership and the cities of the page's menu (see my_cities).
    memberships = memberships_of(user_of(request))
    membership = membership_among(memberships, city_slug)
    request._vertebra_cities = [m.city for m in memberships]  # type: ignore[attr-defined]
    try:
        assessment = assessment_in_city(city=membership.city, assessment_uuid=assessment_uuid)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None
    assessment.city = membership.city
    return AssessmentScope(membership, assessment)


def profiles_for(assessments: Iterable[Assessment]) -> dict[int, Profile]:
    """The maturity profile of each assessment, reading all their answers in one query."""
    items = list(assessments)
    statuses: dict[int, dict[str, str]] = defaultdict(dict)
    rows = (
        Answer.objects.filter(assessment__in=[a.pk for a in items])
        .exclude(status=AnswerStatus.NOT_STARTED)
        .values_list("assessment_id", "objective__code", "status")
        .order_by()
    )
    for assessment_id, code, status in rows:
        statuses[assessment_id][code] = status
    return {a.pk: profile(shape_of(a.framework_version), statuses.get(a.pk, {})) for a in items}
