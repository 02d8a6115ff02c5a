"""Settings for every environment.

Everything comes from environment variables with working defaults: with no
variables set, the site runs on the *embedded defaults* (SQLite in WAL mode,
media on the local disk, the database search backend, a local task worker).
Each production component is switched on by its own variable; see README.
"""

from pathlib import Path

import dj_database_url

from .env import env_bool, env_int, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
# Runtime state of the embedded defaults (database, media, logs) lives here.
VAR_DIR = Path(env_str("WEIKE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("WEIKE_DEBUG", False)
# A fixed key is only acceptable for local development; production sets its own.
SECRET_KEY = env_str("WEIKE_SECRET_KEY", "dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env_list("WEIKE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("WEIKE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "catalog",
    "ingest",
    "media_pipeline",
    "search",
    "weike",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "weike.urls"
WSGI_APPLICATION = "weike.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# Embedded default: SQLite in WAL mode, so the web process and the local worker
# can read while the other writes. DATABASE_URL switches to PostgreSQL.
SQLITE_PATH = VAR_DIR / "weike.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Language and time ------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STATICFILES_DIRS = (
    [BASE_DIR / "frontend" / "dist"]
    if (BASE_DIR / "frontend" / "dist").is_dir()
    else []
)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("WEIKE_MEDIA_ROOT", str(VAR_DIR / "media")))

# Storage: local disk by default; WEIKE_S3_BUCKET switches originals and
# renditions to an S3-compatible service (MinIO, Ceph, OSS, COS, AWS).
S3_BUCKET = env_str("WEIKE_S3_BUCKET", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("WEIKE_S3_ENDPOINT_URL") or None,
            "region_name": env_str("WEIKE_S3_REGION") or None,
            "access_key": env_str("WEIKE_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("WEIKE_S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": env_str("WEIKE_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            # Originals are private: every URL handed out is signed and short-lived.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("WEIKE_S3_URL_EXPIRES", 900),
            "file_overwrite": False,
        },
    }

# --- Search -------------------------------------------------------------------
# Embedded default: the database backend with Chinese segmentation (search app).
# WEIKE_SEARCH_URL points at Elasticsearch/OpenSearch; see docs/search.md.
SEARCH_URL = env_str("WEIKE_SEARCH_URL", "")
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}

# --- Background tasks ----------------------------------------------------------
# Every job is a django-tasks task. Embedded default: the database queue and the
# local `db_worker` that `make run` starts. WEIKE_BROKER_URL (redis://…) sends
# the same tasks through Celery so workers can run on other machines.
BROKER_URL = env_str("WEIKE_BROKER_URL", "")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Wagtail ------------------------------------------------------------------
WAGTAIL_SITE_NAME = env_str("WEIKE_SITE_NAME", "微课联盟资源库")
WAGTAILADMIN_BASE_URL = env_str("WEIKE_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = [
    "doc",
    "docx",
    "ppt",
    "pptx",
    "pdf",
    "xls",
    "xlsx",
    "txt",
    "zip",
    "odt",
    "odp",
    "ods",
    "key",
    "png",
    "jpg",
]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 200 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
WAGTAIL_ENABLE_UPDATE_CHECK = False

LOGIN_URL = "wagtailadmin_login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

EMAIL_BACKEND = env_str(
    "WEIKE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("WEIKE_FROM_EMAIL", "weike@localhost")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    }
}
if env_str("WEIKE_CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("WEIKE_CACHE_URL"),
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("WEIKE_LOG_LEVEL", "INFO")},
    # One line per task state change drowns everything else out.
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
