"""EventHub settings: one module, configured from the environment only.

With no environment set this is the embedded default (DESIGN §5): SQLite in ``var/``, the
in-process stream broker, Celery tasks run eagerly and periodic jobs by an in-process scheduler.
``DATABASE_URL`` switches to PostgreSQL (through psycopg's pool), ``REDIS_URL`` to Redis for the
stream broker, channel layer, cache and Celery broker.
"""

import hashlib
import logging
import os
import time
from datetime import timedelta
from pathlib import Path

import environ
from django.core.management.utils import get_random_secret_key

from eventhub.logs import logging_config, start_error_reporting

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("EVENTHUB_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _secret_key() -> str:
    """The key from the environment, else one generated once into ``var/`` (as pretix does),
    so a fresh clone runs without a secret in the repository."""
    key = env.str("DJANGO_SECRET_KEY", default="")
    if key:
        return key
    path = VAR_DIR / ".secret_key"
    try:
        # Created exclusively and private from the first byte; a process that loses the race
        # reads the winner's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(get_random_secret_key())
    for _ in range(50):  # the winner may still be writing
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty; delete it and start again")


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=["http://127.0.0.1:8000", "http://localhost:8000"])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.openid_connect",
    "eventhub",
    "eventhub.realtime",
    "accounts",
    "events",
    "ticketing",
    "chat",
    "analytics",
    "django_prometheus",
    "django_structlog",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before anything reads a body: over REQUEST_BODY_MAX_BYTES is a 413 (eventhub/bodylimit.py).
    "eventhub.bodylimit.BodyLimitMiddleware",
    # Outermost but for the metrics: Content-Security-Policy and Server on every answer, static
    # files and redirects too.
    "eventhub.headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that answers: sees every error page of the layers below it.
    "eventhub.api.middleware.JsonOnlyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # i18n (docs/decisions.md "Translations"): the language cookie (set_language) or
    # Accept-Language, then the signed-in user's own setting kept in the session.
    "django.middleware.locale.LocaleMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "events.tenancy.TenantScopeMiddleware",
    "eventhub.portal.DomainErrorMiddleware",
    "eventhub.api.middleware.PrivateApiResponsesMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# GET/HEAD under /api/ with X-Session-Token and no Cookie (phones) run this stack instead
# (eventhub/lanes.py says why each of the others is not needed there; bench/README.md, issue 12,
# what each costs). A middleware added above that API reads need must be added here too.
API_TOKEN_READ_MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "eventhub.bodylimit.BodyLimitMiddleware",
    "eventhub.headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "eventhub.api.middleware.JsonOnlyMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Error messages in the client's language (Accept-Language / the language cookie).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "eventhub.api.middleware.AnonymousUntilAuthenticatedMiddleware",
    "events.tenancy.TenantScopeMiddleware",
    "eventhub.api.middleware.PrivateApiResponsesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "eventhub.urls"
CSRF_FAILURE_VIEW = "eventhub.views.csrf_failure"  # JSON under /api/ and /_allauth/
ASGI_APPLICATION = "eventhub.asgi.application"
WSGI_APPLICATION = "eventhub.wsgi.application"

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
                "events.portal.context_processors.portal",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# Under ASGI every request runs in a fresh thread, so persistent connections (CONN_MAX_AGE > 0)
