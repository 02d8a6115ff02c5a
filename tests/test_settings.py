"""The settings switch: embedded defaults with no variables, production by variables."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
db = settings.DATABASES["default"]
out = {
    "engine": db["ENGINE"], "name": str(db.get("NAME")), "host": db.get("HOST"),
    "storage": settings.STORAGES["default"]["BACKEND"],
    "tasks": settings.TASKS["default"]["BACKEND"],
    "language": settings.LANGUAGE_CODE, "tz": settings.TIME_ZONE,
    "search": settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"],
    "search_urls": settings.WAGTAILSEARCH_BACKENDS["default"].get("URLS"),
}
if db["ENGINE"].endswith("sqlite3"):
    with connection.cursor() as cursor:
        out["journal_mode"] = cursor.execute("PRAGMA journal_mode").fetchone()[0]
print(json.dumps(out))
"""


def probe(tmp_path, **env):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("WEIKE_", "DATABASE_"))
    }
    clean |= {
        "DJANGO_SETTINGS_MODULE": "weike.settings.base",
        "WEIKE_VAR_DIR": str(tmp_path),
    }
    clean |= env
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_embedded_defaults(tmp_path):
    out = probe(tmp_path)
    assert out["engine"] == "django.db.backends.sqlite3"
    assert out["name"] == str(tmp_path / "weike.sqlite3")
    assert out["journal_mode"] == "wal"
    assert out["storage"] == "django.core.files.storage.FileSystemStorage"
    assert out["tasks"] == "django_tasks_db.DatabaseBackend"
    assert (out["language"], out["tz"]) == ("zh-hans", "Asia/Shanghai")


def test_database_url_switches_to_postgresql(tmp_path):
    out = probe(tmp_path, DATABASE_URL="postgres://weike:pw@db.internal:5433/weike")
    assert out["engine"] == "django.db.backends.postgresql"
    assert out["host"] == "db.internal"


def test_s3_bucket_switches_storage(tmp_path):
    out = probe(
        tmp_path, WEIKE_S3_BUCKET="lessons", WEIKE_S3_ENDPOINT_URL="http://127.0.0.1:9"
    )
    assert out["storage"] == "storages.backends.s3.S3Storage"


def test_search_url_picks_elasticsearch(tmp_path):
    out = probe(tmp_path, WEIKE_SEARCH_URL="elasticsearch://es.internal:9200")
    assert out["search"] == "search.backends.elasticsearch8"
    assert out["search_urls"] == ["http://es.internal:9200"]


@pytest.mark.django_db
def test_suite_runs_on_the_configured_database():
    # `make test` runs the suite twice: SQLite, then DATABASE_URL=postgres://…
    expected = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1


def test_admin_languages():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert ("en", "English") in settings.LANGUAGES
