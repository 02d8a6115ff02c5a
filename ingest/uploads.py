"""Receiving resumable uploads with flat memory, on any web host.

Bytes are read from the request in 1 MB chunks and appended to a spool file.
The first HEAD_BYTES are also kept aside and probed as soon as they have
arrived (inside the read loop), so a bad file is refused before the rest is
read and before any byte of it reaches storage.

Only then is the storage key chosen: originals/YYYY/MM/<upload uuid hex>.<ext>,
the extension from the probed container (ingest.naming), never from the
client's file name. With the local storage the spool file *is* the upload and
is handed to storage.save() at the end; with S3 the multipart upload is created
after the head check (so it gets the final key), the bytes spooled until then
are sent as parts, and from then on the spool file is the current part, sent
(UploadPart) whenever it reaches UPLOAD_PART_SIZE.

Several web hosts (docs/deploy.md): any host may continue any upload.
* One writer at a time: a lease on the upload's row (lease_token/lease_until),
  taken with one conditional UPDATE, renewed while bytes arrive and checked
  before every write, so a request that lost it (silent past
  UPLOAD_LEASE_SECONDS, its host gone) never writes again. No local lock file.
* The state lives in the database (offset, S3 parts) and, with S3, the bytes
  not yet sent as a part (less than one part) are staged in the bucket
  between PATCHes (uploads/<id>/tail-<part offset>-<offset>): the request
  that continues fetches them, on whatever host. The spool is then a private
  folder of that request. With local storage the spool folder must be shared
  by the web hosts (WEIKE_UPLOAD_SPOOL_DIR beside a shared media folder), and
  is cut back to the offset the database records.

The SHA-256 is computed incrementally in the process that receives the bytes;
if a later PATCH lands in another process the hash is left empty and the
worker computes it when it downloads the original.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import logging
import mimetypes
import os
import shutil
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from media_pipeline import services as media_services
from media_pipeline.media_types import container_extension
from media_pipeline.probe import read_head, sniff_demuxer
from media_pipeline.rules import Reason, Rejected

from . import naming, selectors
from .models import Upload, UploadStatus

logger = logging.getLogger(__name__)

READ_CHUNK = 1024 * 1024
HEAD_BYTES = 2 * 1024 * 1024

# upload id -> (offset, hashlib object) for uploads received by this process.
_hashers: dict[str, tuple[int, object]] = {}
_hashers_lock = threading.Lock()


class UploadConflict(Exception):
    """Wrong Upload-Offset, or another request is writing this upload."""


class SpoolFull(Exception):
    """The spool's disk (or the quota on it) is full. The bytes written before
    are kept and counted; the client sends the rest once there is room."""


# A full disk or quota: the upload waits for room, nothing else is wrong.
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


@contextmanager
def _full_disk_is_spool_full():
    try:
        yield
    except OSError as exc:
        if exc.errno not in _NO_ROOM:
            raise
        raise SpoolFull(str(exc)) from exc


def _write_all(raw, chunk: bytes) -> None:
    """An unbuffered file's write may take part of the chunk (a disk nearly
    full): write the rest until done or the disk refuses."""
    view = memoryview(chunk)
    while view:
        view = view[raw.write(view) :]


class SpoolLost(Exception):
    """The spool has fewer bytes than recorded (local storage on a web host
    without the shared spool folder; a staged object gone): the upload goes
    back to what is there, and the client resumes from that offset."""

    def __init__(self, size: int):
        super().__init__(f"only {size} bytes of the spool are left")
        self.size = size


def spool_dir(upload: Upload) -> Path:
    return Path(settings.UPLOAD_SPOOL_DIR) / str(upload.id)


def is_s3(storage=None) -> bool:
    storage = storage or default_storage
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def _s3_client_and_key(name: str):
    storage = default_storage
    client = storage.connection.meta.client
    return client, storage.bucket_name, storage._normalize_name(name)


def _size_label(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} B"


def _check_user_limits(owner, length: int) -> None:
    """Refuse a new upload over the owner's limits. Call inside a transaction.

    The owner's user row is locked first (SELECT … FOR UPDATE on PostgreSQL;
    SQLite runs write transactions one at a time, BEGIN IMMEDIATE), so two
    concurrent POSTs of one user cannot both pass the count.
    """
    get_user_model().objects.select_for_update().get(pk=owner.pk)
    count, reserved = selectors.open_usage(owner)
    max_open = settings.UPLOAD_MAX_OPEN_PER_USER
    max_bytes = settings.UPLOAD_MAX_BYTES_IN_FLIGHT_PER_USER
    if count >= max_open or reserved + length > max_bytes:
        raise Rejected(
            Reason.TOO_MANY_UPLOADS, open=max_open, size=_size_label(max_bytes)
        )


def create_upload(*, owner, length: int, metadata: dict) -> Upload:
    if length > settings.UPLOAD_MAX_SIZE:
        raise Rejected(Reason.TOO_LARGE, max=settings.UPLOAD_MAX_SIZE)
    if length == 0:
        raise Rejected(Reason.EMPTY_FILE)
    metadata = naming.clean_metadata(metadata)
    filename = naming.display_name(
        metadata.get("filename") or metadata.get("name") or ""
    )
    title = metadata.get("title") or os.path.splitext(filename)[0] or filename
    with transaction.atomic():
        _check_user_limits(owner, length)
        # The storage key is chosen after the head check (_accept_head).
        upload = Upload.objects.create(
            owner=owner,
            length=length,
            filename=filename,
            title=title[: naming.TEXT_CHARS],
            metadata=metadata,
            storage_name="",
        )
    spool_dir(upload).mkdir(parents=True, exist_ok=True)
    with _hashers_lock:
        _hashers[str(upload.id)] = (0, hashlib.sha256())
    return upload


class _Lease:
    """The right to write one upload, held in its database row."""

    def __init__(self, upload: Upload):
        self.pk = upload.pk
        self.token = uuid.uuid4().hex
        self.seconds = settings.UPLOAD_LEASE_SECONDS
        self.renewed = 0.0

    def _until(self):
        return timezone.now() + datetime.timedelta(seconds=self.seconds)

    def acquire(self) -> None:
        free = Q(lease_token="") | Q(lease_until__lt=timezone.now())
        taken = (
            Upload.objects.filter(pk=self.pk)
            .filter(free)
            .update(lease_token=self.token, lease_until=self._until())
        )
        if not taken:
            raise UploadConflict("upload busy")
        self.renewed = time.monotonic()

    def check(self) -> None:
        """Before writing: still ours? Renewed once a quarter of it has passed
        (until then it cannot have run out, so no query is needed)."""
        if time.monotonic() - self.renewed < self.seconds / 4:
            return
        mine = Upload.objects.filter(pk=self.pk, lease_token=self.token)
        if not mine.update(lease_until=self._until()):
            raise UploadConflict("lease lost to another request")
        self.renewed = time.monotonic()

    def release(self) -> None:
        Upload.objects.filter(pk=self.pk, lease_token=self.token).update(
            lease_token="", lease_until=None
        )


@contextmanager
def _locked(upload: Upload):
    lease = _Lease(upload)
    lease.acquire()
    try:
        yield lease
    finally:
        lease.release()


def staged_prefix(upload: Upload) -> str:
    return f"uploads/{upload.id}/"


def _staged_key(upload: Upload) -> str:
    return f"{staged_prefix(upload)}tail-{upload.part_offset}-{upload.offset}"


class _Spool:
    """The spool files of one upload while a PATCH is read: `data` (local: the
    whole file; S3: the bytes not sent as parts yet) and `head`."""

    def __init__(self, upload: Upload, lease: _Lease):
        self.upload = upload
        self.s3 = is_s3()
        self.part_size = settings.UPLOAD_PART_SIZE
        # S3: a folder of this request only, filled from the staged bytes.
        self.dir = spool_dir(upload) / lease.token if self.s3 else spool_dir(upload)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.staged_key = _staged_key(upload)
        pending = upload.offset - upload.part_offset
        try:
            with _full_disk_is_spool_full():
                if self.s3:
                    self._fetch_staged(pending)
                self._cut(pending)
        except SpoolFull:
            self.remove()
            raise
        # Unbuffered: a byte counted is a byte the disk took (write()).
        self.data = open(self.dir / "data", "ab", buffering=0)  # noqa: SIM115
        self.head = open(self.dir / "head", "ab", buffering=0)  # noqa: SIM115

    def _fetch_staged(self, size: int) -> None:
        with open(self.dir / "data", "wb") as out:
            if size:
                client, bucket, key = _s3_client_and_key(self.staged_key)
                try:
                    body = client.get_object(Bucket=bucket, Key=key)["Body"]
                except client.exceptions.NoSuchKey as exc:
                    raise SpoolLost(0) from exc
                shutil.copyfileobj(body, out, READ_CHUNK)

    def _cut(self, size: int) -> None:
        """Make the spool hold exactly the bytes the database counts: a
        request cut off after writing but before recording them (a host
        that died) leaves more; fewer means the spool is gone."""
        data = self.dir / "data"
        if not data.exists():
            data.touch()
        if data.stat().st_size < size:
            raise SpoolLost(data.stat().st_size)
        os.truncate(data, size)
        if not self.upload.head_checked:
            with open(data, "rb") as src, open(self.dir / "head", "wb") as head:
                head.write(src.read(HEAD_BYTES))

    def close(self) -> None:
        self.data.close()
        self.head.close()

    def stage(self) -> None:
        """S3: keep the bytes not sent as a part in the bucket for the next
        PATCH (any host), and drop this request's folder."""
        if not self.s3:
            return
        new_key = _staged_key(self.upload)
        size = (self.dir / "data").stat().st_size
        if new_key != self.staged_key and size:
            client, bucket, key = _s3_client_and_key(new_key)
            with open(self.dir / "data", "rb") as body:
                client.put_object(Bucket=bucket, Key=key, Body=body, ContentLength=size)

    def drop_old_stage(self) -> None:
        if self.s3 and _staged_key(self.upload) != self.staged_key:
            default_storage.delete(self.staged_key)

    def remove(self) -> None:
        if self.s3:
            shutil.rmtree(self.dir, ignore_errors=True)

    def room(self) -> int:
        """How much may be read now: S3 parts have exact sizes once sending."""
        if self.s3 and self.upload.multipart_id:
            return self.part_size - self.data.tell()
        return READ_CHUNK

    def write(self, chunk: bytes) -> None:
        """Append one chunk and count it, or, when the disk is full, give back
        what part of it was written (SpoolFull): the spool then holds exactly
        the bytes counted, as after any interrupted request."""
        data_end, head_end = self.data.tell(), self.head.tell()
        try:
            with _full_disk_is_spool_full():
                _write_all(self.data, chunk)
                if self.upload.offset < HEAD_BYTES:
                    _write_all(self.head, chunk[: HEAD_BYTES - self.upload.offset])
        except SpoolFull:
            for spool_file, end in ((self.data, data_end), (self.head, head_end)):
                spool_file.truncate(end)
                spool_file.seek(end)
            raise
        self.upload.offset += len(chunk)

    def head_path(self) -> Path:
        self.head.flush()
        return self.dir / "head"

    def send_full_parts(self) -> None:
        """S3: send every whole part spooled so far and keep the rest."""
        if not (self.s3 and self.upload.multipart_id):
            return
        self.data.flush()
        size = self.data.tell()
        if size == self.part_size:  # the usual case: exactly one part
            _send_part(self.upload, self.dir / "data")
            self.data.seek(0)
            self.data.truncate()
        elif size > self.part_size:  # bytes spooled before the head check
            self.data.close()
            self._split(size)
            self.data = open(self.dir / "data", "ab", buffering=0)  # noqa: SIM115

    def _split(self, size: int) -> None:
        pending, data = self.dir / "pending", self.dir / "data"
        os.replace(data, pending)
        with open(pending, "rb") as src:
            while size - src.tell() >= self.part_size:
                with open(data, "wb") as part:
                    _copy(src, part, self.part_size)
                _send_part(self.upload, data)
            with open(data, "wb") as rest:
                shutil.copyfileobj(src, rest, READ_CHUNK)
        pending.unlink()


