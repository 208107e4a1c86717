"""The interface's catalogues: every offered language has every message of the code, none
fuzzy, none broken; the others are extracted and well-formed (docs/TRANSLATING.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from vertebra import translations
from vertebra.translations import DOMAINS, catalogue, problems, untranslated

REPO = Path(__file__).resolve().parent.parent
OTHER_LANGUAGES = [code for code, _ in django_settings.INTERFACE_LANGUAGES if code != "en"]
OFFERED = [code for code, _ in django_settings.LANGUAGES if code != "en"]

HEADER = """msgid ""
msgstr ""
"Language: es\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The catalogues as `make messages` would leave them now: the shipped ones, brought up
    to date with the code in a scratch folder."""
    folder = tmp_path_factory.mktemp("locale")
    shutil.copytree(translations.CATALOGUES, folder, dirs_exist_ok=True)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(django_settings, "LOCALE_PATHS", list(django_settings.LOCALE_PATHS))
    try:
        translations.extract(OTHER_LANGUAGES, folder)
    finally:
        monkeypatch.undo()
    return folder


def test_the_eight_languages_are_the_interface_languages_and_all_are_offered():
    assert [code for code, _ in django_settings.INTERFACE_LANGUAGES] == [
        "en",
        "es",
        "it",
        "de",
        "fr",
        "da",
        "nb",
        "lv",
    ]
    assert django_settings.LANGUAGES == django_settings.INTERFACE_LANGUAGES


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_catalogue_is_shipped_and_passes_msgfmt_check(language, domain):
    path = catalogue(translations.CATALOGUES, language, domain)
    assert path.is_file()
    assert problems(path, complete=False) == []


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_catalogue_passes_the_checks_of_the_compiler_make_uses(language, domain):
    """`make compilemessages` compiles with Babel, whose checks are not msgfmt's: a plural form
    may only use the placeholders of its own message (Babel checks every form against both)."""
    from babel.messages.pofile import read_po

    with catalogue(translations.CATALOGUES, language, domain).open("rb") as handle:
        checked = read_po(handle)
    assert [
        (str(message.id), [str(e) for e in errors]) for message, errors in checked.check()
    ] == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogues_hold_exactly_the_messages_of_the_code(extracted, domain):
    for language in OTHER_LANGUAGES:
        shipped = translations.messages_of(catalogue(translations.CATALOGUES, language, domain))
        now = translations.messages_of(catalogue(extracted, language, domain))
        assert (language, sorted(now - shipped), sorted(shipped - now)) == (language, [], [])


@pytest.mark.parametrize("language", OFFERED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_an_offered_language_translates_every_message_of_the_code(extracted, language, domain):
    assert problems(catalogue(extracted, language, domain), complete=True) == []


@pytest.mark.parametrize("language", sorted(set(OTHER_LANGUAGES) - set(OFFERED)))
def test_a_language_is_offered_once_its_catalogues_are_complete(language):
    missing = [
        problem
        for domain in DOMAINS
        for problem in untranslated(catalogue(translations.CATALOGUES, language, domain))
    ]
    assert missing, f"{language} is complete: add it to OFFERED_LANGUAGES in settings.py"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "django.po"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_a_message_without_translation_is_a_problem(tmp_path):
    path = write(tmp_path, 'msgid "Save"\nmsgstr "Guardar"\n\nmsgid "Close"\nmsgstr ""\n')
    assert [str(p) for p in problems(path, complete=True)] == [f"{path}: not translated: 'Close'"]


def test_a_fuzzy_translation_is_a_problem(tmp_path):
    path = write(tmp_path, '#, fuzzy\nmsgid "Save"\nmsgstr "Guardar"\n')
    assert [str(p) for p in problems(path, complete=True)] == [f"{path}: fuzzy: 'Save'"]


def test_a_plural_with_one_form_missing_is_a_problem(tmp_path):
    path = write(
        tmp_path,
        'msgid "One file"\nmsgid_plural "%(n)s files"\nmsgstr[0] "Un archivo"\nmsgstr[1] ""\n',
    )
    assert [str(p) for p in problems(path, complete=True)] == [
        f"{path}: not translated: 'One file'"
    ]


def test_a_translation_that_breaks_its_placeholders_is_a_problem_for_msgfmt(tmp_path):
    path = write(
        tmp_path,
        '#, python-format\nmsgid "%(count)s objectives"\nmsgstr "%(cuenta)s objetivos"\n',
    )
    found = problems(path, complete=False)
    assert len(found) == 1
    assert found[0].message.startswith("msgfmt --check: ")
    assert "argument 'count' doesn't exist in 'msgstr'" in found[0].message


def test_a_complete_catalogue_has_no_problem(tmp_path):
    path = write(tmp_path, '#, python-format\nmsgid "%(n)s saved"\nmsgstr "%(n)s guardados"\n')
    assert problems(path, complete=True) == []
