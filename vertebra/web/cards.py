"""What one objective's card on the editor page shows, prepared in Python.

The editor page shows a dozen objectives, each with a form, files, comments and history.
Resolving every value through the template language (form fields, URL tags, filters) made the
page slow; here the values are prepared once, as plain strings and lists, and the templates
(``web/_objective_card.html`` and the parts it includes) only place them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from vertebra.assessments.models import Answer, AnswerEvent, AnswerStatus, Assessment, Attachment
from vertebra.frameworks.crosswalk import Supported, supported_by_objective
from vertebra.frameworks.domain import model_texts
from vertebra.frameworks.files import shipped_framework_paths
from vertebra.l10n import day, moment, percent
from vertebra.web.forms import FIELD_LABELS, AnswerForm, AttachmentForm, CommentForm
from vertebra.workshops.records import Agreed, agreed_in

_CODE = "__code__"
_FILE = "00000000-0000-0000-0000-000000000000"
_WORKSHOP = "11111111-1111-1111-1111-111111111111"


# An objective's card shows its latest changes; the assessment's history page has them all.
CARD_HISTORY = 10


class ObjectiveLinks:
    """The addresses of one assessment's objectives and files, reversed once per request."""

    def __init__(self, city_slug: str, assessment: Assessment) -> None:
        args = [city_slug, assessment.uuid]
        self._save = reverse("web:objective_save", args=[*args, _CODE])
        self._comment = reverse("web:objective_comment", args=[*args, _CODE])
        self._upload = reverse("web:attachment_upload", args=[*args, _CODE])
        self._objective = reverse("web:objective", args=[*args, _CODE])
        self._file = reverse("web:attachment", args=[*args, _FILE])
        self._file_delete = reverse("web:attachment_delete", args=[*args, _CODE, _FILE])
        self._file_link = reverse("web:attachment_link", args=[*args, _CODE])
        self._history = reverse("web:assessment_history", args=args)
        self._review_reply = reverse("web:review_reply", args=[*args, _FILE])
        self._workshop = reverse("web:workshop", args=[*args, _WORKSHOP])
        self._model = (
            assessment.framework_version.framework_id,
            assessment.framework_version.version,
        )

    def supported(self, code: str) -> tuple[Supported, ...]:
        """The items of other references (crosswalks) the objective supports."""
        framework_id, version = self._model
        return supported_by_objective(framework_id, version, get_language() or "en").get(code, ())

    # Objective codes are letters, digits, "_", "." and "-" (the model's schema): URL-safe.
    def save(self, code: str) -> str:
        return self._save.replace(_CODE, code)

    def comment(self, code: str) -> str:
        return self._comment.replace(_CODE, code)

    def upload(self, code: str) -> str:
        return self._upload.replace(_CODE, code)

    def objective(self, code: str) -> str:
        return self._objective.replace(_CODE, code)

    def history(self, code: str) -> str:
        """The assessment's history page with this objective's changes only."""
        return f"{self._history}?objective={code}"

    def file(self, attachment: Attachment) -> str:
        return self._file.replace(_FILE, str(attachment.uuid))

    def file_delete(self, code: str, attachment: Attachment) -> str:
        """Removing the file from this objective (it stays for the others it supports)."""
        return self._file_delete.replace(_CODE, code).replace(_FILE, str(attachment.uuid))

    def review_reply(self, note_uuid: object) -> str:
        """Answering a critical friend's note (vertebra.web.reviews)."""
        return self._review_reply.replace(_FILE, str(note_uuid))

    def file_link(self, code: str) -> str:
        """Choosing a file of this assessment to support this objective too."""
        return self._file_link.replace(_CODE, code)

    def workshop(self, workshop_uuid: object) -> str:
        return self._workshop.replace(_WORKSHOP, str(workshop_uuid))


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
    name: str = ""

    # The names of Django's BoundField, so that ``web/_field.html`` places either.

    @property
    def id_for_label(self) -> str:
        return self.id

    @property
    def auto_id(self) -> str:
        return self.id

    @property
    def help_text(self) -> str:
        return self.help

    def __html__(self) -> SafeString:
        return self.html

    def __str__(self) -> str:
        return self.html


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
    return FieldView(id=auto_id, label=label, help=help_text, html=html, errors=[], name=name)


