"""Loading maturity models into the database and getting their engine shapes back."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils.translation import get_language

from vertebra.frameworks.defaults import DEFAULT_FRAMEWORK_ID
from vertebra.frameworks.files import (
    content_digest,
    load_shipped,
    meaning_digest,
    shipped_framework_paths,
    to_shape,
)
from vertebra.frameworks.models import FrameworkVersion, Objective
from vertebra.frameworks.schema import Framework
from vertebra.frameworks.texts import ModelTexts, texts_in
from vertebra.i18n import gettext as _
from vertebra.maturity import Shape


class FrameworkConflictError(Exception):
    """The same id and version is already stored with different content."""


@dataclass(frozen=True)
class LoadResult:
    framework_version: FrameworkVersion
    created: bool


def load_framework(*, framework: Framework) -> LoadResult:
    """Store one version of a model; loading the same version again changes nothing."""
    digest = content_digest(framework)
    existing = FrameworkVersion.objects.filter(
        framework_id=framework.id, version=framework.version
    ).first()
    if existing is not None:
        if existing.digest != digest and _same_meaning(existing, framework):
            # Only its translations changed: they are taken, the version stays the same.
            existing.definition = stored_definition(framework)
            existing.digest = digest
            existing.save(update_fields=["definition", "digest"])
            return LoadResult(existing, created=False)
        if existing.digest != digest:
            raise FrameworkConflictError(
                _(
                    "%(id)s version %(version)s is already loaded with different content; give "
                    "the changed model a new version number."
                )
                % {"id": framework.id, "version": framework.version}
            )
        return LoadResult(existing, created=False)
    with transaction.atomic():
        fv = FrameworkVersion.objects.create(
            framework_id=framework.id,
            version=framework.version,
            name=framework.name,
            digest=digest,
            definition=stored_definition(framework),
        )
        Objective.objects.bulk_create(objective_rows(framework, framework_version=fv))
    return LoadResult(fv, created=True)


def _same_meaning(existing: FrameworkVersion, framework: Framework) -> bool:
    return meaning_digest(framework_of(existing)) == meaning_digest(framework)


def objective_rows(framework: Framework, *, framework_version: FrameworkVersion) -> list[Objective]:
    """The objective rows that stand for a model version, in the model's order (unsaved)."""
    return [
        Objective(
            framework_version=framework_version,
            code=objective.code,
            dimension_code=dimension.code,
            policy_code=policy.code,
            stage_code=objective.stage,
            position=position,
            text=objective.text,
        )
        for position, (dimension, policy, objective) in enumerate(framework.objectives(), start=1)
    ]


def stored_definition(framework: Framework) -> dict[str, object]:
    """The model as a version's ``definition`` holds it."""
    return framework.model_dump(mode="json", exclude_none=True)


def load_shipped_frameworks() -> list[LoadResult]:
    return [
        load_framework(framework=load_shipped(fid)) for fid in sorted(shipped_framework_paths())
    ]


@lru_cache(maxsize=32)
def _framework_from_definition(pk: int, digest: str) -> Framework:
    fv = FrameworkVersion.objects.get(pk=pk)
    return Framework.model_validate_json(json.dumps(fv.definition))


def framework_of(fv: FrameworkVersion) -> Framework:
    """The validated model for a stored version (cached: versions never change)."""
    shipped = shipped_framework_paths()
    if fv.framework_id in shipped:
        candidate = load_shipped(fv.framework_id)
        if candidate.version == fv.version and content_digest(candidate) == fv.digest:
            return candidate
    return _framework_from_definition(fv.pk, fv.digest)


def _language(language: str | None) -> str:
    return language or get_language() or settings.LANGUAGE_CODE


def own_language_active() -> bool:
    """Whether the active language is the instance's own, which reads the models' own texts
    (no translation is looked up, so no query is made for it)."""
    return _language(None).split("-")[0] == settings.LANGUAGE_CODE.split("-")[0]


@lru_cache(maxsize=64)
def _shape_for(pk: int, digest: str, framework_id: str, language: str) -> Shape:
    fv = FrameworkVersion.objects.get(pk=pk)
    return to_shape(framework_of(fv), language)


def shape_of(fv: FrameworkVersion, language: str | None = None) -> Shape:
    """The engine's shape of a version, its names in ``language`` (the active one when not
    given) where the model has a translation."""
    return _shape_for(fv.pk, fv.digest, fv.framework_id, _language(language))


@lru_cache(maxsize=64)
def _texts_for(pk: int, digest: str, language: str) -> ModelTexts:
    return texts_in(framework_of(FrameworkVersion.objects.get(pk=pk)), language)


def model_texts(fv: FrameworkVersion, language: str | None = None) -> ModelTexts:
    """Every text of a version in ``language`` (the active one when not given), cached:
    a version's texts change only with its digest."""
    return _texts_for(fv.pk, fv.digest, _language(language))


def objective_titles(fv: FrameworkVersion, language: str | None = None) -> dict[str, str]:
    """Objective code to its text, in ``language`` (the active one when not given) where the
    model has a translation, else in the model's own language."""
    return dict(model_texts(fv, language).objectives)


# The texts of stored objective rows, by version id and language, checked against the row's
# own text so that a version id reused (a test database, a restore) never shows stale text.
_ROW_TEXTS: dict[tuple[int, str], ModelTexts] = {}


def objective_text(objective: Objective, language: str | None = None) -> str:
    """An objective row's text in ``language`` (the active one when not given)."""
    if language is None and own_language_active():
        return objective.text
    language = _language(language)
    key = (objective.framework_version_id, language)
    texts = _ROW_TEXTS.get(key)
    if texts is None or texts.originals.get(objective.code) != objective.text:
        texts = model_texts(objective.framework_version, language)
        _ROW_TEXTS[key] = texts
    if not texts.translated:
        return objective.text
    return texts.objectives.get(objective.code, objective.text)


