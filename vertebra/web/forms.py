"""Forms of the web application. Business rules stay in the domain; these only read input."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vertebra.assessments.domain import ANSWER_FIELDS, answer_digest
from vertebra.assessments.models import Answer, AnswerStatus, Assessment
from vertebra.assessments.rules import check_answer
from vertebra.fields import CleanFormField
from vertebra.forms import CheckedForm
from vertebra.frameworks.defaults import DEFAULT_FRAMEWORK_ID
from vertebra.frameworks.domain import ModelChoiceError, choose_version, parse_reference
from vertebra.frameworks.models import FrameworkVersion
from vertebra.l10n import day
from vertebra.web import widgets


class SharedFields(dict[str, forms.Field]):
    """A form class's fields, shared by its instances instead of deep-copied for each.

    Django copies every field (with its widget) for each form instance so that a form may
    change its own fields. The editor page builds three forms per objective, dozens per page,
    and none of them changes a field after definition; sharing makes building them cheap.
    Only for forms whose ``__init__`` leaves ``self.fields`` alone.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedFields:
        return SharedFields(self)


def share_fields(form_class: type[forms.Form]) -> None:
    form_class.base_fields = SharedFields(form_class.base_fields)


FIELD_LABELS = {
    "status": _("Status"),
    "progress": _("Progress (%)"),
    "evidence": _("Evidence"),
    "links": _("Links"),
    "notes": _("Notes"),
    "owner": _("Responsible department or stakeholder"),
    "na_justification": _("Why it does not apply"),
    "attachments": _("Attached file"),
}


