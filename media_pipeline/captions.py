"""Text subtitle tracks of an upload, converted to WebVTT for the player.

A classroom MKV may carry the teacher's subtitles (SRT/ASS/mov_text); they
become `captions/<n>.vtt` beside the renditions. Bitmap subtitles (DVD,
Blu-ray) cannot be text and are left out. Extraction runs as its own small
ffmpeg process: a damaged subtitle track costs the captions, never the video.
Labels and languages come from the file's tags, so they are cleaned here and
never reach a storage path.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import get_language_info

from . import ffmpeg
from .probe import ProbeResult

logger = logging.getLogger(__name__)

# ISO 639-2 (what containers store) → the BCP 47 tag a <track srclang> wants.
LANGUAGES = {
    "chi": "zh",
    "zho": "zh",
    "cmn": "zh",
    "yue": "yue",
    "eng": "en",
    "jpn": "ja",
    "kor": "ko",
    "fre": "fr",
    "fra": "fr",
    "ger": "de",
    "deu": "de",
    "spa": "es",
    "rus": "ru",
}
# Names Django knows under another code.
_DJANGO_NAMES = {"zh": "zh-hans"}
TWO_LETTERS = re.compile(r"^[a-z]{2}$")
MAX_LABEL = 100


@dataclass(frozen=True)
class Caption:
    position: int  # order among the file's text subtitle tracks
    language: str
    label: str
    default: bool
    filename: str  # relative to the work directory


def language_tag(code: str) -> str:
    code = (code or "").strip().lower()
    if code in LANGUAGES:
        return LANGUAGES[code]
    return code if TWO_LETTERS.match(code) else "und"


def clean_label(text: str) -> str:
    """Display text from a tag: NFC, no control or format characters, short."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(
        ch for ch in text if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " "
    )
    return " ".join(text.split())[:MAX_LABEL]


def label_for(track: dict, language: str) -> str:
    label = clean_label(track.get("title", ""))
    if label:
        return label
    try:
        return get_language_info(_DJANGO_NAMES.get(language, language))["name_local"]
    except KeyError:
        return language


def text_tracks(src: ProbeResult) -> list[dict]:
    return [t for t in src.subtitle_tracks if t.get("text") and t["index"] is not None]


def extract(src_path, src: ProbeResult, workdir, timeout: float = 120):
    """WebVTT files of the text subtitle tracks; [] when there are none or
    ffmpeg cannot convert them."""
    tracks = text_tracks(src)
    if not tracks:
        return []
    os.makedirs(os.path.join(workdir, "captions"), exist_ok=True)
    cmd = ffmpeg.FFmpegCommand()
    cmd.add_input(src_path, src.demuxer)
    captions = []
    for position, track in enumerate(tracks):
        language = language_tag(track.get("language", ""))
        filename = f"captions/{position}.vtt"
        cmd.add_output(
            filename, "-map", f"0:{track['index']}", "-c:s", "webvtt", "-f", "webvtt"
        )
        captions.append(
            Caption(
                position=position,
                language=language,
                label=label_for(track, language),
                default=bool(track.get("default")),
                filename=filename,
            )
        )
    try:
        ffmpeg.run(cmd.build(), timeout=timeout, cwd=str(workdir))
    except ffmpeg.FFmpegError as exc:
        logger.warning("captions not extracted: %s %s", exc, exc.stderr[-500:])
        return []
    return [c for c in captions if os.path.exists(os.path.join(workdir, c.filename))]
