"""Near duplicates: perceptual frame hashes + duration, linked to the original,
reported to editors, counted once in quotas."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from django.utils import timezone

from catalog.models import CatalogEntryPage
from dashboard.services import DatabaseCounter, counted_once
from media_pipeline import services
from media_pipeline.models import Video
from tests.factories import LessonPageFactory, UserFactory


@pytest.fixture
def relaxed(settings):
    settings.MEDIA_VALIDATION = {"MIN_DURATION": 1.0, "MIN_LINES": 240}
    settings.MEDIA_X264_PRESET = "ultrafast"


def ffmpeg(*args):
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True, timeout=120
    )


@pytest.fixture
def clips(media_clips, tmp_path):
    base = media_clips("tiny")  # 3 s testsrc 640x480 with sound
    trimmed = tmp_path / "trimmed.mp4"  # a second off, re-encoded at 480x360
    ffmpeg(
        "-ss",
        1,
        "-i",
        base,
        "-vf",
        "scale=480:360",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        trimmed,
    )
    other = tmp_path / "other.mp4"  # another recording of the same length
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "mandelbrot=size=640x480:rate=10",
        "-t",
        3,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        other,
    )
    return base, trimmed, other


def ingest(path, user):
    data = path.read_bytes()
    with open(path, "rb") as fh:
        video = services.create_video(
            title=path.name,
            fileobj=fh,
            sha256=hashlib.sha256(data).hexdigest(),
            user=user,
            enqueue=False,
            extension="mp4",
        )
    assert services.process_video(video.pk) == "ready"
    return Video.objects.get(pk=video.pk)


def test_reencoded_trimmed_copy_is_linked_and_another_clip_is_not(db, relaxed, clips):
    teacher = UserFactory(username="t_dup")
    base, trimmed, other = clips
    original = ingest(base, teacher)
    copy = ingest(trimmed, UserFactory(username="t_dup2"))
    different = ingest(other, teacher)
    assert len(original.frame_hashes["p"]) >= 4
    assert copy.duplicate_of_id == original.pk
    assert different.duplicate_of_id is None
    assert original.duplicate_of_id is None


def _live_lesson(video):
    page = LessonPageFactory(video=video)
    page.first_published_at = page.last_published_at = timezone.now()
    page.save(update_fields=["first_published_at", "last_published_at"])
    return page


def test_quotas_count_the_same_recording_once(db, relaxed, clips):
    teacher = UserFactory(username="t_quota")
    base, trimmed, other = clips
    original, copy, different = (ingest(p, teacher) for p in (base, trimmed, other))
    lessons = [_live_lesson(v) for v in (original, copy, different, original)]
    live = CatalogEntryPage.objects.filter(live=True)
    assert live.count() == 4
    counted = set(counted_once(live).values_list("pk", flat=True))
    assert counted == {lessons[0].pk, lessons[2].pk}
    cube = DatabaseCounter().cube(timezone.now().year)
    assert sum(n for key, n in cube.items() if key[0] == "pub") == 2


def test_editor_report_and_status_show_the_pair(db, relaxed, clips, client):
    base, trimmed, other = clips
    owner = UserFactory(username="t_rep")
    stranger = UserFactory(username="t_rep2")
    original = ingest(base, owner)
    copy = ingest(trimmed, stranger)
    admin = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get("/admin/media-pipeline/near-duplicates/").content.decode()
    assert page.count('class="near-duplicate-pair"') == 1
    assert copy.thumbnail_jpeg.url in page and original.thumbnail_jpeg.url in page
    client.force_login(stranger)
    status = client.get(f"/media-pipeline/videos/{copy.pk}/").json()
    assert status["near_duplicate"] is True
    # The other teacher's video is not named.
    assert "duplicate_of" not in status
    assert f"/renditions/{original.pk}/" not in str(status)
    assert f"/videos/{original.pk}/" not in str(status)


def test_uploader_sees_the_notice_in_my_lessons(db, relaxed, clips, client):
    base, trimmed, _other = clips
    owner, copier = UserFactory(username="t_orig"), UserFactory(username="t_copy")
    original = ingest(base, owner)
    copy = ingest(trimmed, copier)
    LessonPageFactory(video=original, author=owner, owner=owner)
    LessonPageFactory(video=copy, author=copier, owner=copier)
    notice = "疑似与库中已有视频重复"
    client.force_login(copier)
    page = client.get("/my/").content.decode()
    assert page.count(notice) == 1
    # Nothing of the other teacher's lesson is named.
    assert f"/renditions/{original.pk}/" not in page
    client.force_login(owner)
    assert notice not in client.get("/my/").content.decode()
