"""Draft videos are never served to people who may not see the draft,
including by guessing file URLs (issue 5's boundary, enforced for issue 3's files)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from media_pipeline.models import Video, VideoStatus
from tests.factories import LessonPageFactory, UserFactory


@pytest.fixture
def draft_lesson(db):
    author = UserFactory(username="author_a")
    video = Video.objects.create(
        title="草稿视频",
        file="originals/2026/11/secret.mp4",
        status=VideoStatus.READY,
        uploaded_by=author,
    )
    default_storage.save(f"renditions/{video.pk}/360p.mp4", ContentFile(b"\x00" * 64))
    default_storage.save(
        f"renditions/{video.pk}/hls/master.m3u8",
        ContentFile(b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360p.m3u8\n"),
    )
    default_storage.save("originals/2026/11/secret.mp4", ContentFile(b"\x00" * 64))
    lesson = LessonPageFactory(author=author, video=video, live=False)
    return lesson, video


def test_anonymous_cannot_fetch_a_drafts_files(client, draft_lesson):
    _lesson, video = draft_lesson
    assert client.get(f"/media/renditions/{video.pk}/360p.mp4").status_code == 404
    hls = f"/media-pipeline/videos/{video.pk}/hls/master.m3u8"
    assert client.get(hls).status_code == 404
    assert client.get(f"/media-pipeline/videos/{video.pk}/").status_code == 404


def test_another_teacher_cannot_fetch_a_drafts_files(client, draft_lesson):
    _lesson, video = draft_lesson
    client.force_login(UserFactory(username="teacher_b"))
    assert client.get(f"/media/renditions/{video.pk}/360p.mp4").status_code == 404
    assert client.get(f"/media-pipeline/videos/{video.pk}/").status_code == 404


def test_the_author_can_watch_the_draft(client, draft_lesson):
    lesson, video = draft_lesson
    client.force_login(lesson.author)
    response = client.get(f"/media/renditions/{video.pk}/360p.mp4")
    assert response.status_code == 200
    assert client.get(f"/media-pipeline/videos/{video.pk}/").status_code == 200


def test_published_lessons_are_public(client, draft_lesson):
    lesson, video = draft_lesson
    lesson.save_revision().publish()
    assert client.get(f"/media/renditions/{video.pk}/360p.mp4").status_code == 200
    hls = client.get(f"/media-pipeline/videos/{video.pk}/hls/master.m3u8")
    assert hls.status_code == 200 and b"#EXTM3U" in hls.content


def test_originals_and_other_files_are_never_served_directly(client, draft_lesson):
    lesson, _video = draft_lesson
    lesson.save_revision().publish()
    client.force_login(lesson.author)
    assert client.get("/media/originals/2026/11/secret.mp4").status_code == 404
    assert client.get("/media/documents/anything.pdf").status_code == 404
    assert client.get("/media/imports/knowledge/x.csv").status_code == 404
