"""Forms that show everything wrong at once.

A form's own checks (a field is required, a date parses) run first in Django; the domain's
rules (a due date after the start date, a cost of at most 12 digits, a reason for "not
applicable") used to run only once those passed, so a person fixed one set of errors only to
meet the next. :class:`CheckedForm` runs the domain's checks in the same validation, on every
field that parsed, and :meth:`CheckedForm.add_errors` places the errors a domain function
raises when it writes: one mechanism for every form of the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms


class CheckedForm(forms.Form):
    """A form whose validation also asks the domain's rules (:meth:`domain_errors`)."""

    def domain_errors(self, parsed: dict[str, Any]) -> Mapping[str, str]:
        """The domain's verdict on the fields that parsed: field name (or another key for
        the whole form) to a message. Subclasses call the check their domain function uses."""
        return {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.add_errors(self.domain_errors(dict(cleaned)))
        return self.cleaned_data

    def add_errors(self, errors: Mapping[str, str]) -> None:
        """Each message on its field (or the form's), unless the field already has one."""
        for name, message in errors.items():
            field = name if name in self.fields else None
            if field is not None and self.has_error(field):
                continue
            if field is None and message in self.non_field_errors():
                continue
            self.add_error(field, message)
