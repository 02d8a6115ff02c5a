"""The lesson workspace in a real browser: a teacher opens a draft from 我的微课,
adds the four documents of the competition bundle and a caption file, and
sees the checklist complete — on a classroom PC and on a phone."""

import pytest

from tests import workspace_files as f
from tests.browser.test_site_browser import login
from tests.fixtures_site import VIEWPORTS

pytestmark = [pytest.mark.browser]


SRT = "1\n00:00:01,000 --> 00:00:03,000\n一次函数的图像\n\n".encode("gb18030")


def _draft(teacher):
    from catalog import lifecycle
    from tests.factories import subject_page
    from tests.fixtures_site import make_video

    return lifecycle.create_draft_lesson(
        parent=subject_page("junior", "maths"),
        title="两点法画一次函数（参赛）",
        owner=teacher,
        video=make_video("ready", uploaded_by=teacher),
    )


@pytest.mark.parametrize("size", VIEWPORTS)
def test_teacher_completes_the_competition_bundle(
    size, site_live, browser, screenshot_dir, settings, tmp_path
):
    from django.contrib.auth import get_user_model

    from media_pipeline.models import VideoCaption

    settings.MEDIA_ROOT = tmp_path / "media"
    base, _users = site_live
    lesson = _draft(get_user_model().objects.get(username="teacher_li"))
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    login(page, base, "teacher_li")

    page.click(f"a[href='/my/lessons/{lesson.pk}/']")
    page.wait_for_url(f"{base}/my/lessons/{lesson.pk}/")
    assert page.locator("#bundle-checklist li.missing").count() == 4
    files = [
        ("lesson_plan", "微教案.pdf", "application/pdf", f.pdf()),
        ("courseware", "微课件.pptx", "application/octet-stream", f.pptx()),
        ("exercises", "微练习.docx", "", f.docx()),
        ("reflection", "微反思.doc", "application/msword", f.ole("WordDocument")),
        ("captions", "字幕.srt", "application/x-subrip", SRT),
    ]
    for kind, name, mime, data in files:
        page.select_option("#a-kind", kind)
        page.set_input_files(
            "#a-file", {"name": name, "mimeType": mime, "buffer": data}
        )
        with page.expect_navigation():
            page.click("#attachment-form button[type=submit]")
        assert page.locator(".message-success").inner_text() == "文件已添加。"

    # A disguised file: one sentence, and the checklist is still complete.
    page.select_option("#a-kind", "lesson_plan")
    page.set_input_files(
        "#a-file",
        {"name": "假的.pdf", "mimeType": "application/pdf", "buffer": b"<html>"},
    )
    with page.expect_navigation():
        page.click("#attachment-form button[type=submit]")
    assert "这个文件不是 PDF" in page.locator(".message-error").inner_text()

    assert page.locator("#bundle-checklist li.missing").count() == 0
    assert page.locator("#bundle-checklist li.present").count() == 5
    assert page.locator(".ws-complete").inner_text() == "五个部分已齐全。"
    assert page.locator("#attachments tbody tr").count() == 5
    assert (
        VideoCaption.objects.filter(video_id=lesson.video_id).get().label == "中文字幕"
    )
    overflow = page.evaluate(
        "() => { const d = document.documentElement; "
        "return d.scrollWidth - d.clientWidth; }"
    )
    assert overflow <= 0
    page.screenshot(path=str(screenshot_dir / f"workspace-{size}.png"), full_page=True)
    assert errors == []
    context.close()
