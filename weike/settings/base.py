"""Settings for every environment.

Everything comes from environment variables with working defaults: with no
variables set, the site runs on the *embedded defaults* (SQLite in WAL mode,
media on the local disk, the database search backend, a local task worker).
Each production component is switched on by its own variable; see README.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from .env import env_bool, env_int, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
# Runtime state of the embedded defaults (database, media, logs) lives here.
VAR_DIR = Path(env_str("WEIKE_VAR_DIR", str(BASE_DIR / "var")))

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
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
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

# --- Search -------------------------------------------------------------------
# Embedded default: the database backend with Chinese segmentation (search app).
# WEIKE_SEARCH_URL points at Elasticsearch/OpenSearch; see docs/search.md.
SEARCH_URL = env_str("WEIKE_SEARCH_URL", "")
# opensearch://host:port and elasticsearch://host:port pick the engine; a plain
# http(s):// URL uses WEIKE_SEARCH_ENGINE (opensearch2 | elasticsearch8).
SEARCH_ENGINE = env_str("WEIKE_SEARCH_ENGINE", "opensearch2")
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "search.backends.database"},
}
if SEARCH_URL:
    _scheme, _, _rest = SEARCH_URL.partition("://")
    _engines = {"opensearch": "opensearch2", "elasticsearch": "elasticsearch8"}
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.backends." + _engines.get(_scheme, SEARCH_ENGINE),
            "URLS": ["http://" + _rest if _scheme in _engines else SEARCH_URL],
            "INDEX_PREFIX": env_str("WEIKE_SEARCH_INDEX_PREFIX", "weike_"),
            "TIMEOUT": env_int("WEIKE_SEARCH_TIMEOUT", 5),
        }
    }

# --- Dashboard (dashboard/; docs/dashboard.md) ---------------------------------
# Annual quota counts come from the search engine's aggregations when one is
# configured (its own small index), else from one grouped database query.
# WEIKE_QUOTA_ENGINE_URL overrides the engine URL; "off" forces the database.
_quota_url = env_str("WEIKE_QUOTA_ENGINE_URL", "")
if not _quota_url and SEARCH_URL:
    _quota_url = WAGTAILSEARCH_BACKENDS["default"]["URLS"][0]
DASHBOARD_QUOTA_ENGINE_URL = "" if _quota_url == "off" else _quota_url
DASHBOARD_QUOTA_INDEX = env_str("WEIKE_SEARCH_INDEX_PREFIX", "weike_") + "quota"

# --- Background tasks ----------------------------------------------------------
# Every job is a django-tasks task. Embedded default: the database queue and the
# local `db_worker` that `make run` starts. WEIKE_BROKER_URL (redis://…) sends
# the same tasks through Celery so workers can run on other machines.
BROKER_URL = env_str("WEIKE_BROKER_URL", "")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if BROKER_URL:
    # Celery worker: celery -A media_pipeline.celery_app worker (docs/media-pipeline.md)
    TASKS = {"default": {"BACKEND": "media_pipeline.celery_backend.CeleryBackend"}}

# --- Media pipeline (media_pipeline/, ingest/; docs/media-pipeline.md) ---------
# Recording rules; any key of media_pipeline.rules.DEFAULT_RULES can be set here.
MEDIA_VALIDATION = {
    "MIN_DURATION": float(env_int("WEIKE_VIDEO_MIN_SECONDS", 30)),
    "MAX_DURATION": float(env_int("WEIKE_VIDEO_MAX_SECONDS", 30 * 60)),
    "MIN_LINES": env_int("WEIKE_VIDEO_MIN_LINES", 480),
    # Upper bounds (decoding cost): long/short side in pixels, frames per
    # second, and pixels per second (default 4096×2160 at 60 fps).
    "MAX_LONG_SIDE": env_int("WEIKE_VIDEO_MAX_LONG_SIDE", 4096),
    "MAX_SHORT_SIDE": env_int("WEIKE_VIDEO_MAX_SHORT_SIDE", 2160),
    "MAX_FPS": float(env_int("WEIKE_VIDEO_MAX_FPS", 120)),
    "MAX_PIXEL_RATE": env_int("WEIKE_VIDEO_MAX_PIXEL_RATE", 4096 * 2160 * 60),
}
MEDIA_PROBE_TIMEOUT = env_int("WEIKE_VIDEO_PROBE_TIMEOUT", 30)
MEDIA_TRANSCODE_TIMEOUT = env_int("WEIKE_VIDEO_TRANSCODE_TIMEOUT", 0) or None
MEDIA_X264_PRESET = env_str("WEIKE_VIDEO_X264_PRESET", "veryfast")
MEDIA_X264_CRF = env_int("WEIKE_VIDEO_X264_CRF", 23)
# Resumable (tus) uploads: size limit, S3 multipart part size, spool folder.
UPLOAD_MAX_SIZE = env_int("WEIKE_UPLOAD_MAX_BYTES", 4 * 1024**3)
UPLOAD_PART_SIZE = env_int("WEIKE_UPLOAD_PART_BYTES", 8 * 1024**2)
UPLOAD_SPOOL_DIR = Path(env_str("WEIKE_UPLOAD_SPOOL_DIR", str(VAR_DIR / "uploads")))
UPLOAD_EXPIRE_HOURS = env_int("WEIKE_UPLOAD_EXPIRE_HOURS", 24)
# Per user: uploads still receiving, and the sum of their declared lengths (429).
UPLOAD_MAX_OPEN_PER_USER = env_int("WEIKE_UPLOAD_MAX_OPEN", 3)
UPLOAD_MAX_BYTES_IN_FLIGHT_PER_USER = env_int(
    "WEIKE_UPLOAD_MAX_INFLIGHT_BYTES", 8 * 1024**3
)

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
# No avatars from gravatar.com: a third-party request per admin page (slow or
# blocked in China, and outside the Content-Security-Policy).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Alliance (roles, review workflow; see docs/alliance.md) -------------------
# Approving the last review step publishes even though editors hold no
# tree-wide publish permission: the review task checks their stage/subject scope.
WAGTAIL_FINISH_WORKFLOW_ACTION = "alliance.workflows.publish_workflow_state"
# Wagtail's generic "submitted" mail goes to superusers; scoped editors get ours.
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = env_bool("WEIKE_NOTIFY_SUPERUSERS", True)

LOGIN_URL = "wagtailadmin_login"
# The site's login without a (safe) `next` lands on 我的微课, like its form.
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
