"""Evidence files and comments on answers: checked before anything is stored.

An attachment is accepted only when its name ends in an allowed extension AND its first
bytes look like that kind of file, and when it is no larger than
``settings.MAX_ATTACHMENT_BYTES``. A stored file can support several answers (other
objectives it shows, and the next cycles' answers that carry it over): linking it to an
answer or removing it from one never copies or touches the bytes, which are deleted only
with the file's last link. Adding or removing a file is recorded in the answer's history
like any other change; files and comments count in the revisions like any other
change too (``count_change``), so the kept pages show them at once.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import zipfile
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from vertebra import archives
from vertebra.archives import ArchiveError, check_archive
from vertebra.assessments.domain import AssessmentLockedError, count_change
from vertebra.assessments.mentions import find_mentions
from vertebra.assessments.models import Answer, AnswerEvent, AssessmentStatus, Attachment, Comment
from vertebra.cities.models import Membership
from vertebra.text import clean_text

if TYPE_CHECKING:
    from vertebra.accounts.models import User

logger = logging.getLogger("vertebra.assessments")

MAX_COMMENT = 5000
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str


KINDS: dict[str, FileKind] = {
    kind.extension: kind
    for kind in (
        FileKind("pdf", "application/pdf"),
        FileKind("png", "image/png"),
        FileKind("jpg", "image/jpeg"),
        FileKind("jpeg", "image/jpeg"),
        FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        FileKind("odt", "application/vnd.oasis.opendocument.text"),
        FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet"),
        FileKind("txt", "text/plain"),
        FileKind("csv", "text/csv"),
    )
}
ALLOWED_EXTENSIONS = ("pdf", "png", "jpg", "docx", "xlsx", "odt", "ods", "txt", "csv")


class EvidenceError(Exception):
    """A file or comment was refused; the message says why, for the person."""


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def _zip_names(handle: IO[bytes]) -> tuple[set[str], bytes]:
    """The member names of an OOXML/ODF package and its ``mimetype`` entry (empty if none).

    The archive's directory is checked first (``vertebra.archives``): a package that would
    expand to gigabytes raises ArchiveError before any member is read.
    """
    try:
        with zipfile.ZipFile(handle) as archive:
            check_archive(archive, archives.EVIDENCE)
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(100)
            return names, mimetype
    except archives.DAMAGED:
        return set(), b""


def _looks_like(extension: str, head: bytes, handle: IO[bytes]) -> bool:
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in {"jpg", "jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if extension in {"docx", "xlsx", "odt", "ods"}:
        if not head.startswith(b"PK\x03\x04"):
            return False
        names, mimetype = _zip_names(handle)
        if extension == "docx":
            return "word/document.xml" in names
        if extension == "xlsx":
            return "xl/workbook.xml" in names
        return mimetype == KINDS[extension].content_type.encode()
    # txt and csv: readable text, no NUL bytes (a cut multi-byte character at the end is fine).
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def kind_of(name: str) -> FileKind | None:
    """The allowed kind of file a name's extension says, or None for any other name."""
    return KINDS.get(_extension(name))


