from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vertebra.api.tokens import MAX_NAME
from vertebra.fields import CleanFormField


class TokenForm(forms.Form):
    name = CleanFormField(
        single_line=True,
        label=_("Name"),
        max_length=MAX_NAME,
        help_text=_("What the token is for, e.g. “Open data portal” or “Monthly report script”."),
    )
