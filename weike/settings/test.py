"""Test settings: the embedded defaults, isolated in a temporary folder.

DATABASE_URL still switches to PostgreSQL, which is how `make test` runs the
suite a second time against a real server.
"""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

_TMP = Path(tempfile.mkdtemp(prefix="weike-test-"))
MEDIA_ROOT = _TMP / "media"
UPLOAD_SPOOL_DIR = _TMP / "uploads"
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Jobs run in-process in most tests; the worker tests switch backends explicitly.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = _TMP / "test.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_TMP / "test-db.sqlite3")}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = _TMP / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The site's anonymous page cache would hide changes tests make without
# publishing; tests that exercise it switch it on (tests/test_site_*.py).
WEIKE_PAGE_CACHE_SECONDS = 0
# Login throttling stays on; only the test client's request-less
# client.login() is let through to ModelBackend (tests/axes_backend.py).
AUTHENTICATION_BACKENDS = [
    "tests.axes_backend.TestClientAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
