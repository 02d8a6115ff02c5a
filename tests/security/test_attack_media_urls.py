"""Issue 11, items 1 and 2 (serving): private media reached by path tricks.

A draft video's renditions, poster, HLS segments and every uploaded original
must stay out of reach of anyone who may not see the draft, however the URL is
spelled: encoded or double-encoded `..`, backslashes, NUL bytes, fullwidth
look-alikes, absolute paths and symlinks inside MEDIA_ROOT. And a file that is
not a known media type (an uploaded `.html` or `.svg`) is never served, so it
cannot run script from the site's origin.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from media_pipeline.models import Video, VideoStatus
from tests.factories import LessonPageFactory, UserFactory

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
HTML = b"<html><script>alert(document.domain)</script></html>"
POLYGLOT = MP4_HEAD + b"\x00\x00\x00\x08free" + HTML


class MediaTree:
    """Files written straight under MEDIA_ROOT and removed afterwards."""

    def __init__(self, root: Path):
        self.root = root
        self.made: list[Path] = []

    def write(self, name: str, data: bytes) -> str:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.exists():
            path.unlink()
        path.write_bytes(data)
        self.made.append(path)
        return name

    def link(self, name: str, target) -> str:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.exists():
            path.unlink()
        os.symlink(target, path)
        self.made.append(path)
        return name

    def cleanup(self):
        for path in reversed(self.made):
            if path.is_symlink() or path.is_file():
                path.unlink()


@pytest.fixture
def media(settings):
    tree = MediaTree(Path(settings.MEDIA_ROOT).resolve())
    yield tree
    tree.cleanup()


def _video(author, media: MediaTree, live: bool):
    video = Video.objects.create(
        title="草稿视频" if not live else "公开视频",
        file="originals/2026/11/0123abcd/secret.mp4",
        status=VideoStatus.READY,
        uploaded_by=author,
    )
    base = f"renditions/{video.pk}"
    files = {
        "rendition": media.write(f"{base}/1080p.mp4", MP4_HEAD),
        "poster": media.write(f"{base}/poster.jpg", b"\xff\xd8\xff\xe0poster"),
        "segment": media.write(f"{base}/hls/1080p_00001.m4s", b"\x00\x00\x00\x10moof"),
        "playlist": media.write(f"{base}/hls/master.m3u8", b"#EXTM3U\n"),
    }
    video.poster_jpeg.name = files["poster"]
    video.save()
    lesson = LessonPageFactory(author=author, video=video, live=False)
    if live:
        lesson.save_revision().publish()
    return video, files


@pytest.fixture
def draft(db, media):
    author = UserFactory(username="author_a")
    video, files = _video(author, media, live=False)
    files["original"] = media.write(video.file.name, POLYGLOT)
    return {"author": author, "video": video, "files": files}


@pytest.fixture
def public(db, media):
    video, files = _video(UserFactory(username="author_p"), media, live=True)
    return {"video": video, "files": files}


def url(path: str) -> str:
    # Keep the attack's own % sequences; encode only what a browser would.
    return "/media/" + quote(path, safe="/%\\")


# Each form turns a target's name into a URL path that, on a naive check,
# starts in a public folder but ends at the target.
HOSTILE_FORMS = {
    "plain dotdot": lambda t: f"images/../{t}",
    "encoded slash": lambda t: f"images/..%2f{t}",
    "encoded dots": lambda t: f"images/%2e%2e/{t}",
    "encoded both upper": lambda t: f"images/%2E%2E%2F{t}",
    "double encoded slash": lambda t: f"images/..%252f{t}",
    "double encoded dots": lambda t: f"images/%252e%252e/{t}",
    "dotdot in original_images": lambda t: f"original_images/../{t}",
    "nested dotdot": lambda t: f"images/x/../../{t}",
    "stripped-once dotdot": lambda t: f"images/....//{t}",
    "backslash": lambda t: "images\\..\\" + t.replace("/", "\\"),
    "encoded backslash": lambda t: f"images/..%5c{t}",
    "nul byte": lambda t: f"images/..%00/../{t}",
    "nul suffix": lambda t: f"images/../{t}%00.jpg",
    "fullwidth dots and slash": lambda t: f"images/．．／{t}",
    "fullwidth dots": lambda t: f"images/．．/{t}",
    "mixed case folder": lambda t: f"Images/../{t}",
    "mixed case target": lambda t: f"images/../{t[:1].upper()}{t[1:]}",
    "absolute path": lambda t: f"{settings.MEDIA_ROOT}/{t}",
    "absolute path in images": lambda t: f"images/{settings.MEDIA_ROOT}/{t}",
    "dot segments": lambda t: f"images/./../{t}",
}
TARGETS = ["rendition", "poster", "segment", "original"]


@pytest.fixture(params=["anonymous", "other_teacher"])
def visitor(request, client, db):
    if request.param == "other_teacher":
        client.force_login(UserFactory(username="teacher_b"))
    return client


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("form", HOSTILE_FORMS)
def test_path_tricks_never_reach_a_drafts_files(visitor, draft, form, target):
    path = HOSTILE_FORMS[form](draft["files"][target])
    assert visitor.get(url(path)).status_code == 404


@pytest.mark.parametrize("form", ["plain dotdot", "encoded slash", "encoded dots"])
def test_even_the_owner_gets_no_original_through_a_public_folder(client, draft, form):
    client.force_login(draft["author"])
    path = HOSTILE_FORMS[form](draft["files"]["original"])
    assert client.get(url(path)).status_code == 404


# --- Symlinks inside MEDIA_ROOT --------------------------------------------------


def test_symlink_in_a_public_folder_to_a_draft_rendition_is_refused(
    visitor, draft, media
):
    rendition = media.root / draft["files"]["rendition"]
    media.link("images/absolute.mp4", rendition)
    media.link("images/relative.mp4", Path("..") / draft["files"]["rendition"])
    media.link("original_images/video-dir", rendition.parent)
    for name in ("images/absolute.mp4", "images/relative.mp4"):
        assert visitor.get(url(name)).status_code == 404, name
    assert visitor.get(url("original_images/video-dir/1080p.mp4")).status_code == 404


def test_symlink_in_a_public_videos_folder_to_a_draft_is_refused(
    visitor, draft, public, media
):
    """The rule checks the public video's id; the file is the draft's."""
    folder = f"renditions/{public['video'].pk}"
    media.link(f"{folder}/stolen.mp4", media.root / draft["files"]["rendition"])
    media.link(f"{folder}/original.mp4", media.root / draft["files"]["original"])
    assert visitor.get(url(f"{folder}/stolen.mp4")).status_code == 404
    assert visitor.get(url(f"{folder}/original.mp4")).status_code == 404


def test_symlink_out_of_media_root_is_refused(visitor, db, media, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"\xff\xd8\xff\xe0 not for the web")
    media.link("images/outside.jpg", secret)
    media.link("images/outside-dir", tmp_path)
    assert visitor.get(url("images/outside.jpg")).status_code == 404
    assert visitor.get(url("images/outside-dir/secret.jpg")).status_code == 404


# --- What is still served, and how -------------------------------------------------

EXPECTED_TYPES = {
    "rendition": "video/mp4",
    "poster": "image/jpeg",
    "segment": "video/iso.segment",
    "playlist": "application/vnd.apple.mpegurl",
}


def assert_served_safely(response, content_type):
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize("kind", EXPECTED_TYPES)
def test_the_owner_still_gets_the_drafts_files(client, draft, kind):
    client.force_login(draft["author"])
    response = client.get(url(draft["files"][kind]))
    assert_served_safely(response, EXPECTED_TYPES[kind])
    assert response["Cache-Control"] == "private"


@pytest.mark.parametrize("kind", EXPECTED_TYPES)
def test_a_live_lessons_files_are_public(client, public, media, kind):
    response = client.get(url(public["files"][kind]))
    assert_served_safely(response, EXPECTED_TYPES[kind])
    assert (
        b"".join(response.streaming_content)
        == (media.root / public["files"][kind]).read_bytes()
    )
    # Conditional requests keep working as with django.views.static.serve.
    again = client.get(
        url(public["files"][kind]), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]
    )
    assert again.status_code == 304


def test_wagtail_images_are_public_with_their_type(client, db, media):
    media.write("images/photo.max-800x600.png", b"\x89PNG\r\n\x1a\n")
    media.write("original_images/照片.JPG", b"\xff\xd8\xff\xe0")
    assert_served_safely(client.get(url("images/photo.max-800x600.png")), "image/png")
    assert_served_safely(client.get(url("original_images/照片.JPG")), "image/jpeg")


# --- Hostile files in served folders -------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "images/poc.html",
        "images/poc.HTM",
        "original_images/poc.svg",
        "original_images/poc.xhtml",
        "images/poc",
        "images/poc.mp4.html",
        "renditions/{public}/poc.html",
        "renditions/{public}/hls/poc.svg",
        "renditions/{public}/poc.js",
    ],
)
def test_an_uploaded_page_is_not_served_from_a_served_folder(
    client, public, media, name
):
    name = name.format(public=public["video"].pk)
    media.write(name, POLYGLOT)
    assert client.get(url(name)).status_code == 404


def test_html_named_like_a_video_is_served_as_video_not_as_a_page(
    client, public, media
):
    name = f"renditions/{public['video'].pk}/evil.mp4"
    media.write(name, HTML)
    response = client.get(url(name))
    assert_served_safely(response, "video/mp4")


# --- The resolver on its own ----------------------------------------------------------

SEGMENTS = [
    "images",
    "original_images",
    "renditions",
    "originals",
    "documents",
    "7",
    "8",
    "hls",
    "1080p.mp4",
    "poster.jpg",
    "x.m4s",
    "secret.mp4",
    "poc.html",
    "link.mp4",
    "dirlink",
    "out.jpg",
    "..",
    ".",
    "",
    "．．",
    "%2e%2e",
    "..%2f",
    "\x00",
    "Renditions",
]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A MEDIA_ROOT with real files, symlinks in and out, for the property."""
    root = tmp_path_factory.mktemp("media-root") / "media"
    outside = root.parent / "outside"
    outside.mkdir()
    (outside / "out.jpg").write_bytes(b"x")
    for name in [
        "images/poster.jpg",
        "images/poc.html",
        "original_images/x.m4s",
        "renditions/7/1080p.mp4",
        "renditions/7/poster.jpg",
        "renditions/7/hls/x.m4s",
        "renditions/8/1080p.mp4",
        "originals/secret.mp4",
        "documents/secret.mp4",
    ]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    os.symlink(root / "renditions/7/1080p.mp4", root / "images/link.mp4")
    os.symlink(root / "originals", root / "images/dirlink")
    os.symlink(outside, root / "original_images/dirlink")
    os.symlink(outside / "out.jpg", root / "renditions/8/out.jpg")
    os.symlink("../7/1080p.mp4", root / "renditions/8/link.mp4")
    yield root
    shutil.rmtree(root.parent)


