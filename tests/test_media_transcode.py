"""The whole job on local storage: real ffmpeg, renditions checked with ffprobe."""

import subprocess
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.files.storage import default_storage
from PIL import Image

from media_pipeline import services, storage
from media_pipeline.models import RenditionStatus, Video, VideoStatus
from media_pipeline.rules import Reason
from tests.fixtures_media import ffprobe_streams, said

# What ffmpeg made is checked; the rows around it are plain ORM (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.postgresql_pass]


@pytest.fixture(autouse=True)
def fast_x264(settings):
    settings.MEDIA_X264_PRESET = "ultrafast"


def ingest(path, run, title="测试微课"):
    with open(path, "rb") as fh, run(execute=True):
        video = services.create_video(
            title=title, fileobj=fh, original_filename=Path(path).name
        )
    video.refresh_from_db()
    return video


def local(name) -> Path:
    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / name


def check_rendition(rendition, source_duration, width, height):
    info = ffprobe_streams(local(rendition.file.name))
    video = [s for s in info["streams"] if s["codec_type"] == "video"][0]
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert video["codec_name"] == "h264"
    assert (video["width"], video["height"]) == (width, height)
    assert abs(float(info["format"]["duration"]) - source_duration) <= 0.5
    assert audio and audio[0]["codec_name"] == "aac"
    # faststart: the index (moov) comes before the media data (mdat).
    head = local(rendition.file.name).read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (
        head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat")
    )


def test_mp4_job_end_to_end(media_clips, django_capture_on_commit_callbacks):
    video = ingest(media_clips("mp4_h264"), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    assert video.progress == 100
    assert len(video.sha256) == 64
    assert (video.width, video.height, video.video_codec) == (640, 480, "h264")

    renditions = {r.profile: r for r in video.renditions.all()}
    # 640x480 source: no 720p/1080p (never upscale).
    assert set(renditions) == {"480p", "360p"}
    assert all(r.status == RenditionStatus.READY for r in renditions.values())
    assert all(r.progress == 100 for r in renditions.values())
    # Already compliant H.264/AAC at 480 lines: the top rung is copied.
    assert renditions["480p"].copied and not renditions["360p"].copied
    check_rendition(renditions["480p"], video.duration, 640, 480)
    check_rendition(renditions["360p"], video.duration, 480, 360)

    # The HLS master playlist is a valid ffmpeg input with both variants.
    info = ffprobe_streams(local(video.hls_master.name))
    sizes = {
        (s["width"], s["height"]) for s in info["streams"] if s["codec_type"] == "video"
    }
    assert sizes == {(640, 480), (480, 360)}
    assert abs(float(info["format"]["duration"]) - video.duration) <= 0.5

    for field, width in [
        ("poster_jpeg", 720),
        ("poster_webp", 720),
        ("thumbnail_jpeg", 344),
        ("thumbnail_webp", 344),
    ]:
        with Image.open(local(getattr(video, field).name)) as img:
            assert img.width == width
            assert img.format == ("WEBP" if field.endswith("webp") else "JPEG")
    with Image.open(local(video.storyboard.name)) as sprite:
        assert sprite.width == 1600  # ten 160 px tiles per row

    # A finished job delivered again does nothing.
    assert services.process_video(video.pk) == VideoStatus.READY
    assert video.attempts == 1
    # A worker killed mid-job leaves the video in `transcoding`; the redelivered
    # job runs it again and never duplicates renditions or files.
    names = sorted(default_storage.listdir(f"renditions/{video.pk}")[1])
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.TRANSCODING)
    assert services.process_video(video.pk) == VideoStatus.READY
    video.refresh_from_db()
    assert video.attempts == 2
    assert video.status == VideoStatus.READY
    assert video.renditions.count() == 2
    assert sorted(default_storage.listdir(f"renditions/{video.pk}")[1]) == names
    assert video.get_rendition("480p").pk == renditions["480p"].pk


