"""Where a library's files come from: a folder, a zip, or an S3 prefix.

A source lists its files once, under clean relative names (NFC, `/`
separators); a sheet's file name is only ever *looked up* in that list, never
joined to a path, so a row cannot reach a file outside the library. Names that
could mislead are left out of the list and reported: `..` or absolute parts,
backslashes, control or bidi characters, characters NFKC changes (fullwidth
`．．／`), symlinks (on disk and in zips).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from contextlib import contextmanager
from pathlib import Path

from .naming import clean_text

MAX_NAME_CHARS = 1000


def safe_name(raw: str) -> str | None:
    """The clean relative name `raw` spells, or None if it is not one."""
    if not raw or len(raw) > MAX_NAME_CHARS or "\\" in raw or "\x00" in raw:
        return None
    name = unicodedata.normalize("NFC", raw)
    if (
        clean_text(name, max_chars=MAX_NAME_CHARS) != name.strip()
        or name != name.strip()
    ):
        return None  # control, bidi or format characters, padding
    if unicodedata.normalize("NFKC", name) != name:
        return None  # fullwidth look-alikes and other compatibility forms
    parts = name.split("/")
    if name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return None
    if ":" in parts[0]:
        return None  # a drive letter or a URL scheme
    return name


class LibrarySource:
    """Files by clean name; `refused` lists names left out and why."""

    def __init__(self):
        self.files: dict[str, object] = {}
        self.refused: list[str] = []

    def lookup(self, name: str):
        clean = safe_name(name.strip())
        return (clean, self.files.get(clean)) if clean else (None, None)

    @contextmanager
    def local_path(self, name: str):
        """A local file with the bytes of `name` (a temporary copy if needed)."""
        raise NotImplementedError

    def close(self):
        pass


class FolderSource(LibrarySource):
    def __init__(self, root: Path):
        super().__init__()
        self.root = root.resolve()
        for folder, _dirs, names in os.walk(self.root, followlinks=False):
            for name in names:
                full = Path(folder) / name
                rel = full.relative_to(self.root).as_posix()
                clean = safe_name(rel)
                mode = full.lstat().st_mode
                if clean is None or not stat.S_ISREG(mode):
                    self.refused.append(rel)
                    continue
                self.files[clean] = full

    @contextmanager
    def local_path(self, name: str):
        yield self.files[name]


class ZipSource(LibrarySource):
    def __init__(self, path: Path):
        super().__init__()
        self.zip = zipfile.ZipFile(path)
        self.tmp = Path(tempfile.mkdtemp(prefix="weike-library-"))
        for info in self.zip.infolist():
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            clean = safe_name(info.filename)
            if clean is None or stat.S_ISLNK(mode):
                self.refused.append(info.filename)
                continue
            self.files[clean] = info

    @contextmanager
    def local_path(self, name: str):
        # Extracted under a generated name: the member's name is never a path.
        target = Path(tempfile.mkstemp(dir=self.tmp)[1])
        try:
            with self.zip.open(self.files[name]) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
            yield target
        finally:
            target.unlink(missing_ok=True)

    def close(self):
        self.zip.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class S3Source(LibrarySource):
    def __init__(self, url: str, client):
        super().__init__()
        bucket, _, prefix = url[len("s3://") :].partition("/")
        self.bucket, self.client = bucket, client
        self.tmp = Path(tempfile.mkdtemp(prefix="weike-library-"))
        prefix = prefix.rstrip("/") + "/" if prefix else ""
        paginator = client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                rel = item["Key"][len(prefix) :]
                clean = safe_name(rel)
                if clean is None:
                    self.refused.append(rel)
                    continue
                self.files[clean] = item["Key"]

    @contextmanager
    def local_path(self, name: str):
        target = Path(tempfile.mkstemp(dir=self.tmp)[1])
        try:
            self.client.download_file(self.bucket, self.files[name], str(target))
            yield target
        finally:
            target.unlink(missing_ok=True)

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def s3_client():
    import boto3
    from django.conf import settings

    options = settings.STORAGES["default"].get("OPTIONS", {})
    return boto3.client(
        "s3",
        endpoint_url=options.get("endpoint_url") or None,
        region_name=options.get("region_name") or None,
        aws_access_key_id=options.get("access_key") or None,
        aws_secret_access_key=options.get("secret_key") or None,
    )


def open_source(location: str) -> LibrarySource:
    if location.startswith("s3://"):
        return S3Source(location, s3_client())
    path = Path(location)
    if path.is_dir():
        return FolderSource(path)
    if zipfile.is_zipfile(path):
        return ZipSource(path)
    raise ValueError(location)
