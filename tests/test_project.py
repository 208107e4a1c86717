"""The project keeps its promises about itself: migrations, docs and settings stay in step."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from vertebra.cli.docs import render

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert out.getvalue() == "No changes detected\n"


def test_cli_reference_matches_the_commands_help():
    committed = (ROOT / "docs/CLI.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/CLI.md is stale: run `make docs-cli`"


def test_every_environment_variable_is_documented():
    settings_source = (ROOT / "vertebra/settings.py").read_text(encoding="utf-8")
    used = set(re.findall(r'env_(?:str|bool|list)\("([A-Z_]+)"', settings_source))
    used |= set(re.findall(r'os\.environ(?:\.get)?\(\s*"([A-Z_]+)"', settings_source))
    used |= set(re.findall(r'os\.environ\["([A-Z_]+)"\]', settings_source))
    documented = set(
        re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "docs/CONFIGURATION.md").read_text(), re.M)
    )
    assert used == documented
