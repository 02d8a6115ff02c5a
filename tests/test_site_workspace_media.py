"""The lesson workspace's media: another video over the site's tus upload
(catalog.lifecycle.replace_video) and an uploaded caption file that becomes
the player's 中文字幕 track (media_pipeline.captions)."""

import pytest
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import WorkflowState

from catalog.models import LessonPage, ResourceAttachment
from media_pipeline import captions
from media_pipeline.models import Video, VideoCaption, VideoStatus
from tests import workspace_files as f
from tests.fixtures_alliance import (
    current_task_state,
    latest_workflow_state,
    publish,
    workflow_action_url,
)
from tests.test_site_my import _finished_upload

pytestmark = pytest.mark.django_db

IN_REVIEW = "该资源正在审核中，请先撤回提交再修改。"


def _video_url(page):
    return reverse("portal:video", args=[page.pk])


def _latest_video_id(page):
    return LessonPage.objects.get(pk=page.pk).get_latest_revision_as_object().video_id


# --- Another video ---------------------------------------------------------------


def test_returned_lesson_gets_a_new_video_and_goes_back_to_processing(
    alliance_users, make_draft, login
):
    teacher, editor = alliance_users["teacher_a"], alliance_users["math_editor"]
    page = make_draft(teacher)
    client = login(teacher)
    client.post(reverse("portal:submit", args=[page.pk]))
    login(editor).post(
        workflow_action_url(page, "reject", current_task_state(page)),
        {"comment": "请重录开头"},
    )
    upload = _finished_upload(teacher)
    client = login(teacher)
    html = client.get(reverse("portal:workspace", args=[page.pk])).content.decode()
    assert f'data-finish-url="{_video_url(page)}"' in html
    assert 'data-tus-endpoint="/ingest/tus/"' in html

    response = client.post(_video_url(page), {"upload": str(upload.pk)})

    assert response.status_code == 200
    assert response.json()["status_url"] == f"/lessons/{page.pk}/status/"
    assert _latest_video_id(page) == upload.video_id
    assert LessonPage.objects.get(pk=page.pk).video_id == upload.video_id
    # The new video is not ready: the returned review is cancelled and the
    # lesson is back in video processing.
    assert latest_workflow_state(page).status == WorkflowState.STATUS_CANCELLED
    status = client.get(f"/lessons/{page.pk}/status/").json()
    assert status["video"]["state"] == "processing"


def test_video_replacement_is_refused_in_review(alliance_users, make_draft, login):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    client.post(reverse("portal:submit", args=[page.pk]))
    before = _latest_video_id(page)
    upload = _finished_upload(teacher)

    response = client.post(_video_url(page), {"upload": str(upload.pk)})

    assert response.status_code == 409
    assert response.json()["errors"]["upload"][0]["message"] == IN_REVIEW
    assert _latest_video_id(page) == before
    assert latest_workflow_state(page).status == WorkflowState.STATUS_IN_PROGRESS


def test_another_teachers_upload_or_video_is_refused(alliance_users, make_draft, login):
    teacher_a, teacher_b = alliance_users["teacher_a"], alliance_users["teacher_b"]
    page = make_draft(teacher_a)
    before = _latest_video_id(page)
    theirs = _finished_upload(teacher_b)
    unfinished = _finished_upload(teacher_a, status="receiving")
    # A duplicate upload naming a video another lesson shows.
    used = _finished_upload(teacher_a)
    used.video = make_draft(teacher_b).video
    used.save()
    client = login(teacher_a)
    for value in (str(theirs.pk), str(unfinished.pk), str(used.pk), "²", "1" * 30, ""):
        response = client.post(_video_url(page), {"upload": value})
        assert response.status_code == 400
        assert response.json()["errors"]["upload"][0]["message"]
    assert _latest_video_id(page) == before


def test_a_published_lesson_keeps_its_video_until_the_new_one_is_published(
    alliance_users, make_draft, login
):
    teacher = alliance_users["teacher_a"]
    page = publish(make_draft(teacher), teacher)
    published = page.video_id
    upload = _finished_upload(teacher)
    response = login(teacher).post(_video_url(page), {"upload": str(upload.pk)})
    assert response.status_code == 200
    assert LessonPage.objects.get(pk=page.pk).video_id == published
    assert _latest_video_id(page) == upload.video_id


