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
from .models import VideoCaption
from .probe import ProbeResult

AUTHOR_POSITION = VideoCaption.AUTHOR_POSITION

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


# --- A caption file the lesson's author uploads ---------------------------------
# One track per video, at a position no extracted track takes (extraction
# numbers them from 0): re-processing keeps it, and it is the default track.

AUTHOR_LANGUAGE = "zh-Hans"
DEFAULT_MAX_BYTES = 1024**2
DEFAULT_MAX_CUES = 5000
MAX_CUE_TEXT = 1000  # characters of one cue
MAX_SECONDS = 24 * 3600

TIMING = re.compile(
    r"^\s*(?P<start>(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*"
    r"(?P<end>(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3})(?:\s+.*)?$",
    re.ASCII,
)


class CaptionRefused(ValueError):
    """An uploaded caption file refused; str(exc) is one sentence."""


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) == 3 else 0
    if minutes >= 60 or seconds >= 60:
        raise ValueError(stamp)
    return hours * 3600 + minutes * 60 + seconds


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else GB18030; None for binary data."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Text has no control characters but tab and line ends.
        if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text):
            return None
        return text
    return None


# Formatting tags of SRT and WebVTT cues, dropped; any other tag is text.
FORMATTING = re.compile(r"</?(?:b|i|u|font)(?:\s[^<>]*)?>", re.IGNORECASE)


def _cue_text(lines: list[str]) -> str:
    """Cue text shown as text, never markup: bold/italic/underline/font tags
    are dropped, then every `<`, `>` and `&` is escaped, so a `<script>` in a
    cue is displayed as those characters."""
    text = "\n".join(FORMATTING.sub("", clean_cue_line(line)) for line in lines)
    text = text.strip()[:MAX_CUE_TEXT]
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_cue_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line)
    return "".join(ch for ch in line if unicodedata.category(ch) not in ("Cc", "Cf"))


def to_webvtt(data: bytes, max_cues: int = DEFAULT_MAX_CUES) -> str:
    """A clean WebVTT document from an uploaded WebVTT or SRT file.

    Only timings and cue text are kept (no styles, regions, notes, cue
    settings or ids); refused with one sentence when the file is not text,
    has no cue, a broken timing or more than `max_cues` cues.
    """
    from django.utils.translation import gettext as _

    text = _decode(data)
    if text is None:
        raise CaptionRefused(
            _("This caption file is not text in UTF-8 or GB18030 encoding.")
        )
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    cues = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        timing_at = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing_at is None or timing_at > 1:
            continue  # header, NOTE, STYLE, REGION or stray text
        match = TIMING.match(lines[timing_at])
        try:
            start, end = _seconds(match["start"]), _seconds(match["end"])
        except (TypeError, ValueError):
            start = end = -1
        if not 0 <= start < end <= MAX_SECONDS:
            raise CaptionRefused(
                _("The caption file has a cue with a broken time: %(line)s")
                % {"line": clean_cue_line(lines[timing_at])[:80]}
            )
        cue = _cue_text(lines[timing_at + 1 :])
        if cue:
            cues.append((start, end, cue))
        if len(cues) > max_cues:
            raise CaptionRefused(
                _("The caption file has more than %(max)s cues.") % {"max": max_cues}
            )
    if not cues:
        raise CaptionRefused(
            _("This file is not a WebVTT or SRT caption file: it has no cues.")
        )
    body = "\n\n".join(f"{_stamp(s)} --> {_stamp(e)}\n{cue}" for s, e, cue in cues)
    return f"WEBVTT\n\n{body}\n"


def store_author_captions(video, vtt: str, label: str):
    """The author's caption track of `video` (a clean WebVTT from
    `to_webvtt`): stored beside the renditions, where the media gate serves
    it to whoever may watch the video; replaces an earlier one."""
    import uuid

    from django.core.files.base import ContentFile

    caption = VideoCaption.objects.filter(
        video=video, position=AUTHOR_POSITION
    ).first() or VideoCaption(video=video, position=AUTHOR_POSITION)
    previous = caption.file.name if caption.pk else ""
    if previous and _stored_text(caption) == vtt:
        return caption  # the same track again (e.g. publishing the version)
    caption.language = AUTHOR_LANGUAGE
    caption.label = clean_label(label)
    caption.default = True
    # A new name each time: a browser never plays a cached older track.
    caption.file.save(
        f"captions/author-{uuid.uuid4().hex[:12]}.vtt",
        ContentFile(vtt.encode("utf-8")),
        save=False,
    )
    caption.save()
    video.captions.exclude(pk=caption.pk).filter(default=True).update(default=False)
    if previous and previous != caption.file.name:
        caption.file.storage.delete(previous)
    return caption


def _stored_text(caption) -> str | None:
    try:
        with caption.file.open("rb") as fh:
            return fh.read().decode("utf-8", errors="replace")
    except OSError:
        return None


def remove_author_captions(video) -> None:
    for caption in VideoCaption.objects.filter(video=video, position=AUTHOR_POSITION):
        name = caption.file.name
        caption.delete()
        if name:
            caption.file.storage.delete(name)