def _bound_field_view(form: forms.Form, name: str) -> FieldView:
    bound = form[name]
    return FieldView(
        id=bound.auto_id,
        label=str(bound.label),
        help=str(bound.help_text or ""),
        html=bound.as_widget(),
        errors=[str(error) for error in bound.errors],
        name=name,
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
    note: str  # what the source says more (the workshop an answer was agreed in)
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
            when=moment(event.at),
            who=str(event.user) if event.user else former,
            source="" if event.source == "web" else event.source,
            note=event.note,
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


def file_views(
    attachments: Iterable[Attachment], links: ObjectiveLinks, code: str
) -> list[FileView]:
    views = []
    for attachment in attachments:
        details = [str(filesizeformat(attachment.size))]
        if attachment.uploaded_by:
            details.append(str(attachment.uploaded_by))
        details.append(day(attachment.uploaded_at))
        views.append(
            FileView(
                name=attachment.original_name,
                url=links.file(attachment),
                delete_url=links.file_delete(code, attachment),
                details=", ".join(details),
            )
        )
    return views


@dataclass(frozen=True)
class AgreedView:
    """'agreed in <workshop> on <date>: N ratings, agreement X %', and the workshop's page
    for those who may open it (empty for the others)."""

    text: str
    url: str


def agreed_text(agreed: Agreed) -> str:
    """The sentence every page shows for one workshop's decision on an objective."""
    ratings = ngettext("%(count)d rating", "%(count)d ratings", agreed.ratings) % {
        "count": agreed.ratings
    }
    return _("agreed in %(workshop)s on %(date)s: %(ratings)s, agreement %(share)s") % {
        "workshop": agreed.title,
        "date": day(agreed.date),
        "ratings": ratings,
        "share": "–" if agreed.share is None else percent(agreed.share),
    }


def agreed_views(
    agreed: Iterable[Agreed], links: ObjectiveLinks, *, may_open: bool
) -> list[AgreedView]:
    return [
        AgreedView(agreed_text(a), links.workshop(a.workshop) if may_open else "") for a in agreed
    ]


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


# The answer form's fields below the status, row by row (two fields side by side in a row).
FIELD_LAYOUT = (("progress", "owner"), ("na_justification",), ("evidence", "links"), ("notes",))


@dataclass
class ConflictRow:
    """A field both people changed: the saved value, the person's input, and the name of the
    choice between them (``keep_<field>``)."""

    label: str
    theirs: str
    yours: str
    name: str = ""


@dataclass(frozen=True)
class ReviewNoteView:
    """A critical friend's note on the card, with the team's answers (who, when, text)."""

    uuid: str
    mark: str
    mark_text: str
    who: str
    when: str
    text: str
    replies: list[tuple[str, str, str]]
    reply_url: str


@dataclass
class ObjectiveItem:
    """One objective on the page: its answer, what the person may do, and any pending input.

    The page (``vertebra.web.editor``) makes it; ``web/_objective_card.html`` shows it.
    """

    answer: Answer
    form: AnswerForm | None
    comment_form: CommentForm | None
    attachment_form: AttachmentForm | None
    links: ObjectiveLinks
    conflict: list[ConflictRow] | None = None
    conflict_by: str = ""
    notice: str = ""
    evidence_error: str = ""
    comment_error: str = ""
    errors: list[str] = dataclasses.field(default_factory=list)
    # Whether the person answers critical friends' notes (access.Verb.ANSWER_REVIEWS).
    may_answer_reviews: bool = False
    # The workshops whose decisions set the answer, the latest first (read alone when None),
    # and whether the person may open their pages.
    agreed: list[Agreed] | None = None
    may_open_workshops: bool = False

    # What the card shows, prepared here so that the template only places it.

    @property
    def code(self) -> str:
        return self.answer.objective.code

    @property
    def original_language(self) -> str:
        """The language of the model's own, authoritative text (shown under a translation)."""
        return model_texts(self.answer.assessment.framework_version).source_language

    @property
    def translation_note(self) -> str:
        """Whose translation the card shows: the project's, for the models it ships."""
        if self.answer.assessment.framework_version.framework_id in shipped_framework_paths():
            return _("Translation by the Vertebra project: show the authoritative original")
        return _("Translation from the model's file: show the authoritative original")

    @property
    def status(self) -> str:
        return self.answer.status

    @property
    def supported(self) -> tuple[Supported, ...]:
        return self.links.supported(self.code)

    @property
    def in_progress(self) -> bool:
        return self.answer.status == AnswerStatus.IN_PROGRESS

    @property
    def not_applicable(self) -> bool:
        return self.answer.status == AnswerStatus.NOT_APPLICABLE

    @cached_property
    def status_text(self) -> str:
        answer = self.answer
        text = str(answer.get_status_display())
        if answer.status == AnswerStatus.IN_PROGRESS and answer.progress is not None:
            text = f"{text} · {answer.progress}%"
        return text

    @cached_property
    def changed_text(self) -> str:
        answer = self.answer
        if not answer.updated_by:
            return ""
        return _("last changed by %(who)s, %(when)s") % {
            "who": answer.updated_by,
            "when": moment(answer.updated_at),
        }

    @cached_property
    def save_url(self) -> str:
        return self.links.save(self.code)

    @cached_property
    def upload_url(self) -> str:
        return self.links.upload(self.code)

    @property
    def file_link_url(self) -> str:
        return self.links.file_link(self.code)

    @cached_property
    def comment_url(self) -> str:
        return self.links.comment(self.code)

    @cached_property
    def version_input(self) -> SafeString:
        assert self.form is not None
        return SafeString(self.form["version"].as_widget() + self.form["loaded"].as_widget())

    @cached_property
    def status_field(self) -> FieldView:
        assert self.form is not None
        return field_view(self.form, "status")

    @cached_property
    def field_rows(self) -> list[FieldRow]:
        form = self.form
        assert form is not None
        return [FieldRow(tuple(field_view(form, name) for name in names)) for names in FIELD_LAYOUT]

    @cached_property
    def error_list(self) -> list[str]:
        """The summary at the top of the card: the page's own messages, then the form's."""
        if not self.errors:
            return []
        if self.form is None:
            return list(self.errors)
        return [*self.errors, *(str(e) for e in self.form.non_field_errors())]

    @cached_property
    def upload_field(self) -> FieldView:
        assert self.attachment_form is not None
        return field_view(self.attachment_form, "file")

    @cached_property
    def comment_field(self) -> FieldView:
        assert self.comment_form is not None
        return field_view(self.comment_form, "text")

    @cached_property
    def files(self) -> list[FileView]:
        return file_views(self.answer.attachments.all(), self.links, self.code)

    @cached_property
    def agreements(self) -> list[AgreedView]:
        """Where the answer was agreed; only those who may facilitate open the workshop."""
        agreed = self.agreed
        if agreed is None:
            found = agreed_in(assessment=self.answer.assessment, codes=[self.code])
            agreed = found.get(self.code, [])
        return agreed_views(agreed, self.links, may_open=self.may_open_workshops)

    @cached_property
    def comments(self) -> list[CommentView]:
        former = former_member()
        return [
            CommentView(
                who=str(comment.author) if comment.author else former,
                when=moment(comment.created_at),
                text=comment.text,
            )
            for comment in self.answer.comments.all()
        ]

    @cached_property
    def review_notes(self) -> list[ReviewNoteView]:
        """The critical friends' notes on this objective, oldest first, with their answers."""
        former = former_member()
        return [
            ReviewNoteView(
                uuid=str(note.uuid),
                mark=note.mark,
                mark_text=str(note.get_mark_display()),
                who=str(note.author) if note.author else note.review.invitation.email,
                when=moment(note.created_at),
                text=note.text,
                replies=[
                    (str(r.author) if r.author else former, moment(r.created_at), r.text)
                    for r in note.replies.all()
                ],
                reply_url=self.links.review_reply(note.uuid) if self.may_answer_reviews else "",
            )
            for note in self.answer.review_notes.all()
        ]

    @property
    def comments_open(self) -> bool:
        return bool(
            (self.comment_form is not None and self.comment_form.errors)
            or (self.notice and self.comments)
        )

    @cached_property
    def history(self) -> list[HistoryRow]:
        """The latest changes (at most CARD_HISTORY), newest first."""
        events = getattr(self.answer, "latest_events", None)
        if events is None:  # an answer read without them
            events = self.answer.events.select_related("user")[:CARD_HISTORY]
        return history_rows(events, translated_labels(FIELD_LABELS))

    @cached_property
    def change_count(self) -> int:
        """Every change of the answer, of which the card shows the latest: counted only when
        the card shows a full history, the one case where there may be more."""
        shown = len(self.history)
        return shown if shown < CARD_HISTORY else self.answer.events.count()

    @property
    def history_url(self) -> str:
        """Where all the changes are, when the card shows only the latest."""
        if self.change_count <= len(self.history):
            return ""
        return self.links.history(self.answer.objective.code)

    @property
    def link_list(self) -> list[str]:
        """The saved web addresses, to open (only http and https ever reach a link)."""
        lines = (line.strip() for line in self.answer.links.splitlines())
        return [line for line in lines if line.lower().startswith(("http://", "https://"))]

    @property
    def answered(self) -> bool:
        return self.answer.status in (AnswerStatus.ACHIEVED, AnswerStatus.NOT_APPLICABLE)

    @property
    def open(self) -> bool:
        """Whether the card shows its form and evidence unfolded: an answered objective is
        folded to one line, unless there is something to see (a message, errors)."""
        return not self.answered or bool(
            self.notice
            or self.conflict is not None
            or self.error_list
            or self.evidence_error
            or self.comment_error
        )

    @property
    def summary_line(self) -> str:
        """An answered objective folded: its evidence (or justification) on one line."""
        answer = self.answer
        text = answer.na_justification if self.not_applicable else answer.evidence
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if not first:
            return _("Show the answer")
        return first if len(first) <= 120 else first[:119] + "…"
