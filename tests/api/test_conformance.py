"""Third-party tools against a live `vertebra serve`: schemathesis with every check, negative
data and the stateful phase, as a viewer and as an admin; and a client generated from the live
OpenAPI document by openapi-python-client, used as a script would use it.

The server runs on a fresh instance of the suite's database (PostgreSQL when ``DATABASE_URL``
is set, else SQLite), prepared with one city, an admin, a viewer and one object of each kind.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_soak  # noqa: E402
from serving import server_process  # noqa: E402

BIN = Path(sys.executable).parent
CONFIG = Path(__file__).resolve().parent / "conformance" / "schemathesis.toml"
DATABASE_URL = os.environ.get("DATABASE_URL") or None

SETUP = """
import datetime, json
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from vertebra.api.tokens import create_token
from vertebra.assessments.domain import create_assessment
from vertebra.assessments.evidence import add_attachment, add_comment
from vertebra.assessments.models import Answer
from vertebra.cities.domain import add_person, create_city
from vertebra.planning.domain import add_note, create_action

city = create_city(slug="north", name="North City")
people = {
    role: add_person(
        email=f"{role}@north.example", city=city, role=role, password="pw-for-tests-1"
    )[0]
    for role in ("admin", "viewer")
}
admin = people["admin"]
create_assessment(city=city, user=admin, title="Baseline 2025", date=datetime.date(2025, 3, 1))
draft = create_assessment(city=city, user=admin, title="Review 2026", date=datetime.date(2026, 3, 1))
answer = Answer.objects.select_related("objective", "assessment").get(
    assessment=draft, objective__code="L1S1"
)
action = create_action(assessment=draft, user=admin, data={"title": "Team charter"})
upload = SimpleUploadedFile("minutes.txt", b"Council minutes")
attachment = add_attachment(answer=answer, user=admin, upload=upload)
# Removing a file ends it: its own, so that the other operations keep one to read and change.
spare = add_attachment(
    answer=answer, user=admin, upload=SimpleUploadedFile("agenda.txt", b"Council agenda")
)
comment = add_comment(answer=answer, user=admin, text="Noted.")
note = add_note(action=action, user=admin, text="Kick-off held.", date=datetime.date(2026, 4, 2))
from vertebra.cities import team
from vertebra.cities.models import Membership
invitation, _token = team.invite(city=city, email="invited@north.example", role="viewer", by=admin)
withdrawn, _token = team.invite(city=city, email="leaving@north.example", role="viewer", by=admin)
# The admin's own membership: the last admin, so no request can remove it.
member = Membership.objects.get(city=city, user=admin)
from vertebra.workshops.domain import create_workshop, join, reveal
workshop = create_workshop(assessment=draft, user=admin, data={
    "title": "Leadership", "date": datetime.date(2026, 5, 4), "policies": ["L1"],
    "stakeholder_types": ["Media"],
})
reveal(workshop=workshop)
# Closing ends a workshop: its own, so that the other operations keep an open one.
to_close = create_workshop(assessment=draft, user=admin, data={
    "title": "To close", "date": datetime.date(2026, 5, 5), "policies": ["L2"],
    "stakeholder_types": ["Media"],
})
_participant, participant_token = join(
    workshop=workshop, data={"name": "Ana", "stakeholder_type": "Media"}, address="127.0.0.1"
)
# Critical-friend review: a review of the draft by someone of another city, with a note (the
# team reads, answers and resends it), one to close; and a review of another city's assessment
# for each persona to read as its reviewer (the /reviews operations).
from vertebra.reviews import domain as reviews
south = create_city(slug="south", name="South City")
friend = add_person(email="friend@south.example", city=south, role="admin", password="pw-for-tests-1")[0]
until = datetime.date.today() + datetime.timedelta(days=30)
review, _token = reviews.invite(assessment=draft, email=friend.email, until=until, by=admin)
team.accept(invitation=review.invitation, user=friend)
review.invitation.refresh_from_db()
review_note = reviews.add_note(review=review, objective="L1S1", mark="challenge", text="Minutes?", by=friend)
review_to_close, _token = reviews.invite(assessment=draft, email="other@south.example", until=until, by=admin)
south_draft = create_assessment(city=south, user=friend, title="South 2026", date=datetime.date(2026, 3, 1))
south_file = add_attachment(
    answer=Answer.objects.get(assessment=south_draft, objective__code="L1S1"),
    user=friend,
    upload=SimpleUploadedFile("south.txt", b"South minutes"),
)
mine = {}
for role, user in people.items():
    own, _token = reviews.invite(assessment=south_draft, email=user.email, until=until, by=friend)
    team.accept(invitation=own.invitation, user=user)
    mine[role] = {"VT_MY_REVIEW": str(own.uuid), "VT_MY_REVIEW_FILE": str(south_file.uuid)}
