"""Classroom files through the whole job, outputs checked with ffprobe.

The corpus (tests/media_corpus.py) is generated with lavfi; each test takes
one kind of file a classroom produces and checks what comes out: duration,
geometry, timing, sound, captions, ladder alignment.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from media_pipeline import probe as probing
from media_pipeline import services
from media_pipeline.models import Video, VideoStatus
from media_pipeline.probe import probe
from media_pipeline.rules import Reason
from tests.fixtures_media import ffprobe_streams

# What ffmpeg made is checked; the rows around it are plain ORM (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.postgresql_pass]


@pytest.fixture(autouse=True)
def small_and_fast(settings):
    settings.MEDIA_X264_PRESET = "ultrafast"
    # Tiny clips: the duration and resolution rules are not under test here.
    settings.MEDIA_VALIDATION = {"MIN_DURATION": 1.0, "MIN_LINES": 240}


def ingest(path, capture) -> Video:
    with open(path, "rb") as fh, capture(execute=True):
        video = services.create_video(
            title="课例", fileobj=fh, original_filename=Path(path).name
        )
    video.refresh_from_db()
    return video


def local(name) -> Path:
    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / name


def streams(path, kind: str) -> list[dict]:
    return [s for s in ffprobe_streams(path)["streams"] if s["codec_type"] == kind]


def duration_of(path) -> float:
    return float(ffprobe_streams(path)["format"]["duration"])


# --- 1. The whole file must be there ----------------------------------------


def test_truncated_mkv_is_refused_not_published_half_long(
    corpus, django_capture_on_commit_callbacks
):
    cut = corpus.truncated_mkv()
    assert probe(cut).duration == pytest.approx(8.0, abs=0.1)  # the header lies
    video = ingest(cut, django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.REJECTED
    assert video.reason == Reason.CORRUPT
    assert video.reason_params["declared"] == pytest.approx(8.0, abs=0.1)
    assert video.reason_params["found"] < 5
    assert video.renditions.count() == 0


def test_whole_mkv_passes_the_packet_scan(corpus, django_capture_on_commit_callbacks):
    whole = corpus.whole_mkv()
    result = probe(whole)
    packets = probing.read_packets(whole, result)
    assert packets.end == pytest.approx(8.0, abs=0.1)
    assert packets.keyframes[0] == pytest.approx(0, abs=0.05)
    video = ingest(whole, django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    for rendition in video.renditions.all():
        assert duration_of(local(rendition.file.name)) == pytest.approx(8.0, abs=0.2)


def ffprobe_packets(path, stream="v:0") -> list[tuple[float, bool]]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", stream, "-of", "csv=p=0"]
        + ["-show_entries", "packet=pts_time,flags", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split(",") for line in out.splitlines() if line]
    return sorted((float(t), f.startswith("K")) for t, f, *_ in rows)


# --- 2. Progress while ffmpeg runs ------------------------------------------


def test_progress_is_reported_while_the_ladder_is_encoded(corpus, tmp_path):
    from PIL import Image

    from media_pipeline.transcode import plan, run_transcode

    src = corpus.progress_source()
    result = probe(src)
    seen: list[float] = []
    run_transcode(src, result, plan(result), tmp_path, on_progress=seen.append)
    during = [v for v in seen if 0 < v < 100]
    # Several values on the way, in order, the first well before the end.
    assert len(set(during)) >= 2, seen
    assert during == sorted(during)
    assert min(during) < 60, seen
    assert seen[-1] == 100
    with Image.open(tmp_path / "poster.png") as poster:
        assert poster.size == (1280, 720)
    # 8 s at one tile per 2 s: one row of four, no black rows under it.
    with Image.open(tmp_path / "storyboard.jpg") as board:
        assert board.size == (4 * 160, 90)


# --- 3. Geometry and timing -------------------------------------------------


def shown_size(stream: dict) -> tuple[int, int]:
    num, den = (stream.get("sample_aspect_ratio") or "1:1").split(":")
    num, den = (int(num), int(den)) if int(num) and int(den) else (1, 1)
    return round(stream["width"] * num / den), stream["height"]


def test_anamorphic_pal_comes_out_16_by_9(corpus, django_capture_on_commit_callbacks):
    from PIL import Image

    video = ingest(corpus.pal_anamorphic(), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    assert (video.width, video.height) == (1024, 576)
    sizes = {}
    for rendition in video.renditions.all():
        (stream,) = streams(local(rendition.file.name), "video")
        sizes[rendition.profile] = shown_size(stream)
    assert sizes == {"480p": (854, 480), "360p": (640, 360)}
    with Image.open(local(video.poster_jpeg.name)) as poster:
        assert poster.size == (720, 405)
    with Image.open(local(video.storyboard.name)) as board:
        assert board.size == (2 * 160, 90)


def interlace_counts(path) -> dict[str, int]:
    """idet's multi-frame verdict: how many frames look TFF, BFF, progressive."""
    err = subprocess.run(
        ["ffmpeg", "-v", "info", "-nostats", "-i", str(path), "-map", "0:v:0"]
        + ["-vf", "idet", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    line = [x for x in err.splitlines() if "Multi frame detection" in x][-1]
    words = line.split("detection:")[1].replace(":", " ").split()
    return {words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2)}


def test_interlaced_source_is_deinterlaced(corpus, django_capture_on_commit_callbacks):
    source = corpus.pal_interlaced()
    before = interlace_counts(source)
    assert before["TFF"] > before["Progressive"]  # the combs are really there
    video = ingest(source, django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    assert (video.width, video.height) == (768, 576)  # SAR 16:15 → 4:3
    after = interlace_counts(local(video.get_rendition("480p").file.name))
    assert after["Progressive"] > after["TFF"] + after["BFF"], after


def test_variable_frame_rate_keeps_its_frames_and_keyframes_by_time(
    corpus, django_capture_on_commit_callbacks
):
    source = corpus.vfr_screen()
    src_frames = ffprobe_packets(source)
    video = ingest(source, django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    out = local(video.get_rendition("360p").file.name)
    frames = ffprobe_packets(out)
    # The screen's own frames, none invented to fill a constant rate.
    assert len(frames) == len(src_frames)
    keys = [t for t, key in frames if key]
    # One keyframe per 2 s of time (0, 2, 4 … 10), not per N frames.
    assert len(keys) == 6, keys
    for n, t in enumerate(keys):
        assert 2 * n <= t < 2 * n + 1.0, keys
    # Segments cut on the 4 s grid.
    playlist = local(f"renditions/{video.pk}/hls/360p.m3u8").read_text()
    lengths = [float(x[8:].rstrip(",")) for x in playlist.split() if "EXTINF" in x]
    assert all(abs(x - 4) < 1.01 for x in lengths[:-1]), lengths


def start_times(path) -> tuple[float, float]:
    info = ffprobe_streams(path)["streams"]
    v = next(s for s in info if s["codec_type"] == "video")
    a = next(s for s in info if s["codec_type"] == "audio")
    return float(v["start_time"]), float(a["start_time"])


def test_wmv_sound_stays_with_the_picture(corpus, django_capture_on_commit_callbacks):
    source = corpus.wmv()
    v0, a0 = start_times(source)
    video = ingest(source, django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    v1, a1 = start_times(local(video.get_rendition("360p").file.name))
    frame = 1 / 25
    assert abs((v1 - a1) - (v0 - a0)) <= frame, (v0, a0, v1, a1)


# --- 4. Sound tracks and captions -------------------------------------------


def test_default_chinese_narration_chosen_and_captions_extracted(
    corpus, settings, django_capture_on_commit_callbacks
):
    from media_pipeline import selectors

    video = ingest(corpus.two_narrations(), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    # The Chinese narration (48 kHz, second, default), not the first track.
    for rendition in video.renditions.all():
        (audio,) = streams(local(rendition.file.name), "audio")
        assert audio["sample_rate"] == "48000"
    # The others are noted on the record.
    noted = [(t["language"], t["chosen"]) for t in video.probe["audio_tracks"]]
    assert noted == [("eng", False), ("chi", True)]
    assert video.probe["audio_tracks"][1]["title"] == "普通话讲解"

    tracks = selectors.caption_tracks(video)
    assert [(label, lang) for label, lang, _url in tracks] == [
        ("中文", "zh"),
        ("English", "en"),
    ]
    first = local(tracks[0][2].removeprefix(settings.MEDIA_URL)).read_text("utf-8")
    assert first.startswith("WEBVTT") and "勾股定理" in first
    # The cue keeps its time on the file's timeline (0.5 s, plus the 46 ms the
    # muxer shifted every stream by for the AAC priming).
    cue = next(line for line in first.splitlines() if "-->" in line)
    start = float(cue.split(" --> ")[0].split(":")[-1])
    assert start == pytest.approx(0.5, abs=0.1), cue
    assert tracks[1][2].endswith(f"renditions/{video.pk}/captions/1.vtt")


def test_caption_tags_from_the_file_are_cleaned():
    from media_pipeline.captions import clean_label, language_tag

    assert language_tag("chi") == language_tag("ZHO") == "zh"
    for hostile in ("../../etc", "e\x00n", "ｅｎ", "%2e%2e", "en/..", "x" * 300, ""):
        assert language_tag(hostile) == "und"
    assert clean_label("中文\u202e\x00\r\n字幕\x1b[31m") == "中文字幕[31m"
    assert len(clean_label("字" * 1000)) == 100


def test_no_captions_for_a_video_not_ready(corpus):
    from media_pipeline import selectors

    assert selectors.caption_tracks(None) == []
    assert selectors.caption_tracks(Video(status=VideoStatus.TRANSCODING)) == []


# --- 5. A ladder whose rungs line up ----------------------------------------


def playlist_lengths(video, profile) -> list[float]:
    text = local(f"renditions/{video.pk}/hls/{profile}.m3u8").read_text()
    return [round(float(x[8:].rstrip(",")), 2) for x in text.split() if "EXTINF" in x]


def master_codecs(video) -> dict[str, str]:
    text = local(video.hls_master.name).read_text().splitlines()
    return {
        text[i + 1][:-5]: line.split('CODECS="')[1].rstrip('"')
        for i, line in enumerate(text)
        if line.startswith("#EXT-X-STREAM-INF")
    }


PROFILE_IDC = {"High": "64", "Main": "4d", "Constrained Baseline": "42"}


def expected_codecs(path) -> str:
    (v,) = streams(path, "video")
    (a,) = streams(path, "audio")
    assert a["profile"] == "LC"
    return f"avc1.{PROFILE_IDC[v['profile']]}..{v['level']:02x},mp4a.40.2"


def test_codecs_strings_come_from_the_streams(
    corpus, django_capture_on_commit_callbacks
):
    import re

    video = ingest(corpus.hd60(), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    codecs = master_codecs(video)
    assert set(codecs) == {"720p", "480p", "360p"}
    for profile, value in codecs.items():
        path = local(video.get_rendition(profile).file.name)
        assert re.fullmatch(expected_codecs(path), value), (profile, value)
    # 720p60 needs level 3.2 (0x20), 360p60 less: not one hard-coded string.
    assert codecs["720p"].split(",")[0].endswith("20")
    assert codecs["720p"] != codecs["360p"]


def test_aligned_source_is_copied_with_its_own_codecs_string(
    corpus, django_capture_on_commit_callbacks
):
    import re

    video = ingest(corpus.compliant_aligned(), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    top = video.get_rendition("480p")
    assert top.copied
    value = master_codecs(video)["480p"]
    # What the source really is (x264 ultrafast writes Constrained Baseline
    # L3.0 even when asked for Main), not the High profile of encoded rungs.
    assert value.startswith("avc1.42c01e")
    assert re.fullmatch(expected_codecs(local(top.file.name)), value)
    assert playlist_lengths(video, "480p") == playlist_lengths(video, "360p")


def test_misaligned_keyframes_are_encoded_not_copied(
    corpus, django_capture_on_commit_callbacks
):
    source = corpus.compliant_misaligned()
    assert [t for t, key in ffprobe_packets(source) if key] == [0.0, 5.0]
    video = ingest(source, django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    assert not video.get_rendition("480p").copied
    lengths = playlist_lengths(video, "480p")
    assert lengths == playlist_lengths(video, "360p")
    assert lengths[:-1] == [4.0] * (len(lengths) - 1)


def test_copied_rung_mixes_surround_down_to_stereo(
    corpus, django_capture_on_commit_callbacks
):
    video = ingest(corpus.compliant_surround(), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    top = video.get_rendition("480p")
    assert top.copied
    for rendition in video.renditions.all():
        (audio,) = streams(local(rendition.file.name), "audio")
        assert audio["channels"] == 2, rendition.profile


# --- 6. Formats and the storyboard -------------------------------------------


def test_camcorder_dv_is_accepted_and_shown_4_by_3(
    corpus, django_capture_on_commit_callbacks
):
    video = ingest(corpus.dv(), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    assert (video.container, video.video_codec) == ("dv", "dvvideo")
    assert (video.width, video.height) == (768, 576)
    (stream,) = streams(local(video.get_rendition("480p").file.name), "video")
    assert shown_size(stream) == (640, 480)
    assert duration_of(local(video.get_rendition("480p").file.name)) == (
        pytest.approx(3.0, abs=0.1)
    )


def test_mp3_is_refused_as_sound_without_picture(
    corpus, django_capture_on_commit_callbacks
):
    from media_pipeline.services import early_check

    assert early_check(corpus.mp3()).code == Reason.NO_VIDEO
    video = ingest(corpus.mp3(), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.REJECTED
    assert video.reason == Reason.NO_VIDEO


def test_storyboard_of_a_short_clip_has_no_empty_rows(
    corpus, django_capture_on_commit_callbacks
):
    from PIL import Image

    from media_pipeline import selectors

    video = ingest(corpus.short_lesson(24), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    assert video.storyboard_interval == 2
    # 24 s at one tile per 2 s: twelve tiles, ten to a row, two rows.
    assert selectors.storyboard_grid(video) == (10, 2)
    with Image.open(local(video.storyboard.name)) as board:
        assert board.size == (1600, 2 * 120)
        # The last row holds two tiles: its third tile is black, its first not.
        row = board.convert("L").crop((0, 120, 1600, 240))
        assert row.crop((0, 0, 160, 120)).getextrema()[1] > 50
        assert row.crop((320, 0, 480, 120)).getextrema()[1] < 20


# --- 7. Time to first playable ----------------------------------------------


def test_lowest_rung_plays_before_the_ladder_is_done(
    corpus, monkeypatch, admin_client, django_capture_on_commit_callbacks, settings
):
    from django.core.files.storage import default_storage

    from media_pipeline import selectors, transcode

    # An 8 s source stands in for a lesson: the first pass starts at 120 s.
    settings.MEDIA_FIRST_PLAYABLE_MIN_SECONDS = 8

    real_pass = transcode.run_pass
    seen, passes = {}, []

    def watch(src_path, src, p, workdir, on_progress=None, extras=True):
        passes.append([r.name for r in p.rungs])
        if len(passes) == 2:  # the second pass starts: the first rung must be out
            video = Video.objects.get()
            seen["status"] = video.status
            seen["playable"] = selectors.is_playable(video)
            seen["ready"] = [r.profile for r in video.renditions.all() if r.file]
            with default_storage.open(video.hls_master.name) as fh:
                seen["master"] = fh.read().decode()
            url = f"/media-pipeline/videos/{video.pk}/hls/master.m3u8"
            seen["served"] = admin_client.get(url).status_code
            seen["720p"] = admin_client.get(url.replace("master", "720p")).status_code
        return real_pass(src_path, src, p, workdir, on_progress, extras)

    monkeypatch.setattr(transcode, "run_pass", watch)
    video = ingest(corpus.progress_source(), django_capture_on_commit_callbacks)
    assert video.status == VideoStatus.READY, video.reason_detail
    assert passes == [["360p"], ["720p", "480p"]]
    assert seen["status"] == VideoStatus.TRANSCODING
    assert seen["playable"] and seen["ready"] == ["360p"]
    assert "360p.m3u8" in seen["master"] and "720p.m3u8" not in seen["master"]
    assert (seen["served"], seen["720p"]) == (200, 404)
    # At the end: the whole ladder, named by the master playlist.
    master = local(video.hls_master.name).read_text()
    assert all(f"{name}.m3u8" in master for name in ("720p", "480p", "360p"))
    assert duration_of(local(video.get_rendition("360p").file.name)) == (
        pytest.approx(8.0, abs=0.2)
    )
