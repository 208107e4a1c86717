"""Backing up the whole instance to one file and restoring it into an empty one.

The file is a zip archive: ``manifest.json`` (format, version, the database layout it was
made with, counts and a checksum for every part), ``data.json`` (every row, Django's JSON
serialization with primary keys kept and natural keys for permissions) and ``files/`` (the
attachments' bytes). Restoring checks the whole file first, then writes everything in one
transaction and resets PostgreSQL's sequences, so a backup moves between SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from vertebra import __version__

BACKUP_FORMAT = "vertebra-backup"
BACKUP_FORMAT_VERSION = 1
# Apps whose every model is backed up, in dependency order; plus auth's groups.
BACKUP_APPS = (
    "accounts",
    "frameworks",
    "cities",
    "assessments",
    "planning",
    "api",
    "reports",
    "web",
)
EXTRA_MODELS = ("auth.group",)
MAX_BACKUP_FILE_BYTES = 2 * 1024 * 1024 * 1024


class BackupError(Exception):
    """A backup file that cannot be restored, or an instance that refuses it; one line each."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class RestoreResult:
    counts: dict[str, int]
    files: int


def backed_up_models() -> list[type[models.Model]]:
    found: list[type[models.Model]] = [apps.get_model(label) for label in EXTRA_MODELS]
    for label in BACKUP_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        found.extend(m for m in config.get_models() if not m._meta.proxy)
    ordered = serializers.sort_dependencies([(None, found)], allow_cycles=True)
    return [m for m in ordered if m in found]


def _migration_state() -> dict[str, str]:
    """The latest applied migration of each backed-up app: the database layout."""
    state: dict[str, str] = {}
    applied = MigrationRecorder(connection).applied_migrations()
    for app, name in sorted(applied):
        if app in BACKUP_APPS or app == "auth":
            state[app] = max(state.get(app, ""), name)
    return state


def _file_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _ExactEncoder(json.JSONEncoder):
    """Django's encoder, but times keep their microseconds (it rounds to milliseconds)."""

    def default(self, o: Any) -> Any:
        from django.core.serializers.json import DjangoJSONEncoder

        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return DjangoJSONEncoder.default(self, o)


def _serialize(rows: list[Any]) -> bytes:
    """Rows as JSON with their primary keys; permissions by natural key (their ids differ
    between instances), everything else by id, so nothing is looked up while restoring."""
    from django.contrib.auth.models import Permission

    python = serializers.serialize("python", rows)
    permission_keys = {
        p.pk: list(p.natural_key()) for p in Permission.objects.select_related("content_type")
    }
    for row in python:
        fields = row["fields"]
        for name in ("permissions", "user_permissions"):
            if name in fields:
                fields[name] = [permission_keys[pk] for pk in fields[name]]
    return json.dumps(python, cls=_ExactEncoder, ensure_ascii=False).encode("utf-8")


