"""Captions served from S3-compatible storage: the <track> is on another
origin, so the <video> asks for it with CORS (crossorigin="anonymous") and the
bucket answers with the rule of deploy/s3-cors.json (docs/deploy.md)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from media_pipeline.models import VideoCaption, VideoRendition
from tests.fixtures_site import make_lessons, make_video

pytestmark = [pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\n二次函数的图像\n"


def _lesson_with_captions(taxonomy):
    video = make_video(status="ready", duration=5.0, width=640, height=360)
    rendition = VideoRendition(video=video, profile="360p", status="ready", height=360)
    rendition.file.name = default_storage.save(
        f"renditions/{video.pk}/360p.mp4", ContentFile(b"\0" * 64)
    )
    rendition.save()
    caption = VideoCaption(
        video=video,
        position=VideoCaption.AUTHOR_POSITION,
        language="zh-Hans",
        label="中文字幕",
        default=True,
    )
    caption.file.name = default_storage.save(
        f"renditions/{video.pk}/captions/author.vtt", ContentFile(VTT.encode())
    )
    caption.save()
    return make_lessons(1, video=video, title="字幕播放")[0]


def _video_tag(html):
    return html.split("<video ", 1)[1].split(">", 1)[0]


def test_local_captions_are_same_origin_without_crossorigin(client, taxonomy, media):
    lesson = _lesson_with_captions(taxonomy)
    html = client.get(lesson.url).content.decode()
    assert '<track kind="subtitles" src="/media/renditions/' in html
    assert "crossorigin" not in _video_tag(html)


@pytest.mark.s3
def test_s3_captions_make_the_video_ask_with_cors(client, taxonomy, s3_storage):
    # The documented rule is one S3 accepts (moto checks its shape).
    rule = json.loads((ROOT / "deploy" / "s3-cors.json").read_text())
    s3_storage["client"].put_bucket_cors(
        Bucket=s3_storage["bucket"], CORSConfiguration=rule
    )
    lesson = _lesson_with_captions(taxonomy)
    html = client.get(lesson.url).content.decode()
    track_src = html.split('<track kind="subtitles" src="', 1)[1].split('"', 1)[0]
    assert track_src.startswith(s3_storage["endpoint"] + "/"), track_src
    assert 'crossorigin="anonymous"' in _video_tag(html)


def _track_state(browser, html):
    """readyState of the page's <track> in Chromium (2 loaded, 3 error) and
    its number of cues, the page served by a server of its own: an origin
    other than the bucket's, as the site is in production."""
    body = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200 if self.path == "/lesson" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body if self.path == "/lesson" else b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/lesson")
        page.evaluate(
            "() => { document.querySelector('video').textTracks[0].mode = 'showing'; }"
        )
        page.wait_for_function(
            "() => document.querySelector('track').readyState >= 2", timeout=15_000
        )
        return page.evaluate(
            "() => [document.querySelector('track').readyState,"
            " document.querySelector('video').textTracks[0].cues?.length || 0]"
        )
    finally:
        context.close()
        server.shutdown()
        server.server_close()


@pytest.mark.s3
@pytest.mark.browser
def test_chromium_loads_the_s3_track(client, taxonomy, s3_storage, browser):
    lesson = _lesson_with_captions(taxonomy)
    html = client.get(lesson.url).content.decode()
    assert _track_state(browser, html) == [2, 1]
    # Without the attribute Chromium refuses the cross-origin track.
    bare = html.replace(' crossorigin="anonymous"', "")
    assert _track_state(browser, bare)[0] == 3
