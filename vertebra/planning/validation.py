"""The checks of an action's fields, shared by every way of creating or changing an action.

Each check adds a message for a person to ``errors`` under the field's name and returns the
cleaned value; :func:`clean_action` raises :class:`PlanningValidationError` with all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from vertebra.assessments.models import Assessment
from vertebra.cities.models import City, Membership
from vertebra.frameworks.models import Objective
from vertebra.l10n import day
from vertebra.planning.models import Action, ActionStatus
from vertebra.planning.money import currencies_in_use
from vertebra.text import clean_text as cleaned_text

# The action fields a person edits, in the order forms and history show them.
ACTION_FIELDS = (
    "title",
    "description",
    "objectives",
    "owner_user",
    "owner_department",
    "stakeholder_types",
    "start_date",
    "due_date",
    "cost",
    "currency",
    "status",
)
MAX_TEXT = 20_000
MAX_COST = Decimal("999999999999.99")


class PlanningValidationError(Exception):
    """Bad input; ``errors`` maps each field name to a message for a person."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


def clean_date(name: str, value: Any, errors: dict[str, str]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[name] = _("Enter a date as YYYY-MM-DD.")
    return None


def clean_cost(value: Any, errors: dict[str, str]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        cost = Decimal(str(value).strip())
    except InvalidOperation:
        errors["cost"] = _("Enter the cost as a number, such as 12500 or 12500.50.")
        return None
    if not cost.is_finite():
        errors["cost"] = _("Enter the cost as a number, such as 12500 or 12500.50.")
        return None
    if cost < 0:
        errors["cost"] = _("The cost cannot be negative.")
        return None
    if cost > MAX_COST or cost != cost.quantize(Decimal("0.01")):
        errors["cost"] = _("Enter at most 12 digits before the decimal point and 2 after it.")
        return None
    return cost.quantize(Decimal("0.01"))


def clean_objectives(
    assessment: Assessment, value: Any, errors: dict[str, str]
) -> list[Objective] | None:
    items = list(value or [])
    fv = assessment.framework_version
    instances = [o for o in items if isinstance(o, Objective)]
    codes = [str(o).strip() for o in items if not isinstance(o, Objective)]
    foreign = [o.code for o in instances if o.framework_version_id != fv.pk]
    if foreign:
        errors["objectives"] = _(
            "%(codes)s belong to another model version than this assessment's (%(version)s)."
        ) % {"codes": ", ".join(foreign), "version": fv.label}
        return None
    found = {o.code: o for o in Objective.objects.filter(framework_version=fv, code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors["objectives"] = _("%(codes)s are not objectives of %(version)s.") % {
            "codes": ", ".join(unknown),
            "version": fv.label,
        }
        return None
    chosen = {o.pk: o for o in [*instances, *found.values()]}
    return sorted(chosen.values(), key=lambda o: o.position)


def clean_text(
    name: str, value: Any, limit: int, errors: dict[str, str], *, single_line: bool = False
) -> str:
    """Text without control characters (``vertebra.text``), trimmed, at most ``limit`` long."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = _("This must be text.")
        return ""
    text: str = cleaned_text(value, single_line=single_line).strip()
    if len(text) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return text


def clean_action(
    *,
    assessment: Assessment,
    data: Mapping[str, Any],
    current: Action | None = None,
) -> dict[str, Any]:
    """Validate action fields (all of them for a new action, the changed ones for an edit)."""
    city: City = assessment.city
    errors: dict[str, str] = {}
    for name in sorted(set(data) - set(ACTION_FIELDS)):
        errors[name] = _("Unknown field.")
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name not in ACTION_FIELDS:
            continue
        if name == "title":
            cleaned[name] = clean_text(name, value, 200, errors, single_line=True)
            if name not in errors and not cleaned[name]:
                errors[name] = _("Give the action a title.")
        elif name == "description":
            cleaned[name] = clean_text(name, value, MAX_TEXT, errors)
        elif name == "owner_department":
            cleaned[name] = clean_text(name, value, 200, errors, single_line=True)
        elif name == "currency":
            currency = clean_text(name, value, MAX_TEXT, errors).strip().upper()
            if currency not in currencies_in_use():
                errors[name] = _(
                    "Use the ISO 4217 code of a currency in use, such as EUR, GBP or NOK."
                )
            cleaned[name] = currency
        elif name == "status":
            if value not in ActionStatus.values:
                errors[name] = _("Choose one of: %(choices)s.") % {
                    "choices": ", ".join(str(label) for label in ActionStatus.labels)
                }
            cleaned[name] = value
        elif name in ("start_date", "due_date"):
            cleaned[name] = clean_date(name, value, errors)
        elif name == "cost":
            cleaned[name] = clean_cost(value, errors)
        elif name == "objectives":
            cleaned[name] = clean_objectives(assessment, value, errors)
        elif name == "stakeholder_types":
            chosen = [str(v).strip() for v in (value or []) if str(v).strip()]
            unknown = [v for v in chosen if v not in city.stakeholder_types]
            if unknown:
                errors[name] = _(
                    "%(types)s: not in this city's list of stakeholder types. An admin can add "
                    "types in the city settings."
                ) % {"types": ", ".join(unknown)}
            cleaned[name] = list(dict.fromkeys(chosen))
        elif name == "owner_user":
            if value is not None and not Membership.objects.filter(city=city, user=value).exists():
                errors[name] = _("%(email)s is not a member of %(city)s.") % {
                    "email": getattr(value, "email", value),
                    "city": city.name,
                }
            cleaned[name] = value
    start = cleaned.get("start_date", current.start_date if current else None)
    due = cleaned.get("due_date", current.due_date if current else None)
    if start and due and start > due and "due_date" not in errors:
        errors["due_date"] = _("The due date (%(due)s) is before the start date (%(start)s).") % {
            "due": day(due),
            "start": day(start),
        }
    if errors:
        raise PlanningValidationError(errors)
    return cleaned