def test_portrait_phone_video(media_clips, django_capture_on_commit_callbacks):
    video = ingest(media_clips("portrait_rotated"), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    assert (video.width, video.height) == (480, 854)
    renditions = {r.profile: r for r in video.renditions.all()}
    assert set(renditions) == {"480p", "360p"}
    assert not renditions["480p"].copied  # rotation must be applied, not copied
    check_rendition(renditions["480p"], video.duration, 480, 854)
    check_rendition(renditions["360p"], video.duration, 360, 640)


def test_avi_mpeg4_is_transcoded(media_clips, django_capture_on_commit_callbacks):
    video = ingest(media_clips("avi_mpeg4"), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    renditions = {r.profile: r for r in video.renditions.all()}
    check_rendition(renditions["480p"], video.duration, 854, 480)
    check_rendition(renditions["360p"], video.duration, 640, 360)


def test_rejected_video_keeps_reason(media_clips, django_capture_on_commit_callbacks):
    video = ingest(media_clips("audio_only"), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.REJECTED
    assert video.reason == Reason.NO_VIDEO
    assert not video.retriable
    assert "视频" in said(video, "zh-hans", "reason_message")
    assert video.renditions.count() == 0


def test_failed_job_keeps_original_and_retries(
    media_clips, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_TRANSCODE_TIMEOUT = 0.05
    video = ingest(media_clips("mp4_h264"), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.FAILED
    assert video.reason == Reason.TRANSCODE_TIMEOUT
    assert video.retriable
    assert default_storage.exists(video.file.name)

    settings.MEDIA_TRANSCODE_TIMEOUT = None
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_video(video)
    video.refresh_from_db()
    assert video.status == VideoStatus.READY
    assert video.attempts == 2


def test_admin_retry_action(
    media_clips, admin_client, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_TRANSCODE_TIMEOUT = 0.05
    video = ingest(media_clips("mp4_h264"), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.FAILED
    listing = admin_client.get("/admin/snippets/media_pipeline/video/")
    assert listing.status_code == 200
    retry_url = f"/admin/snippets/media_pipeline/video/retry/{video.pk}/"
    assert retry_url in listing.content.decode()
    assert admin_client.get(retry_url).status_code == 200
    settings.MEDIA_TRANSCODE_TIMEOUT = None
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(retry_url)
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.status == VideoStatus.READY


def test_storage_errors_are_retried_with_backoff(settings):
    settings.MEDIA_STORAGE_BACKOFF = 0.01
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("S3 503")
        return "ok"

    assert storage.with_retries(flaky) == "ok"
    assert len(calls) == 3

    def down():
        raise ConnectionError("S3 down")

    with pytest.raises(storage.StorageUnavailable):
        storage.with_retries(down)


def test_system_check_reports_missing_ffmpeg(settings):
    assert not [m for m in run_checks() if m.id.startswith("media_pipeline.")]
    settings.MEDIA_FFMPEG_BINARY = "ffmpeg-that-does-not-exist"
    errors = [m for m in run_checks() if m.id == "media_pipeline.E001"]
    assert len(errors) == 1 and errors[0].is_serious()


S3_STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.mark.parametrize(
    "part, largest, expected",
    [
        (8 * 1024**2, 4 * 1024**3, []),
        (128 * 1024, 4 * 1024**3, ["media_pipeline.E003"]),
        (6 * 1024**3, 4 * 1024**3, ["media_pipeline.E003"]),
        (5 * 1024**2, 100 * 1024**3, ["media_pipeline.E004"]),
    ],
)
def test_system_check_refuses_impossible_s3_part_sizes(
    settings, part, largest, expected
):
    from media_pipeline.checks import upload_parts_possible

    settings.STORAGES = S3_STORAGES
    settings.UPLOAD_PART_SIZE = part
    settings.UPLOAD_MAX_SIZE = largest
    assert [e.id for e in upload_parts_possible(None)] == expected


def test_part_size_is_not_checked_on_local_disk(settings):
    from media_pipeline.checks import upload_parts_possible

    settings.UPLOAD_PART_SIZE = 1
    assert upload_parts_possible(None) == []


def test_ffmpeg_is_on_path():
    assert subprocess.run(["ffmpeg", "-version"], capture_output=True).returncode == 0
