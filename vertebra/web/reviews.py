"""Critical-friend review pages: the city's (an assessment's reviews: invite, resend, close,
answer notes) and the reviewer's (the one assessment, read-only, with a note form per
objective).

The city's pages load through ``load_scope`` (members only); the reviewer's through
``access.review_for``, at every request, so a review that ended opens nothing. The rules
are ``vertebra.reviews.domain``'s; the email is ``vertebra.reviews.invitation_mail``'s.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vertebra import access
from vertebra.access import Verb
from vertebra.forms import CheckedForm
from vertebra.frameworks.domain import objective_titles, shape_of
from vertebra.reviews import domain
from vertebra.reviews.invitation_mail import send_review_invitation
from vertebra.reviews.models import Mark, Review, ReviewNote
from vertebra.web.invitations import invitation_link, invite_with_form, tell_sent
from vertebra.web.scope import AssessmentScope, load_scope, user_of


class ReviewInviteForm(CheckedForm):
    email = forms.CharField(label=gettext_lazy("Reviewer's email address"), max_length=254)
    until = forms.CharField(
        label=gettext_lazy("Last day of the review"),
        max_length=32,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The reviewer's access ends after this day."),
    )


# Longer input is cut here, before the domain's check says it is too long (5,000).
TYPED_MAX = 20000


def _send(request: HttpRequest, review: Review, token: str) -> None:
    """Send the review's invitation; the person sees whether it left."""
    tell_sent(
        request,
        problem=send_review_invitation(review=review, link=invitation_link(request, token)),
        sent=_("The review's invitation was sent to %(email)s.")
        % {"email": review.invitation.email},
    )


# --- the city's side -----------------------------------------------------------------------


def _reviews_page(
    request: HttpRequest,
    scope: AssessmentScope,
    *,
    form: ReviewInviteForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    notes = domain.notes_of(scope.assessment)
    by_review: dict[int, list[ReviewNote]] = defaultdict(list)
    for note in notes:
        by_review[note.review_id].append(note)
    rows = [
        {
            "review": review,
            "state": domain.state(review),
            "reviewer": domain.reviewer(review),
            "cities": domain.reviewer_cities(domain.reviewer(review)),
            "notes": by_review.get(review.pk, []),
        }
        for review in access.reviews_of(scope)
    ]
    return render(
        request,
        "reviews/list.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": scope.assessment,
            "may": scope.may,
            "rows": rows,
            "form": form or ReviewInviteForm(),
            "marks": dict(Mark.choices),
            "problem": problem,
        },
        status=status,
    )


