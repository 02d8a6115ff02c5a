"""A corpus of classroom-like files, generated with ffmpeg's lavfi sources.

One function per case, each a few seconds long and small, made on first use
and cached in the session's directory (fixture `corpus` in fixtures_media).
Each imitates what a classroom device or tool produces: a recorder killed
mid-file, a screen recorder that writes frames only when the screen changes,
PAL DV and MPEG-2 from a school camcorder, WMV from an old lecture tool, an
MKV with two narrations and subtitles.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

# A moving picture with a tone: enough motion that interlacing shows as combs.
PICTURE = "testsrc2=size={size}:rate={rate}"
TONE = "sine=f={freq}:sample_rate={rate}"


def ffmpeg(target: Path, *args: str, timeout: float = 120) -> Path:
    """`ffmpeg args… target` unless target exists (clips are cached)."""
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", *args, str(target)],
            check=True,
            timeout=timeout,
        )
    return target


def lavfi(size="320x240", rate=25, seconds=4, freq=440, sample_rate=48000):
    return [
        *("-f", "lavfi", "-i", PICTURE.format(size=size, rate=rate)),
        *("-f", "lavfi", "-i", TONE.format(freq=freq, rate=sample_rate)),
        *("-t", str(seconds)),
    ]


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


class Corpus:
    def __init__(self, directory: Path):
        self.dir = directory

    def path(self, name: str) -> Path:
        return self.dir / name

    # --- 1. Truncation ------------------------------------------------------

    def truncated_mkv(self) -> Path:
        """An 8 s MKV cut at 45 %: the header still says 8 s (a recorder
        killed mid-file, an upload that stopped)."""
        target = self.path("truncated.mkv")
        if not target.exists():
            whole = ffmpeg(
                self.path("whole.mkv"),
                *lavfi(seconds=8),
                *H264,
                *("-c:a", "aac"),
            )
            data = whole.read_bytes()
            target.write_bytes(data[: len(data) * 45 // 100])
        return target

    def whole_mkv(self) -> Path:
        self.truncated_mkv()
        return self.path("whole.mkv")

    # --- 2. Progress --------------------------------------------------------

    def progress_source(self) -> Path:
        """Long enough at 720p that a real ladder run reports several times."""
        return ffmpeg(
            self.path("progress.mp4"),
            *lavfi(size="1280x720", seconds=8),
            *H264,
            *("-c:a", "aac"),
        )

    # --- 3. Geometry and timing ---------------------------------------------

    def pal_anamorphic(self) -> Path:
        """720×576 MPEG-2 with SAR 64:45 (16:9 shown), progressive."""
        return ffmpeg(
            self.path("pal_wide.mpg"),
            *lavfi(size="720x576", seconds=3),
            *("-vf", "setsar=64/45", "-c:v", "mpeg2video", "-q:v", "4"),
            *("-c:a", "mp2", "-f", "vob"),
        )

    def pal_interlaced(self) -> Path:
        """PAL 25i MPEG-2, top field first: two 50p moments woven into each
        frame, as a camcorder records them."""
        return ffmpeg(
            self.path("pal_interlaced.mpg"),
            *lavfi(size="720x576", rate=50, seconds=3),
            *("-vf", "tinterlace=mode=interleave_top,setsar=16/15,setfield=tff"),
            *("-c:v", "mpeg2video", "-q:v", "3", "-flags", "+ilme+ildct"),
            *("-top", "1", "-c:a", "mp2", "-f", "vob"),
        )

    def vfr_screen(self) -> Path:
        """A screen recording: frames only when the screen changes (a few a
        second on average, bursts at 30 fps), millisecond timestamps."""
        return ffmpeg(
            self.path("screen_vfr.mkv"),
            *lavfi(size="480x360", rate=30, seconds=12),
            "-vf",
            "select='not(mod(n\\,10))+between(t\\,5\\,6)'",
            *("-fps_mode", "vfr", *H264, "-c:a", "aac"),
        )

    def wmv(self) -> Path:
        """WMV 8 video and WMA 2 audio in ASF, as old lecture tools wrote."""
        return ffmpeg(
            self.path("lecture.wmv"),
            *lavfi(size="480x360", seconds=4, sample_rate=44100),
            *("-c:v", "wmv2", "-b:v", "500k", "-c:a", "wmav2", "-b:a", "64k"),
        )

    # --- 4. Audio and subtitles ---------------------------------------------

    def subtitles_srt(self, language: str) -> Path:
        lines = {
            "chi": ["勾股定理", "直角三角形的两条直角边"],
            "eng": ["Pythagoras", "The legs of a right triangle"],
        }[language]
        target = self.path(f"captions_{language}.srt")
        if not target.exists():
            target.write_text(
                f"1\n00:00:00,500 --> 00:00:01,500\n{lines[0]}\n\n"
                f"2\n00:00:02,000 --> 00:00:03,000\n{lines[1]}\n",
                "utf-8",
            )
        return target

    def two_narrations(self) -> Path:
        """MKV: English narration first (22.05 kHz), the Chinese one second
        and marked default (48 kHz), two text subtitle tracks."""
        return ffmpeg(
            self.path("two_narrations.mkv"),
            *("-f", "lavfi", "-i", PICTURE.format(size="480x360", rate=25)),
            *("-f", "lavfi", "-i", TONE.format(freq=300, rate=22050)),
            *("-f", "lavfi", "-i", TONE.format(freq=900, rate=48000)),
            *("-i", str(self.subtitles_srt("chi"))),
            *("-i", str(self.subtitles_srt("eng"))),
            *("-t", "4", "-map", "0:v", "-map", "1:a", "-map", "2:a"),
            *("-map", "3:s", "-map", "4:s", *H264, "-c:a", "aac", "-c:s", "srt"),
            *("-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=chi"),
            *("-metadata:s:a:1", "title=普通话讲解"),
            *("-disposition:a:0", "0", "-disposition:a:1", "default"),
            *("-metadata:s:s:0", "language=chi", "-metadata:s:s:0", "title=中文"),
            *("-metadata:s:s:1", "language=eng"),
        )

    # --- 5. Ladder ----------------------------------------------------------

    def compliant(self, gop: int, name: str, audio=("-c:a", "aac")) -> Path:
        """H.264 Main/AAC at 480 lines, a copy candidate for the top rung."""
        return ffmpeg(
            self.path(name),
            *lavfi(size="854x480", seconds=9),
            *("-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "main"),
            *("-pix_fmt", "yuv420p", "-b:v", "600k", "-g", str(gop)),
            *("-keyint_min", str(gop), "-sc_threshold", "0", *audio),
        )

    def compliant_aligned(self) -> Path:
        """Keyframes every 2 s: on the 4 s segment grid, can be copied."""
        return self.compliant(50, "aligned.mp4")

    def compliant_misaligned(self) -> Path:
        """Keyframes every 5 s (as many phones write): off the 4 s grid."""
        return self.compliant(125, "misaligned.mp4")

    def compliant_surround(self) -> Path:
        """Copyable picture with 5.1 AAC sound."""
        return self.compliant(
            50, "surround.mp4", audio=("-c:a", "aac", "-ac", "6", "-b:a", "192k")
        )

    def hd60(self) -> Path:
        """720p at 60 fps: its rungs need a higher H.264 level than 720p30."""
        return ffmpeg(
            self.path("hd60.mp4"),
            *lavfi(size="1280x720", rate=60, seconds=2),
            *H264,
            *("-c:a", "aac"),
        )

    # --- 6. Formats -----------------------------------------------------------

    def dv(self) -> Path:
        """Raw DV (PAL, 4:3, interlaced bottom field first) from a camcorder."""
        return ffmpeg(
            self.path("camcorder.dv"),
            *lavfi(size="720x576", seconds=3),
            *("-vf", "setsar=16/15", "-pix_fmt", "yuv420p", "-c:v", "dvvideo"),
            *("-c:a", "pcm_s16le", "-ac", "2", "-f", "dv"),
        )

    def mp3(self) -> Path:
        return ffmpeg(
            self.path("narration.mp3"),
            *("-f", "lavfi", "-i", "sine=f=440", "-t", "4", "-c:a", "libmp3lame"),
        )

    def short_lesson(self, seconds: int = 24) -> Path:
        return ffmpeg(
            self.path(f"short_{seconds}.mp4"),
            *lavfi(size="480x360", seconds=seconds, rate=10),
            *H264,
            *("-c:a", "aac"),
        )
