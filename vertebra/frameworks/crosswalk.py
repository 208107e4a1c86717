"""Crosswalk files: links from a maturity model's objectives to the items of another reference
(such as the UNDRR Ten Essentials for Making Cities Resilient). Pure Python, no Django (its
problems are worded in the active language once Django is set up, vertebra/i18n.py).

A crosswalk file is validated like a model file (strict structure first, then meaning, every
problem with its location); ``docs/FRAMEWORK-FORMAT.md`` describes it. It names the model version
it reads, and :func:`problems_against` checks its objective codes against that model.

:func:`reference_view` turns a crosswalk and an assessment's answers into what the "Essentials"
view, the API and the PDF show: for each item, its linked objectives and how many are achieved.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from vertebra.frameworks.files import FrameworkFileError, parse_document, read_bounded
from vertebra.frameworks.schema import (
    Code,
    FormatVersion,
    Framework,
    Language,
    Location,
    NameDescriptionTranslation,
    Slug,
    Text,
    _duplicates,
    _Strict,
)
from vertebra.i18n import gettext as _

CROSSWALK_DIR = Path(__file__).resolve().parent / "crosswalks"

ACHIEVED = "achieved"
NOT_APPLICABLE = "not_applicable"


class NoteTranslation(_Strict):
    note: Text


class ItemTranslation(_Strict):
    name: Text | None = None
    description: Text | None = None


class ReferenceItem(_Strict):
    code: Code
    name: Text
    description: Text | None = None
    translations: dict[Language, ItemTranslation] = Field(default_factory=dict)


class ReferenceTranslation(_Strict):
    name: Text | None = None
    short_name: Annotated[Text, Field(max_length=40)] | None = None


class Reference(_Strict):
    """The other reference: its id, name, where it is published and its items in order."""

    id: Slug
    name: Annotated[Text, Field(max_length=200)]
    short_name: Annotated[Text, Field(max_length=40)] | None = None
    url: Text | None = None
    items: list[ReferenceItem] = Field(min_length=1)
    translations: dict[Language, ReferenceTranslation] = Field(default_factory=dict)


class ModelVersion(_Strict):
    id: Slug
    version: int = Field(gt=0)


class Link(_Strict):
    objective: Code
    item: Code
    note: Text | None = None
    translations: dict[Language, NoteTranslation] = Field(default_factory=dict)


class Crosswalk(_Strict):
    """A whole crosswalk file: one model version's objectives linked to a reference's items."""

    TITLE: ClassVar[str] = "Crosswalk"

    format: FormatVersion
    kind: Literal["crosswalk"]
    id: Slug
    version: int = Field(gt=0)
    name: Annotated[Text, Field(max_length=200)]
    description: Text
    language: Language = "en"
    framework: ModelVersion
    reference: Reference
    links: list[Link] = Field(min_length=1)
    translations: dict[Language, NameDescriptionTranslation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_semantics(self) -> Crosswalk:
        problems = list(self._semantic_problems())
        if problems:
            raise ValidationError.from_exception_data(
                self.TITLE,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("crosswalk_rule", message),
                        loc=location,
                        input=None,
                    )
                    for location, message in problems
                ],
            )
        return self

    def _semantic_problems(self) -> Iterator[tuple[Location, str]]:
        items = self.reference.items
        yield from _duplicates(
            "item", ((("reference", "items", i, "code"), item.code) for i, item in enumerate(items))
        )
        declared = {item.code for item in items}
        seen: dict[tuple[str, str], int] = {}
        for n, link in enumerate(self.links):
            if link.item not in declared:
                yield (
                    ("links", n, "item"),
                    _("item %(item)r is not an item of the reference (%(items)s)")
                    % {
                        "item": link.item,
                        "items": ", ".join(dict.fromkeys(item.code for item in items)),
                    },
                )
            key = (link.objective, link.item)
            if key in seen:
                yield (
                    ("links", n),
                    _("objective %(objective)r is already linked to %(item)r (%(first)s)")
                    % {
                        "objective": link.objective,
                        "item": link.item,
                        "first": f"links[{seen[key]}]",
                    },
                )
            else:
                seen[key] = n


def items_by_objective(crosswalk: Crosswalk) -> dict[str, list[ReferenceItem]]:
    """The reference items each linked objective supports, in the reference's order."""
    order = {item.code: n for n, item in enumerate(crosswalk.reference.items)}
    by_code = {item.code: item for item in crosswalk.reference.items}
    linked: dict[str, list[ReferenceItem]] = {}
    for link in crosswalk.links:
        linked.setdefault(link.objective, []).append(by_code[link.item])
    return {
        code: sorted(items, key=lambda item: order[item.code]) for code, items in linked.items()
    }


