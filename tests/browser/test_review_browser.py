"""The reviewer's path in a real browser: open the review page of a draft in
review, watch its video (hls.js under the site's Content-Security-Policy),
approve, and land on the next lesson of the queue."""

import pytest

from tests.browser.test_csp_browser import Watch, hls_clip
from tests.fixtures_site import DESKTOP, admin_login, play_lesson_video

pytestmark = [pytest.mark.browser]


def draft_in_review(owner, title, slug, video):
    """A junior-maths draft lesson submitted for review (the demo's workflow)."""
    from catalog import lifecycle
    from catalog.models import LessonPage
    from tests.factories import subject_page

    page = LessonPage(
        title=title,
        slug=slug,
        academic_year=2025,
        author=owner,
        owner=owner,
        live=False,
        resource_type="micro_lesson",
        video=video,
    )
    subject_page("junior", "maths").add_child(instance=page)
    page.save_revision(user=owner)
    lifecycle.submit(page, owner)
    return LessonPage.objects.get(pk=page.pk)


def test_editor_watches_approves_and_lands_on_the_next_item(
    site_live, browser, settings, screenshot_dir
):
    from alliance.selectors import review_queue
    from catalog.models import LessonPage
    from media_pipeline.models import VideoRendition
    from tests.fixtures_site import make_video

    base, users = site_live
    teacher, editor = users["teacher_li"], users["editor_math"]
    # The next item: submitted before the one reviewed (the queue is newest first).
    following = draft_in_review(
        teacher, "待审：一次函数的性质", "review-next", make_video("ready")
    )
    video = make_video(status="ready", duration=6.0, width=640, height=360)
    hls_clip(settings.MEDIA_ROOT / "renditions" / str(video.pk))
    video.hls_master.name = f"renditions/{video.pk}/hls/master.m3u8"
    video.save()
    rendition = VideoRendition(video=video, profile="360p", status="ready", height=360)
    rendition.file.name = f"renditions/{video.pk}/hls/360p_init.mp4"
    rendition.save()
    lesson = draft_in_review(teacher, "待审：一次函数的图像", "review-me", video)
    queue = [row["page"].pk for row in review_queue(editor)]
    assert queue[:2] == [lesson.pk, following.pk]

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    watch = Watch(context)
    page = context.new_page()
    admin_login(page, base, "editor_math")

    page.goto(f"{base}/alliance/review/")
    page.click(f"a.button[href='/alliance/entries/{lesson.pk}/']")
    page.wait_for_url(f"{base}/alliance/entries/{lesson.pk}/")
    play_lesson_video(page)
    watch.check(page, "review page")
    page.screenshot(
        path=str(screenshot_dir / "review-page-desktop.png"), full_page=True
    )

    page.fill("textarea[name=comment]", "画面清晰，讲解到位。")
    page.click("button[name=action][value=approve]")
    page.wait_for_url(f"{base}/alliance/entries/{following.pk}/")
    assert "已通过审核。" in page.content()
    assert "待审：一次函数的性质" in page.content()
    watch.check(page, "next review page")
    assert LessonPage.objects.get(pk=lesson.pk).live
    context.close()
