"""Evidence files in an S3 bucket (VERTEBRA_STORAGE_URL) work as in the data folder: upload,
streamed download, a new cycle's answers, backup and restore, deletion. The bucket is moto's
S3 in this process; tests/test_deploy.py uses a real S3-compatible server over the network."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto import mock_aws

from tests.web.conftest import World
from vertebra.assessments.evidence import add_attachment, remove_attachment
from vertebra.assessments.models import Answer, Attachment
from vertebra.deployment import storage_settings
from vertebra.planning.domain import start_assessment
from vertebra.reports.backup import restore_backup, write_backup
from vertebra.storage import open_stream

pytestmark = pytest.mark.django_db

BUCKET = "vertebra-test-files"
CONTENT = b"Flood plan minutes\n" * 4000  # 76 KB: more than one block of a download


@pytest.fixture
def bucket(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": storage_settings(f"s3://{BUCKET}?region=eu-west-1", spool_bytes=1024),
        }
        yield client


def _keys(client: Any) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def _answer(world: World, code: str = "L1S1", assessment: Any = None) -> Answer:
    return Answer.objects.select_related("assessment", "objective").get(
        assessment=assessment or world.assessment, objective__code=code
    )


def test_a_file_is_stored_in_the_bucket_and_downloads_streamed(world: World, bucket, settings):
    attachment = add_attachment(
        answer=_answer(world),
        user=world.people["editor"],
        upload=SimpleUploadedFile("minutes.txt", CONTENT),
    )
    (key,) = _keys(bucket)
    assert key == attachment.file.name
    assert key.startswith(f"attachments/{world.assessment.uuid}/") and key.endswith("/minutes.txt")
    assert not (settings.MEDIA_ROOT / "attachments").exists()

    response = world.client("viewer").get(world.url(f"attachments/{attachment.uuid}/"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Length"] == str(len(CONTENT))
    assert response["Content-Disposition"] == 'attachment; filename="minutes.txt"'
    chunks = list(response.streaming_content)
    assert b"".join(chunks) == CONTENT
    assert max(len(chunk) for chunk in chunks) <= 64 * 1024 < len(CONTENT)
    # Read from the object's body as it arrives: not a copy that can seek back.
    with open_stream(key) as handle:
        assert not handle.seekable()


def test_a_file_missing_from_the_bucket_is_a_404(world: World, bucket):
    attachment = add_attachment(
        answer=_answer(world), user=None, upload=SimpleUploadedFile("gone.txt", b"gone")
    )
    bucket.delete_object(Bucket=BUCKET, Key=attachment.file.name)
    response = world.client("viewer").get(world.url(f"attachments/{attachment.uuid}/"))
    assert response.status_code == 404
    with pytest.raises(FileNotFoundError):
        open_stream(attachment.file.name)


def test_a_new_cycle_refers_to_the_same_object_and_its_last_removal_deletes_it(
    world: World, bucket, django_capture_on_commit_callbacks
):
    editor = world.people["editor"]
    attachment = add_attachment(
        answer=_answer(world), user=editor, upload=SimpleUploadedFile("plan.txt", CONTENT)
    )
    later = start_assessment(
        city=world.city, user=editor, title="Next cycle", date=dt.date(2027, 1, 1),
        copy_from=world.assessment,
    )  # fmt: skip
    carried = _answer(world, assessment=later)
    assert list(carried.attachments.all()) == [attachment]
    assert len(_keys(bucket)) == 1
    url = f"/cities/{world.city.slug}/assessments/{later.uuid}/attachments/{attachment.uuid}/"
    assert b"".join(world.client("viewer").get(url).streaming_content) == CONTENT

    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(attachment=attachment, answer=_answer(world), user=editor)
    assert len(_keys(bucket)) == 1  # the new cycle's answer still has it
    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(attachment=attachment, answer=carried, user=editor)
    assert _keys(bucket) == []
    assert not Attachment.objects.exists()


def test_backup_reads_files_from_the_bucket_and_restore_writes_them_back(world: World, bucket):
    attachment = add_attachment(
        answer=_answer(world), user=None, upload=SimpleUploadedFile("map.txt", CONTENT)
    )
    name = attachment.file.name
    out = io.BytesIO()
    manifest = write_backup(out)
    assert [(f["name"], f["size"]) for f in manifest["files"]] == [(name, len(CONTENT))]
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert archive.read(f"files/{name}") == CONTENT

    bucket.delete_object(Bucket=BUCKET, Key=name)
    restore_backup(io.BytesIO(out.getvalue()), force=True)
    assert _keys(bucket) == [name]
    with open_stream(name) as handle:
        assert handle.read() == CONTENT
