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
# Settings only, without django.setup(): every refusal is raised while the
# settings modules are read (weike/settings/), and loading the apps would add
# seconds of CPU to each of the probes below.
PROBE = """
import json
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
    "quota_url": settings.DASHBOARD_QUOTA_ENGINE_URL,
    "transcode_cache": getattr(settings, "MEDIA_TRANSCODE_CACHE_DIR", ""),
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


def test_only_development_keeps_finished_transcodes(tmp_path):
    """The cache that lets `make run` reuse the demo's transcodes
    (media_pipeline/transcode_cache.py) is never on in production or tests."""
    cache = tmp_path / "cache"
    development = "weike.settings.development"
    out = probe(
        tmp_path, DJANGO_SETTINGS_MODULE=development, WEIKE_CACHE_DIR=str(cache)
    )
    assert out["transcode_cache"] == str(cache / "transcodes")
    assert probe(tmp_path)["transcode_cache"] == ""
    assert not getattr(settings, "MEDIA_TRANSCODE_CACHE_DIR", "")  # the tests'


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
    # The quota counter keeps the scheme: it picks the Elasticsearch client.
    assert out["quota_url"] == "elasticsearch://es.internal:9200"


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


# --- Named groups and the errors they refuse to start with ----------------------


def refused(tmp_path, **env) -> str:
    """stderr of a settings import that must fail with ImproperlyConfigured."""
    with pytest.raises(subprocess.CalledProcessError) as failed:
        probe(tmp_path, **env)
    assert "django.core.exceptions.ImproperlyConfigured" in failed.value.stderr
    return failed.value.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("name", ["WEIKE_FFMPEG_BINARY", "WEIKE_FFPROBE_BINARY"])
def test_missing_ffmpeg_refuses_to_start(tmp_path, name):
    missing = str(tmp_path / "no-such-binary")
    assert missing in refused(tmp_path, **{name: missing})
    # A process that never handles videos may run without them.
    assert probe(tmp_path, **{name: missing, "WEIKE_MEDIA_PIPELINE": "0"})


@pytest.mark.parametrize(
    "part, largest, says",
    [
        (5 * 1024**2 - 1, 4 * 1024**3, "5 MiB to 5 GiB"),
        (1, 4 * 1024**3, "5 MiB to 5 GiB"),
        (5 * 1024**3 + 1, 4 * 1024**3, "5 MiB to 5 GiB"),
        # 100 GiB in 5 MiB parts: 20,480 parts, over S3's 10,000.
        (5 * 1024**2, 100 * 1024**3, "10000 parts"),
    ],
)
def test_impossible_s3_part_size_refuses_to_start(tmp_path, part, largest, says):
    message = refused(
        tmp_path,
        WEIKE_S3_BUCKET="lessons",
        WEIKE_UPLOAD_PART_BYTES=str(part),
        WEIKE_UPLOAD_MAX_BYTES=str(largest),
    )
    assert says in message


def test_possible_s3_part_sizes_start(tmp_path):
    for part in (5 * 1024**2, 8 * 1024**2, 5 * 1024**3):
        out = probe(
            tmp_path, WEIKE_S3_BUCKET="lessons", WEIKE_UPLOAD_PART_BYTES=str(part)
        )
        assert out["storage"] == "storages.backends.s3.S3Storage"
    # On local disk the part size is only a spool size: any value starts.
    assert probe(tmp_path, WEIKE_UPLOAD_PART_BYTES="1024")


def test_settings_groups_are_modules_of_their_own():
    from weike.settings import dashboard, pipeline, search, uploads

    assert settings.MEDIA_VALIDATION == pipeline.MEDIA_VALIDATION
    assert settings.UPLOAD_MAX_SIZE == uploads.UPLOAD_MAX_SIZE
    assert settings.DASHBOARD_QUOTA_INDEX == dashboard.DASHBOARD_QUOTA_INDEX
    assert "search.backends" in search.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]
    # Only settings leave a group (`import *` in base.py).
    assert "shutil" not in pipeline.__all__ and "env_int" not in uploads.__all__


def test_variables_are_read_with_django_environ():
    from weike.settings import env

    assert type(env.env).__module__ == "environ.environ"
