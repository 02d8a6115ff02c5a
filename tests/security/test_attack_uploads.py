"""Hostile resumable (tus) uploads: names, lengths, per-user limits, ids.

The stored original gets a generated key (`originals/YYYY/MM/<upload uuid
hex>.<ext from the probed container>`); the client's name is display text only.
"""

import base64
import datetime
import re
import unicodedata
import uuid

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ingest.models import Upload, UploadStatus
from media_pipeline import services
from media_pipeline.models import Video, VideoStatus
from tests.fixtures_media import PART_SIZE_FOR_TESTS, TUS, tus_patch

pytestmark = pytest.mark.django_db

NAME_BUDGET = 255  # bytes of UTF-8
KEY = re.compile(r"^originals/\d{4}/\d{2}/(?P<hex>[0-9a-f]{32})\.(?P<ext>[a-z0-9]+)$")


IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}


@pytest.fixture(autouse=True)
def dummy_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }


def _login(client, django_user_model, username):
    user = django_user_model.objects.create_user(username, password="x")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def teacher(client, django_user_model):
    return _login(client, django_user_model, "teacher_attack")


@pytest.fixture
def other_teacher(django_user_model):
    from django.test import Client

    return _login(Client(), django_user_model, "teacher_other")


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create(client, length, filename="lesson.mp4", title=None):
    meta = f"filename {b64(filename)}"
    if title is not None:
        meta += f",title {b64(title)}"
    return client.post(
        "/ingest/tus/",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=meta,
        **TUS,
    )


def upload_whole(client, data: bytes, filename: str, title=None):
    created = create(client, len(data), filename, title)
    assert created.status_code == 201, created.content
    return tus_patch(client, created["Location"], 0, data)


def assert_generated_key(upload: Upload, ext: str = "mp4") -> None:
    match = KEY.match(upload.storage_name)
    assert match, upload.storage_name
    assert match["hex"] == upload.id.hex
    assert match["ext"] == ext


# --- Names ------------------------------------------------------------------------

HOSTILE_NAMES = [
    # (client's name, name kept for display)
    ("poc.html", "poc.html"),
    ("lesson.mp4.html", "lesson.mp4.html"),
    ("../../etc/passwd", "passwd"),
    ("..\\x.mp4", "x.mp4"),
    ("．．／．．／x.mp4", "x.mp4"),  # fullwidth dots and solidus
    ("les\x00son.html", "lesson.html"),
    ("a\r\nb\x1b[31m.mp4", "ab[31m.mp4"),
    ("\u202egnp.lmth", "gnp.lmth"),  # RIGHT-TO-LEFT OVERRIDE
    ("cute\u2066kitten\u2069.mp4", "cutekitten.mp4"),
    ("课" * 300, "课" * 85),  # 900 bytes: cut at a character boundary
    ("课" * 300 + ".mp4", "课" * 83 + ".mp4"),  # the extension survives the cut
    ("e\u0301cole.mp4", "\u00e9cole.mp4"),  # NFC
    ("..", "video"),
    ("/", "video"),
]


@pytest.mark.parametrize(("hostile", "shown"), HOSTILE_NAMES)
def test_hostile_name_is_display_text_only(teacher, media_clips, hostile, shown):
    data = media_clips("tiny").read_bytes()
    if hostile == "poc.html":  # an MP4 that continues as an HTML page
        data += b"<html><script>alert(document.cookie)</script></html>" * 64
    response = upload_whole(teacher, data, hostile)
    assert response.status_code == 204, response.content

    upload = Upload.objects.get()
    assert upload.status == UploadStatus.COMPLETE
    assert_generated_key(upload)
    video = Video.objects.get(pk=upload.video_id)
    assert video.file.name == upload.storage_name
    with default_storage.open(video.file.name, "rb") as fh:
        assert fh.read() == data
    assert upload.filename == shown
    assert video.original_filename == shown
    assert len(shown.encode()) <= NAME_BUDGET


