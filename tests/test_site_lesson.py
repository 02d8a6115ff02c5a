"""The lesson page: player states, metadata, related lessons, query counts."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import QualityPick
from tests.fixtures_site import make_lessons, make_video

pytestmark = pytest.mark.django_db


def _ready_video():
    from media_pipeline.models import VideoRendition

    video = make_video(
        status="ready", duration=95.0, width=1280, height=720, storyboard_interval=2
    )
    video.hls_master.name = f"renditions/{video.pk}/master.m3u8"
    video.poster_jpeg.name = f"renditions/{video.pk}/poster.jpg"
    video.thumbnail_jpeg.name = f"renditions/{video.pk}/thumb.jpg"
    video.storyboard.name = f"renditions/{video.pk}/storyboard.jpg"
    video.save()
    for profile, height in (("720p", 720), ("360p", 360)):
        r = VideoRendition(video=video, profile=profile, status="ready", height=height)
        r.file.name = f"renditions/{video.pk}/{profile}.mp4"
        r.save()
    return video


def test_ready_lesson_has_hls_player_with_mp4_fallback_poster_and_storyboard(
    client, kp_tree
):
    video = _ready_video()
    page = make_lessons(
        1, knowledge_points=[kp_tree["graph"]], video=video, title="一次函数的图像"
    )[0]
    html = client.get(page.url).content.decode()
    # Served by the playlist view: it checks access and signs segment URLs.
    assert f'data-hls="/media-pipeline/videos/{video.pk}/hls/master.m3u8"' in html
    # The fallback is the smallest rendition (fastest start on a slow network).
    assert (
        f'<source src="/media/renditions/{video.pk}/360p.mp4" type="video/mp4">' in html
    )
    assert f'poster="/media/renditions/{video.pk}/poster.jpg"' in html
    assert 'data-storyboard-interval="2"' in html
    assert 'data-storyboard-cols="10"' in html
    assert "/static/weike/player.js" in html
    # Open Graph and a title naming the lesson, stage and subject.
    assert '<meta property="og:type" content="video.other">' in html
    assert '<meta property="og:title" content="一次函数的图像">' in html
    assert "og:image" in html and "poster.jpg" in html
    assert "<title>一次函数的图像 · 初中数学" in html
    assert f'href="/browse/kp/{kp_tree["graph"].pk}/">一次函数的图像</a>' in html


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("transcoding", "视频转码中"),
        ("probing", "视频转码中"),
        ("rejected", "视频未通过检查"),
        ("failed", "视频处理失败"),
    ],
)
def test_lesson_page_states_when_video_not_ready(client, taxonomy, status, expected):
    video = make_video(
        status=status,
        progress=42,
        reason="too_short" if status == "rejected" else "",
        reason_params={"duration": 3.0, "min": 30},
        # The technical log is for administrators, never shown on the site.
        reason_detail="ffprobe: duration=3.0",
    )
    page = make_lessons(1, video=video)[0]
    html = client.get(page.url).content.decode()
    assert expected in html
    assert "<video" not in html
    if status == "rejected":
        assert "视频太短：3.0 秒，至少需要 30 秒。" in html
        assert "The video is too short" not in html
    assert "ffprobe: duration" not in html
    if status == "transcoding":
        assert "42%" in html


def test_lesson_without_video_says_so(client, taxonomy):
    page = make_lessons(1)[0]
    html = client.get(page.url).content.decode()
    assert "暂无视频" in html


def test_lesson_shows_author_school_badge_attachments_and_related(client, kp_tree):
    from wagtail.documents.models import Document

    from catalog.models import ResourceAttachment, School
    from tests.factories import ResourcePageFactory

    school = School.objects.first()
    page = make_lessons(1, knowledge_points=[kp_tree["linear"]], school=school)[0]
    QualityPick.objects.create(page=page, picked_at=timezone.now())
    doc = Document(title="课件")
    doc.file.save("kejian.pptx", ContentFile(b"pptx bytes"), save=False)
    doc.save()
    ResourceAttachment.objects.create(page=page, document=doc, title="配套课件")
    related = make_lessons(2, knowledge_points=[kp_tree["graph"]])
    exercise = ResourcePageFactory(
        resource_type="exercises",
        title="一次函数练习",
        knowledge_points=[kp_tree["linear"]],
    )
    unrelated = make_lessons(1, knowledge_points=[kp_tree["pythag"]])[0]

    html = client.get(page.url).content.decode()
    assert "精品微课" in html
    assert page.author.first_name in html and school.name in html
    assert "配套课件" in html and "kejian" in html and " download>" in html
    for other in related + [exercise]:
        assert other.title in html
    assert unrelated.title not in html


def test_lesson_page_query_count_does_not_grow_with_related(
    client, kp_tree, django_assert_max_num_queries
):
    video = _ready_video()
    page = make_lessons(
        1, knowledge_points=[kp_tree["graph"], kp_tree["prop"]], video=video
    )[0]
    make_lessons(1, knowledge_points=[kp_tree["graph"]], video=_ready_video())
    with CaptureQueriesContext(connection) as few:
        client.get(page.url)
    for _ in range(5):
        make_lessons(1, knowledge_points=[kp_tree["prop"]], video=_ready_video())
    with django_assert_max_num_queries(len(few)):
        html = client.get(page.url).content.decode()
    assert html.count('class="card entry"') == 6
    assert len(few) <= 25


def test_home_page_shows_quality_picks_and_most_viewed(client, kp_tree, clean_cache):
    from catalog.models import CatalogEntryPage

    picks = make_lessons(2, title="精品课")
    for p in picks:
        QualityPick.objects.create(page=p, picked_at=timezone.now())
    popular = make_lessons(1, title="人气课")[0]
    CatalogEntryPage.objects.filter(pk=popular.pk).update(view_count=999)
    html = client.get("/").content.decode()
    assert html.count("精品课") >= 2
    picks_part = html.split('id="h-picks"')[1].split('id="h-popular"')[0]
    popular_part = html.split('id="h-popular"')[1].split('id="h-stages"')[0]
    assert "精品课" in picks_part and "人气课" not in picks_part
    assert popular_part.index("人气课") < popular_part.index("精品课")
    assert "999 次观看" in popular_part
    assert 'loading="lazy"' in html or "▶ 微课" in html


def test_home_page_shows_featured_collections(client, taxonomy, clean_cache):
    from alliance.models import FeaturedCollection, FeaturedCollectionItem

    lesson = make_lessons(1, title="专辑里的课")[0]
    collection = FeaturedCollection.objects.create(title="中考复习专辑")
    FeaturedCollectionItem.objects.create(collection=collection, page=lesson)
    html = client.get("/").content.decode()
    assert "中考复习专辑" in html and "专辑里的课" in html


@pytest.mark.parametrize(
    ("status", "zh", "en"),
    [
        (
            "transcoding",
            "<strong>视频转码中</strong>（42%），请稍后刷新本页。",
            "<strong>Video is being transcoded</strong> (42%).",
        ),
        (
            "rejected",
            "<strong>视频未通过检查：</strong>",
            "<strong>The video did not pass the check:</strong>",
        ),
        (
            "failed",
            "<strong>视频处理失败：</strong>原因未知",
            "<strong>Video processing failed:</strong> Unknown reason",
        ),
        (None, "暂无视频。", "No video yet."),
    ],
)
def test_player_states_in_each_language(client, taxonomy, status, zh, en):
    video = None
    if status:
        video = make_video(
            status=status,
            progress=42,
            reason="too_short" if status == "rejected" else "",
            reason_params={"duration": 3.0, "min": 30},
        )
    page = make_lessons(1, video=video)[0]
    html = client.get(page.url).content.decode()
    assert zh in html
    english = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert en in english
    player = english[english.index('class="player-wrap"') : english.index("</section>")]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in player), player