@login_required
@require_GET
def review_list(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    return _reviews_page(request, load_scope(request, city_slug, assessment_uuid))


@login_required
@require_POST
def review_invite(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid, verb=Verb.MANAGE_REVIEWS)
    form = ReviewInviteForm(request.POST)

    def invite(fields: dict[str, Any]) -> tuple[Review, str]:
        review, token = domain.invite(
            assessment=scope.assessment,
            email=fields["email"],
            until=fields["until"],
            by=user_of(request),
        )
        return access.review_in(scope, review.uuid), token

    if invite_with_form(
        request,
        form,
        invite=invite,
        refused=domain.ReviewError,
        problems=lambda error: error.problems,
        send=_send,
    ):
        return redirect("web:reviews", city_slug, assessment_uuid)
    return _reviews_page(request, scope, form=form, status=400)


@login_required
@require_POST
def review_resend(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, review_uuid: uuid.UUID
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid, verb=Verb.MANAGE_REVIEWS)
    review = access.review_in(scope, review_uuid)
    try:
        token = domain.resend(review=review)
    except domain.ReviewError as error:
        return _reviews_page(request, scope, problem=str(error), status=409)
    _send(request, review, token)
    return redirect("web:reviews", city_slug, assessment_uuid)


@login_required
@require_POST
def review_close(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, review_uuid: uuid.UUID
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid, verb=Verb.MANAGE_REVIEWS)
    review = access.review_in(scope, review_uuid)
    if domain.close(review=review, by=user_of(request)):
        messages.success(
            request,
            _("The review by %(email)s is closed: the reviewer's access has ended.")
            % {"email": review.invitation.email},
        )
    return redirect("web:reviews", city_slug, assessment_uuid)


@login_required
@require_POST
def review_reply(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, note_uuid: uuid.UUID
) -> HttpResponse:
    """An answer to a note, from the reviews page or the objective's card (``next``)."""
    scope = load_scope(request, city_slug, assessment_uuid, verb=Verb.ANSWER_REVIEWS)
    note = access.review_note_in(scope, note_uuid)
    text = str(request.POST.get("text", ""))[:TYPED_MAX]
    try:
        domain.reply(note=note, text=text, by=user_of(request))
    except domain.ReviewError as error:
        return _reviews_page(request, scope, problem=str(error), status=400)
    messages.success(request, _("Your answer to the review note was saved."))
    code = note.answer.objective.code
    if request.POST.get("next") == "objective":
        return redirect("web:objective", city_slug, assessment_uuid, code)
    return redirect(
        reverse("web:reviews", args=[city_slug, assessment_uuid]) + f"#note-{note.uuid}"
    )


# --- the reviewer's side -------------------------------------------------------------------


def _review_page(
    request: HttpRequest,
    review: Review,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    assessment = review.assessment
    shape = shape_of(assessment.framework_version)
    titles = objective_titles(assessment.framework_version)
    notes: dict[int, list[ReviewNote]] = defaultdict(list)
    for note in domain.notes_of(assessment, review=review):
        notes[note.answer_id].append(note)
    answers = access.reviewed_answers(review)
    policies: dict[str, list[dict[str, Any]]] = {}
    for answer in answers:
        policies.setdefault(answer.objective.policy_code, []).append(
            {
                "answer": answer,
                "title": titles.get(answer.objective.code, ""),
                "notes": notes.get(answer.pk, []),
            }
        )
    return render(
        request,
        "reviews/review.html",
        {
            "review": review,
            "assessment": assessment,
            "review_city": assessment.city,
            "policies": [
                {"code": code, "title": shape.policy_name.get(code, ""), "items": items}
                for code, items in policies.items()
            ],
            "actions": access.reviewed_actions(review),
            "marks": Mark.choices,
            "errors": errors or {},
            "typed": typed or {},
        },
        status=status,
    )


@login_required
@require_GET
def review_page(request: HttpRequest, review_uuid: uuid.UUID) -> HttpResponse:
    return _review_page(request, access.review_for(user_of(request), review_uuid))


@login_required
@require_POST
def review_note(request: HttpRequest, review_uuid: uuid.UUID) -> HttpResponse:
    review = access.review_for(user_of(request), review_uuid)
    typed = {
        name: str(request.POST.get(name, ""))[:TYPED_MAX] for name in ("objective", "mark", "text")
    }
    try:
        note = domain.add_note(review=review, by=user_of(request), **typed)
    except domain.ReviewError as error:
        return _review_page(request, review, errors=error.problems, typed=typed, status=400)
    messages.success(request, _("Your note on %(code)s was saved.") % {"code": typed["objective"]})
    return redirect(
        reverse("review", args=[review.uuid]) + f"#objective-{note.answer.objective.code}"
    )


@login_required
@require_GET
def review_file(
    request: HttpRequest, review_uuid: uuid.UUID, attachment_uuid: uuid.UUID
) -> FileResponse:
    review = access.review_for(user_of(request), review_uuid)
    attachment = access.reviewed_attachment(review, attachment_uuid)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["POST"])
def review_accept(request: HttpRequest, review_uuid: uuid.UUID) -> HttpResponse:
    """A signed-in person accepts, from Your work, a review invitation to their address."""
    from vertebra.cities import team

    user = user_of(request)
    review = access.review_invitation_to(user, review_uuid, now=timezone.now())
    try:
        team.accept_as(invitation=review.invitation, user=user)
    except team.TeamError as error:
        messages.error(request, str(error))
        return redirect("work")
    return redirect("review", review.uuid)
