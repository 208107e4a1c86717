"""Django settings, driven by environment variables only (see docs/CONFIGURATION.md)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from vertebra.deployment import (
    DeploymentConfigError,
    cache_settings,
    log_format,
    metrics_allow,
    storage_settings,
)
from vertebra.instance import data_dir, read_secret_key, sqlite_file
from vertebra.mail import EmailURLError, email_settings
from vertebra.sso import SSOConfigError, oidc_config


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in TRUE | FALSE:
        # A typo must not silently turn a protection off.
        raise ImproperlyConfigured(
            f"{name} must be 1/true/yes/on or 0/false/no/off, not {value!r}."
        )
    return value in TRUE


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_header(name: str) -> tuple[str, str] | None:
    """``"X-Forwarded-Proto: https"`` -> ``("HTTP_X_FORWARDED_PROTO", "https")``, as Django
    names a request header in ``request.META``; ``None`` when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    header, colon, expected = (part.strip() for part in value.partition(":"))
    if not colon or not expected or not header.replace("-", "").isalnum():
        raise ImproperlyConfigured(
            f"{name} must be a header and its value, like 'X-Forwarded-Proto: https', "
            f"not {value!r}."
        )
    return "HTTP_" + header.upper().replace("-", "_"), expected


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
# Importing the settings writes nothing: `vertebra migrate` creates the data folder and the
# secret key file (vertebra.instance).
DATA_DIR = data_dir()
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/media/"