def test_title_and_metadata_lose_control_characters(teacher, media_clips):
    data = media_clips("tiny").read_bytes()
    response = upload_whole(teacher, data, "a.mp4", title="勾股\x00定理\u202e")
    assert response.status_code == 204, response.content
    upload = Upload.objects.get()
    assert upload.title == "勾股定理"
    assert Video.objects.get().title == "勾股定理"
    assert "\x00" not in str(upload.metadata)


SMALL_CLIPS = {
    # extension: ffmpeg output arguments (3 s of 640x480, named .mp4 on upload)
    "webm": ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-f", "webm"],
    "mkv": ["-c:v", "libx264", "-preset", "ultrafast", "-f", "matroska"],
    "mov": ["-c:v", "libx264", "-preset", "ultrafast", "-f", "mov"],
    "avi": ["-c:v", "mpeg4", "-f", "avi"],
    "flv": ["-c:v", "flv", "-f", "flv"],
}


@pytest.mark.parametrize("ext", sorted(SMALL_CLIPS))
def test_the_extension_comes_from_the_content(teacher, media_clips, ext):
    clip = media_clips._ffmpeg(
        media_clips.dir / "by-content" / f"clip.{ext}",
        ["-f", "lavfi", "-i", "testsrc=size=640x480:rate=10", "-t", "3"]
        + SMALL_CLIPS[ext],
    )
    response = upload_whole(teacher, clip.read_bytes(), "lesson.mp4")
    assert response.status_code == 204, response.content
    assert_generated_key(Upload.objects.get(), ext)


def test_worker_rejection_removes_the_original(
    teacher, media_clips, settings, django_capture_on_commit_callbacks
):
    data = media_clips("tiny").read_bytes()  # 3 s: too short for the rules
    assert upload_whole(teacher, data, "poc.html").status_code == 204
    video = Video.objects.get()
    stored = video.file.name
    assert default_storage.exists(stored)
    # The files go after the rejection commits, by a task (docs/media-pipeline.md).
    settings.TASKS = IMMEDIATE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_video(video.pk) == VideoStatus.REJECTED
    video.refresh_from_db()
    assert video.reason == "too_short"
    assert not default_storage.exists(stored)
    assert video.file.name == ""


def test_early_rejection_leaves_nothing_stored(teacher, settings):
    junk = b"<html><body>not a video</body></html>\n" * 80_000  # ~3 MB
    url = create(teacher, len(junk), filename="poc.html")["Location"]
    response = tus_patch(teacher, url, 0, junk)
    assert response.status_code == 422
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.REJECTED
    # Refused as soon as the head had arrived, not after the whole body.
    assert upload.offset < len(junk)
    assert not any(upload.id.hex in name for name in _all_stored("originals"))


def _all_stored(path):
    if not default_storage.exists(path):
        return []
    dirs, files = default_storage.listdir(path)
    names = [f"{path}/{f}" for f in files]
    for d in dirs:
        names += _all_stored(f"{path}/{d}")
    return names


@pytest.mark.s3
def test_s3_refused_head_sends_no_part(s3_storage, teacher):
    """One big PATCH of junk: the head is checked before any part leaves."""
    junk = b"<html><body>not a video</body></html>\n" * 80_000  # ~3 MB
    assert len(junk) > 3 * PART_SIZE_FOR_TESTS
    url = create(teacher, len(junk), filename="poc.html")["Location"]
    assert tus_patch(teacher, url, 0, junk).status_code == 422
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.REJECTED
    assert upload.parts == []
    assert upload.multipart_id == ""
    client, bucket = s3_storage["client"], s3_storage["bucket"]
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert client.list_objects_v2(Bucket=bucket).get("Contents", []) == []


@pytest.mark.s3
def test_s3_key_is_generated(s3_storage, teacher, media_clips):
    data = media_clips("tiny").read_bytes()
    assert upload_whole(teacher, data, "../../poc.html").status_code == 204
    upload = Upload.objects.get()
    assert_generated_key(upload)
    client, bucket = s3_storage["client"], s3_storage["bucket"]
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [upload.storage_name]
    head = client.head_object(Bucket=bucket, Key=upload.storage_name)
    assert head["ContentType"] == "video/mp4"