# pile up until PostgreSQL refuses clients; psycopg's pool bounds them instead (CONN_MAX_AGE=0).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'eventhub.sqlite3'}")}
# A connection PostgreSQL ended (a restart, a failover, pg_terminate_backend) must not become a
# 500: the pool checks every connection it hands out, and eventhub.db retries a request's first
# query once on a dead one (docs/decisions.md "Dead database connections").
# DATABASE_HEALTH_CHECKS=0 turns both off (the negative control of the test), DATABASE_POOL_CHECK=0
# the pool's check alone (to test the retry by itself).
DATABASE_HEALTH_CHECKS = env.bool("DATABASE_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASE_HEALTH_CHECKS and env.bool(
        "DATABASE_POOL_CHECK", default=True
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_POOL", default=True):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=20),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_HEALTH_CHECKS:
    DATABASES["default"]["ENGINE"] = "eventhub.db"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes SQLite's write lock at BEGIN, so stream seq allocation never deadlocks
    # on a lock upgrade; WAL lets readers run beside the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: cache, channel layer, stream broker, celery --------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Rate-limit counters fail open during a Redis outage (eventhub/cache.py); short timeouts so
    # an unreachable Redis costs a request at most a second.
    CACHES = {
        "default": {
            "BACKEND": "eventhub.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Production (a real secret key and debug off, as for secure cookies below) verifies the address
# by code before the first login: only then can a signup with a taken address answer exactly like
# any other (allauth's ACCOUNT_PREVENT_ENUMERATION; the owner is mailed instead). With "optional"
# a signup logs in at once, and a taken address has to say so (email_taken). The demo and the
# tests sign up at once.
_PRODUCTION = not DEBUG and bool(env.str("DJANGO_SECRET_KEY", default=""))
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory" if _PRODUCTION else "optional")
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = ACCOUNT_EMAIL_VERIFICATION == "mandatory"
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_GET = False
# allauth counts attempts in the cache, which is Redis (shared by every process) when REDIS_URL
# is set; axes additionally locks the admin login after repeated failures.
# Per account strictly — the lockout is keyed by the normalized login alone, whatever the Host or
# server process (accounts.adapter) — and per address generously: a venue's attendees share one
# NAT address, and 2,000 phones log in as the doors open. The per-address limits only bound what
# one address can try across many accounts.
ACCOUNT_RATE_LIMITS = {
    "login": "600/m/ip",
    "login_failed": "120/m/ip,5/5m/key",
    "signup": "120/m/ip",
    "reset_password": "60/m/ip,5/m/key",
    "reset_password_from_key": "60/m/ip",
    "confirm_email": "1/3m/key",
}
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_TOKEN_STRATEGY = "eventhub.api.authentication.SessionTokenStrategy"  # noqa: S105 (a class path)
HEADLESS_ONLY = False
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/accounts/confirm-email/{key}/",
    "account_reset_password_from_key": "/accounts/password/reset/key/{key}/",
    "account_signup": "/accounts/signup/",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_ONLY_ADMIN_SITE = True
AXES_HANDLER = "accounts.axes.AdminOnlyAxesHandler"


def _social_providers() -> dict:
    """Google, Facebook and LinkedIn (OpenID Connect) are enabled by their credentials."""
    providers: dict = {}
    for name, prefix in (("google", "GOOGLE"), ("facebook", "FACEBOOK")):
        client_id = env.str(f"{prefix}_CLIENT_ID", default="")
        if client_id:
            providers[name] = {
                "APPS": [{"client_id": client_id, "secret": env.str(f"{prefix}_CLIENT_SECRET", default="")}]
            }
    linkedin_id = env.str("LINKEDIN_CLIENT_ID", default="")
    if linkedin_id:
        providers["openid_connect"] = {
            "APPS": [
                {
                    "provider_id": "linkedin",
                    "name": "LinkedIn",
                    "client_id": linkedin_id,
                    "secret": env.str("LINKEDIN_CLIENT_SECRET", default=""),
                    "settings": {"server_url": "https://www.linkedin.com/oauth"},
                }
            ]
        }
    return providers


SOCIALACCOUNT_PROVIDERS = _social_providers()

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "eventhub.api.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "eventhub.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "eventhub.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "eventhub.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "eventhub.api.errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EventHub API",
    "DESCRIPTION": "The attendee and organizer API of EventHub. Authenticate with the "
    "`X-Session-Token` header from allauth headless (`/_allauth/app/v1/`).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "eventhub.api.schema.document_errors",
    ],
    # Choice sets whose field names other choice sets share (status, kind) get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "events.enums.EventStatus",
        "SessionKindEnum": "events.enums.SessionKind",
        "SessionStatusEnum": "events.enums.SessionStatus",
        "AnnouncementPriorityEnum": "events.enums.AnnouncementPriority",
        "AnnouncementTargetEnum": "events.enums.AnnouncementTarget",
        "CheckInKindEnum": "ticketing.enums.CheckInKind",
        "ScanResultEnum": "ticketing.enums.ScanResult",
    },
}
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api|_allauth)/.*$"
CORS_ALLOW_HEADERS = (
    "accept",
    "content-type",
    "if-none-match",
    "idempotency-key",
    "x-csrftoken",
    "x-session-token",
)
CORS_EXPOSE_HEADERS = ("etag",)

