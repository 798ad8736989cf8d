"""Settings for the Ningbo grid platform, read from the environment (django-environ).

Every value that differs between a laptop and production comes from an environment
variable (or a `.env` file beside `manage.py`). With nothing set, the platform runs on
its embedded defaults: a SQLite file under `var/`, an in-process cache, and a Celery
broker on the local file system, so no server is needed.

Production sets at least `DATABASE_URL` (PostgreSQL), `REDIS_URL`, `SECRET_KEY`,
`ALLOWED_HOSTS` and leaves `DEBUG` off; see README.md.
"""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _local_secret_key() -> str:
    """Return a random key kept in `var/secret_key`, made on first use.

    Only for machines that set no `SECRET_KEY` (a laptop, the test suite): the key
    never enters the repository, and it stays stable across restarts so sessions live.
    """
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # widget templates for the project's FORM_RENDERER
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mptt",
    "guardian",
    "django_htmx",
    "grids",
    "personnel",
    "catalog",
    "events",
    "evaluation",
    "integrations",
    "idempotency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ningbo_grid.middleware.RequestIdMiddleware",
    "ningbo_grid.middleware.ApiErrorMiddleware",
    "ningbo_grid.middleware.MalformedRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ningbo_grid.middleware.ChosenLanguageMiddleware",  # Chinese unless the user picks English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "idempotency.middleware.IdempotencyKeyMiddleware",  # `Idempotency-Key` on API POSTs
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "ningbo_grid.urls"

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
                "ningbo_grid.context_processors.navigation",
            ],
        },
    },
]

# Every form renders with the project's Bootstrap templates (errors next to each field).
FORM_RENDERER = "ningbo_grid.forms.FormRenderer"

WSGI_APPLICATION = "ningbo_grid.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the Celery worker and beat share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; the public gets no grants.
GUARDIAN_MONKEY_PATCH_USER = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Chinese first, English available. Chinese whatever the browser's
# Accept-Language says; English only when picked with the language switch (a cookie),
# see ningbo_grid.middleware.ChosenLanguageMiddleware.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files are never served from MEDIA_URL directly: attachments go through a
# view that checks the viewer's jurisdiction first.
MEDIA_URL = "/media-not-public/"

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)  # bytes
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=8 * 1024 * 1024)

# Security. The production values are the defaults; DEBUG (a laptop) relaxes them.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="grid-platform@localhost")
# Text messages: a dotted path to a class with send(phone, text); the default logs.
SMS_BACKEND = env.str("SMS_BACKEND", default="events.notify.LogSmsBackend")

# Public base URL, used in QR codes, satisfaction links and webhooks.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Celery: Redis in production; the local file system when no REDIS_URL is given.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "celery-broker"
    (_broker_dir / "out").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "data_folder_processed": str(_broker_dir / "processed"),
        # Broadcast/control messages too, or kombu writes ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    # Deadline warnings, overdue alerts and escalation (events.sweep); idempotent.
    "events-sweep-deadlines": {"task": "events.tasks.sweep", "schedule": 60.0},
    # Roles dated to start today or that ended yesterday change grants (Asia/Shanghai).
    "personnel-grants-sync-due": {
        "task": "personnel.grants_sync_due",
        "schedule": crontab(hour=0, minute=5),
    },
    # Publications and exits take effect by date anyway; this only refreshes cached state.
    "catalog-refresh": {"task": "catalog.refresh_catalogue", "schedule": crontab(minute=5, hour=0)},
    "webhook-sweep": {"task": "integrations.tasks.webhook_sweep", "schedule": 60.0},
    # One-time keys (Idempotency-Key, form submission keys) past IDEMPOTENCY_TTL_HOURS.
    "idempotency-purge-expired": {"task": "idempotency.purge_expired", "schedule": crontab(minute=35)},
    # Dashboard rollups of today and yesterday (evaluation, Art. 11).
    "evaluation-rollups": {"task": "evaluation.rollup_refresh_recent", "schedule": 600.0},
    # Closed evaluation periods freeze once their grace has passed (idempotent; Art. 22).
    "evaluation-freeze-closed-periods": {
        "task": "evaluation.freeze_closed_periods",
        "schedule": crontab(minute=20),
    },
}
# How long a one-time key's answer is kept and replayed (idempotency.services), in hours.
IDEMPOTENCY_TTL_HOURS = env.int("IDEMPOTENCY_TTL_HOURS", default=24)
# A closed evaluation period (month, quarter, year) freezes at the end of working time of this
# many working days after it (0: at midnight after its last day); recomputing it then is a logged act.
EVALUATION_FREEZE_GRACE_DAYS = env.int("EVALUATION_FREEZE_GRACE_DAYS", default=3)
# Working time of a working day (local), for deadlines counted in working hours/days.
WORKING_HOURS = [("08:30", "12:00"), ("13:30", "17:30")]

REST_FRAMEWORK = {
    # The API key class comes first: its `authenticate_header` makes DRF answer a request
    # without credentials 401 with `WWW-Authenticate: Api-Key realm="api"` (the session
    # class has none, which would turn that into a 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "integrations.permissions.HasApiScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "integrations.throttling.ApiClientThrottle",
        "integrations.throttling.UserThrottle",
        "integrations.throttling.AnonThrottle",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "ningbo_grid.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["ningbo_grid.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "ningbo_grid.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "ningbo_grid.api.exception_handler",
}
# Rate limits (integrations.throttling), counted in the cache (Redis when REDIS_URL is set).
API_THROTTLE_RATES = {
    "client": env.str("API_RATE_CLIENT", default="1200/min"),
    "user": env.str("API_RATE_USER", default="600/min"),
    "anon": env.str("API_RATE_ANON", default="60/min"),
    "auth_failure": env.str("API_RATE_AUTH_FAILURE", default="30/min"),
}
# Webhooks (integrations): private/loopback targets only where explicitly allowed.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=DEBUG)
WEBHOOK_TIMEOUT = env.int("WEBHOOK_TIMEOUT", default=5)  # seconds per attempt
WEBHOOK_BACKOFF = [60, 300, 1800, 7200, 43200]  # seconds before retries 1..5; then failed

SPECTACULAR_SETTINGS = {
    "TITLE": "Ningbo grid platform API",
    "DESCRIPTION": (BASE_DIR / "ningbo_grid" / "api_docs.md").read_text(encoding="utf-8"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "idempotency.schema.add_idempotency_key",
    ],
    # Several apps name a choice field `level` or `kind`: one enum name per choice set.
    "ENUM_NAME_OVERRIDES": {
        "TimeUnitEnum": "catalog.choices.TimeUnit",
        "ListLevelEnum": "catalog.choices.ListLevel",
        # Several apps name a field `level` or `kind` with different choices.
        "AreaLevelEnum": "grids.choices.Level",
        "OrgKindEnum": "personnel.choices.OrgKind",
        "ItemKindEnum": "catalog.choices.ItemKind",
        "EventStatusEnum": "events.choices.EventStatus",
        "EventSourceEnum": "events.choices.Source",
        "ActionKindEnum": "events.choices.ActionKind",
        "EventLevelEnum": "events.choices.HandlingLevel",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
