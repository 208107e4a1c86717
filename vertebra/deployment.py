"""Several servers on one database: the settings for what they share (docs/DEPLOY.md).

Read by ``vertebra.settings`` only. Each function turns one environment variable into
Django settings, or raises ``DeploymentConfigError`` with a sentence that names the variable
and what is wrong with it:

- ``VERTEBRA_CACHE_URL`` (``redis://host:port/db``): the caches in Redis, shared by every
  server process (kept page parts and their generation, see ``vertebra.fragments``);
- ``VERTEBRA_STORAGE_URL`` (``s3://bucket?endpoint_url=…&region=…``): evidence files in
  object storage through django-storages, instead of the data folder;
- ``VERTEBRA_METRICS_ALLOW``: the addresses and networks ``/metrics`` answers without a token.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import parse_qs, urlsplit

# A cache that does not answer within this many seconds counts as down: a page then renders
# without its kept parts rather than waiting (vertebra.fragments), and /readyz says so.
CACHE_SOCKET_SECONDS = 1.0


class DeploymentConfigError(ValueError):
    pass


def cache_settings(url: str, *, fragment_seconds: int) -> dict[str, dict[str, Any]]:
    """``CACHES``: Redis at ``url`` when it is set, else one memory cache per process."""
    if not url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "default",
            },
            "fragments": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "fragments",
                "TIMEOUT": fragment_seconds,
                # Mostly objective cards (~5 KB); pages ~80 KB and API reads ~100 KB.
                "OPTIONS": {"MAX_ENTRIES": 1000},
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise DeploymentConfigError(
            f"VERTEBRA_CACHE_URL must be a Redis address such as redis://127.0.0.1:6379/0, "
            f"not {url!r}."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise DeploymentConfigError(
            f"VERTEBRA_CACHE_URL has a port that is not a number: {url!r}."
        ) from None
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise DeploymentConfigError(
            f"VERTEBRA_CACHE_URL must end with a database number such as /0, not {url!r}."
        )
    options = {
        "socket_connect_timeout": CACHE_SOCKET_SECONDS,
        "socket_timeout": CACHE_SOCKET_SECONDS,
    }
    shared = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    return {
        "default": {**shared, "KEY_PREFIX": "vertebra", "OPTIONS": options},
        "fragments": {
            **shared,
            "KEY_PREFIX": "vertebra-fragments",
            "TIMEOUT": fragment_seconds,
            "OPTIONS": options,
        },
    }


STORAGE_PARAMETERS = ("endpoint_url", "region")


def storage_settings(url: str, *, spool_bytes: int) -> dict[str, Any]:
    """``STORAGES["default"]``: an S3 bucket when ``url`` is set, else the data folder.

    The keys come from ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY`` (or any other way
    boto3 finds credentials). A file read through the storage is held in memory up to
    ``spool_bytes``, on disk beyond (downloads do not go through it: vertebra.storage)."""
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    bucket = parts.netloc
    if parts.scheme != "s3" or not bucket or parts.path.strip("/"):
        raise DeploymentConfigError(
            "VERTEBRA_STORAGE_URL must be an S3 bucket such as "
            f"s3://vertebra-files?endpoint_url=https://s3.example&region=eu-west-1, not {url!r}."
        )
    try:
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise DeploymentConfigError(
            f"VERTEBRA_STORAGE_URL has a query that cannot be read: {parts.query!r}."
        ) from None
    unknown = sorted(set(query) - set(STORAGE_PARAMETERS))
    if unknown:
        raise DeploymentConfigError(
            f"VERTEBRA_STORAGE_URL takes only {' and '.join(STORAGE_PARAMETERS)}, "
            f"not {', '.join(unknown)}."
        )
    for name, values in query.items():
        if len(values) != 1:
            raise DeploymentConfigError(f"VERTEBRA_STORAGE_URL gives {name} more than once.")
        if not values[0]:
            raise DeploymentConfigError(f"VERTEBRA_STORAGE_URL gives {name} no value.")
    endpoint = query.get("endpoint_url", [""])[0]
    if endpoint and (
        urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).netloc
    ):
        raise DeploymentConfigError(
            f"VERTEBRA_STORAGE_URL's endpoint_url must be an http(s) address, not {endpoint!r}."
        )
    from botocore.config import Config

    options: dict[str, Any] = {
        "bucket_name": bucket,
        # Files are private: read only through Vertebra, which checks who may.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,  # every stored name is in a folder of its own
        "max_memory_size": spool_bytes,
        "client_config": Config(
            connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}
        ),
    }
    if endpoint:
        options["endpoint_url"] = endpoint
    if "region" in query:
        options["region_name"] = query["region"][0]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def metrics_allow(value: str) -> list[Network]:
    """``VERTEBRA_METRICS_ALLOW``: comma-separated addresses and networks."""
    networks: list[Network] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise DeploymentConfigError(
                f"VERTEBRA_METRICS_ALLOW must list addresses or networks such as "
                f"10.0.0.0/8, not {item!r}."
            ) from None
    return networks


LOG_FORMATS = ("text", "json")


def log_format(value: str) -> str:
    value = value.strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise DeploymentConfigError(f"VERTEBRA_LOG_FORMAT must be text or json, not {value!r}.")
    return value
