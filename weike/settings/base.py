"""Settings for every environment.

Everything comes from environment variables with working defaults: with no
variables set, the site runs on the *embedded defaults* (SQLite in WAL mode,
media on the local disk, the database search backend, a local task worker).
Each production component is switched on by its own variable; see README.

Variables are read with django-environ (weike/settings/env.py). The settings
of the media pipeline, uploads, search and the dashboard are named groups,
one module each, imported here; a group refuses impossible values with
ImproperlyConfigured (missing ffmpeg/ffprobe, S3 part sizes S3 refuses).
development.py, test.py and production.py start from this module.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from .dashboard import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str
from .paths import BASE_DIR, PROJECT_DIR, VAR_DIR  # noqa: F401
from .pipeline import *  # noqa: F403
from .search import *  # noqa: F403
from .uploads import *  # noqa: F403

DEBUG = env_bool("WEIKE_DEBUG", False)
# A fixed key is only acceptable for local development; production.py refuses it.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = env_str("WEIKE_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("WEIKE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("WEIKE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "catalog",
    "ingest",
    "media_pipeline",
    "search",
    "alliance",
    "dashboard",
    "exchange",
    "portal",
    "demo",
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
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the page cache, so cached pages get the header too; the admin
    # gets a relaxed policy (weike/csp.py).
    "weike.csp.WeikeCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Anonymous page cache of the teachers' site (docs/site.md); after Locale
    # so the language is known, before everything that renders a page.
    "portal.pagecache.AnonymousPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out login into our 429 page.
    "axes.middleware.AxesMiddleware",
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
    # Persistent connections, checked before each request reuses one: after
    # PostgreSQL restarts, the next request reconnects instead of failing on
    # the dead connection (tests/test_prod_stack.py, the restart drill).
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=60, conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
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
# Serve straight from the finders while developing (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
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


def s3_client_config(addressing_style, connect_timeout: float, read_timeout: float):
    """botocore's client settings: a storage that stops answering fails a
    request after `read_timeout` seconds (botocore waits 60 by default) and
    botocore retries it (standard mode: 503/SlowDown, timeouts, resets) before
    media_pipeline.storage's own retries with backoff."""
    from botocore.config import Config

    return Config(
        s3={"addressing_style": addressing_style},
        signature_version="s3v4",
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": 3, "mode": "standard"},
    )


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
            "client_config": s3_client_config(
                env_str("WEIKE_S3_ADDRESSING_STYLE") or None,
                env_int("WEIKE_S3_CONNECT_TIMEOUT", 5),
                env_int("WEIKE_S3_READ_TIMEOUT", 30),
            ),
        },
    }


# --- Content-Security-Policy (django-csp; weike/csp.py) -------------------------
def _origin(url: str, subdomain: str = "") -> str:
    parts = urlsplit(url)
    host = f"{subdomain}.{parts.netloc}" if subdomain else parts.netloc
    return f"{parts.scheme}://{host}" if parts.scheme and parts.netloc else ""


def _s3_origins() -> list[str]:
    """Where signed media URLs point when files live in S3: the player fetches
    playlists and segments from there, posters and storyboards load from there."""
    if not S3_BUCKET:
        return []
    endpoint = env_str("WEIKE_S3_ENDPOINT_URL")
    style = env_str("WEIKE_S3_ADDRESSING_STYLE")
    if not endpoint:
        region = env_str("WEIKE_S3_REGION")
        hosts = ["s3.amazonaws.com"] + (
            [f"s3.{region}.amazonaws.com"] if region else []
        )
        return [f"https://{S3_BUCKET}.{host}" for host in hosts]
    # botocore picks virtual-host or path style on its own unless told.
    origins = [] if style == "virtual" else [_origin(endpoint)]
    if style != "path":
        origins.append(_origin(endpoint, S3_BUCKET))
    return [o for o in origins if o]


