"""S3-compatible storage over HTTP (moto server): multipart upload and a full job."""

import base64
import datetime
import hashlib
import urllib.request

import pytest
from django.core.management import call_command
from django.utils import timezone

from ingest.models import Upload, UploadStatus
from media_pipeline.models import Video, VideoStatus
from tests.fixtures_media import PART_SIZE_FOR_TESTS, TUS, ffprobe_streams, tus_patch

pytestmark = [pytest.mark.django_db, pytest.mark.s3]


@pytest.fixture
def teacher_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("teacher_s3"))
    return client


def tus_create(client, length, name="lesson.mp4"):
    meta = "filename " + base64.b64encode(name.encode()).decode()
    return client.post(
        "/ingest/tus/", HTTP_UPLOAD_LENGTH=str(length), HTTP_UPLOAD_METADATA=meta, **TUS
    )["Location"]


def keys(s3, prefix=""):
    found = s3["client"].list_objects_v2(Bucket=s3["bucket"], Prefix=prefix)
    return {item["Key"] for item in found.get("Contents", [])}


def test_tus_multipart_upload_and_job_on_s3(
    s3_storage,
    settings,
    teacher_client,
    media_clips,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_X264_PRESET = "ultrafast"
    data = media_clips("mp4_h264").read_bytes()
    assert len(data) > 3 * PART_SIZE_FOR_TESTS  # several multipart parts
    url = tus_create(teacher_client, len(data))
    # Chunks that do not line up with parts, as a real client sends them.
    step = PART_SIZE_FOR_TESTS + 12345
    offset = 0
    with django_capture_on_commit_callbacks(execute=True):
        while offset < len(data):
            response = tus_patch(
                teacher_client, url, offset, data[offset : offset + step]
            )
            assert response.status_code == 204, response.content
            offset += step
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.COMPLETE
    assert len(upload.parts) >= 3

    video = Video.objects.get(pk=upload.video_id)
    assert video.sha256 == hashlib.sha256(data).hexdigest()
    original = s3_storage["client"].get_object(
        Bucket=s3_storage["bucket"], Key=video.file.name
    )
    assert original["Body"].read() == data

    assert video.status == VideoStatus.READY, video.reason_detail
    stored = keys(s3_storage, f"renditions/{video.pk}/")
    assert f"renditions/{video.pk}/480p.mp4" in stored
    assert f"renditions/{video.pk}/hls/master.m3u8" in stored
    assert f"renditions/{video.pk}/poster.webp" in stored

    # Renditions are served through short-lived signed URLs.
    rendition = video.renditions.get(profile="360p")
    signed = rendition.file.url
    assert "X-Amz-Signature=" in signed and "X-Amz-Expires=300" in signed
    info = ffprobe_streams(signed)
    stream = [s for s in info["streams"] if s["codec_type"] == "video"][0]
    assert (stream["codec_name"], stream["width"], stream["height"]) == (
        "h264",
        480,
        360,
    )
    unsigned = signed.split("?")[0]
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(unsigned, timeout=10)  # noqa: S310

    # The HLS playlists handed to players carry signed segment URLs.
    master = teacher_client.get(f"/media-pipeline/videos/{video.pk}/hls/master.m3u8")
    assert master.status_code == 200
    assert f"/media-pipeline/videos/{video.pk}/hls/360p.m3u8" in master.text
    variant = teacher_client.get(f"/media-pipeline/videos/{video.pk}/hls/360p.m3u8")
    segment_urls = [
        line for line in variant.text.splitlines() if line.startswith("http")
    ]
    assert segment_urls and all("X-Amz-Signature=" in u for u in segment_urls)
    with urllib.request.urlopen(segment_urls[0], timeout=10) as fh:  # noqa: S310
        assert len(fh.read()) > 0
    assert 'URI="http' in variant.text  # the fMP4 init segment is signed too


def test_stale_multipart_upload_is_aborted(
    s3_storage, teacher_client, media_clips, monkeypatch
):
    # The multipart upload begins once the head has been checked; the clip is
    # smaller than the usual head (2 MB), so the head is made one part here.
    monkeypatch.setattr("ingest.uploads.HEAD_BYTES", PART_SIZE_FOR_TESTS)
    data = media_clips("mp4_h264").read_bytes()
    url = tus_create(teacher_client, len(data))
    sent = 3 * PART_SIZE_FOR_TESTS + 10
    assert len(data) > sent
    assert tus_patch(teacher_client, url, 0, data[:sent]).status_code == 204
    upload = Upload.objects.get()
    assert len(upload.parts) == sent // PART_SIZE_FOR_TESTS
    client, bucket = s3_storage["client"], s3_storage["bucket"]
    assert len(client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])) == 1

    Upload.objects.filter(pk=upload.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=2)
    )
    call_command("cleanup_uploads")
    upload.refresh_from_db()
    assert upload.status == UploadStatus.EXPIRED
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
