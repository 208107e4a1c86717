"""Zip files a person sends (an XLSX import, a DOCX/XLSX/ODT/ODS evidence file, a backup) are
checked from their directory: a zip bomb is refused in a second or two with little memory."""

from __future__ import annotations

import functools
import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook

from vertebra.archives import ArchiveError, ArchiveLimits, check_archive

GB = 1024**3
ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def _deflated_gigabyte() -> tuple[bytes, int]:
    """1 GB of one repeated byte, deflated (about 1 MB), and its CRC: made once per run.

    One megabyte is deflated and flushed so that its blocks stand alone; the gigabyte is
    those blocks 1024 times, then an empty final block."""
    chunk = b"a" * (1024 * 1024)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    blocks = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(GB // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    return blocks * (GB // len(chunk)) + final, crc


def _zip(members: dict[str, bytes], bomb: str | None = None) -> bytes:
    """A zip archive written by hand, so that the ``bomb`` member can be 1 GB of "a"s
    deflated once (zipfile would deflate the whole gigabyte again for every file)."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, data in members.items():
        if name == bomb:
            (packed, crc), size = _deflated_gigabyte(), GB
        else:
            deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed, crc, size = (
                deflate.compress(data) + deflate.flush(),
                zlib.crc32(data),
                len(data),
            )
        raw, offset = name.encode(), out.tell()
        sizes = (8, 0, 0, crc, len(packed), size, len(raw))
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, *sizes, 0) + raw + packed)
        directory.write(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, *sizes, 0, 0, 0, 0, 0, offset)
            + raw
        )
    count, start = len(members), out.tell()
    out.write(directory.getvalue())
    end = (b"PK\x05\x06", 0, 0, count, count, len(directory.getvalue()), start, 0)
    out.write(struct.pack("<4s4H2LH", *end))
    return out.getvalue()


def _workbook_members() -> dict[str, bytes]:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Answers"
    ws.append(["objective", "status"])
    ws.append(["L1S1", "achieved"])
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each crafted file once per module: about 1 MB each, expanding to 1 GB."""
    folder = tmp_path_factory.mktemp("bombs")
    # openpyxl reads the styles of every workbook whole, before any sheet.
    (folder / "styles.xlsx").write_bytes(_zip(_workbook_members(), bomb="xl/styles.xml"))
    (folder / "minutes.odt").write_bytes(
        _zip({"mimetype": b"", "content.xml": b"<office/>"}, bomb="mimetype")
    )
    (folder / "minutes.docx").write_bytes(
        _zip(
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": b""}, bomb="word/document.xml"
        )
    )
    (folder / "backup.zip").write_bytes(
        _zip({"manifest.json": b"", "data.json": b"[]"}, bomb="manifest.json")
    )
    return folder


MEASURE = """
import os, sys, time
import django
django.setup()
kind, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
started = time.monotonic()
try:
    if kind == "import":
        from vertebra.frameworks.files import load_shipped, to_shape
        from vertebra.reports.imports import ImportFileError, read_xlsx
        try:
            read_xlsx(data, filename=os.path.basename(path), shape=to_shape(load_shipped("smr-rmm")))
        except ImportFileError as exc:
            print(exc.errors[0])
    elif kind == "evidence":
        from django.core.files.uploadedfile import SimpleUploadedFile
        from vertebra.assessments.evidence import EvidenceError, check_upload
        try:
            check_upload(SimpleUploadedFile(os.path.basename(path), data))
        except EvidenceError as exc:
            print(exc)
    else:
        from vertebra.reports.backup import BackupError, read_backup
        try:
            read_backup(path)
        except BackupError as exc:
            print(exc.errors[0])
finally:
    # The peak of this program's own memory (getrusage's ru_maxrss would keep the
    # peak of the test process it was forked from).
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) // 1024
    print(f"seconds={time.monotonic() - started:.1f} peak_mb={peak}")
"""


def _limit_memory() -> None:
    import resource

    # So that a regression fails the test instead of the machine.
    resource.setrlimit(resource.RLIMIT_AS, (3 * GB, 3 * GB))


def _measure(kind: str, path: Path) -> tuple[str, float, int]:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, kind, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "vertebra.settings", "PYTHONPATH": str(ROOT)},
        preexec_fn=_limit_memory,
    )
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2, (result.stdout, result.stderr[-2000:])
    seconds, peak = lines[1].split()
    return lines[0], float(seconds.removeprefix("seconds=")), int(peak.removeprefix("peak_mb="))


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        (
            "import",
            "styles.xlsx",
            "styles.xlsx: this workbook is refused: its part xl/styles.xml expands "
            "{ratio} times (to 1 GB); at most 100 times is accepted",
        ),
        (
            "evidence",
            "minutes.odt",
            "minutes.odt is refused: its part mimetype expands {ratio} times (to 1 GB); "
            "at most 100 times is accepted.",
        ),
        (
            "evidence",
            "minutes.docx",
            "minutes.docx is refused: its part word/document.xml expands {ratio} times "
            "(to 1 GB); at most 100 times is accepted.",
        ),
        (
            "backup",
            "backup.zip",
            "this backup file is refused: its part manifest.json expands {ratio} times "
            "(to 1 GB); at most 200 times is accepted",
        ),
    ],
)
def test_a_zip_bomb_is_refused_within_seconds_and_with_little_memory(files, kind, name, message):
    assert (files / name).stat().st_size < 1.1 * 1024 * 1024
    with zipfile.ZipFile(files / name) as archive:
        bomb = max(archive.infolist(), key=lambda member: member.file_size)
    assert bomb.file_size == GB
    said, seconds, peak_mb = _measure(kind, files / name)
    assert said == message.format(ratio=GB // bomb.compress_size)
    assert seconds < 3
    assert peak_mb < 250


def _members(count: int, size: int = 10) -> zipfile.ZipFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(count):
            archive.writestr(f"part{index}.xml", os.urandom(size).hex()[:size])
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


LIMITS = ArchiveLimits(members=3, member_bytes=4000, total_bytes=6000, ratio=100)


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (_members(4), "it holds 4 files; at most 3 are accepted"),
        (_members(1, 4001), "its part part0.xml expands to 4001 bytes; at most 4000 bytes is accepted"),
        (_members(2, 3001), "its parts expand to more than 6000 bytes in all"),
    ],
    ids=["members", "member size", "total size"],
)  # fmt: skip
def test_each_limit_of_an_archive_is_checked_from_its_directory(archive, message):
    with pytest.raises(ArchiveError) as caught:
        check_archive(archive, LIMITS)
    assert str(caught.value) == message


