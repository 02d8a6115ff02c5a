"""`make run`'s migrate (weike/schema_cache.py): a new embedded database starts
from the schema the same migrations produced last time; an existing one is
never replaced."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(var: Path, cache: Path, *args: str) -> str:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("WEIKE_", "DATABASE_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "weike.settings.development",
        "WEIKE_VAR_DIR": str(var),
        "WEIKE_CACHE_DIR": str(cache),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {name for (name,) in rows}


def test_a_new_database_starts_from_the_cached_schema_and_an_old_one_stays(tmp_path):
    cache = tmp_path / "cache"
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()

    said = manage(first, cache, "migrate_embedded", "-v1")
    assert "came from the cache" not in said
    kept = list((cache / "schemas").glob("schema-*.sqlite3"))
    assert len(kept) == 1

    said = manage(second, cache, "migrate_embedded", "-v1")
    assert "came from the cache" in said
    assert "No migrations to apply" in said
    restored = second / "weike.sqlite3"
    assert tables(restored) == tables(first / "weike.sqlite3")
    assert "[ ]" not in manage(second, cache, "showmigrations")

    # Work in an existing database is never replaced by the cached copy.
    with sqlite3.connect(restored) as db:
        db.execute("INSERT INTO auth_group (name) VALUES (?)", ("kept across migrate",))
    said = manage(second, cache, "migrate_embedded", "-v1")
    assert "came from the cache" not in said
    with sqlite3.connect(restored) as db:
        names = {n for (n,) in db.execute("SELECT name FROM auth_group")}
    assert "kept across migrate" in names
