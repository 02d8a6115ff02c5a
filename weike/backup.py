"""Backup and restore of a whole site (docs/deploy.md, "Backup and restore").

A backup is one folder:

    database.pgc   pg_dump --format=custom of the database (no owner, no grants)
    files/<name>   every object of the default storage (the bucket or MEDIA_ROOT)
    manifest.json  when it was made, and each file's name, size and SHA-256

Search indexes (the engine's and the quota index) are not in it: they are
derived from the database, and `restore` rebuilds them there. A restore goes
only into an empty stack (new database, empty bucket), never over a site.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from media_pipeline import storage as media_storage

DUMP = "database.pgc"
FILES = "files"
MANIFEST = "manifest.json"
# Names the pipeline types by their extension (media_pipeline/media_types.py);
# everything else is stored as Django's storage stores it.
PIPELINE_PREFIXES = ("originals/", "renditions/")


class BackupError(Exception):
    """One sentence (translated) saying what is wrong; nothing was changed."""


def pg_tool(name: str) -> str:
    """pg_dump/pg_restore: on PATH, else the newest Debian server's."""
    found = shutil.which(name) or next(
        (
            str(p)
            for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))[::-1]
        ),
        None,
    )
    if not found:
        raise BackupError(
            _("%(tool)s was not found: install the PostgreSQL client.") % {"tool": name}
        )
    return found


def _database() -> tuple[list[str], dict]:
    """Connection arguments and environment for the PostgreSQL tools."""
    if connection.vendor != "postgresql":
        raise BackupError(
            _(
                "Backup and restore need PostgreSQL; in the embedded mode copy "
                "the folder WEIKE_VAR_DIR while the site is stopped."
            )
        )
    db = connection.settings_dict
    args = [
        f"--{option}={value}"
        for option, value in (
            ("host", db.get("HOST")),
            ("port", db.get("PORT")),
            ("username", db.get("USER")),
        )
        if value
    ]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]  # never on the command line
    return [*args, f"--dbname={db['NAME']}"], env


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(args[0]).name, "error": done.stderr.strip()[-2000:]}
        )


def _safe_name(name: str) -> str:
    """A stored name as a relative path that stays inside the backup folder."""
    # Its own segments, not a normalised path: "./x" and "a//b" are no
    # stored names either.
    if (
        "\\" in name
        or "\x00" in name
        or any(segment in ("", ".", "..") for segment in name.split("/"))
    ):
        raise BackupError(_("Refused the unsafe file name %(name)r.") % {"name": name})
    return name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def backup(target: Path) -> dict:
    """Write a backup of this site into the new or empty folder `target`."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(_("The folder %(path)s is not empty.") % {"path": target})
    db_args, env = _database()
    target.mkdir(parents=True, exist_ok=True)
    # The database first: a file written while the files are copied belongs
    # to no row of the dump (reconcile_storage removes it after a restore).
    _run(
        [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl"]
        + [f"--file={target / DUMP}", *db_args],
        env,
    )
    files = []
    for name in media_storage.walk(""):
        dest = target / FILES / _safe_name(name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = media_storage.download(name, dest)
        files.append({"name": name, "size": dest.stat().st_size, "sha256": digest})
    manifest = {
        "format": 1,
        "created_at": timezone.now().isoformat(),
        "database": DUMP,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def _check_empty() -> None:
    if "django_migrations" in connection.introspection.table_names():
        raise BackupError(
            _("The database is not empty: restore only into a new, empty database.")
        )
    if next(media_storage.walk(""), None) is not None:
        raise BackupError(
            _(
                "The file storage is not empty: restore only into an empty "
                "bucket or folder."
            )
        )


def restore(source: Path) -> dict:
    """Restore the backup in `source` into this (empty) site, then rebuild
    the search and quota indexes from the restored database."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        entries = [(e["name"], int(e["size"]), e["sha256"]) for e in manifest["files"]]
        dump = source / _safe_name(manifest["database"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(
            _("%(path)s is not a Weike backup (%(error)s).")
            % {"path": source, "error": exc}
        ) from exc
    # Checked before anything is written: a damaged backup changes nothing.
    for name, size, digest in entries:
        path = source / FILES / _safe_name(name)
        if not path.is_file() or path.stat().st_size != size or _sha256(path) != digest:
            raise BackupError(_("The backup is damaged: %(name)s.") % {"name": name})
    db_args, env = _database()
    _check_empty()
    for name, _size, _digest in entries:
        _put(source / FILES / name, name)
    _run(
        [pg_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error"]
        + ["--single-transaction", *db_args, str(dump)],
        env,
    )
    connection.close()  # its view of the schema predates the restore
    _rebuild_indexes()
    cache.clear()  # pages and counters of whatever ran on this cache before
    return {"files": len(entries)}


def _put(path: Path, name: str) -> None:
    if name.startswith(PIPELINE_PREFIXES):
        media_storage.upload(path, name)  # typed as the pipeline types them
        return
    with open(path, "rb") as fh:
        saved = default_storage.save(name, File(fh, name=PurePosixPath(name).name))
    if saved != name:
        raise BackupError(_("The file storage renamed %(name)s.") % {"name": name})


def _rebuild_indexes() -> None:
    from dashboard.engine import QuotaIndex
    from search.services import rebuild_index

    for backend in settings.WAGTAILSEARCH_BACKENDS:
        rebuild_index(backend)
    if settings.DASHBOARD_QUOTA_ENGINE_URL:
        QuotaIndex(settings.DASHBOARD_QUOTA_ENGINE_URL).sync_all()
