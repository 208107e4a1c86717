"""The command line speaks the language of --lang, else of the environment, else English."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vertebra.cli import main
from vertebra.cli.base import environment_language

LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
ANSWERS = "objective,status\nL1S1,achieved\nL1S2,achieved\nL1M1,achieved\n"
# Test-only Spanish for the reading errors' messages, until the shipped catalogue has them.
TEST_SPANISH = {
    "line %(line)s, column %(column)s": "línea %(line)s, columna %(column)s",
    "%(where)s: invalid %(syntax)s: %(problem)s": "%(where)s: %(syntax)s no válido: %(problem)s",
    "%(file)s: the file is empty": "%(file)s: el archivo está vacío",
}


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "es_ES.UTF-8"}, "es"),
        ({"LANG": "es"}, "es"),
        ({"LC_ALL": "es_MX.UTF-8", "LANG": "en_GB.UTF-8"}, "es"),
        ({"LC_MESSAGES": "es_ES", "LANG": "en_US.UTF-8"}, "es"),
        ({"LANGUAGE": "fr:es", "LANG": "en_US.UTF-8"}, "es"),
        ({"LANGUAGE": "", "LC_ALL": "", "LANG": "es_ES.UTF-8"}, "es"),
        ({"LC_ALL": "C.UTF-8", "LANG": "es_ES.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({}, "en"),
    ],
)
def test_the_environment_names_the_language_when_it_is_offered(environ, language):
    assert environment_language(environ, ["en", "es"]) == language


def _environment(**variables: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    environ.pop("DATABASE_URL", None)
    return {**environ, "VERTEBRA_SECRET_KEY": "x", **variables}


def test_assess_speaks_spanish_from_lang_without_a_database(tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    # A database that cannot be reached: assess of a shipped model does not need one.
    environ = _environment(LANG="es_ES.UTF-8", DATABASE_URL="postgres://nobody@127.0.0.1:9/none")
    done = subprocess.run(
        [sys.executable, "-m", "vertebra.cli", "assess", str(answers)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[3] == "Política      S      M      A      R      T   Etapa"
    assert lines[19:23] == [
        "Liderazgo y gobernanza (L): aún ninguno",
        "Preparación (P): aún ninguno",
        "Infraestructuras y recursos (I): aún ninguno",
        "Cooperación (C): aún ninguno",
    ]
    assert lines[24] == "L1 está en Inicial; Moderada necesita L1M2, L1M3, L1M4 y L1M5."
    assert lines[28] == "L3 aún no ha alcanzado Inicial; Inicial necesita L3S1."


def test_assess_speaks_english_when_the_environment_names_no_offered_language(tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "vertebra.cli", "assess", str(answers)],
        env=_environment(LANG="pt_PT.UTF-8"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[3] == "Policy        S      M      A      R      T   Stage"
    assert lines[24] == "L1 stands at Starting; Moderate needs L1M2, L1M3, L1M4 and L1M5."


@pytest.fixture
def spanish_reading_errors(settings, tmp_path: Path) -> None:
    folder = tmp_path / "locale" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    entries = "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in TEST_SPANISH.items())
    (folder / "django.po").write_text(
        f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n{entries}',
        encoding="utf-8",
    )
    subprocess.run(
        ["msgfmt", "-o", str(folder / "django.mo"), str(folder / "django.po")], check=True
    )
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]


@pytest.fixture
def spanish_environment(monkeypatch) -> None:
    for variable in LANGUAGE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "es_ES.UTF-8")


def test_framework_validate_of_a_broken_file_speaks_spanish(
    spanish_reading_errors, spanish_environment, tmp_path, capsys
):
    broken = tmp_path / "model.yaml"
    broken.write_text("id: x\nname: [unclosed\n", encoding="utf-8")
    code = main(["framework", "validate", str(broken)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == (
        f"vertebra: {broken}: línea 3, columna 1: YAML no válido: "
        "did not find expected ',' or ']'\n"
    )


def test_framework_validate_of_an_empty_file_speaks_spanish(
    spanish_reading_errors, spanish_environment, tmp_path, capsys
):
    empty = tmp_path / "model.json"
    empty.write_text("\n", encoding="utf-8")
    code = main(["framework", "validate", str(empty)])
    assert code == 2
    assert capsys.readouterr().err == f"vertebra: {empty}: (file): el archivo está vacío\n"


def test_an_unknown_lang_is_refused_in_the_environments_language(spanish_environment, capsys):
    code = main(["report", "no-city", "--format", "pdf", "--lang", "xx", "-o", "out.pdf"])
    assert code == 2
    assert capsys.readouterr().err == (
        "vertebra: --lang: «xx» no es uno de los idiomas de esta instancia: "
        "en, es, it, de, fr, da, nb, lv.\n"
    )
