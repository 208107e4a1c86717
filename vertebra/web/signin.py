"""Signing in: the page shown to a locked address, and "Forgot your password?".

The password reset is Django's (its views, its one-time tokens: a link stops working once the
password it was made for has changed), drawn with this project's templates and sending
through :mod:`vertebra.mail`, so that a mail server that is down is told to the person
instead of being swallowed. The reset page answers the same for every address.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vertebra import mail
from vertebra.accounts.signin import unlock, username_of

logger = logging.getLogger("vertebra.signin")


def password_help() -> list[str]:
    """What ``AUTH_PASSWORD_VALIDATORS`` ask of a password, one line each."""
    return list(password_validators_help_texts())


def lockout_message() -> str:
    """The same words for every locked address, whether or not an account has it."""
    return _(
        "Too many failed attempts to sign in with this email address. Signing in with it is "
        "paused for %(minutes)d minutes; try again later, or use “Forgot your password?”."
    ) % {"minutes": settings.SIGNIN_LOCK_MINUTES}


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The sign-in page again, with the lock's message (``AXES_LOCKOUT_CALLABLE``); also for
    the administration's sign-in, whose form posts back to its own address."""
    form = auth_forms.AuthenticationForm(
        request, initial={"username": username_of(request, credentials) or ""}
    )
    context = {"form": form, "lockout": lockout_message(), "next": request.POST.get("next", "")}
    return render(request, "web/login.html", context, status=429)


class ResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, whose email leaves through :func:`vertebra.mail.send`."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        mail.send(to=[to_email], subject=subject, body=body)


class PasswordResetPage(auth_views.PasswordResetView):
    form_class = ResetForm
    template_name = "web/password_reset.html"
    email_template_name = "web/email/password_reset.txt"
    subject_template_name = "web/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")
    title = gettext_lazy("Forgot your password?")

    @property
    def extra_email_context(self) -> dict[str, Any]:
        return {"days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)}

    def form_valid(self, form: auth_forms.PasswordResetForm) -> HttpResponse:
        try:
            # Asked for every address, so that a server that is down answers each the same.
            mail.check_server()
            return super().form_valid(form)
        except mail.MailNotSent as error:
            logger.warning("A password reset email was not sent: %s", error)
            form.add_error(
                None,
                _(
                    "The email could not be sent: the mail server cannot be reached right "
                    "now. Nothing was sent. Try again in a few minutes, or ask your city's "
                    "administrator."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=503)


class PasswordResetSent(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_sent.html"
    title = gettext_lazy("Check your email")


class PasswordResetChoose(auth_views.PasswordResetConfirmView):
    template_name = "web/password_reset_choose.html"
    success_url = reverse_lazy("password_reset_complete")
    title = gettext_lazy("Choose a new password")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "password_help": password_help()}

    def form_valid(self, form: auth_forms.SetPasswordForm[Any]) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever followed the link reads the person's email: a lock on the address, which the
        # lock's message suggests ending this way, is lifted with the new password.
        unlock(form.user.email)
        return response


class PasswordResetDone(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_done.html"
    title = gettext_lazy("Your password was changed")
