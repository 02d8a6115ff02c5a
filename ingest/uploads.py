"""Receiving resumable uploads with flat memory.

Bytes are read from the request in 1 MB chunks and appended to a spool file on
local disk. With the local storage the spool file *is* the upload and is handed
to storage.save() at the end; with S3 the spool file is the current multipart
part and is sent (UploadPart) whenever it reaches UPLOAD_PART_SIZE, so the disk
holds at most one part. The first HEAD_BYTES are also kept aside so the head
can be probed early and a bad file refused before it is all sent.

The SHA-256 is computed incrementally in the process that receives the bytes;
if a later PATCH lands in another process the hash is left empty and the
worker computes it when it downloads the original.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import logging
import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from media_pipeline import services as media_services
from media_pipeline.rules import Reason, Rejected

from .models import Upload, UploadStatus

logger = logging.getLogger(__name__)

READ_CHUNK = 1024 * 1024
HEAD_BYTES = 2 * 1024 * 1024

# upload id -> (offset, hashlib object) for uploads received by this process.
_hashers: dict[str, tuple[int, object]] = {}
_hashers_lock = threading.Lock()


class UploadConflict(Exception):
    """Wrong Upload-Offset, or another request is writing this upload."""


def spool_dir(upload: Upload) -> Path:
    return Path(settings.UPLOAD_SPOOL_DIR) / str(upload.id)


def is_s3(storage=None) -> bool:
    storage = storage or default_storage
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def _s3_client_and_key(name: str):
    storage = default_storage
    client = storage.connection.meta.client
    return client, storage.bucket_name, storage._normalize_name(name)


def safe_filename(filename: str) -> str:
    base = os.path.basename(filename or "video")
    base = re.sub(r"[^\w.\-]+", "_", base, flags=re.UNICODE).strip("._") or "video"
    return base[-120:]


def create_upload(*, owner, length: int, metadata: dict) -> Upload:
    if length > settings.UPLOAD_MAX_SIZE:
        raise Rejected(Reason.TOO_LARGE, max=settings.UPLOAD_MAX_SIZE)
    if length == 0:
        raise Rejected(Reason.EMPTY_FILE)
    filename = metadata.get("filename") or metadata.get("name") or "video"
    upload = Upload(
        owner=owner,
        length=length,
        filename=filename[:255],
        title=(metadata.get("title") or os.path.splitext(filename)[0])[:255],
        metadata=metadata,
    )
    now = timezone.now()
    upload.storage_name = (
        f"originals/{now:%Y/%m}/{upload.id.hex}/{safe_filename(filename)}"
    )
    if is_s3():
        client, bucket, key = _s3_client_and_key(upload.storage_name)
        response = client.create_multipart_upload(Bucket=bucket, Key=key)
        upload.multipart_id = response["UploadId"]
    spool_dir(upload).mkdir(parents=True, exist_ok=True)
    upload.save()
    with _hashers_lock:
        _hashers[str(upload.id)] = (0, hashlib.sha256())
    return upload


@contextmanager
def _locked(upload: Upload):
    path = spool_dir(upload)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UploadConflict("upload busy") from exc
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def append(upload: Upload, offset: int, stream, content_length: int | None) -> Upload:
    """Append one PATCH body. Returns the upload (maybe completed/rejected)."""
    with _locked(upload):
        upload.refresh_from_db()
        if upload.status != UploadStatus.RECEIVING:
            raise UploadConflict(f"upload is {upload.status}")
        if offset != upload.offset:
            raise UploadConflict(f"offset {offset} != {upload.offset}")
        remaining = upload.length - upload.offset
        to_read = remaining if content_length is None else content_length
        if to_read > remaining:
            raise UploadConflict("body goes past Upload-Length")

        key = str(upload.id)
        with _hashers_lock:
            state = _hashers.get(key)
        hasher = state[1] if state and state[0] == upload.offset else None
        directory = spool_dir(upload)
        try:
            with (
                open(directory / "data", "ab") as data,
                open(directory / "head", "ab") as head,
            ):
                s3 = is_s3()
                part_size = settings.UPLOAD_PART_SIZE
                while to_read > 0:
                    want = min(READ_CHUNK, to_read)
                    if s3:  # exact part sizes: never read past the part boundary
                        want = min(want, part_size - data.tell())
                    chunk = stream.read(want)
                    if not chunk:
                        break  # client went away: keep what arrived (resumable)
                    data.write(chunk)
                    if upload.offset < HEAD_BYTES:
                        head.write(chunk[: HEAD_BYTES - upload.offset])
                    if hasher is not None:
                        hasher.update(chunk)
                    upload.offset += len(chunk)
                    to_read -= len(chunk)
                    if s3 and data.tell() >= part_size:
                        data.flush()
                        _send_part(upload, directory / "data")
                        data.seek(0)
                        data.truncate()
        finally:
            with _hashers_lock:
                if hasher is not None:
                    _hashers[key] = (upload.offset, hasher)
                else:
                    _hashers.pop(key, None)
            Upload.objects.filter(pk=upload.pk).update(
                offset=upload.offset,
                parts=upload.parts,
                part_offset=upload.part_offset,
                updated_at=timezone.now(),
            )

        if not upload.head_checked and (
            upload.offset >= HEAD_BYTES or upload.offset == upload.length
        ):
            upload.head_checked = True
            Upload.objects.filter(pk=upload.pk).update(head_checked=True)
            rejection = media_services.early_check(directory / "head")
            if rejection:
                reject(upload, rejection.code)
                raise Rejected(rejection.code, **rejection.params)
        if upload.offset == upload.length:
            _complete(upload, hasher)
    return upload


def _send_part(upload: Upload, path: Path) -> None:
    client, bucket, key = _s3_client_and_key(upload.storage_name)
    number = len(upload.parts) + 1
    size = path.stat().st_size
    with open(path, "rb") as body:
        response = client.upload_part(
            Bucket=bucket,
            Key=key,
            UploadId=upload.multipart_id,
            PartNumber=number,
            Body=body,
            ContentLength=size,
        )
    upload.parts = [*upload.parts, {"PartNumber": number, "ETag": response["ETag"]}]
    upload.part_offset += size


def _complete(upload: Upload, hasher) -> None:
    directory = spool_dir(upload)
    if is_s3():
        if (directory / "data").stat().st_size or not upload.parts:
            _send_part(upload, directory / "data")
        client, bucket, key = _s3_client_and_key(upload.storage_name)
        client.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload.multipart_id,
            MultipartUpload={"Parts": upload.parts},
        )
        name = upload.storage_name
    else:
        with open(directory / "data", "rb") as fh:
            name = default_storage.save(upload.storage_name, File(fh))
    upload.sha256 = hasher.hexdigest() if hasher is not None else ""
    upload.storage_name = name
    duplicate = media_services.find_duplicate(upload.sha256)
    if duplicate is not None:
        # Same bytes as an earlier video: keep that one, drop this copy.
        default_storage.delete(name)
        upload.video = duplicate
        upload.status = UploadStatus.DUPLICATE
    else:
        upload.video = media_services.create_video(
            title=upload.title,
            stored_name=name,
            original_filename=upload.filename,
            sha256=upload.sha256,
            size=upload.length,
            user=upload.owner,
        )
        upload.status = UploadStatus.COMPLETE
    upload.save()
    shutil.rmtree(directory, ignore_errors=True)
    with _hashers_lock:
        _hashers.pop(str(upload.id), None)


def abort(upload: Upload, status: str) -> None:
    """Drop the bytes of an unfinished upload (spool and S3 multipart)."""
    if upload.multipart_id and upload.status == UploadStatus.RECEIVING:
        client, bucket, key = _s3_client_and_key(upload.storage_name)
        try:
            client.abort_multipart_upload(
                Bucket=bucket, Key=key, UploadId=upload.multipart_id
            )
        except Exception as exc:  # noqa: BLE001 - already gone is fine
            logger.warning("abort multipart %s: %s", upload.multipart_id, exc)
    shutil.rmtree(spool_dir(upload), ignore_errors=True)
    upload.status = status
    upload.save(update_fields=["status", "reason", "updated_at"])
    with _hashers_lock:
        _hashers.pop(str(upload.id), None)


def reject(upload: Upload, code: str) -> None:
    upload.reason = code
    abort(upload, UploadStatus.REJECTED)


def cleanup_stale(hours: int | None = None) -> dict[str, int]:
    """Expire uploads idle for `hours` and abort orphaned S3 multipart uploads."""
    hours = settings.UPLOAD_EXPIRE_HOURS if hours is None else hours
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    expired = 0
    for upload in Upload.objects.filter(
        status=UploadStatus.RECEIVING, updated_at__lt=cutoff
    ):
        abort(upload, UploadStatus.EXPIRED)
        expired += 1
    orphans = 0
    if is_s3():
        client, bucket, _key = _s3_client_and_key("originals/")
        known = set(
            Upload.objects.filter(status=UploadStatus.RECEIVING)
            .exclude(multipart_id="")
            .values_list("multipart_id", flat=True)
        )
        response = client.list_multipart_uploads(Bucket=bucket, Prefix="originals/")
        for item in response.get("Uploads", []):
            if item["UploadId"] not in known and item["Initiated"] < cutoff:
                client.abort_multipart_upload(
                    Bucket=bucket, Key=item["Key"], UploadId=item["UploadId"]
                )
                orphans += 1
    return {"expired": expired, "orphaned_multipart": orphans}
