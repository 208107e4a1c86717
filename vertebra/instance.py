"""Where an instance keeps its files: the data folder and the secret key file in it.

The settings only read them; ``vertebra migrate`` (and so ``init`` and ``serve``) creates
them, so that importing the settings never writes anything.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    return Path(os.environ.get("VERTEBRA_DATA_DIR") or "var").resolve()


def secret_key_file() -> Path:
    return data_dir() / "secret_key"


def sqlite_file() -> Path:
    """The database file, when no ``DATABASE_URL`` names another database."""
    return data_dir() / "vertebra.sqlite3"


def read_secret_key() -> str:
    """``VERTEBRA_SECRET_KEY``, else the key file's; empty when neither exists yet."""
    key = os.environ.get("VERTEBRA_SECRET_KEY")
    if key:
        return key
    try:
        return secret_key_file().read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def create_data_dir() -> None:
    """The data folder (mode 700), an empty SQLite database file unless ``DATABASE_URL`` is
    set, and a key file unless the key comes from the environment (both mode 600).

    Everything in the folder is the instance's own: the database holds password hashes, the
    key signs sessions. SQLite gives its -wal and -shm files the database file's mode, and
    uploads are written with FILE_UPLOAD_PERMISSIONS (settings), so none of them is readable
    by other users of the machine either. Existing files keep their modes."""
    data_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        _create_private(sqlite_file())  # an empty file is an empty SQLite database
    if not os.environ.get("VERTEBRA_SECRET_KEY"):
        _create_private(secret_key_file(), secrets.token_urlsafe(50))


def _create_private(path: Path, text: str = "") -> None:
    """Create ``path`` readable and writable by its owner only; leave an existing one alone."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # made earlier, or by another process at the same moment
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
