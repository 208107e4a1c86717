"""The city's team: its people and roles, invitations, the invitation page, and new cities.

Every member sees who is in the city; admins (``Verb.MANAGE_PEOPLE``) invite, change roles,
remove people and handle pending invitations. The rules are ``vertebra.cities.team``'s; the
invitation's email is ``vertebra.cities.invitation_mail``'s.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from vertebra import access
from vertebra.access import Verb
from vertebra.cities import team
from vertebra.cities.invitation_mail import send_invitation
from vertebra.cities.models import Invitation, InvitationKind, Membership, Role
from vertebra.forms import CheckedForm
from vertebra.reviews import domain as review_rules
from vertebra.web.invitations import invitation_link, invite_with_form, tell_sent
from vertebra.web.scope import user_of

SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"
# A password longer than this is refused before any check reads it.
PASSWORD_MAX = 4096


class InviteForm(CheckedForm):
    email = forms.CharField(label=gettext_lazy("Email address"), max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial="viewer")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class JoinForm(forms.Form):
    """A new person's name and password; every problem is reported at once, by field."""

    name = forms.CharField(label=gettext_lazy("Your name"), required=False)
    password = forms.CharField(
        label=gettext_lazy("Password"),
        required=False,
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput,
    )
    password_again = forms.CharField(
        label=gettext_lazy("Password again"),
        required=False,
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput,
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problems = team.new_person_problems(
            email=self.invitation.email,
            name=data.get("name", ""),
            password=data.get("password", ""),
        )
        if "password" not in data:  # too long: its own message says so
            problems.pop("password", None)
        elif data.get("password") != data.get("password_again"):
            problems["password_again"] = [_("The two passwords differ.")]
        for field, errors in problems.items():
            for error in errors:
                self.add_error(field, error)
        return data


class CityForm(forms.Form):
    slug = forms.CharField(
        label=gettext_lazy("Short name"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("In the city's addresses: lower-case letters, digits, hyphens."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=1000)
    country = forms.CharField(label=gettext_lazy("Country"), required=False, max_length=1000)
    admin_email = forms.CharField(
        label=gettext_lazy("First admin's email address"),
        required=False,
        max_length=254,
        help_text=gettext_lazy("They get an invitation to the city with the admin role."),
    )


def _send(request: HttpRequest, invitation: Invitation, token: str) -> None:
    """Send the invitation's email; the person sees whether it left."""
    tell_sent(
        request,
        problem=send_invitation(invitation=invitation, link=invitation_link(request, token)),
        sent=_("The invitation was sent to %(email)s.") % {"email": invitation.email},
    )


# --- the people page ---------------------------------------------------------------------


def _people_page(
    request: HttpRequest,
    membership: Membership,
    *,
    invite_form: InviteForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    may = access.may(membership)
    context: dict[str, Any] = {
        "membership": membership,
        "city": membership.city,
        "crumb": _("People"),
        "members": access.members_of(membership),
        "may": may,
        "roles": Role.choices,
        "problem": problem,
    }
    if may[Verb.MANAGE_PEOPLE]:
        now = timezone.now()
        context.update(
            invite_form=invite_form or InviteForm(),
            invitations=[
                {"invitation": i, "expired": i.has_expired(now)}
                for i in access.invitations_of(membership)
            ],
            history=access.team_history(membership)[:200],
        )
    return render(request, "web/people.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def people(request: HttpRequest, city_slug: str) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug)
    return _people_page(request, membership)


@login_required
@require_POST
def invite(request: HttpRequest, city_slug: str) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.MANAGE_PEOPLE)
    form = InviteForm(request.POST)
    if invite_with_form(
        request,
        form,
        invite=lambda fields: team.invite(
            city=membership.city, email=fields["email"], role=fields["role"], by=user_of(request)
        ),
        refused=team.TeamError,
        problems=lambda error: {"email": str(error)},
        send=_send,
    ):
        return redirect("web:people", city_slug)
    return _people_page(request, membership, invite_form=form, status=400)


@login_required
@require_POST
def change_role(request: HttpRequest, city_slug: str, member_uuid: uuid.UUID) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.MANAGE_PEOPLE)
    member = access.member_in(membership, member_uuid)
    form = RoleForm(request.POST)
    if not form.is_valid():
        problem = _("Choose one of the roles for %(person)s.") % {
            "person": member.user.display_name
        }
        return _people_page(request, membership, problem=problem, status=400)
    try:
        changed = team.change_role(
            membership=member, role=form.cleaned_data["role"], by=user_of(request)
        )
    except team.LastAdminError as error:
        return _people_page(request, membership, problem=str(error), status=409)
    messages.success(
        request,
        _("%(person)s is now %(role)s.")
        % {"person": changed.user.display_name, "role": changed.get_role_display()},
    )
    return redirect("web:people", city_slug)


@login_required
@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, city_slug: str, member_uuid: uuid.UUID) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.MANAGE_PEOPLE)
    member = access.member_in(membership, member_uuid)
    if request.method == "POST":
        try:
            team.remove(membership=member, by=user_of(request))
        except team.LastAdminError as error:
            return _people_page(request, membership, problem=str(error), status=409)
        messages.success(
            request,
            _("%(person)s was removed from %(city)s.")
            % {"person": member.user.display_name, "city": membership.city.name},
        )
        if member.user_id == membership.user_id:
            return redirect("home")
        return redirect("web:people", city_slug)
    return render(
        request,
        "web/person_remove.html",
        {"city": membership.city, "member": member, "crumb": _("Remove a person")},
    )


@login_required
@require_POST
def resend(request: HttpRequest, city_slug: str, invitation_uuid: uuid.UUID) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.MANAGE_PEOPLE)
    invitation = access.invitation_in(membership, invitation_uuid)
    try:
        token = team.resend(invitation=invitation, by=user_of(request))
    except team.TeamError as error:
        messages.error(request, str(error))
    else:
        _send(request, invitation, token)
    return redirect("web:people", city_slug)


