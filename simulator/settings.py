"""CasePath settings, read from the environment.

Every setting an operator may change is listed in the README's settings table.
A missing or malformed value stops start-up with one ImproperlyConfigured line
that names the variable to set; manage.py and wsgi.py print just that line.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value: set {name} to 1 or 0.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a whole number: set {name} to e.g. {default}."
        ) from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

# A development key is only acceptable while DEBUG is on: sessions and password
# reset tokens signed with a published key can be forged.
_DEV_SECRET_KEY = "dev-only-insecure-casepath-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set SECRET_KEY to a random string of at least 50 "
            "characters (or DEBUG=1 for local development)."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: set SECRET_KEY to a random string of "
        "at least 50 characters, e.g. from `python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set: set ALLOWED_HOSTS to the host names this site "
        "answers to, comma-separated (e.g. casepath.example)."
    )

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entry {_origin!r} has no scheme: set CSRF_TRUSTED_ORIGINS "
            "to full origins, comma-separated (e.g. https://casepath.example)."
        )


INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simulator.accounts",
    "simulator",
    "cases",
    "scoring",
]

# No form or upload here is over 2 MB (the YAML tab's cap); a larger body is
# refused from its Content-Length before anything reads or spools it.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 3 * 1024 * 1024)
# The one exception: the page that attaches an image to a finding takes a file of
# up to 5 MB (cases.images.MAX_BYTES) and its form (simulator.middleware).
MAX_IMAGE_REQUEST_BYTES = env_int("MAX_IMAGE_REQUEST_BYTES", 6 * 1024 * 1024)
# Whatever is read is held in memory up to this size, never spooled to disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = max(MAX_REQUEST_BYTES, MAX_IMAGE_REQUEST_BYTES)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES

MIDDLEWARE = [
    "simulator.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "simulator.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "simulator.urls"
WSGI_APPLICATION = "simulator.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "simulator.accounts.context_processors.navigation",
                "scoring.context_processors.rubric",
            ],
        },
    }
]


# Database ------------------------------------------------------------------

_DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'var' / 'casepath.sqlite3'}"
_DATABASE_URL_HELP = (
    "set DATABASE_URL like postgres://user:password@host:5432/casepath "
    "or sqlite:///var/casepath.sqlite3"
)

# Many short write transactions from several gunicorn workers: WAL lets readers
# run beside the writer, IMMEDIATE takes the write lock at BEGIN so two writers
# queue on the busy timeout instead of failing half-way with "database is locked".
SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA foreign_keys=ON"
    ),
}


def database_from_url(url: str) -> dict[str, Any]:
    """Turn DATABASE_URL into Django's DATABASES entry, or say what is wrong."""
    if not url.strip():
        raise ImproperlyConfigured(f"DATABASE_URL is empty: {_DATABASE_URL_HELP}.")
    try:
        config: dict[str, Any] = dj_database_url.parse(url, conn_health_checks=True)
    except Exception:  # dj-database-url raises several types; the fix is the same.
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {_DATABASE_URL_HELP}.") from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        if config.get("NAME") in ("", ":memory:"):
            raise ImproperlyConfigured(f"DATABASE_URL names no SQLite file: {_DATABASE_URL_HELP}.")
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    elif engine == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"DATABASE_URL names no database: {_DATABASE_URL_HELP}.")
        # Reuse connections between requests; health checks drop ones the server closed.
        config["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    else:
        raise ImproperlyConfigured(
            f"DATABASE_URL uses an unsupported database: {_DATABASE_URL_HELP}."
        )
    if engine.endswith("postgresql"):
        config["TEST"] = {"NAME": "test_casepath"}
    else:
        # A file, not Django's in-memory default: a shared-cache memory database
        # locks whole tables and ignores the busy timeout, so concurrent writes
        # in tests would not behave as they do in production.
        test_file = Path(tempfile.gettempdir()) / f"casepath-test-{os.getpid()}.sqlite3"
        config["TEST"] = {"NAME": str(test_file)}
    return config


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", _DEFAULT_DATABASE_URL))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The player's rendered stages (simulator/fragments.py): immutable, so any
# store will do. Per worker by default; FRAGMENT_CACHE=database shares one
# table among every server (create it with `manage.py createcachetable`).
_FRAGMENT_CACHES = {
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": env_int("FRAGMENT_CACHE_ENTRIES", 1000)},
    },
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "casepath_fragments",
        "OPTIONS": {"MAX_ENTRIES": env_int("FRAGMENT_CACHE_ENTRIES", 100_000)},
    },
}
FRAGMENT_CACHE = os.environ.get("FRAGMENT_CACHE", "local")
if FRAGMENT_CACHE not in _FRAGMENT_CACHES:
    raise ImproperlyConfigured(
        f"FRAGMENT_CACHE must be one of {', '.join(_FRAGMENT_CACHES)}, not {FRAGMENT_CACHE!r}."
    )
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": _FRAGMENT_CACHES[FRAGMENT_CACHE],
}


# Accounts ------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"


# Internationalisation --------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True


# Static files --------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files: the images of findings (cases.images), served by a view that checks
# who may see them (simulator.images), never from a public URL. A folder by default;
# several app servers share an S3-compatible bucket (README, "Images in findings").
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "") or BASE_DIR / "var" / "media")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    },
    # Hashed names let whitenoise serve files with far-future cache headers;
    # `make serve` runs collectstatic first, tests swap in the plain storage.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


# Security ------------------------------------------------------------------

# On by default in production. `make serve` turns them off because it listens
# on plain HTTP on the loopback interface; a real deployment terminates TLS in
# front of gunicorn and keeps them on (see README, "Deploying").
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A load balancer probes /healthz over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    # Only behind a proxy that sets this header itself; otherwise clients could
    # claim to be on HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only behind a balancer that appends the client's address to X-Forwarded-For:
# the log-in throttle (simulator.accounts.login) then counts failures per real client.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", default=False)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


# Logging -------------------------------------------------------------------

# Errors go to stderr, where gunicorn and systemd collect them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}


# Programs: xAPI and LTI ----------------------------------------------------

# The public address of this site: xAPI activity ids and the LTI tool's URLs start with it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
# A Learning Record Store's xAPI base URL (statements go to <XAPI_ENDPOINT>/statements);
# empty keeps the statements in the outbox and the download only.
XAPI_ENDPOINT = os.environ.get("XAPI_ENDPOINT", "").strip().rstrip("/")
XAPI_USERNAME = os.environ.get("XAPI_USERNAME", "")
XAPI_PASSWORD = os.environ.get("XAPI_PASSWORD", "")
# The LTI tool's RSA private key (PEM), which signs its requests to a platform's
# token endpoint; `manage.py lti_keygen` writes one. Share the file between app servers.
LTI_PRIVATE_KEY_FILE = Path(
    os.environ.get("LTI_PRIVATE_KEY_FILE", "") or BASE_DIR / "var" / "lti-private-key.pem"
)
