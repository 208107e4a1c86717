"""Loading maturity models into the database and getting their engine shapes back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction

from vertebra.frameworks.files import (
    content_digest,
    load_shipped,
    shipped_framework_paths,
    to_shape,
)
from vertebra.frameworks.models import FrameworkVersion, Objective
from vertebra.frameworks.schema import Framework
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
        if existing.digest != digest:
            raise FrameworkConflictError(
                f"{framework.id} version {framework.version} is already loaded with different "
                "content; give the changed model a new version number."
            )
        return LoadResult(existing, created=False)
    with transaction.atomic():
        fv = FrameworkVersion.objects.create(
            framework_id=framework.id,
            version=framework.version,
            name=framework.name,
            digest=digest,
            definition=framework.model_dump(mode="json", exclude_none=True),
        )
        rows = []
        position = 0
        for dimension in framework.dimensions:
            for policy in dimension.policies:
                for objective in policy.objectives:
                    position += 1
                    rows.append(
                        Objective(
                            framework_version=fv,
                            code=objective.code,
                            dimension_code=dimension.code,
                            policy_code=policy.code,
                            stage_code=objective.stage,
                            position=position,
                            text=objective.text,
                        )
                    )
        Objective.objects.bulk_create(rows)
    return LoadResult(fv, created=True)


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


@lru_cache(maxsize=32)
def _shape_for(pk: int, digest: str, framework_id: str) -> Shape:
    fv = FrameworkVersion.objects.get(pk=pk)
    return to_shape(framework_of(fv))


def shape_of(fv: FrameworkVersion) -> Shape:
    return _shape_for(fv.pk, fv.digest, fv.framework_id)


@lru_cache(maxsize=32)
def _titles_for(pk: int, digest: str) -> dict[str, str]:
    framework = framework_of(FrameworkVersion.objects.get(pk=pk))
    return {
        objective.code: objective.text
        for dimension in framework.dimensions
        for policy in dimension.policies
        for objective in policy.objectives
    }


def objective_titles(fv: FrameworkVersion) -> dict[str, str]:
    """Objective code to its text, in the model's language (cached: versions never change)."""
    return _titles_for(fv.pk, fv.digest)


def latest_version(framework_id: str) -> FrameworkVersion:
    """The newest stored version; a shipped model not loaded yet is loaded first."""
    fv = FrameworkVersion.objects.filter(framework_id=framework_id).order_by("-version").first()
    if fv is None and framework_id in shipped_framework_paths():
        fv = load_framework(framework=load_shipped(framework_id)).framework_version
    if fv is None:
        raise FrameworkVersion.DoesNotExist(f"No framework {framework_id!r} is loaded.")
    return fv