@pytest.mark.s3
def test_s3_worker_rejection_deletes_the_object(
    s3_storage, teacher, media_clips, settings, django_capture_on_commit_callbacks
):
    data = media_clips("tiny").read_bytes()
    assert upload_whole(teacher, data, "poc.html").status_code == 204
    video = Video.objects.get()
    settings.TASKS = IMMEDIATE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_video(video.pk) == VideoStatus.REJECTED
    client, bucket = s3_storage["client"], s3_storage["bucket"]
    assert client.list_objects_v2(Bucket=bucket).get("Contents", []) == []


@given(st.text(max_size=400))
@hsettings(max_examples=200, deadline=None)
def test_display_name_properties(raw):
    from ingest.naming import display_name

    name = display_name(raw)
    encoded = name.encode("utf-8")  # valid UTF-8 (no lone surrogates)
    assert 0 < len(encoded) <= NAME_BUDGET
    assert not set(name) & {"/", "\\", "\x00"}
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in name)
    assert name == unicodedata.normalize("NFC", name)
    assert name.strip() == name
    assert display_name(name) == name


# --- Upload-Length and Upload-Offset --------------------------------------------


@pytest.mark.parametrize(
    "value", ["12_000", "+12", " 12", "12 ", "١٢", "１２", "-1", "0x10", "", str(2**70)]
)
def test_upload_length_must_be_ascii_digits(teacher, value):
    response = teacher.post(
        "/ingest/tus/",
        HTTP_UPLOAD_LENGTH=value,
        HTTP_UPLOAD_METADATA=f"filename {b64('a.mp4')}",
        **TUS,
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_length",
        "message": "Upload-Length 必须是文件的字节数，只用阿拉伯数字书写。",
    }
    assert not Upload.objects.exists()


