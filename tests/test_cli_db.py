"""Commands that use the database: init, framework list/import, city, user, demo."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from vertebra.accounts.models import User
from vertebra.assessments.models import Assessment, AssessmentStatus
from vertebra.cities.models import City, Membership
from vertebra.cli import main
from vertebra.frameworks.models import FrameworkVersion, Objective

SHIPPED = Path(__file__).resolve().parents[1] / "vertebra/frameworks/data/smr-rmm.yaml"
pytestmark = pytest.mark.django_db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_is_idempotent_and_loads_the_shipped_model_once(capsys):
    loaded = "database: up to date\nsmr-rmm version 1: already loaded\n"
    assert run(capsys, "init") == (0, loaded, "")
    assert run(capsys, "init") == (0, loaded, "")
    assert FrameworkVersion.objects.filter(framework_id="smr-rmm").count() == 1
    assert Objective.objects.filter(framework_version__framework_id="smr-rmm").count() == 96


def test_framework_list_shows_shipped_and_loaded_versions(capsys):
    code, out, err = run(capsys, "framework", "list")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "ID                   VERSION  STATE            NAME",
        "smr-rmm                    1  shipped, loaded  SMR Resilience Maturity Model",
    ]


def test_framework_import_stores_a_new_version_beside_the_old_one(tmp_path, capsys):
    text = SHIPPED.read_text(encoding="utf-8").replace("\nversion: 1\n", "\nversion: 2\n", 1)
    text = text.replace("name: SMR Resilience Maturity Model", "name: SMR RMM (revised)", 1)
    path = tmp_path / "smr-v2.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "framework", "import", str(path))
    assert code == 0
    assert out == (
        "smr-rmm version 2: 5 stages, 4 dimensions, 10 policies, 96 objectives: imported\n"
    )
    code, out, _ = run(capsys, "framework", "import", str(path))
    assert out == (
        "smr-rmm version 2: 5 stages, 4 dimensions, 10 policies, 96 objectives: "
        "already loaded, nothing changed\n"
    )
    assert list(
        FrameworkVersion.objects.filter(framework_id="smr-rmm").values_list("version", flat=True)
    ) == [2, 1]
    assert Objective.objects.filter(framework_version__framework_id="smr-rmm").count() == 192


def test_framework_import_refuses_same_version_with_other_content(tmp_path, capsys):
    text = SHIPPED.read_text(encoding="utf-8").replace(
        "Establish a working team", "Set up a working team", 1
    )
    path = tmp_path / "changed.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "framework", "import", str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"vertebra: {path}: smr-rmm version 1 is already loaded with different content; "
        "give the changed model a new version number.\n"
    )
    assert Objective.objects.get(framework_version__version=1, code="L1S1").text == (
        "Establish a working team responsible for resilience issues in the city"
    )


def test_city_create_and_bad_slug(capsys):
    assert run(capsys, "city", "create", "donostia", "--name", "Donostia / San Sebastián") == (
        0,
        "Created city donostia (Donostia / San Sebastián)\n",
        "",
    )
    assert City.objects.get(slug="donostia").name == "Donostia / San Sebastián"
    code, _, err = run(capsys, "city", "create", "donostia", "--name", "Again")
    assert (code, err) == (2, "vertebra: a city with the short name 'donostia' exists already\n")
    code, _, err = run(capsys, "city", "create", "Bad Slug!", "--name", "X")
    assert code == 2
    assert err.startswith("vertebra: 'Bad Slug!' is not a valid short name")


def test_user_create_new_person_then_adds_them_to_another_city(capsys, monkeypatch):
    City.objects.create(slug="riga", name="Riga")
    City.objects.create(slug="vejle", name="Vejle")
    monkeypatch.setattr("sys.stdin", io.StringIO("correct-horse-battery\n"))
    assert run(
        capsys,
        "user",
        "create",
        "Lead@City.example",
        "--city",
        "riga",
        "--role",
        "admin",
        "--password-stdin",
    ) == (0, "Created lead@city.example: admin in riga\n", "")
    monkeypatch.setattr("sys.stdin", io.StringIO("ignored-for-existing\n"))
    assert run(
        capsys,
        "user",
        "create",
        "lead@city.example",
        "--city",
        "vejle",
        "--role",
        "viewer",
        "--password-stdin",
    ) == (
        0,
        "Updated lead@city.example: viewer in vejle\n"
        "The password on standard input was not used: lead@city.example already has one. "
        "To change it: vertebra user set-password EMAIL --password-stdin\n",
        "",
    )
    user = User.objects.get(email="lead@city.example")
    assert user.check_password("correct-horse-battery")
    assert sorted(Membership.objects.filter(user=user).values_list("city__slug", "role")) == [
        ("riga", "admin"),
        ("vejle", "viewer"),
    ]


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["x@city.example", "--city", "nowhere", "--role", "admin"],
            "pw-long-enough-1\n",
            "vertebra: --city nowhere: no such city\n",
        ),
        (
            ["not-an-email", "--city", "riga", "--role", "admin"],
            "pw-long-enough-1\n",
            "vertebra: 'not-an-email' is not a valid email address\n",
        ),
        (
            ["x@city.example", "--city", "riga", "--role", "admin"],
            "\n",
            "vertebra: no password on standard input\n",
        ),
        (
            ["x@city.example", "--city", "riga", "--role", "admin"],
            "short\n",
            "vertebra: password: This password is too short. It must contain at least 8 characters.\n",
        ),
    ],
)
def test_user_create_bad_input_exits_2_and_creates_nothing(
    capsys, monkeypatch, argv, stdin, message
):
    City.objects.create(slug="riga", name="Riga")
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code, out, err = run(capsys, "user", "create", *argv, "--password-stdin")
    assert (code, out, err) == (2, "", message)
    assert User.objects.count() == 0


def test_user_create_unknown_role_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "user",
                "create",
                "x@city.example",
                "--city",
                "riga",
                "--role",
                "boss",
                "--password-stdin",
            ]
        )
    assert exc.value.code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err


def test_demo_creates_a_final_and_a_draft_cycle_and_keeps_them(capsys):
    assert run(capsys, "demo") == (
        0,
        "Demo City is ready: 2 sample assessments added; 2 assessments in city 'demo'\n",
        "",
    )
    assert run(capsys, "demo") == (
        0,
        "Demo City is ready: 0 sample assessments added; 2 kept as they were; "
        "2 assessments in city 'demo'\n",
        "",
    )
    city = City.objects.get(slug="demo")
    assert city.name == "Demo City"
    older, newer = Assessment.objects.filter(city=city).order_by("date")
    assert (older.status, newer.status) == (AssessmentStatus.FINAL, AssessmentStatus.DRAFT)
    assert newer.previous == older
    assert older.snapshot is not None
    statuses = set(newer.answers.values_list("status", flat=True))
    assert statuses == {"not_started", "in_progress", "achieved", "not_applicable"}
    assert newer.answers.exclude(evidence="").count() > 20
    assert newer.answers.exclude(notes="").count() > 20


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_framework_export_validates_and_imports_back_as_the_same_model(tmp_path, capsys, fmt):
    from vertebra.frameworks.files import content_digest, read_framework_file

    docs = (Path(__file__).resolve().parents[1] / "docs" / "FRAMEWORK-FORMAT.md").read_text()
    original = tmp_path / "toy.yaml"
    original.write_text(docs.split("```yaml\n", 1)[1].split("```", 1)[0], encoding="utf-8")
    assert run(capsys, "framework", "import", str(original))[0] == 0

    code, out, err = run(capsys, "framework", "export", "toy-model", "--format", fmt)
    assert (code, err) == (0, "")
    exported = tmp_path / f"exported.{fmt}"
    exported.write_text(out, encoding="utf-8")

    summary = "toy-model version 1: 3 stages, 1 dimensions, 2 policies, 3 objectives"
    assert run(capsys, "framework", "validate", str(exported)) == (
        0,
        f"{exported}: valid; {summary}\n",
        "",
    )
    assert run(capsys, "framework", "import", str(exported)) == (
        0,
        f"{summary}: already loaded, nothing changed\n",
        "",
    )
    assert read_framework_file(exported) == read_framework_file(original)
    assert (
        content_digest(read_framework_file(exported))
        == FrameworkVersion.objects.get(framework_id="toy-model").digest
    )


def _people_work(city: City) -> dict[str, list[object]]:
    """Everything in the Demo City as a person sees it: assessments, answers, comments, actions."""
    from vertebra.assessments.models import Answer, Comment
    from vertebra.planning.models import Action

    return {
        "assessments": list(
            Assessment.objects.filter(city=city).order_by("pk").values_list("pk", "uuid", "title")
        ),
        "answers": list(
            Answer.objects.filter(assessment__city=city)
            .order_by("pk")
            .values_list("pk", "status", "evidence", "version")
        ),
        "comments": list(
            Comment.objects.filter(answer__assessment__city=city)
            .order_by("pk")
            .values_list("pk", "text")
        ),
        "actions": list(Action.objects.filter(city=city).order_by("pk").values_list("pk", "title")),
    }


def test_demo_run_again_keeps_everything_people_made_in_the_demo_city(capsys):
    import datetime as dt

    from vertebra.assessments.domain import save_answer
    from vertebra.assessments.evidence import add_comment
    from vertebra.cities.domain import add_person
    from vertebra.planning.domain import create_action, start_assessment

    assert run(capsys, "demo")[0] == 0
    city = City.objects.get(slug="demo")
    editor, _, _ = add_person(
        email="editor@demo.example", city=city, role="editor", password="correct horse"
    )
    own = start_assessment(city=city, user=editor, title="Our own review", date=dt.date(2027, 3, 1))
    sample_draft = Assessment.objects.get(
        city=city, status=AssessmentStatus.DRAFT, previous__isnull=False
    )
    for assessment in (own, sample_draft):
        row = assessment.answers.select_related("assessment", "objective").get(
            objective__code="L1S1"
        )
        save_answer(
            answer=row,
            user=editor,
            changes={"status": "achieved", "evidence": "Minutes of our council, 2027"},
            source="api",
        )
        add_comment(answer=row, user=editor, text="Checked with the mayor's office.")
        create_action(
            assessment=assessment, user=editor, data={"title": "Flood drill"}, source="api"
        )
    before = _people_work(city)
    assert len(before["assessments"]) == 3

    assert run(capsys, "demo") == (
        0,
        "Demo City is ready: 0 sample assessments added; 2 kept as they were; "
        "3 assessments in city 'demo'\n",
        "",
    )

    assert _people_work(city) == before


def test_first_run_creates_admin_and_demo_only_once(capsys):
    code, out, _ = run(capsys, "init", "--first-run")
    assert code == 0
    assert "    email:    admin@vertebra.local" in out.splitlines()
    password = next(line.split()[-1] for line in out.splitlines() if "password:" in line)
    admin = User.objects.get(email="admin@vertebra.local")
    assert admin.check_password(password)
    assert Membership.objects.get(user=admin, city__slug="demo").role == "admin"
    code, out, _ = run(capsys, "init", "--first-run")
    assert (code, out) == (0, "database: up to date\nsmr-rmm version 1: already loaded\n")
    assert User.objects.count() == 1
