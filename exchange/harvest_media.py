"""Fetch a queued harvested record's media and make it a draft through the
bulk-import path (ingest.library_import: the same checks, duplicates and
manifest as a row of a sheet, so fetching twice creates nothing new).

Only URLs on the harvest source's own host are fetched (the metadata comes
from another server: it must not make us fetch from anywhere else, e.g. an
internal address); redirects are not followed; at most UPLOAD_MAX_SIZE bytes.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
from django.conf import settings

from ingest.library_files import LibrarySource
from ingest.library_import import Outcome, Planner, create_row
from ingest.library_sheet import SheetRow

from .models import HarvestedRecord, HarvestStatus

MEDIA_NAME = "media.mp4"


class TooLarge(Exception):
    pass


class DownloadedSource(LibrarySource):
    """One downloaded file, as a library of one."""

    def __init__(self, path: Path):
        super().__init__()
        self.files[MEDIA_NAME] = path

    @contextmanager
    def local_path(self, name):
        yield self.files[name]


def same_host(url: str, base_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(base_url)
    return a.scheme in ("http", "https") and (a.hostname, a.port) == (
        b.hostname,
        b.port,
    )


def download(url: str, target: Path) -> None:
    limit = settings.UPLOAD_MAX_SIZE
    with httpx2.stream("GET", url, follow_redirects=False, timeout=60) as response:
        response.raise_for_status()
        size = 0
        with open(target, "wb") as fh:
            for chunk in response.iter_bytes(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(url)
                fh.write(chunk)


def fetch_queued(source, owner) -> list[str]:
    """Create drafts for the source's queued records; one line per record."""
    lines = []
    for record in HarvestedRecord.objects.filter(
        source=source, status=HarvestStatus.QUEUED
    ).exclude(media_url=""):
        if not same_host(record.media_url, source.base_url):
            lines.append(f"{record.identifier}: media not on the source's host")
            continue
        workdir = Path(tempfile.mkdtemp(prefix="weike-harvest-"))
        try:
            target = workdir / "media"
            try:
                download(record.media_url, target)
            except (httpx2.HTTPError, TooLarge, OSError) as exc:
                lines.append(f"{record.identifier}: {type(exc).__name__}")
                continue
            plan = Planner(DownloadedSource(target)).plan(_row(record))
            if plan.outcome == Outcome.CREATE:
                create_row(plan, DownloadedSource(target), owner)
            lines.append(f"{record.identifier}: {plan.line()}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return lines


def _row(record) -> SheetRow:
    meta = record.metadata
    video = meta.get("resource_type") == "micro_lesson"
    return SheetRow(
        # Manifest key: the record, not a sheet row (ids stay apart from rows
        # of sheets by living above a million).
        number=1_000_000 + record.pk,
        values={
            "title": record.title,
            "stage": meta.get("stage") or "",
            "subject": meta.get("subject") or "",
            "grade": meta.get("grade") or "",
            "knowledge_points": ";".join(meta.get("knowledge_points", [])),
            "resource_type": meta.get("resource_type") or "",
            "video": MEDIA_NAME if video else "",
            "attachments": "" if video else MEDIA_NAME,
        },
    )