# Extra origins for media (a CDN in front of the bucket), comma-separated.
CSP_MEDIA_ORIGINS = _s3_origins() + env_list("WEIKE_CSP_MEDIA_ORIGINS", [])
# The site has no inline script or style: everything comes from /static/.
# blob: is hls.js (MediaSource URLs and its transmuxing worker).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *CSP_MEDIA_ORIGINS],
        "media-src": ["'self'", "blob:", *CSP_MEDIA_ORIGINS],
        "connect-src": ["'self'", *CSP_MEDIA_ORIGINS],
        "worker-src": ["'self'", "blob:"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# Wagtail's admin templates carry inline <script> (date pickers, inline
# panels): under these prefixes only, scripts also allow 'unsafe-inline'.
# Styles too, as a margin for admin screens tests/browser/test_csp_browser.py
# does not walk (the ones it walks need no inline style). docs/site.md.
CSP_ADMIN_PREFIXES = ["/admin/"]
CSP_ADMIN_REPLACE = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
}

# Search: weike/settings/search.py; dashboard: weike/settings/dashboard.py.

# --- Background tasks ----------------------------------------------------------
# Every job is a django-tasks task. Embedded default: the database queue and the
# local `db_worker` that `make run` starts. WEIKE_BROKER_URL (redis://…) sends
# the same tasks through Celery so workers can run on other machines.
BROKER_URL = env_str("WEIKE_BROKER_URL", "")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if BROKER_URL:
    # Celery worker: celery -A media_pipeline.celery_app worker (docs/media-pipeline.md)
    TASKS = {"default": {"BACKEND": "media_pipeline.celery_backend.CeleryBackend"}}

