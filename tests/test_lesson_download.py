"""The lesson's download button: the flag, the access gate, the rung, the headers."""

import re
from urllib.parse import unquote

import pytest
from django.conf import settings

from media_pipeline.downloads import content_disposition
from tests.factories import LessonPageFactory, ResourcePageFactory, UserFactory
from tests.fixtures_site import make_lessons, make_video

pytestmark = pytest.mark.django_db

RUNGS = {"1080p": 1080, "720p": 720, "360p": 360}
ASCII_FILENAME = re.compile(r'filename="([A-Za-z0-9._-]+)"')


def _video_with_files(owner=None, rungs=RUNGS):
    """A ready video whose rungs (and original) are real bytes on the disk."""
    from media_pipeline.models import VideoRendition

    video = make_video(status="ready", duration=95.0, uploaded_by=owner)
    root = settings.MEDIA_ROOT
    (root / "originals").mkdir(parents=True, exist_ok=True)
    (root / video.file.name).write_bytes(b"ORIGINAL UPLOAD")
    folder = root / "renditions" / str(video.pk)
    folder.mkdir(parents=True, exist_ok=True)
    for profile, height in rungs.items():
        (folder / f"{profile}.mp4").write_bytes(f"MP4 {profile}".encode())
        r = VideoRendition(video=video, profile=profile, status="ready", height=height)
        r.file.name = f"renditions/{video.pk}/{profile}.mp4"
        r.save()
    return video


def _url(page_id):
    return f"/lessons/{page_id}/download/"


def _body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def live_lesson(taxonomy):
    video = _video_with_files()
    return make_lessons(1, video=video, title="一次函数的图像", allow_download=True)[0]


def test_anonymous_downloads_the_720p_rung_of_a_live_lesson_as_an_attachment(
    client, live_lesson
):
    response = client.get(_url(live_lesson.pk))
    assert response.status_code == 200
    assert _body(response) == b"MP4 720p"  # not 1080p, never the original
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    # Nothing ASCII survives of a Chinese title: the fallback names the lesson.
    assert f'filename="lesson-{live_lesson.pk}.mp4"' in disposition
    star = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(star) == "一次函数的图像.mp4"


def test_the_page_shows_the_button_only_when_the_author_allows_it(client, live_lesson):
    assert _url(live_lesson.pk) in client.get(live_lesson.url).content.decode()
    live_lesson.allow_download = False
    live_lesson.save()
    from portal.cache import bump_catalog_version

    bump_catalog_version()
    assert _url(live_lesson.pk) not in client.get(live_lesson.url).content.decode()


def test_flag_off_is_a_404(client, taxonomy):
    video = _video_with_files()
    page = make_lessons(1, video=video)[0]
    assert page.allow_download is False  # the default
    assert client.get(_url(page.pk)).status_code == 404
    page.allow_download = True
    page.save()
    assert client.get(_url(page.pk)).status_code == 200


def _draft(owner, allow=True):
    video = _video_with_files(owner=owner)
    return LessonPageFactory(
        video=video, live=False, author=owner, allow_download=allow
    )


def test_a_draft_is_a_404_for_anonymous_and_for_another_teacher(client, taxonomy):
    owner = UserFactory(username="draft_owner")
    draft = _draft(owner)
    assert client.get(_url(draft.pk)).status_code == 404
    client.force_login(UserFactory(username="someone_else"))
    assert client.get(_url(draft.pk)).status_code == 404
    # Its uploader may download what the preview plays.
    client.force_login(owner)
    response = client.get(_url(draft.pk))
    assert response.status_code == 200
    assert _body(response) == b"MP4 720p"


def test_a_draft_revision_decides_for_a_draft(client, taxonomy):
    owner = UserFactory(username="draft_owner")
    draft = _draft(owner, allow=False)
    client.force_login(owner)
    assert client.get(_url(draft.pk)).status_code == 404
    draft.allow_download = True
    draft.save_revision(user=owner)  # the row keeps the first version
    assert client.get(_url(draft.pk)).status_code == 200


