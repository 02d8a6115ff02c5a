"""Chapter marks: the model rule, the admin form, and the lesson page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset

from catalog.models import LessonChapter, LessonPage
from tests.factories import UserFactory
from tests.fixtures_alliance import edit_form_data
from tests.fixtures_site import make_lessons, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(kp_tree):
    """A live lesson on 一次函数 and 一次函数的图像 with a 95 s video."""
    video = make_video(status="ready", duration=95.0)
    return make_lessons(
        1, knowledge_points=[kp_tree["linear"], kp_tree["graph"]], video=video
    )[0]


def _chapter(lesson, kp, start):
    return LessonChapter(page=lesson, knowledge_point=kp, start_seconds=start)


# --- the model ---------------------------------------------------------------


def test_a_chapter_on_an_own_point_inside_the_video_is_valid(lesson, kp_tree):
    _chapter(lesson, kp_tree["graph"], 0).full_clean()
    _chapter(lesson, kp_tree["graph"], 94).full_clean()


@pytest.mark.parametrize("start", [95, 96, 10**6, 10**30])
def test_a_start_at_or_after_the_end_is_refused(lesson, kp_tree, start):
    with pytest.raises(ValidationError) as error:
        _chapter(lesson, kp_tree["graph"], start).full_clean()
    assert "start_seconds" in error.value.message_dict


def test_a_negative_start_is_refused(lesson, kp_tree):
    with pytest.raises(ValidationError) as error:
        _chapter(lesson, kp_tree["graph"], -1).full_clean()
    assert "start_seconds" in error.value.message_dict


@pytest.mark.parametrize("start", ["abc", "1e3", "", None, "²", "12.5"])
def test_a_start_that_is_not_a_number_is_refused(lesson, kp_tree, start):
    with pytest.raises(ValidationError) as error:
        _chapter(lesson, kp_tree["graph"], start).full_clean()
    assert "start_seconds" in error.value.message_dict


def test_another_lessons_point_is_refused(lesson, kp_tree):
    other = make_lessons(1, knowledge_points=[kp_tree["pythag"]])[0]
    assert other.knowledge_points.filter(pk=kp_tree["pythag"].pk).exists()
    with pytest.raises(ValidationError) as error:
        _chapter(lesson, kp_tree["pythag"], 10).full_clean()
    assert list(error.value.message_dict) == ["knowledge_point"]


def test_without_a_known_length_the_longest_accepted_video_bounds_it(kp_tree, settings):
    settings.MEDIA_VALIDATION = {**settings.MEDIA_VALIDATION, "MAX_DURATION": 600.0}
    lesson = make_lessons(1, knowledge_points=[kp_tree["graph"]])[0]  # no video
    _chapter(lesson, kp_tree["graph"], 599).full_clean()
    with pytest.raises(ValidationError):
        _chapter(lesson, kp_tree["graph"], 600).full_clean()


def test_the_message_names_the_length_in_both_languages(lesson, kp_tree):
    from django.utils import translation

    for language, text in (
        ("zh-hans", "开始时间必须不小于 0，并早于视频结束（1:35）。"),
        (
            "en",
            "The start time must be 0 or more and before the end of the video (1:35).",
        ),
    ):
        with translation.override(language), pytest.raises(ValidationError) as error:
            _chapter(lesson, kp_tree["graph"], 200).full_clean()
        assert error.value.message_dict["start_seconds"] == [text]


# --- the admin form ----------------------------------------------------------


@pytest.fixture
def admin_client(client, taxonomy):
    client.force_login(
        UserFactory(username="chap_admin", is_superuser=True, is_staff=True)
    )
    return client


def _post(client, lesson, points, chapters):
    data = edit_form_data(lesson, chapters=inline_formset(chapters))
    # A multiple choice: one value per point (nested_form_data would number them).
    data["knowledge_points"] = [kp.pk for kp in points]
    return client.post(reverse("wagtailadmin_pages:edit", args=[lesson.pk]), data)


def _latest(lesson):
    return LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object()


def test_author_adds_a_point_and_its_chapter_in_one_edit(admin_client, lesson, kp_tree):
    points = [kp_tree["linear"], kp_tree["graph"], kp_tree["prop"]]
    response = _post(
        admin_client,
        lesson,
        points,
        [
            {"knowledge_point": kp_tree["prop"].pk, "start_seconds": "40"},
            {"knowledge_point": kp_tree["graph"].pk, "start_seconds": "0"},
        ],
    )
    assert response.status_code == 302, response.context["form"].errors
    chapters = sorted(
        (c.start_seconds, c.knowledge_point_id) for c in _latest(lesson).chapters.all()
    )
    assert chapters == [(0, kp_tree["graph"].pk), (40, kp_tree["prop"].pk)]


def _chapter_errors(response):
    assert response.status_code == 200  # the form again, with the values kept
    formset = response.context["form"].formsets["chapters"]
    return [dict(form.errors) for form in formset.forms]


def test_admin_form_refuses_a_point_the_lesson_does_not_have(
    admin_client, lesson, kp_tree
):
    response = _post(
        admin_client,
        lesson,
        [kp_tree["linear"], kp_tree["graph"]],
        [{"knowledge_point": kp_tree["pythag"].pk, "start_seconds": "10"}],
    )
    errors = _chapter_errors(response)
    assert list(errors[0]) == ["knowledge_point"]
    assert "本微课自己的知识点" in errors[0]["knowledge_point"][0]
    assert not _latest(lesson).chapters.exists()


def test_admin_form_checks_against_the_video_in_the_form(admin_client, lesson, kp_tree):
    short = make_video(status="ready", duration=40.0, uploaded_by=None)
    data = edit_form_data(
        lesson,
        video=short.pk,
        chapters=inline_formset(
            [{"knowledge_point": kp_tree["graph"].pk, "start_seconds": "50"}]
        ),
    )
    data["knowledge_points"] = [kp_tree["graph"].pk]
    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]), data
    )
    assert list(_chapter_errors(response)[0]) == ["start_seconds"]


@pytest.mark.parametrize(
    "start", ["-5", "95", "abc", "1e2", "9" * 30, "²", "12.5", " ", "0x10"]
)
def test_admin_form_refuses_hostile_start_values(admin_client, lesson, kp_tree, start):
    response = _post(
        admin_client,
        lesson,
        [kp_tree["graph"]],
        [{"knowledge_point": kp_tree["graph"].pk, "start_seconds": start}],
    )
    assert "start_seconds" in _chapter_errors(response)[0]


@pytest.mark.parametrize("kp", ["²", "1" * 30, "-1", "1 OR 1=1", "../1", "0"])
def test_admin_form_refuses_hostile_point_ids(admin_client, lesson, kp_tree, kp):
    response = _post(
        admin_client,
        lesson,
        [kp_tree["graph"]],
        [{"knowledge_point": kp, "start_seconds": "10"}],
    )
    assert "knowledge_point" in _chapter_errors(response)[0]


# --- the lesson page ---------------------------------------------------------


def test_lesson_page_lists_chapters_in_time_order_with_marks_data(
    client, lesson, kp_tree
):
    from media_pipeline.models import VideoRendition

    video = lesson.video
    video.hls_master.name = f"renditions/{video.pk}/master.m3u8"
    video.save()
    r = VideoRendition(video=video, profile="360p", status="ready", height=360)
    r.file.name = f"renditions/{video.pk}/360p.mp4"
    r.save()
    LessonChapter.objects.create(
        page=lesson, knowledge_point=kp_tree["graph"], start_seconds=75
    )
    LessonChapter.objects.create(
        page=lesson, knowledge_point=kp_tree["linear"], start_seconds=0
    )
    # Stale rows (the point was removed from the lesson; a start past the
    # end, e.g. after the video was replaced) are not shown.
    LessonChapter.objects.create(
        page=lesson, knowledge_point=kp_tree["pythag"], start_seconds=5
    )
    LessonChapter.objects.create(
        page=lesson, knowledge_point=kp_tree["graph"], start_seconds=500
    )
    html = client.get(lesson.url).content.decode()
    assert html.count('class="chapter"') == 2
    first = html.index('data-start="0"')
    second = html.index('data-start="75"')
    assert first < second
    assert (
        '<span class="chapter-time">1:15</span> '
        '<span class="chapter-name">一次函数的图像</span>' in html
    )
    assert "章节" in html
    assert (
        '<div class="scrub">' in html
    )  # shown for the marks, even without a storyboard
    english = client.get(lesson.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Chapters<" in english and "Resume from" in english and "Speed" in english
    assert "章节" not in english and "继续播放" not in english


def test_lesson_page_without_chapters_has_no_chapter_list(client, lesson):
    from media_pipeline.models import VideoRendition

    video = lesson.video
    r = VideoRendition(video=video, profile="360p", status="ready", height=360)
    r.file.name = f"renditions/{video.pk}/360p.mp4"
    r.save()
    html = client.get(lesson.url).content.decode()
    assert 'class="chapter"' not in html
    assert f'data-lesson="{lesson.pk}"' in html
    assert 'class="speed-select"' in html


def test_caption_tracks_reach_the_player_default_first(client, lesson):
    """What the C key turns on and off: the video's WebVTT tracks."""
    from media_pipeline.models import VideoCaption, VideoRendition

    video = lesson.video
    r = VideoRendition(video=video, profile="360p", status="ready", height=360)
    r.file.name = f"renditions/{video.pk}/360p.mp4"
    r.save()
    for position, language, label, default in (
        (0, "en", "English", False),
        (1, "zh", "中文", True),
    ):
        VideoCaption.objects.create(
            video=video,
            position=position,
            language=language,
            label=label,
            default=default,
            file=f"renditions/{video.pk}/captions/{position}.vtt",
        )
    html = client.get(lesson.url).content.decode()
    zh = html.index(f'src="/media/renditions/{video.pk}/captions/1.vtt" srclang="zh"')
    en = html.index(f'src="/media/renditions/{video.pk}/captions/0.vtt" srclang="en"')
    assert zh < en
    assert 'label="中文" default>' in html
    assert html.count(" default>") == 1