def parse_crosswalk(data: bytes, *, filename: str) -> Crosswalk:
    """Parse and validate a crosswalk file's bytes (YAML or JSON, by extension)."""
    return parse_document(data, filename=filename, model=Crosswalk)


def read_crosswalk_file(path: str | Path) -> Crosswalk:
    return parse_crosswalk(read_bounded(path), filename=str(path))


def problems_against(crosswalk: Crosswalk, framework: Framework) -> list[str]:
    """What does not fit between a crosswalk and the model version it names, one line each."""
    if (crosswalk.framework.id, crosswalk.framework.version) != (framework.id, framework.version):
        return [
            _(
                "%(where)s: the crosswalk reads %(id)s version %(version)s, not %(other)s "
                "version %(other_version)s"
            )
            % {
                "where": "framework",
                "id": crosswalk.framework.id,
                "version": crosswalk.framework.version,
                "other": framework.id,
                "other_version": framework.version,
            }
        ]
    codes = {objective.code for _, _, objective in framework.objectives()}
    return [
        _("%(where)s: %(objective)r is not an objective of %(id)s version %(version)s")
        % {
            "where": f"links[{n}].objective",
            "objective": link.objective,
            "id": framework.id,
            "version": framework.version,
        }
        for n, link in enumerate(crosswalk.links)
        if link.objective not in codes
    ]


def shipped_crosswalk_paths() -> list[Path]:
    return sorted(CROSSWALK_DIR.glob("*.yaml"))


@functools.cache
def shipped_crosswalks() -> tuple[Crosswalk, ...]:
    """The crosswalks shipped with Vertebra, parsed once per process (treat as read-only)."""
    return tuple(read_crosswalk_file(path) for path in shipped_crosswalk_paths())


def crosswalks_for(framework_id: str, version: int, language: str | None = None) -> list[Crosswalk]:
    """The shipped crosswalks that read this model version, their texts in ``language`` where
    they have it (see :func:`in_language`)."""
    return [
        in_language(crosswalk, language) if language else crosswalk
        for crosswalk in shipped_crosswalks()
        if (crosswalk.framework.id, crosswalk.framework.version) == (framework_id, version)
    ]


@functools.lru_cache(maxsize=64)
def _in_language(index: int, language: str) -> Crosswalk:
    crosswalk = shipped_crosswalks()[index]
    base = language.split("-")[0]

    def pick(translations: Mapping[str, object]) -> object | None:
        return translations.get(language) or translations.get(base)

    def text(translated: object | None, field: str, original: str | None) -> str | None:
        value = getattr(translated, field, None) if translated is not None else None
        return value or original

    own = pick(crosswalk.translations)
    ref = crosswalk.reference
    ref_t = pick(ref.translations)
    items = [
        item.model_copy(
            update={
                "name": text(pick(item.translations), "name", item.name),
                "description": text(pick(item.translations), "description", item.description),
            }
        )
        for item in ref.items
    ]
    links = [
        link.model_copy(update={"note": text(pick(link.translations), "note", link.note)})
        for link in crosswalk.links
    ]
    reference = ref.model_copy(
        update={
            "name": text(ref_t, "name", ref.name),
            "short_name": text(ref_t, "short_name", ref.short_name),
            "items": items,
        }
    )
    return crosswalk.model_copy(
        update={
            "name": text(own, "name", crosswalk.name),
            "description": text(own, "description", crosswalk.description),
            "reference": reference,
            "links": links,
        }
    )