def check_upload(upload: UploadedFile) -> FileKind:
    """The kind of an uploaded evidence file, or EvidenceError saying what is wrong."""
    name = os.path.basename(upload.name or "")
    if not name:
        raise EvidenceError(_("Choose a file to upload."))
    limit = settings.MAX_ATTACHMENT_BYTES
    if upload.size is None or upload.size > limit:
        raise EvidenceError(
            _("%(name)s is too large: files can be at most %(limit)s.")
            % {"name": name, "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise EvidenceError(_("%(name)s is empty.") % {"name": name})
    extension = _extension(name)
    kind = kind_of(name)
    if kind is None:
        raise EvidenceError(
            _("%(name)s is not an allowed type. Allowed: %(types)s.")
            % {"name": name, "types": ", ".join(ALLOWED_EXTENSIONS)}
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    data: IO[bytes] = upload.file if upload.file is not None else io.BytesIO(head)
    try:
        ok = _looks_like(extension, head, data)
    except ArchiveError as exc:
        raise EvidenceError(
            _("%(name)s is refused: %(why)s.") % {"name": name, "why": exc}
        ) from None
    finally:
        upload.seek(0)
    if not ok:
        raise EvidenceError(
            _("%(name)s does not look like a .%(ext)s file; its content does not match its name.")
            % {"name": name, "ext": extension}
        )
    return kind


def _safe_name(name: str) -> str:
    base = clean_text(os.path.basename(name), single_line=True).strip() or "file"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        return base[:150]
    return f"{stem[: 150 - len(ext) - 1]}.{ext}"


def add_attachment(
    *, answer: Answer, user: User | None, upload: UploadedFile, source: str = "web"
) -> Attachment:
    """Store an evidence file for the answer after checking its size and type.

    The file is written first, outside the database transaction (a slow upload does not hold
    the database's write lock). If writing it fails partway (a full disk) or the database
    then refuses the row, the stored file is deleted: a failed upload leaves nothing behind.
    """
    if answer.assessment.status == AssessmentStatus.FINAL:
        raise AssessmentLockedError()
    kind = check_upload(upload)
    name = _safe_name(upload.name or "file")
    attachment = Attachment(
        original_name=name,
        content_type=kind.content_type,
        size=upload.size or 0,
        uploaded_by=user,
    )
    attachment.folder = str(answer.assessment.uuid)
    storage = attachment.file.storage
    # A new folder per file (see attachment_path): whatever is at ``target`` is this upload's.
    target = attachment.file.field.generate_filename(attachment, name)
    try:
        attachment.file.name = storage.save(
            target, upload, max_length=attachment.file.field.max_length
        )
    except BaseException:
        _discard(storage, target)
        raise
    try:
        with transaction.atomic():
            count_change(assessment_id=answer.assessment_id, answer_ids=[answer.pk])
            attachment.save()
            attachment.answers.add(answer)
            _file_event(answer, user=user, source=source, added=name)
    except BaseException:
        _discard(storage, attachment.file.name)
        raise
    return attachment


def _discard(storage: Storage, name: str) -> None:
    """Delete a stored file that no row refers to, and its folder when that is left empty."""
    try:
        storage.delete(name)
    except OSError:
        logger.warning("Could not delete the unused file %s", name, exc_info=True)
        return
    # A storage without local paths, or a folder that is not empty, keeps its folder.
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(os.path.dirname(storage.path(name)))


def _file_event(
    answer: Answer, *, user: User | None, source: str, added: str = "", removed: str = ""
) -> None:
    AnswerEvent.objects.create(
        assessment_id=answer.assessment_id,
        answer=answer,
        objective_code=answer.objective.code,
        field="attachments",
        old_value=removed,
        new_value=added,
        user=user,
        source=source,
    )


def link_attachment(
    *, attachment: Attachment, answer: Answer, user: User | None, source: str = "web"
) -> None:
    """Let a file of the answer's assessment support this answer's objective too.

    The same stored file is referred to, not copied. A file the answer already has, or one
    that no answer of this assessment has, is refused with EvidenceError.
    """
    if answer.assessment.status == AssessmentStatus.FINAL:
        raise AssessmentLockedError()
    links = attachment.answers.filter(assessment_id=answer.assessment_id)
    if not links.exists():
        raise EvidenceError(_("That file is not one of this assessment's files."))
    if links.filter(pk=answer.pk).exists():
        raise EvidenceError(
            _("%(name)s already supports %(code)s.")
            % {"name": attachment.original_name, "code": answer.objective.code}
        )
    with transaction.atomic():
        count_change(assessment_id=answer.assessment_id, answer_ids=[answer.pk])
        attachment.answers.add(answer)
        _file_event(answer, user=user, source=source, added=attachment.original_name)


def remove_attachment(
    *, attachment: Attachment, answer: Answer, user: User | None, source: str = "web"
) -> None:
    """Remove a file from one answer; the history keeps its name.

    The file stays for the other answers it supports (of this cycle or another); its row and
    its bytes are deleted with its last link.
    """
    if answer.assessment.status == AssessmentStatus.FINAL:
        raise AssessmentLockedError()
    with transaction.atomic():
        count_change(assessment_id=answer.assessment_id, answer_ids=[answer.pk])
        # The file's row is held to the end: two removals of its last links wait in turn.
        locked = Attachment.objects.select_for_update().filter(pk=attachment.pk)
        if not locked.exists():
            return
        attachment.answers.remove(answer)
        _file_event(answer, user=user, source=source, removed=attachment.original_name)
        if attachment.answers.exists():
            return
        stored = attachment.file.name
        storage = attachment.file.storage
        attachment.delete()
        transaction.on_commit(lambda: _discard(storage, stored))


def clean_comment(text: str | None) -> str:
    """A comment's text as it is stored, or EvidenceError saying what is wrong."""
    text = clean_text(text or "").strip()
    if not text:
        raise EvidenceError(_("Write a comment before sending it."))
    if len(text) > MAX_COMMENT:
        raise EvidenceError(
            _("A comment can be at most %(limit)d characters.") % {"limit": MAX_COMMENT}
        )
    return text


def add_comment(*, answer: Answer, user: User | None, text: str) -> Comment:
    """Store the comment with the members of the answer's city it mentions (``@name``)."""
    if answer.assessment.status == AssessmentStatus.FINAL:
        raise AssessmentLockedError()
    text = clean_comment(text)
    members = [
        m.user
        for m in Membership.objects.filter(city=answer.assessment.city_id).select_related("user")
    ]
    mentioned = find_mentions(text, members)
    with transaction.atomic():
        count_change(assessment_id=answer.assessment_id, answer_ids=[answer.pk])
        comment = Comment.objects.create(answer=answer, author=user, text=text)
        if mentioned:
            comment.mentioned.set(mentioned)
        return comment