def test_the_client_cannot_choose_the_file(client, live_lesson):
    for query in (
        "?profile=1080p",
        "?name=../../originals/test.mp4",
        "?file=renditions/1/1080p.mp4",
    ):
        response = client.get(_url(live_lesson.pk) + query)
        assert response.status_code == 200
        assert _body(response) == b"MP4 720p", query
    for path in (
        f"/lessons/{live_lesson.pk}/download/1080p.mp4",
        f"/lessons/{live_lesson.pk}/download/../../originals/test.mp4",
        f"/lessons/{live_lesson.pk}/download/%2e%2e/",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(
    "raw", ["²", "1" * 30, "-1", "0x10", "１", "%20", "1%00", "9" * 19]
)
def test_hostile_ids_are_404(client, live_lesson, raw):
    assert client.get(f"/lessons/{raw}/download/").status_code == 404


def test_a_resource_page_or_a_missing_lesson_is_a_404(client, taxonomy):
    resource = ResourcePageFactory()
    assert client.get(_url(resource.pk)).status_code == 404
    assert client.get(_url(10**17)).status_code == 404


def test_post_is_refused(client, live_lesson):
    assert client.post(_url(live_lesson.pk)).status_code == 405


def test_a_rung_stored_outside_the_videos_folder_is_never_sent(client, taxonomy):
    from media_pipeline.models import VideoRendition

    video = _video_with_files(rungs={"360p": 360})
    # A row pointing at the original (a corrupted or crafted row).
    VideoRendition.objects.filter(video=video).update(file=video.file.name)
    page = make_lessons(1, video=video, allow_download=True)[0]
    assert client.get(_url(page.pk)).status_code == 404


def test_only_a_large_rung_is_offered_when_there_is_nothing_smaller(client, taxonomy):
    video = _video_with_files(rungs={"1080p": 1080})
    page = make_lessons(1, video=video, allow_download=True)[0]
    assert _body(client.get(_url(page.pk))) == b"MP4 1080p"


def test_video_not_ready_is_a_404(client, taxonomy):
    from media_pipeline.models import VideoRendition

    video = _video_with_files(rungs={"360p": 360})
    VideoRendition.objects.filter(video=video).update(status="encoding")
    page = make_lessons(1, video=video, allow_download=True)[0]
    assert client.get(_url(page.pk)).status_code == 404


def test_behind_nginx_only_the_chosen_name_goes_in_the_accel_header(
    client, live_lesson, settings
):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/_protected_media/"
    response = client.get(_url(live_lesson.pk) + "?name=../originals/x.mp4")
    video_id = live_lesson.video_id
    assert response["X-Accel-Redirect"] == (
        f"/_protected_media/renditions/{video_id}/720p.mp4"
    )
    assert response["Content-Disposition"].startswith("attachment; ")


def test_on_s3_the_signed_url_carries_our_disposition(client, live_lesson, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "weike-test",
                "endpoint_url": "http://127.0.0.1:9",
                "access_key": "test",
                "secret_key": "test-secret",
                "signature_version": "s3v4",
                "addressing_style": "path",
                "querystring_auth": True,
            },
        },
    }
    response = client.get(_url(live_lesson.pk))
    assert response.status_code == 302
    location = unquote(response["Location"])
    assert f"/weike-test/renditions/{live_lesson.video_id}/720p.mp4?" in location
    assert "response-content-disposition=attachment;" in location
    assert "response-content-type=video/mp4" in location
    assert "X-Amz-Signature=" in location


@pytest.mark.parametrize(
    ("title", "ascii_name", "utf8_name"),
    [
        ("Pythagoras Theorem", "Pythagoras_Theorem.mp4", "Pythagoras Theorem.mp4"),
        ("勾股定理 Pythagoras", "Pythagoras.mp4", "勾股定理 Pythagoras.mp4"),
        (
            'evil"\r\nSet-Cookie: a=b; x.mp4',
            "evil_Set-Cookie_a_b_x.mp4.mp4",
            "evil Set-Cookie a=b x.mp4.mp4",
        ),
        ("../../etc/passwd", "etc_passwd.mp4", "etc passwd.mp4"),
        ("Café ñ", "Cafe_n.mp4", "Café ñ.mp4"),
        ("\u202egnp.exe", "gnp.exe.mp4", "gnp.exe.mp4"),
        ("   ...   ", "lesson-7.mp4", "lesson-7.mp4"),
        ("数" * 200, "lesson-7.mp4", "数" * 80 + ".mp4"),
    ],
)
def test_disposition_header_is_safe_whatever_the_title(title, ascii_name, utf8_name):
    header = content_disposition(title, fallback="lesson-7")
    assert "\r" not in header and "\n" not in header
    assert header.isascii()
    assert ASCII_FILENAME.search(header).group(1) == ascii_name
    star = header.split("filename*=UTF-8''", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9%._~-]+", star)
    assert unquote(star) == utf8_name
    assert header.count(";") == 2  # attachment; filename=…; filename*=…


def test_download_button_is_english_under_en(client, live_lesson):
    html = client.get(live_lesson.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Download video" in html
    html = client.get(live_lesson.url).content.decode()
    assert "下载视频" in html