# --- Captions: conversion ----------------------------------------------------------

SRT = (
    "1\r\n00:00:01,000 --> 00:00:03,500\r\n一次函数的图像\r\n\r\n"
    "2\r\n00:00:04,000 --> 00:00:06,000\r\n<i>两点法</i>画图\r\n\r\n"
)


def test_srt_in_gb18030_becomes_clean_webvtt():
    vtt = captions.to_webvtt(SRT.encode("gb18030"))
    assert vtt == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\n一次函数的图像\n\n"
        "00:00:04.000 --> 00:00:06.000\n两点法画图\n"
    )


def test_webvtt_keeps_only_timings_and_text():
    source = (
        "\ufeffWEBVTT - 标题\n\nSTYLE\n::cue { color: red }\n\nNOTE 备注\n\n"
        "intro\n00:01.000 --> 00:02.000 align:start position:10%\n第一句\n第二行\n"
    )
    vtt = captions.to_webvtt(source.encode("utf-8"))
    assert vtt == "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n第一句\n第二行\n"


def test_a_script_in_a_cue_is_text_never_markup():
    source = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<script>alert(1)</script> & -->\n"
    )
    vtt = captions.to_webvtt(source.encode())
    assert "<script" not in vtt
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; --&gt;" in vtt
    assert vtt.count("-->") == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes(range(256)) * 4, "这个字幕文件不是 UTF-8 或 GB18030 编码的文本。"),
        (b"\x00\x01WEBVTT\n\n", "这个字幕文件不是 UTF-8 或 GB18030 编码的文本。"),
        (
            "只是一段文字，没有时间。".encode(),
            "这个文件不是 WebVTT 或 SRT 字幕文件：其中没有字幕。",
        ),
        (
            b"1\n00:00:05,000 --> 00:00:01,000\nbackwards\n",
            "字幕文件中有一条时间有误的字幕：00:00:05,000 --> 00:00:01,000",
        ),
        (
            b"1\n00:99:00,000 --> 01:00:00,000\nbad minutes\n",
            "字幕文件中有一条时间有误的字幕：00:99:00,000 --> 01:00:00,000",
        ),
    ],
)
def test_hostile_caption_files_are_refused(data, message):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(captions.CaptionRefused) as exc:
        captions.to_webvtt(data)
    assert str(exc.value) == message


def test_huge_cue_counts_are_refused():
    from django.utils import translation

    cue = "00:00:01.000 --> 00:00:02.000\nx\n\n"
    with translation.override("zh-hans"), pytest.raises(captions.CaptionRefused) as exc:
        captions.to_webvtt(("WEBVTT\n\n" + cue * 5001).encode())
    assert str(exc.value) == "字幕文件超过 5000 条字幕。"
    assert captions.to_webvtt(("WEBVTT\n\n" + cue * 5000).encode()).count("-->") == 5000


# --- Captions: the workspace and the player ---------------------------------------


def _add_captions(client, page, name, data):
    return client.post(
        reverse("portal:attachment_add", args=[page.pk]),
        {"kind": "captions", "file": f.upload(name, data, "text/vtt")},
        follow=True,
    )


def test_uploaded_captions_become_the_players_chinese_track(
    alliance_users, make_draft, login, media
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)

    response = _add_captions(client, page, "字幕.srt", SRT.encode("gb18030"))

    assert "文件已添加。" in response.content.decode()
    attachment = ResourceAttachment.objects.get(page_id=page.pk)
    assert attachment.kind == "captions"
    assert attachment.document.file.name.endswith(".vtt")
    track = VideoCaption.objects.get(video_id=page.video_id)
    assert (track.position, track.language, track.label, track.default) == (
        VideoCaption.AUTHOR_POSITION,
        "zh-Hans",
        "中文字幕",
        True,
    )
    assert track.file.name.startswith(f"renditions/{page.video_id}/captions/")
    with track.file.open("rb") as fh:
        assert fh.read().decode().startswith("WEBVTT\n\n00:00:01.000")
    # The lesson page's player offers it once the lesson is published.
    live = publish(LessonPage.objects.get(pk=page.pk), teacher)
    html = client.get(live.url).content.decode()
    assert (
        f'<track kind="subtitles" src="/media/{track.file.name}" srclang="zh-Hans" '
        'label="中文字幕" default>'
    ) in html


