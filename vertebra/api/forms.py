from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vertebra.api.tokens import MAX_NAME


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=MAX_NAME,
        help_text=_("What the token is for, e.g. “Open data portal” or “Monthly report script”."),
    )