# Media pipeline and uploads: weike/settings/pipeline.py and uploads.py.

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
# A document named .pdf/.docx/… must be one by its content (catalog/attachments.py).
WAGTAILDOCS_DOCUMENT_FORM_BASE = "catalog.document_form.CheckedDocumentForm"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars from gravatar.com: a third-party request per admin page (slow or
# blocked in China, and outside the Content-Security-Policy).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Alliance (roles, review workflow; see docs/alliance.md) -------------------
# Approving the last review step publishes even though editors hold no
# tree-wide publish permission: the review task checks their stage/subject scope.
WAGTAIL_FINISH_WORKFLOW_ACTION = "alliance.workflows.publish_workflow_state"
# Wagtail's generic "submitted" mail goes to superusers; scoped editors get ours.
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = env_bool("WEIKE_NOTIFY_SUPERUSERS", True)

# Every site page sends an anonymous visitor to the site's login (the admin
# keeps its own); a login without a safe `next` lands on the role's start
# page (portal/start.py), this is only the fallback.
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:my"

# --- Login throttling (django-axes; docs/site.md) ------------------------------
# AxesBackend first: it refuses a locked-out username+address before any
# password is checked. It needs the request, which every login view passes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures per username and client address before the lockout.
AXES_FAILURE_LIMIT = env_int("WEIKE_LOGIN_FAILURE_LIMIT", 5)
# Lockout length; every further failure during it starts it again.
AXES_COOLOFF_TIME = timedelta(minutes=env_int("WEIKE_LOGIN_LOCKOUT_MINUTES", 15))
# Username+address together: a guesser cannot lock a teacher out everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A successful login forgets earlier typos.
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_ip"
# Reverse proxies in front of Django that append to X-Forwarded-For (nginx:
# 1); 0 trusts only REMOTE_ADDR, so a forged header cannot dodge the lockout.
WEIKE_TRUSTED_PROXY_COUNT = env_int("WEIKE_TRUSTED_PROXY_COUNT", 0)

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
        # The default 300 entries would cull the site's page cache, fragment
        # version key and per-lesson view counters constantly (docs/site.md).
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
if env_str("WEIKE_CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("WEIKE_CACHE_URL"),
    }

# --- Teachers' site (portal) ---------------------------------------------------
# Anonymous visitors get whole pages from the cache for this many seconds
# (invalidated on publish/unpublish; 0 turns it off). See docs/site.md.
WEIKE_PAGE_CACHE_SECONDS = env_int("WEIKE_PAGE_CACHE_SECONDS", 60)
# A lesson's view counts once per visitor (user, session, or address and
# browser) within this many seconds; 0 counts every request. See docs/site.md.
WEIKE_VIEW_COUNT_WINDOW_SECONDS = env_int("WEIKE_VIEW_COUNT_WINDOW_SECONDS", 30 * 60)

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

# --- Demo media (demo/media.py; docs/demo.md) -----------------------------------
# Where seed_demo keeps its rendered clips, outside the clone so a fresh clone
# reuses them (the Makefile exports WEIKE_CACHE_DIR).
WEIKE_DEMO_MEDIA_DIR = env_str(
    "WEIKE_DEMO_MEDIA_DIR",
    str(
        Path(env_str("WEIKE_CACHE_DIR", str(Path.home() / ".cache" / "weike")))
        / "demo-media"
    ),
)

# --- Exchange: OAI-PMH data provider, bulk import, harvesting ---------------------
# The name harvesters show for this repository (OAI-PMH Identify).
WEIKE_OAI_REPOSITORY_NAME = env_str("WEIKE_OAI_REPOSITORY_NAME", "微课联盟资源库")
# The domain in record identifiers (oai:<this>:entry/<id>); keep it stable.
WEIKE_OAI_REPOSITORY_ID = env_str("WEIKE_OAI_REPOSITORY_ID", "weike.local")
# Whom harvesters write to (OAI-PMH Identify adminEmail).
WEIKE_OAI_ADMIN_EMAIL = env_str("WEIKE_OAI_ADMIN_EMAIL", "admin@weike.local")
# Records (or headers) per OAI-PMH list response before a resumption token.
WEIKE_OAI_PAGE_SIZE = env_int("WEIKE_OAI_PAGE_SIZE", 100)
# How long a resumption token stays valid, in seconds.
WEIKE_OAI_TOKEN_SECONDS = env_int("WEIKE_OAI_TOKEN_SECONDS", 24 * 3600)

# --- Video for every classroom file (docs/media-pipeline.md) ---------------------
# Encode the lowest rung in a first pass of its own and publish it at once, so a
# lesson plays before its whole ladder is done (costs one more decode).
MEDIA_FIRST_PLAYABLE_PASS = env_bool("WEIKE_VIDEO_FIRST_PLAYABLE_PASS", True)
# ...for videos of at least this many seconds: a shorter one's whole ladder is
# ready about as soon, and the second decode is not worth its CPU.
MEDIA_FIRST_PLAYABLE_MIN_SECONDS = env_int(
    "WEIKE_VIDEO_FIRST_PLAYABLE_MIN_SECONDS", 120
)

# --- Production deployment (deploy/; docs/deploy.md) ----------------------------
# nginx's internal location for local media after Django's access check
# (X-Accel-Redirect); "" = Django sends the file itself (make run).
MEDIA_ACCEL_REDIRECT_PREFIX = env_str("WEIKE_MEDIA_ACCEL_PREFIX", "")
# Periodic jobs, without cron: Celery beat (weike-scheduler) with a broker,
# `manage.py run_scheduler` beside db_worker otherwise (make run). name →
# (django-tasks task, seconds between runs); WEIKE_SCHEDULE_<NAME>_SECONDS
# changes an interval, 0 turns the job off.
PERIODIC_TASKS = {
    name: (path, env_int(f"WEIKE_SCHEDULE_{name.upper()}_SECONDS", seconds))
    for name, path, seconds in (
        ("flush_view_counts", "portal.tasks.flush_view_counts_task", 300),
        ("cleanup_uploads", "ingest.tasks.cleanup_uploads_task", 3600),
        ("reconcile_search_index", "search.tasks.reconcile_search_index_task", 3600),
        ("reconcile_storage", "media_pipeline.tasks.reconcile_storage_task", 86400),
    )
}
# The scheduled storage reconcile deletes stored files no row claims once they
# are this old (the command's --min-age); 0 only lists them in the log.
STORAGE_ORPHAN_MIN_AGE_SECONDS = env_int("WEIKE_STORAGE_ORPHAN_MIN_AGE", 86400)
# A resumable upload is written by one request at a time, on any web host: it
# holds a lease in the database, renewed while bytes arrive; a request gone
# silent this long (a host that died) loses it to the client's next PATCH.
UPLOAD_LEASE_SECONDS = env_int("WEIKE_UPLOAD_LEASE_SECONDS", 60)
