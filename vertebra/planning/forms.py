"""Forms of the planning pages: they parse input; the business rules live in ``domain``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vertebra.assessments.models import Assessment
from vertebra.cities.models import City, Membership
from vertebra.forms import CheckedForm
from vertebra.frameworks.domain import shape_of
from vertebra.frameworks.models import Objective
from vertebra.l10n import day
from vertebra.maturity import Shape
from vertebra.planning.domain import check_note, target_errors
from vertebra.planning.models import Action, ActionStatus
from vertebra.planning.money import currency_choices
from vertebra.planning.validation import PlanningValidationError, clean_action


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def stage_choices(shape: Shape, empty: str) -> list[tuple[str, str]]:
    return [("", empty)] + [
        (code, f"{shape.stage_names[code]} ({code})") for code in shape.stage_codes
    ]


class TargetsForm(CheckedForm):
    """One stage and date per policy, plus shortcuts for a whole dimension or every policy.

    The submit button pressed (``apply``) says which part applies: "policies", "all" or
    "dimension:<code>"; :meth:`changes` are the arguments of ``domain.set_targets``.
    """

    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "For the shortcuts: when the city wants to reach the stage they set. Each policy "
            "below has its own date."
        ),
    )
    all_policies = forms.ChoiceField(label=_("Every policy"), required=False)

    def __init__(
        self,
        *args: Any,
        shape: Shape,
        assessment: Assessment,
        apply: str = "policies",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.shape = shape
        self.assessment = assessment
        self.apply = apply
        self.fields["all_policies"].choices = stage_choices(shape, str(_("Choose a stage")))  # type: ignore[attr-defined]
        for dimension in shape.dimension_codes:
            self.fields[f"dimension_{dimension}"] = forms.ChoiceField(
                label=shape.dimension_name[dimension],
                required=False,
                choices=stage_choices(shape, str(_("Choose a stage"))),
            )
        for policy in shape.policy_codes:
            self.fields[f"target_{policy}"] = forms.ChoiceField(
                label=f"{policy} {shape.policy_name[policy]}",
                required=False,
                choices=stage_choices(shape, str(_("No target"))),
            )
            self.fields[f"date_{policy}"] = forms.DateField(
                label=_("%(policy)s: target date") % {"policy": policy},
                required=False,
                widget=DateInput(),
            )

    def dimension_fields(self) -> list[forms.BoundField]:
        return [self[f"dimension_{d}"] for d in self.shape.dimension_codes]

    def policy_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Each policy's stage and date fields."""
        return [(self[f"target_{p}"], self[f"date_{p}"]) for p in self.shape.policy_codes]

    def changes(self) -> dict[str, Any]:
        return self._changes(self.cleaned_data)

    def _changes(self, data: dict[str, Any]) -> dict[str, Any]:
        policies = self.shape.policy_codes
        if self.apply == "all":
            changes: dict[str, Any] = {"all_policies": data.get("all_policies")}
        elif self.apply.startswith("dimension:"):
            code = self.apply.partition(":")[2]
            changes = {"dimensions": {code: data.get(f"dimension_{code}")}}
        else:  # each policy's own stage and date, of the fields that parsed
            changes = {
                "targets": {p: data[f"target_{p}"] for p in policies if f"target_{p}" in data},
                "target_dates": {p: data[f"date_{p}"] for p in policies if f"date_{p}" in data},
            }
        if self.apply != "policies":  # a shortcut's date: for the policies it sets
            changes["target_date"] = data.get("target_date")
        return changes

    def domain_errors(self, parsed: dict[str, Any]) -> dict[str, str]:
        changes = self._changes(parsed)
        errors: dict[str, str] = {}
        if self.apply == "all" and not changes["all_policies"]:
            errors["all_policies"] = str(_("Choose a stage for every policy."))
        for code, stage in changes.get("dimensions", {}).items():
            if not stage:
                errors[f"dimension_{code}"] = str(_("Choose a stage for this dimension."))
        return errors | target_errors(assessment=self.assessment, **changes)


@dataclass
class ObjectiveChoice:
    code: str
    text: str
    chosen: bool


@dataclass
class PolicyChoices:
    """One policy's objectives in the action form's picker, by stage."""

    code: str
    name: str
    input_name: str
    disabled: bool
    stages: dict[str, list[ObjectiveChoice]] = dataclass_field(default_factory=dict)

    def add(self, *, stage: str, code: str, text: str, chosen: bool) -> None:
        self.stages.setdefault(stage, []).append(ObjectiveChoice(code, text, chosen))

    @property
    def chosen(self) -> list[str]:
        return [c.code for choices in self.stages.values() for c in choices if c.chosen]


