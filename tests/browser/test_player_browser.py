"""The lesson player in Chromium: resume, speed, chapters, keys, under the CSP.

A real HLS clip plays through hls.js on a desktop (1366×900) and a phone
(390×844) viewport; every step is checked on the <video> element itself, and
the page must raise no policy violation and no script error.
"""

import pytest

from tests.browser.test_csp_browser import Watch, hls_clip
from tests.fixtures_site import VIEWPORTS

pytestmark = [pytest.mark.browser]

CLIP_SECONDS = 30
CHAPTER_STARTS = (0, 12, 20)


@pytest.fixture
def chaptered_lesson(site_live, settings):
    """A live lesson with a real 30 s HLS rendition and three chapters."""
    from catalog.models import KnowledgePoint, LessonChapter
    from media_pipeline.models import VideoRendition
    from portal.cache import bump_catalog_version
    from tests.fixtures_site import make_lessons, make_video

    video = make_video(
        status="ready", duration=float(CLIP_SECONDS), width=640, height=360
    )
    hls_clip(settings.MEDIA_ROOT / "renditions" / str(video.pk), seconds=CLIP_SECONDS)
    video.hls_master.name = f"renditions/{video.pk}/hls/master.m3u8"
    video.save()
    rendition = VideoRendition(video=video, profile="360p", status="ready", height=360)
    rendition.file.name = f"renditions/{video.pk}/hls/360p_init.mp4"
    rendition.save()
    points = list(
        KnowledgePoint.objects.filter(
            stage__code="junior", subject__code="maths"
        ).order_by("pk")[:3]
    )
    lesson = make_lessons(1, knowledge_points=points, video=video, title="章节播放")[0]
    for kp, start in zip(points, CHAPTER_STARTS, strict=True):
        LessonChapter.objects.create(
            page=lesson, knowledge_point=kp, start_seconds=start
        )
    bump_catalog_version()
    return lesson


def _time(page):
    return page.evaluate(
        "() => document.querySelector('[data-player] video').currentTime"
    )


def _wait_time(page, low, high):
    page.wait_for_function(
        "([low, high]) => { const t = document.querySelector('[data-player] video')"
        ".currentTime; return t >= low && t <= high; }",
        arg=[low, high],
        timeout=20_000,
    )


def _ready(page):
    page.wait_for_function(
        "() => document.querySelector('[data-player] video').readyState >= 1",
        timeout=30_000,
    )
    page.evaluate(
        "() => { document.querySelector('[data-player] video').muted = true; }"
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_player_resumes_remembers_speed_seeks_by_chapter_and_keys(
    site_live, browser, chaptered_lesson, viewport
):
    base, _users = site_live
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
    watch = Watch(context)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = base + chaptered_lesson.url

    page.goto(url)
    _ready(page)
    assert page.locator("[data-player]").get_attribute("data-engine") == "hls.js"
    # Nothing saved yet: no resume offer.
    assert page.locator(".resume").is_hidden()

    # Chapters: one mark per chapter on the slider, and a click seeks.
    assert page.locator(".scrub-marks .scrub-mark").count() == len(CHAPTER_STARTS)
    chapter = page.locator("button.chapter[data-start='20']")
    chapter.scroll_into_view_if_needed()
    chapter.click()
    _wait_time(page, 19.5, 22)
    page.evaluate("() => document.querySelector('[data-player] video').pause()")
    assert chapter.get_attribute("aria-current") == "true"

    # Speed applies to the video and is remembered.
    page.select_option(".speed-select", "1.5")
    assert (
        page.evaluate(
            "() => document.querySelector('[data-player] video').playbackRate"
        )
        == 1.5
    )

    # Keys while the player has focus: → and ← move 5 s (not the browser's own step).
    page.evaluate(
        "() => { const v = document.querySelector('[data-player] video');"
        " v.pause(); v.currentTime = 10; }"
    )
    _wait_time(page, 10, 10)
    page.focus("[data-player]")
    page.keyboard.press("ArrowRight")
    _wait_time(page, 15, 15)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    _wait_time(page, 5, 5)
    page.keyboard.press("ArrowDown")
    assert page.evaluate(
        "() => document.querySelector('[data-player] video').volume"
    ) == pytest.approx(0.9)
    page.keyboard.press("k")
    page.wait_for_function(
        "() => !document.querySelector('[data-player] video').paused"
    )
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('[data-player] video').paused")
    # A key typed into a form field of the page is the field's, not the player's.
    page.fill("#site-q", "")
    page.press("#site-q", "k")
    assert page.input_value("#site-q") == "k"
    assert page.evaluate("() => document.querySelector('[data-player] video').paused")

    # Stop at 0:17, reload: offered "从 0:17 继续播放", speed still 1.5.
    page.evaluate(
        "() => { const v = document.querySelector('[data-player] video');"
        " v.currentTime = 17; v.pause(); }"
    )
    _wait_time(page, 17, 17)
    page.evaluate("() => document.querySelector('[data-player] video').pause()")
    page.reload()
    _ready(page)
    offer = page.locator(".resume")
    assert offer.is_visible()
    assert "从 0:17 继续播放" in offer.inner_text()
    assert page.input_value(".speed-select") == "1.5"
    assert (
        page.evaluate(
            "() => document.querySelector('[data-player] video').playbackRate"
        )
        == 1.5
    )
    offer.locator(".resume-go").click()
    _wait_time(page, 17, 19.5)
    assert offer.is_hidden()

    # Watched to the end: the resume point is cleared.
    page.evaluate(
        "() => { const v = document.querySelector('[data-player] video');"
        " v.currentTime = 28.5; return v.play(); }"
    )
    page.wait_for_function(
        "() => document.querySelector('[data-player] video').ended", timeout=20_000
    )
    key = f"weike:resume:{chaptered_lesson.pk}"
    assert page.evaluate("(k) => localStorage.getItem(k)", key) is None
    page.reload()
    _ready(page)
    assert page.locator(".resume").is_hidden()

    # Nothing wider than the screen, no violation, no script error.
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth"
        " - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    watch.check(page, f"player ({viewport})")
    assert errors == []
    context.close()


def test_player_is_english_under_an_english_browser(
    site_live, browser, chaptered_lesson
):
    base, _users = site_live
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="en-US")
    page = context.new_page()
    page.goto(base + chaptered_lesson.url)
    _ready(page)
    page.evaluate(
        "() => { const v = document.querySelector('[data-player] video');"
        " v.currentTime = 12; v.pause(); }"
    )
    _wait_time(page, 12, 12)
    page.evaluate("() => document.querySelector('[data-player] video').pause()")
    page.reload()
    _ready(page)
    assert "Resume from 0:12" in page.locator(".resume").inner_text()
    assert page.locator("#h-chapters").inner_text() == "Chapters"
    context.close()
