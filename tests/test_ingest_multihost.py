"""Any web host continues any upload: state and a lease in the database, the
bytes between PATCHes staged in the bucket (S3) or a shared spool (local)."""

from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
from django.utils import timezone

from ingest import uploads
from ingest.models import Upload, UploadStatus
from tests.fixtures_media import PART_SIZE_FOR_TESTS, TUS, tus_patch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def dummy_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }


@pytest.fixture
def teacher_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("teacher_multi"))
    return client


def tus_create(client, length):
    meta = "filename " + base64.b64encode(b"lesson.mp4").decode()
    response = client.post(
        "/ingest/tus/", HTTP_UPLOAD_LENGTH=str(length), HTTP_UPLOAD_METADATA=meta, **TUS
    )
    return response["Location"]


def as_host(settings, spool):
    """What a request on another web host sees: its own spool folder and no
    hash state of the process that received the earlier bytes."""
    settings.UPLOAD_SPOOL_DIR = spool
    uploads._hashers.clear()


def staged(s3):
    found = s3["client"].list_objects_v2(Bucket=s3["bucket"], Prefix="uploads/")
    return [item["Key"] for item in found.get("Contents", [])]


@pytest.mark.s3
def test_two_hosts_without_a_shared_disk_take_turns_on_s3(
    s3_storage, settings, teacher_client, media_clips, tmp_path, monkeypatch
):
    monkeypatch.setattr("ingest.uploads.HEAD_BYTES", PART_SIZE_FOR_TESTS)
    data = media_clips("mp4_h264").read_bytes()
    url = tus_create(teacher_client, len(data))
    step = PART_SIZE_FOR_TESTS // 2 + 777  # PATCHes that split parts and head
    offset, turn = 0, 0
    while offset < len(data):
        as_host(settings, tmp_path / ("host-a", "host-b")[turn % 2])
        response = tus_patch(teacher_client, url, offset, data[offset : offset + step])
        assert response.status_code == 204, response.content
        offset, turn = offset + step, turn + 1
        if offset < len(data):
            # Between PATCHes nothing of the upload is on either host's disk.
            hosts = [tmp_path / "host-a", tmp_path / "host-b"]
            assert [p for h in hosts for p in h.glob("*/*/data")] == []
            assert len(staged(s3_storage)) <= 1
    upload = Upload.objects.get()
    assert turn > 6 and upload.status == UploadStatus.COMPLETE
    stored = (
        s3_storage["client"]
        .get_object(Bucket=s3_storage["bucket"], Key=upload.storage_name)["Body"]
        .read()
    )
    assert hashlib.sha256(stored).digest() == hashlib.sha256(data).digest()
    assert staged(s3_storage) == []


def test_two_hosts_sharing_the_spool_folder_take_turns_on_local_storage(
    settings, teacher_client, media_clips, tmp_path
):
    from django.core.files.storage import default_storage

    data = media_clips("mp4_h264").read_bytes()
    url = tus_create(teacher_client, len(data))
    step = 700_001
    for turn, offset in enumerate(range(0, len(data), step)):
        as_host(settings, tmp_path / "shared")
        response = tus_patch(teacher_client, url, offset, data[offset : offset + step])
        assert response.status_code == 204, (turn, response.content)
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.COMPLETE
    with default_storage.open(upload.storage_name) as fh:
        assert fh.read() == data


def test_a_patch_while_another_request_holds_the_lease_is_refused(
    teacher_client, media_clips
):
    data = media_clips("mp4_h264").read_bytes()
    url = tus_create(teacher_client, len(data))
    upload = Upload.objects.get()
    Upload.objects.filter(pk=upload.pk).update(
        lease_token="x" * 32, lease_until=timezone.now() + datetime.timedelta(minutes=1)
    )
    response = tus_patch(teacher_client, url, 0, data[:1000])
    assert response.status_code == 409
    assert Upload.objects.get().offset == 0


def test_the_lease_of_a_host_that_died_is_taken_over(teacher_client, media_clips):
    data = media_clips("mp4_h264").read_bytes()
    url = tus_create(teacher_client, len(data))
    assert tus_patch(teacher_client, url, 0, data[:1000]).status_code == 204
    upload = Upload.objects.get()
    # A host died mid-PATCH: its lease ran out, and it had spooled bytes it
    # never recorded.
    Upload.objects.filter(pk=upload.pk).update(
        lease_token="d" * 32, lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    with open(uploads.spool_dir(upload) / "data", "ab") as spool:
        spool.write(b"\xff" * 5000)
    response = tus_patch(teacher_client, url, 1000, data[1000:])
    assert response.status_code == 204
    upload.refresh_from_db()
    assert upload.status == UploadStatus.COMPLETE and upload.lease_token == ""
    from django.core.files.storage import default_storage

    with default_storage.open(upload.storage_name) as fh:
        assert fh.read() == data


def test_a_request_that_lost_its_lease_stops_writing(teacher_client, media_clips):
    data = media_clips("mp4_h264").read_bytes()
    tus_create(teacher_client, len(data))
    upload = Upload.objects.get()
    lease = uploads._Lease(upload)
    lease.acquire()
    Upload.objects.filter(pk=upload.pk).update(lease_token="n" * 32)  # taken over
    lease.renewed -= lease.seconds  # a long silence
    with pytest.raises(uploads.UploadConflict):
        lease.check()


def test_a_host_without_the_spool_sends_the_client_back_to_what_is_left(
    settings, teacher_client, media_clips, tmp_path
):
    data = media_clips("mp4_h264").read_bytes()
    url = tus_create(teacher_client, len(data))
    as_host(settings, tmp_path / "host-a")
    assert tus_patch(teacher_client, url, 0, data[:5000]).status_code == 204
    as_host(settings, tmp_path / "host-b")  # local storage, spool not shared
    response = tus_patch(teacher_client, url, 5000, data[5000:])
    assert response.status_code == 409
    head = teacher_client.head(url, **TUS)
    assert head["Upload-Offset"] == "0"  # resumable from what is there
    response = tus_patch(teacher_client, url, 0, data)
    assert response.status_code == 204
    assert Upload.objects.get().status == UploadStatus.COMPLETE