def objective_is_translated(objective: Objective, language: str | None = None) -> bool:
    return objective_text(objective, language) != objective.text


def latest_version(framework_id: str) -> FrameworkVersion:
    """The newest stored version; a shipped model not loaded yet is loaded first."""
    fv = FrameworkVersion.objects.filter(framework_id=framework_id).order_by("-version").first()
    if fv is None and framework_id in shipped_framework_paths():
        fv = load_framework(framework=load_shipped(framework_id)).framework_version
    if fv is None:
        raise FrameworkVersion.DoesNotExist(f"No framework {framework_id!r} is loaded.")
    return fv


# --- choosing a model and version ---------------------------------------------------------

REFERENCE_RE = re.compile(r"^(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)(?:@(?P<version>[0-9]{1,9}))?$")


class ModelChoiceError(Exception):
    """A model or version that cannot be used; ``errors`` maps the field to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


def parse_reference(text: str, *, field: str = "framework") -> tuple[str, int | None]:
    """``ID`` or ``ID@VERSION`` as (id, version or None)."""
    match = REFERENCE_RE.fullmatch(text.strip())
    if match is None:
        raise ModelChoiceError(
            {
                field: _(
                    "“%(value)s” is not a maturity model: write its id, optionally with "
                    "@ and a version, as in “%(example)s@1”."
                )
                % {"value": text[:80], "example": DEFAULT_FRAMEWORK_ID}
            }
        )
    version = match.group("version")
    return match.group("id"), int(version) if version is not None else None


def loaded_versions() -> list[FrameworkVersion]:
    """Every stored version, each model's newest first; the default model is loaded if need be."""
    latest_version(DEFAULT_FRAMEWORK_ID)
    return list(FrameworkVersion.objects.order_by("framework_id", "-version"))


def choose_version(
    *,
    framework_id: str | None = None,
    version: int | None = None,
    continuing: FrameworkVersion | None = None,
) -> FrameworkVersion:
    """The model version a new assessment uses: the one chosen, else the default.

    Without a choice, an empty assessment uses the default model's newest version, and a new
    cycle (``continuing``: the version of the assessment it continues) the same version. A new
    cycle keeps its model and may move to a newer version of it, never back to an older one.
    Raises :class:`ModelChoiceError` naming the field (``framework`` or ``version``).
    """
    if continuing is not None:
        if framework_id not in (None, continuing.framework_id):
            raise ModelChoiceError(
                {
                    "framework": _(
                        "A new cycle keeps the maturity model of the assessment it continues "
                        "(%(framework)s); start an empty assessment to use another model."
                    )
                    % {"framework": continuing.framework_id}
                }
            )
        if version is None:
            return continuing
        framework_id = continuing.framework_id
    framework_id = framework_id or DEFAULT_FRAMEWORK_ID
    try:
        newest = latest_version(framework_id)
    except FrameworkVersion.DoesNotExist:
        known = sorted(set(FrameworkVersion.objects.values_list("framework_id", flat=True)))
        raise ModelChoiceError(
            {
                "framework": _("No maturity model “%(framework)s” is loaded (loaded: %(known)s).")
                % {"framework": framework_id[:80], "known": ", ".join(known) or "-"}
            }
        ) from None
    if version is None or version == newest.version:
        return newest
    chosen = FrameworkVersion.objects.filter(framework_id=framework_id, version=version).first()
    if chosen is None:
        versions = FrameworkVersion.objects.filter(framework_id=framework_id).order_by("version")
        raise ModelChoiceError(
            {
                "version": _(
                    "%(framework)s has no version %(version)s (loaded versions: %(known)s)."
                )
                % {
                    "framework": framework_id,
                    "version": version,
                    "known": ", ".join(str(v) for v in versions.values_list("version", flat=True)),
                }
            }
        )
    if continuing is not None and chosen.version < continuing.version:
        raise ModelChoiceError(
            {
                "version": _(
                    "A new cycle cannot go back to an older version: the assessment it "
                    "continues uses version %(version)s."
                )
                % {"version": continuing.version}
            }
        )
    return chosen


# --- what changed between two versions -----------------------------------------------------


@dataclass(frozen=True)
class ObjectiveChange:
    code: str
    old_text: str
    new_text: str


@dataclass(frozen=True)
class VersionChanges:
    """The objectives added, removed and changed (their text) from one version of a model to
    another, each in model order. An objective's code names its policy and stage, so an
    objective that moves is one removed and one added."""

    added: list[ObjectiveChange]
    removed: list[ObjectiveChange]
    changed: list[ObjectiveChange]

    @property
    def none(self) -> bool:
        return not (self.added or self.removed or self.changed)


def version_changes(older: FrameworkVersion, newer: FrameworkVersion) -> VersionChanges:
    """What a move from ``older`` to ``newer`` (two versions of one model) changes."""
    old = {o.code: o for _d, _p, o in framework_of(older).objectives()}
    new = {o.code: o for _d, _p, o in framework_of(newer).objectives()}
    return VersionChanges(
        added=[ObjectiveChange(c, "", o.text) for c, o in new.items() if c not in old],
        removed=[ObjectiveChange(c, o.text, "") for c, o in old.items() if c not in new],
        changed=[
            ObjectiveChange(c, old[c].text, o.text)
            for c, o in new.items()
            if c in old and old[c].text != o.text
        ],
    )