joined_segments = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6).flatmap(
    lambda parts: st.sampled_from(["/", "\\", "／", "/./"]).map(
        lambda sep: sep.join(parts)
    )
)


@hsettings(max_examples=300, deadline=None)
@given(raw=st.one_of(joined_segments, st.text(max_size=40)))
def test_resolver_refuses_or_returns_a_checked_path_inside_the_root(tree, raw):
    from weike.media_serve import SERVED_FOLDERS, resolve_media_path

    found = resolve_media_path(raw, root=tree)
    if found is None:
        return
    root = tree.resolve()
    first, *rest = found.relative.split("/")
    assert found.folder == first and first in SERVED_FOLDERS
    assert found.absolute == root / found.relative == found.absolute.resolve()
    assert found.absolute.is_relative_to(root / found.folder)
    assert found.relative == raw  # the file served is the file named
    if found.folder == "renditions":
        assert found.video_id == int(rest[0])
    else:
        assert found.video_id is None
    assert not found.relative.endswith((".html", ".svg"))


@pytest.mark.parametrize(
    ("raw", "video_id"),
    [
        ("images/poster.jpg", None),
        ("original_images/x.m4s", None),
        ("renditions/7/1080p.mp4", 7),
        ("renditions/7/hls/x.m4s", 7),
    ],
)
def test_resolver_finds_plain_names(tree, raw, video_id):
    from weike.media_serve import resolve_media_path

    found = resolve_media_path(raw, root=tree)
    assert found is not None and found.video_id == video_id


