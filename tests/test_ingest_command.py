"""`manage.py ingest_video`: a draft LessonPage, the same path as an upload."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import LessonPage, SubjectPage
from media_pipeline.models import Video, VideoStatus
from tests.factories import KnowledgePointFactory, UserFactory


@pytest.fixture
def owner(transactional_db):
    return UserFactory(username="teacher_cli")


def test_ingest_video_creates_draft_lesson_and_waits(owner, media_clips, settings):
    settings.MEDIA_X264_PRESET = "ultrafast"
    kp = KnowledgePointFactory(code="M-J-TEST-01", name="勾股定理")
    out = StringIO()
    call_command(
        "ingest_video",
        str(media_clips("mp4_h264")),
        "--title",
        "勾股定理的证明",
        "--stage",
        "junior",
        "--subject",
        "数学",
        "--knowledge-point",
        kp.code,
        "--owner",
        owner.username,
        "--wait",
        stdout=out,
    )
    lines = dict(line.split(" ", 1) for line in out.getvalue().splitlines())
    lesson = LessonPage.objects.get(pk=int(lines["lesson"]))
    assert lines["status"] == VideoStatus.READY
    assert not lesson.live
    assert lesson.author == owner
    # The same draft as the site's upload makes: the uploader owns it (and so
    # finds it under 我的微课), and its original has a generated name.
    assert lesson.owner == owner
    assert lesson.get_latest_revision() is not None
    source_name = media_clips("mp4_h264").name
    assert source_name not in lesson.video.file.name
    assert lesson.video.original_filename == source_name
    assert lesson.get_parent().specific == SubjectPage.objects.get(
        stage__code="junior", subject__code="maths"
    )
    assert list(lesson.knowledge_points.all()) == [kp]
    assert lesson.video.status == VideoStatus.READY
    assert lesson.video.renditions.count() == 2


def test_ingest_video_rejects_with_reason(owner, media_clips):
    with pytest.raises(CommandError) as info:
        call_command(
            "ingest_video",
            str(media_clips("audio_only")),
            "--title",
            "只有声音",
            "--stage",
            "junior",
            "--subject",
            "maths",
            "--owner",
            owner.username,
            "--wait",
        )
    assert "no_video" in str(info.value)
    assert "没有视频" in str(info.value)
    assert Video.objects.count() == 0
    assert LessonPage.objects.count() == 0
