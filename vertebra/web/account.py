""" "Your account": every signed-in person changes their own name, password, language and
digest emails here (vertebra.accounts.profile holds the rules)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vertebra.accounts.profile import AccountInputError, update_account
from vertebra.web.account_forms import AccountForm
from vertebra.web.scope import user_of
from vertebra.web.signin import password_help

FIELD_OF_PROBLEM = {"password": "new_password1"}


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    status = 200
    if request.method == "POST":
        form = AccountForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = update_account(
                    user=user,
                    name=data["name"],
                    language=data["language"],
                    digest_emails=data["digest_emails"],
                    new_password=data["new_password1"] if form.changes_password else None,
                )
            except AccountInputError as error:
                for field, problems in error.errors.items():
                    for problem in problems:
                        form.add_error(FIELD_OF_PROBLEM.get(field, field), problem)
            else:
                if "password" in changed:
                    update_session_auth_hash(request, user)  # this browser stays signed in
                    messages.success(request, _("Your password was changed."))
                elif changed:
                    messages.success(request, _("Your account was saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("account")
        status = 400
    else:
        form = AccountForm(
            user=user,
            initial={
                "name": user.name,
                "language": user.language,
                "digest_emails": user.digest_emails,
            },
        )
    context = {"form": form, "password_help": password_help()}
    return render(request, "web/account.html", context, status=status)
