"""What one objective's card on the editor page shows, prepared in Python.

The editor page shows a dozen objectives, each with a form, files, comments and history.
Resolving every value through the template language (form fields, URL tags, filters, nested
includes) made the page slow; here the values are prepared once, as plain strings and lists,
and the template only places them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vertebra.assessments.models import AnswerEvent, AnswerStatus, Assessment, Attachment

_CODE = "__code__"
_FILE = "00000000-0000-0000-0000-000000000000"


class ObjectiveLinks:
    """The addresses of one assessment's objectives and files, reversed once per request."""

    def __init__(self, city_slug: str, assessment: Assessment) -> None:
        args = [city_slug, assessment.uuid]
        self._save = reverse("web:objective_save", args=[*args, _CODE])
        self._comment = reverse("web:objective_comment", args=[*args, _CODE])
        self._upload = reverse("web:attachment_upload", args=[*args, _CODE])
        self._objective = reverse("web:objective", args=[*args, _CODE])
        self._file = reverse("web:attachment", args=[*args, _FILE])
        self._file_delete = reverse("web:attachment_delete", args=[*args, _FILE])

    # Objective codes are letters, digits, "_", "." and "-" (the model's schema): URL-safe.
    def save(self, code: str) -> str:
        return self._save.replace(_CODE, code)

    def comment(self, code: str) -> str:
        return self._comment.replace(_CODE, code)

    def upload(self, code: str) -> str:
        return self._upload.replace(_CODE, code)

    def objective(self, code: str) -> str:
        return self._objective.replace(_CODE, code)

    def file(self, attachment: Attachment) -> str:
        return self._file.replace(_FILE, str(attachment.uuid))

    def file_delete(self, attachment: Attachment) -> str:
        return self._file_delete.replace(_FILE, str(attachment.uuid))


def local_time(value: dt.datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """As the templates' ``|date:"Y-m-d H:i"``: in the current time zone."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(pattern)


@lru_cache(maxsize=16)
def _former_member(language: str | None) -> str:
    del language  # only the cache key
    return _("former member")


def former_member() -> str:
    """How a person who has left (an empty user) is shown."""
    return _former_member(get_language())


@dataclass(frozen=True)
class FieldView:
    """One form field as the page shows it: label, help, the input itself and its errors."""

    id: str
    label: str
    help: str
    html: SafeString
    errors: list[str]


@lru_cache(maxsize=64)
def _field_texts(form_class: type[forms.Form], language: str | None) -> dict[str, tuple[str, str]]:
    """Each field's label and help text, translated once per language."""
    del language  # only the cache key: str() below translates into the active language
    return {
        name: (str(pretty_name(name) if field.label is None else field.label), str(field.help_text))
        for name, field in form_class.base_fields.items()
    }


def field_view(form: forms.Form, name: str) -> FieldView:
    """The field as Django's BoundField renders it.

    An unbound form (the usual case: showing saved answers) takes a short path that builds
    the same attributes as ``BoundField.as_widget`` (required, aria-describedby, id) without
    its per-field overhead; a bound form (input with errors) goes through Django itself.
    """
    if form.is_bound:
        return _bound_field_view(form, name)
    field = form.fields[name]
    widget = field.widget
    label, help_text = _field_texts(type(form), get_language())[name]
    auto_id = form.auto_id % name if isinstance(form.auto_id, str) and "%s" in form.auto_id else ""
    value = form.initial.get(name, field.initial)
    attrs: dict[str, Any] = {}
    if field.required and form.use_required_attribute and widget.use_required_attribute(value):
        attrs["required"] = True
    if field.disabled:
        attrs["disabled"] = True
    if (
        help_text
        and auto_id
        and not widget.is_hidden
        and not widget.use_fieldset
        and not widget.attrs.get("aria-describedby")
    ):
        attrs["aria-describedby"] = f"{auto_id}_helptext"
    if auto_id and "id" not in widget.attrs:
        attrs["id"] = auto_id
    html = widget.render(form.add_prefix(name), field.prepare_value(value), attrs)
    return FieldView(id=auto_id, label=label, help=help_text, html=SafeString(html), errors=[])


def _bound_field_view(form: forms.Form, name: str) -> FieldView:
    bound = form[name]
    return FieldView(
        id=bound.auto_id,
        label=str(bound.label),
        help=str(bound.help_text or ""),
        html=SafeString(str(bound)),
        errors=[str(error) for error in bound.errors],
    )


@dataclass(frozen=True)
class FieldRow:
    fields: tuple[FieldView, ...]

    @property
    def paired(self) -> bool:
        return len(self.fields) > 1


def event_value(name: str, value: str) -> str:
    """A history value as people read it: status labels, percentages, a dash for nothing."""
    if value == "":
        return "—"
    if name == "status" and value in AnswerStatus.values:
        return str(AnswerStatus(value).label)
    if name == "progress":
        return f"{value}%"
    return value


@dataclass(frozen=True)
class HistoryRow:
    when: str
    who: str
    source: str  # empty for changes made in the web application
    objective_code: str
    objective_url: str
    field: str
    old: str
    new: str


def history_rows(
    events: Iterable[AnswerEvent], labels: dict[str, str], links: ObjectiveLinks | None = None
) -> list[HistoryRow]:
    former = former_member()
    return [
        HistoryRow(
            when=local_time(event.at),
            who=str(event.user) if event.user else former,
            source="" if event.source == "web" else event.source,
            objective_code=event.objective_code,
            objective_url=links.objective(event.objective_code) if links else "",
            field=labels.get(event.field, event.field),
            old=event_value(event.field, event.old_value),
            new=event_value(event.field, event.new_value),
        )
        for event in events
    ]


@dataclass(frozen=True)
class FileView:
    name: str
    url: str
    delete_url: str
    details: str


def file_views(attachments: Iterable[Attachment], links: ObjectiveLinks) -> list[FileView]:
    views = []
    for attachment in attachments:
        details = [str(filesizeformat(attachment.size))]
        if attachment.uploaded_by:
            details.append(str(attachment.uploaded_by))
        details.append(local_time(attachment.uploaded_at, "%Y-%m-%d"))
        views.append(
            FileView(
                name=attachment.original_name,
                url=links.file(attachment),
                delete_url=links.file_delete(attachment),
                details=", ".join(details),
            )
        )
    return views


@dataclass(frozen=True)
class CommentView:
    who: str
    when: str
    text: str


def labels_of(names: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in names.items()}


_LABELS: dict[tuple[int, str | None], dict[str, str]] = {}


def translated_labels(names: dict[str, Any]) -> dict[str, str]:
    """``labels_of`` for a module-level dict of lazy labels, translated once per language."""
    key = (id(names), get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = labels_of(names)
    return labels
