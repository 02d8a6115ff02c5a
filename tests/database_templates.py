"""Each xdist worker's test database starts as a copy of one migrated schema.

Creating a test database ran all ~240 migrations in every worker of both
passes of `make test` (tens of seconds of CPU each, nearly all of it Django
rendering model states). The first worker to get here migrates; the others
wait for it and copy its result:

* SQLite: the migrated empty file is kept in `$WEIKE_CACHE_DIR/test-schemas`
  under the key of weike/schema_cache.py (every migration file and Django's
  version), so later runs with the same migrations copy it too.
* PostgreSQL: a template database on the run's server
  (`CREATE DATABASE … TEMPLATE`), made from the first worker's new database.

Django then runs `migrate` on the copy, which finds nothing to apply (or
applies what is new, should the key ever lie), so a copy is never staler than
a migration.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections

from weike import schema_cache

_lock_file = None  # held from prepare() to finish() by the building worker
_build = None  # what finish() must keep: a callable, or None


def _cache_dir() -> Path:
    root = os.environ.get("WEIKE_CACHE_DIR", str(Path.home() / ".cache" / "weike"))
    return Path(root) / "test-schemas"


def _lock(path: Path) -> None:
    global _lock_file
    path.parent.mkdir(parents=True, exist_ok=True)
    _lock_file = open(path, "w")  # noqa: SIM115 - released in finish()
    fcntl.flock(_lock_file, fcntl.LOCK_EX)


def _unlock() -> None:
    global _lock_file
    if _lock_file is not None:
        fcntl.flock(_lock_file, fcntl.LOCK_UN)
        _lock_file.close()
        _lock_file = None


def prepare() -> bool:
    """Before the test database is created: True when it was filled from a
    copy (pytest-django then keeps it instead of creating it)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return _prepare_sqlite(Path(db["TEST"]["NAME"]))
    if db["ENGINE"].endswith("postgresql"):
        _prepare_postgresql(db)
    return False


def finish() -> None:
    """After the test database was created: keep it for the other workers
    if this worker was the one to migrate, and let them go on."""
    global _build
    try:
        if _build is not None:
            _build()
    finally:
        _build = None
        _unlock()


def _prepare_sqlite(target: Path) -> bool:
    global _build
    folder = _cache_dir()
    _lock(folder / ".lock")
    if schema_cache.restore(folder, target):
        _unlock()
        return True
    _build = lambda: schema_cache.store(folder, target)  # noqa: E731
    return False


def _template_name() -> str:
    digest = hashlib.sha256(schema_cache.key().encode()).hexdigest()[:16]
    return f"weike_test_template_{digest}"


def _prepare_postgresql(db: dict) -> None:
    global _build
    import psycopg

    template = _template_name()
    server = f"{db['HOST']}:{db['PORT']}"
    tag = hashlib.sha256(server.encode()).hexdigest()[:12]
    _lock(Path(tempfile.gettempdir()) / f"weike-test-template-{tag}.lock")
    params = {
        "host": db["HOST"],
        "port": db["PORT"],
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": db["NAME"],
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [template]
        ).fetchone()
    if found:
        db.setdefault("TEST", {})["TEMPLATE"] = template
        _unlock()
        return

    def keep() -> None:
        # CREATE DATABASE … TEMPLATE needs the source without connections.
        source = connections["default"].settings_dict["NAME"]
        connections.close_all()
        with psycopg.connect(**params) as conn:
            conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{source}"')

    _build = keep