def test_a_published_lessons_track_changes_only_when_the_new_version_is_published(
    alliance_users, make_draft, login, media
):
    teacher = alliance_users["teacher_a"]
    page = publish(make_draft(teacher), teacher)
    client = login(teacher)
    html = client.get(reverse("portal:workspace", args=[page.pk])).content.decode()
    assert 'id="ws-live"' in html

    _add_captions(client, page, "a.srt", SRT.encode())

    # Not on the public player before review.
    assert not VideoCaption.objects.filter(video_id=page.video_id).exists()
    assert "<track" not in client.get(page.url).content.decode()
    # Publishing the version that carries them publishes the track.
    latest = LessonPage.objects.get(pk=page.pk).get_latest_revision()
    latest.publish(user=teacher, skip_permission_checks=True)
    track = VideoCaption.objects.get(video_id=page.video_id)
    assert track.label == "中文字幕"
    assert 'label="中文字幕"' in client.get(page.url).content.decode()
    # Removing them in a new version keeps the track until that is published.
    document = ResourceAttachment.objects.get(page_id=page.pk).document_id
    client.post(reverse("portal:attachment_remove", args=[page.pk, document]))
    assert VideoCaption.objects.filter(video_id=page.video_id).exists()
    LessonPage.objects.get(pk=page.pk).get_latest_revision().publish(
        user=teacher, skip_permission_checks=True
    )
    assert not VideoCaption.objects.filter(video_id=page.video_id).exists()


def test_garbage_named_vtt_leaves_no_track_and_no_document(
    alliance_users, make_draft, login, media
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    response = _add_captions(login(teacher), page, "字幕.vtt", bytes(range(256)) * 8)
    assert "这个字幕文件不是 UTF-8 或 GB18030 编码的文本。" in response.content.decode()
    assert not VideoCaption.objects.exists()
    assert Document.objects.count() == 0


def test_oversize_captions_are_refused(
    alliance_users, make_draft, login, media, settings
):
    settings.CAPTION_MAX_SIZE = 100
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    response = _add_captions(
        login(teacher), page, "a.vtt", ("WEBVTT\n\n" + "x" * 200).encode()
    )
    assert "文件超过 100\xa0字节。" in response.content.decode()
    assert not VideoCaption.objects.exists()


def test_removing_the_captions_removes_the_track_and_a_new_video_keeps_them(
    alliance_users, make_draft, login, media
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    _add_captions(client, page, "a.srt", SRT.encode())
    upload = _finished_upload(teacher)
    client.post(_video_url(page), {"upload": str(upload.pk)})
    assert VideoCaption.objects.filter(
        video_id=upload.video_id, position=VideoCaption.AUTHOR_POSITION
    ).exists()

    document = ResourceAttachment.objects.get(page_id=page.pk).document_id
    client.post(reverse("portal:attachment_remove", args=[page.pk, document]))
    assert not VideoCaption.objects.filter(video_id=upload.video_id).exists()


def test_reprocessing_keeps_the_authors_track(alliance_users, make_draft, media):
    """The pipeline stores the file's own tracks without dropping the author's."""
    from media_pipeline import files, services

    page = make_draft(alliance_users["teacher_a"])
    video = Video.objects.get(pk=page.video_id)
    track = captions.store_author_captions(
        video, captions.to_webvtt(SRT.encode()), "中文字幕"
    )
    services._store_captions(video, f"renditions/{video.pk}", media, [])
    files.drop_stale_outputs(video, set())
    track.refresh_from_db()
    assert track.file.storage.exists(track.file.name)
    assert video.status == VideoStatus.READY


def test_captions_attached_in_the_admin_are_cleaned_when_published(
    alliance_users, make_draft, media
):
    from django.core.files.base import ContentFile

    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    document = Document(title="字幕", uploaded_by_user=teacher)
    document.file.save(
        "raw.vtt",
        ContentFile(b"WEBVTT\n\n00:01.000 --> 00:02.000\n<script>x()</script>\n"),
        save=False,
    )
    document.save()
    ResourceAttachment.objects.create(page=page, document=document, kind="captions")

    publish(LessonPage.objects.get(pk=page.pk), teacher)

    track = VideoCaption.objects.get(video_id=page.video_id)
    with track.file.open("rb") as fh:
        text = fh.read().decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in text and "<script>" not in text
