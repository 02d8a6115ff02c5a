"""The media types the site stores and serves, by file extension.

One allow-list for both directions: objects written by the pipeline carry
these types (never one guessed from a client's file name or the host's
mime.types, which maps `.ts` to a Qt file on some systems), and local media is
served only when its extension is listed here. Anything else — `.html`,
`.svg`, `.js`, no extension — has no type and is not served.
"""

from __future__ import annotations

import posixpath

# What transcode.py and services.py write (MP4, HLS fMP4, posters, storyboard)
# and what Wagtail stores for images and their renditions. SVG is left out on
# purpose: an SVG opened inline runs its scripts.
CONTENT_TYPES = {
    "mp4": "video/mp4",
    "m4s": "video/iso.segment",
    "m3u8": "application/vnd.apple.mpegurl",
    "vtt": "text/vtt",  # captions: cues are shown as text, never run
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "avif": "image/avif",
}

# Originals and anything unknown are stored as opaque bytes.
OPAQUE = "application/octet-stream"


def content_type_for(name: str) -> str | None:
    """The allowed type for a stored name, or None when it is not servable."""
    _root, ext = posixpath.splitext(posixpath.basename(name))
    return CONTENT_TYPES.get(ext[1:].lower()) if ext else None


# Originals whose container is not known are stored with this extension.
OPAQUE_EXTENSION = "bin"

# ffprobe format_name (first name of the list) -> extension of the stored key.
_EXTENSIONS = {
    "mov": "mp4",  # "mov,mp4,m4a,3gp,3g2,mj2"; QuickTime brand -> mov, below
    "mp4": "mp4",
    "m4a": "mp4",
    "3gp": "mp4",
    "matroska": "mkv",  # "matroska,webm"; WebM DocType -> webm, below
    "webm": "webm",
    "avi": "avi",
    "flv": "flv",
    "asf": "wmv",
    "mpeg": "mpg",
    "mpegts": "ts",
    "dv": "dv",
}


def container_extension(format_name: str = "", demuxer: str = "", head=b"") -> str:
    """A fixed extension for what the bytes are, never what the name says.

    `format_name` is ffprobe's, `demuxer` the one sniffed from the first bytes
    (used when ffprobe could not read the head yet), `head` the first bytes.
    """
    first = (format_name or demuxer or "").split(",")[0].strip()
    ext = _EXTENSIONS.get(first, OPAQUE_EXTENSION)
    if ext == "mp4" and head[8:12] == b"qt  ":  # ftyp major brand QuickTime
        ext = "mov"
    if ext == "mkv" and b"webm" in head[:64]:  # EBML DocType
        ext = "webm"
    return ext
