"""Everything the command line prints for people follows --lang or the environment: the help,
argparse's own words, the model's names in `assess` and the problems of a model file."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from vertebra.cli import main
from vertebra.cli.base import peek

LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
ANSWERS = "objective,status\nL1S1,achieved\n"
BROKEN_MODEL = "id: x\nversion: 0\n"


@pytest.fixture
def language(monkeypatch):
    """Set the environment's language (or none) and a fixed width for argparse's wrapping."""
    for variable in LANGUAGE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "100")

    def choose(value: str | None) -> None:
        if value is not None:
            monkeypatch.setenv("LANG", value)

    return choose


def _help(arguments, capsys) -> str:
    with pytest.raises(SystemExit) as done:
        main(arguments)
    assert done.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "environment"), [(["--lang", "es"], None), ([], "es_ES.UTF-8")]
)
def test_vertebra_help_speaks_spanish(language, capsys, arguments, environment):
    language(environment)
    out = _help([*arguments, "--help"], capsys)
    lines = out.splitlines()
    assert lines[0] == "uso: vertebra [-h] [--version] [--lang LANG] COMMAND ..."
    assert lines[2] == "Vertebra: mida y haga crecer la madurez en resiliencia de una ciudad."
    assert "argumentos posicionales:" in lines
    assert "opciones:" in lines
    assert "  -h, --help   muestra este mensaje de ayuda y termina" in lines
    assert "    assess     calcula el perfil de madurez de un archivo de respuestas" in lines


@pytest.mark.parametrize(
    "arguments", [["framework", "validate", "--lang", "es"], ["--lang=es", "framework", "validate"]]
)
def test_a_subcommands_help_speaks_spanish(language, capsys, arguments):
    language(None)
    out = _help([*arguments, "--help"], capsys)
    assert out.splitlines()[0] == "uso: vertebra framework validate [-h] [--lang LANG] FILE"
    assert (
        "Comprueba un archivo de modelo de madurez (YAML o JSON). Termina con 0 si es válido y "
        "con 2 si no lo es." in " ".join(out.split())
    )
    assert "muestra este mensaje de ayuda y termina" in out


@pytest.mark.parametrize(
    ("arguments", "environment"), [(["--lang", "es"], None), ([], "es_ES.UTF-8")]
)
def test_a_missing_argument_is_refused_in_spanish(language, capsys, arguments, environment):
    language(environment)
    with pytest.raises(SystemExit) as done:
        main(["assess", *arguments])
    assert done.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1] == (
        "vertebra assess: error: faltan los siguientes argumentos obligatorios: RESPONSES"
    )
    assert err.startswith("uso: vertebra assess [-h]")


def test_an_invalid_choice_is_refused_in_spanish(language, capsys):
    language("es_ES.UTF-8")
    with pytest.raises(SystemExit):
        main(["assess", "answers.csv", "--format", "xml"])
    assert capsys.readouterr().err.splitlines()[-1] == (
        "vertebra assess: error: argumento --format: opción no válida: 'xml' "
        "(elija entre 'table', 'json')"
    )


@pytest.mark.parametrize(
    ("arguments", "environment"), [(["--lang", "es"], None), ([], "es_ES.UTF-8")]
)
def test_assess_names_the_model_in_spanish(language, capsys, tmp_path, arguments, environment):
    language(environment)
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    assert main(["assess", str(answers), *arguments]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "Modelo de Madurez en Resiliencia de SMR (versión 1)",
        "Respondidos: 1 de 96 objetivos",
    ]
    assert lines[19:23] == [
        "Liderazgo y gobernanza (L): aún ninguno",
        "Preparación (P): aún ninguno",
        "Infraestructuras y recursos (I): aún ninguno",
        "Cooperación (C): aún ninguno",
    ]
    assert lines[24] == "L1 aún no ha alcanzado Inicial; Inicial necesita L1S2."


@pytest.mark.parametrize(
    ("arguments", "environment"), [(["--lang", "es"], None), ([], "es_ES.UTF-8")]
)
def test_framework_validate_names_a_broken_files_problems_in_spanish(
    language, capsys, tmp_path, arguments, environment
):
    language(environment)
    broken = tmp_path / "model.yaml"
    broken.write_text(BROKEN_MODEL, encoding="utf-8")
    assert main(["framework", "validate", str(broken), *arguments]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"vertebra: {broken}: format: falta un campo obligatorio",
        f"vertebra: {broken}: version: debe ser un número entero positivo, pero es 0",
        f"vertebra: {broken}: name: falta un campo obligatorio",
        f"vertebra: {broken}: description: falta un campo obligatorio",
        f"vertebra: {broken}: stages: falta un campo obligatorio",
        f"vertebra: {broken}: dimensions: falta un campo obligatorio",
    ]


def test_lang_c_speaks_english(language, capsys, tmp_path):
    language("C")
    out = _help(["--help"], capsys)
    assert out.splitlines()[0] == "usage: vertebra [-h] [--version] [--lang LANG] COMMAND ..."
    assert "  -h, --help   show this help message and exit" in out.splitlines()
    broken = tmp_path / "model.yaml"
    broken.write_text(BROKEN_MODEL, encoding="utf-8")
    assert main(["framework", "validate", str(broken)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"vertebra: {broken}: format: missing required field"
    )


def test_argparse_speaks_its_own_words_again_after_a_command(language, capsys):
    language("es_ES.UTF-8")
    _help(["--help"], capsys)
    parser = argparse.ArgumentParser(prog="other")
    assert parser.format_usage() == "usage: other [-h]\n"


@pytest.mark.parametrize(
    ("arguments", "found"),
    [
        (["--lang", "es", "assess", "f"], ("assess", "es")),
        (["assess", "f", "--lang=de"], ("assess", "de")),
        (["--lang", "es", "serve"], ("serve", "es")),
        (["assess", "--", "--lang", "es"], ("assess", None)),
        (["--help"], (None, None)),
    ],
)
def test_the_language_and_command_are_read_before_the_parser_is_built(arguments, found):
    assert peek(arguments) == found


def _without_settings(**variables: str) -> dict[str, str]:
    """An environment whose settings cannot be read (a wrong value) and with no database."""
    environ = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    environ.pop("DATABASE_URL", None)
    return {
        **environ,
        "VERTEBRA_SECRET_KEY": "x",
        "VERTEBRA_DEBUG": "maybe",
        "COLUMNS": "100",
        **variables,
    }


def _vertebra(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vertebra.cli", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_readable_settings_the_command_line_speaks_english_and_works(tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    environ = _without_settings(LANG="es_ES.UTF-8")
    helped = _vertebra("--help", env=environ)
    assert (helped.returncode, helped.stderr) == (0, "")
    assert helped.stdout.splitlines()[0] == (
        "usage: vertebra [-h] [--version] [--lang LANG] COMMAND ..."
    )
    assessed = _vertebra("assess", str(answers), env=environ)
    assert (assessed.returncode, assessed.stderr) == (0, "")
    lines = assessed.stdout.splitlines()
    assert lines[0] == "SMR Resilience Maturity Model (version 1)"
    assert lines[24] == "L1 has not reached Starting yet; Starting needs L1S2."
    broken = tmp_path / "model.yaml"
    broken.write_text(BROKEN_MODEL, encoding="utf-8")
    refused = _vertebra("framework", "validate", str(broken), env=environ)
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[0] == f"vertebra: {broken}: format: missing required field"


@pytest.mark.django_db
def test_framework_list_names_the_models_in_spanish(language, capsys):
    language("es_ES.UTF-8")
    assert main(["framework", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "VERSIÓN", "ESTADO", "NOMBRE"]
    smr = next(line for line in lines if line.startswith("smr-rmm "))
    assert smr.endswith(" Modelo de Madurez en Resiliencia de SMR")
    assert "incluido" in smr