@pytest.mark.parametrize(
    "raw",
    [
        "images/link.mp4",
        "images/dirlink/secret.mp4",
        "original_images/dirlink/out.jpg",
        "renditions/8/out.jpg",
        "renditions/8/link.mp4",
        "originals/secret.mp4",
        "documents/secret.mp4",
        "images/poc.html",
        "images/../renditions/7/1080p.mp4",
        "images/．．／renditions/7/1080p.mp4",
        "renditions/７/1080p.mp4",
    ],
)
def test_resolver_refuses_links_private_folders_and_tricks(tree, raw):
    from weike.media_serve import resolve_media_path

    assert resolve_media_path(raw, root=tree) is None


# --- Originals are never handed out; stored objects carry our types ---------


def test_the_player_never_falls_back_to_the_original(db):
    from portal.media import video_info

    for status in ["", "uploaded", "probing", "transcoding", "failed", "rejected"]:
        video = Video(pk=41, title="t", file="originals/2026/11/ab/poc.html")
        video.status = status
        info = video_info(video)
        assert info.mp4_url == "" and info.mp4_sources == [], status


def test_the_video_edit_form_does_not_link_the_original(admin_client, draft):
    video = draft["video"]
    response = admin_client.get(
        f"/admin/snippets/media_pipeline/video/edit/{video.pk}/"
    )
    assert response.status_code == 200
    assert video.file.url not in response.content.decode()