def _copy(src, dst, size: int) -> None:
    while size > 0:
        chunk = src.read(min(READ_CHUNK, size))
        if not chunk:
            break
        dst.write(chunk)
        size -= len(chunk)


def append(upload: Upload, offset: int, stream, content_length: int | None) -> Upload:
    """Append one PATCH body. Returns the upload (maybe completed/rejected)."""
    with _locked(upload) as lease:
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
        try:
            spool = _Spool(upload, lease)
        except SpoolLost as lost:
            _rewind(upload, lease, upload.part_offset + lost.size)
            raise UploadConflict(str(lost)) from lost
        try:
            _receive(upload, spool, lease, stream, to_read, hasher)
        finally:
            spool.close()
            _save_progress(upload, spool, lease, hasher)
        try:
            if upload.offset == upload.length:
                _complete(upload, spool.dir, hasher)
        finally:
            spool.remove()
    return upload


def _rewind(upload: Upload, lease: _Lease, offset: int) -> None:
    logger.warning("upload %s: spool lost, back to offset %d", upload.pk, offset)
    Upload.objects.filter(pk=upload.pk, lease_token=lease.token).update(
        offset=offset, updated_at=timezone.now()
    )


def _receive(upload, spool, lease, stream, to_read: int, hasher) -> None:
    while to_read > 0:
        chunk = stream.read(min(READ_CHUNK, to_read, spool.room()))
        if not chunk:
            break  # client went away: keep what arrived (resumable)
        lease.check()  # never write once another request took over
        spool.write(chunk)
        if hasher is not None:
            hasher.update(chunk)
        to_read -= len(chunk)
        if not upload.head_checked and (
            upload.offset >= HEAD_BYTES or upload.offset == upload.length
        ):
            _accept_head(upload, spool)  # raises Rejected: stop reading
        spool.send_full_parts()


