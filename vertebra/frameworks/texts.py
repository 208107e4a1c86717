"""A maturity model's texts in a person's language, from the file's ``translations``.

Pure Python, no Django. The file's own language (``language``, English for the SMR model) is
authoritative; a translation stands in for it on screen, in reports and in the API when the
person's language has one, element by element (an untranslated name keeps the file's text).
Pages show that a text is a translation and keep the original one click away.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from vertebra.frameworks.schema import Framework


@dataclass(frozen=True)
class ModelTexts:
    """Every text of one model in one language, by element code."""

    language: str  # the language of these texts: a translation's, or the file's own
    source_language: str  # the file's own language, which is authoritative
    name: str
    description: str
    stages: Mapping[str, str]
    stage_descriptions: Mapping[str, str]
    dimensions: Mapping[str, str]
    policies: Mapping[str, str]
    objectives: Mapping[str, str]
    originals: Mapping[str, str] = field(default_factory=dict)  # objective code: file's text

    @property
    def translated(self) -> bool:
        return self.language != self.source_language


def languages_of(framework: Framework) -> set[str]:
    """Every language some element of the model is translated into."""
    found = set(framework.translations)
    for stage in framework.stages:
        found.update(stage.translations)
    for dimension, policy, objective in framework.objectives():
        found.update(dimension.translations, policy.translations, objective.translations)
    return found


def translation_for(framework: Framework, language: str | None) -> str | None:
    """The model's translation that serves ``language`` ("es" for "es-AR" too), or None when
    the file's own language serves it or no translation does."""
    if not language:
        return None
    wanted = language.lower()
    base = wanted.split("-")[0]
    if base == framework.language.lower().split("-")[0]:
        return None
    available = {code.lower(): code for code in languages_of(framework)}
    for candidate in (wanted, base):
        if candidate in available:
            return available[candidate]
    return None


def texts_in(framework: Framework, language: str | None) -> ModelTexts:
    """The model's texts for ``language``: its translation where it has one, else its own."""
    chosen = translation_for(framework, language)

    def pick(own: str, translations: Mapping[str, Any], attribute: str) -> str:
        if chosen is None or chosen not in translations:
            return own
        value = getattr(translations[chosen], attribute, None)
        return value if isinstance(value, str) and value else own

    objectives = list(framework.objectives())
    return ModelTexts(
        language=chosen or framework.language,
        source_language=framework.language,
        name=pick(framework.name, framework.translations, "name"),
        description=pick(framework.description, framework.translations, "description"),
        stages={s.code: pick(s.name, s.translations, "name") for s in framework.stages},
        stage_descriptions={
            s.code: pick(s.description, s.translations, "description") for s in framework.stages
        },
        dimensions={d.code: pick(d.name, d.translations, "name") for d in framework.dimensions},
        policies=dict(_policies(framework, pick)),
        objectives={o.code: pick(o.text, o.translations, "text") for _, _, o in objectives},
        originals={o.code: o.text for _, _, o in objectives},
    )


def _policies(framework: Framework, pick: Any) -> Iterator[tuple[str, str]]:
    for dimension in framework.dimensions:
        for policy in dimension.policies:
            yield policy.code, pick(policy.name, policy.translations, "name")
