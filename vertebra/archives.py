"""Zip archives a person sends, checked from their directory before any member is read.

An XLSX workbook, a DOCX, ODT or ODS document and a Vertebra backup are zip archives. A zip
of about 1 MB can hold members that expand to gigabytes (a "zip bomb"), or so many members
that listing them costs more than the file. Every place that opens such a file (the XLSX
import, evidence uploads of zip-based formats, the backup restore) calls :func:`check_archive`
with its :class:`ArchiveLimits` first: the number of members, each member's uncompressed size,
their total and each member's compression ratio are read from the zip's central directory,
so a refusal takes milliseconds and no memory. Python's ``zipfile`` then never returns more
bytes for a member than the directory declares, so the checked sizes bound every later read.

Pure Python, no Django.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass

from vertebra.i18n import gettext as _

MB = 1024 * 1024
# Members smaller than this are not held to the ratio: their size alone is harmless.
RATIO_FLOOR = 1 * MB


@dataclass(frozen=True)
class ArchiveLimits:
    members: int
    member_bytes: int
    total_bytes: int
    # The most a member may expand: uncompressed size / compressed size.
    ratio: int


# An answers workbook: a dozen parts, a sheet of at most 5,000 rows.
XLSX_IMPORT = ArchiveLimits(members=1000, member_bytes=25 * MB, total_bytes=50 * MB, ratio=100)
# A DOCX, XLSX, ODT or ODS evidence file (at most VERTEBRA_MAX_ATTACHMENT_MB when uploaded).
EVIDENCE = ArchiveLimits(members=10_000, member_bytes=256 * MB, total_bytes=512 * MB, ratio=100)
# A whole instance: data.json can be large and every attachment is a member.
BACKUP = ArchiveLimits(
    members=1_000_000, member_bytes=4096 * MB, total_bytes=64 * 1024 * MB, ratio=200
)


class ArchiveError(Exception):
    """Why an archive is refused, in words for the person who sent it."""


# What reading a damaged zip can raise, beyond ArchiveError: a cut or altered file, a part
# compressed with a method Python lacks, an encrypted part.
DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    NotImplementedError,
    RuntimeError,
)


def _size(count: int) -> str:
    for unit, name in ((1024 * MB, "GB"), (MB, "MB")):
        if count >= unit:
            return f"{count / unit:.1f}".removesuffix(".0") + f" {name}"
    return _("%(count)s bytes") % {"count": count}


def check_archive(archive: zipfile.ZipFile, limits: ArchiveLimits) -> None:
    """Raise ArchiveError when the archive's directory breaks one of ``limits``."""
    members = archive.infolist()
    if len(members) > limits.members:
        raise ArchiveError(
            _("it holds %(count)s files; at most %(most)s are accepted")
            % {"count": len(members), "most": limits.members}
        )
    total = 0
    for member in members:
        name = member.filename[:100]
        ratio = member.file_size // max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > limits.ratio:
            raise ArchiveError(
                _(
                    "its part %(name)s expands %(ratio)s times (to %(size)s); "
                    "at most %(most)s times is accepted"
                )
                % {
                    "name": name,
                    "ratio": ratio,
                    "size": _size(member.file_size),
                    "most": limits.ratio,
                }
            )
        if member.file_size > limits.member_bytes:
            raise ArchiveError(
                _("its part %(name)s expands to %(size)s; at most %(most)s is accepted")
                % {
                    "name": name,
                    "size": _size(member.file_size),
                    "most": _size(limits.member_bytes),
                }
            )
        total += member.file_size
        if total > limits.total_bytes:
            raise ArchiveError(
                _("its parts expand to more than %(size)s in all")
                % {"size": _size(limits.total_bytes)}
            )