def _save_progress(upload: Upload, spool: _Spool, lease: _Lease, hasher) -> None:
    key = str(upload.id)
    with _hashers_lock:
        if hasher is not None and upload.status == UploadStatus.RECEIVING:
            _hashers[key] = (upload.offset, hasher)
        else:
            _hashers.pop(key, None)
    if upload.status != UploadStatus.RECEIVING:
        return
    if upload.offset < upload.length:
        spool.stage()  # before the row says so: never a count without bytes
    saved = Upload.objects.filter(pk=upload.pk, lease_token=lease.token).update(
        offset=upload.offset,
        parts=upload.parts,
        part_offset=upload.part_offset,
        updated_at=timezone.now(),
    )
    if saved:
        spool.drop_old_stage()


def _accept_head(upload: Upload, spool: _Spool) -> None:
    """Probe the head; refuse the upload, or give it its storage key.

    head_checked is saved together with the key (and the S3 multipart id), so
    an error in between leaves the check to run again on the next PATCH.
    """
    head = spool.head_path()
    check = media_services.check_head(head)
    upload.head_checked = True
    if check.rejection:
        Upload.objects.filter(pk=upload.pk).update(head_checked=True)
        reject(upload, check.rejection.code)
        raise Rejected(check.rejection.code, **check.rejection.params)
    if not upload.multipart_id:  # else begun under an earlier key: keep it
        first_bytes = read_head(head)
        ext = container_extension(
            check.result.format_name if check.result else "",
            sniff_demuxer(first_bytes) or "",
            first_bytes,
        )
        upload.storage_name = naming.original_key(upload.id, upload.created_at, ext)
        if spool.s3:
            client, bucket, key = _s3_client_and_key(upload.storage_name)
            # The type follows the key (what the bytes are), as for local files.
            kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
            response = client.create_multipart_upload(
                Bucket=bucket, Key=key, ContentType=kind
            )
            upload.multipart_id = response["UploadId"]
    Upload.objects.filter(pk=upload.pk).update(
        head_checked=True,
        storage_name=upload.storage_name,
        multipart_id=upload.multipart_id,
    )


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


def _complete(upload: Upload, directory: Path, hasher) -> None:
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
    upload.video, created = media_services.find_or_create_video(
        sha256=upload.sha256,
        title=upload.title,
        stored_name=name,
        original_filename=upload.filename,
        size=upload.length,
        user=upload.owner,
    )
    if created:
        upload.status = UploadStatus.COMPLETE
    else:
        # Same bytes as an earlier video: keep that one, drop this copy.
        default_storage.delete(name)
        upload.status = UploadStatus.DUPLICATE
    upload.save()
    _drop_spool(upload)
    with _hashers_lock:
        _hashers.pop(str(upload.id), None)


def _drop_spool(upload: Upload) -> None:
    """The spool folder and, with S3, the bytes staged between PATCHes."""
    shutil.rmtree(spool_dir(upload), ignore_errors=True)
    if is_s3():
        from media_pipeline import storage as media_storage

        media_storage.delete_many(media_storage.walk(staged_prefix(upload)))


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
    _drop_spool(upload)
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
