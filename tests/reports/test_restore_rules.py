"""A restore refuses a backup holding any row that no form, endpoint or command would write."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.reports.factories import filled_assessment, make_city, people
from vertebra.assessments.evidence import add_attachment
from vertebra.assessments.models import Answer, Comment
from vertebra.cities.models import City, Membership
from vertebra.planning.models import Action
from vertebra.reports.backup import (
    BackupError,
    backed_up_models,
    read_backup,
    restore_backup,
    write_backup,
)
from vertebra.reports.restore_rules import MAX_LISTED, RULES
from vertebra.workshops.domain import AgreedAnswer, create_workshop, join, rate, record_consensus

pytestmark = pytest.mark.django_db(transaction=False)


def _backup(settings: Any, tmp_path: Any) -> bytes:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    city = make_city()
    persons = people(city)
    assessment = filled_assessment(city)
    row = assessment.answers.get(objective__code="L1M1")
    Comment.objects.create(answer=row, author=persons["editor"], text="Agreed in the workshop.")
    row.assessment = assessment
    minutes = add_attachment(
        answer=row, user=None, upload=SimpleUploadedFile("minutes.txt", b"Workshop minutes")
    )
    minutes.answers.add(assessment.answers.get(objective__code="L1M2"))
    workshop = create_workshop(
        assessment=assessment,
        user=None,
        data={
            "title": "Leadership",
            "date": dt.date(2026, 5, 4),
            "policies": ["L1"],
            "stakeholder_types": ["Media"],
        },
    )
    ana, _key = join(
        workshop=workshop, data={"name": "Ana", "stakeholder_type": "Media"}, address="10.0.0.1"
    )
    rate(participant=ana, code="L1S1", data={"status": "unknown"})
    record_consensus(
        workshop=workshop, user=None, answers=[AgreedAnswer("L1R1", "achieved", None, "Done")]
    )
    # A critical friend's review with a note and the team's answer.
    from vertebra.cities import team
    from vertebra.reviews import domain as reviews

    review, _token = reviews.invite(
        assessment=assessment,
        email=persons["outsider"].email,
        until=dt.date.today() + dt.timedelta(days=3),
        by=None,
    )
    team.accept(invitation=review.invitation, user=persons["outsider"])
    review.invitation.refresh_from_db()
    note = reviews.add_note(
        review=review, objective="L1S1", mark="challenge", text="Minutes?", by=persons["outsider"]
    )
    reviews.reply(note=note, text="Attached.", by=persons["editor"])
    out = io.BytesIO()
    write_backup(out)
    return out.getvalue()


def _tampered(
    backup: bytes,
    model: str,
    change: Callable[[dict[str, Any]], None],
    *,
    where: Callable[[dict[str, Any]], bool] = lambda fields: True,
    count: int = 1,
) -> tuple[bytes, list[int]]:
    """The backup with ``change`` made to the fields of ``count`` rows of ``model``, its
    checksum made to match (as anyone editing a backup by hand can): returns the rows' ids."""
    with zipfile.ZipFile(io.BytesIO(backup)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    rows = json.loads(members["data.json"])
    changed = []
    for row in rows:
        if row["model"] == model and where(row["fields"]) and len(changed) < count:
            change(row["fields"])
            changed.append(row["pk"])
    assert len(changed) == count
    data = json.dumps(rows).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["data_sha256"] = hashlib.sha256(data).hexdigest()
    members.update({"data.json": data, "manifest.json": json.dumps(manifest).encode()})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue(), changed


def _instance_state() -> dict[str, list[Any]]:
    return {
        "cities": list(City.objects.order_by("slug").values_list("slug", "name")),
        "roles": list(Membership.objects.order_by("pk").values_list("user__email", "role")),
        "answers": list(
            Answer.objects.order_by("pk").values_list("status", "progress", "links", "version")
        ),
        "actions": list(Action.objects.order_by("pk").values_list("title", "cost", "status")),
    }


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda fields: fields.update(values)


def _code(code: str) -> Callable[[dict[str, Any]], bool]:
    """An answer row of the objective with this code (the shipped model's objective ids)."""
    from vertebra.frameworks.models import Objective

    pk = Objective.objects.get(framework_version__framework_id="smr-rmm", code=code).pk
    return lambda fields: fields["objective"] == pk


@pytest.mark.parametrize(
    ("model", "change", "where", "message"),
    [
        (
            "assessments.answer",
            _set(links="javascript:alert(document.cookie)"),
            "L1S1",
            "field links: Each line must be one web address starting with http:// or https://; "
            "not valid: javascript:alert(document.cookie)",
        ),
        (
            "assessments.answer",
            _set(progress=500),
            "L1M1",
            "field progress: Progress is a whole number from 0 to 100.",
        ),
        (
            "assessments.answer",
            _set(status="done"),
            "L1S1",
            "field status: Value 'done' is not a valid choice.",
        ),
        (
            "assessments.answer",
            _set(status="not_applicable", na_justification=""),
            "L1S1",
            "field na_justification: Say why this objective does not apply to the city.",
        ),
        (
            "assessments.answer",
            _set(assessment=9999),
            "L1S1",
            "field assessment: no assessments.assessment with id 9999 in the backup",
        ),
        (
            "cities.membership",
            _set(role="owner"),
            None,
            "field role: Value 'owner' is not a valid choice.",
        ),
        (
            "frameworks.objective",
            _set(code="ZZ9"),
            None,
            "field code: ZZ9 is not an objective of smr-rmm v1",
        ),
        (
            "frameworks.objective",
            _set(text="A different objective"),
            None,
            "field text: differs from the model file",
        ),
        (
            "frameworks.frameworkversion",
            _set(name="Renamed"),
            None,
            "field name: does not match the definition ('SMR Resilience Maturity Model')",
        ),
        ("planning.target", _set(policy_code="Q9"), None, "field policy_code: Unknown policy Q9."),
        (
            "planning.target",
            _set(stage_code="X"),
            None,
            "field stage_code: Unknown stage X; use one of S, M, A, R, T.",
        ),
        ("planning.action", _set(cost="-5.00"), None, "field cost: The cost cannot be negative."),
        (
            "planning.action",
            _set(stakeholder_types=["Aliens"]),
            None,
            "field stakeholder_types: Aliens: not in this city's list of stakeholder types. "
            "An admin can add types in the city settings.",
        ),
        (
            "cities.city",
            _set(slug="UPPER"),
            None,
            "field slug: 'UPPER' is not a valid short name: use lower-case letters, digits and "
            "hyphens (at most 64), starting with a letter or digit",
        ),
        ("assessments.comment", _set(text="   "), None, "field text: Write a comment"),
        (
            "assessments.attachment",
            _set(answers=[]),
            None,
            "field answers: the file supports no answer",
        ),
        (
            "assessments.attachment",
            _set(answers=[9999]),
            None,
            "field answers: no assessments.answer with id 9999 in the backup",
        ),
        ("accounts.user", _set(email="not-an-address"), None, "field email: Enter a valid email"),
        (
            "workshops.workshop",
            _set(policies=["L1", "Q9"]),
            None,
            "field policies: Unknown policy Q9. Choose from: L1, L2",
        ),
        (
            "workshops.workshop",
            _set(join_code="O0O0O0"),
            None,
            "field join_code: 6 characters of ABCDEFGHJKMNPQRSTUVWXYZ23456789",
        ),
        (
            "workshops.participant",
            _set(stakeholder_type="Aliens"),
            None,
            "field stakeholder_type: Choose one of this workshop's stakeholder types: Media.",
        ),
        (
            "workshops.participant",
            _set(token_digest="plain-secret"),
            None,
            "field token_digest: not a SHA-256 digest",
        ),
        (
            "workshops.rating",
            _set(objective_code="L2M1"),
            None,
            "field objective_code: L2M1 is not an objective of this workshop.",
        ),
        (
            "workshops.rating",
            _set(status="achieved", progress=30),
            None,
            "field progress: Give a progress only for a status of in_progress.",
        ),
        (
            "workshops.decision",
            _set(status="done"),
            None,
            "field status: Value 'done' is not a valid choice.",
        ),
        (
            "workshops.decision",
            _set(objective_code="T9Z9"),
            None,
            "field objective_code: T9Z9 is not covered by the workshop",
        ),
        (
            "reviews.reviewnote",
            _set(mark="meh"),
            None,
            "field mark: Value 'meh' is not a valid choice.",
        ),
        (
            "reviews.reviewreply",
            _set(text="x" * 5001),
            None,
            "field text: at most 5000 characters",
        ),
    ],
)
def test_restore_refuses_a_row_no_form_would_accept_and_writes_nothing(
    settings, tmp_path, model, change, where, message
):
    backup = _backup(settings, tmp_path)
    tampered, (pk,) = _tampered(backup, model, change, **({"where": _code(where)} if where else {}))
    before = _instance_state()

    with pytest.raises(BackupError) as info:
        restore_backup(io.BytesIO(tampered), force=True)

    (error,) = info.value.errors
    assert error.startswith(f"data.json: {model}, row with id {pk}, {message}")
    assert _instance_state() == before


def test_restore_lists_a_bounded_number_of_bad_rows(settings, tmp_path):
    backup = _backup(settings, tmp_path)
    tampered, pks = _tampered(backup, "assessments.answer", _set(progress=101), count=30)

    with pytest.raises(BackupError) as info:
        read_backup(io.BytesIO(tampered))

    assert info.value.errors == [
        *(
            f"data.json: assessments.answer, row with id {pk}, field progress: "
            "Progress is a whole number from 0 to 100."
            for pk in pks[:MAX_LISTED]
        ),
        f"data.json: and {30 - MAX_LISTED} more problems in other rows",
    ]


def test_rows_referring_to_a_refused_row_add_no_noise(settings, tmp_path):
    backup = _backup(settings, tmp_path)
    tampered, (pk,) = _tampered(backup, "assessments.assessment", _set(city=4242))

    with pytest.raises(BackupError) as info:
        read_backup(io.BytesIO(tampered))

    assert info.value.errors == [
        f"data.json: assessments.assessment, row with id {pk}, field city: "
        "no cities.city with id 4242 in the backup"
    ]


def test_the_demo_city_restores_with_every_rule_passing(settings, tmp_path):
    from vertebra.demo import build_demo

    settings.MEDIA_ROOT = str(tmp_path / "media")
    build_demo()
    before = _instance_state()
    out = io.BytesIO()
    write_backup(out)

    restore_backup(io.BytesIO(out.getvalue()), force=True)

    assert _instance_state() == before


def test_every_backed_up_model_has_its_restore_rule():
    assert sorted(RULES) == sorted(m._meta.label_lower for m in backed_up_models())
