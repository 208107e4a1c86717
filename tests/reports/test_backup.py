"""Backup and restore of the whole instance."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile

from tests.reports.factories import answer, filled_assessment, make_assessment, make_city, people
from vertebra import __version__
from vertebra.accounts.models import User
from vertebra.assessments.domain import finalize
from vertebra.assessments.models import AnswerEvent, Assessment, Attachment
from vertebra.cities import team
from vertebra.cities.models import City, Invitation, Membership, MembershipEvent
from vertebra.planning.models import Action
from vertebra.reports.backup import BackupError, read_backup, restore_backup, write_backup
from vertebra.reports.exports import export_json

pytestmark = pytest.mark.django_db(transaction=False)


def _instance(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    city = make_city()
    persons = people(city)
    first = make_assessment(city, title="Baseline 2025", date=dt.date(2025, 3, 1))
    answer(first, "L1S1", status="achieved")
    finalize(assessment=first, user=persons["admin"])
    second = filled_assessment(city)
    row = second.answers.get(objective__code="L1S1")
    shared = Attachment.objects.create(
        file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf"),
        original_name="minutes.pdf",
        content_type="application/pdf",
        size=16,
    )
    # One stored file for two objectives and for the answer of the cycle before.
    shared.answers.add(
        row,
        second.answers.get(objective__code="L1S2"),
        first.answers.get(objective__code="L1S1"),
    )
    group = Group.objects.create(name="Auditors")
    group.permissions.add(Permission.objects.get(codename="view_city"))
    persons["viewer"].user_permissions.add(Permission.objects.get(codename="view_assessment"))
    return city


def _exports() -> dict[str, dict]:
    return {str(a.uuid): export_json(a) for a in Assessment.objects.order_by("date")}


def _snapshot() -> dict[str, object]:
    return {
        "users": list(User.objects.order_by("email").values_list("email", "password", "is_active")),
        "memberships": list(
            Membership.objects.order_by("user__email").values_list(
                "user__email", "city__slug", "role"
            )
        ),
        "events": list(
            AnswerEvent.objects.order_by("id").values_list(
                "objective_code", "field", "old_value", "new_value", "source", "at"
            )
        ),
        "actions": list(Action.objects.order_by("id").values_list("uuid", "created_at")),
        "viewer_permissions": list(
            User.objects.get(email="viewer@rivertown.example").user_permissions.values_list(
                "codename", flat=True
            )
        ),
        "group_permissions": list(
            Group.objects.get(name="Auditors").permissions.values_list("codename", flat=True)
        ),
    }


def test_restore_with_force_gives_identical_exports_history_and_files(settings, tmp_path):
    _instance(settings, tmp_path)
    before_exports, before = _exports(), _snapshot()
    out = io.BytesIO()
    manifest = write_backup(out)
    assert manifest["counts"]["assessments.assessment"] == 2
    # Change things after the backup: the restore must undo them.
    City.objects.create(slug="later", name="Later")
    Assessment.objects.order_by("date").first().delete()
    restore_backup(io.BytesIO(out.getvalue()), force=True)
    assert _exports() == before_exports
    assert _snapshot() == before
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 minutes"
    assert sorted(
        (a.assessment.title, a.objective.code)
        for a in attachment.answers.select_related("assessment", "objective")
    ) == [("Baseline 2025", "L1S1"), ("Review 2026", "L1S1"), ("Review 2026", "L1S2")]
    # New rows get fresh ids after the restore (sequences reset on PostgreSQL).
    assert City.objects.create(slug="new", name="New").pk > City.objects.get(slug="rivertown").pk


def test_restore_refuses_a_non_empty_instance_without_force(settings, tmp_path):
    _instance(settings, tmp_path)
    out = io.BytesIO()
    write_backup(out)
    with pytest.raises(BackupError) as info:
        restore_backup(io.BytesIO(out.getvalue()))
    assert info.value.errors == [
        "this instance already has people, cities or assessments; restore into an empty "
        "instance, or give --force to replace everything in it"
    ]


def test_restore_into_empty_instance(settings, tmp_path):
    _instance(settings, tmp_path)
    before_exports = _exports()
    out = io.BytesIO()
    write_backup(out)
    for model in (Assessment, City, User):
        model.objects.all().delete()
    restore_backup(io.BytesIO(out.getvalue()))
    assert _exports() == before_exports


def test_damaged_backup_is_refused_before_anything_changes(settings, tmp_path):
    _instance(settings, tmp_path)
    out = io.BytesIO()
    write_backup(out)
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "data.json":
                content = content.replace(b"Rivertown", b"Rivertowm")
            dst.writestr(item, content)
    cities = list(City.objects.values_list("slug", flat=True))
    with pytest.raises(BackupError) as info:
        restore_backup(io.BytesIO(damaged.getvalue()), force=True)
    assert info.value.errors == ["data.json does not match its checksum: the file is damaged"]
    assert list(City.objects.values_list("slug", flat=True)) == cities


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip", "this is not a Vertebra backup file (not a zip archive)"),
        (b"", "this is not a Vertebra backup file (not a zip archive)"),
    ],
)
def test_backup_reader_rejects_other_files(content, message):
    with pytest.raises(BackupError) as info:
        read_backup(io.BytesIO(content))
    assert info.value.errors == [message]


def test_backup_from_a_database_layout_this_version_does_not_know_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("data.json", "[]")
        manifest = {
            "format": "vertebra-backup",
            "format_version": 1,
            "migrations": {"cities": "0099_future"},
            "vertebra_version": "9.0",
        }
        archive.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(BackupError) as info:
        read_backup(io.BytesIO(out.getvalue()))
    assert info.value.errors == [
        "this backup was made by Vertebra 9.0, which is newer than this Vertebra "
        f"{__version__}; restore it with Vertebra 9.0 or later"
    ]


def answer_rows() -> list[tuple[object, ...]]:
    """Every answer as the backup must give it back: ids, values, versions and times."""
    from vertebra.assessments.models import Answer

    return list(
        Answer.objects.order_by("pk").values_list(
            "pk",
            "assessment__uuid",
            "objective__code",
            "status",
            "progress",
            "evidence",
            "owner",
            "version",
            "updated_at",
        )
    )


def test_restore_writes_in_batches_and_gives_back_exactly_the_same_rows(settings, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vertebra.assessments.models import Answer
    from vertebra.reports.backup import RESTORE_BATCH_ROWS

    city = _instance(settings, tmp_path)
    for year in range(2020, 2025):
        filled_assessment(city, title=f"Review {year}", date=dt.date(year, 5, 1))
    answers = answer_rows()
    assert len(answers) == 7 * 96
    counts = {m: m._base_manager.count() for m in (User, City, Assessment, AnswerEvent, Action)}
    out = io.BytesIO()
    write_backup(out)
    Answer.objects.filter(assessment__title="Review 2020").update(evidence="changed later")

    with CaptureQueriesContext(connection) as queries:
        restore_backup(io.BytesIO(out.getvalue()), force=True)

    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "assessments_answer" (')]
    fields = Answer._meta.local_concrete_fields
    batch = min(RESTORE_BATCH_ROWS, connection.ops.bulk_batch_size(fields, answers))
    assert len(inserts) == -(-len(answers) // batch)  # 672 answers: 2 on PostgreSQL, 9 on SQLite
    assert {m: m._base_manager.count() for m in counts} == counts
    assert answer_rows() == answers
    assert (
        Answer.objects.get(assessment__title="Review 2020", objective__code="L1M1").notes
        == "Workshop in May;\nsee notes"
    )


def _team() -> dict[str, object]:
    return {
        "memberships": list(
            Membership.objects.order_by("uuid").values_list("uuid", "user__email", "role")
        ),
        "invitations": list(
            Invitation.objects.order_by("uuid").values_list(
                "uuid",
                "email",
                "role",
                "token_digest",
                "invited_by__email",
                "created_at",
                "expires_at",
                "sent_at",
                "accepted_at",
                "accepted_by__email",
                "withdrawn_at",
            )
        ),
        "events": list(
            MembershipEvent.objects.order_by("id").values_list(
                "kind", "email", "role", "previous_role", "by__email", "by_email", "at"
            )
        ),
    }


def test_the_teams_invitations_and_history_are_restored_as_they_were(settings, tmp_path):
    city = _instance(settings, tmp_path)
    admin = User.objects.get(email="admin@rivertown.example")
    open_one, open_token = team.invite(
        city=city, email="open@rivertown.example", role="viewer", by=admin
    )
    team.mark_sent(open_one)
    used, _token = team.invite(city=city, email="new@rivertown.example", role="editor", by=admin)
    team.join_as_new_person(invitation=used, name="Nia New", password="a-long-pass-2026")
    gone, _token = team.invite(city=city, email="gone@rivertown.example", role="viewer", by=admin)
    team.withdraw(invitation=gone, by=admin)
    viewer = Membership.objects.get(city=city, user__email="viewer@rivertown.example")
    team.change_role(membership=viewer, role="contributor", by=admin)
    before = _team()
    assert [e[0] for e in before["events"]] == [
        "invited",
        "invited",
        "joined",
        "invited",
        "invitation_withdrawn",
        "role_changed",
    ]
    out = io.BytesIO()
    write_backup(out)
    MembershipEvent.objects.all().delete()
    Invitation.objects.all().delete()
    restore_backup(io.BytesIO(out.getvalue()), force=True)
    assert _team() == before
    # The open invitation's link still works after the restore.
    restored = team.invitation_by_token(open_token)
    assert restored is not None and restored.uuid == open_one.uuid
