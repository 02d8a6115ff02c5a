"""The Content-Security-Policy in a real browser: nothing the pages need is blocked.

Every page is opened in headless Chromium with a listener for
`securitypolicyviolation` events (installed before any page script runs) and
for console errors; a single violation fails the test. The lesson page plays
a real HLS video through hls.js (MediaSource blob: URLs, segment fetches).
"""

import re
import subprocess

import pytest

from tests.fixtures_site import DESKTOP, admin_login, play_lesson_video

pytestmark = [pytest.mark.browser]

# Runs in every document before its own scripts (not subject to the policy).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""
CSP_CONSOLE = re.compile(r"Content.Security.Policy|Refused to", re.I)


class Watch:
    """Violations and console errors of one browser context."""

    def __init__(self, context):
        self.console = []
        context.add_init_script(LISTEN)
        context.on("console", self._on_console)

    def _on_console(self, message):
        if CSP_CONSOLE.search(message.text):
            self.console.append(message.text)

    def check(self, page, label):
        events = page.evaluate("window.__csp || []")
        problems = events + self.console
        self.console = []
        assert problems == [], f"{label}: {problems}"


def hls_clip(directory, seconds=6):
    """A ready-made 360p HLS rendition (fMP4, as the pipeline writes it)."""
    hls = directory / "hls"
    hls.mkdir(parents=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=10"]
        + ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
        + ["-t", str(seconds), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "20"]
        + ["-c:a", "aac", "-shortest", "-f", "hls", "-hls_time", "2"]
        + ["-hls_playlist_type", "vod", "-hls_segment_type", "fmp4"]
        + ["-hls_fmp4_init_filename", "360p_init.mp4"]
        + ["-hls_segment_filename", str(hls / "360p_%05d.m4s"), str(hls / "360p.m3u8")],
        check=True,
    )
    (hls / "master.m3u8").write_text(
        "#EXTM3U\n#EXT-X-VERSION:7\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=600000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"\n'
        "360p.m3u8\n"
    )


@pytest.fixture
def playable_lesson(site_live, settings):
    """A published lesson whose video is ready with a real HLS rendition."""
    from media_pipeline.models import VideoRendition
    from portal.cache import bump_catalog_version
    from tests.fixtures_site import make_lessons, make_video

    video = make_video(status="ready", duration=6.0, width=640, height=360)
    folder = settings.MEDIA_ROOT / "renditions" / str(video.pk)
    hls_clip(folder)
    video.hls_master.name = f"renditions/{video.pk}/hls/master.m3u8"
    video.save()
    rendition = VideoRendition(video=video, profile="360p", status="ready", height=360)
    rendition.file.name = f"renditions/{video.pk}/hls/360p_init.mp4"
    rendition.save()
    lesson = make_lessons(1, video=video, title="一次函数（播放器）")[0]
    bump_catalog_version()
    return lesson


def test_site_pages_run_without_policy_violations(site_live, browser, playable_lesson):
    base, _users = site_live
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    watch = Watch(context)
    page = context.new_page()

    for path in ["/", "/browse/", "/browse/junior/maths/", "/find/?q=函数", "/login/"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        watch.check(page, path)

    # The player: hls.js attaches a MediaSource (blob:) and fetches segments.
    page.goto(base + playable_lesson.url)
    play_lesson_video(page)
    assert page.evaluate(
        "document.querySelector('[data-player] video').src.startsWith('blob:')"
    )
    watch.check(page, "lesson page")
    context.close()


def test_admin_runs_without_policy_violations(site_live, browser, playable_lesson):
    base, _users = site_live
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    watch = Watch(context)
    page = context.new_page()

    # Through the real login form (django-axes sees the request).
    admin_login(page, base, "admin")
    page.wait_for_load_state("networkidle")
    watch.check(page, "admin dashboard")

    page.goto(f"{base}/admin/pages/{playable_lesson.pk}/edit/")
    page.wait_for_load_state("networkidle")
    assert page.locator("form#page-edit-form").count() == 1
    # Open every tab so their widgets (date pickers, choosers) initialise.
    for tab in page.locator("[role=tab]").all():
        tab.click()
    watch.check(page, "page edit")

    for path in ["/admin/pages/", "/alliance/review/", "/dashboard/"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        watch.check(page, path)
    context.close()