def in_language(crosswalk: Crosswalk, language: str) -> Crosswalk:
    """A shipped crosswalk with its names, descriptions and notes in ``language`` (or its base
    language, ``nb`` for ``nb-NO``) where the file has them; the original texts elsewhere."""
    for index, shipped in enumerate(shipped_crosswalks()):
        if shipped is crosswalk:
            return _in_language(index, language)
    return crosswalk


def crosswalk_for(framework_id: str, version: int, crosswalk_id: str) -> Crosswalk | None:
    return next(
        (c for c in crosswalks_for(framework_id, version) if c.id == crosswalk_id),
        None,
    )


# -- what an assessment looks like through a crosswalk -------------------------------------------


@dataclass(frozen=True)
class LinkedObjective:
    code: str
    text: str
    status: str
    note: str | None


@dataclass(frozen=True)
class ItemView:
    code: str
    name: str
    description: str | None
    objectives: tuple[LinkedObjective, ...]

    @property
    def linked(self) -> int:
        return len(self.objectives)

    @property
    def achieved(self) -> int:
        return sum(1 for o in self.objectives if o.status == ACHIEVED)

    @property
    def not_applicable(self) -> int:
        return sum(1 for o in self.objectives if o.status == NOT_APPLICABLE)

    @property
    def applicable(self) -> int:
        return self.linked - self.not_applicable

    @property
    def percent(self) -> int | None:
        """Achieved objectives among the applicable linked ones, in whole percent."""
        if not self.applicable:
            return None
        return round(100 * self.achieved / self.applicable)


def reference_view(
    crosswalk: Crosswalk,
    *,
    objective_order: list[str],
    titles: Mapping[str, str],
    statuses: Mapping[str, str],
) -> list[ItemView]:
    """For each item of the reference, its linked objectives (in the model's order) with their
    status (``not_started`` when unanswered) and the link's note. The names, descriptions and
    notes are the crosswalk's own: in a language when it comes from :func:`crosswalks_for`
    with one (the one place that translates them)."""
    position = {code: n for n, code in enumerate(objective_order)}
    links: dict[str, list[Link]] = {}
    for link in crosswalk.links:
        if link.objective in position:
            links.setdefault(link.item, []).append(link)
    views = []
    for item in crosswalk.reference.items:
        linked = sorted(links.get(item.code, []), key=lambda link: position[link.objective])
        views.append(
            ItemView(
                code=item.code,
                name=item.name,
                description=item.description,
                objectives=tuple(
                    LinkedObjective(
                        code=link.objective,
                        text=titles.get(link.objective, link.objective),
                        status=statuses.get(link.objective, "not_started"),
                        note=link.note,
                    )
                    for link in linked
                ),
            )
        )
    return views


__all__ = [
    "Crosswalk",
    "FrameworkFileError",
    "ItemView",
    "crosswalk_for",
    "crosswalks_for",
    "items_by_objective",
    "parse_crosswalk",
    "problems_against",
    "read_crosswalk_file",
    "reference_view",
    "shipped_crosswalks",
]


# -- what an objective supports ------------------------------------------------------------------


@dataclass(frozen=True)
class Supported:
    """The items of one reference an objective supports, as the objective's card names them."""

    crosswalk: str
    reference: str
    items: tuple[tuple[str, str], ...]  # (code, name) in the reference's order


@functools.lru_cache(maxsize=64)
def supported_by_objective(
    framework_id: str, version: int, language: str
) -> dict[str, tuple[Supported, ...]]:
    """For a model version, what each objective supports in each shipped crosswalk."""
    supported: dict[str, list[Supported]] = {}
    for crosswalk in crosswalks_for(framework_id, version, language):
        reference = crosswalk.reference.name
        for code, items in items_by_objective(crosswalk).items():
            named = tuple((item.code, item.name) for item in items)
            supported.setdefault(code, []).append(Supported(crosswalk.id, reference, named))
    return {code: tuple(groups) for code, groups in supported.items()}
