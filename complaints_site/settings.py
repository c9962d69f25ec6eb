"""Settings for the complaint portal, read from environment variables.

Defaults run on one machine (SQLite, console mail, local-memory cache). Set
``DEBUG=false`` plus ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and
``REDIS_URL`` for production. See ``.env.example`` for every variable.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from complaints_site.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Environment variable SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "Complaint Portal")
# One line under the name in the footer and the home page's title. Empty: the built-in line, in the
# visitor's language; set it to use your own words (shown as written, in every language).
SITE_TAGLINE = env_str("SITE_TAGLINE", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",  # full-text search fields; harmless on SQLite
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_countries",
    "django_tasks_db",
    "corsheaders",
    "ninja",
    "core",
    "complaints_site",
    "companies",
    "complaints",
    "api",
]
# The demo stories and the benchmark's data generator (load_demo, generate_data): with DEBUG,
# or where a production-shaped machine is filled for a benchmark (DEV_TOOLS=true).
DEV_TOOLS = env_bool("DEV_TOOLS", DEBUG)
if DEV_TOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "complaints_site.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "api.middleware.ApiConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "complaints_site.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.visitor_cache.MarkWritersFresh",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "complaints_site.middleware.RequireSecondFactorMiddleware",
]

ROOT_URLCONF = "complaints_site.urls"
WSGI_APPLICATION = "complaints_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "complaints_site.context_processors.site",
                "complaints.context_processors.moderation",
                "complaints.context_processors.notifications",
            ],
        },
    },
]
# The header's unread count, put back into each member's copy of a kept page (core.visitor_cache).
UNREAD_BADGE_CONTEXT = "complaints.context_processors.notifications"

# Database: SQLite file by default, PostgreSQL (or anything dj-database-url
# understands) when DATABASE_URL is set. Health checks let the app recover
# from a database restart without restarting its processes.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL,
                conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
                conn_health_checks=True,
            )
        }
    except ValueError as error:
        raise ImproperlyConfigured(f"Environment variable DATABASE_URL is not valid: {error}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / env_str("SQLITE_FILE", "db.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
    # SQLite makes the covering index without its extra columns, which only PostgreSQL reads.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared Redis in production so rate-limit counters are the same in
# every worker process; local memory on one machine.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Redis down: pages are served without it, rate-limited writes are refused (core/cache.py).
    # Short timeouts, so that a Redis that does not answer costs each request half a second at most.
    CACHES = {"default": {
        "BACKEND": "core.cache.ResilientRedisCache", "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}
    # Sessions read from the shared cache, written through to the database:
    # a signed-in page saves a query and nobody is signed out if Redis restarts.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public pages are kept this long for visitors who are not signed in
# (core/visitor_cache.py); 0 turns that off.
VISITOR_CACHE_SECONDS = env_int("VISITOR_CACHE_SECONDS", 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth 65): e-mail only, confirmed before anything can be
# filed, no hint whether an address is registered, built-in rate limits on.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Several addresses per account (a work address for representing a company
# is added beside the personal one); changing e-mail = add, make primary, remove.
ACCOUNT_CHANGE_EMAIL = False
# Changing e-mail addresses asks for the password again after five minutes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 5
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Mails name the site by SITE_NAME and SITE_URL (complaints_site/accounts.py).
ACCOUNT_ADAPTER = "complaints_site.accounts.AccountAdapter"
# allauth's defaults stay (login, signup, password reset...); our own actions are
# added beside them and counted by the same limiter (core/abuse.py): in the
# cache, per member ("user") and per client address ("ip"), per hour or day.
ACCOUNT_RATE_LIMITS = {
    "file_complaint": "5/h/user,20/h/ip",  # a new draft (complaints:new)
    "submit_complaint": "5/h/user,20/h/ip",  # sending a draft (complaints:submit)
    "post_message": "30/h/user,120/h/ip",  # the thread (author and company)
    "comment": "20/h/user,60/h/ip",
    "flag": "20/h/user,60/h/ip",
    "me_too": "60/h/user,200/h/ip",
    "represent": "5/d/user,20/d/ip",  # representation requests
    # The public API and open-data downloads, per client address (api/)
    "api_read": env_str("API_READ_RATE", "600/m/ip"),
    "open_data": env_str("OPEN_DATA_RATE", "30/h/ip"),
    # Company API writes, per token (api/company_api.py); its messages also count as post_message
    "api_write": env_str("API_WRITE_RATE", "120/m/key"),
}
# A second factor (allauth's MFA: authenticator app plus recovery codes) for any
# account; with REQUIRE_MFA_FOR_STAFF on, moderators and company representatives
# must set one up before they can act.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
REQUIRE_MFA_FOR_STAFF = env_bool("REQUIRE_MFA_FOR_STAFF", False)
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Public forms (complaint, comment) sent sooner than this after being shown are refused as automated.
FORM_MIN_FILL_SECONDS = env_int("FORM_MIN_FILL_SECONDS", 3)
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("de", _("German")),
    ("sv", _("Swedish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Evidence is private until a complaint is public and is only ever served
# through a view that checks access and sets safe headers; it is never inside
# the static root and has no MEDIA_URL of its own.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# With S3_BUCKET set, evidence goes to S3-compatible object storage instead of the local disk,
# so that any web machine serves a file another one received. The bucket stays private: files
# are read through the storage by the evidence view after its permission check, never linked.
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
        "region_name": env_str("S3_REGION") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID") or None,  # else boto3's own chain (instance role, ...)
        "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
        "location": env_str("S3_PREFIX"),
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Mail: files in EMAIL_FILE_PATH when set (readable by a person or a test),
# SMTP when EMAIL_HOST is set or in production, the console otherwise.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Complaint Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# (Django 6.1 refuses the old EMAIL_* setting names beside MAILERS.)
_email_file_path = env_str("EMAIL_FILE_PATH")
_email_host = env_str("EMAIL_HOST")
if _email_file_path:
    _mailer = {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "OPTIONS": {"file_path": _email_file_path}}
elif _email_host or not DEBUG:
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host or "localhost",
            "port": env_int("EMAIL_PORT", 587 if env_bool("EMAIL_USE_TLS", False) else 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": 10,
        },
    }
else:
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
MAILERS = {"default": _mailer}

# Background work goes through Django's task framework. "database" keeps tasks in
# the database (django-tasks-db) for `manage.py run_worker` processes to claim with
# SKIP LOCKED, so nothing slow or fallible (mail, scorecards) runs in a request and
# nothing is lost when a worker or the mail server stops. "immediate" runs each task
# at once, in the process that enqueued it: the simple default for one machine.
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate" if DEBUG else "database")
if TASKS_BACKEND not in ("immediate", "database"):
    raise ImproperlyConfigured("Environment variable TASKS_BACKEND must be immediate or database.")
TASKS = {"default": {"BACKEND": {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}[TASKS_BACKEND]}}
# A failing task runs again after TASK_RETRY_SECONDS, then twice as long each time (at most an
# hour between tries), TASK_MAX_ATTEMPTS times in all; then it stays "failed" in the admin.
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 8)
TASK_RETRY_SECONDS = env_int("TASK_RETRY_SECONDS", 10)
# Workers say they are alive this often; a task whose worker has been silent for three
# beats is run again by another worker.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 5)
# A change to a company queues a refresh of its scorecard this many seconds later; the changes
# made meanwhile join it (one refresh for a burst, not one per change).
SCORECARD_REFRESH_DELAY = env_int("SCORECARD_REFRESH_DELAY", 2)
# Time-driven work, queued by `manage.py run_scheduler` (complaints_site/scheduler.py):
# (name, task, "daily HH:MM" in TIME_ZONE or "every N minutes").
SCHEDULED_JOBS = [
    ("close_stale_complaints", "complaints.jobs.close_stale_complaints", "daily 03:00"),
    ("purge_redactions", "complaints.jobs.purge_redactions", "daily 03:10"),
    ("forget_old_notifications", "complaints.services.notifications.forget_old_notifications", "daily 03:20"),
    ("send_digests", "complaints.services.notifications.send_digests", "daily 07:00"),
    ("remind_unanswered", "complaints.services.reminders.remind_unanswered", "every 60 minutes"),
    ("send_company_digests", "complaints.services.company_contact.send_company_digests", "every 30 minutes"),
    ("ask_authors_if_resolved", "complaints.services.reminders.ask_authors_if_resolved", "daily 10:00"),
    ("send_weekly_summaries", "complaints.services.reminders.send_weekly_summaries", "daily 06:30"),
    ("recompute_scorecards", "complaints.services.scorecards.recompute_all_task", "daily 04:00"),
    ("prune_task_results", "complaints_site.jobs.prune_task_results", "daily 04:30"),
    ("export_open_data", "api.exports.export_open_data", "daily 02:30"),
    ("retry_webhooks", "api.webhooks.retry_due_deliveries", "every 1 minutes"),
]
# Public reads (the API and open data) may be made from any web page (django-cors-headers);
# the company API is for servers and answers no browser from elsewhere.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/v1/(?!company/)|open-data/).*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After"]
# Company webhooks (api/webhooks.py): an endpoint is disabled after this many failed attempts
# in a row; a failed delivery is tried again after each of these delays, then given up.
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 15)
WEBHOOK_RETRY_SECONDS = [60, 300, 1800, 7200, 21600]
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# Only for tests and development: endpoints on private or loopback addresses, and the CA
# file that trusts a test receiver's certificate. Never set in production.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOK_CA_FILE = env_str("WEBHOOK_CA_FILE") or None
# The nightly open-data files are kept in the default storage under this folder.
OPEN_DATA_FOLDER = "open-data"
SCHEDULER_TICK_SECONDS = env_int("SCHEDULER_TICK_SECONDS", 30)

# Security headers. CSP everywhere, also in development, so pages are built
# against the policy they will meet in production.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True  # no script reads it
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preload asks browsers never to try plain HTTP; turn off for a domain that may drop HTTPS.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Request size limits: oversized bodies and field floods get a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Evidence limits for a complaint.
EVIDENCE_MAX_FILES = 5
MESSAGE_MAX_FILES = 3  # files attached to one message in the thread, checked like evidence
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_PIXELS = 40_000_000

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "complaints_site.logging.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s request=%(request_id)s task=%(task)s "
                         "path=%(path)s user=%(user_id)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_context"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own console handler would print every record a second time.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},  # one line per task run is noise with the immediate backend
    },
}

MODERATORS_GROUP = "moderators"
# Addresses at these domains never prove that someone works for a company.
FREE_MAIL_DOMAINS = env_list(
    "FREE_MAIL_DOMAINS",
    ["gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com",
     "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "web.de", "t-online.de",
     "mail.ru", "yandex.ru", "ya.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru", "hotmail.se"],
)
ADMIN_URL = env_str("ADMIN_URL", "admin/")

# Complaint lifecycle (DESIGN.md): the author may evaluate an unanswered
# complaint after N days; an answered one closes after M days without an
# evaluation; an evaluation can be changed once within this many days.
COMPLAINT_ANSWER_DAYS = env_int("COMPLAINT_ANSWER_DAYS", 14, minimum=1)
COMPLAINT_CLOSE_DAYS = env_int("COMPLAINT_CLOSE_DAYS", 60, minimum=1)
EVALUATION_CHANGE_DAYS = 30
# A complaint without a first answer after this many days is overdue in the inbox.
ANSWER_OVERDUE_DAYS = 7
# The portal's own address, for links in e-mails (never taken from the request's Host).
# In development it follows the port `make run` serves on (PORT), so links work there.
SITE_URL = (env_str("SITE_URL") or f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}").rstrip("/")

# Moderation (issue: moderation and trust).
# Which complaints wait for a moderator: "first" (a member's first complaint),
# "personal_data" (stories that look like they hold personal data), both
# ("first,personal_data"), "all" or "none".
PREMODERATION = set(env_list("PREMODERATION", ["first", "personal_data"]))
if not PREMODERATION <= {"first", "personal_data", "all", "none"}:
    raise ImproperlyConfigured(
        "Environment variable PREMODERATION must list first, personal_data, all or none."
    )
# This many personal-data flags from different people hold an item's text until a moderator looks.
PERSONAL_DATA_FLAGS_TO_HOLD = env_int("PERSONAL_DATA_FLAGS_TO_HOLD", 3, minimum=1)
REDACTION_KEEP_DAYS = 30
COMPLAINT_EDIT_HOURS = 24
MESSAGE_EDIT_MINUTES = 15
