"""The maturity-model file format (format 1), as strict pydantic models.

Pure Python: nothing here needs Django (its problems are worded in the active language once
Django is set up, vertebra/i18n.py). ``docs/FRAMEWORK-FORMAT.md`` describes the format for
people writing a model; this module is its executable definition.

Validation happens in two passes, both reporting every problem they find with its location:

1. Structure (pydantic): required and unknown fields, types (strict: no coercion, so ``"1"`` is not
   an integer and ``1.0`` is not a version), code and language syntax, non-empty texts.
2. Meaning (:meth:`Framework._check_semantics`, only once the structure is valid): unique codes,
   objectives pointing at declared stages, codes that nest (dimension -> policy -> objective),
   policies with objectives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from vertebra.i18n import gettext as _
from vertebra.i18n import gettext_noop

FORMAT_VERSION = 1

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
MAX_CODE_LENGTH = 32  # the database stores codes in 32 characters
MAX_ID_LENGTH = 64


def _check_code(value: str) -> str:
    if len(value) > MAX_CODE_LENGTH or not CODE_RE.fullmatch(value):
        raise PydanticCustomError(
            "invalid_code",
            _(
                "'{value}' is not a valid code (letters, digits, '_', '.' and '-', starting with "
                "a letter or digit, at most {max} characters)"
            ),
            {"value": value[:80], "max": MAX_CODE_LENGTH},
        )
    return value


def _check_slug(value: str) -> str:
    if len(value) > MAX_ID_LENGTH or not SLUG_RE.fullmatch(value):
        raise PydanticCustomError(
            "invalid_slug",
            _(
                "'{value}' is not a valid id (lowercase letters and digits separated by single "
                "'-', at most {max} characters)"
            ),
            {"value": value[:80], "max": MAX_ID_LENGTH},
        )
    return value


def _check_language(value: str) -> str:
    if not LANGUAGE_RE.fullmatch(value):
        raise PydanticCustomError(
            "invalid_language",
            _("'{value}' is not a valid language code (such as 'en', 'es' or 'pt-BR')"),
            {"value": value[:80]},
        )
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_text", _("must not be empty"))
    return value


def _check_format(value: Any) -> Any:
    # Literal[1] alone would accept True and 1.0 (they compare equal to 1).
    if type(value) is not int:
        raise PydanticCustomError(
            "format_type", _("expected the integer {supported}"), {"supported": FORMAT_VERSION}
        )
    if value != FORMAT_VERSION:
        raise PydanticCustomError(
            "unsupported_format",
            _("unsupported format {value} (this version of Vertebra reads format {supported})"),
            {"value": value, "supported": FORMAT_VERSION},
        )
    return value


Code = Annotated[str, AfterValidator(_check_code)]
Slug = Annotated[str, AfterValidator(_check_slug)]
Language = Annotated[str, AfterValidator(_check_language)]
Text = Annotated[str, AfterValidator(_check_text)]
FormatVersion = Annotated[Literal[1], BeforeValidator(_check_format)]

Location = tuple[str | int, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


# Translations: one model per set of translatable fields, so a translation naming a field the
# element does not have is an "unknown field" error like any other.


class NameDescriptionTranslation(_Strict):
    name: Text | None = None
    description: Text | None = None


class NameTranslation(_Strict):
    name: Text


class TextTranslation(_Strict):
    text: Text


class Indicator(_Strict):
    code: Code
    text: Text
    translations: dict[Language, TextTranslation] = Field(default_factory=dict)


class Objective(_Strict):
    code: Code
    stage: Code
    text: Text
    indicators: list[Indicator] = Field(default_factory=list)
    translations: dict[Language, TextTranslation] = Field(default_factory=dict)


class Policy(_Strict):
    code: Code
    name: Text
    objectives: list[Objective]
    translations: dict[Language, NameTranslation] = Field(default_factory=dict)


class Dimension(_Strict):
    code: Code
    name: Text
    policies: list[Policy] = Field(min_length=1)
    translations: dict[Language, NameTranslation] = Field(default_factory=dict)


class Stage(_Strict):
    code: Code
    name: Text
    description: Text
    translations: dict[Language, NameDescriptionTranslation] = Field(default_factory=dict)


class Framework(_Strict):
    """A whole maturity model: stages in ascending order, dimensions -> policies -> objectives."""

    TITLE: ClassVar[str] = "Framework"

    format: FormatVersion
    id: Slug
    version: int = Field(gt=0)
    name: Annotated[Text, Field(max_length=200)]
    description: Text
    language: Language = "en"
    stages: list[Stage] = Field(min_length=1)
    dimensions: list[Dimension] = Field(min_length=1)
    translations: dict[Language, NameDescriptionTranslation] = Field(default_factory=dict)

    # pydantic runs this only when every field above is structurally valid.
    @model_validator(mode="after")
    def _check_semantics(self) -> Framework:
        problems = list(self._semantic_problems())
        if problems:
            raise ValidationError.from_exception_data(
                self.TITLE,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("framework_rule", message),
                        loc=location,
                        input=None,
                    )
                    for location, message in problems
                ],
            )
        return self

    def _semantic_problems(self) -> Iterator[tuple[Location, str]]:
        stage_codes = [stage.code for stage in self.stages]
        yield from _duplicates(
            "stage", ((("stages", i, "code"), s.code) for i, s in enumerate(self.stages))
        )
        yield from _duplicates(
            "dimension",
            ((("dimensions", i, "code"), d.code) for i, d in enumerate(self.dimensions)),
        )
        yield from _duplicates("policy", self._policy_codes())
        yield from _duplicates("objective", self._objective_codes())
        yield from _duplicates("indicator", self._indicator_codes())

        declared = ", ".join(dict.fromkeys(stage_codes))
        for d, dimension in enumerate(self.dimensions):
            for p, policy in enumerate(dimension.policies):
                policy_loc: Location = ("dimensions", d, "policies", p)
                if not policy.code.startswith(dimension.code):
                    yield (
                        (*policy_loc, "code"),
                        _("policy code %(policy)r must start with its dimension code %(dimension)r")
                        % {"policy": policy.code, "dimension": dimension.code},
                    )
                if not policy.objectives:
                    yield (*policy_loc, "objectives"), _("a policy needs at least one objective")
                for o, objective in enumerate(policy.objectives):
                    objective_loc: Location = (*policy_loc, "objectives", o)
                    if objective.stage not in stage_codes:
                        yield (
                            (*objective_loc, "stage"),
                            _("stage %(stage)r is not a declared stage (%(declared)s)")
                            % {"stage": objective.stage, "declared": declared},
                        )
                        continue
                    prefix = policy.code + objective.stage
                    if not objective.code.startswith(prefix):
                        yield (
                            (*objective_loc, "code"),
                            _(
                                "objective code %(code)r must start with its policy code and "
                                "stage code (%(prefix)r)"
                            )
                            % {"code": objective.code, "prefix": prefix},
                        )

    def _policy_codes(self) -> Iterator[tuple[Location, str]]:
        for d, dimension in enumerate(self.dimensions):
            for p, policy in enumerate(dimension.policies):
                yield ("dimensions", d, "policies", p, "code"), policy.code

    def _objective_codes(self) -> Iterator[tuple[Location, str]]:
        for d, dimension in enumerate(self.dimensions):
            for p, policy in enumerate(dimension.policies):
                for o, objective in enumerate(policy.objectives):
                    yield ("dimensions", d, "policies", p, "objectives", o, "code"), objective.code

    def _indicator_codes(self) -> Iterator[tuple[Location, str]]:
        for d, dimension in enumerate(self.dimensions):
            for p, policy in enumerate(dimension.policies):
                for o, objective in enumerate(policy.objectives):
                    for n, indicator in enumerate(objective.indicators):
                        location: Location = (
                            "dimensions", d, "policies", p, "objectives", o, "indicators", n, "code"
                        )  # fmt: skip
                        yield location, indicator.code

    def objectives(self) -> Iterator[tuple[Dimension, Policy, Objective]]:
        """Every objective with its dimension and policy, in file order."""
        for dimension in self.dimensions:
            for policy in dimension.policies:
                for objective in policy.objectives:
                    yield dimension, policy, objective


# A code used twice, by the kind of element it names.
KINDS_OF_CODE = {
    "stage": gettext_noop("duplicate stage code %(code)r (first used at %(first)s)"),
    "dimension": gettext_noop("duplicate dimension code %(code)r (first used at %(first)s)"),
    "policy": gettext_noop("duplicate policy code %(code)r (first used at %(first)s)"),
    "objective": gettext_noop("duplicate objective code %(code)r (first used at %(first)s)"),
    "indicator": gettext_noop("duplicate indicator code %(code)r (first used at %(first)s)"),
    "item": gettext_noop("duplicate item code %(code)r (first used at %(first)s)"),
}


def _duplicates(kind: str, coded: Iterator[tuple[Location, str]]) -> Iterator[tuple[Location, str]]:
    first_seen: dict[str, Location] = {}
    for location, code in coded:
        if code in first_seen:
            yield (
                location,
                _(KINDS_OF_CODE[kind]) % {"code": code, "first": _dotted(first_seen[code])},
            )
        else:
            first_seen[code] = location[:-1]


def _dotted(location: Location) -> str:
    """``("dimensions", 0, "code")`` -> ``dimensions[0].code`` (no element codes: see files.py)."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
