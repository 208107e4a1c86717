"""Backing up the whole instance to one file and restoring it into an empty one.

The file is a zip archive: ``manifest.json`` (format, version, the database layout it was
made with, counts and a checksum for every part), ``data.json`` (every row, Django's JSON
serialization with primary keys kept and natural keys for permissions) and ``files/`` (the
attachments' bytes). Restoring checks the whole file first (every row with the rules of its kind:
``vertebra.reports.restore_rules``), then writes everything in one
transaction and resets PostgreSQL's sequences, so a backup moves between SQLite and PostgreSQL.

A backup never holds back the people saving their work: it reads one snapshot of the database
(on SQLite a copy made with SQLite's online backup API, on PostgreSQL one read-only
REPEATABLE READ transaction) and streams rows and files into the archive in chunks, so its
memory does not grow with the instance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import Deserializer as JsonDeserializer
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from vertebra import __version__, archives
from vertebra.archives import ArchiveError, check_archive
from vertebra.reports.restore_rules import check_rows
from vertebra.reports.upgrade import UpgradeError, known_migrations, release, upgrade_rows
from vertebra.sharing.benchmark import rebuild_all as rebuild_benchmarks
from vertebra.storage import open_stream

BACKUP_FORMAT = "vertebra-backup"
BACKUP_FORMAT_VERSION = 1
# Apps whose every model is backed up, in dependency order; plus auth's groups.
BACKUP_APPS = (
    "accounts",
    "frameworks",
    "cities",
    "assessments",
    "planning",
    "workshops",
    "reviews",
    "sharing",
    "api",
    "reports",
    "web",
)
EXTRA_MODELS = ("auth.group",)
MAX_BACKUP_FILE_BYTES = 2 * 1024 * 1024 * 1024
# Rows read from the database per query while dumping, and written per INSERT while restoring.
DUMP_CHUNK_ROWS = 2000
RESTORE_BATCH_ROWS = 500
COPY_BUFFER_BYTES = 1024 * 1024
SNAPSHOT_ALIAS = "vertebra_backup_snapshot"


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


def _migration_state(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The latest applied migration of each backed-up app: the database layout."""
    state: dict[str, str] = {}
    applied = MigrationRecorder(connections[using]).applied_migrations()
    for app, name in sorted(applied):
        if app in BACKUP_APPS or app == "auth":
            state[app] = max(state.get(app, ""), name)
    return state


def _file_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def one_line(exc: BaseException) -> str:
    """The first line of a database or system error, for a one-line message."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class _ExactEncoder(json.JSONEncoder):
    """Django's encoder, but times keep their microseconds (it rounds to milliseconds)."""

    def default(self, o: Any) -> Any:
        from django.core.serializers.json import DjangoJSONEncoder

        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return DjangoJSONEncoder.default(self, o)


# -- backup: one snapshot, streamed ---------------------------------------------------------------


@contextmanager
def _sqlite_snapshot() -> Iterator[str]:
    """Copy the database with SQLite's online backup API and read the copy.

    The copy is made in one step: a WAL database lets writers go on while a reader copies
    (a copy in several steps would start again after every write of another connection, and
    a busy city writes all the time). The copy sits next to the database, on the disk that
    already holds it, and is deleted afterwards.
    """
    source = connection
    source.ensure_connection()
    name = str(source.settings_dict["NAME"])
    in_memory = name == ":memory:" or "mode=memory" in name  # as Django's own test
    folder = None if in_memory else str(Path(name).parent)
    with tempfile.TemporaryDirectory(prefix=".vertebra-backup-", dir=folder) as workdir:
        copy_path = Path(workdir) / "snapshot.sqlite3"
        target = sqlite3.connect(copy_path)
        try:
            source.connection.backup(target)
        except sqlite3.Error as exc:
            raise BackupError([f"the database cannot be copied for the backup: {exc}"]) from None
        finally:
            target.close()
        connections.settings[SNAPSHOT_ALIAS] = {
            **source.settings_dict,
            "NAME": str(copy_path),
            "OPTIONS": {},
        }
        try:
            yield SNAPSHOT_ALIAS
        finally:
            connections[SNAPSHOT_ALIAS].close()
            del connections[SNAPSHOT_ALIAS]
            del connections.settings[SNAPSHOT_ALIAS]


@contextmanager
def _snapshot() -> Iterator[str]:
    """A database alias whose every read sees the instance as of one moment.

    Writers are never held back: SQLite is copied first; PostgreSQL reads in one read-only
    REPEATABLE READ transaction. Inside a transaction already open (a test), that one is the
    snapshot: SQLite cannot copy a database its own connection is writing to.
    """
    if connection.in_atomic_block:
        yield DEFAULT_DB_ALIAS
        return
    if connection.vendor == "sqlite":
        with _sqlite_snapshot() as alias:
            yield alias
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield DEFAULT_DB_ALIAS


