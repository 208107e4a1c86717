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
    """The data folder and, unless the key comes from the environment, a key file (mode 600)."""
    data_dir().mkdir(parents=True, exist_ok=True)
    if os.environ.get("VERTEBRA_SECRET_KEY"):
        return
    try:
        fd = os.open(secret_key_file(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # made earlier, or by another process at the same moment
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(50))
