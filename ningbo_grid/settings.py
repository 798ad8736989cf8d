"""Settings for the Ningbo grid platform, read from the environment (django-environ).

Every value that differs between a laptop and production comes from an environment
variable (or a `.env` file beside `manage.py`). With nothing set, the platform runs on
its embedded defaults: a SQLite file under `var/`, an in-process cache, and a Celery
broker on the local file system, so no server is needed.

Production sets at least `DATABASE_URL` (PostgreSQL), `REDIS_URL`, `SECRET_KEY`,
`ALLOWED_HOSTS` and leaves `DEBUG` off; see README.md. Without `SECRET_KEY` the settings
refuse to load unless `LOCAL_SECRET_KEY_FILE=1` opts in to a key file under VAR_DIR (a
laptop demo and the test suite do: bin/run-dev, tests/settings.py, the Makefile).
"""

import datetime
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _local_secret_key() -> str:
    """Return a random key kept in `$VAR_DIR/secret_key`, made on first use.

    Only when asked for with `LOCAL_SECRET_KEY_FILE=1` (`make run` and the test suite
    set it): the key never enters the repository and stays stable across restarts, so
    sessions live. A deployment sets `SECRET_KEY`; separate containers share no VAR_DIR.
    """
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _secret_key() -> str:
    """`SECRET_KEY` from the environment; else the local key file if explicitly opted in
    (`LOCAL_SECRET_KEY_FILE=1`); else refuse to start (ImproperlyConfigured), in DEBUG too:
    never a silent fallback that each container would make differently."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if env.bool("LOCAL_SECRET_KEY_FILE", default=False):
        return _local_secret_key()
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set SECRET_KEY to 50 or more random characters, the same for the web, "
        "worker and beat processes (see README.md, Production). For a local demo or the test suite only, "
        f"LOCAL_SECRET_KEY_FILE=1 keeps a generated key in {VAR_DIR / 'secret_key'} "
        "(`make run` and `make test` set it)."
    )


def _tile_origin(url: str) -> list[str]:
    """The scheme and host of the map tile URL template, for the CSP's img-src ([] if none).
    A host label with Leaflet's `{s}` subdomain placeholder becomes CSP's `*.` wildcard."""
    parts = urlsplit(url)
    host = parts.netloc
    if "{s}" in host:
        host = "*." + host.split(".", 1)[1]
    return [f"{parts.scheme}://{host}"] if parts.scheme and host else []


SECRET_KEY = _secret_key()


def _personal_data_keys() -> dict[str, bytes]:
    """The keys encrypting personal data at rest (`ningbo_grid.crypto`), first one current.

    `PERSONAL_DATA_KEYS="k2:<base64 of 32 bytes>,k1:<…>"` from the environment; else,
    with `LOCAL_SECRET_KEY_FILE=1` (demo, tests), a generated key kept in
    `$VAR_DIR/personal_data_keys`; else refuse to start (ImproperlyConfigured). Rotation:
    put a new key first, run `manage.py rotate_keys`, then drop the old one.
    """
    from ningbo_grid.keys import new_key_entry, parse_keys

    text = env.str("PERSONAL_DATA_KEYS", default="")
    if not text and env.bool("LOCAL_SECRET_KEY_FILE", default=False):
        path = VAR_DIR / "personal_data_keys"
        if not path.exists():
            path.write_text(new_key_entry("local1"))
            path.chmod(0o600)
        text = path.read_text().strip()
    if not text:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEYS is not set: residents' ID numbers and mobiles are encrypted with it "
            "(see README.md, Personal data). LOCAL_SECRET_KEY_FILE=1 generates a local one for a demo or tests."
        )
    return parse_keys(text)


PERSONAL_DATA_KEYS = _personal_data_keys()
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
    "ledgers",
    "emergency",
    "tasks",
    "mobile",
    "staffoffice",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "security",
]

MIDDLEWARE = [
    "security.middleware.AccessLogMiddleware",  # first: one access line per request when LOG_DIR is set
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ningbo_grid.middleware.RequestIdMiddleware",
    "ningbo_grid.middleware.ApiErrorMiddleware",
    "ningbo_grid.middleware.MalformedRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ningbo_grid.replica.ReadYourWritesMiddleware",  # a writer reads from the primary for a few seconds
    "ningbo_grid.middleware.ChosenLanguageMiddleware",  # Chinese unless the user picks English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "idempotency.middleware.IdempotencyKeyMiddleware",  # `Idempotency-Key` on API POSTs
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mobile.middleware.ClearSiteDataOnLogoutMiddleware",  # logout empties the phone
    "mobile.middleware.DraftAnswerMiddleware",  # a sent draft learns its event's address
    "security.middleware.OTPMiddleware",  # request.user.is_verified(): TOTP passed in this session
    "personnel.middleware.ReachCacheMiddleware",  # the caller's grants read once per GET
    "security.middleware.SessionSecurityMiddleware",  # timeouts, second factor, first password, exports
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
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
    # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost before
    # running it: 40-190 ms for a unit's task list whose plan runs in 0.4 ms (its scope's
    # subquery is costed at a unit's whole dispatch history; bench/RESULTS.md). The
    # platform's reads are index ranges of one page, so it is off unless DATABASE_JIT=1.
    # Behind PgBouncer (which refuses the `options` startup parameter) set it on the role
    # instead: ALTER ROLE <user> SET jit = off (docs/database.md).
    if not env.bool("DATABASE_JIT", default=False) and not env.bool("DATABASE_TRANSACTION_POOLING", default=False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# A PostgreSQL streaming read replica (optional): opted-in views read from it (see
# ningbo_grid/replica.py and docs/database.md). In tests it mirrors the primary's test
# database (TEST MIRROR: the replica's own server, the test database's name).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_MAX_LAG_SECONDS = env.int("REPLICA_MAX_LAG_SECONDS", default=3)  # replay lag above it: primary
REPLICA_CHECK_SECONDS = env.int("REPLICA_CHECK_SECONDS", default=2)  # a process re-checks the replica after it
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].update(
        CONN_MAX_AGE=DATABASES["default"].get("CONN_MAX_AGE", 0), CONN_HEALTH_CHECKS=True, TEST={"MIRROR": "default"}
    )
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        **DATABASES["replica"].get("OPTIONS", {}),
        "connect_timeout": env.int("REPLICA_CONNECT_TIMEOUT", default=2),
    }
    DATABASE_ROUTERS = ["ningbo_grid.replica.ReplicaRouter"]
# Behind PgBouncer in transaction pooling mode (docs/database.md): no server-side cursors,
# which would outlive the transaction that holds their server connection (`.iterator()`).
if env.bool("DATABASE_TRANSACTION_POOLING", default=False):
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "ningbo_grid.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address
    "security.backends.UserBackend",  # ModelBackend; reads the user's TOTP devices with the user
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; the public gets no grants.
GUARDIAN_MONKEY_PATCH_USER = False

# Passwords (security.passwords; GB/T 22239-2019 8.1.4.1 a): at least PASSWORD_MIN_LENGTH
# characters of three of the four classes, not like the account's name, not a common or
# all-digit password, none of the last PASSWORD_HISTORY_COUNT. Messages are Chinese.
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "security.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "security.passwords.CharacterClassesValidator"},
    {"NAME": "security.passwords.NoReuseValidator"},
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

# Base map of the browser's maps (grids/templatetags/maps.py): a Leaflet tile URL template,
# e.g. 天地图's WGS 84 / CGCS2000 tiles with the authority's key, or an internal tile server.
# Empty (the default, and in tests): boundaries and points on a plain background.
# Published maps in China must use an approved base map (天地图 or licensed tiles).
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Files served at the site's root by whitenoise (not collected): /favicon.ico.
WHITENOISE_ROOT = BASE_DIR / "ningbo_grid" / "root"
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

# Sessions (security.sessions; GB/T 22239-2019 8.1.4.1 b): signed out after
# SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after sign-in.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
# Read from Redis, written through to PostgreSQL: one query less on every signed-in request
# (issue #20). Only with the shared cache: a per-process cache would keep a session ended in
# one worker (security.sessions.end) alive in the others.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")
# Sign-in lockout (django-axes; 8.1.4.1 b): LOGIN_FAILURE_LIMIT failed sign-ins for one
# account, or from one address (counted as the rate limits count it, NUM_PROXIES), lock
# that account or address for LOGIN_LOCKOUT_MINUTES, or until an administrator lifts it
# (admin: 访问尝试, or `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "security.audit.client_address"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the security audit trail
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Second factor (django-otp TOTP; security.twofactor): the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="宁波网格平台")
# Security audit trail (security.audit): rows younger than this are never purged (>= 180).
SECURITY_AUDIT_RETENTION_DAYS = max(180, env.int("SECURITY_AUDIT_RETENTION_DAYS", default=180))
# Content-Security-Policy (django-csp): vendored files from this origin only, no inline
# script or style; images also as data: URIs (Bootstrap's icons) and from the map tile host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *_tile_origin(MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],  # voice notes played back and previewed before upload (mobile)
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="grid-platform@localhost")
# Text messages (events.sms): a dotted path to a class with send(phone, text); the default
# logs (demo). `events.sms.AliyunSmsBackend` sends through Alibaba Cloud SMS: its AccessKey
# comes from the environment only; the sign name and the approved template (one variable,
# SMS_ALIYUN_PARAM, holding the text) are the operator's.
SMS_BACKEND = env.str("SMS_BACKEND", default="events.sms.LogSmsBackend")
SMS_ALIYUN = {
    "endpoint": env.str("SMS_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com/"),
    "region": env.str("SMS_ALIYUN_REGION", default="cn-hangzhou"),
    "sign_name": env.str("SMS_ALIYUN_SIGN_NAME", default=""),
    "template_code": env.str("SMS_ALIYUN_TEMPLATE_CODE", default=""),
    "param": env.str("SMS_ALIYUN_PARAM", default="content"),
    "timeout": env.float("SMS_ALIYUN_TIMEOUT", default=10.0),
}
ALIYUN_SMS_ACCESS_KEY_ID = env.str("ALIYUN_SMS_ACCESS_KEY_ID", default="")
ALIYUN_SMS_ACCESS_KEY_SECRET = env.str("ALIYUN_SMS_ACCESS_KEY_SECRET", default="")

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
# The transactional outbox (ningbo_grid.outbox): how often beat sweeps pending deliveries,
# how long a worker's claim on a row lasts before another worker may take it (it must
# outlast one attempt: WEBHOOK_TIMEOUT), and the e-mail/SMS retry schedule (seconds).
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=5.0)
OUTBOX_LEASE = env.int("OUTBOX_LEASE", default=120)
OUTBOX_BACKOFF = [60, 300, 1800, 7200]
# Events locked and fired per transaction by the deadline sweep (events.sweep).
EVENTS_SWEEP_BATCH = env.int("EVENTS_SWEEP_BATCH", default=2000)
CELERY_BEAT_SCHEDULE: dict = {
    # Deadline warnings, overdue alerts and escalation (events.sweep); idempotent.
    "events-sweep-deadlines": {"task": "events.tasks.sweep", "schedule": 60.0},
    # Warnings and overdue marks of assigned tasks' grid assignments (tasks.sweep); idempotent.
    "tasks-sweep-deadlines": {"task": "tasks.sweep", "schedule": 60.0},
    # Roles dated to start today or that ended yesterday change grants (Asia/Shanghai).
    "personnel-grants-sync-due": {
        "task": "personnel.grants_sync_due",
        "schedule": crontab(hour=0, minute=5),
    },
    # Publications and exits take effect by date anyway; this only refreshes cached state.
    "catalog-refresh": {"task": "catalog.refresh_catalogue", "schedule": crontab(minute=5, hour=0)},
    # The transactional outbox (ningbo_grid.outbox): pending webhooks, e-mail and SMS are
    # also queued on commit; this catches what a crash or a broker outage left behind.
    "webhook-sweep": {"task": "integrations.tasks.webhook_sweep", "schedule": OUTBOX_SWEEP_SECONDS},
    "outbox-deliver": {"task": "events.tasks.outbox_deliver", "schedule": OUTBOX_SWEEP_SECONDS},
    # One-time keys (Idempotency-Key, form submission keys) past IDEMPOTENCY_TTL_HOURS.
    "idempotency-purge-expired": {"task": "idempotency.purge_expired", "schedule": crontab(minute=35)},
    # Dashboard rollups of today and yesterday (evaluation, Art. 11).
    "evaluation-rollups": {"task": "evaluation.rollup_refresh_recent", "schedule": 600.0},
    # Closed evaluation periods freeze once their grace has passed (idempotent; Art. 22).
    # Residents past the retention period after moving out or dying lose their personal data.
    "ledgers-anonymise": {"task": "ledgers.anonymise_due", "schedule": crontab(hour=2, minute=15)},
    # Ledger figures of the grids whose ledgers changed (and every grid after midnight), summed
    # by township and above (ledgers.rollups).
    "ledgers-rollup-refresh": {"task": "ledgers.rollup_refresh", "schedule": crontab(minute="*/15")},
    # Security audit rows past SECURITY_AUDIT_RETENTION_DAYS (>= 180 days).
    "security-purge-expired": {"task": "security.purge_expired", "schedule": crontab(minute=50, hour=3)},
    # Missed emergency check-ins escalate to the township, then the district (emergency.sweep).
    "emergency-sweep": {"task": "emergency.tasks.sweep", "schedule": 60.0},
    "evaluation-freeze-closed-periods": {
        "task": "evaluation.freeze_closed_periods",
        "schedule": crontab(minute=20),
    },
}
# Check-in window of each emergency response level, in minutes (emergency.services.window, Art. 18).
EMERGENCY_CHECKIN_MINUTES = {"IV": 240, "III": 120, "II": 60, "I": 30}
# Residents who moved out of the city or died are anonymised this many days after (ledgers.privacy).
LEDGERS_RETENTION_DAYS = env.int("LEDGERS_RETENTION_DAYS", default=365 * 3)
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
        "integrations.authentication.SessionAuthentication",  # DRF's, its CSRF refusal translated
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
    # DRF's JSON written by orjson (ningbo_grid.renderers); the browsable API as before.
    "DEFAULT_RENDERER_CLASSES": [
        "ningbo_grid.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "ningbo_grid.api.exception_handler",
    # How many proxies in front of gunicorn append to X-Forwarded-For (1 behind the HTTPS
    # proxy of a deployment): rate limits (the API's and the public demand form's) count the
    # address that many entries from the right. 0: REMOTE_ADDR, a client's own header ignored.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
# Rate limits (integrations.throttling), counted in the cache (Redis when REDIS_URL is set).
API_THROTTLE_RATES = {
    "client": env.str("API_RATE_CLIENT", default="1200/min"),
    "user": env.str("API_RATE_USER", default="600/min"),
    "anon": env.str("API_RATE_ANON", default="60/min"),
    "auth_failure": env.str("API_RATE_AUTH_FAILURE", default="30/min"),
}
# Webhooks (integrations.urlcheck): targets on loopback, link-local or private networks
# are refused (SSRF), in DEBUG too, except these host names, addresses or CIDR networks,
# e.g. WEBHOOK_PRIVATE_HOSTS=127.0.0.1,receiver.internal for a local receiver.
WEBHOOK_PRIVATE_HOSTS = env.list("WEBHOOK_PRIVATE_HOSTS", default=[])
# Open311 GeoReport v2 (events.open311): the one jurisdiction this endpoint serves. A request
# may omit `jurisdiction_id` (the spec needs it only where an endpoint serves several);
# any other value is 404.
OPEN311_JURISDICTION_ID = env.str("OPEN311_JURISDICTION_ID", default="ningbo.gov.cn")
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
        # Last: gives every error answer (the ones above included) the `Error` body.
        "ningbo_grid.api.add_error_responses",
    ],
    # Several apps name a choice field `level` or `kind`: one enum name per choice set.
    "ENUM_NAME_OVERRIDES": {
        "TimeUnitEnum": "catalog.choices.TimeUnit",
        "ListLevelEnum": "catalog.choices.ListLevel",
        # Several apps name a field `level` or `kind` with different choices.
        "ResponseLevelEnum": "emergency.choices.ResponseLevel",
        "ResponseStatusEnum": "emergency.choices.ResponseStatus",
        "CheckInStatusEnum": "emergency.choices.CheckInStatus",
        "RecordKindEnum": "emergency.choices.RecordKind",
        "AreaLevelEnum": "grids.choices.Level",
        "OrgKindEnum": "personnel.choices.OrgKind",
        "ItemKindEnum": "catalog.choices.ItemKind",
        "EventStatusEnum": "events.choices.EventStatus",
        "EventSourceEnum": "events.choices.Source",
        "ActionKindEnum": "events.choices.ActionKind",
        "EventLevelEnum": "events.choices.HandlingLevel",
    },
}

# Every record goes through the console handler, whose filter redacts API keys (a key sent
# in a query string must not reach a log; ningbo_grid.logsafe). runserver's request lines
# (`django.server`) go there too instead of Django's own unfiltered handler.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_secrets": {"()": "ningbo_grid.logsafe.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "loggers": {"django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
# Network and application logs kept at least six months (Cybersecurity Law Art. 21; GB/T
# 22239-2019 8.1.4.3 d). With LOG_DIR set, every record also goes to LOG_DIR/platform.log
# and each request's access line (security.middleware.AccessLogMiddleware: address, account,
# method, path without query, status, milliseconds, request id) to LOG_DIR/access.log.
# Files are reopened when moved (WatchedFileHandler: safe with several processes); rotation
# and retention are logrotate's, daily keeping LOG_RETENTION_DAYS (>= 183) days: see
# deploy/logrotate.conf and docs/security-assessment.md.
LOG_DIR = env.str("LOG_DIR", default="")
LOG_RETENTION_DAYS = max(183, env.int("LOG_RETENTION_DAYS", default=190))
LOGGING["loggers"]["security.access"] = {"handlers": [], "level": "INFO", "propagate": False}
if LOG_DIR:
    Path(LOG_DIR).mkdir(parents=True, exist_ok=True)
    for _name in ("platform", "access"):
        LOGGING["handlers"][f"{_name}_file"] = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": str(Path(LOG_DIR) / f"{_name}.log"),
            "encoding": "utf-8",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    LOGGING["root"]["handlers"].append("platform_file")
    LOGGING["loggers"]["django.server"]["handlers"].append("platform_file")
    LOGGING["loggers"]["security.access"]["handlers"].append("access_file")
