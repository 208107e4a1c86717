"""Bringing the rows of a backup made by an earlier release to this release's database layout.

The rows are written into a scratch SQLite database (in a private temporary folder) given
the layout the backup was made with, that database is migrated forward with this release's
own migrations (their data steps included), and its rows are read back in this release's
layout. The restore then checks and writes them like the rows of a backup of this release,
so an old backup meets every rule a new one does, and nothing is written to the instance
before all of it has passed. Every migration's data step therefore reads and writes through
``schema_editor.connection.alias``, never the default database.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend

SCRATCH_ALIAS = "vertebra_backup_upgrade"
# Fields that hold permissions by natural key (their ids differ between instances): carried
# over as they are, since the scratch database has no permission rows.
PERMISSION_FIELDS = ("permissions", "user_permissions")
INSERT_BATCH_ROWS = 500


class UpgradeError(Exception):
    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this release has, read from its files (no database needed)."""
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def release(version: object) -> tuple[int, ...]:
    """``"0.10.2"`` as ``(0, 10, 2)``, to compare releases; a part that is no number ends it."""
    numbers: list[int] = []
    for part in str(version).split("."):
        if not part.isdigit():
            break
        numbers.append(int(part))
    return tuple(numbers)


@contextmanager
def _scratch_database() -> Iterator[str]:
    """A connection to an empty SQLite database in a private temporary folder, made here and
    not one of the configured databases (which Django's test isolation guards)."""
    with tempfile.TemporaryDirectory(prefix="vertebra-upgrade-") as workdir:
        settings_dict = {
            **connection.settings_dict,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(workdir) / "upgrade.sqlite3"),
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "OPTIONS": {},
            "CONN_MAX_AGE": 0,
        }
        scratch = load_backend("django.db.backends.sqlite3").DatabaseWrapper(
            settings_dict, SCRATCH_ALIAS
        )
        connections[SCRATCH_ALIAS] = scratch
        try:
            yield SCRATCH_ALIAS
        finally:
            scratch.close()
            del connections[SCRATCH_ALIAS]


def _value(field: models.Field[Any, Any], value: Any, where: str) -> Any:
    if value is None:
        return None
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    try:
        return target.to_python(value)
    except ValidationError as exc:
        raise UpgradeError([f"{where}, field {field.name}: {' '.join(exc.messages)}"]) from None


def _historical_rows(
    rows: list[Any], past: Apps
) -> tuple[dict[type[models.Model], list[Any]], dict[Any, list[Any]], dict[tuple[str, Any], Any]]:
    """The rows as instances of the models of the backup's layout, in the file's order; the
    links of their many-to-many fields; their permissions by natural key."""
    objects: dict[type[models.Model], list[Any]] = {}
    links: dict[Any, list[Any]] = defaultdict(list)
    permissions: dict[tuple[str, Any], Any] = {}
    for number, row in enumerate(rows, start=1):
        if not (
            isinstance(row, dict)
            and isinstance(row.get("model"), str)
            and isinstance(row.get("fields"), dict)
        ):
            raise UpgradeError([f"data.json: row {number} is not a row of a backup"])
        label = row["model"]
        try:
            model = past.get_model(label)
        except (LookupError, ValueError):
            raise UpgradeError(
                [f"data.json holds rows of {label}, which the backup's layout does not have"]
            ) from None
        where = f"data.json: {label}, row with id {row.get('pk')}"
        obj = model()
        obj.pk = _value(model._meta.pk, row.get("pk"), where)
        for name, value in row["fields"].items():
            try:
                field = model._meta.get_field(name)
            except Exception:
                raise UpgradeError([f"{where}: unknown field {name}"]) from None
            if name in PERMISSION_FIELDS:
                permissions[(label, obj.pk)] = value
            elif field.many_to_many:
                if not isinstance(value, list):
                    raise UpgradeError([f"{where}, field {name}: not a list of ids"])
                through = field.remote_field.through
                source = f"{field.m2m_field_name()}_id"
                target = f"{field.m2m_reverse_field_name()}_id"
                target_field = field.remote_field.model._meta.pk
                links[through].extend(
                    through(**{source: obj.pk, target: _value(target_field, pk, where)})
                    for pk in value
                )
            elif isinstance(field, models.Field) and field.concrete:
                setattr(obj, field.attname, _value(field, value, where))
            else:
                raise UpgradeError([f"{where}: unknown field {name}"])
        objects.setdefault(model, []).append(obj)
    return objects, links, permissions


def _write(
    objects: dict[type[models.Model], list[Any]], links: dict[Any, list[Any]], using: str
) -> None:
    with transaction.atomic(using=using):
        for model, found in objects.items():
            fields = list(model._meta.local_concrete_fields)
            for start in range(0, len(found), INSERT_BATCH_ROWS):
                batch = found[start : start + INSERT_BATCH_ROWS]
                model._base_manager.using(using)._insert(batch, fields=fields, raw=True)  # type: ignore[attr-defined]
        for through, found in links.items():
            through._base_manager.using(using).bulk_create(found, batch_size=INSERT_BATCH_ROWS)


def _read(
    current: list[type[models.Model]], permissions: dict[tuple[str, Any], Any], using: str
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for model in current:
        queryset = model._base_manager.using(using).order_by("pk")
        for row in serializers.serialize("python", queryset.iterator()):
            for name in PERMISSION_FIELDS:
                if name in row["fields"]:
                    row["fields"][name] = permissions.get((row["model"], row["pk"]), [])
            rows.append(row)
    return rows


def upgrade_rows(
    rows: list[Any], *, layout: dict[str, str], current: list[type[models.Model]]
) -> list[dict[str, Any]]:
    """The rows of a backup made with the database layout ``layout`` (the latest migration of
    each app), as rows of the models ``current`` in this release's layout.

    Raises UpgradeError naming the row and field that cannot be brought forward."""
    with _scratch_database() as alias:
        try:
            executor = MigrationExecutor(connections[alias])
            targets = sorted(layout.items())
            executor.migrate(targets)
            past = executor.loader.project_state(targets, at_end=True).apps
            objects, links, permissions = _historical_rows(rows, past)
            _write(objects, links, alias)
            del objects, links
            executor = MigrationExecutor(connections[alias])
            executor.migrate(executor.loader.graph.leaf_nodes())
            return _read(current, permissions, alias)
        except DatabaseError as exc:
            text = str(exc).strip().splitlines()
            raise UpgradeError(
                [
                    "the backup's rows cannot be brought to this version's database layout: "
                    + (text[0] if text else type(exc).__name__)
                ]
            ) from None