class ActionForm(CheckedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    objectives = forms.MultipleChoiceField(
        label=_("Objectives this action serves"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick each objective the action serves; they are grouped by policy and stage. "
            "Type a code or a few words to find them."
        ),
    )
    owner_user = forms.ChoiceField(label=_("Owner (a member of the city)"), required=False)
    owner_department = forms.CharField(
        label=_("Owning department"),
        required=False,
        max_length=200,
        help_text=_("Or name a department when no single person owns the action."),
    )
    stakeholder_types = forms.MultipleChoiceField(
        label=_("Stakeholder types involved"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    cost = forms.CharField(
        label=_("Estimated cost"),
        required=False,
        help_text=_("A number such as 12500 or 12500.50."),
    )
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        assessment: Assessment,
        city: City,
        members: list[Membership],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.objective_rows = list(
            Objective.objects.filter(framework_version_id=assessment.framework_version_id)
            .only("code", "policy_code", "stage_code", "text")
            .order_by("position")
        )
        self.fields["objectives"].choices = [  # type: ignore[attr-defined]
            (o.code, f"{o.code} {o.shown_text}") for o in self.objective_rows
        ]
        self.fields["owner_user"].choices = [("", _("Nobody yet"))] + [  # type: ignore[attr-defined]
            (str(m.user_id), m.user.email) for m in members
        ]
        self.fields["stakeholder_types"].choices = [(t, t) for t in city.stakeholder_types]  # type: ignore[attr-defined]
        self.fields["currency"].choices = currency_choices(get_language())  # type: ignore[attr-defined]
        self.members = {str(m.user_id): m.user for m in members}
        self.assessment = assessment

    def objective_groups(self) -> list[PolicyChoices]:
        """The objective choices by policy, then stage, as the picker shows them."""
        shape = shape_of(self.assessment.framework_version)
        bound = self["objectives"]
        chosen = {str(code) for code in bound.value() or []}
        policies: dict[str, PolicyChoices] = {}
        for objective in self.objective_rows:
            policy = policies.get(objective.policy_code)
            if policy is None:
                policy = policies[objective.policy_code] = PolicyChoices(
                    code=objective.policy_code,
                    name=shape.policy_name.get(objective.policy_code, ""),
                    input_name=bound.html_name,
                    disabled=bool(self.fields["objectives"].disabled),
                )
            policy.add(
                stage=shape.stage_names.get(objective.stage_code, objective.stage_code),
                code=objective.code,
                text=objective.shown_text,
                chosen=objective.code in chosen,
            )
        return list(policies.values())

    @classmethod
    def initial_for(cls, action: Action) -> dict[str, Any]:
        return {
            "title": action.title,
            "description": action.description,
            "objectives": [o.code for o in action.objectives.all()],
            "owner_user": str(action.owner_user_id or ""),
            "owner_department": action.owner_department,
            "stakeholder_types": action.stakeholder_types,
            "start_date": action.start_date,
            "due_date": action.due_date,
            "cost": "" if action.cost is None else action.cost,
            "currency": action.currency,
            "status": action.status,
            "version": action.version,
        }

    # What an action's history calls the changes that are not a field's.
    HISTORY_LABELS = {
        "created": _("Created"),
        "deleted": _("Deleted"),
        "merged": _("Merged in"),
        "merged_into": _("Merged into"),
    }

    @classmethod
    def history_label(cls, field: str) -> str:
        """A history entry's field as people read it (its label), not its name."""
        if field in cls.base_fields:
            return str(cls.base_fields[field].label)
        return str(cls.HISTORY_LABELS.get(field, field))

    @staticmethod
    def history_value(field: str, value: str) -> str:
        if field == "status" and value in ActionStatus.values:
            return str(ActionStatus(value).label)
        if field in ("start_date", "due_date") and value:
            try:
                return day(dt.date.fromisoformat(value))
            except ValueError:
                return value
        return value

    def only(self, names: Iterable[str]) -> None:
        """Show every other field as it is, not to be changed (a final assessment's plan)."""
        for name, field in self.fields.items():
            if name not in names and name != "version":
                field.disabled = True

    def domain_data(self) -> dict[str, Any]:
        return self._domain_values(self.cleaned_data)

    def _domain_values(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {k: v for k, v in values.items() if k != "version"}
        if "owner_user" in data:
            data["owner_user"] = self.members.get(data["owner_user"] or "")
        if not data.get("currency"):
            data.pop("currency", None)
        return data

    def domain_errors(self, parsed: dict[str, Any]) -> dict[str, str]:
        try:
            clean_action(assessment=self.assessment, data=self._domain_values(parsed))
        except PlanningValidationError as error:
            return error.errors
        return {}


class NoteForm(CheckedForm):
    date = forms.DateField(
        label=_("Date"), required=False, widget=DateInput(), help_text=_("Today if left empty.")
    )
    text = forms.CharField(label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 3}))

    def domain_errors(self, parsed: dict[str, Any]) -> dict[str, str]:
        errors = check_note(text=parsed.get("text", "x"), date=parsed.get("date"))[2]
        return {name: errors[name] for name in parsed if name in errors}


class ConfirmForm(CheckedForm):
    codes = forms.MultipleChoiceField(
        label=_("Objectives to mark achieved"), widget=forms.CheckboxSelectMultiple
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What shows that the objective is achieved: a decision, a document, a link."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = choices  # type: ignore[attr-defined]
        self.fields["codes"].initial = [code for code, _ in choices]


class MergeForm(CheckedForm):
    others = forms.MultipleChoiceField(
        label=_("Actions to merge into this one"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["others"].choices = choices  # type: ignore[attr-defined]


class StakeholderTypesForm(CheckedForm):
    types = forms.CharField(
        label=_("Stakeholder types"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("One type per line, in the order lists should show them."),
    )


class VersionForm(CheckedForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
