"""Reading stored files as a stream, from the data folder or an S3 bucket alike.

Django's S3 file (django-storages) fetches a whole object before the first byte is read;
a download or a backup here reads the object's body as it arrives instead, in blocks, so a
large file never sits whole in memory or on a temporary disk. The bucket is reached by the
server only: people download through Vertebra, which checks who may (never a redirect to
the bucket). A file missing from either storage raises ``FileNotFoundError``.
"""

from __future__ import annotations

import io
import logging
import os
from typing import IO, Any

from django.core.files.storage import Storage, default_storage
from django.http import FileResponse

logger = logging.getLogger(__name__)


def is_bucket(storage: Storage) -> bool:
    """Whether the storage is an S3 bucket (django-storages' S3Storage)."""
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


class _Body(io.RawIOBase):
    """An S3 object's body as a readable, non-seekable file of known size."""

    def __init__(self, body: Any, size: int) -> None:
        self._body = body
        self.size = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


def open_stream(name: str, storage: Storage | None = None) -> IO[bytes]:
    """The stored file ``name``, open for reading from its start."""
    storage = storage or default_storage
    if not is_bucket(storage):
        return storage.open(name, "rb")
    from botocore.exceptions import ClientError
    from storages.utils import clean_name

    key = storage._normalize_name(clean_name(name))  # type: ignore[attr-defined]
    try:
        found = storage.connection.meta.client.get_object(  # type: ignore[attr-defined]
            Bucket=storage.bucket_name,  # type: ignore[attr-defined]
            Key=key,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise FileNotFoundError(name) from None
        raise
    return io.BufferedReader(_Body(found["Body"], int(found["ContentLength"])), 64 * 1024)


def file_response(name: str, *, storage: Storage, filename: str, content_type: str) -> FileResponse:
    """A download of the stored file, streamed in blocks (``FileNotFoundError`` when missing)."""
    handle = open_stream(name, storage)
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response.block_size = 64 * 1024
    raw = getattr(handle, "raw", None)
    if isinstance(raw, _Body):
        response["Content-Length"] = str(raw.size)
    return response


def storage_reachable(storage: Storage | None = None) -> bool:
    """Whether files can be stored now: the bucket answers, or the data folder's uploads
    folder (made on the first upload) or the data folder itself is writable."""
    storage = storage or default_storage
    if is_bucket(storage):
        try:
            storage.connection.meta.client.head_bucket(  # type: ignore[attr-defined]
                Bucket=storage.bucket_name  # type: ignore[attr-defined]
            )
        except Exception:
            logger.warning("The file storage's bucket does not answer", exc_info=True)
            return False
        return True
    location = str(getattr(storage, "location", ""))
    while location and not os.path.isdir(location):
        parent = os.path.dirname(location)
        if parent == location:
            break
        location = parent
    return bool(location) and os.access(location, os.W_OK | os.X_OK)
