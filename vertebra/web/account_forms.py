"""The form of "Your account": name, language, digest emails and a new password at once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vertebra.accounts.models import User
from vertebra.accounts.profile import NAME_MAX, password_problems
from vertebra.fields import CleanFormField


def language_choices() -> list[tuple[str, str]]:
    return [("", str(_("The browser's language"))), *settings.LANGUAGES]


class AccountForm(forms.Form):
    name = CleanFormField(
        label=_("Name"),
        required=False,
        single_line=True,
        max_length=NAME_MAX,
        help_text=_("As your colleagues see it; empty: your email address is shown."),
    )
    language = forms.ChoiceField(label=_("Language of the pages"), required=False, choices=[])
    digest_emails = forms.BooleanField(
        label=_("Send me a digest email of what happened in my cities"), required=False
    )
    current_password = forms.CharField(
        label=_("Current password"), required=False, strip=False, widget=forms.PasswordInput
    )
    new_password1 = forms.CharField(
        label=_("New password"), required=False, strip=False, widget=forms.PasswordInput
    )
    new_password2 = forms.CharField(
        label=_("New password again"), required=False, strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]

    @property
    def changes_password(self) -> bool:
        return any(
            self.data.get(name) for name in ("current_password", "new_password1", "new_password2")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.changes_password:
            return data
        current = data.get("current_password", "")
        new, again = data.get("new_password1", ""), data.get("new_password2", "")
        if not current:
            self.add_error("current_password", _("Type your current password to change it."))
        elif not self.user.check_password(current):
            self.add_error("current_password", _("This is not your current password."))
        if not new:
            self.add_error("new_password1", _("Type the new password."))
        elif new != again:
            self.add_error("new_password2", _("The two new passwords differ."))
        else:
            name = data.get("name", self.user.name) or ""
            for problem in password_problems(new, user=self.user, name=name.strip()):
                self.add_error("new_password1", problem)
        return data
