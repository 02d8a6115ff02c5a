"""Issue 16's journey, end to end in headless Chromium: a teacher uploads a
lesson on the site, completes the five-part bundle, submits, receives the
editor's changes, replaces the video and resubmits, without ever opening
`/admin/`; the editor watches, scores, returns, approves and picks it from
the review page. Two browser contexts, one per person; the videos are real
generated clips, checked and transcoded by the pipeline (in-process tasks)."""

import subprocess

import pytest

from tests import workspace_files as f
from tests.browser.test_csp_browser import Watch
from tests.fixtures_site import DESKTOP, VIEWPORTS, play_lesson_video

pytestmark = [pytest.mark.browser]

TEACHER_VIEWPORTS = VIEWPORTS  # the editor's part runs at desktop size only
TITLE = "一次函数的图像（完整流程）"
COMMENT = "片头过长，请剪掉前五秒后重新上传。"
READY = "() => document.querySelector('#u-status').textContent.includes('视频已就绪')"


def clip(path, source):
    """A 31 s, 640x480, 10 fps clip with sound: long and large enough for
    the recording rules, small enough to transcode in seconds."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"{source}=size=640x480:rate=10"]
        + ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "31"]
        + ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
        + [str(path)],
        check=True,
    )
    return path


def site_login(page, base, username, next_url):
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "weike-demo")
    page.click("form.upload button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


class Person:
    """One person's browser context: its page, every URL it requested, its
    page errors and Content-Security-Policy violations."""

    def __init__(self, browser, viewport):
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.watch = Watch(self.context)
        self.requests = []
        self.errors = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def check(self, label):
        self.watch.check(self.page, label)
        assert self.errors == [], f"{label}: {self.errors}"

    def shoot(self, directory, name):
        self.page.screenshot(
            path=str(directory / f"journey-{name}.png"), full_page=True
        )


def no_sideways_scrolling(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth"
        " <= document.documentElement.clientWidth"
    )


def upload_and_wait(page, path):
    page.set_input_files("#u-file", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_function(READY, timeout=180_000)


@pytest.mark.parametrize("size", TEACHER_VIEWPORTS)
def test_teacher_and_editor_take_a_lesson_from_upload_to_quality_pick(
    size, site_live, browser, settings, screenshot_dir, tmp_path
):
    from catalog.models import LessonPage
    from media_pipeline.models import Video

    settings.ROOT_URLCONF = "tests.browser.urls"
    base, _users = site_live
    first = clip(tmp_path / "一次函数微课.mp4", "testsrc")
    second = clip(tmp_path / "一次函数微课（剪辑后）.mp4", "smptebars")

    # The teacher uploads on the site and fills the lesson's fields.
    teacher = Person(browser, TEACHER_VIEWPORTS[size])
    t = teacher.page
    site_login(t, base, "teacher_li", "/my/")
    t.click("a.button[href='/my/upload/']")
    t.fill("#u-title", TITLE)
    t.fill("#u-summary", "用两点法画一次函数的图像。")
    t.select_option("#u-subject", label="初中 · 数学")
    t.select_option("#u-grade", label="八年级")
    picker = t.locator(".kp-tree")
    picker.locator("input[type=checkbox]").first.wait_for(state="attached")
    t.fill("#kp-filter", "一次函数的图像")
    picker.get_by_label("一次函数的图像与性质", exact=True).check()
    upload_and_wait(t, first)
    lesson = LessonPage.objects.get(title=TITLE)
    first_video = lesson.video
    assert first_video.status == "ready" and not lesson.live
    teacher.check("upload")
    teacher.shoot(screenshot_dir, f"1-upload-{size}")

    # The workspace: the four documents complete the bundle; then 提交审核.
    t.goto(f"{base}/my/")
    t.locator(
        f"tr[data-entry='{lesson.pk}'] a[href='/my/lessons/{lesson.pk}/']"
    ).click()
    t.wait_for_url(f"{base}/my/lessons/{lesson.pk}/")
    documents = [
        ("lesson_plan", "微教案.pdf", "application/pdf", f.pdf()),
        ("courseware", "微课件.pptx", "application/octet-stream", f.pptx()),
        ("exercises", "微练习.docx", "", f.docx()),
        ("reflection", "微反思.doc", "application/msword", f.ole("WordDocument")),
    ]
    for kind, name, mime, data in documents:
        t.select_option("#a-kind", kind)
        t.set_input_files("#a-file", {"name": name, "mimeType": mime, "buffer": data})
        with t.expect_navigation():
            t.click("#attachment-form button[type=submit]")
        assert t.locator(".message-success").inner_text() == "文件已添加。"
    assert t.locator(".ws-complete").inner_text() == "五个部分已齐全。"
    assert no_sideways_scrolling(t)
    with t.expect_navigation():
        t.locator(".ws-actions").get_by_role(
            "button", name="提交审核", exact=True
        ).click()
    assert "已提交审核。" in t.locator(".messages").inner_text()
    assert (
        t.locator(".ws-actions")
        .get_by_role("button", name="撤回提交", exact=True)
        .count()
        == 1
    )
    teacher.check("workspace")
    teacher.shoot(screenshot_dir, f"2-submitted-{size}")

    # The editor watches the video, scores it and returns it with a comment.
    editor = Person(browser, DESKTOP)
    e = editor.page
    review = f"/alliance/entries/{lesson.pk}/"
    site_login(e, base, "editor_math", "/alliance/review/")
    e.click(f"a.button[href='{review}']")
    e.wait_for_url(base + review)
    play_lesson_video(e)
    scores = e.locator(".alliance-score-form input.rubric-score")
    assert scores.count() > 0
    for i in range(scores.count()):
        scores.nth(i).fill(scores.nth(i).get_attribute("max"))
    with e.expect_navigation():
        e.get_by_role("button", name="保存评分", exact=True).click()
    assert "100" in e.locator("table.listing").first.inner_text()
    e.fill("textarea[name=comment]", COMMENT)
    editor.shoot(screenshot_dir, "3-review")
    with e.expect_navigation():
        e.get_by_role("button", name="退回修改", exact=True).click()
    editor.check("return")

    # The teacher reads the comment in 我的微课 and in the workspace, and
    # replaces the video there.
    t.goto(f"{base}/my/")
    row = t.locator(f"tr[data-entry='{lesson.pk}']")
    assert COMMENT in row.locator(".comment").inner_text()
    row.locator(f"a[href='/my/lessons/{lesson.pk}/']").click()
    t.wait_for_url(f"{base}/my/lessons/{lesson.pk}/")
    assert t.locator(".status-returned").inner_text() == "已退回修改"
    assert COMMENT in t.locator("#decisions").inner_text()
    assert no_sideways_scrolling(t)
    upload_and_wait(t, second)
    lesson.refresh_from_db()
    replacement = Video.objects.exclude(pk=first_video.pk).get(
        original_filename=second.name
    )
    assert lesson.get_latest_revision_as_object().video_id == replacement.pk
    t.goto(f"{base}/my/lessons/{lesson.pk}/")
    with t.expect_navigation():
        t.locator(".ws-actions").get_by_role(
            "button", name="重新提交审核", exact=True
        ).click()
    assert "已提交审核。" in t.locator(".messages").inner_text()
    teacher.check("resubmit")
    teacher.shoot(screenshot_dir, f"4-resubmitted-{size}")

    # The editor watches the new video, approves, then picks the lesson.
    e.goto(base + review)
    assert f"/{replacement.pk}/" in e.locator("[data-player]").get_attribute("data-hls")
    play_lesson_video(e)
    with e.expect_navigation():
        e.get_by_role("button", name="通过", exact=True).click()
    assert "已通过审核。" in e.content()
    e.goto(base + review)
    with e.expect_navigation():
        e.get_by_role("button", name="评为精品", exact=True).click()
    e.goto(base + review)
    editor.check("approve and pick")
    editor.shoot(screenshot_dir, "5-picked")

    lesson = LessonPage.objects.get(pk=lesson.pk)
    assert lesson.live and lesson.is_quality_pick
    assert lesson.video_id == replacement.pk
    # The teacher finds it published, as a quality pick, from 我的微课.
    t.goto(f"{base}/my/")
    t.locator(f"tr[data-entry='{lesson.pk}'] a", has_text=TITLE).click()
    t.wait_for_url(base + lesson.url)
    assert t.locator("h1 .badge").inner_text() == "精品微课"
    t.locator("[data-player] video").wait_for()
    assert f"/{replacement.pk}/" in t.locator("[data-player]").get_attribute("data-hls")
    assert no_sideways_scrolling(t)
    teacher.check("published lesson")
    teacher.shoot(screenshot_dir, f"6-live-{size}")
    admin = [url for url in teacher.requests if url.startswith(f"{base}/admin")]
    assert teacher.requests and admin == []
    editor.context.close()
    teacher.context.close()
