"""The development cache of finished transcodes (media_pipeline/transcode_cache.py):
what lets a fresh clone's `make run` seed its demo without encoding it again."""

import pytest
from django.core.files.storage import default_storage

from media_pipeline import services
from media_pipeline.models import Video, VideoStatus

# What ffmpeg made is checked; the rows around it are plain ORM (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.postgresql_pass]


@pytest.fixture
def cache_dir(settings, tmp_path):
    settings.MEDIA_X264_PRESET = "ultrafast"
    settings.MEDIA_VALIDATION = {**settings.MEDIA_VALIDATION, "MIN_DURATION": 1}
    settings.MEDIA_TRANSCODE_CACHE_DIR = str(tmp_path / "transcodes")
    return tmp_path / "transcodes"


@pytest.fixture
def transcodes(monkeypatch):
    """How many times ffmpeg's ladder really ran."""
    calls = []
    real = services.run_transcode

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "run_transcode", counted)
    return calls


def upload(path) -> Video:
    with open(path, "rb") as fh:
        video = services.create_video(title="缓存", fileobj=fh, enqueue=False)
    return video


def second_copy(video: Video) -> Video:
    """Another video row of the same bytes (find-or-create would return the first)."""
    with default_storage.open(video.file.name, "rb") as fh:
        return upload_bytes(fh.read())


def upload_bytes(data: bytes) -> Video:
    from django.core.files.base import ContentFile

    return services.create_video(title="缓存", fileobj=ContentFile(data), enqueue=False)


def test_the_same_bytes_are_restored_not_encoded_again(
    cache_dir, transcodes, media_clips
):
    first = upload(media_clips("tiny"))
    assert services.process_video(first.pk) == VideoStatus.READY
    assert len(transcodes) == 1
    assert len([p for p in cache_dir.iterdir() if not p.name.startswith(".")]) == 1

    again = second_copy(first)
    assert services.process_video(again.pk) == VideoStatus.READY
    assert len(transcodes) == 1  # restored, ffmpeg's ladder did not run
    again.refresh_from_db()
    first.refresh_from_db()
    assert again.hls_master.name == f"renditions/{again.pk}/hls/master.m3u8"
    assert default_storage.exists(again.hls_master.name)
    assert again.renditions.filter(status="ready").count() == (
        first.renditions.filter(status="ready").count()
    )
    for rendition in again.renditions.all():
        assert default_storage.size(rendition.file.name) > 0
    assert again.frame_hashes == first.frame_hashes
    assert again.duplicate_of_id == first.pk  # the fingerprint still ran


def test_a_changed_command_is_a_new_key(cache_dir, transcodes, media_clips, settings):
    first = upload(media_clips("tiny"))
    services.process_video(first.pk)
    settings.MEDIA_X264_CRF = 30
    again = second_copy(first)
    assert services.process_video(again.pk) == VideoStatus.READY
    assert len(transcodes) == 2
    assert len([p for p in cache_dir.iterdir() if not p.name.startswith(".")]) == 2


def test_large_sources_and_unset_folder_keep_nothing(
    cache_dir, transcodes, media_clips, settings
):
    settings.MEDIA_TRANSCODE_CACHE_MAX_BYTES = 1000
    first = upload(media_clips("tiny"))
    services.process_video(first.pk)
    assert not cache_dir.exists() or not any(cache_dir.iterdir())

    settings.MEDIA_TRANSCODE_CACHE_MAX_BYTES = 10**9
    settings.MEDIA_TRANSCODE_CACHE_DIR = ""
    again = second_copy(first)
    services.process_video(again.pk)
    assert len(transcodes) == 2
    assert not cache_dir.exists() or not any(cache_dir.iterdir())
