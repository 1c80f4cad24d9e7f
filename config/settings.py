"""Settings for the merchant platform, read from environment variables.

Every variable is documented in README.md. The defaults fail closed: DEBUG is off and a
SECRET_KEY is required unless DEBUG=1 (what `make run` sets on a laptop) or the tests are
running. SQLite is the default database.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _fail(message: str) -> None:
    # A misconfiguration must stop start-up with one readable line, not a traceback.
    sys.stderr.write(f"Configuration error: {message}\n")
    raise SystemExit(2)


DEBUG = env.bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules
# A developer's machine (DEBUG) or the test suite: plain HTTP, a throw-away secret.
LOCAL = DEBUG or TESTING

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if LOCAL:
        SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
    else:
        _fail("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])


# --- Database -------------------------------------------------------------------------
# SQLite (the laptop default): how long a connection waits for the write lock, and how many
# times a write request that still met it is run again (common.sqlite_retry) before the
# answer is 503 with Retry-After; between tries a random pause of up to
# SQLITE_LOCK_BACKOFF_MS times the try's number.
SQLITE_BUSY_TIMEOUT_MS = env.int("SQLITE_BUSY_TIMEOUT_MS", default=5000)
SQLITE_LOCK_RETRIES = env.int("SQLITE_LOCK_RETRIES", default=3)
SQLITE_LOCK_BACKOFF_MS = env.int("SQLITE_LOCK_BACKOFF_MS", default=100)
SQLITE_LOCK_RETRY_AFTER_SECONDS = env.int("SQLITE_LOCK_RETRY_AFTER_SECONDS", default=2)


def _database_from_env() -> dict:
    default_url = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    raw = os.environ.get("DATABASE_URL", default_url).strip()
    hint = "expected sqlite:///path/to/file.sqlite3 or postgres://user:password@host:5432/dbname"
    if not raw:
        _fail(f"DATABASE_URL is empty; {hint}.")
    scheme = urlparse(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        _fail(f"DATABASE_URL has an unsupported scheme {scheme!r}; {hint}.")
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # noqa: BLE001 - any parse error is a configuration error
        _fail(f"DATABASE_URL could not be parsed ({exc}); {hint}.")
    if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
        _fail(f"DATABASE_URL names no database; {hint}.")
    if config["ENGINE"].endswith("sqlite3"):
        if not config.get("NAME"):
            _fail(f"DATABASE_URL names no SQLite file; {hint}.")
        # The web server and the worker write at once: take the write lock up front, at
        # BEGIN, where a busy connection waits up to the timeout for it (a transaction
        # that read first and then writes would fail at once instead). WAL lets reads go on
        # while one connection writes; synchronous=NORMAL is safe with WAL and keeps each
        # commit (the time the lock is held) short. A request that still meets a lock is
        # run again by common.sqlite_retry.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config.setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
        config["CONN_HEALTH_CHECKS"] = True
        # The hot paths' statements (common.prepared) are prepared by psycopg once run this
        # many times on a connection; 0 turns it off (for a pooler in transaction mode that
        # cannot keep prepared statements, e.g. PgBouncer before 1.21).
        options = config.setdefault("OPTIONS", {})
        options["prepare_threshold"] = env.int("DB_PREPARE_THRESHOLD", default=5) or None
        if options["prepare_threshold"]:
            # Plan those statements once (a generic plan), not on every call: PostgreSQL
            # would otherwise keep re-planning one whose generic estimate looks dearer
            # (`id = ANY($1)`). Only prepared statements have a plan cache: the ORM's own
            # statements (bound on the client) are not affected.
            options["options"] = " ".join(filter(None, [
                options.get("options", ""), "-c plan_cache_mode=force_generic_plan"]))
    return config


DATABASES = {"default": _database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Applications -----------------------------------------------------------------------
INSTALLED_APPS = [
    "config.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "axes",
    "simple_history",
    "django_htmx",
    "common",
    "payments",
    "compliance",
    "shop",
    "promotions",
    "disputes",
    "academy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.PlatformLocaleMiddleware",
    # Before anything reads the body: a request larger than REQUEST_MAX_BYTES is a 413.
    "common.middleware.RequestSizeLimitMiddleware",
    # Before anything looks the request up (sessions, users, views): a NUL byte is a 400.
    "common.middleware.RejectNulBytesMiddleware",
    # SQLite only: a write request whose view met the write lock before writing anything
    # runs again; otherwise 503 with Retry-After rather than a 500.
    "common.sqlite_retry.SqliteLockRetryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.platform",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "seller:login"
CSRF_FAILURE_VIEW = "common.views.csrf_failure"

# The client's address: REMOTE_ADDR, or with N trusted proxies in front the Nth address
# from the right of X-Forwarded-For. One function (common.client_ip) answers for the login
# lockout (axes) and the API login throttle (DRF).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Repeated failed logins: lock the username+IP pair for a while (a known username alone
# cannot lock its owner out from everywhere). `manage.py axes_reset_username` etc. lift it.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
# Pages and API say that the account is locked and for how many more minutes.
AXES_LOCKOUT_CALLABLE = "common.login_lockout.lockout_response"
# Tries during the lock are refused without extending it, so "N more minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# The platform's own time zone (deadlines, natural days and months, dates shown on pages):
# the one place it is named.
PLATFORM_TIME_ZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if LOCAL
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads never live under static/: private files are served only through views that
# check permissions.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest request body accepted at all (common.middleware.RequestSizeLimitMiddleware,
# 413 beyond it): the most files one form takes (10 qualification files) at the per-file
# cap, plus 1 MB for the other fields and the multipart framing.
UPLOAD_MAX_FILES_PER_REQUEST = 10
REQUEST_MAX_BYTES = env.int(
    "REQUEST_MAX_BYTES", default=UPLOAD_MAX_BYTES * UPLOAD_MAX_FILES_PER_REQUEST + 1024 * 1024
)

# --- Email --------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@shop.example.com")
# Where the platform is reached from outside: the links in e-mails are absolute from it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Cache --------------------------------------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Security -----------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not LOCAL)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not LOCAL)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not LOCAL)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if LOCAL else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not LOCAL)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not LOCAL)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "common.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "common.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON nested too deeply or holding NUL characters is a 400 (common.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Throttles count per client address in the default cache: production needs a shared
    # one (CACHE_URL=rediscache://...; `check --deploy` warns otherwise). The login
    # throttle keys by common.client_ip; NUM_PROXIES keeps any stock throttle in step.
    "DEFAULT_THROTTLE_RATES": {"login": env.str("API_LOGIN_RATE", default="10/min")},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Merchant platform API",
    "DESCRIPTION": "Buyer app and merchant ERP API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "shop.models.Order.Status",
        "FlashSaleStatusEnum": "promotions.models.FlashSale.Status",
    },
}
# The schema and docs are for developers: public on a laptop, staff-only in production.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)

# --- Background worker (django-q2) --------------------------------------------------------
Q_CLUSTER = {
    "name": "platform",
    "workers": env.int("Q_WORKERS", default=2),
    # At-least-once delivery: a task is retried after `retry` seconds, so it must time
    # out before that.
    "timeout": 50,
    "retry": 120,
    "max_attempts": 3,
    "catch_up": False,
    "ack_failures": True,
    "label": "Django Q2",
    "time_zone": TIME_ZONE,
}
Q_REDIS_URL = env.str("Q_REDIS_URL", default="")
if Q_REDIS_URL:
    Q_CLUSTER["redis"] = Q_REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
# /healthz calls the worker stale when its last heartbeat is older than this.
WORKER_HEARTBEAT_MAX_AGE = timedelta(seconds=env.int("WORKER_HEARTBEAT_MAX_AGE", default=180))

# --- Platform -------------------------------------------------------------------------------
PLATFORM_NAME = _("Kuaishou Store Merchant Platform")
DEMO_PASSWORD = "demo-pass-2026"
# Sandbox payment provider and courier sign their callbacks with these (HMAC-SHA256);
# empty means a secret derived from SECRET_KEY.
PAYMENT_SANDBOX_SECRET = env.str("PAYMENT_SANDBOX_SECRET", default="")
# The sandbox provider lets users "pay" by pressing a button: only for demos and tests.
PAYMENT_SANDBOX_ENABLED = env.bool("PAYMENT_SANDBOX_ENABLED", default=DEBUG)
COURIER_SANDBOX_SECRET = env.str("COURIER_SANDBOX_SECRET", default="")
# The ad-delivery system signs its result batches with this (empty: derived from
# SECRET_KEY). Its sandbox feed posts results for running promotion orders while on.
AD_DELIVERY_SECRET = env.str("AD_DELIVERY_SECRET", default="")
AD_DELIVERY_SANDBOX_ENABLED = env.bool("AD_DELIVERY_SANDBOX_ENABLED",
                                       default=PAYMENT_SANDBOX_ENABLED)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # A refusal (403, 400) is not a bug: one line, no traceback.
        "client_errors_in_one_line": {"()": "common.log_filters.ClientErrorsInOneLine"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["client_errors_in_one_line"]},
    },
}

# --- API schema ---------------------------------------------------------------------------
# The token comes first so that an unauthenticated API call is a 401 with
# `WWW-Authenticate: Token` (DRF asks the first authenticator for the header; sessions have
# none, which made it a 403). Sessions still authenticate the browsable pages.
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "common.authentication.TokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
# Every operation lists the error answers it can give (common.schema).
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "common.schema.AutoSchema"
# Request bodies get components of their own, so an upload is a binary file in the schema
# (not the URL that the same field is in a response).
SPECTACULAR_SETTINGS["COMPONENT_SPLIT_REQUEST"] = True
