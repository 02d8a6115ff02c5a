"""Issue 11 item 5: no upper bound on resolution or frame rate.

A 190 KB 8000×8000 H.264 file held the only worker for two minutes at 1.5 GB.
These clips are real ffmpeg output of a few frames (tiny and fast to make); the
limits must refuse them from the head of an upload and in the worker's probe,
before anything decodes them, while 4K classroom recordings and portrait
phone videos still pass.
"""

import importlib.util
import math
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ingest.models import Upload, UploadStatus
from media_pipeline import services
from media_pipeline.models import Video, VideoStatus
from media_pipeline.probe import parse, probe, validate
from media_pipeline.rules import Reason, Rejected
from tests.fixtures_media import TUS, said, tus_patch

ROOT = Path(__file__).resolve().parents[2]

# name -> (size, frame rate, frames, extra output arguments)
CLIPS = {
    "huge": ("8000x8000", 25, 2, []),
    "fps240": ("640x480", 240, 4, []),
    "uhd120": ("3840x2160", 120, 2, []),
    "uhd60": ("3840x2160", 60, 2, []),
    "dci60": ("4096x2160", 60, 2, []),
    "portrait": ("1080x1920", 30, 4, []),
    # Landscape pixels shown upright by a rotation tag: a phone held upright.
    "portrait_rotated": ("1920x1080", 30, 4, ["-metadata:s:v:0", "rotate=90"]),
    "landscape_4k_too_long": ("2160x4320", 25, 2, []),
}


