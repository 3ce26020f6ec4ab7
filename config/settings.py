"""Settings for the CRM: one module, driven by environment variables.

With nothing set, the app runs in development on SQLite with Celery tasks run
eagerly. Production differs only by the environment (see README.md).
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
import django.forms
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105  (refused when DEBUG is off)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

COMPANY_NAME = os.environ.get("COMPANY_NAME", "华工装备集团有限公司")
# Where printed forms' cut-down CJK faces are kept (forms_toolkit/print_fonts.py): a folder this app may write.
PRINT_FONT_DIR = os.environ.get("PRINT_FONT_DIR") or BASE_DIR / ".cache" / "print-fonts"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram similarity for duplicate customers (a no-op on SQLite)
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "core",
    "accounts",
    "customers",
    "contacts",
    "pipeline",
    "forms_toolkit",
    "attachments",
    "forecasting",
    "notifications",
    "agenda",
    "imports",
    "demo",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "django.template.context_processors.i18n",
                "core.context_processors.site",
            ],
        },
    },
    {
        # <app>/jinja2/: the hottest per-user fragments (core.jinja_env says why)
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        # ours first (core/jinja2 overrides Django's select.html), then Django's own widget templates
        "DIRS": [BASE_DIR / "core" / "jinja2", Path(django.forms.__file__).parent / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "core.jinja_env.environment"},
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The board's covering indexes INCLUDE amount and probability on PostgreSQL; SQLite builds them without.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
# django-axes first: a locked-out username+IP is refused before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.TeamAwareModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
# Uploaded files go through Django's storage API: this folder by default, or any S3-compatible store
# (MinIO, Alibaba OSS, Tencent COS, AWS) with FILE_STORAGE=s3 and the bucket's settings
# (django-storages). They are never served from MEDIA_URL: attachments.views checks who may read them.
if os.environ.get("FILE_STORAGE") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("S3_SECRET_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Attachments: the largest file taken (default 20 MB) and the kinds (office documents, PDF, images).
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_MB", "20")) * 1024 * 1024
ATTACHMENT_SUFFIXES = os.environ.get(
    "ATTACHMENT_SUFFIXES", ".pdf .jpg .jpeg .png .gif .webp .heic .heif .doc .docx .xls .xlsx .ppt .pptx .odt .ods .odp"
).split()
# A request may carry a few full-size files at once; each one over 2.5 MB is spooled to a temporary
# file, never held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# A visit's check-in (拜访签到) is tied to the F05 report saved by the same person within this many hours.
CHECKIN_LINK_HOURS = int(os.environ.get("CHECKIN_LINK_HOURS", "12"))
# How alike two customers' names (legal forms removed) must be to warn of a duplicate: trigram
# similarity, 0–1. Chinese names are short: one character of six changed is about 0.4.
CUSTOMER_SIMILARITY = float(os.environ.get("CUSTOMER_SIMILARITY", "0.4"))

# Django's widget templates, the plainest widgets written in Python (core/renderers.py).
FORM_RENDERER = "core.renderers.JinjaTemplates"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: with no broker configured, tasks run eagerly in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "crm")
# A task taken by a worker that then dies (kill -9, a lost machine) is handed out again once it has
# gone unacknowledged this long: Redis' default is an hour. It must stay above the longest task (the
# daily full roll-up, about a minute at the reference scale), which the hard time limit guarantees.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_TIME_LIMIT = max(1, CELERY_VISIBILITY_TIMEOUT - 60) if CELERY_VISIBILITY_TIMEOUT > 120 else None
# The beat schedule: deal control's full roll-up every FORECAST_ROLLUP_MINUTES (project changes refresh their own rows).
FORECAST_ROLLUP_MINUTES = float(os.environ.get("FORECAST_ROLLUP_MINUTES", "15"))
CELERY_BEAT_SCHEDULE = {
    "deal-control-rollup": {"task": "forecasting.rollup_all", "schedule": FORECAST_ROLLUP_MINUTES * 60},
    # Once a day everything, history included, and a fresh win-probability model.
    "deal-control-full": {"task": "forecasting.rollup_all", "schedule": 24 * 3600, "kwargs": {"full": True}},
    # Once a day the win model's forward backtest, which picks the tuning the model is refitted with.
    "deal-control-backtest": {"task": "forecasting.backtest", "schedule": 24 * 3600},
    # Every morning at 08:00 (TIME_ZONE) each person's tasks due tomorrow or overdue, in one message.
    "task-digest": {"task": "notifications.task_digest", "schedule": crontab(hour=8, minute=0)},
    # Notifications whose send failed and whose retry was lost with its worker, or never queued.
    "notifications-send-due": {"task": "notifications.send_due", "schedule": 300},
}

# Notifications. SITE_URL is the address links in emails and robot messages point to.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
# Email over SMTP when EMAIL_HOST is set (EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS or EMAIL_USE_SSL, EMAIL_TIMEOUT). Without it, development prints messages on the
# console and production sends none (the email channel is off; the bell and robots still work).
MAILERS: dict[str, dict[str, Any]] = {}
if os.environ.get("EMAIL_HOST"):
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ["EMAIL_HOST"],
            "port": int(os.environ.get("EMAIL_PORT") or 0) or None,
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "20")),
        },
    }
elif DEBUG:
    MAILERS["default"] = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
else:
    SILENCED_SYSTEM_CHECKS.append("mail.W001")  # no mailer is the choice: nothing here sends without one
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "crm@localhost")
EMAIL_MESSAGE_DOMAIN = DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
# Robots' webhooks are taken only on these hosts (the three platforms'), so a webhook can never be
# pointed at a machine inside the company network.
NOTIFY_ROBOT_HOSTS = env_list(
    "NOTIFY_ROBOT_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com,open.feishu.cn,open.larksuite.com"
)
NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", "10"))
# A send claimed by a worker that died is taken up again after this long: above both timeouts.
NOTIFY_SEND_LEASE_SECONDS = int(os.environ.get("NOTIFY_SEND_LEASE_SECONDS", "60"))
NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", "30"))
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8"))

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# F04 客户综合评估: the lowest weighted total (0–100) for each grade, best first; below the last is D.
FORMS_F04_GRADE_THRESHOLDS = [("A", 85), ("B", 70), ("C", 55)]

# Login protection (django-axes): a username from one address is locked after AXES_FAILURE_LIMIT
# wrong passwords in a row for AXES_COOLOFF_MINUTES, on the login page and /admin/ alike; admins
# unlock under 访问尝试 in the admin. Every failure and every login is kept (访问失败, 访问日志).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache and written through to the database: no session query per request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# CACHE_URL (Redis, a database of its own: not the broker's) shares sessions and the cached stage
# catalog between processes; without it each process keeps its own in memory. Keys are prefixed with
# the database's name (or CACHE_KEY_PREFIX), so two installations sharing a Redis never read each
# other's cached teams, catalog or sessions.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX") or f"crm:{DATABASES['default']['NAME']}"
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "crm"}
    )
}
# Content-Security-Policy: scripts, styles, fonts and images from this site only, nothing inline
# (every behaviour is in static/js, every style in a stylesheet); no framing, no plugins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# Geolocation for this site only: a visit report's check-in (拜访签到) asks where the rep is.
PERMISSIONS_POLICY = "geolocation=(self), " + ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Off only for a plain-HTTP load test on localhost (bench/locustfile.py); never in production.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; the attempts and logins are kept in the database instead.
    "loggers": {"axes": {"level": "WARNING"}},
}
