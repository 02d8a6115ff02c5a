"""Real media for the demo: short narrated slide clips and PDF documents.

A clip is three slides drawn with Pillow (title, knowledge points, summary) and
a Mandarin narration from espeak-ng (a quiet tone when espeak-ng is missing),
muxed by ffmpeg into an H.264/AAC MP4 just over the pipeline's minimum
duration. The seed then hands the clip to the media pipeline like any upload,
so the demo plays what a teacher's upload would play.

Rendered clips are kept in `settings.WEIKE_DEMO_MEDIA_DIR` (outside the clone,
under WEIKE_CACHE_DIR), keyed by a hash of what they show, so a second seed on
any clone renders nothing.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from media_pipeline import rules

# Bumped when the drawing changes, so cached clips are rendered again.
RENDER_VERSION = "1"
SIZE = (854, 480)  # the pipeline's minimum short side (480 lines)
FPS = 5  # slides: few frames keep the encode and the pipeline's work small
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
BACKGROUND = (18, 72, 120)
FOREGROUND = (255, 255, 255)
ACCENT = (255, 214, 102)


def clip_seconds() -> int:
    """Just over the recording rules' minimum, so the clip passes them."""
    return int(rules.rules()["MIN_DURATION"]) + 2


def font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _wrap(text: str, width: int) -> list[str]:
    # Chinese has no spaces: wrap by characters.
    return textwrap.wrap(text, width=width, break_long_words=True) or [""]


def slide(heading: str, lines: list[str], footer: str = "") -> Image.Image:
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = 60
    for row in _wrap(heading, 18):
        draw.text((60, y), row, font=font(40), fill=ACCENT)
        y += 54
    y += 20
    for line in lines:
        for row in _wrap(line, 24):
            draw.text((70, y), row, font=font(28), fill=FOREGROUND)
            y += 40
    if footer:
        draw.text((60, SIZE[1] - 60), footer, font=font(22), fill=FOREGROUND)
    return image


def slides_for(title: str, points: list[str], summary: str, subject: str):
    footer = f"微课联盟 · {subject}"
    return [
        slide(title, ["微课"], footer),
        slide("本节知识点", [f"· {p}" for p in points] or ["· " + title], footer),
        slide("小结", [summary or title], footer),
    ]


def narration_text(title: str, points: list[str], summary: str) -> str:
    return f"{title}。本节知识点：{'，'.join(points)}。{summary}"


def _narration(text: str, wav: Path, seconds: int) -> list[str]:
    """ffmpeg input arguments for the sound track."""
    espeak = shutil.which("espeak-ng")
    if espeak:
        subprocess.run(
            [espeak, "-v", "cmn", "-s", "150", "-w", str(wav), text],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return ["-i", str(wav)]
    return ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]


def render_clip(title: str, points: list[str], summary: str, subject: str) -> Path:
    """The clip's MP4 in the cache (rendered on the first call)."""
    key = hashlib.sha256(
        "\x1f".join([RENDER_VERSION, title, *points, summary, subject]).encode()
    ).hexdigest()[:24]
    cache = Path(settings.WEIKE_DEMO_MEDIA_DIR)
    target = cache / f"clip-{key}.mp4"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    seconds = clip_seconds()
    per_slide = seconds / 3
    with tempfile.TemporaryDirectory(prefix="weike-demo-") as tmp:
        work = Path(tmp)
        inputs = []
        for index, image in enumerate(slides_for(title, points, summary, subject)):
            png = work / f"slide{index}.png"
            image.save(png)
            inputs += ["-loop", "1", "-framerate", str(FPS), "-t", f"{per_slide}"]
            inputs += ["-i", str(png)]
        text = narration_text(title, points, summary)
        inputs += _narration(text, work / "narration.wav", seconds)
        partial = work / "clip.mp4"
        command = [
            shutil.which("ffmpeg") or "ffmpeg",
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            *inputs,
            "-filter_complex",
            "[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p[v];"
            f"[3:a]aresample=44100,apad=whole_dur={seconds}[a]",
            "-map",
            "[v]",
            "-map",
            "[a]",
            "-t",
            str(seconds),
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-tune",
            "stillimage",
            "-profile:v",
            "high",
            "-r",
            str(FPS),
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-ac",
            "1",
            "-movflags",
            "+faststart",
            str(partial),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        # Rename into place: a killed seed never leaves half a clip cached.
        tmp_target = cache / f".{target.name}.{key}.tmp"
        shutil.copyfile(partial, tmp_target)
        tmp_target.replace(target)
    return target


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF of Chinese text (drawn as an image: no font embedding)."""
    width, height = 1240, 1754  # A4 at 150 dpi
    page = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    y = 120
    for row in _wrap(title, 22):
        draw.text((110, y), row, font=font(48), fill=(0, 0, 0))
        y += 70
    y += 30
    for line in lines:
        for row in _wrap(line, 30):
            draw.text((120, y), row, font=font(32), fill=(30, 30, 30))
            y += 50
        y += 16
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150.0, title=title, author="微课联盟")
    return out.getvalue()