print(json.dumps({
    "path": {
        "VT_CITY": city.slug,
        "VT_ASSESSMENT": str(draft.uuid),
        "VT_ACTION": str(action.uuid),
        "VT_ATTACHMENT": str(attachment.uuid),
        "VT_COMMENT": str(comment.uuid),
        "VT_NOTE": str(note.uuid),
        "VT_MEMBER": str(member.uuid),
        "VT_INVITATION": str(invitation.uuid),
        "VT_INVITATION_WITHDRAWN": str(withdrawn.uuid),
        "VT_WORKSHOP": str(workshop.uuid),
        "VT_JOIN_CODE": workshop.join_code,
        "VT_WORKSHOP_TO_CLOSE": str(to_close.uuid),
        "VT_ATTACHMENT_TO_REMOVE": str(spare.uuid),
        "VT_REVIEW": str(review.uuid),
        "VT_REVIEW_NOTE": str(review_note.uuid),
        "VT_REVIEW_TO_CLOSE": str(review_to_close.uuid),
    },
    "reviewer_path": mine,
    "participant": participant_token,
    "tokens": {role: create_token(user=user, name="conformance")[1] for role, user in people.items()},
}))
"""


@pytest.fixture(scope="module")
def live() -> Iterator[dict[str, Any]]:
    with bench_soak.fresh_instance(DATABASE_URL) as (data_dir, url):
        env = bench_soak.instance_env(data_dir, url)
        subprocess.run([BIN / "vertebra", "init"], check=True, env=env, capture_output=True)
        made = subprocess.run(
            [sys.executable, "-c", SETUP], check=True, env=env, capture_output=True, text=True
        )
        world = json.loads(made.stdout)
        with server_process(data_dir, ready_path="/api/v1/openapi.json", env=env) as (base, _):
            yield {**world, "base": base}


def schemathesis(
    live: dict[str, Any], persona: str, seconds: int, cwd: Path
) -> subprocess.CompletedProcess[str]:
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{live['base']}/api/v1/openapi.json",
        "--checks=all",
        "--mode=all",
        "--phases=examples,coverage,fuzzing,stateful",
        f"--header=Authorization: Bearer {live['tokens'][persona]}",
        "--max-examples=5",
        f"--max-time={seconds}",
        # A fixed seed; another one (VERTEBRA_CONFORMANCE_SEED) explores other requests.
        f"--seed={os.environ.get('VERTEBRA_CONFORMANCE_SEED', '1')}",
        "--workers=1",
        "--no-shrink",
        "--no-color",
    ]
    # Each persona reads, as its reviewer, a review of its own (VT_MY_REVIEW).
    env = {**os.environ, **live["path"], **live["reviewer_path"].get(persona, {})}
    return subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=seconds + 120
    )


def unreached(stdout: str) -> list[str]:
    """The operations schemathesis reports as missing test data (repeated 404s)."""
    if "Missing test data" not in stdout:
        return []
    section = stdout.split("Missing test data", 1)[1].split("💡", 1)[0]
    listed = [line.strip()[2:] for line in section.splitlines() if line.strip().startswith("- ")]
    return listed or ["(schemathesis reported missing test data without naming it)"]


def test_schemathesis_finds_nothing_as_a_viewer(live: dict[str, Any], tmp_path: Path) -> None:
    run = schemathesis(live, "viewer", 20, tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "86/86" in run.stdout and "Stateful" in run.stdout
    assert unreached(run.stdout) == [], run.stdout[-3000:]  # reached the objects


def test_schemathesis_finds_nothing_as_an_admin(live: dict[str, Any], tmp_path: Path) -> None:
    run = schemathesis(live, "admin", 30, tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "86/86" in run.stdout and "Stateful" in run.stdout
    assert unreached(run.stdout) == [], run.stdout[-3000:]  # reached the objects


def test_schemathesis_finds_nothing_as_a_workshop_participant(
    live: dict[str, Any], tmp_path: Path
) -> None:
    run = schemathesis(
        {
            **live,
            "tokens": {"participant": live["participant"]},
            "reviewer_path": {"participant": live["reviewer_path"]["admin"]},
        },
        "participant",
        15,
        tmp_path,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "86/86" in run.stdout


def test_a_generated_client_lists_reads_updates_with_if_match_and_downloads(
    live: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "vertebra_client"
    generated = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--url",
            f"{live['base']}/api/v1/openapi.json",
            "--meta",
            "none",
            "--config",
            str(CONFIG.parent / "openapi-python-client.yaml"),
            "--output-path",
            str(package),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Unable to" not in generated.stdout, generated.stdout
    monkeypatch.syspath_prepend(str(tmp_path))
    client_module = importlib.import_module("vertebra_client")
    list_cities = importlib.import_module("vertebra_client.api.cities.list_cities")
    assessments = "vertebra_client.api.assessments"
    create_assessment = importlib.import_module(f"{assessments}.create_assessment")
    get_assessment = importlib.import_module(f"{assessments}.get_assessment")
    get_answer = importlib.import_module("vertebra_client.api.answers.get_answer")
    update_answer = importlib.import_module("vertebra_client.api.answers.update_answer")
    download_export = importlib.import_module("vertebra_client.api.exports.download_export")
    models = importlib.import_module("vertebra_client.models")

    client = client_module.AuthenticatedClient(base_url=live["base"], token=live["tokens"]["admin"])
    cities = list_cities.sync(client=client)
    assert [(c.slug, c.role) for c in cities.results] == [("north", "admin")]

    # Its own assessment, which the fuzzing (held to the prepared objects) never touches.
    created = create_assessment.sync_detailed(
        city="north",
        client=client,
        body=models.AssessmentCreate(title="Client 2027", date=dt.date(2027, 3, 1)),
    )
    assert (created.status_code, created.headers["Location"]) == (201, created.parsed.url)
    assessment_id = created.parsed.id
    assessment = get_assessment.sync(city="north", assessment_id=assessment_id, client=client)
    assert (assessment.title, assessment.status, assessment.answered) == ("Client 2027", "draft", 0)

    read = get_answer.sync_detailed(
        city="north", assessment_id=assessment_id, code="L1S1", client=client
    )
    assert (read.status_code, read.parsed.version, read.headers["ETag"]) == (200, 1, '"1"')
    body = models.AnswerUpdate(status=models.AnswerUpdateStatusType0("achieved"))
    updated = update_answer.sync_detailed(
        city="north",
        assessment_id=assessment_id,
        code="L1S1",
        client=client,
        body=body,
        if_match=read.headers["ETag"],
    )
    assert (updated.status_code, updated.parsed.status, updated.parsed.version) == (
        200,
        "achieved",
        2,
    )
    stale = update_answer.sync_detailed(
        city="north",
        assessment_id=assessment_id,
        code="L1S1",
        client=client,
        body=models.AnswerUpdate(notes="late"),
        if_match=read.headers["ETag"],
    )
    assert (stale.status_code, stale.parsed.code, stale.parsed.details["current"]["version"]) == (
        412,
        "precondition_failed",
        2,
    )

    pdf = download_export.sync_detailed(
        city="north", assessment_id=assessment_id, fmt="pdf", client=client
    )
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.parsed.payload.read().startswith(b"%PDF-")
