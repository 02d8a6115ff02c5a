"""A migrated, empty embedded database kept outside the clone (development).

A fresh clone's `make run` spent about 40 s in `migrate`, nearly all of it in
Django rendering the model states of some 240 migrations, not in SQL. The
result depends only on the migration files, so a new SQLite database starts
as a copy of the one made last time the same migrations ran; `migrate` then
finds nothing to do (and applies whatever is new if the key ever lied).

The key hashes every migration file of every installed app, Django's version
and the database engine. Only a new SQLite file is ever filled this way:
PostgreSQL and existing databases are migrated as usual.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connections


def database_file(alias: str = "default") -> Path | None:
    """The SQLite file of `alias`, or None for any other database."""
    db = settings.DATABASES[alias]
    if not db["ENGINE"].endswith("sqlite3"):
        return None
    name = str(db["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def is_new(path: Path) -> bool:
    """No file yet, or one without a single table (a connection opened it)."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def key() -> str:
    digest = hashlib.sha256(f"django {django.get_version()} sqlite".encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{config.label}/{path.name}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_copy(folder: Path) -> Path:
    return folder / f"schema-{key()[:32]}.sqlite3"


def restore(folder: Path, target: Path) -> bool:
    """Start a new database file from the cached schema; False on a miss."""
    kept = cached_copy(folder)
    if not kept.is_file():
        return False
    connections.close_all()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(kept) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return True


def store(folder: Path, source: Path) -> None:
    """Keep a just-migrated database (one consistent file, whatever its WAL
    holds) for the next new database with the same migrations."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(prefix=".schema-", suffix=".sqlite3", dir=folder)
    os.close(fd)
    os.unlink(staging)  # VACUUM INTO refuses an existing file
    connections.close_all()
    with sqlite3.connect(source) as db:
        db.execute("VACUUM INTO ?", (staging,))
    os.replace(staging, cached_copy(folder))
