"""Django settings: every value comes from the environment (see .env.example)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from shopkeeper.config.env import Env, EnvError

django_stubs_ext.monkeypatch()  # lets admin.ModelAdmin[Model] and friends be subscripted
env = Env()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = Path(env.str("SHOPKEEPER_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)

DEVELOPMENT_SECRET_KEY = "INSECURE-development-key-do-not-deploy-shopkeeper"  # noqa: S105  (refused when DEBUG is off)
SECRET_KEY = env.str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise EnvError("SECRET_KEY", "must be set when DEBUG is off (generate 50+ random characters)")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif len(SECRET_KEY) < 32 and not DEBUG:
    raise EnvError("SECRET_KEY", "too short for production: use at least 32 random characters")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
TESTING = "pytest" in sys.modules or env.bool("SHOPKEEPER_TESTING", default=False)
if TESTING:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "shopkeeper.core",
    "shopkeeper.catalog",
    "shopkeeper.customers",
    "shopkeeper.inventory",
    "shopkeeper.payments",
    "shopkeeper.checkout",
    "shopkeeper.orders",
    "shopkeeper.fulfillment",
    "shopkeeper.aftersales",
    "shopkeeper.promotions",
    "shopkeeper.promotions.coupons",
    "shopkeeper.promotions.flash",
    "shopkeeper.promotions.presale",
    "shopkeeper.promotions.groupbuy",
    "shopkeeper.promotions.lottery",
    "shopkeeper.console",
    "shopkeeper.storefront",
    "shopkeeper.demo",
]

MIDDLEWARE = [
    "shopkeeper.core.middleware.api_error_shape",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shopkeeper.config.urls"
WSGI_APPLICATION = "shopkeeper.config.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shopkeeper.console.context_processors.console",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------
DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shopkeeper.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif TESTING and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The test run's own database only: a commit need not wait for the disk (a crash loses a test run).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and Redis ------------------------------------------------------------------------
REDIS_URL = env.url("REDIS_URL", {"redis", "rediss", "unix"})
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", "sk")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# --- Celery ---------------------------------------------------------------------------------
CELERY_DIR = VAR_DIR / "celery"
CELERY_DIR.mkdir(exist_ok=True)  # beat keeps its schedule here whatever the broker
_explicit_broker = env.url("CELERY_BROKER_URL", {"redis", "rediss", "amqp", "amqps", "filesystem"})
CELERY_BROKER_URL = _explicit_broker or REDIS_URL or "filesystem://"
CELERY_BROKER_IS_EMBEDDED = CELERY_BROKER_URL.startswith("filesystem://")
if CELERY_BROKER_IS_EMBEDDED:
    for sub in ("queue", "processed", "results", "control"):
        (CELERY_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "control_folder": str(CELERY_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_DIR / 'results'}"
    # The filesystem transport has no fan-out exchange for remote control.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", REDIS_URL or "")
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {}

# --- auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
SHOPKEEPER_CURRENCY = "CNY"

# --- static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# --- security when deployed -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 0, minimum=0)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes talk plain http to the app server

# --- Shopkeeper -----------------------------------------------------------------------------
SHOPKEEPER_API_TOKEN_TOUCH_SECONDS = 60
SHOPKEEPER_HEALTH_TIMEOUT_SECONDS = 2
# Only behind a proxy that overwrites X-Forwarded-For may the audit log trust it for the client IP.
SHOPKEEPER_TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
CSRF_FAILURE_VIEW = "shopkeeper.core.views.csrf_failure"

CELERY_BEAT_SCHEDULE["catalog-run-schedules"] = {"task": "catalog.run_schedules", "schedule": 60.0}

# --- payments -------------------------------------------------------------------------------
# SITE_URL: this site's public address; gateways post notifications to SITE_URL/payments/notify/…
# Default: where `shopkeeper run` listens (HOST, PORT), i.e. http://127.0.0.1:8000 for `make run`.
_RUN_HOST = env.str("HOST", "127.0.0.1")
if _RUN_HOST in {"0.0.0.0", "::", "[::]"}:  # noqa: S104  (listening everywhere: call back on loopback)
    _RUN_HOST = "127.0.0.1"
_RUN_PORT = env.str("PORT", "8000")  # `shopkeeper run` itself refuses a bad PORT, with its own message
SITE_URL = env.str("SITE_URL", f"http://{_RUN_HOST}:{_RUN_PORT if _RUN_PORT.isdigit() else '8000'}").rstrip("/")
if urlparse(SITE_URL).scheme not in {"http", "https"} or not urlparse(SITE_URL).hostname:
    raise EnvError("SITE_URL", f"expected http(s)://host[:port], got {SITE_URL!r}")
PAYMENTS_MERCHANT_NAME = env.str("PAYMENTS_MERCHANT_NAME", "Shopkeeper")
# The sandbox gateway (a fake Alipay for development and tests) is on with DEBUG and refused
# without it, unless SANDBOX_GATEWAY_ENABLED=true says otherwise (a staging site, never production).
SANDBOX_GATEWAY_ENABLED = env.bool("SANDBOX_GATEWAY_ENABLED", default=DEBUG)
DEVELOPMENT_SANDBOX_GATEWAY_SECRET = "INSECURE-sandbox-gateway-secret-do-not-deploy"  # noqa: S105
SANDBOX_GATEWAY_SECRET = env.str("SANDBOX_GATEWAY_SECRET") or DEVELOPMENT_SANDBOX_GATEWAY_SECRET
if SANDBOX_GATEWAY_ENABLED and not DEBUG and SANDBOX_GATEWAY_SECRET == DEVELOPMENT_SANDBOX_GATEWAY_SECRET:
    raise EnvError("SANDBOX_GATEWAY_SECRET", "must be set when the sandbox gateway is enabled with DEBUG off")
if SANDBOX_GATEWAY_ENABLED and not DEBUG and len(SANDBOX_GATEWAY_SECRET) < 32:
    raise EnvError("SANDBOX_GATEWAY_SECRET", "too short: use at least 32 random characters")
# Seconds between the sandbox's delivery attempts after each failed one (short: it is a sandbox).
SANDBOX_NOTIFY_RETRY_SECONDS = env.int_list("SANDBOX_NOTIFY_RETRY_SECONDS", [2, 5, 15, 30, 60], minimum=0)
SANDBOX_NOTIFY_TIMEOUT_SECONDS = env.int("SANDBOX_NOTIFY_TIMEOUT_SECONDS", 10, minimum=1)
SANDBOX_REFUND_DELAY_SECONDS = env.int("SANDBOX_REFUND_DELAY_SECONDS", 3, minimum=0)
CELERY_BEAT_SCHEDULE["payments-reconcile"] = {"task": "payments.reconcile_pending", "schedule": 120.0}

# Orders: unpaid orders are cancelled (stock released) after this many minutes.
ORDER_PAYMENT_TIMEOUT_MINUTES = env.int("ORDER_PAYMENT_TIMEOUT_MINUTES", 30, minimum=1)
CELERY_BEAT_SCHEDULE["orders-cancel-overdue"] = {"task": "orders.cancel_overdue", "schedule": 60.0}

# --- fulfillment settings ---
# Hours from payment (or release of a held order) to the dispatch deadline; parcels shipped this
# many days ago and not confirmed count as delivered. The sandbox carrier (development and staging)
# signs its tracking pushes with FULFILMENT_SANDBOX_CARRIER_SECRET, like the sandbox gateway.
FULFILMENT_DISPATCH_HOURS = env.int("FULFILMENT_DISPATCH_HOURS", 48, minimum=1)
# Orders bought through a campaign (flash sale, group buy, presale) or marked priority: the shorter of the two.
FULFILMENT_CAMPAIGN_DISPATCH_HOURS = env.int("FULFILMENT_CAMPAIGN_DISPATCH_HOURS", 24, minimum=1)
FULFILMENT_AUTO_DELIVER_DAYS = env.int("FULFILMENT_AUTO_DELIVER_DAYS", 10, minimum=1)
FULFILMENT_SANDBOX_CARRIER_ENABLED = env.bool("FULFILMENT_SANDBOX_CARRIER_ENABLED", default=DEBUG)
DEVELOPMENT_SANDBOX_CARRIER_SECRET = "INSECURE-sandbox-carrier-secret-do-not-deploy"  # noqa: S105
FULFILMENT_SANDBOX_CARRIER_SECRET = env.str("FULFILMENT_SANDBOX_CARRIER_SECRET") or DEVELOPMENT_SANDBOX_CARRIER_SECRET
if (
    FULFILMENT_SANDBOX_CARRIER_ENABLED
    and not DEBUG
    and FULFILMENT_SANDBOX_CARRIER_SECRET == DEVELOPMENT_SANDBOX_CARRIER_SECRET
):
    raise EnvError("FULFILMENT_SANDBOX_CARRIER_SECRET", "must be set when the sandbox carrier is on with DEBUG off")
FULFILMENT_SANDBOX_TIMEOUT_SECONDS = env.int("FULFILMENT_SANDBOX_TIMEOUT_SECONDS", 10, minimum=1)
CELERY_BEAT_SCHEDULE["fulfillment-auto-deliver"] = {"task": "fulfillment.auto_deliver", "schedule": 3600.0}
# --- aftersales settings ---
# After-sales: days after delivery to apply; hours to review; what an agent may approve alone;
# the largest photo a customer may upload (stored under MEDIA_ROOT, in VAR_DIR).
AFTERSALES_WINDOW_DAYS = env.int("AFTERSALES_WINDOW_DAYS", 7, minimum=0)
AFTERSALES_REVIEW_HOURS = env.int("AFTERSALES_REVIEW_HOURS", 24, minimum=1)
AFTERSALES_AGENT_LIMIT_FEN = env.int("AFTERSALES_AGENT_LIMIT_FEN", 20000, minimum=0)
AFTERSALES_PHOTO_MAX_BYTES = env.int("AFTERSALES_PHOTO_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# --- promotions settings (rules, coupons) ---
# Margin guard: the floor of a promotion, coupon, presale or group buy that names none — this
# many percent over cost (0: never below cost). A promotion waives it with a price floor of 0.
PROMOTIONS_DEFAULT_MIN_MARGIN_PERCENT = env.int("PROMOTIONS_DEFAULT_MIN_MARGIN_PERCENT", 0, minimum=0)
# Promotions: published ones move scheduled → active → ended by their windows every minute.
CELERY_BEAT_SCHEDULE["promotions-advance"] = {"task": "promotions.advance", "schedule": 60.0}
# Coupons: available coupons whose validity ended are marked expired every ten minutes.
CELERY_BEAT_SCHEDULE["coupons-expire"] = {"task": "coupons.expire", "schedule": 600.0}
# --- flash sale settings ---
# Flash sales: attempts per customer and per address in a window (429 past them); the lowest
# margin over cost a flash price may have. The Redis gate is used when REDIS_URL is set.
FLASH_ATTEMPTS_PER_CUSTOMER = env.int("FLASH_ATTEMPTS_PER_CUSTOMER", 5, minimum=1)
FLASH_ATTEMPTS_PER_IP = env.int("FLASH_ATTEMPTS_PER_IP", 300, minimum=1)
FLASH_RATE_WINDOW_SECONDS = env.int("FLASH_RATE_WINDOW_SECONDS", 10, minimum=1)
FLASH_MIN_MARGIN_PERCENT = env.int("FLASH_MIN_MARGIN_PERCENT", 0, minimum=0)
CELERY_BEAT_SCHEDULE["flash-seed-sessions"] = {"task": "flash.seed_sessions", "schedule": 60.0}
# --- presale settings ---
# Presale balance reminders: sent this many hours before the balance window opens and closes.
PRESALE_REMINDER_LEAD_HOURS = env.int("PRESALE_REMINDER_LEAD_HOURS", 24, minimum=1)
CELERY_BEAT_SCHEDULE["presale-send-reminders"] = {"task": "presale.send_reminders", "schedule": 300.0}
# --- group buy and lottery settings ---
# Group buys: groups whose time ran out form or fail (and refund their members) every minute.
CELERY_BEAT_SCHEDULE["groupbuy-expire-due"] = {"task": "groupbuy.expire_due", "schedule": 60.0}
# Lottery draws are seeded with HMAC-SHA256(LOTTERY_SECRET, order number): keep it secret and fixed,
# or past draws can no longer be re-verified. Defaults to SECRET_KEY.
LOTTERY_SECRET = env.str("LOTTERY_SECRET", SECRET_KEY)