def head(s3, key):
    return s3["client"].head_object(Bucket=s3["bucket"], Key=key)["ContentType"]


@pytest.mark.s3
def test_pipeline_outputs_carry_allow_listed_types_on_s3(db, s3_storage, tmp_path):
    from media_pipeline import storage

    local = tmp_path / "bytes"
    local.write_bytes(POLYGLOT)
    expected = {
        "renditions/9/1080p.mp4": "video/mp4",
        "renditions/9/hls/1080p_00001.m4s": "video/iso.segment",
        "renditions/9/hls/1080p_init.mp4": "video/mp4",
        "renditions/9/hls/master.m3u8": "application/vnd.apple.mpegurl",
        "renditions/9/poster.webp": "image/webp",
        "renditions/9/storyboard.jpg": "image/jpeg",
        "renditions/9/stray.html": "application/octet-stream",
        "renditions/9/stray.svg": "application/octet-stream",
    }
    for name, content_type in expected.items():
        stored = storage.upload(local, name)
        assert head(s3_storage, stored) == content_type, name


@pytest.mark.s3
def test_an_original_named_html_is_stored_as_opaque_bytes_on_s3(db, s3_storage):
    import io

    from media_pipeline.services import create_video

    video = create_video(
        title="poc",
        fileobj=io.BytesIO(POLYGLOT),
        original_filename="poc.html",
        enqueue=False,
    )
    assert head(s3_storage, video.file.name) == "application/octet-stream"