def test_an_archive_within_its_limits_passes_and_small_members_may_compress_well():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.xml", b"\0" * 1024 * 1024)  # 1 MB: under the ratio's floor
        archive.writestr("text.xml", b"<t>" * 500)
    check_archive(zipfile.ZipFile(out), ArchiveLimits(3, 2 * 1024 * 1024, 3 * 1024 * 1024, 100))


@pytest.mark.django_db
def test_an_xlsx_import_with_too_many_parts_is_refused_and_writes_nothing():
    import datetime as dt

    from vertebra.assessments.domain import create_assessment
    from vertebra.assessments.models import AnswerEvent
    from vertebra.cities.models import City
    from vertebra.reports.imports import ImportFileError, import_answers

    city = City.objects.create(slug="porto", name="Porto")
    draft = create_assessment(city=city, user=None, title="R", date=dt.date(2026, 3, 1))
    members = _workbook_members()
    members.update({f"xl/media/image{n}.png": b"" for n in range(1000)})
    with pytest.raises(ImportFileError) as caught:
        import_answers(assessment=draft, user=None, data=_zip(members), filename="many.xlsx")
    assert caught.value.errors == [
        f"many.xlsx: this workbook is refused: it holds {len(members)} files; "
        "at most 1000 are accepted"
    ]
    assert not AnswerEvent.objects.filter(assessment=draft).exists()
