"""Probe and validation on real clips generated with ffmpeg (no transcoding)."""

import os
import socket
import threading
import time

import pytest

from media_pipeline import ffmpeg
from media_pipeline.probe import probe, validate
from media_pipeline.rules import Reason, Rejected
from tests.fixtures_media import said


def reject_code(path) -> str:
    with pytest.raises(Rejected) as info:
        validate(probe(path))
    return info.value.code


@pytest.mark.parametrize(
    ("clip", "container", "codec", "size"),
    [
        ("mp4_h264", "mov,mp4,m4a,3gp,3g2,mj2", "h264", (640, 480)),
        ("webm_vp8", "matroska,webm", "vp8", (640, 480)),
        ("avi_mpeg4", "avi", "mpeg4", (854, 480)),
        ("flv_flv1", "flv", "flv1", (640, 480)),
    ],
)
def test_containers_and_codecs_accepted(media_clips, clip, container, codec, size):
    result = probe(media_clips(clip))
    validate(result)
    assert result.format_name == container
    assert result.video_codec == codec
    assert (result.width, result.height) == size
    assert result.has_audio
    assert 30.5 < result.duration < 31.6


def test_portrait_rotation_is_applied(media_clips):
    result = probe(media_clips("portrait_rotated"))
    validate(result)
    assert result.rotation in (90, 270)
    assert (result.width, result.height) == (480, 854)


@pytest.mark.parametrize(
    ("clip", "code"),
    [
        ("audio_only", Reason.NO_VIDEO),
        ("zero_byte", Reason.EMPTY_FILE),
        ("truncated", Reason.CORRUPT),
        ("text_as_mp4", Reason.UNSUPPORTED_CONTAINER),
        ("short", Reason.TOO_SHORT),
        ("low_res", Reason.RESOLUTION_TOO_LOW),
    ],
)
def test_bad_files_rejected_with_stable_codes(media_clips, clip, code):
    assert reject_code(media_clips(clip)) == code


def test_rules_come_from_settings(media_clips, settings):
    settings.MEDIA_VALIDATION = {"MAX_DURATION": 20.0}
    assert reject_code(media_clips("mp4_h264")) == Reason.TOO_LONG
    settings.MEDIA_VALIDATION = {"VIDEO_CODECS": ["h264"]}
    with pytest.raises(Rejected) as info:
        validate(probe(media_clips("webm_vp8")))
    assert info.value.code == Reason.UNSUPPORTED_CODEC
    assert "vp8" in said(info.value.rejection, "zh-hans")
    settings.MEDIA_VALIDATION = {"MIN_LINES": 240}
    validate(probe(media_clips("low_res")))  # silent, and sound is optional
    settings.MEDIA_VALIDATION = {"MIN_LINES": 240, "REQUIRE_AUDIO": True}
    with pytest.raises(Rejected) as info:
        validate(probe(media_clips("low_res")))
    assert info.value.code == Reason.NO_AUDIO
    assert "没有声音" in said(info.value.rejection, "zh-hans")


def test_every_reason_has_chinese_and_english_messages():
    for code in Reason.values:
        zh = said(Rejected(code).rejection, "zh-hans")
        en = said(Rejected(code).rejection, "en")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), code
        assert en.isascii() or "×" in en, code
    rejection = Rejected(Reason.TOO_SHORT, duration=5, min=30).rejection
    assert said(rejection, "zh-hans") == "视频太短：5 秒，至少需要 30 秒。"
    assert said(rejection, "en") == (
        "The video is too short: 5 s; at least 30 s is required."
    )
    # as_dict() speaks the active language: the site's, which the autouse
    # fixture in tests/conftest.py restores after every test.
    assert rejection.as_dict() == {
        "code": "too_short",
        "message": "视频太短：5 秒，至少需要 30 秒。",
    }


class Listener:
    """A TCP port and a FIFO that record whether anything reached them."""

    def __init__(self, tmp_path):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.fifo = tmp_path / "secret.ts"
        os.mkfifo(self.fifo)
        self.fifo_opened = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except TimeoutError:
                pass
            try:
                # Opening a FIFO for writing without blocking only succeeds
                # while some process has it open for reading.
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
                self.fifo_opened = True
                os.close(fd)
            except OSError:
                pass

    def close(self):
        time.sleep(0.3)
        self._stop.set()
        self._thread.join()
        self.sock.close()


def test_hls_playlist_disguised_as_avi_reads_and_contacts_nothing(
    media_clips, tmp_path
):
    listener = Listener(tmp_path)
    try:
        evil = media_clips.hls_as_avi(
            listener.fifo, f"http://127.0.0.1:{listener.port}/segment.ts"
        )
        # The service path refuses it from its first bytes.
        assert reject_code(evil) == Reason.UNSUPPORTED_CONTAINER
        # Defence in depth: even if ffprobe were handed it directly, with or
        # without a forced demuxer, the whitelists stop it.
        with pytest.raises(ffmpeg.FFmpegError):
            ffmpeg.ffprobe_json(evil, timeout=10)
        with pytest.raises(ffmpeg.FFmpegError):
            ffmpeg.ffprobe_json(evil, demuxer="avi", timeout=10)
    finally:
        listener.close()
    assert listener.connections == 0
    assert not listener.fifo_opened


def test_listener_detects_real_access(tmp_path):
    """The guard above can fail: a plain ffprobe does open both targets."""
    import subprocess

    listener = Listener(tmp_path)
    try:
        playlist = tmp_path / "p.m3u8"
        playlist.write_text(
            "#EXTM3U\n#EXT-X-TARGETDURATION:10\n"
            f"#EXTINF:10,\nfile://{listener.fifo}\n"
            f"#EXTINF:10,\nhttp://127.0.0.1:{listener.port}/a.ts\n#EXT-X-ENDLIST\n"
        )
        subprocess.run(
            ["ffprobe", "-v", "quiet", "-protocol_whitelist", "file,http,tcp"]
            + ["-rw_timeout", "1000000", str(playlist)],
            timeout=20,
            check=False,
        )
    finally:
        listener.close()
    assert listener.fifo_opened
    assert listener.connections >= 1


def test_command_builder_makes_argument_lists():
    cmd = ffmpeg.FFmpegCommand()
    cmd.add_input("/tmp/a b;rm -rf x.mp4", "mov")
    cmd.add_filter("[0:v]scale=640:480[v]")
    cmd.add_output("out.mp4", "-map", "[v]")
    args = cmd.build()
    assert args[0] == "ffmpeg"
    assert "file:/tmp/a b;rm -rf x.mp4" in args
    i = args.index("-protocol_whitelist")
    assert args[i + 1] == "file"
    assert args[args.index("-f") + 1] == "mov"
    assert "hls" not in args[args.index("-format_whitelist") + 1].split(",")
    assert args[-1] == "out.mp4"