class AnswerForm(CheckedForm):
    status = forms.ChoiceField(
        label=FIELD_LABELS["status"], choices=AnswerStatus.choices, widget=widgets.ChoiceLabels
    )
    progress = forms.IntegerField(
        label=FIELD_LABELS["progress"],
        required=False,
        min_value=0,
        max_value=100,
        widget=widgets.NumberInput,
        help_text=_("Only for “In progress”: how far along, from 0 to 100."),
        error_messages={
            "invalid": _("Progress is a whole number from 0 to 100."),
            "min_value": _("Progress is a whole number from 0 to 100."),
            "max_value": _("Progress is a whole number from 0 to 100."),
        },
    )
    evidence = forms.CharField(
        label=FIELD_LABELS["evidence"],
        required=False,
        widget=widgets.Textarea(attrs={"rows": 3}),
        help_text=_("What shows that the objective is met: decisions, plans, reports."),
    )
    links = forms.CharField(
        label=FIELD_LABELS["links"],
        required=False,
        widget=widgets.Textarea(attrs={"rows": 2}),
        help_text=_("One web address per line, starting with http:// or https://."),
    )
    notes = forms.CharField(
        label=FIELD_LABELS["notes"], required=False, widget=widgets.Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(
        label=FIELD_LABELS["owner"],
        required=False,
        max_length=200,
        # The city's members are suggested (web/js/mentions.js); any other text stays.
        widget=widgets.TextInput(attrs={"data-people": "name"}),
    )
    na_justification = forms.CharField(
        label=FIELD_LABELS["na_justification"],
        required=False,
        widget=widgets.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the status is “Not applicable”."),
    )
    version = forms.IntegerField(widget=widgets.HiddenInput, min_value=1)
    # The answer's values as the person loaded them (see save_merged), to merge a save made
    # while someone else saved.
    loaded = forms.CharField(widget=widgets.HiddenInput, required=False, max_length=200)

    def __init__(self, *args: Any, prefix_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = prefix_code
        # Unique ids per objective: several forms share one page.
        self.auto_id = f"id_{prefix_code}_%s"

    @classmethod
    def for_answer(cls, answer: Answer) -> AnswerForm:
        initial = {name: getattr(answer, name) for name in ANSWER_FIELDS}
        initial["version"] = answer.version
        initial["loaded"] = answer_digest(answer)
        return cls(initial=initial, prefix_code=answer.objective.code)

    def changes(self) -> dict[str, Any]:
        """The cleaned input as domain changes; progress only counts while in progress."""
        return self._changes(self.cleaned_data)

    @staticmethod
    def _changes(values: dict[str, Any]) -> dict[str, Any]:
        data = {name: values[name] for name in ANSWER_FIELDS if name in values}
        if data.get("status") != AnswerStatus.IN_PROGRESS:
            data["progress"] = None
        if data.get("status") != AnswerStatus.NOT_APPLICABLE and "na_justification" in data:
            data["na_justification"] = data["na_justification"] or ""
        return data

    def domain_errors(self, parsed: dict[str, Any]) -> dict[str, str]:
        changes = self._changes(parsed)
        problems = check_answer(
            changes,
            status=changes.get("status", ""),
            na_justification=changes.get("na_justification", ""),
        )[1]
        return {name: problem.text(gettext) for name, problem in problems.items()}


share_fields(AnswerForm)


class AssessmentCreateForm(CheckedForm):
    title = CleanFormField(
        single_line=True,
        label=_("Title"),
        max_length=200,
        help_text=_("For example “Annual review 2026”."),
        error_messages={"required": _("Give the assessment a title.")},
    )
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day of the review or workshop."),
        error_messages={
            "required": _("Enter the date of the assessment."),
            "invalid": _("Enter a date as year-month-day, for example 2026-11-13."),
        },
    )
    copy_from = forms.ChoiceField(
        label=_("Start from"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "A new cycle copies every answer of an earlier assessment, so you only update "
            "what changed."
        ),
    )
    framework = forms.ChoiceField(
        label=_("Maturity model"),
        # Left out, the default: the SMR model's newest, or the version of the cycle continued.
        required=False,
        help_text=_(
            "The model and version the assessment uses. A new cycle keeps the model of the "
            "assessment it continues and may move to a newer version of it: the answers of the "
            "objectives that still exist are carried over."
        ),
        error_messages={"invalid_choice": _("Choose one of the maturity models listed.")},
    )

    def __init__(
        self,
        *args: Any,
        previous: list[Assessment],
        versions: list[FrameworkVersion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.previous = {str(a.uuid): a for a in previous}
        self.chosen_version: FrameworkVersion | None = None
        framework_field = self.fields["framework"]
        assert isinstance(framework_field, forms.ChoiceField)
        framework_field.choices = [
            (
                reference(fv),
                gettext("%(name)s, version %(version)s") % {"name": fv.name, "version": fv.version},
            )
            for fv in versions
        ]
        choices: list[tuple[str, str]] = [("", str(_("An empty assessment")))]
        for assessment in previous:
            choices.append(
                (
                    str(assessment.uuid),
                    str(
                        _("A new cycle from “%(title)s” (%(date)s, %(status)s)")
                        % {
                            "title": assessment.title,
                            "date": day(assessment.date),
                            "status": assessment.get_status_display(),
                        }
                    ),
                )
            )
        copy_field = self.fields["copy_from"]
        assert isinstance(copy_field, forms.ChoiceField)
        copy_field.choices = choices
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            source = self.previous.get(str(self.initial.get("copy_from", "")))
            self.initial.setdefault(
                "framework",
                reference(source.framework_version) if source else default_reference(versions),
            )

    def domain_errors(self, parsed: dict[str, Any]) -> dict[str, str]:
        if "framework" not in parsed or "copy_from" not in parsed:
            return {}
        copy_from: Assessment | None = parsed["copy_from"]
        framework_id: str | None = None
        version: int | None = None
        try:
            if parsed["framework"]:
                framework_id, version = parse_reference(parsed["framework"])
            self.chosen_version = choose_version(
                framework_id=framework_id,
                version=version,
                continuing=copy_from.framework_version if copy_from is not None else None,
            )
        except ModelChoiceError as exc:
            return {"framework": " ".join(exc.errors.values())}
        return {}

    def clean_copy_from(self) -> Assessment | None:
        value = self.cleaned_data.get("copy_from") or ""
        if not value:
            return None
        return self.previous[value]

    def clean_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["date"]
        if not 1990 <= value.year <= 2200:
            raise forms.ValidationError(_("Enter a date between 1990 and 2200."))
        return value


def reference(fv: FrameworkVersion) -> str:
    """A model version as a choice's value: ``ID@VERSION``."""
    return f"{fv.framework_id}@{fv.version}"


def default_reference(versions: list[FrameworkVersion]) -> str:
    """The default model's newest version (``versions`` lists each model's newest first)."""
    for fv in versions:
        if fv.framework_id == DEFAULT_FRAMEWORK_ID:
            return reference(fv)
    return reference(versions[0]) if versions else ""


class CommentForm(forms.Form):
    text = CleanFormField(
        label=_("Add a comment"),
        # "@" and a few letters suggest the city's members (web/js/mentions.js).
        widget=widgets.Textarea(attrs={"rows": 2, "data-people": "mention"}),
        max_length=5000,
        error_messages={"required": _("Write a comment before sending it.")},
    )

    def __init__(self, *args: Any, prefix_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_{prefix_code}_comment_%s"


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a file"),
        widget=widgets.FileInput,
        error_messages={"required": _("Choose a file to upload.")},
    )

    def __init__(self, *args: Any, prefix_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_{prefix_code}_upload_%s"


share_fields(CommentForm)
share_fields(AttachmentForm)