def make_clip(folder: Path, name: str) -> Path:
    size, rate, frames, extra = CLIPS[name]
    path = folder / f"{name}.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi"]
        + ["-i", f"color=c=blue:s={size}:r={rate}", "-frames:v", str(frames)]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        + [*extra, str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return path


def make_vfr_clip(folder: Path) -> Path:
    """A variable-frame-rate MP4 (~30 fps, irregular timestamps): ffprobe
    reports r_frame_rate 1000/1 (the time base), not a real rate."""
    path = folder / "vfr.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi"]
        + ["-i", "color=c=green:s=640x480:r=30", "-frames:v", "60"]
        + ["-vf", "settb=1/1000,setpts='(N/30+random(0)*0.02)/TB'"]
        + ["-fps_mode", "passthrough", "-enc_time_base", "1:1000"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        + ["-bf", "0", str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("limits")
    made = {}

    def get(name):
        if name not in made:
            made[name] = (
                make_vfr_clip(folder) if name == "vfr" else make_clip(folder, name)
            )
        return made[name]

    return get


@pytest.fixture
def short_ok(settings):
    # The clips last a fraction of a second; only the new limits are under test.
    settings.MEDIA_VALIDATION = {"MIN_DURATION": 0.01}


def rejection(path):
    with pytest.raises(Rejected) as info:
        validate(probe(path))
    return info.value


def assert_filled(text: str, *parts: str):
    assert "{" not in text and "}" not in text, text
    for part in parts:
        assert part in text, (part, text)


# --- The worker's full probe ---------------------------------------------------


def test_huge_resolution_refused_with_its_numbers(clips, short_ok):
    exc = rejection(clips("huge"))
    assert exc.code == Reason.RESOLUTION_TOO_HIGH
    assert_filled(said(exc.rejection, "zh-hans"), "8000×8000", "4096", "2160")
    assert_filled(said(exc.rejection, "en"), "8000×8000", "4096", "2160")


def test_long_side_over_the_limit_refused_even_with_a_short_side_in_range(
    clips, short_ok
):
    # 2160×4320: the short side is fine, the long side is not.
    assert rejection(clips("landscape_4k_too_long")).code == (
        Reason.RESOLUTION_TOO_HIGH
    )


def test_240_fps_refused(clips, short_ok):
    exc = rejection(clips("fps240"))
    assert exc.code == Reason.FRAME_RATE_TOO_HIGH
    assert_filled(said(exc.rejection, "zh-hans"), "240", "640×480", "120")
    assert_filled(said(exc.rejection, "en"), "240", "640×480", "120")


def test_pixel_rate_bounds_frame_rate_at_high_resolution(clips, short_ok):
    # 120 fps is allowed on its own, but not at 3840×2160: 64 fps is the most
    # the pixel rate 4096×2160×60 allows there.
    exc = rejection(clips("uhd120"))
    assert exc.code == Reason.FRAME_RATE_TOO_HIGH
    assert_filled(said(exc.rejection, "en"), "3840×2160", "120", "64")


@pytest.mark.parametrize(
    "name", ["portrait", "portrait_rotated", "uhd60", "dci60", "vfr"]
)
def test_classroom_recordings_and_phones_pass(clips, short_ok, name):
    result = probe(clips(name))
    validate(result)  # no Rejected
    assert services.early_check(clips(name)) is None


def test_vfr_clip_is_judged_by_its_average_rate(clips, short_ok):
    result = probe(clips("vfr"))
    video = result.raw["streams"][0]
    assert video["r_frame_rate"] == "1000/1"  # the time base, not a rate
    assert 25 < result.frame_rate < 35


def test_limits_come_from_settings(clips, settings):
    settings.MEDIA_VALIDATION = {"MIN_DURATION": 0.01, "MAX_LONG_SIDE": 1280}
    exc = rejection(clips("portrait"))
    assert exc.code == Reason.RESOLUTION_TOO_HIGH
    assert_filled(said(exc.rejection, "zh-hans"), "1080×1920", "1280")
    settings.MEDIA_VALIDATION = {"MIN_DURATION": 0.01, "MAX_FPS": 24}
    assert rejection(clips("portrait")).code == Reason.FRAME_RATE_TOO_HIGH


LIMIT_KEYS = ("MAX_LONG_SIDE", "MAX_SHORT_SIDE", "MAX_FPS", "MAX_PIXEL_RATE")


def test_limits_read_from_the_environment(tmp_path, monkeypatch):
    for name, value in {
        "WEIKE_VAR_DIR": str(tmp_path),
        "WEIKE_VIDEO_MAX_LONG_SIDE": "1920",
        "WEIKE_VIDEO_MAX_SHORT_SIDE": "1080",
        "WEIKE_VIDEO_MAX_FPS": "30",
        "WEIKE_VIDEO_MAX_PIXEL_RATE": "62208000",
    }.items():
        monkeypatch.setenv(name, value)
    # A fresh copy of the base settings module, read with these variables.
    spec = importlib.util.spec_from_file_location(
        "weike.settings._env_probe", ROOT / "weike" / "settings" / "pipeline.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    limits = module.MEDIA_VALIDATION
    assert [limits[k] for k in LIMIT_KEYS] == [1920, 1080, 30.0, 62208000]


# --- Frame rates from ffprobe's text ------------------------------------------

RATE = st.one_of(
    st.sampled_from(["0/0", "1/0", "", "N/A", "nan/1", "inf/1", "-30/1", "x/1"]),
    st.builds(
        lambda n, d: f"{n}/{d}",
        st.integers(-(10**6), 10**9),
        st.integers(-10, 10**6),
    ),
    st.text(max_size=12),
)


@hsettings(max_examples=60, deadline=None)
@given(avg=RATE, real=RATE)
def test_any_frame_rate_text_gives_a_positive_rate_or_none(avg, real):
    data = {
        "streams": [
            {
                "codec_type": "video",
                "codec_name": "h264",
                "width": 640,
                "height": 480,
                "avg_frame_rate": avg,
                "r_frame_rate": real,
                "time_base": "1/1000",
            }
        ]
    }
    rate = parse(data, "mov").frame_rate
    assert rate is None or (math.isfinite(rate) and rate > 0)


def test_frame_rate_falls_back_to_r_frame_rate_but_not_to_the_time_base():
    def rate(avg, real, time_base="1/90000"):
        stream = {
            "codec_type": "video",
            "codec_name": "h264",
            "width": 640,
            "height": 480,
            "avg_frame_rate": avg,
            "r_frame_rate": real,
            "time_base": time_base,
        }
        return parse({"streams": [stream]}, "mov").frame_rate

    assert rate("30000/1001", "1000/1", "1/1000") == pytest.approx(29.97, 0.001)
    assert rate("0/0", "240/1") == 240  # no average: the real base rate counts
    assert rate("0/0", "1000/1", "1/1000") is None  # only the time base: unknown


def test_coded_size_counts_when_cropping_hides_it(short_ok):
    # H.264 cropping can show 640×480 of an 8000×8000 coded picture; decoding
    # costs the coded size.
    stream = {
        "codec_type": "video",
        "codec_name": "h264",
        "width": 640,
        "height": 480,
        "coded_width": 8000,
        "coded_height": 8000,
        "avg_frame_rate": "25/1",
    }
    result = parse({"format": {"duration": "40"}, "streams": [stream]}, "mov")
    with pytest.raises(Rejected) as info:
        validate(result)
    assert info.value.code == Reason.RESOLUTION_TOO_HIGH


# --- The head of an upload in progress ---------------------------------------


def test_early_check_refuses_from_the_head(clips):
    found = services.early_check(clips("huge"))
    assert found is not None and found.code == Reason.RESOLUTION_TOO_HIGH
    assert_filled(said(found, "zh-hans"), "8000×8000")
    found = services.early_check(clips("fps240"))
    assert found is not None and found.code == Reason.FRAME_RATE_TOO_HIGH


@pytest.mark.django_db
def test_tus_upload_stops_before_the_whole_file_is_sent(client, clips, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("attacker_res", password="x")
    client.force_login(user)
    # The 8000×8000 clip followed by a 3 MB `free` box (valid MP4 padding), so
    # the file is longer than the head the upload checks first.
    padding = 3 * 1024 * 1024
    data = clips("huge").read_bytes() + (padding + 8).to_bytes(4, "big") + b"free"
    data += bytes(padding)
    response = client.post("/ingest/tus/", HTTP_UPLOAD_LENGTH=str(len(data)), **TUS)
    url = response["Location"]
    sent = 2 * 1024 * 1024 + 4096
    response = tus_patch(client, url, 0, data[:sent])
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "resolution_too_high"
    assert_filled(body["message"], "8000×8000")
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.REJECTED
    assert upload.offset < len(data)
    assert Video.objects.count() == 0


# --- The worker -----------------------------------------------------------------


@pytest.mark.django_db
def test_worker_rejects_before_any_decoding(
    clips, short_ok, monkeypatch, django_capture_on_commit_callbacks
):
    def must_not_decode(*args, **kwargs):
        raise AssertionError("the file was decoded")

    monkeypatch.setattr(services, "check_decodable", must_not_decode)
    monkeypatch.setattr(services, "run_transcode", must_not_decode)
    with (
        open(clips("huge"), "rb") as fh,
        django_capture_on_commit_callbacks(execute=True),
    ):
        video = services.create_video(
            title="8000×8000", fileobj=fh, original_filename="huge.mp4"
        )
    video.refresh_from_db()
    assert video.status == VideoStatus.REJECTED
    assert video.reason == Reason.RESOLUTION_TOO_HIGH
    assert not video.retriable
    # The stored video tells the teacher the numbers, not the placeholders.
    assert_filled(said(video, "zh-hans", "reason_message"), "8000×8000", "4096")
    assert_filled(said(video, "en", "reason_message"), "8000×8000", "4096")