# --- realtime streams (DESIGN §3) -----------------------------------------------------------
STREAMS = {
    "RETENTION_DAYS": {"event": 7, "conversation": 7, "user": 7},
    "HEARTBEAT_SECONDS": env.float("STREAM_HEARTBEAT_SECONDS", default=10.0),
    "REAUTHORIZE_SECONDS": env.float("STREAM_REAUTHORIZE_SECONDS", default=300.0),
    "MAX_SUBSCRIPTIONS": 50,
    "MAX_FRAME_BYTES": 8 * 1024,
    "FRAMES_PER_SECOND": 20.0,
    "FRAME_BURST": 60,  # above MAX_SUBSCRIPTIONS: a reconnecting client resubscribes at once
    "FLOOD_CLOSE_AFTER": 100,
    # Failed token/cookie/link authentications per client address and minute (each costs a
    # query); past it the address is told to wait (close 4029) without a lookup.
    "AUTH_FAILURES_PER_MINUTE": env.int("STREAM_AUTH_FAILURES_PER_MINUTE", default=60),
    "MAX_OUTBOUND_BYTES": env.int("STREAM_MAX_OUTBOUND_BYTES", default=1024 * 1024),
    "REPLAY_BATCH": 500,
    "ALLOWED_ORIGINS": env.list("WEBSOCKET_ALLOWED_ORIGINS", default=[]),
    # Pub/Sub channels are global to a Redis server: the default prefix is unique per installation
    # (its database name and secret key), so two installs sharing a Redis never hear each other.
    "CHANNEL_PREFIX": env.str(
        "STREAM_CHANNEL_PREFIX",
        default="eventhub:"
        + hashlib.sha256(f"{DATABASES['default']['NAME']}\0{SECRET_KEY}".encode()).hexdigest()[:12]
        + ":stream:",
    ),
}

