"""Hostile answer files get the same clear refusal from `vertebra assess`, `vertebra import`
and the import page: one reader, one set of rules, nothing written."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment
from vertebra.assessments.models import Answer, AnswerEvent, Assessment
from vertebra.cities.models import City, Membership
from vertebra.cli import main

DEEP = "[" * 100_000 + "]" * 100_000
BOMB = textwrap.dedent(
    """\
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
    L1S1: {status: *h}
    """
)
# (file name, content, the message after "NAME: ")
HOSTILE = [
    ("nan.json", '{"L1S1": {"status": "in_progress", "progress": NaN}}', "not valid JSON: NaN is not a number"),
    ("inf.json", '{"L1S1": {"status": "in_progress", "progress": -Infinity}}', "not valid JSON: -Infinity is not a number"),
    ("e999.json", '{"L1S1": {"status": "in_progress", "progress": 1e999}}', "not valid JSON: the number 1e999 is too large"),
    ("long.json", '{"L1S1": {"status": "in_progress", "progress": ' + "7" * 5000 + "}}", "not valid JSON: a number with 5000 digits is too long"),
    ("deep.json", '{"answers": ' + DEEP + "}", "not valid JSON: nested more than 16 levels deep"),
    ("twice.json", '{"L1S1": "achieved", "L1S1": "not_started"}', "not valid JSON: duplicate key 'L1S1'"),
    ("nan.yaml", "L1S1: {status: in_progress, progress: .nan}\n", "line 1: not valid YAML: .nan is not a finite number"),
    ("inf.yaml", "L1S1: {status: in_progress, progress: -.inf}\n", "line 1: not valid YAML: -.inf is not a finite number"),
    ("long.yaml", "L1S1: {status: in_progress, progress: " + "7" * 5000 + "}\n", "line 1: not valid YAML: a number with 5000 digits is too long"),
    ("deep.yaml", "answers: " + DEEP + "\n", "line 1: not valid YAML: nested more than 16 levels deep"),
    ("twice.yaml", "L1S1: achieved\nL1S1: not_started\n", "line 2: not valid YAML: duplicate key 'L1S1'"),
    ("bomb.yaml", BOMB, "line 1: not valid YAML: anchors and aliases (&name, *name) are not allowed"),
    ("na.csv", "objective,status\nC2T2,not_applicable\n", "line 2, na_justification: Say why this objective does not apply to the city."),
    ("na.json", '{"C2T2": "not_applicable"}', "entry 1 (C2T2), field na_justification: Say why this objective does not apply to the city."),
    ("long.csv", "objective,status,progress\nL1S1,in_progress," + "7" * 5000 + "\n", "line 2, column 3 (progress): progress '77777777777777777777777777777777777777… must be a whole number from 0 to 100"),
]  # fmt: skip
IDS = [name for name, _content, _message in HOSTILE]


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE, ids=IDS)
def test_assess_refuses_a_hostile_answer_file_with_one_line_and_exit_2(
    tmp_path, capsys, name, content, message
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert main(["assess", str(path)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"vertebra: {path}: {message}\n")


@pytest.fixture
def draft(db: None) -> Assessment:
    city = City.objects.create(slug="porto", name="Porto")
    return create_assessment(city=city, user=None, title="Review", date=dt.date(2026, 3, 1))


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE, ids=IDS)
def test_import_command_refuses_the_same_files_the_same_way_and_writes_nothing(
    tmp_path, capsys, draft, name, content, message
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert main(["import", "porto", str(path), "--assessment", str(draft.uuid)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"vertebra: {name}: {message}\n")
    assert not AnswerEvent.objects.filter(assessment=draft).exists()
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE, ids=IDS)
def test_import_page_refuses_the_same_files_the_same_way_and_writes_nothing(
    draft, name, content, message
):
    user = User.objects.create_user("admin@porto.example", "pw")
    Membership.objects.create(city=draft.city, user=user, role="admin")
    client = Client()
    client.force_login(user)
    url = reverse("reports:import", args=["porto", draft.uuid])
    upload = SimpleUploadedFile(name, content.encode())
    response = client.post(url, {"file": upload})
    assert response.status_code == 400
    assert response.context["import_errors"] == [f"{name}: {message}"]
    assert not AnswerEvent.objects.filter(assessment=draft).exists()
    assert not Answer.objects.filter(assessment=draft).exclude(status="not_started").exists()


def test_a_file_that_assess_accepts_is_imported(tmp_path, capsys, draft):
    path = tmp_path / "na.csv"
    path.write_text(
        "objective,status,na_justification\nC2T2,not_applicable,No port in the city\n",
        encoding="utf-8",
    )
    assert main(["assess", str(path), "--format", "json"]) == 0
    assert main(["import", "porto", str(path), "--assessment", str(draft.uuid)]) == 0
    row = draft.answers.get(objective__code="C2T2")
    assert (row.status, row.na_justification) == ("not_applicable", "No port in the city")


MEASURE = """
import sys
from vertebra.cli import main
code = main(["assess", sys.argv[1]])
# The peak of this program's own memory (getrusage's ru_maxrss would keep the
# peak of the test process it was forked from).
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) // 1024
print(f"exit={code} peak_mb={peak}")
"""


def test_yaml_alias_bomb_is_refused_in_a_second_with_little_memory(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        preexec_fn=_limit_memory,
    )
    assert "anchors and aliases" in result.stderr
    exit_line = result.stdout.strip()
    assert exit_line.startswith("exit=2 peak_mb=")
    assert int(exit_line.removeprefix("exit=2 peak_mb=")) < 150


def _limit_memory() -> None:
    import resource

    # So that a regression fails this test instead of the machine.
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
