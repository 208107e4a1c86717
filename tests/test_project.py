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
    settings_source = "".join(
        (ROOT / f"vertebra/{name}.py").read_text(encoding="utf-8")
        for name in ("settings", "instance")
    )
    used = set(re.findall(r'env_[a-z]+\("([A-Z_]+)"', settings_source))
    used |= set(re.findall(r'os\.environ(?:\.get)?\(\s*"([A-Z_]+)"', settings_source))
    used |= set(re.findall(r'os\.environ\["([A-Z_]+)"\]', settings_source))
    # Single sign-on names its variables once, as constants (vertebra/sso.py).
    sso_source = (ROOT / "vertebra/sso.py").read_text(encoding="utf-8")
    used |= set(re.findall(r'^[A-Z_]+ = "(VERTEBRA_[A-Z_]+)"', sso_source, re.M))
    documented = set(
        re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "docs/CONFIGURATION.md").read_text(), re.M)
    )
    assert used == documented


def test_a_setting_that_is_not_a_number_is_named_in_the_error(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "VERTEBRA_DATA_DIR": str(tmp_path), "VERTEBRA_FRAGMENT_SECONDS": "5m"}
    result = subprocess.run(
        [sys.executable, "-c", "import vertebra.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "django.core.exceptions.ImproperlyConfigured: "
        "VERTEBRA_FRAGMENT_SECONDS must be a whole number, not '5m'."
    )


def test_importing_the_settings_writes_nothing(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    data_dir = tmp_path / "data"
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(data_dir)}
    env.pop("VERTEBRA_SECRET_KEY", None)
    code = "import vertebra.settings as s; print(repr(s.SECRET_KEY), s.STATIC_ROOT)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"'' {data_dir / 'static'}\n"
    assert not data_dir.exists()


def test_data_apps_hold_no_pages():
    """Pages live in vertebra/web beside each other; a data app has models and domain code."""
    data_apps = ("accounts", "frameworks", "cities", "assessments", "planning", "reports")
    found = [
        str(path.relative_to(ROOT))
        for app in data_apps
        for pattern in ("views.py", "urls.py", "templates/*/*.html")
        for path in (ROOT / "vertebra" / app).glob(pattern)
        if path.name not in ("report.html",)  # the PDF report's layout, rendered by reports.pdf
    ]
    assert found == []
