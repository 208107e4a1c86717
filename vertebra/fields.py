"""Model fields whose text is cleaned on its way into the database.

Every text a person gives (a title, a name, an answer, a note, a file name) is stored in one
of these fields, so whatever door it comes through (a page's form, the API, a command's
argument, an imported file) it is cleaned by the same rule, :func:`vertebra.text.clean_text`,
before it is saved, also by ``bulk_create`` and ``update()``. Control characters pasted
from other programs therefore never reach a page, an export or the database.

To the migrations they are Django's own fields: the columns are the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db import models

from vertebra.text import clean_text

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    _CharBase = models.CharField[str | int | Combinable, str]
    _TextBase = models.TextField[str | Combinable, str]
else:
    _CharBase = models.CharField
    _TextBase = models.TextField


class _CleanText:
    single_line = False

    def clean_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return clean_text(value, single_line=self.single_line)
        return value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        cleaned = self.clean_value(value)
        if cleaned is not value:
            setattr(model_instance, self.attname, cleaned)  # type: ignore[attr-defined]
        return cleaned

    def get_prep_value(self, value: Any) -> Any:
        return self.clean_value(super().get_prep_value(value))  # type: ignore[misc]

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        return name, self.django_path, args, kwargs

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        """A form field cleaned by the same rule (unless the field offers choices)."""
        if form_class is None and self.choices is None:  # type: ignore[attr-defined]
            form_class, kwargs = CleanFormField, {"single_line": self.single_line, **kwargs}
        field: forms.Field | None = super().formfield(  # type: ignore[misc]
            form_class=form_class, choices_form_class=choices_form_class, **kwargs
        )
        return field

    django_path = ""


class CleanFormField(forms.CharField):
    """A form's text field, cleaned by the same rule before it is checked, so that text of
    nothing but control characters counts as empty."""

    def __init__(self, *args: Any, single_line: bool = False, **kwargs: Any) -> None:
        self.single_line = single_line
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = clean_text(value, single_line=self.single_line)
        return super().to_python(value)


class CleanCharField(_CleanText, _CharBase):
    """A single line of text: line breaks and tabs become spaces."""

    single_line = True
    django_path = "django.db.models.CharField"


class CleanTextField(_CleanText, _TextBase):
    """Text of several lines."""

    django_path = "django.db.models.TextField"