SECRET_KEY = read_secret_key()
DEBUG = env_bool("VERTEBRA_DEBUG", False)
ALLOWED_HOSTS = env_list("VERTEBRA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
PORT = int(env_str("PORT", "8000"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "vertebra.accounts",
    "vertebra.frameworks",
    "vertebra.cities",
    "vertebra.assessments",
    "vertebra.planning",
    "vertebra.workshops",
    "vertebra.reviews",  # critical-friend review
    "vertebra.sharing",  # benchmarking and the public page
    "vertebra.web",
    "vertebra.api",
    "vertebra.reports",
    "ninja",
    "csp",
]

MIDDLEWARE = [
    # Outermost: every error under /api/ leaves as a problem document (RFC 9457).
    "vertebra.api.middleware.ProblemDetailsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "vertebra.bodies.BoundedBodiesMiddleware",
    "vertebra.middleware.RejectNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vertebra.middleware.PrivatePagesMiddleware",
    "vertebra.middleware.HonestFailuresMiddleware",
]

ROOT_URLCONF = "vertebra.urls"
WSGI_APPLICATION = "vertebra.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
# Notifications: after signing in, a person lands on their own work across their cities.
LOGIN_REDIRECT_URL = "work"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Dates and numbers in the person's language (vertebra/l10n.py).
            "libraries": {"formats": "vertebra.l10n"},
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_file()),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    # Not like the person's own email address or name (Django's default looks at fields
    # this project's people do not have: username, first_name, last_name).
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages (docs/TRANSLATING.md) ------------------------------------------------------
# Every language the interface is translated into, each named in its own language. One is
# offered (LANGUAGES: the browser's choice, the switcher, "Your account") once its catalogues
# in LOCALE_PATHS are complete: tests/test_translations.py fails when an offered catalogue
# misses a message or holds a fuzzy or broken entry, and when a complete one is not offered.
LANGUAGE_CODE = "en"
INTERFACE_LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("da", "Dansk"),
    ("nb", "Norsk bokmål"),
    ("lv", "Latviešu"),
]
OFFERED_LANGUAGES = ("en", "es", "it", "de", "fr", "da", "nb", "lv")
LANGUAGES = [(code, name) for code, name in INTERFACE_LANGUAGES if code in OFFERED_LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
# --- end of languages -----------------------------------------------------------------------
TIME_ZONE = env_str("VERTEBRA_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed copies made by `vertebra serve` (collectstatic), served by whitenoise: a page names
    # app.3f2a….css, so browsers cache each version forever and fetch a new one after an upgrade.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploads: evidence attachments are size- and type-checked in the assessments app.
MAX_ATTACHMENT_BYTES = env_int("VERTEBRA_MAX_ATTACHMENT_MB", 10, minimum=1) * 1024 * 1024
# Request bodies (vertebra.bodies): refused by their length before they are read. Every page
# and endpoint takes at most MAX_BODY_BYTES, but for the evidence uploads and the import of
# answers (their files' limits) and the API's update of many answers (an import's).
MAX_BODY_BYTES = 1024 * 1024
# Django's own bounds while parsing, behind those: text besides files (the largest body
# without a file, the API's update of many answers), fields, files, and the size up to which
# an uploaded file is held in memory (a larger one is spooled to a temporary file).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 1
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Stored files and their folders are readable by the instance's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("VERTEBRA_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = env_list("VERTEBRA_CSRF_TRUSTED_ORIGINS", [])
# HTTPS (docs/CONFIGURATION.md, "Production over HTTPS"). All off by default, so that
# `make run` serves http://localhost with no configuration.
SECURE_SSL_REDIRECT = env_bool("VERTEBRA_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = env_header("VERTEBRA_PROXY_SSL_HEADER")
SECURE_HSTS_SECONDS = env_int("VERTEBRA_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("VERTEBRA_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("VERTEBRA_HSTS_PRELOAD", False)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy on every response (django-csp): scripts, styles, images and fonts
# come from this server only, never inline, and no other site may frame a page or receive a
# form. The pages keep every script and style in static files (tests/web/test_csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}

# "fragments" keeps rendered page parts (vertebra.fragments): one memory cache per server
# process, or Redis shared by every server when VERTEBRA_CACHE_URL is set (see the section
# "Several servers on one database" below). FRAGMENT_SECONDS bounds how long a kept part stays.
FRAGMENT_SECONDS = env_int("VERTEBRA_FRAGMENT_SECONDS", 300)

# Email (vertebra.mail): invitations, password resets and digests. `console:` by default, so
# `make run` needs no mail server: messages are written to the server's log.
try:
    globals().update(email_settings(env_str("VERTEBRA_EMAIL_URL", "console:")))
except EmailURLError as error:
    raise ImproperlyConfigured(str(error)) from None
DEFAULT_FROM_EMAIL = env_str("VERTEBRA_EMAIL_FROM", "Vertebra <vertebra@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Notifications: the address people open Vertebra at, for the links in digest emails, which
# `vertebra notify` writes without a request to take it from.
_base_url = env_str("VERTEBRA_BASE_URL", f"http://localhost:{PORT}")
BASE_URL = _base_url.strip().rstrip("/")
if urlsplit(BASE_URL).scheme not in ("http", "https") or not urlsplit(BASE_URL).netloc:
    raise ImproperlyConfigured(
        f"VERTEBRA_BASE_URL must be an address such as https://vertebra.city.example, "
        f"not {_base_url!r}."
    )
# Single sign-on with OpenID Connect (vertebra.sso): off (None) unless VERTEBRA_OIDC_ISSUER,
# VERTEBRA_OIDC_CLIENT_ID and VERTEBRA_OIDC_CLIENT_SECRET are set.
try:
    OIDC = oidc_config(os.environ)
except SSOConfigError as error:
    raise ImproperlyConfigured(str(error)) from None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("VERTEBRA_LOG_LEVEL", "WARNING")},
}

# --- Signing in: sign-in protection, a person's language (docs/CONFIGURATION.md) -----------
# django-axes counts failed sign-ins per email address (not per IP address), in the database,
# so every server process sees the same count. After SIGNIN_FAILURE_LIMIT failures within
# SIGNIN_LOCK_MINUTES, that address cannot sign in (even with the right password) until
# SIGNIN_LOCK_MINUTES have passed since the last failure; `vertebra user unlock` lifts it.
SIGNIN_FAILURE_LIMIT = 10
SIGNIN_LOCK_MINUTES = 15
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "vertebra.languages.PersonLanguageMiddleware",
)
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as django-axes requires
AXES_FAILURE_LIMIT = SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=SIGNIN_LOCK_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
# django-axes warns when the IP address is not counted: a lock per (address and browser) could
# be dodged by changing browsers. Here the failures of one email address are added up over
# every IP address and browser, so nothing is dodged; and counting per IP address would lock
# a whole city hall out behind its one public address (or every person behind a proxy).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "vertebra.accounts.signin.username_of"
AXES_LOCKOUT_CALLABLE = "vertebra.web.signin.locked_out"
# A try while locked neither counts nor prolongs the lock: it ends when it said it would.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Failures only: no row per successful sign-in.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# --- Several servers on one database (docs/DEPLOY.md) -------------------------------------
# What the servers share: the caches in Redis (VERTEBRA_CACHE_URL), evidence files in an S3
# bucket (VERTEBRA_STORAGE_URL); what they tell: health at /healthz and /readyz, one JSON log
# line per request (VERTEBRA_LOG_FORMAT=json), Prometheus metrics at /metrics.
try:
    CACHES = cache_settings(
        env_str("VERTEBRA_CACHE_URL", "").strip(), fragment_seconds=FRAGMENT_SECONDS
    )
    STORAGES["default"] = storage_settings(
        env_str("VERTEBRA_STORAGE_URL", "").strip(), spool_bytes=FILE_UPLOAD_MAX_MEMORY_SIZE
    )
    LOG_FORMAT = log_format(env_str("VERTEBRA_LOG_FORMAT", "text"))
    METRICS_ALLOW = metrics_allow(env_str("VERTEBRA_METRICS_ALLOW", ""))
except DeploymentConfigError as error:
    raise ImproperlyConfigured(str(error)) from None
METRICS_TOKEN = env_str("VERTEBRA_METRICS_TOKEN", "").strip()
INSTALLED_APPS += ["django_prometheus"]
# Counted around everything else but the API's problem documents, which stay outermost.
MIDDLEWARE.insert(1, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.insert(2, "vertebra.requestlog.RequestLogMiddleware")
MIDDLEWARE += ["django_prometheus.middleware.PrometheusAfterMiddleware"]
# Load balancers probe over plain HTTP: the checks are answered there too.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
if LOG_FORMAT == "json":
    LOGGING["formatters"] = {"json": {"()": "vertebra.requestlog.JsonFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"  # type: ignore[index]
LOGGING["loggers"] = {
    # One line per request (vertebra.requestlog), written when the format is json.
    "vertebra.requests": {
        "handlers": ["console"],
        "level": "INFO" if LOG_FORMAT == "json" else "WARNING",
        "propagate": False,
    }
}

# --- Workshops: joining's rate limit (vertebra.workshops.domain, docs/CONFIGURATION.md) ----
# At most WORKSHOP_JOINS_PER_ADDRESS attempts to join from one address, and
# WORKSHOP_JOINS_PER_WORKSHOP for one workshop, within WORKSHOP_JOIN_WINDOW_MINUTES.
WORKSHOP_JOIN_WINDOW_MINUTES = env_int("VERTEBRA_WORKSHOP_JOIN_WINDOW_MINUTES", 10, minimum=1)
WORKSHOP_JOINS_PER_ADDRESS = env_int("VERTEBRA_WORKSHOP_JOINS_PER_ADDRESS", 30, minimum=1)
WORKSHOP_JOINS_PER_WORKSHOP = env_int("VERTEBRA_WORKSHOP_JOINS_PER_WORKSHOP", 200, minimum=1)
