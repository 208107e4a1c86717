"""What the pages of one city's assessment share: the caller's membership and what it allows.

Every page reaches city data through ``vertebra.access`` here first.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from vertebra import access
from vertebra.access import Verb
from vertebra.accounts.models import User
from vertebra.assessments.models import Answer, AnswerStatus, Assessment
from vertebra.frameworks.domain import shape_of
from vertebra.maturity import Profile, Shape, profile


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class AssessmentScope(access.Scoped):
    """The member's assessment as the pages show it: what the editor offers is asked here."""

    @property
    def shape(self) -> Shape:
        return shape_of(self.assessment.framework_version)

    @property
    def can_edit(self) -> bool:
        return self.can(Verb.EDIT_ANSWERS)

    @property
    def can_facilitate(self) -> bool:
        """Whether the role opens the assessment's workshops (a final one's too, to read)."""
        return access.can(self.membership, Verb.EDIT_ANSWERS)

    @property
    def can_upload(self) -> bool:
        return self.can(Verb.UPLOAD)

    @property
    def can_comment(self) -> bool:
        return self.can(Verb.COMMENT)

    @property
    def can_finalize(self) -> bool:
        return self.can(Verb.FINALIZE)


def load_scope(
    request: HttpRequest,
    city_slug: str,
    assessment_uuid: uuid.UUID,
    *,
    verb: Verb = Verb.VIEW,
) -> AssessmentScope:
    """The member's assessment (404 outside their cities) when their role allows ``verb``."""
    # One query gives the membership and the page's menu, however many cities (see my_cities).
    menu = access.menu_of(user_of(request), city_slug)
    if menu.membership is None:
        raise Http404(_("No such city."))
    request._vertebra_menu = menu  # type: ignore[attr-defined]
    found = access.scoped(menu.membership, assessment_uuid, verb=verb)
    return AssessmentScope(found.membership, found.assessment)


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
