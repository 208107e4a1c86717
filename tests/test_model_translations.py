"""A model's texts in a language from its file's translations: the SMR model's Spanish, the
fallbacks, and loading a version again whose only change is in its translations."""

from __future__ import annotations

import copy
import json

import pytest
from django.utils import translation

from vertebra.frameworks.domain import (
    FrameworkConflictError,
    load_framework,
    model_texts,
    objective_titles,
    shape_of,
)
from vertebra.frameworks.files import export_file, load_shipped, meaning_digest
from vertebra.frameworks.models import FrameworkVersion, Objective
from vertebra.frameworks.schema import Framework
from vertebra.frameworks.texts import languages_of, texts_in, translation_for


def smr() -> Framework:
    return load_shipped("smr-rmm")


def test_the_smr_model_ships_spanish_for_every_name_description_and_objective():
    model = smr()
    texts = texts_in(model, "es")
    assert languages_of(model) == {"es", "it", "de", "fr", "da", "nb", "lv"}
    assert (texts.language, texts.source_language, texts.translated) == ("es", "en", True)
    assert texts.name == "Modelo de Madurez en Resiliencia de SMR"
    assert dict(texts.stages) == {
        "S": "Inicial",
        "M": "Moderada",
        "A": "Avanzada",
        "R": "Robusta",
        "T": "verTebrada",
    }
    english = texts_in(model, "en")
    for kind in ("stages", "stage_descriptions", "dimensions", "policies", "objectives"):
        spanish, own = getattr(texts, kind), getattr(english, kind)
        assert spanish.keys() == own.keys()
        assert [code for code in own if spanish[code] == own[code]] == [], kind
    assert len(texts.objectives) == 96


@pytest.mark.parametrize(
    ("language", "verTebrate"),
    [
        ("es", "verTebrada"),
        ("it", "verTebrato"),
        ("de", "verTebral"),
        ("fr", "verTébré"),
        ("da", "verTebrat"),
        ("nb", "verTebrat"),
        ("lv", "verTebrāls"),
    ],
)
def test_every_offered_language_has_every_name_description_and_objective_of_the_smr_model(
    language: str, verTebrate: str
) -> None:
    model = smr()
    texts = texts_in(model, language)
    assert (texts.language, texts.translated) == (language, True)
    assert texts.stages["T"] == verTebrate
    english = texts_in(model, "en")
    for kind in ("stages", "stage_descriptions", "dimensions", "policies", "objectives"):
        translated, own = getattr(texts, kind), getattr(english, kind)
        assert translated.keys() == own.keys(), kind
        assert all(text.strip() for text in translated.values()), kind
    # A translation, not a copy: most texts differ from the English (names such as "Robust"
    # may be the same word).
    assert sum(texts.objectives[c] != english.objectives[c] for c in english.objectives) == 96


@pytest.mark.parametrize(
    ("asked", "served"),
    [("es", "es"), ("es-AR", "es"), ("ES", "es"), ("en", None), ("en-GB", None), ("lv", "lv")],
)
def test_a_language_is_served_by_its_own_translation_or_its_base_language(asked, served):
    assert translation_for(smr(), asked) == served


def test_an_element_without_a_translation_keeps_the_files_own_text():
    document = export_file(smr())
    del document["dimensions"][0]["policies"][0]["objectives"][0]["translations"]
    del document["dimensions"][0]["translations"]
    texts = texts_in(Framework.model_validate_json(json.dumps(document)), "es")
    assert texts.objectives["L1S1"] == (
        "Establish a working team responsible for resilience issues in the city"
    )
    assert texts.dimensions["L"] == "Leadership & Governance"
    assert texts.objectives["L1S2"].startswith("Integrar la resiliencia")


@pytest.mark.django_db
def test_shapes_and_titles_follow_the_active_language():
    fv = load_framework(framework=smr()).framework_version
    with translation.override("es"):
        assert shape_of(fv).policy_name["P2"] == "Educación y formación"
        assert objective_titles(fv)["P2A2"] == "Realizar simulacros de emergencia a escala nacional"
        row = Objective.objects.get(framework_version=fv, code="P2A2")
        assert (row.shown_text, row.is_translated) == (
            "Realizar simulacros de emergencia a escala nacional",
            True,
        )
    assert shape_of(fv).policy_name["P2"] == "Education and Training"
    row = Objective.objects.get(framework_version=fv, code="P2A2")
    assert (row.shown_text, row.is_translated) == (
        "Conduct emergency drills at national level",
        False,
    )


def _changed(change) -> Framework:  # type: ignore[no-untyped-def]
    document = copy.deepcopy(export_file(smr()))
    change(document)
    return Framework.model_validate_json(json.dumps(document))


@pytest.mark.django_db
def test_a_version_whose_translations_change_is_updated_in_place():
    first = load_framework(framework=smr()).framework_version

    def retranslate(document):  # type: ignore[no-untyped-def]
        document["stages"][0]["translations"]["es"]["name"] = "Incipiente"

    changed = _changed(retranslate)
    assert meaning_digest(changed) == meaning_digest(smr())
    result = load_framework(framework=changed)
    assert (result.created, result.framework_version.pk) == (False, first.pk)
    stored = FrameworkVersion.objects.get(pk=first.pk)
    assert stored.definition["stages"][0]["translations"]["es"]["name"] == "Incipiente"
    assert model_texts(stored, "es").stages["S"] == "Incipiente"
    assert FrameworkVersion.objects.count() == 1


@pytest.mark.django_db
def test_a_version_whose_own_text_changes_is_still_refused_and_nothing_changes():
    first = load_framework(framework=smr()).framework_version

    def rewrite(document):  # type: ignore[no-untyped-def]
        document["stages"][0]["name"] = "Beginning"
        document["stages"][0]["translations"]["es"]["name"] = "Incipiente"

    with pytest.raises(FrameworkConflictError):
        load_framework(framework=_changed(rewrite))
    stored = FrameworkVersion.objects.get(pk=first.pk)
    assert (stored.digest, stored.definition) == (first.digest, first.definition)