def test_upload_length_over_the_maximum(teacher):
    response = create(teacher, 10**19 - 1)  # 19 digits: parsed, then refused
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize("value", ["+0", " 0", "٠", "０", "0_0", "-0", ""])
def test_upload_offset_must_be_ascii_digits(teacher, value):
    url = create(teacher, 100)["Location"]
    response = teacher.generic(
        "PATCH",
        url,
        b"x" * 10,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=value,
        **TUS,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_offset"
    assert response.json()["message"].startswith("Upload-Offset 和 Content-Length")
    assert Upload.objects.get().offset == 0


@pytest.mark.parametrize("method", ["HEAD", "PATCH", "DELETE"])
def test_another_teachers_upload_is_not_found(teacher, other_teacher, method):
    url = create(teacher, 100)["Location"]
    response = other_teacher.generic(
        method,
        url,
        b"x" * 10,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        **TUS,
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    if method != "HEAD":
        assert response.json() == {
            "code": "not_found",
            "message": "这个上传不存在，或不属于您。",
        }
    upload = Upload.objects.get()
    assert (upload.offset, upload.status) == (0, UploadStatus.RECEIVING)


def test_refusals_speak_the_teachers_language(teacher):
    url = create(teacher, 100)["Location"]
    english = {"HTTP_ACCEPT_LANGUAGE": "en", **TUS}
    wrong_type = teacher.generic(
        "PATCH", url, b"x", content_type="text/plain", HTTP_UPLOAD_OFFSET="0", **english
    )
    assert wrong_type.status_code == 415
    assert wrong_type.json()["message"] == (
        "Send the file's bytes as application/offset+octet-stream."
    )
    gone = teacher.generic(
        "PATCH",
        url.replace(url.rstrip("/").rsplit("/", 1)[1], str(uuid.UUID(int=0))),
        b"x",
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        **english,
    )
    assert gone.json()["message"] == "This upload does not exist or is not yours."


def test_an_offset_the_server_does_not_hold_says_where_to_continue(teacher):
    url = create(teacher, 100)["Location"]
    assert tus_patch(teacher, url, 0, b"x" * 10).status_code == 204
    response = tus_patch(teacher, url, 3, b"y" * 10)
    assert response.status_code == 409
    assert response["Upload-Offset"] == "10"
    assert response.json()["code"] == "offset_conflict"
    assert "Upload-Offset" in response.json()["message"]


# --- Per-user limits -------------------------------------------------------------


def assert_too_many(response):
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "too_many_uploads"
    assert body["message"]
    assert "{" not in body["message"] and "%(" not in body["message"]


def test_open_upload_limit(teacher, other_teacher, settings, media_clips):
    settings.UPLOAD_MAX_OPEN_PER_USER = 2
    data = media_clips("tiny").read_bytes()
    first = create(teacher, len(data))
    assert first.status_code == 201
    second = create(teacher, 100)
    assert second.status_code == 201
    assert_too_many(create(teacher, 100))
    assert Upload.objects.filter(owner=teacher.user).count() == 2
    # Another teacher has slots of their own.
    assert create(other_teacher, 100).status_code == 201

    # A finished upload frees its slot ...
    assert tus_patch(teacher, first["Location"], 0, data).status_code == 204
    third = create(teacher, 100)
    assert third.status_code == 201
    assert_too_many(create(teacher, 100))
    # ... so does a cancelled one, and one left idle past the expiry.
    assert teacher.delete(second["Location"], **TUS).status_code == 204
    fourth = create(teacher, 100)
    assert fourth.status_code == 201
    Upload.objects.filter(status=UploadStatus.RECEIVING, owner=teacher.user).update(
        updated_at=timezone.now()
        - datetime.timedelta(hours=settings.UPLOAD_EXPIRE_HOURS + 1)
    )
    assert create(teacher, 100).status_code == 201


def test_rejected_upload_frees_its_slot(teacher, settings):
    settings.UPLOAD_MAX_OPEN_PER_USER = 1
    junk = b"not a video\n" * 100
    url = create(teacher, len(junk), filename="a.mp4")["Location"]
    assert_too_many(create(teacher, 100))
    assert tus_patch(teacher, url, 0, junk).status_code == 422
    assert create(teacher, 100).status_code == 201


def test_bytes_in_flight_limit(teacher, other_teacher, settings):
    settings.UPLOAD_MAX_BYTES_IN_FLIGHT_PER_USER = 1000
    assert create(teacher, 600).status_code == 201
    assert_too_many(create(teacher, 401))
    assert create(teacher, 400).status_code == 201  # exactly at the limit
    assert_too_many(create(teacher, 1))
    assert create(other_teacher, 1000).status_code == 201


def test_limits_come_from_the_environment(monkeypatch):
    import importlib

    from weike.settings import uploads

    monkeypatch.setenv("WEIKE_UPLOAD_MAX_OPEN", "7")
    monkeypatch.setenv("WEIKE_UPLOAD_MAX_INFLIGHT_BYTES", "12345")
    reloaded = importlib.reload(uploads)
    try:
        assert reloaded.UPLOAD_MAX_OPEN_PER_USER == 7
        assert reloaded.UPLOAD_MAX_BYTES_IN_FLIGHT_PER_USER == 12345
    finally:
        monkeypatch.undo()
        importlib.reload(uploads)


# --- Someone else's upload -------------------------------------------------------


def test_another_users_upload_is_not_found(teacher, other_teacher):
    url = create(teacher, 100)["Location"]
    assert other_teacher.head(url, **TUS).status_code == 404
    patched = other_teacher.generic(
        "PATCH",
        url,
        b"x" * 10,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        **TUS,
    )
    assert patched.status_code == 404
    assert other_teacher.delete(url, **TUS).status_code == 404
    upload = Upload.objects.get()
    assert (upload.status, upload.offset) == (UploadStatus.RECEIVING, 0)


def test_duplicate_of_another_teachers_video_does_not_reveal_its_id(
    teacher, other_teacher, media_clips
):
    data = media_clips("tiny").read_bytes()
    assert upload_whole(other_teacher, data, "mine.mp4").status_code == 204
    theirs = Video.objects.get()
    response = upload_whole(teacher, data, "copy.mp4")
    assert response.status_code == 204
    assert response["Weike-Upload-Status"] == UploadStatus.DUPLICATE
    assert "Weike-Video-Id" not in response
    # The uploader of the first copy still learns its id on their own duplicate.
    again = upload_whole(other_teacher, data, "again.mp4")
    assert int(again["Weike-Video-Id"]) == theirs.pk
