"""Files follow their rows: deleting a video, a lesson or a rejected upload
removes what it stored, after commit, on local disk and on S3; re-transcoding
leaves no stale files; `reconcile_storage` finds what no row claims."""

import base64
import io
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from catalog.models import LessonPage, ResourceAttachment
from ingest.models import Upload, UploadStatus
from media_pipeline import services
from media_pipeline.models import Video, VideoRendition, VideoStatus
from tests.factories import LessonPageFactory
from tests.fixtures_media import TUS, tus_patch

pytestmark = pytest.mark.django_db

HLS_OF_720 = ["720p.mp4", "hls/720p.m3u8", "hls/720p_init.mp4", "hls/720p_00000.m4s"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """A media folder of this test's own: what is on disk is what it made."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_X264_PRESET = "ultrafast"
    return settings.MEDIA_ROOT


@pytest.fixture
def short_videos_allowed(settings):
    settings.MEDIA_VALIDATION = {"MIN_DURATION": 1.0, "REQUIRE_AUDIO": False}


def on_disk(root) -> set[str]:
    root = Path(root)
    return {
        str(Path(d, f).relative_to(root))
        for d, _dirs, files in os.walk(root)
        for f in files
    }


def in_bucket(s3) -> set[str]:
    pages = s3["client"].get_paginator("list_objects_v2").paginate(Bucket=s3["bucket"])
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def transcoded(clip, run) -> Video:
    with open(clip, "rb") as fh, run(execute=True):
        video = services.create_video(
            title="勾股定理", fileobj=fh, original_filename=Path(clip).name
        )
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, video.reason_detail
    return video


def planted_video(names=("360p.mp4", "hls/360p.m3u8", "poster.jpg")) -> Video:
    """A video row with an original and some rendition files (no ffmpeg)."""
    video = services.create_video(
        title="种下的视频",
        fileobj=ContentFile(b"original bytes", name="lesson.mp4"),
        original_filename="lesson.mp4",
        enqueue=False,
    )
    for name in names:
        default_storage.save(f"renditions/{video.pk}/{name}", ContentFile(b"x"))
    VideoRendition.objects.create(
        video=video,
        profile="360p",
        file=f"renditions/{video.pk}/360p.mp4",
        hls_playlist=f"renditions/{video.pk}/hls/360p.m3u8",
    )
    Video.objects.filter(pk=video.pk).update(
        poster_jpeg=f"renditions/{video.pk}/poster.jpg"
    )
    video.refresh_from_db()
    return video


def stored_names(video: Video) -> set[str]:
    names = {video.file.name, video.poster_jpeg.name}
    for r in video.renditions.all():
        names |= {r.file.name, r.hls_playlist.name}
    return names - {""}


def make_document(title, content=b"pptx bytes"):
    from wagtail.documents.models import Document

    doc = Document(title=title)
    doc.file.save(f"{title}.pptx", ContentFile(content), save=False)
    doc.save()
    return doc


# --- Deleting a video ----------------------------------------------------------


def test_deleting_a_transcoded_video_removes_every_file_on_disk(
    media_clips, short_videos_allowed, django_capture_on_commit_callbacks, media_root
):
    video = transcoded(media_clips("short"), django_capture_on_commit_callbacks)
    files = on_disk(media_root)
    assert video.file.name in files
    assert f"renditions/{video.pk}/hls/master.m3u8" in files
    assert any(name.endswith(".m4s") for name in files)
    assert f"renditions/{video.pk}/storyboard.jpg" in files

    with django_capture_on_commit_callbacks(execute=True):
        video.delete()

    assert on_disk(media_root) == set()


@pytest.mark.s3
def test_deleting_a_transcoded_video_removes_every_object_on_s3(
    s3_storage, media_clips, short_videos_allowed, django_capture_on_commit_callbacks
):
    video = transcoded(media_clips("short"), django_capture_on_commit_callbacks)
    objects = in_bucket(s3_storage)
    assert video.file.name in objects
    assert f"renditions/{video.pk}/hls/master.m3u8" in objects

    with django_capture_on_commit_callbacks(execute=True):
        video.delete()

    assert in_bucket(s3_storage) == set()


def test_files_go_only_after_commit_and_stay_on_rollback(
    django_capture_on_commit_callbacks, media_root
):
    video = planted_video()
    before = on_disk(media_root)
    assert stored_names(video) <= before

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            Video.objects.get(pk=video.pk).delete()
            raise RuntimeError("the request failed after the delete")
    assert Video.objects.filter(pk=video.pk).exists()
    assert on_disk(media_root) == before

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Video.objects.get(pk=video.pk).delete()
        # Not yet committed: the files are still there.
        assert on_disk(media_root) == before
    assert callbacks
    assert on_disk(media_root) == set()


def test_a_file_another_video_claims_is_kept(
    django_capture_on_commit_callbacks, media_root
):
    video = planted_video()
    twin = Video.objects.create(title="同一个文件", file=video.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        video.delete()
    assert on_disk(media_root) == {twin.file.name}


# --- Re-transcoding ------------------------------------------------------------


def test_retranscoding_removes_the_old_set_and_keeps_the_new(
    media_clips, short_videos_allowed, django_capture_on_commit_callbacks, media_root
):
    video = transcoded(media_clips("short"), django_capture_on_commit_callbacks)
    first = on_disk(media_root)
    # What an earlier, longer ladder left: a 720p rung and a stale segment.
    base = f"renditions/{video.pk}"
    stale = [f"{base}/{name}" for name in HLS_OF_720] + [f"{base}/hls/360p_00999.m4s"]
    for name in stale:
        default_storage.save(name, ContentFile(b"old"))
    VideoRendition.objects.create(
        video=video, profile="720p", file=stale[0], hls_playlist=stale[1]
    )
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_video(video)
    video.refresh_from_db()

    assert video.status == VideoStatus.READY, video.reason_detail
    assert sorted(video.renditions.values_list("profile", flat=True)) == [
        "360p",
        "480p",
    ]
    assert on_disk(media_root) == first
    for rendition in video.renditions.all():
        assert default_storage.size(rendition.file.name) > 1000


# --- Deleting a lesson ---------------------------------------------------------


def test_deleting_a_lesson_removes_its_unused_video_and_documents(
    django_capture_on_commit_callbacks, media_root
):
    video = planted_video()
    page = LessonPageFactory(video=video)
    only_here = make_document("仅此课件")
    shared = make_document("共用课件")
    ResourceAttachment.objects.create(page=page, document=only_here)
    ResourceAttachment.objects.create(page=page, document=shared)
    other = LessonPageFactory()
    ResourceAttachment.objects.create(page=other, document=shared)
    assert stored_names(video) <= on_disk(media_root)

    with django_capture_on_commit_callbacks(execute=True):
        LessonPage.objects.get(pk=page.pk).delete()

    assert not Video.objects.filter(pk=video.pk).exists()
    assert not type(only_here).objects.filter(pk=only_here.pk).exists()
    assert on_disk(media_root) == {shared.file.name}


def test_a_video_another_lesson_uses_is_kept(
    django_capture_on_commit_callbacks, media_root
):
    video = planted_video()
    page = LessonPageFactory(video=video)
    LessonPageFactory(video=video)
    # A draft that uses it counts too: only the revision names it.
    drafted = planted_video()
    other = LessonPageFactory()
    other.video = drafted
    other.save_revision()
    LessonPage.objects.filter(pk=other.pk).update(video=None)
    lonely = planted_video()
    page.video = lonely
    page.save_revision()  # the deleted page's own draft: garbage with it
    before, lonely_files = on_disk(media_root), stored_names(lonely)

    with django_capture_on_commit_callbacks(execute=True):
        LessonPage.objects.get(pk=page.pk).delete()

    assert set(Video.objects.values_list("pk", flat=True)) == {video.pk, drafted.pk}
    assert on_disk(media_root) == before - lonely_files


# --- A rejected upload ---------------------------------------------------------


def test_a_rejected_upload_leaves_no_original(
    client,
    django_user_model,
    media_clips,
    django_capture_on_commit_callbacks,
    media_root,
    settings,
):
    settings.UPLOAD_SPOOL_DIR = media_root.parent / "spool"
    client.force_login(django_user_model.objects.create_user("teacher_lifecycle"))
    data = media_clips("short").read_bytes()  # 5 s: too short for the rules
    meta = "filename " + base64.b64encode(b"lesson.mp4").decode()
    url = client.post(
        "/ingest/tus/",
        HTTP_UPLOAD_LENGTH=str(len(data)),
        HTTP_UPLOAD_METADATA=meta,
        **TUS,
    )["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        assert tus_patch(client, url, 0, data).status_code == 204
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.COMPLETE
    video = Video.objects.get(pk=upload.video_id)
    assert video.status == VideoStatus.REJECTED
    assert video.reason  # the teacher still sees why

    assert on_disk(media_root) == set()
    assert on_disk(settings.UPLOAD_SPOOL_DIR) == set()
    assert video.file.name == ""


# --- reconcile_storage ---------------------------------------------------------


def reconcile(*args) -> str:
    out = io.StringIO()
    call_command("reconcile_storage", "--min-age", "0", *args, stdout=out)
    return out.getvalue()


def seeded_with_files():
    """The demo plus one file of every kind a row claims."""
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    video = planted_video((*HLS_OF_720[1:], "360p.mp4", "hls/360p.m3u8", "poster.jpg"))
    VideoRendition.objects.create(  # its segments are claimed by the profile
        video=video, profile="720p", hls_playlist=f"renditions/{video.pk}/hls/720p.m3u8"
    )
    make_document("课件")
    png = io.BytesIO()
    PILImage.new("RGB", (40, 30), "red").save(png, "PNG")
    image = Image(title="封面")
    image.file.save("cover.png", ContentFile(png.getvalue()), save=False)
    image.width, image.height = 40, 30
    image.save()
    image.get_rendition("fill-20x20")
    return video


def test_reconcile_reports_nothing_on_a_clean_seeded_state(demo, media_root):
    seeded_with_files()
    before = on_disk(media_root)
    assert any(name.startswith("images/") for name in before)  # an image rendition
    out = reconcile("--delete")
    assert "orphans: 0" in out
    assert on_disk(media_root) == before


def test_reconcile_lists_planted_orphans_and_deletes_them(media_root):
    video = seeded_with_files()
    claimed = on_disk(media_root)
    orphans = {
        "originals/2020/01/stray.mp4",
        f"renditions/{video.pk}/hls/1080p_00000.m4s",  # no 1080p rendition
        "renditions/987654/360p.mp4",  # no such video
        "documents/forgotten.pdf",
        "original_images/lost.png",
    }
    for name in orphans:
        default_storage.save(name, ContentFile(b"orphan"))
    outside = default_storage.save("elsewhere/keep.txt", ContentFile(b"not ours"))

    listed = reconcile()
    for name in orphans:
        assert name in listed
    assert "orphans: 5" in listed
    assert on_disk(media_root) == claimed | orphans | {outside}

    deleted = reconcile("--delete")
    assert "deleted: 5" in deleted
    assert on_disk(media_root) == claimed | {outside}
    assert "orphans: 0" in reconcile()


def test_reconcile_keeps_files_younger_than_min_age(media_root):
    default_storage.save("originals/2020/01/in-flight.mp4", ContentFile(b"arriving"))
    out = io.StringIO()
    call_command("reconcile_storage", "--delete", stdout=out)
    assert "orphans: 0" in out.getvalue()
    assert on_disk(media_root) == {"originals/2020/01/in-flight.mp4"}


@pytest.mark.s3
def test_reconcile_on_s3(s3_storage):
    video = planted_video()
    claimed = in_bucket(s3_storage)
    default_storage.save("renditions/987654/hls/master.m3u8", ContentFile(b"#EXTM3U"))
    default_storage.save(f"renditions/{video.pk}/hls/720p.m3u8", ContentFile(b"old"))
    assert "orphans: 2" in reconcile("--delete")
    assert in_bucket(s3_storage) == claimed


# Odd but storable names: Chinese, spaces, percent signs, look-alike dots.
odd_names = st.text(
    alphabet=st.sampled_from(list("abc微课 %．-_")), min_size=1, max_size=20
).map(lambda s: s.strip() or "x")


@hsettings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=odd_names)
def test_reconcile_handles_odd_names(media_root, name):
    video = planted_video()
    stray = default_storage.save(f"renditions/{video.pk}/{name}.m4s", ContentFile(b"o"))
    claimed_before = stored_names(video)
    out = reconcile("--delete")
    assert stray in out
    assert not default_storage.exists(stray)
    assert all(default_storage.exists(n) for n in claimed_before)
    video.delete()