class _HashingWriter:
    """Writes to a stream and keeps the SHA-256 and size of what went through."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.stream.write(data)


def _chunks(queryset: models.QuerySet[Any]) -> Iterator[list[Any]]:
    rows = queryset.iterator(chunk_size=DUMP_CHUNK_ROWS)
    while chunk := list(islice(rows, DUMP_CHUNK_ROWS)):
        yield chunk


def _dump(out: _HashingWriter, *, using: str) -> tuple[dict[str, int], list[str]]:
    """Every backed-up row as one JSON list, chunk by chunk; the counts and attachment names.

    Permissions go by natural key (their ids differ between instances), everything else by
    id, so nothing is looked up while restoring."""
    from django.contrib.auth.models import Permission

    permission_keys = {
        p.pk: list(p.natural_key())
        for p in Permission.objects.using(using).select_related("content_type")
    }
    counts: dict[str, int] = {}
    file_names: set[str] = set()
    separator = b""
    out.write(b"[")
    for model in backed_up_models():
        m2m = [f.name for f in model._meta.many_to_many]
        queryset = model._base_manager.using(using).order_by("pk").prefetch_related(*m2m)
        file_fields = _file_fields(model)
        count = 0
        for chunk in _chunks(queryset):
            count += len(chunk)
            for obj in chunk:
                for name in file_fields:
                    if value := getattr(obj, name):
                        file_names.add(value.name)
            python = serializers.serialize("python", chunk)
            for row in python:
                fields = row["fields"]
                for name in ("permissions", "user_permissions"):
                    if name in fields:
                        fields[name] = [permission_keys[pk] for pk in fields[name]]
            text = ", ".join(
                json.dumps(row, cls=_ExactEncoder, ensure_ascii=False) for row in python
            )
            out.write(separator + text.encode("utf-8"))
            separator = b", "
        counts[model._meta.label_lower] = count
    out.write(b"]")
    return counts, sorted(file_names)


def _copy_into(source: IO[bytes], target: IO[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while block := source.read(COPY_BUFFER_BYTES):
        digest.update(block)
        size += len(block)
        target.write(block)
    return size, digest.hexdigest()


def write_backup(target: Any) -> dict[str, Any]:
    """Write the instance to ``target`` (a path or a binary file object); return the manifest.

    Raises BackupError for a problem with the instance, OSError when the target cannot be
    written, DatabaseError when the database cannot be read."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with _snapshot() as using:
            migrations = _migration_state(using)
            with archive.open("data.json", "w", force_zip64=True) as stream:
                out = _HashingWriter(stream)
                counts, file_names = _dump(out, using=using)
        files = []
        for name in file_names:
            try:
                source = open_stream(name)
            except OSError:
                raise BackupError(
                    [f"attachment file {name!r} is missing from the storage"]
                ) from None
            with source, archive.open(f"files/{name}", "w", force_zip64=True) as member:
                size, digest = _copy_into(source, member)
            files.append({"name": name, "size": size, "sha256": digest})
        manifest = {
            "format": BACKUP_FORMAT,
            "format_version": BACKUP_FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "vertebra_version": __version__,
            "database": connection.vendor,
            "migrations": migrations,
            "counts": counts,
            "data_sha256": out.digest.hexdigest(),
            "files": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest


# -- restore ------------------------------------------------------------------------------------


@dataclass
class _Checked:
    manifest: dict[str, Any]
    # Rows per model, in the order they are written; each a DeserializedObject.
    objects: dict[type[models.Model], list[Any]]
    # Attachment name -> member of the archive holding its bytes.
    files: dict[str, str]


class _RowDeserializer(JsonDeserializer):
    """Django's JSON deserializer over rows already parsed: every error a DeserializationError."""

    def __init__(self, rows: Iterable[Any], **options: Any) -> None:
        PythonDeserializer.__init__(self, rows, **options)


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and bool(name)


@contextmanager
def _open_archive(source: Any) -> Iterator[zipfile.ZipFile]:
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise BackupError(["no such file"])
        if path.stat().st_size > MAX_BACKUP_FILE_BYTES:
            raise BackupError(["the file is larger than 2 GB"])
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BackupError(["this is not a Vertebra backup file (not a zip archive)"]) from None
    with archive:
        try:
            check_archive(archive, archives.BACKUP)
        except ArchiveError as exc:
            raise BackupError([f"this backup file is refused: {exc}"]) from None
        yield archive


def _member_sha256(archive: zipfile.ZipFile, member: str) -> str:
    digest = hashlib.sha256()
    with archive.open(member) as handle:
        while block := handle.read(COPY_BUFFER_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _drain(rows: list[Any]) -> Iterator[Any]:
    """Hand out the rows one by one, letting go of each: the list shrinks as objects grow."""
    rows.reverse()
    while rows:
        yield rows.pop()


def _check_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    names = set(archive.namelist())
    if "manifest.json" not in names or "data.json" not in names:
        raise BackupError(["this is not a Vertebra backup file (no manifest.json or data.json)"])
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
    _check_layout(manifest)
    return manifest


def _check_layout(manifest: dict[str, Any]) -> None:
    """Refuse a backup of a newer release, or of a database layout this release does not know:
    this release cannot know what its rows mean. A backup of an earlier release (a layout this
    release's migrations lead on from) is brought forward when it is read."""
    theirs = manifest.get("migrations") or {}
    made_by = manifest.get("vertebra_version")
    if (
        not isinstance(theirs, dict)
        or not theirs
        or not all(isinstance(app, str) and isinstance(name, str) for app, name in theirs.items())
    ):
        raise BackupError(["manifest.json is damaged (its database layout cannot be read)"])
    if release(made_by) > release(__version__):
        raise BackupError(
            [
                f"this backup was made by Vertebra {made_by}, which is newer than this "
                f"Vertebra {__version__}; restore it with Vertebra {made_by} or later"
            ]
        )
    known = known_migrations()
    unknown = sorted(f"{app} {name}" for app, name in theirs.items() if (app, name) not in known)
    if unknown:
        raise BackupError(
            [
                f"this backup was made by Vertebra {made_by} with a newer database layout than "
                f"this Vertebra {__version__} knows ({', '.join(unknown)}); restore it with "
                f"Vertebra {made_by} or later"
            ]
        )


def _is_older(manifest: dict[str, Any]) -> bool:
    return bool(manifest.get("migrations") != _migration_state())


def _check_files(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> dict[str, str]:
    names = set(archive.namelist())
    errors: list[str] = []
    files: dict[str, str] = {}
    for entry in manifest.get("files") or []:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not _safe_name(name):
            errors.append(f"attachment entry {entry!r} has an unsafe name")
            continue
        member = f"files/{name}"
        if member not in names:
            errors.append(f"attachment {name!r} is missing from the backup")
            continue
        try:
            digest = _member_sha256(archive, member)
        except (zipfile.BadZipFile, OSError):
            digest = ""
        if digest != entry.get("sha256"):
            errors.append(f"attachment {name!r} does not match its checksum")
            continue
        files[name] = member
    if errors:
        raise BackupError(errors)
    return files


def _read_objects(
    archive: zipfile.ZipFile, manifest: dict[str, Any]
) -> dict[type[models.Model], list[Any]]:
    try:
        data = archive.read("data.json")
    except (zipfile.BadZipFile, OSError):
        raise BackupError(["data.json is damaged"]) from None
    if _sha256(data) != manifest.get("data_sha256"):
        raise BackupError(["data.json does not match its checksum: the file is damaged"])
    try:
        rows = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise BackupError([f"data.json cannot be read: {exc}"]) from None
    del data
    if not isinstance(rows, list):
        raise BackupError(["data.json cannot be read: it is not a list of rows"])
    older = _is_older(manifest)
    if older:
        _check_counts(rows, manifest)
        try:
            rows = upgrade_rows(rows, layout=manifest["migrations"], current=backed_up_models())
        except UpgradeError as exc:
            raise BackupError(exc.errors) from None
    allowed = set(backed_up_models())
    objects: dict[type[models.Model], list[Any]] = {model: [] for model in backed_up_models()}
    errors: list[str] = []
    try:
        deserialized = _RowDeserializer(
            _drain(rows), handle_forward_references=False, ignorenonexistent=False
        )
        for obj in deserialized:
            model = type(obj.object)
            if model not in allowed:
                label = model._meta.label_lower
                message = f"data.json holds rows of {label}, which a backup never contains"
                if message not in errors:
                    errors.append(message)
                continue
            objects[model].append(obj)
    except serializers.base.DeserializationError as exc:
        raise BackupError([f"data.json cannot be read: {exc}"]) from None
    counts = {m._meta.label_lower: len(found) for m, found in objects.items() if found}
    expected = {k: v for k, v in (manifest.get("counts") or {}).items() if v}
    if counts != expected and not errors and not older:
        errors.append(f"data.json has {counts} rows but the manifest lists {expected}")
    if errors:
        raise BackupError(errors)
    return objects


def _check_counts(rows: list[Any], manifest: dict[str, Any]) -> None:
    """The rows of an earlier release's backup are as many of each kind as its manifest lists
    (checked before they are brought forward, which may add rows of new kinds)."""
    counts: dict[str, int] = {}
    for row in rows:
        label = row.get("model") if isinstance(row, dict) else None
        counts[str(label)] = counts.get(str(label), 0) + 1
    expected = {k: v for k, v in (manifest.get("counts") or {}).items() if v}
    if counts != expected:
        raise BackupError([f"data.json has {counts} rows but the manifest lists {expected}"])


def _check(archive: zipfile.ZipFile) -> _Checked:
    manifest = _check_manifest(archive)
    files = _check_files(archive, manifest)
    objects = _read_objects(archive, manifest)
    problems = check_rows(objects)
    if problems:
        raise BackupError([f"data.json: {problem}" for problem in problems])
    referenced = set()
    for model, found in objects.items():
        for name in _file_fields(model):
            for obj in found:
                if value := getattr(obj.object, name):
                    referenced.add(value.name)
    missing = sorted(referenced - set(files))
    if missing:
        raise BackupError(
            [f"attachment {name!r} is referenced but not in the backup" for name in missing]
        )
    return _Checked(manifest=manifest, objects=objects, files=files)


def read_backup(source: Any) -> _Checked:
    """Check a backup file completely; raise BackupError listing every problem."""
    with _open_archive(source) as archive:
        return _check(archive)


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


def _insert_rows(model: type[models.Model], rows: list[Any]) -> None:
    """INSERT the rows as they are, in batches: ids kept, and times too.

    ``bulk_create`` would stamp ``auto_now`` fields with the time of the restore; a raw insert
    (what ``Model.save_base(raw=True)`` does for one row, and ``loaddata`` row by row) keeps
    the backup's values."""
    fields = list(model._meta.local_concrete_fields)
    manager = model._base_manager
    size = max(1, min(RESTORE_BATCH_ROWS, connection.ops.bulk_batch_size(fields, rows)))
    for start in range(0, len(rows), size):
        manager._insert(rows[start : start + size], fields=fields, raw=True)  # type: ignore[attr-defined]


def _insert_relations(model: type[models.Model], found: list[Any]) -> None:
    """The many-to-many rows (an action's objectives, a person's groups and permissions)."""
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        assert isinstance(through, type) and issubclass(through, models.Model)
        source = f"{field.m2m_field_name()}_id"
        target = f"{field.m2m_reverse_field_name()}_id"
        links = [
            through(**{source: obj.object.pk, target: pk})
            for obj in found
            for pk in (obj.m2m_data or {}).get(field.name, [])
        ]
        through._base_manager.bulk_create(links, batch_size=RESTORE_BATCH_ROWS)


def _store_files(archive: zipfile.ZipFile, files: dict[str, str]) -> None:
    for name, member in files.items():
        if default_storage.exists(name):
            default_storage.delete(name)
        with archive.open(member) as handle:
            saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError([f"attachment {name!r} could not be stored under its name"])


def restore_backup(source: Any, *, force: bool = False) -> RestoreResult:
    """Fill an empty instance from a backup; ``force`` replaces a non-empty one.

    Everything is checked first; then every row is written in batches, model by model, in one
    transaction, so an interrupted restore leaves nothing behind."""
    with _open_archive(source) as archive:
        checked = _check(archive)
        if not force and not instance_is_empty():
            raise BackupError(
                [
                    "this instance already has people, cities or assessments; restore into an "
                    "empty instance, or give --force to replace everything in it"
                ]
            )
        model_list = backed_up_models()
        try:
            with transaction.atomic():
                _clear()
                for model in model_list:
                    found = checked.objects.pop(model, [])
                    _insert_rows(model, [obj.object for obj in found])
                    _insert_relations(model, found)
                    del found
                with connection.cursor() as cursor:
                    for statement in connection.ops.sequence_reset_sql(no_style(), model_list):
                        cursor.execute(statement)
                # Benchmark counts are derived: counted again from the restored rows.
                rebuild_benchmarks()
                _store_files(archive, checked.files)
        except DatabaseError as exc:
            raise BackupError(
                [f"the database refused the backup's data: {one_line(exc)}"]
            ) from None
        except OSError as exc:
            raise BackupError(
                [f"the attachments cannot be stored: {exc.strerror or one_line(exc)}"]
            ) from None
    counts = {k: v for k, v in checked.manifest["counts"].items() if v}
    return RestoreResult(counts=counts, files=len(checked.files))
