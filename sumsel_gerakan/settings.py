"""Settings for the Dasbor Gerakan Serentak Sumsel, read from the environment.

One file for every environment. Development (`make run`) sets DJANGO_DEBUG=1; production
leaves it off and must provide DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS, or the app
refuses to start.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sumsel_gerakan.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ya"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off (production)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
# .env.example's placeholder, left in place: everyone who read that file knows the key
# that signs the site's cookies and password-reset links.
if not DEBUG and SECRET_KEY.strip().lower() == "change-me":
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is still the placeholder of .env.example: set a long random "
        'value, e.g. from python3 -c "import secrets; print(secrets.token_urlsafe(50))".'
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
# Without a host, every request (the health check included) is answered 400 while the
# server looks up: stop at the start instead, naming the setting.
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off (production): the "
        "public host name(s), comma separated, e.g. dasbor.sumselprov.go.id."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "accounts",
    "django_tasks",
    "sumsel_gerakan.apps.TaskQueueConfig",  # django_tasks_db, named in Indonesian
    "regencies",
    "programs",
]

# Each one-time message once, even after a double click (sumsel_gerakan/messages.py).
MESSAGE_STORAGE = "sumsel_gerakan.messages.DistinctMessagesStorage"

MIDDLEWARE = [
    # First: a request id for every request and one log line with its status and duration.
    "sumsel_gerakan.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A login address (`next` = the page asked for) within the server's request line limit.
    "sumsel_gerakan.middleware.BoundedRedirectMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses HTML, JSON and CSV answers (not static files: whitenoise serves those
    # precompressed). BREACH: Django masks CSRF tokens per response and pads gzip output
    # randomly; cached pages hold no secret (programs/pagecache.py).
    "django.middleware.gzip.GZipMiddleware",
    # Database down: a 503 page in Indonesian with Retry-After, not a 500.
    "sumsel_gerakan.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "sumsel_gerakan.middleware.AdminContentSecurityPolicyMiddleware",
    "sumsel_gerakan.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sumsel_gerakan.middleware.SessionRenewalMiddleware",
    "sumsel_gerakan.middleware.ExplicitLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # NUL bytes in a path, filter or form field: 400, before any view queries with them.
    "sumsel_gerakan.middleware.RejectNulBytesMiddleware",
    # A wrong method (GET /akun/keluar/): an Indonesian page instead of an empty 405.
    "sumsel_gerakan.middleware.MethodNotAllowedPageMiddleware",
    "sumsel_gerakan.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sumsel_gerakan.urls"
WSGI_APPLICATION = "sumsel_gerakan.wsgi.application"

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
                "sumsel_gerakan.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
# The dashboards' fixed reads as server-side prepared statements (programs/prepared.py;
# PostgreSQL only). Turn off behind a pooler in transaction mode (PgBouncer), where a
# statement prepared on one server connection is unknown to the next.
PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database under concurrent requests (TECH-NOTES): readers never block
    # the writer (WAL), a writer waits for another instead of failing at once (busy
    # timeout), and a transaction takes the write lock when it starts (IMMEDIATE), so two
    # saves queue up instead of one failing with "database is locked" halfway.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000; PRAGMA synchronous=NORMAL"
        ),
    }
    # Tests use a file too (an in-memory database shares one cache between threads and
    # locks whole tables): the race tests need the real locking.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """Django's own cache backends: redis://... (production, shared by every instance),
    file:///path, or empty/db for the database cache (no server needed; shared by every
    worker, survives worker recycling; `createcachetable` creates it). Never a
    per-process memory cache: each gunicorn worker would keep its own copy."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            # Django's backend, reusing its Redis client (sumsel_gerakan/cache.py).
            "BACKEND": "sumsel_gerakan.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "sumsel",
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    if url.startswith("file://"):
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": url.removeprefix("file://"),
        }
    if url in ("", "db", "database"):
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    raise ImproperlyConfigured(
        f"CACHE_URL / REDIS_URL not understood: {without_password(url)!r}. Use "
        "redis://host:6379/0 (rediss:// or unix:// too), file:///path, or leave it empty "
        "for the database cache."
    )


def without_password(url: str) -> str:
    """`url` with the password of its user part masked, for messages and logs."""
    scheme, separator, rest = url.rpartition("://")
    user_part, at, host_part = rest.rpartition("@")
    if not at:
        return url
    user, colon, _password = user_part.partition(":")
    return f"{scheme}{separator}{user}{colon and ':***'}@{host_part}"