@login_required
@require_POST
def withdraw(request: HttpRequest, city_slug: str, invitation_uuid: uuid.UUID) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.MANAGE_PEOPLE)
    invitation = access.invitation_in(membership, invitation_uuid)
    try:
        team.withdraw(invitation=invitation, by=user_of(request))
    except team.TeamError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s was withdrawn; its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("web:people", city_slug)


# --- the invitation page (the link in the email) -----------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """Only the invited city's name, the role and who invited show here: nothing else."""
    invitation = team.invitation_by_token(token)
    if invitation is None:
        return render(request, "web/invitation_invalid.html", status=404)
    context: dict[str, Any] = {"invitation": invitation, "path": request.path}
    if invitation.kind == InvitationKind.REVIEW:
        # A critical friend's: the reviewed city, the assessment's title and the last day.
        if review_rules.has_ended(invitation.review):
            return render(request, "web/invitation_invalid.html", status=404)
        context["review"] = invitation.review
    if request.user.is_authenticated:
        user = user_of(request)
        if request.method == "POST":
            try:
                team.accept_as(invitation=invitation, user=user)
            except team.TeamError as error:
                context["problem"] = str(error)
                return render(request, "web/invitation.html", context, status=409)
            return _welcome(request, invitation)
        context["other_account"] = user.email.lower() != invitation.email
        return render(request, "web/invitation.html", context)
    if team.has_account(invitation):
        context["sign_in"] = f"{reverse('login')}?next={request.path}"
        return render(request, "web/invitation.html", context)
    form = JoinForm(request.POST or None, invitation=invitation)
    if request.method == "POST":
        if form.is_valid():
            try:
                joined = team.join_as_new_person(
                    invitation=invitation,
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password"],
                )
            except team.TeamError as error:
                context["problem"] = str(error)
                return render(request, "web/invitation.html", context, status=409)
            login(request, joined, backend=SIGN_IN_BACKEND)
            return _welcome(request, invitation)
        context["form"] = form
        return render(request, "web/invitation.html", context, status=400)
    context["form"] = form
    return render(request, "web/invitation.html", context)


@login_required
@require_POST
def invitation_accept(request: HttpRequest, invitation_uuid: uuid.UUID) -> HttpResponse:
    """A signed-in person accepts, from Your work, an invitation sent to their own address."""
    user = user_of(request)
    invitation = access.invitation_to(user, invitation_uuid, now=timezone.now())
    try:
        team.accept_as(invitation=invitation, user=user)
    except team.TeamError as error:
        messages.error(request, str(error))
        return redirect("work")
    messages.success(request, _("Welcome to %(city)s.") % {"city": invitation.city.name})
    return redirect("web:city", invitation.city.slug)


def _welcome(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """Where an accepted invitation leads: the city, or a critical friend's review."""
    if invitation.kind == InvitationKind.REVIEW:
        return redirect("review", invitation.review.uuid)
    messages.success(request, _("Welcome to %(city)s.") % {"city": invitation.city.name})
    return redirect("web:city", invitation.city.slug)


# --- a new city, by the instance's operator ----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def city_new(request: HttpRequest) -> HttpResponse:
    access.require_operator(request.user)
    form = CityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            city, invitation, token = team.found_city(
                slug=form.cleaned_data["slug"],
                name=form.cleaned_data["name"],
                country=form.cleaned_data["country"],
                admin_email=form.cleaned_data["admin_email"],
                by=user_of(request),
            )
        except team.CityProblems as error:
            for field, problem in error.problems.items():
                form.add_error(field, problem)
        else:
            messages.success(request, _("The city %(city)s was created.") % {"city": city.name})
            _send(request, invitation, token)
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "web/city_new.html", {"form": form, "crumb": _("New city")}, status=status
    )
