"""Disk full while an upload spools (issue 15): a real gunicorn host whose
spool folder is a small tmpfs (its own mount namespace, `unshare`), filled
but for a little room. The PATCH that meets the full disk gets a 507 with one
sentence in the teacher's language; every byte counted before is kept; once
space returns the same upload continues and the file is byte-exact."""

from __future__ import annotations

import os
from pathlib import Path

import requests
from django.utils import translation

from ingest import tus
from ingest.models import Upload, UploadStatus
from tests.fixtures_prod import tus_create, tus_session

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
TMPFS_BYTES = 16 * 1024 * 1024
PAGE = 4096


def on_small_disk(spool: Path, free: int) -> tuple[str, ...]:
    """A command prefix: a private mount namespace whose `spool` is a tmpfs
    with about `free` bytes left (the rest taken by spool/filler)."""
    filler = (TMPFS_BYTES - free) // PAGE * PAGE
    script = (
        f'mount -t tmpfs -o size={TMPFS_BYTES} weike-spool "$0" && '
        f'head -c {filler} /dev/zero > "$0/filler" && exec "$@"'
    )
    return ("unshare", "--user", "--map-root-user", "--mount") + (
        "sh",
        "-c",
        script,
        str(spool),
    )


def patch(session, url: str, offset: int, data: bytes) -> requests.Response:
    return session.patch(
        url,
        data=data,
        headers={
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
        timeout=60,
    )


def test_a_full_spool_disk_keeps_what_arrived_and_the_upload_resumes(
    transactional_db, settings, gunicorn_hosts, media_clips, tmp_path, django_user_model
):
    data = media_clips("mp4_h264").read_bytes()
    spool = tmp_path / "spool"
    spool.mkdir()
    # The spool keeps the file and a copy of its head: room for about half.
    wrap = on_small_disk(spool, len(data) // 2)
    web = gunicorn_hosts("web", wrap, UPLOAD_SPOOL_DIR=spool, TASKS=DUMMY_TASKS)
    session = tus_session(django_user_model.objects.create_user("teacher_full"))
    session.headers["Accept-Language"] = "zh-hans"
    url = tus_create(session, f"http://{web}", len(data))

    # Pieces smaller than the server's read chunk: the one that meets the
    # full disk is given back whole.
    step = min(len(data) // 10 + 1, 256 * 1024)
    offset = 0
    while True:
        response = patch(session, url, offset, data[offset : offset + step])
        if response.status_code != 204:
            break
        offset += step
        assert offset < len(data), "the disk never filled up"
    assert response.status_code == 507, response.text
    with translation.override("zh-hans"):
        said = str(tus.SPOOL_FULL)
    assert response.json() == {"code": "storage_full", "message": said}
    with translation.override("en"):
        assert str(tus.SPOOL_FULL) != said
    assert response.headers["Retry-After"] == "60"
    # Every byte counted before the disk filled is kept, and no more.
    assert 0 < offset < len(data)
    assert response.headers["Upload-Offset"] == str(offset)
    head = session.head(url, timeout=30)
    assert head.headers["Upload-Offset"] == str(offset)
    assert Upload.objects.get().status == UploadStatus.RECEIVING

    # Space returns (the operator cleans up): the same upload goes on.
    os.unlink(f"/proc/{gunicorn_hosts.pids['web']}/root{spool}/filler")
    while offset < len(data):
        response = patch(session, url, offset, data[offset : offset + step])
        assert response.status_code == 204, response.text
        offset += step
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.COMPLETE
    with open(Path(settings.MEDIA_ROOT) / upload.storage_name, "rb") as stored:
        assert stored.read() == data
