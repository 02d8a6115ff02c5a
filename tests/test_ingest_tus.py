"""The tus 1.0 upload endpoint on local storage (jobs recorded, not run)."""

import base64
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from ingest.models import Upload, UploadStatus
from media_pipeline.models import Video
from tests.fixtures_media import TUS, tus_patch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def dummy_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }


@pytest.fixture
def teacher_client(client, django_user_model):
    user = django_user_model.objects.create_user("teacher_tus", password="x")
    client.force_login(user)
    client.user = user
    return client


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create(client, length: int, filename="课堂.mp4", title="勾股定理"):
    return client.post(
        "/ingest/tus/",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=f"filename {b64(filename)},title {b64(title)}",
        **TUS,
    )


def test_options_advertises_tus(client):
    response = client.options("/ingest/tus/")
    assert response["Tus-Version"] == "1.0.0"
    assert "creation" in response["Tus-Extension"]
    assert int(response["Tus-Max-Size"]) == 4 * 1024**3


def test_login_required(client):
    assert create(client, 10).status_code == 401


def test_resumable_upload_with_hash_and_duplicate(
    teacher_client, media_clips, django_capture_on_commit_callbacks
):
    data = media_clips("mp4_h264").read_bytes()
    response = create(teacher_client, len(data))
    assert response.status_code == 201
    url = response["Location"]

    third = len(data) // 3
    assert tus_patch(teacher_client, url, 0, data[:third]).status_code == 204
    # The connection drops; the client asks where to resume.
    head = teacher_client.head(url, **TUS)
    assert int(head["Upload-Offset"]) == third
    # A PATCH at the wrong offset is refused and changes nothing.
    conflict = tus_patch(teacher_client, url, 0, data[:100])
    assert conflict.status_code == 409
    assert int(conflict["Upload-Offset"]) == third
    assert (
        tus_patch(teacher_client, url, third, data[third : 2 * third]).status_code
        == 204
    )
    with django_capture_on_commit_callbacks() as callbacks:
        final = tus_patch(teacher_client, url, 2 * third, data[2 * third :])
    assert final.status_code == 204
    assert len(callbacks) == 1  # the processing job, after commit

    upload = Upload.objects.get()
    assert upload.status == UploadStatus.COMPLETE
    video = Video.objects.get(pk=final["Weike-Video-Id"])
    assert video.sha256 == hashlib.sha256(data).hexdigest()
    assert video.title == "勾股定理"
    assert video.uploaded_by == teacher_client.user
    assert video.file_size == len(data)
    with default_storage.open(video.file.name, "rb") as fh:
        assert fh.read() == data

    # The same bytes again: recognised, no second video, no second original.
    again = create(teacher_client, len(data))
    response = tus_patch(teacher_client, again["Location"], 0, data)
    assert response.status_code == 204
    assert response["Weike-Upload-Status"] == UploadStatus.DUPLICATE
    assert int(response["Weike-Video-Id"]) == video.pk
    assert Video.objects.count() == 1


def test_bad_file_rejected_from_its_first_bytes(teacher_client):
    junk = b"This is a slide deck, not a video. " * 120_000  # ~4 MB
    url = create(teacher_client, len(junk), filename="slides.mp4")["Location"]
    first = junk[: 3 * 1024 * 1024]
    response = tus_patch(teacher_client, url, 0, first)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "unsupported_container"
    assert "不支持" in body["message"] and "Unsupported" not in body["message"]
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.REJECTED
    assert upload.offset < len(junk)
    # Nothing more is accepted and no video was created.
    assert (
        tus_patch(teacher_client, url, len(first), junk[len(first) :]).status_code
        == 422
    )
    assert Video.objects.count() == 0


def test_low_resolution_rejected_when_complete(teacher_client, media_clips):
    data = media_clips("low_res").read_bytes()
    url = create(teacher_client, len(data))["Location"]
    response = tus_patch(teacher_client, url, 0, data)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "resolution_too_low"
    # The rule's numbers reach the teacher, not the template's placeholders.
    assert "320×240" in body["message"] and "{" not in body["message"]
    assert "%(" not in body["message"]


def test_size_limit(teacher_client, settings):
    settings.UPLOAD_MAX_SIZE = 1000
    response = create(teacher_client, 1001)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_stale_uploads_cleaned(teacher_client, media_clips, settings):
    from pathlib import Path

    data = media_clips("mp4_h264").read_bytes()
    url = create(teacher_client, len(data))["Location"]
    tus_patch(teacher_client, url, 0, data[:1000])
    upload = Upload.objects.get()
    spool = Path(settings.UPLOAD_SPOOL_DIR) / str(upload.pk)
    assert spool.exists()
    call_command("cleanup_uploads", hours=1)
    assert Upload.objects.get().status == UploadStatus.RECEIVING  # still fresh
    call_command("cleanup_uploads", hours=0)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.EXPIRED
    assert not spool.exists()
    assert teacher_client.head(url, **TUS).status_code == 410