CACHES = {
    "default": cache_from_url(
        (os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or "").strip()
    )
}
# Whole-page cache of dashboards and exports (programs/pagecache.py).
PAGE_CACHE = env_bool("PAGE_CACHE", True)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60 * 60 * 24)
# After a Redis failure (timeout, refused connection) each process does without it for
# this many seconds before trying again (sumsel_gerakan/cache.py, the circuit breaker).
CACHE_RETRY_SECONDS = env_int("CACHE_RETRY_SECONDS", 30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    # Every form that sets a password (change, reset, the admin's) refuses a longer one,
    # and a login with a longer one is refused unhashed (accounts/passwords.py).
    {"NAME": "accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/akun/masuk/"
# The longest request line the server takes (gunicorn.conf.py's limit_request_line, its
# maximum): an address the app sends the browser to (a login address with `next`) is
# kept within it (accounts/redirects.py).
REQUEST_LINE_LIMIT = 8190
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Bahasa Indonesia first, whatever the browser asks for; English on explicit choice.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "bahasa"
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates typed day first in both languages (Django's `id` locale also reads 03/25/2027).
FORMAT_MODULE_PATH = ["sumsel_gerakan.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded attachments. Never served from a public URL (no MEDIA_URL route): every
# download goes through a scope-checked view. Local folder by default (untracked, outside
# static/); any S3-compatible object store when ATTACHMENTS_S3_BUCKET is set.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
if os.environ.get("ATTACHMENTS_S3_BUCKET"):
    DEFAULT_FILE_STORAGE_CONFIG = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ATTACHMENTS_S3_BUCKET"],
            "endpoint_url": os.environ.get("ATTACHMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ATTACHMENTS_S3_REGION") or None,
            "access_key": os.environ.get("ATTACHMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("ATTACHMENTS_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("ATTACHMENTS_S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_FILE_STORAGE_CONFIG = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_CONFIG,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("DJANGO_PLAIN_STATIC")
            # whitenoise's, logging a file missing from the manifest instead of a 500.
            else "sumsel_gerakan.storage.ManifestStaticFilesStorage"
        )
    },
}
# Only hashed names are served in production: templates always use {% static %}.
WHITENOISE_KEEP_ONLY_HASHED_FILES = not DEBUG
WHITENOISE_USE_FINDERS = DEBUG or env_bool("DJANGO_PLAIN_STATIC")

# Audit reasons (why a target or value changed) can be longer than 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Application settings (see DESIGN.md).
PUBLIC_DASHBOARD = env_bool("PUBLIC_DASHBOARD", True)
REPORT_DUE_DAY = env_int("REPORT_DUE_DAY", 10)
REPORT_LOCK_DAYS = env_int("REPORT_LOCK_DAYS", 30)
# A report returned in a locked month is opened for correction for this many days (a lock
# exception recorded with who and why), so a returned report can always be corrected.
REPORT_CORRECTION_DAYS = env_int("REPORT_CORRECTION_DAYS", 14)
# Every month has the due day (29, 30 or 31 would not exist in February and every page
# counting due months would fail), and a lock never comes before it.
for _name, _value, _low, _high in [
    ("REPORT_DUE_DAY", REPORT_DUE_DAY, 1, 28),
    ("REPORT_LOCK_DAYS", REPORT_LOCK_DAYS, 0, 366),
    ("REPORT_CORRECTION_DAYS", REPORT_CORRECTION_DAYS, 1, 366),
]:
    if not _low <= _value <= _high:
        raise ImproperlyConfigured(f"{_name} must be between {_low} and {_high}, not {_value}.")
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)

# Security: strict by default in production.
# Sessions end after SESSION_COOKIE_AGE seconds without activity. They are renewed by
# sumsel_gerakan.middleware.SessionRenewalMiddleware at most every SESSION_RENEW_SECONDS,
# not written on every request (a write per request made saves race on SQLite).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 2)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = env_int("SESSION_RENEW_SECONDS", 300)
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
# A client address (colleagues behind one office NAT share it): failures of all its users.
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# Reverse proxies in front of the app (load balancer = 1): whose X-Forwarded-For to trust.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Login throttling: django-axes on every login (site and admin), through its backend.
# A username (normalised as Django's login form does) is refused for
# LOGIN_LOCKOUT_MINUTES after LOGIN_MAX_FAILURES failures, a client address after
# LOGIN_MAX_FAILURES_PER_ADDRESS (accounts/lockout_handler.py); a success does not
# reset the count (it would let guessing resume after the owner logs in).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # A password longer than any the site takes: a failed login, never hashed.
    "accounts.passwords.TooLongPasswordBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "accounts.lockout_handler.LockoutHandler"
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_CALLABLE = "accounts.lockout.username_for_lockout"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Successful logins are logged (AccessLog, admin -> Axes); `manage.py axes_reset_logs
# --age 90` from cron prunes them (failed attempts expire after the cool-off by themselves).
AXES_SENSITIVE_PARAMETERS = ["password", "new_password1", "new_password2"]
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)
# Reset mails to one account, and reset requests from one client address, within
# LOGIN_LOCKOUT_MINUTES (accounts/forms.py, accounts/views.py).
PASSWORD_RESET_MAX_PER_ACCOUNT = env_int("PASSWORD_RESET_MAX_PER_ACCOUNT", 3)
PASSWORD_RESET_MAX_PER_ADDRESS = env_int("PASSWORD_RESET_MAX_PER_ADDRESS", 20)
SESSION_COOKIE_HTTPONLY = True
# static/js/csrf.js reads the csrftoken cookie and sends it with htmx requests, so cached
# pages carry no token (programs/pagecache.py). Django's docs: HttpOnly on this cookie
# gives no practical protection (the token is in every form anyway).
CSRF_COOKIE_HTTPONLY = False
# A refused form in the site's layout, in Indonesian, saying how to keep what was typed.
CSRF_FAILURE_VIEW = "sumsel_gerakan.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): no 'unsafe-inline', no 'unsafe-eval'. Every
# script and stylesheet is a static file; figures travel as json_script data blocks.
# Plotly: plotly.css is linked as #plotly.js-style-global.no-inline-styles so it injects
# no <style>; the one hash is the empty style="" attribute its colour bar sets; its
# "download as PNG" button draws the chart through a blob: (and data:) image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        ],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
# Browser features the dashboard never uses (sumsel_gerakan.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# Spreadsheet import limits (see programs/spreadsheets/imports.py).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 60 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
# Columns read from a sheet or CSV line, whatever the file declares (the templates use 9).
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 30)
# `manage.py prune_imports` (daily cron) deletes uploaded import batches older than this.
IMPORT_BATCH_MAX_AGE_DAYS = env_int("IMPORT_BATCH_MAX_AGE_DAYS", 7)
# Attachments on reports (programs/reporting/evidence.py).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_PER_REPORT = env_int("ATTACHMENT_MAX_PER_REPORT", 30)
ATTACHMENT_MAX_PIXELS = env_int("ATTACHMENT_MAX_PIXELS", 50_000_000)
ATTACHMENT_MAX_SIDE = env_int("ATTACHMENT_MAX_SIDE", 2560)  # stored photos are scaled down
ATTACHMENT_THUMBNAIL_SIDE = 320
COMMENT_MAX_LENGTH = 2000
# The same comment by the same person within this many seconds is one comment (a double
# click, a resend on a slow connection), not two.
DOUBLE_SUBMIT_SECONDS = 60
# Background work (emails) through django-tasks' database backend, run by
# `manage.py db_worker`; tests use the immediate backend (tests/conftest.py).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")  # links in emails


