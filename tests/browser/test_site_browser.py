"""The teachers' site in a real browser (Debian's Chromium via Playwright)."""

import re

import pytest

from tests.fixtures_site import DESKTOP, admin_login, play_lesson_video, shoot

pytestmark = [pytest.mark.browser]


def login(page, base, username, password="weike-demo"):
    page.goto(f"{base}/login/?next=/my/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.upload button[type=submit]")
    page.wait_for_url(f"{base}/my/")


def test_teacher_browses_searches_and_opens_a_lesson(
    site_live, browser, screenshot_dir
):
    base, _users = site_live
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    login(page, base, "teacher_li")
    assert "我的微课" in page.title()

    page.goto(base + "/")
    assert page.locator("#h-picks").is_visible()
    assert shoot(page, screenshot_dir, "home") <= 0

    # Browse: stage/subject → grade → textbook → unit → knowledge point.
    page.click("a[href='/browse/']")
    page.click("a[href='/browse/junior/maths/']")
    assert page.title().startswith("初中数学 知识点目录")
    page.click("text=全部收起")
    # Keyboard only: open grade, textbook and unit with Enter on their summaries.
    for selector, label in (
        ("details.grade", "九年级"),
        ("details.textbook", "九年级上册"),
        ("details.unit", "第二十二章 二次函数"),
    ):
        node = page.locator(selector, has_text=label).first
        assert not node.evaluate("d => d.open")
        node.locator("summary").first.focus()
        page.keyboard.press("Enter")
        assert node.evaluate("d => d.open")
    unit = page.locator("details.unit", has_text="第二十二章 二次函数").first
    unit.locator("a", has_text="二次函数的图像与性质").first.click()
    page.wait_for_url(re.compile(r".*/browse/kp/\d+/"))
    assert page.locator("h1").inner_text().startswith("二次函数的图像与性质")
    lessons = page.locator(".card.entry h3 a")
    assert lessons.count() >= 1

    # Search and apply a facet.
    page.fill("#site-q", "函数")
    page.press("#site-q", "Enter")
    page.wait_for_url(re.compile(r".*/find/\?q="))
    assert page.locator("mark").count() > 0
    before = int(re.search(r"找到 (\d+)", page.content()).group(1))
    page.locator("[data-facet=stage] a", has_text="高中").click()
    page.wait_for_url(re.compile(r".*stage=senior"))
    after = int(re.search(r"找到 (\d+)", page.content()).group(1))
    assert 0 < after < before
    assert page.locator("[data-facet=stage] a.active").count() == 1
    assert shoot(page, screenshot_dir, "search") <= 0

    # Open a lesson from the results.
    page.locator(".hits h3 a").first.click()
    page.wait_for_load_state()
    assert page.locator("meta[property='og:title']").count() == 1
    assert page.locator("h2", has_text="知识点").is_visible()
    assert errors == []
    context.close()


def test_error_page_in_chinese(site_live, browser):
    """A Chinese browser gets the error page in Chinese, and only in Chinese
    (one language a page: issue 16)."""
    base, _users = site_live
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    response = page.goto(base + "/no/such/page/")
    assert response.status == 404
    heading = page.locator("h1").inner_text()
    assert "页面不存在" in heading
    assert "not found" not in heading.lower()
    context.close()


@pytest.fixture
def clip(tmp_path):
    """A generated 31 s, 640x480, 10 fps clip with sound (real ffmpeg)."""
    import subprocess

    path = tmp_path / "一次函数微课.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x480:rate=10",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=44100",
            "-t",
            "31",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ],
        check=True,
    )
    return path


def test_teacher_uploads_watches_status_and_plays(
    site_live, browser, clip, settings, screenshot_dir
):
    from catalog.models import LessonPage

    settings.ROOT_URLCONF = "tests.browser.urls"
    base, users = site_live
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, base, "teacher_li")

    page.click("a.button[href='/my/upload/']")
    page.fill("#u-title", "一次函数的图像（浏览器上传）")
    page.fill("#u-summary", "用两点法画一次函数的图像。")
    page.select_option("#u-subject", label="初中 · 数学")
    picker = page.locator(".kp-tree")
    picker.locator("input[type=checkbox]").first.wait_for(state="attached")
    page.fill("#kp-filter", "一次函数的图像")
    picker.get_by_label("一次函数的图像与性质", exact=True).check()
    page.set_input_files("#u-file", str(clip))
    page.click("#upload-form button[type=submit]")

    # Progress bar, then the check and transcode results, live.
    page.wait_for_function(
        "() => document.querySelector('#u-progress').value === 100", timeout=60_000
    )
    page.wait_for_function(
        "() => document.querySelector('#u-status').textContent.includes('视频已就绪')",
        timeout=150_000,
    )
    lesson = LessonPage.objects.get(title="一次函数的图像（浏览器上传）")
    assert lesson.video.status == "ready" and not lesson.live
    assert lesson.knowledge_points.get().name == "一次函数的图像与性质"
    shoot(page, screenshot_dir, "upload")

    # 我的微课 shows it; the preview plays it and time advances.
    page.goto(f"{base}/my/")
    assert "一次函数的图像（浏览器上传）" in page.locator("table.mine").inner_text()
    page.goto(f"{base}/my/lessons/{lesson.pk}/preview/")
    play_lesson_video(page)
    page.evaluate("document.querySelector('[data-player] video').pause()")

    # Its video is ready, so 我的微课 offers 提交审核; the subject's editor then
    # approves it in the admin (the 微课审核 workflow), which publishes it.
    from wagtail.models import WorkflowState

    page.goto(f"{base}/my/")
    row = page.locator(f"tr[data-entry='{lesson.pk}']")
    row.get_by_role("button", name="提交审核").click()
    page.wait_for_url(f"{base}/my/")
    assert "已提交审核。" in page.locator(".messages").inner_text()
    state = WorkflowState.objects.get(object_id=str(lesson.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    page.goto(f"{base}/my/")
    assert "审核中" in page.locator("table.mine").inner_text()
    editor = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    admin_login(editor, base, "editor_math")
    editor.goto(f"{base}/admin/pages/{lesson.pk}/edit/")
    token = next(
        c["value"] for c in editor.context.cookies() if c["name"] == "csrftoken"
    )
    response = editor.request.post(
        f"{base}/admin/pages/workflow/action/{lesson.pk}/approve/"
        f"{state.current_task_state_id}/",
        form={"comment": ""},
        headers={"X-CSRFToken": token, "Referer": editor.url},
    )
    assert response.ok, response.status
    lesson.refresh_from_db()
    assert lesson.live

    # Published: the public lesson page plays it too.
    page.goto(base + lesson.url)
    page.locator("[data-player] video").wait_for()
    shoot(page, screenshot_dir, "lesson")
    assert errors == []
    editor.context.close()
    context.close()