# --- celery ---------------------------------------------------------------------------------
# Celery rides on Redis; CELERY_BROKER_URL=amqp://… moves the queue to RabbitMQ (docs/production.md).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task not acknowledged within this many seconds (acks late: until it finished) is handed to
# another worker, so it must exceed the longest task; tasks are idempotent either way.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300)}
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_MAX_TASKS_PER_CHILD", default=0) or None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# The built-in beat schedule: versioned with the code, read by `celery beat` and by the
# embedded scheduler alike (docs/decisions.md).
CELERY_BEAT_SCHEDULE = {
    "purge-expired-stream-entries": {
        "task": "eventhub.realtime.tasks.purge_expired_stream_entries",
        "schedule": 3600.0,
    },
    "advance-event-statuses": {
        "task": "events.tasks.advance_event_statuses",
        "schedule": 60.0,
    },
    "expire-ticket-reservations": {
        "task": "ticketing.tasks.expire_reservations",
        "schedule": 60.0,
    },
    "send-pending-emails": {
        "task": "eventhub.tasks.send_pending_emails",
        "schedule": 60.0,
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
EMBEDDED_SCHEDULER = env.bool("EMBEDDED_SCHEDULER", default=not REDIS_URL)

# --- ticketing and payments (ticketing/) ----------------------------------------------------
TICKET_RESERVATION_MINUTES = env.int("TICKET_RESERVATION_MINUTES", default=15)
WAITING_LIST_OFFER_HOURS = env.int("WAITING_LIST_OFFER_HOURS", default=24)
# Test-only switch: False skips the quota row locks so the race test's negative control can
# show an oversell. Never turn it off in production.
TICKETING_LOCK_QUOTAS = env.bool("TICKETING_LOCK_QUOTAS", default=True)
# Test-only switch: True restores the lock sets from before issue 11 (every FOR UPDATE also
# locking the rows it joins, the event row among them), for the lock-order test's negative
# control. Never turn it on in production.
TICKETING_LOCK_JOINED_ROWS = env.bool("TICKETING_LOCK_JOINED_ROWS", default=False)
# One account may hold this many tickets of a type (paid and reserved) unless the ticket type
# sets its own, and at most this many unpaid reservations per event.
TICKETING_MAX_TICKETS_PER_ACCOUNT = env.int("TICKETING_MAX_TICKETS_PER_ACCOUNT", default=10)
TICKETING_MAX_PENDING_ORDERS_PER_ACCOUNT = env.int("TICKETING_MAX_PENDING_ORDERS_PER_ACCOUNT", default=3)
# Request limits, counted in the cache ("<n>/<period>/<key>", periods s, m, h, d with an optional
# count as in "15m"; keys user, ip, device). Per address generously (a venue's phones share one
# NAT address); per account and per device strictly. A scope left out is not limited (load tests
# run with TICKETING_RATE_LIMITS='{}').
TICKETING_RATE_LIMITS = env.json(
    "TICKETING_RATE_LIMITS",
    default={
        "order": "10/m/user,600/m/ip",
        "waiting_list": "10/m/user,600/m/ip",
        "voucher_failed": "10/15m/user,100/15m/ip",
        "scan": "10/s/device,300/m/device",
    },
)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # tests: a localstripe server
# Encrypts the events' Ed25519 private keys at rest. Set it in production and keep it when
# DJANGO_SECRET_KEY rotates (empty: derived from the secret key, so rotating that one would make
# the stored keys unreadable).
TICKET_SIGNING_SECRET = env.str("TICKET_SIGNING_SECRET", default="")

# --- i18n, static, media, mail ----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# The project's own catalogues come first: they also settle allauth's capitalisation
# ("Sign In" → "Sign in") so the portal's words match on every page.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
# Translations (docs/decisions.md "Translations"): English and German; locale/ holds the
# project's catalogues (django + djangojs), `scripts/messages` rebuilds and compiles them.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Every request body, uploads included, is refused over this before it is read
# (eventhub/bodylimit.py; nginx's client_max_body_size says the same in production). Photos are
# at most 10 MB (eventhub/images.py); the rest is multipart overhead and the other fields.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=12 * 1024 * 1024)
# Django's own caps stay at their defaults: 2.5 MB of parsed form fields / request.body, file
# parts over 2.5 MB spooled to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="EventHub <noreply@eventhub.local>")

# --- security (production: `manage.py check --deploy` is clean) ------------------------------
SESSION_COOKIE_SECURE = env.bool(
    "SESSION_COOKIE_SECURE", default=not DEBUG and bool(env.str("DJANGO_SECRET_KEY", default=""))
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SESSION_COOKIE_SECURE)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
# Behind a TLS-terminating proxy set both: TRUST_X_FORWARDED_PROTO=1 (the proxy sets
# X-Forwarded-Proto; else a client could claim https) and TRUSTED_PROXY_COUNT (below, with the
# operations settings) = the number of proxies in front that append the client's address to
# X-Forwarded-For. With 0 (the default) the header is ignored and REMOTE_ADDR is the client —
# behind a proxy that makes every per-address limit one limit for the whole site. Do not also let
# daphne rewrite the address (--proxy-headers).
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- operations: client address, logs, metrics, error reporting (docs/production.md) ----------
# How many reverse proxies append to X-Forwarded-For in front of Django (the production profile's
# nginx: 1; a load balancer in front of it: 2). The client is the entry that many from the right;
# 0 trusts no header and takes the socket's peer.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# One client address for every per-address limit (eventhub.proxy.client_ip): allauth asks the
# account adapter (accounts.adapter), axes this callable; the libraries' own proxy settings say
# the same, should a code path of theirs read them directly.
AXES_CLIENT_IP_CALLABLE = "eventhub.proxy.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
# DRF's throttles identify clients by NUM_PROXIES: the same entry from the right (with fewer
# entries than proxies DRF takes the leftmost, which a trusted proxy wrote, where we take the peer).
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
# "plain": message lines as before (the embedded default); "json": one JSON object per line with
# the request id (also carried into Celery tasks), the production profile's choice.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env.str("LOG_LEVEL", default="INFO"))
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# nginx's JSON access log has every request with its request id; the app adds a line for 4xx and
# 5xx answers (and for everything with LOG_LEVEL=DEBUG), not two lines per request.
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG
DJANGO_STRUCTLOG_STATUS_2XX_LOG_LEVEL = logging.DEBUG
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # eventhub.logs binds the address eventhub.proxy trusts
# django-structlog's own user id binding evaluates request.user before the view and pins it (to
# keep the session unaccessed), so allauth headless could no longer put the session token's user
# in its place: every phone's /_allauth/ call with a token answered 401. eventhub.logs binds the
# user id when the request finished instead.
DJANGO_STRUCTLOG_USER_ID_FIELD = None
# Behind our proxies the request id comes from nginx ($request_id, also in its access log).
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = TRUSTED_PROXY_COUNT > 0
# /metrics answers loopback clients, or anyone sending `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Error reporting to Sentry (or a compatible service) only when a DSN is set; sentry-sdk is then
# needed (requirements-sentry.txt) and is not imported otherwise.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    start_error_reporting(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