def host_name(host: str) -> str | None:
    """`host` (a SITE_URL's host, an ALLOWED_HOSTS entry) if it is a public host name:
    not an address, not localhost, not a bare word; a subdomain wildcard (.example.go.id)
    is its domain."""
    import ipaddress

    name = host.strip().lower().removeprefix(".").rstrip(".")
    if name.startswith("[") or "*" in name or "." not in name:
        return None
    try:
        ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        return None
    if name == "localhost" or name.endswith((".localhost", ".local", ".internal")):
        return None
    return name


def email_domain(explicit: str, site_url: str, allowed_hosts: list[str]) -> str | None:
    """The domain the site names itself by in outgoing mail (Message-ID, the SMTP
    greeting): DJANGO_EMAIL_DOMAIN, else SITE_URL's host, else the first public name in
    DJANGO_ALLOWED_HOSTS; None leaves Django's default (the machine's name, `localhost`
    in a container: mail filters count a Message-ID ending in @localhost as spam)."""
    from urllib.parse import urlsplit

    if explicit.strip():
        return explicit.strip().lower()
    for host in [urlsplit(site_url).hostname or "", *allowed_hosts]:
        name = host_name(host)
        if name:
            return name
    return None


EMAIL_DOMAIN = email_domain(os.environ.get("DJANGO_EMAIL_DOMAIN", ""), SITE_URL, ALLOWED_HOSTS)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "dasbor@sumselprov.go.id")

# One line per request (sumsel_gerakan.middleware.RequestLogMiddleware); LOG_FORMAT=json
# writes JSON lines for a log collector (sumsel_gerakan/logging.py).
LOGGING = logging_config(os.environ.get("LOG_FORMAT"), os.environ.get("DJANGO_LOG_LEVEL", "INFO"))
