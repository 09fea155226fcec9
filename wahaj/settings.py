"""Wahaj settings: one module, every value from the environment (SPEC §10).

Development runs with no server at all (SQLite, a file-system Celery broker, a database cache);
setting DATABASE_URL and REDIS_URL moves the same code onto PostgreSQL and Redis.
Production (DEBUG off) refuses to start without SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # runtime files of a development install: SQLite, broker, media

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for a development machine)."
        )
    SECRET_KEY = "development-only-insecure-key"  # noqa: S105 - only reachable with DEBUG on

# Field encryption at rest (wahaj/lib/crypto.py, README "Data at rest"): Fernet keys newest
# first, and the HMAC key of the lookup hashes. A development install without them gets its
# own, generated once into var/field-keys.env (make run); production refuses to start.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
FIELD_HASH_KEY = env.str("FIELD_HASH_KEY", default="")
if not (FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY are not set. Set both environment "
            "variables (README, 'Data at rest') or DEBUG=1 for a development machine."
        )
    from wahaj.lib.crypto import development_keys

    _keys, _hash_key = development_keys(VAR_DIR / "field-keys.env")
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or _keys
    FIELD_HASH_KEY = FIELD_HASH_KEY or _hash_key
try:
    from wahaj.lib.crypto import keys_check

    keys_check(FIELD_ENCRYPTION_KEYS, FIELD_HASH_KEY)
except ValueError as _error:
    raise ImproperlyConfigured(str(_error)) from None

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django
    # django.contrib.admin on a site that audits every write (issue 15)
    "audit.admin_config.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third-party
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_filters",
    "phonenumber_field",
    "simple_history",
    "pgtrigger",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI from our own static files, never a CDN
    # local
    "wahaj",
    "audit",
    "accounts",
    "notifications",
    "beneficiaries",
    "requests_app",
    "programs",
    "committee",
    "surveys",
    "portal",
    "reports",
    "privacy",
    "feedback",
    "outreach",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wahaj.middleware.SessionIdleMiddleware",
    # Arabic whatever the browser says, English when she chose it (the cookie).
    "wahaj.middleware.ArabicFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wahaj.middleware.NoStoreMiddleware",
    "wahaj.middleware.DatabaseUnavailableMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After the view: who opened which page of a beneficiary's data (privacy/access_log.py).
    "privacy.access_log.PersonalDataAccessLogMiddleware",
    # Axes last: it must see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wahaj.urls"
WSGI_APPLICATION = "wahaj.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

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
                "accounts.context_processors.roles",
                "wahaj.context_processors.site",
            ],
            "builtins": ["wahaj.templatetags.wahaj"],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A new PostgreSQL connection per request costs more than the whole page (NOTES.md):
    # keep connections, and check them before reuse so a restarted server is survived.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # web, worker and beat share one SQLite file in development: wait for locks, take the
    # write lock at BEGIN (no upgrade deadlocks) and let readers work beside one writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="wahaj"),
            # Short: every cache call is local and sub-millisecond, and a page must not hang on
            # a frozen Redis (the rate limiter then answers 503, the dashboard computes).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Shared by every process of a development install (rate limits must be), no server needed.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "wahaj_cache",
        }
    }

# --- Celery (read by wahaj/celery.py with the CELERY_ namespace) -----------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Tasks are acknowledged when they start (CELERY_TASK_ACKS_LATE below), so only a task
        # a worker had prefetched but not started is unacknowledged; Redis hands it out again
        # after this long. Its work is never waiting on that: outbox rows are re-published by
        # the recovery tick within NOTIFICATIONS_RECOVERY_SECONDS, sweeps run again by beat.
        "visibility_timeout": 600,
        # A page publishes after its commit and must not hang on a frozen Redis (one that
        # accepts connections and never answers): half a second, then the row waits in the
        # outbox. Every command is local and sub-millisecond; the worker's BRPOP is read by
        # its event loop when the answer is there, so this does not bound its wait.
        "socket_connect_timeout": 0.5,
        "socket_timeout": 0.5,
        "max_retries": 1,
        # ...and retried at once, not after kombu's default 2 s pause: a page that publishes
        # while Redis is down answers in milliseconds, its messages wait in the outbox.
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # The broadcast (control) table too, not a `control/` folder in the working directory.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request publishing a task must not hang on a dead broker: two quick retries at most
# (the outbox's own publish does not retry at all: its rows wait for the recovery job).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Acknowledged when a task starts, deliberately. Every task here is driven by state kept in
# the database: outbox rows (claimed with a lease, re-published by the recovery tick), sweeps
# that beat runs again. A late acknowledgement would add nothing but a second run of a task
# whose worker died — up to visibility_timeout later, and for a send possibly a second SMS.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_IGNORE_RESULT = True
# One queue unless told otherwise; a test's worker and its embedded beat use a queue of their own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Worker and beat log through LOGGING below (same format, time zone and personal-data filter as
# the web); what a task prints (the console SMS/e-mail backends) is an INFO line, not WARNING.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"

# --- Authentication --------------------------------------------------------------------------
# Argon2 at 19 MiB per hash (accounts/hashers.py): 8 log-ins at once (2 workers x 4 threads)
# need 152 MiB at worst, not Django's 8 x 100 MiB. Older hashes are upgraded at log-in.
PASSWORD_HASHERS = [
    "accounts.hashers.WahajArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lock out 5 failures within the cool-off, per username *and* address: one attacker must not
# lock out a whole office behind one address (NOTES.md, axes.W006).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Across usernames, an address may fail 20 log-ins in 10 minutes; the 21st attempt is refused
# before its password is hashed (accounts/throttle.py).
LOGIN_FAILURES_PER_ADDRESS = env.str("LOGIN_FAILURES_PER_ADDRESS", default="20/10m")
# Behind a reverse proxy, name how many proxies add X-Forwarded-For (0: trust no header).
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    if env.int("PROXY_COUNT", default=0)
    else ["REMOTE_ADDR"]
)

# Managers (and /admin/) need a second factor: TOTP through django-otp (accounts/two_factor.py).
OTP_TOTP_ISSUER = "Wahaj"

# The trail enforced by PostgreSQL (issue 19): django-pgtrigger's triggers on audit's Event and
# beneficiaries' FileAccess are (re)installed after every `migrate` rather than written into
# those apps' migrations, so declaring them touches no app's migration history; on SQLite
# pgtrigger installs nothing. `manage.py pgtrigger ls` shows their state.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True

# Staff sessions expire after 30 minutes idle.
SESSION_COOKIE_AGE = 30 * 60
# Renewed on activity at most once a minute (wahaj.middleware.SessionIdleMiddleware), not
# written on every page as SESSION_SAVE_EVERY_REQUEST would.
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health probes are answered over plain HTTP by the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

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
    }
}

# --- Internationalisation: Arabic first ------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ar")
LANGUAGES = [("ar", "العربية"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Arabic separators as the `number` filter writes them: "1,200.50", never "1.200,50".
FORMAT_MODULE_PATH = ["wahaj.formats"]
# The language switch is remembered for a year, not only until the browser closes.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# Read by the server only (no script reads it), over HTTPS only in production.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Riyadh")
# The manager dashboard's figures are recomputed at most this often (0: on every view).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)
CELERY_TIMEZONE = TIME_ZONE  # beat's crontab hours are Riyadh's (retention at 02:30)
USE_I18N = True
USE_TZ = True
# Digits of dates, amounts and counts on Arabic pages: "latin" (0-9) or "arabic" (٠-٩).
# Identifiers people type or copy (IDs, phones, IBANs, references) always stay Latin.
DISPLAY_DIGITS = env.str("DISPLAY_DIGITS", default="latin")
if DISPLAY_DIGITS not in ("latin", "arabic"):
    raise ImproperlyConfigured("DISPLAY_DIGITS must be 'latin' or 'arabic'.")

# --- Static and private media ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development and tests serve straight from the finders (no collectstatic step); production
# serves STATIC_ROOT, whose compressed copies the finders would hide.
WHITENOISE_USE_FINDERS = DEBUG
# Documents of beneficiaries are never public: no MEDIA_URL; a permission-checked view serves them.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private-media")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
# `make backup` encrypts the database and the documents with this key (privacy/backup.py): 32
# random bytes in urlsafe base64, kept apart from the backups and never a field-encryption key.
BACKUP_ENCRYPTION_KEY = env.str("BACKUP_ENCRYPTION_KEY", default="")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    # Production serves what `collectstatic` wrote (`make run` runs it): names with a content
    # hash (cached for a year) and gzip/brotli copies that whitenoise sends to browsers that
    # accept them. Development and tests serve the source files as they are.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Forms -----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PHONENUMBER_DEFAULT_REGION = "SA"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "E164"

# --- E-mail and SMS --------------------------------------------------------------------------
# Development prints e-mails with digits hidden and addresses shortened (codes stay out of logs).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="notifications.backends.email.ConsoleEmailBackend")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds; a send stays inside its lease
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="wahaj@localhost")
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.backends.sms.ConsoleBackend")
# The gateway adapters (Unifonic, Taqnyat, Msegat): endpoint (default: the gateway's own),
# account, key (AppSid / bearer token / API key), sender name, HTTP timeout.
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_USERNAME = env.str("SMS_GATEWAY_USERNAME", default="")
SMS_GATEWAY_KEY = env.str("SMS_GATEWAY_KEY", default="")
SMS_SENDER_ID = env.str("SMS_SENDER_ID", default="Wahaj")
SMS_GATEWAY_TIMEOUT = env.int("SMS_GATEWAY_TIMEOUT", default=10)
# RecordingBackend also appends here (JSON lines) so a test can see what a worker sent.
SMS_RECORDING_PATH = env.str("SMS_RECORDING_PATH", default="")
# The outbox: retries with capped exponential back-off, then `failed`.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=1800)
# Recovery (issue 24): beat's recovery tick runs every NOTIFICATIONS_RECOVERY_SECONDS; it
# publishes due rows nobody published and re-publishes rows published this long ago and still
# `queued`; a `sending` row's claim is a lease of NOTIFICATIONS_SENDING_STALE_SECONDS (longer
# than one send may last: SMS_GATEWAY_TIMEOUT, the send task's 28 s limit), after which the
# gateway is asked what became of it. Together: back within a minute of a worker or Redis.
NOTIFICATIONS_RECOVERY_SECONDS = env.int("NOTIFICATIONS_RECOVERY_SECONDS", default=15)
NOTIFICATIONS_QUEUED_STALE_SECONDS = env.int("NOTIFICATIONS_QUEUED_STALE_SECONDS", default=30)
NOTIFICATIONS_SENDING_STALE_SECONDS = env.int("NOTIFICATIONS_SENDING_STALE_SECONDS", default=30)

# --- The decision window (policy step 5) -----------------------------------------------------
DECISION_WINDOW_DAYS = env.int("DECISION_WINDOW_DAYS", default=14)
DECISION_REMINDER_DAYS = [
    int(d) for d in env.list("DECISION_REMINDER_DAYS", default=["7", "3", "1"])
]

# --- Reaching her before she asks (outreach/, issue 20) ----------------------------------------
# A file not reviewed (research report, verified document) for this many months gets a
# reassessment task; she is told this many days before a document a request needs expires.
REASSESSMENT_MONTHS = env.int("REASSESSMENT_MONTHS", default=12)
OUTREACH_DOCUMENT_NOTICE_DAYS = env.int("OUTREACH_DOCUMENT_NOTICE_DAYS", default=30)

# --- Tickets: inquiries, complaints, suggestions, thanks (feedback/, issue 20) ----------------
# Days to answer, by type: FEEDBACK_ANSWER_DAYS="inquiry=3,complaint=7,suggestion=14,thanks=14".
FEEDBACK_ANSWER_DAYS = {
    kind: int(days)
    for kind, days in env.dict(
        "FEEDBACK_ANSWER_DAYS",
        default={"inquiry": "3", "complaint": "7", "suggestion": "14", "thanks": "14"},
    ).items()
}
# The assignee is reminded once when this many days are left (0: no reminder).
FEEDBACK_REMINDER_DAYS = env.int("FEEDBACK_REMINDER_DAYS", default=1)

# --- PDPL retention (manage.py apply_retention) -------------------------------------------------
# Years after her last case closed before her file is anonymised (unless a legal hold is set).
RETENTION_YEARS = env.int("RETENTION_YEARS", default=10)

ASSOCIATION_NAME = env.str("ASSOCIATION_NAME", default="جمعية وهج النسائية الخيرية")

# --- Satisfaction surveys (SPEC §7) ----------------------------------------------------------
# The address links in messages start with (an SMS has no request to build it from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SURVEY_TOKEN_VALID_DAYS = env.int("SURVEY_TOKEN_VALID_DAYS", default=30)
# Hours after delivery / rejection before the invitation may be sent: the outbox holds it, so
# she reads the delivery (or decision) message first, not the invitation in the same second.
# 0 sends both at once, the invitation possibly first.
SURVEY_INVITATION_DELAY_HOURS = env.int("SURVEY_INVITATION_DELAY_HOURS", default=2)
# Her file's documents: at most this many and this many megabytes (beneficiaries.services).
DOCUMENT_QUOTA_COUNT = env.int("DOCUMENT_QUOTA_COUNT", default=40)
DOCUMENT_QUOTA_MB = env.int("DOCUMENT_QUOTA_MB", default=100)

# --- Logging: to the console, never personal data --------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The offset on every line: web, worker and beat all log in TIME_ZONE (Django sets the
    # process's TZ; the Procfile gives gunicorn's master the same).
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S %z",
        }
    },
    "filters": {"personal_data": {"()": "wahaj.lib.logging.PersonalDataFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Error reports hide identifier fields (national ID, codes, passwords...) on every view.
DEFAULT_EXCEPTION_REPORTER_FILTER = "wahaj.lib.error_reports.PersonalDataExceptionReporterFilter"

# --- Rate limits of the public pages (django-ratelimit, on the shared cache) ---------------------
# Off only for `make bench`, which measures the pages themselves from one address.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)

# --- The REST API (api/) --------------------------------------------------------------------
# Every endpoint names its roles (api.permissions); nothing is open by default.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "api.authentication.StaffSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasRole"],
    # Per token here; per address before authentication (api.throttles.AddressFirst).
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.TokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Wahaj API",
    "DESCRIPTION": "Staff apps, partners and the SMS gateway: the same rules as the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# A token works this many days after it is issued (a manager issues a new one, shown once).
API_TOKEN_VALID_DAYS = env.int("API_TOKEN_VALID_DAYS", default=90)
# DRF throttles on the shared cache: per token (or staff session) and per address.
API_RATE_PER_TOKEN = env.str("API_RATE_PER_TOKEN", default="120/min")
API_RATE_PER_ADDRESS = env.str("API_RATE_PER_ADDRESS", default="300/min")
# The SMS gateways' delivery receipts (/api/v1/gateways/<name>/receipts/): one shared secret per
# gateway, e.g. "unifonic=…,taqnyat=…". A gateway without a secret is refused.
SMS_RECEIPT_SECRETS = env.dict("SMS_RECEIPT_SECRETS", default={})

# --- Demo data -------------------------------------------------------------------------------
WAHAJ_DEMO_PASSWORD = env.str("WAHAJ_DEMO_PASSWORD", default="")