def write_backup(target: Any) -> dict[str, Any]:
    """Write the instance to ``target`` (a path or a binary file object); return the manifest."""
    with transaction.atomic():  # one consistent view of the data
        model_list = backed_up_models()
        rows: list[Any] = []
        counts: dict[str, int] = {}
        file_names: list[str] = []
        for model in model_list:
            queryset = model._base_manager.order_by("pk")
            objects = list(queryset)
            counts[model._meta.label_lower] = len(objects)
            rows.extend(objects)
            for name in _file_fields(model):
                file_names.extend(getattr(obj, name).name for obj in objects if getattr(obj, name))
        data = _serialize(rows)
        migrations = _migration_state()
    files = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", data)
        for name in sorted(set(file_names)):
            try:
                with default_storage.open(name, "rb") as handle:
                    content = handle.read()
            except OSError:
                raise BackupError(
                    [f"attachment file {name!r} is missing from the storage"]
                ) from None
            archive.writestr(f"files/{name}", content)
            files.append({"name": name, "size": len(content), "sha256": _sha256(content)})
        manifest = {
            "format": BACKUP_FORMAT,
            "format_version": BACKUP_FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "vertebra_version": __version__,
            "database": connection.vendor,
            "migrations": migrations,
            "counts": counts,
            "data_sha256": _sha256(data),
            "files": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest


# -- restore ------------------------------------------------------------------------------------


@dataclass
class _Checked:
    manifest: dict[str, Any]
    objects: list[Any]
    files: dict[str, bytes]


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and bool(name)


def read_backup(source: Any) -> _Checked:
    """Check a backup file completely; raise BackupError listing every problem."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise BackupError(["no such file"])
        if path.stat().st_size > MAX_BACKUP_FILE_BYTES:
            raise BackupError(["the file is larger than 2 GB"])
        source = io.BytesIO(path.read_bytes())
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BackupError(["this is not a Vertebra backup file (not a zip archive)"]) from None
    with archive:
        names = set(archive.namelist())
        if "manifest.json" not in names or "data.json" not in names:
            raise BackupError(
                ["this is not a Vertebra backup file (no manifest.json or data.json)"]
            )
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (ValueError, zipfile.BadZipFile, OSError):
            raise BackupError(["manifest.json is damaged"]) from None
        if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
            raise BackupError(["this is not a Vertebra backup file (unknown format)"])
        if manifest.get("format_version") != BACKUP_FORMAT_VERSION:
            raise BackupError(
                [
                    f"backup format version {manifest.get('format_version')!r} is not supported "
                    f"(this Vertebra reads version {BACKUP_FORMAT_VERSION})"
                ]
            )
        errors: list[str] = []
        ours = _migration_state()
        theirs = manifest.get("migrations") or {}
        for app in sorted(set(ours) | set(theirs)):
            if ours.get(app) != theirs.get(app):
                errors.append(
                    f"database layout differs for {app}: the backup has {theirs.get(app) or 'none'}, "
                    f"this instance has {ours.get(app) or 'none'}; restore with the Vertebra "
                    f"version that made the backup ({manifest.get('vertebra_version')}), "
                    "or migrate that instance first"
                )
        if errors:
            raise BackupError(errors)
        try:
            data = archive.read("data.json")
        except (zipfile.BadZipFile, OSError):
            raise BackupError(["data.json is damaged"]) from None
        if _sha256(data) != manifest.get("data_sha256"):
            errors.append("data.json does not match its checksum: the file is damaged")
        files: dict[str, bytes] = {}
        for entry in manifest.get("files") or []:
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not _safe_name(name):
                errors.append(f"attachment entry {entry!r} has an unsafe name")
                continue
            member = f"files/{name}"
            if member not in names:
                errors.append(f"attachment {name!r} is missing from the backup")
                continue
            content = archive.read(member)
            if _sha256(content) != entry.get("sha256"):
                errors.append(f"attachment {name!r} does not match its checksum")
                continue
            files[name] = content
        if errors:
            raise BackupError(errors)
    allowed = {m._meta.label_lower for m in backed_up_models()}
    try:
        objects = list(
            serializers.deserialize(
                "json", data, handle_forward_references=False, ignorenonexistent=False
            )
        )
    except (DeserializationError, ObjectDoesNotExist, ValueError) as exc:
        raise BackupError([f"data.json cannot be read: {exc}"]) from None
    counts: dict[str, int] = {}
    for obj in objects:
        label = obj.object._meta.label_lower
        if label not in allowed:
            errors.append(f"data.json holds rows of {label}, which a backup never contains")
        counts[label] = counts.get(label, 0) + 1
    expected = {k: v for k, v in (manifest.get("counts") or {}).items() if v}
    if counts != expected:
        errors.append(f"data.json has {counts} rows but the manifest lists {expected}")
    referenced = set()
    for obj in objects:
        for name in _file_fields(type(obj.object)):
            value = getattr(obj.object, name)
            if value:
                referenced.add(value.name)
    for name in sorted(referenced - set(files)):
        errors.append(f"attachment {name!r} is referenced but not in the backup")
    if errors:
        raise BackupError(errors)
    return _Checked(manifest=manifest, objects=objects, files=files)


def instance_is_empty() -> bool:
    """No people, cities or assessments (maturity models loaded by ``vertebra init`` are fine)."""
    from vertebra.accounts.models import User
    from vertebra.assessments.models import Assessment
    from vertebra.cities.models import City

    return not (User.objects.exists() or City.objects.exists() or Assessment.objects.exists())


def _clear() -> None:
    from django.contrib.admin.models import LogEntry
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()
    LogEntry.objects.all().delete()
    for model in reversed(backed_up_models()):
        model._base_manager.all().delete()


def restore_backup(source: Any, *, force: bool = False) -> RestoreResult:
    """Fill an empty instance from a backup; ``force`` replaces a non-empty one."""
    checked = read_backup(source)
    if not force and not instance_is_empty():
        raise BackupError(
            [
                "this instance already has people, cities or assessments; restore into an empty "
                "instance, or give --force to replace everything in it"
            ]
        )
    model_list = backed_up_models()
    try:
        with transaction.atomic():
            _clear()
            for obj in checked.objects:
                obj.save()
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), model_list):
                    cursor.execute(statement)
            for name, content in checked.files.items():
                if default_storage.exists(name):
                    default_storage.delete(name)
                saved = default_storage.save(name, ContentFile(content))
                if saved != name:
                    raise BackupError([f"attachment {name!r} could not be stored under its name"])
    except DatabaseError as exc:
        raise BackupError([f"the database refused the backup's data: {exc}"]) from None
    counts = {k: v for k, v in checked.manifest["counts"].items() if v}
    return RestoreResult(counts=counts, files=len(checked.files))
