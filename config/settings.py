"""Settings for the Timeline service, read from the environment.

With nothing set it runs locally on SQLite with DEBUG on. ``DATABASE_URL`` selects
PostgreSQL, ``REDIS_URL`` a shared cache, ``DJANGO_ENV=production`` the production checks.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    """Read a required (no default) or optional environment variable; empty means unset."""
    value = os.environ.get(name) or default
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str | None = None) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    DEBUG = False
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    # The admin's forms are posted from these origins (https://timeline.example).
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
else:
    DEBUG = env_bool("DJANGO_DEBUG", True)
    # A development-only key: production refuses to start without its own.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "django-insecure-local-development-only")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "axes",
    "rest_framework",
    "knox",
    "django_filters",
    "simple_history",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "sources",
    "timeline",
]

# Each layer, and why it is here.
MIDDLEWARE = [
    # First, so that every response (errors included) carries its request id.
    "config.requests.RequestIDMiddleware",
    # Past TIMELINE_REQUEST_TIMEOUT a request is a 503, before gunicorn's worker timeout.
    "config.deadlines.RequestDeadlineMiddleware",
    # Credential-free reads go to a read replica, when there are any.
    "config.replicas.ReadReplicaMiddleware",
    # Bounded input before anything parses the query string: too many or too long → 400.
    "config.limits.QueryStringLimitMiddleware",
    # HSTS, nosniff, the referrer policy and the HTTPS redirect.
    "django.middleware.security.SecurityMiddleware",
    # Static files (hashed, compressed) without a separate server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, so that its redirects carry the CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    # A write request is one transaction: the write, the generation's move and the
    # answer kept for its Idempotency-Key commit together, or not at all.
    "timeline.writes.WriteTransactionMiddleware",
    # Anonymous API reads from the cache, before the session, the URL and the view.
    "timeline.api.caching.ReadCacheMiddleware",
    # The admin's sessions, logins, messages and CSRF protection.
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Trailing-slash redirects and the allowed hosts.
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # X-Frame-Options for browsers that predate CSP's frame-ancestors.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The Content-Security-Policy, with inline styles for the tools' pages only.
    "config.security.ContentSecurityPolicyMiddleware",
    # Records who made each change that the history keeps.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A lost database connection in a view: 503 with Retry-After, not a 500.
    "config.outages.DatabaseUnavailableMiddleware",
    # Last: answers a locked-out login (admin or API token) with a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
        },
    },
]


def _statement_timeout() -> dict:
    seconds = float(env_str("DATABASE_STATEMENT_TIMEOUT", "0"))
    return {"options": f"-c statement_timeout={int(seconds * 1000)}"} if seconds > 0 else {}


def _database(url: str) -> dict:
    """The primary's settings, and each replica's: the same options for both."""
    # Persistent connections are health-checked: a restarted database is picked up.
    database = dj_database_url.parse(
        url,
        conn_max_age=int(env_str("DATABASE_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
        conn_health_checks=True,
    )
    # Behind PgBouncer in transaction pooling mode, server-side cursors must be off.
    database["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", False
    )
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, with bulk writes kept under the parameter limit.
        database["ENGINE"] = "config.postgresql"
        prepared = env_bool("DATABASE_PREPARED_STATEMENTS", True)
        database.setdefault("OPTIONS", {}).update(
            {
                # A query run five times is prepared, not planned every time. Off behind a
                # pooler that cannot keep prepared statements (PgBouncer before 1.21).
                "server_side_binding": prepared,
                "prepare_threshold": 5 if prepared else None,
                # A hung database must not hold a worker until gunicorn kills it: a 503
                # after a few seconds, and TCP keepalives find a dead peer.
                "connect_timeout": int(env_str("DATABASE_CONNECT_TIMEOUT", "5")),
                # A query the server runs too long is cancelled (a 503), in seconds; 0 is
                # none. config/wsgi.py sets 15 for the web tier, under its request
                # deadline; commands (migrate, imports) run without one.
                **_statement_timeout(),
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 5,
                "keepalives_count": 3,
            }
        )
    return database


# SQLite by default; DATABASE_URL=postgres://… selects PostgreSQL (psycopg 3).
DATABASES = {"default": _database(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
# Read replicas (config/replicas.py) from DATABASE_REPLICA_URLS: replica1, … (mirrors in tests).
for _index, _url in enumerate(env_list("DATABASE_REPLICA_URLS", ""), start=1):
    DATABASES[f"replica{_index}"] = {**_database(_url), "TEST": {"MIRROR": "default"}}
DATABASE_READ_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]

# Cached responses and request rates: Redis, shared by every web node, or per process.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            # A Redis that hangs costs a request seconds, not the worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-axes sees every login first and refuses one from a locked-out client.
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

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Production serves the collected, hashed files; development the apps' (no collectstatic).
STATIC_ROOT = (
    Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles"))) if PRODUCTION else None
)
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The site's canonical host (timeline.example.org): the domain of calendar UIDs
# (event-42@<domain>) and Atom ids (tag:<domain>,…). Never the request's Host header: a
# subscriber who reaches the site by another name must still see the same events, not
# copies. Production requires it; development uses "localhost".
TIMELINE_UID_DOMAIN = (
    env_str("TIMELINE_UID_DOMAIN") if PRODUCTION else env_str("TIMELINE_UID_DOMAIN", "localhost")
).lower()
if any(character in TIMELINE_UID_DOMAIN for character in "/:@ "):
    raise ImproperlyConfigured(
        "TIMELINE_UID_DOMAIN must be a host name such as timeline.example.org (no scheme, "
        f"port or path), not {TIMELINE_UID_DOMAIN!r}."
    )

# Where `manage.py seed` reads the archived article texts from.
TIMELINE_SEED_DIR = Path(
    env_str("TIMELINE_SEED_DIR", str(BASE_DIR.parent / "shared" / "seeds"))
).resolve()

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # orjson writes a 100-event page (290 KB) in 0.5 ms, where json.dumps takes 5.
    "DEFAULT_RENDERER_CLASSES": [
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "COERCE_DECIMAL_TO_STRING": False,
    # JSON only (a view adds multipart), with bounded size and nesting: 413 or 400, never 500.
    "DEFAULT_PARSER_CLASSES": ["timeline.api.parsers.JSONParser"],
    # Token first: its WWW-Authenticate header makes anonymous writes a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "timeline.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Anyone reads; writes need the model permission (the "Editors" group).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": ["timeline.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "timeline.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "timeline.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "timeline.api.throttling.AnonRateThrottle",
        "timeline.api.throttling.UserRateThrottle",
    ],
    # Proxies appending to X-Forwarded-For: the client is that many entries from the right.
    # 0 means none: the connection's own address (DRF's None would trust the header).
    "NUM_PROXIES": int(env_str("DJANGO_NUM_PROXIES", "0")),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}


def env_rate(name: str, default: str) -> str | None:
    """A throttle rate such as ``300/minute``; ``off`` turns that throttle off."""
    value = env_str(name, default)
    return None if value.lower() in {"off", "none", "0"} else value


# Requests per client, counted in the cache: "anon" per client address, "user" per
# signed-in user, "login" token requests with a password per client address.
TIMELINE_THROTTLE_RATES = {
    "anon": env_rate("API_THROTTLE_ANON", "300/minute"),
    "user": env_rate("API_THROTTLE_USER", "1200/minute"),
    "login": env_rate("API_THROTTLE_LOGIN", "10/minute"),
}

# Every request answers within this many seconds: past it, a 503 with Retry-After
# (config/deadlines.py). gunicorn.conf.py sets the worker timeout 10 s above it.
TIMELINE_REQUEST_TIMEOUT = float(env_str("TIMELINE_REQUEST_TIMEOUT", "20"))
# /readyz says "unavailable" when the database does not answer within this.
TIMELINE_READY_TIMEOUT = 1.5

# Query strings: more parameters, or a longer value, is a 400 naming it.
TIMELINE_MAX_QUERY_PARAMS = 30
TIMELINE_MAX_QUERY_VALUE_LENGTH = 500

# Write bodies: a longer list is a 400 naming it, before any item is read, so that no request
# holds a worker for long (an event sent with 9,000 citations held one past its timeout). The
# demo timeline has at most 10 citations and 5 claims an event, and 16 events a timeline.
TIMELINE_MAX_CITATIONS_PER_EVENT = 200
TIMELINE_MAX_CLAIMS_PER_EVENT = 200
# Any other list in a write body: an event's actors and tags, a timeline's events.
TIMELINE_MAX_LIST_ITEMS = 1000

# Brute-force protection for the admin and API token logins (django-axes), counted in the
# cache (shared by every node with REDIS_URL). An address is locked out for a cool-off after
# LOGIN_FAILURE_LIMIT failures whatever the usernames (password spraying), and a username
# whatever the addresses (one account guessed from many). axes has one limit for both: it
# compares the higher count with AXES_FAILURE_LIMIT.
# The trade-off: anyone can lock an editor's password logins for a cool-off with that many
# wrong passwords (their session and tokens keep working; `manage.py axes_reset_username`
# lifts it). With one limit, one address locks at most one editor a cool-off: past it the
# address is locked too, and refused attempts count against no one (below). 5 in 15 minutes
# lets an editor mistype, and a username at most 480 guesses a day from the whole internet.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = int(env_str("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env_str("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
# A refused attempt neither counts nor extends the cool-off: a locked-out address cannot go on
# to lock every editor out.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success keeps the counts: it would clear its address's too, so anyone with an account
# could sign in between guesses.
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_CALLABLE = "config.clients.login_username"
# The cache handler writes nothing to axes' tables: their admin pages would stay empty.
AXES_ENABLE_ADMIN = False
if not os.environ.get("REDIS_URL"):
    # Local memory: each process counts its own failures, as it counts its request rates.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]
AXES_CLIENT_IP_CALLABLE = "config.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "config.clients.locked_out"
AXES_VERBOSE = False

# CORS: any origin may read the API (published data), without credentials; reads only.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# The conditional GET the API's ETags and the files' Last-Modified invite (a 304).
CORS_ALLOW_HEADERS = (*default_headers, "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ["ETag", "Location"]
CORS_PREFLIGHT_MAX_AGE = 86400

# API tokens (django-rest-knox): stored hashed, several per editor, each revocable.
# knox's own token model; named so that TokenUse (timeline.models.clients) can point at it.
KNOX_TOKEN_MODEL = "knox.AuthToken"
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(env_str("API_TOKEN_TTL_DAYS", "30"))),
    "TOKEN_LIMIT_PER_USER": 20,
    "AUTH_HEADER_PREFIX": "Token",
}

# Content-Security-Policy (django-csp): every page loads only this site's own files;
# no page may frame them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Request bodies larger than this get a 413 (an archived article is far smaller).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env_str("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))

SPECTACULAR_SETTINGS = {
    "TITLE": "Timeline service API",
    "DESCRIPTION": (
        "A curated timeline of dated events, each backed by citations: verbatim "
        "quotes from archived source articles, anchored with W3C Web Annotation "
        "selectors. Anonymous clients read published events only."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "timeline.api.schema.add_error_responses",
        "timeline.api.idempotency.document_idempotency",
        # Last: it reads what the others added.
        "timeline.api.schema.for_generated_clients",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "timeline.models.EventStatus",
        "PrecisionEnum": "timeline.models.Precision",
        "ActorKindEnum": "timeline.models.ActorKind",
        "PropertyKindEnum": "timeline.models.PropertyKind",
        "ClaimRankEnum": "timeline.models.ClaimRank",
        "QualifierEnum": "timeline.claims.quantities.QUALIFIERS",
        "DateEvidenceStateEnum": "timeline.evidence.STATES",
    },
}

# Logs go to stderr: JSON lines in production (for log shippers), plain in development.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be 'json' or 'plain'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.requests.RequestIDFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = int(env_str("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
