"""`manage.py seed_demo` loads a demo that plays: every quality pick on the
home page has a video the media pipeline made (an HLS rendition ffprobe
reads), and its 学案 downloads as a PDF. Runs the real pipeline on the
rendered clips (about ten), so it takes a while.

It seeds as `make run` does, with the database job queue configured: the
transcodes and index updates the seed causes must be done by the time the
site opens, not left as hundreds of jobs ahead of the first upload."""

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from catalog.models import LessonPage
from media_pipeline import storage
from media_pipeline.models import VideoStatus
from search.selectors import search_lessons

# What `make run` shows, which runs on SQLite (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_pass]


def _ffprobe(path: Path) -> dict:
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-allowed_extensions",
            "ALL",
            "-show_entries",
            "format=duration:stream=codec_type,codec_name",
            "-of",
            "default=noprint_wrappers=1",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return {
        "duration": float(re.search(r"duration=([\d.]+)", out).group(1)),
        "codecs": set(re.findall(r"codec_name=(\w+)", out)),
    }


def _download_hls(video, target: Path) -> Path:
    prefix = video.hls_master.name.rsplit("/", 1)[0]
    for name in storage.walk(prefix):
        local = target / name[len(prefix) + 1 :]
        local.parent.mkdir(parents=True, exist_ok=True)
        storage.download(name, local)
    return target / "master.m3u8"


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_seeded_quality_picks_play_and_their_study_guides_are_pdfs(
    client, clean_cache, tmp_path, settings
):
    settings.WEIKE_DEMO_MEDIA_DIR = str(Path.home() / ".cache/weike/demo-media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("seed_demo", stdout=io.StringIO())
    assert not DBTaskResult.objects.exists()
    assert search_lessons({"q": "勾股定理"}).total >= 2
    home = client.get("/").content.decode()
    picks = LessonPage.objects.live().filter(quality_pick__isnull=False)
    shown = [p for p in picks if f'href="{p.url}"' in home]
    assert len(shown) >= 5
    for page in shown:
        video = page.video
        assert video.status == VideoStatus.READY
        assert video.hls_master.name and default_storage.exists(video.hls_master.name)
        # The clip is the lesson's own (its title on the slides), not shared.
        assert video.title == page.title
        facts = _ffprobe(_download_hls(video, tmp_path / str(page.pk)))
        assert 30 <= facts["duration"] <= 40
        assert {"h264", "aac"} <= facts["codecs"]

        html = client.get(page.url).content.decode()
        master = reverse("media_pipeline:hls", args=[video.pk, "master.m3u8"])
        assert f'data-hls="{master}"' in html
        assert b"#EXTM3U" in _body(client.get(master))
        assert "暂无视频" not in html
        guide = page.attachments.get(title="学案")
        assert f'href="{guide.document.url}"' in html
        response = client.get(guide.document.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert _body(response).startswith(b"%PDF-")
    # Lessons that are not picks share one clip, which the pipeline made too.
    others = LessonPage.objects.live().filter(quality_pick__isnull=True)
    assert {v.status for v in (p.video for p in others)} == {VideoStatus.READY}
    assert all(p.video.hls_master.name for p in others)
