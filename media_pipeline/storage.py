"""Storage helpers: only Django's storage API, never `.path`.

Storage errors (network, S3 5xx, throttling) are retried with exponential
backoff; after the last try they surface as StorageUnavailable so the job is
marked failed-but-retriable and the original stays where it is.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage

from .media_types import OPAQUE, content_type_for

logger = logging.getLogger(__name__)
T = TypeVar("T")
CHUNK = 1024 * 1024


class StorageUnavailable(Exception):
    pass


def _transient_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError, ConnectionError, TimeoutError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        errors += [BotoCoreError, ClientError]
    except ImportError:  # botocore is only needed with the S3 backend
        pass
    return tuple(errors)


def with_retries(fn: Callable[..., T], *args, **kwargs) -> T:
    attempts = getattr(settings, "MEDIA_STORAGE_RETRIES", 4)
    delay = getattr(settings, "MEDIA_STORAGE_BACKOFF", 0.5)
    errors = _transient_errors()
    for attempt in range(1, attempts + 1):
        try:
            return fn(*args, **kwargs)
        except errors as exc:
            if attempt == attempts:
                raise StorageUnavailable(str(exc)) from exc
            logger.warning("storage error (try %s/%s): %s", attempt, attempts, exc)
            time.sleep(delay * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def download(name: str, dest_path, storage: Storage | None = None) -> str:
    """Copy a stored file to a local path; returns its SHA-256."""
    storage = storage or default_storage

    def _copy() -> str:
        digest = hashlib.sha256()
        with storage.open(name, "rb") as src, open(dest_path, "wb") as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
        return digest.hexdigest()

    return with_retries(_copy)


def typed_file(fileobj, name: str, content_type: str) -> File:
    """A File whose object in S3 gets exactly `content_type`.

    django-storages takes a `content_type` attribute over its guess from the
    name, so nothing we store is typed by a client's file name or by the
    host's mime.types (FileSystemStorage ignores the attribute).
    """
    typed = File(fileobj, name=os.path.basename(name))
    typed.content_type = content_type
    return typed


def upload(local_path, name: str, storage: Storage | None = None) -> str:
    """Store a local file under exactly `name` (replacing it: jobs re-run)."""
    storage = storage or default_storage
    content_type = content_type_for(name) or OPAQUE

    def _put() -> str:
        if storage.exists(name):
            storage.delete(name)
        with open(local_path, "rb") as fh:
            return storage.save(name, typed_file(fh, name, content_type))

    return with_retries(_put)


def delete(name: str, storage: Storage | None = None) -> None:
    storage = storage or default_storage
    if name:
        with_retries(storage.delete, name)


def _listdir(folder: str, storage: Storage) -> tuple[list[str], list[str]]:
    def _list() -> tuple[list[str], list[str]]:
        try:
            return storage.listdir(folder)
        except FileNotFoundError:  # a local folder never made: nothing in it
            return [], []

    return with_retries(_list)


def walk(prefix: str, storage: Storage | None = None):
    """Every stored name under the folder `prefix` ("renditions/12/").

    Through `listdir` only, so it works the same on local disk and on S3
    (where django-storages pages through the listing itself).
    """
    storage = storage or default_storage
    folder = prefix.strip("/")
    directories, files = _listdir(folder, storage)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(directories):
        yield from walk(f"{folder}/{sub}" if folder else sub, storage)


def delete_many(names, storage: Storage | None = None) -> int:
    """Delete stored names (missing ones are fine); returns how many were asked."""
    storage = storage or default_storage
    count = 0
    for name in names:
        if name:
            with_retries(storage.delete, name)
            count += 1
    return count
