"""Names of uploads: the client's file name as display text, the storage key.

The client's file name is never part of a storage path: the original is stored
under a key made of the upload's UUID and an extension chosen from the probed
container (what the bytes are, not what the name says). The client's name is
kept, cleaned, only to show the teacher which file it was.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import uuid

NAME_BYTES = 255  # display names are cut to this many bytes of UTF-8
TEXT_CHARS = 255  # titles (CharField max_length)
FALLBACK_NAME = "video"

# Separators of path parts on any system, and their fullwidth look-alikes.
_SEPARATORS = re.compile(r"[/\\\uff0f\uff3c]")
# Zero-width (non-)joiners are needed to spell words in several scripts.
_KEPT_FORMAT_CHARS = {"\u200c", "\u200d"}
# Control, format (bidi overrides, BOM), surrogate and line/paragraph separators.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
# Upload-Metadata is stored for reference only: a few short, clean values.
METADATA_KEYS = 32
METADATA_KEY_CHARS = 64
METADATA_VALUE_CHARS = 2000
# The extension kept when a long name is cut; longer "extensions" are just text.
_MAX_SUFFIX_BYTES = 16


def clean_text(value: str, max_chars: int = TEXT_CHARS) -> str:
    """NFC text without control or bidi-override characters, trimmed."""
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(
        c
        for c in text
        if c in _KEPT_FORMAT_CHARS or unicodedata.category(c) not in _DROPPED_CATEGORIES
    )
    # Dropping characters can bring combining marks next to new bases.
    return unicodedata.normalize("NFC", text).strip()[:max_chars].strip()


def clean_metadata(metadata: dict) -> dict[str, str]:
    """The client's Upload-Metadata with clean keys and values, bounded."""
    cleaned = {}
    for key, value in list(metadata.items())[:METADATA_KEYS]:
        key = clean_text(str(key), METADATA_KEY_CHARS)
        if key:
            cleaned[key] = clean_text(str(value), METADATA_VALUE_CHARS)
    return cleaned


def _cut(text: str, budget: int) -> str:
    """The longest prefix of `text` within `budget` bytes (whole characters)."""
    return text.encode("utf-8")[:budget].decode("utf-8", "ignore")


def _fit(name: str, budget: int) -> str:
    if len(name.encode("utf-8")) <= budget:
        return name
    stem, dot, suffix = name.rpartition(".")
    suffix_bytes = len(suffix.encode("utf-8")) + 1
    if dot and stem and suffix_bytes <= _MAX_SUFFIX_BYTES:
        return _cut(stem, budget - suffix_bytes).rstrip() + "." + suffix
    return _cut(name, budget).rstrip()


def display_name(raw: str, budget: int = NAME_BYTES) -> str:
    """The client's file name made safe to store and show: never a path.

    NFC, no control/bidi characters, only the last path part, never "." or
    "..", at most `budget` bytes of UTF-8 cut at a character boundary, never
    empty. Idempotent.
    """
    text = clean_text(raw, max_chars=len(raw or ""))
    parts = [p.strip() for p in _SEPARATORS.split(text)]
    name = next((p for p in reversed(parts) if p.strip(".")), "")
    name = unicodedata.normalize("NFC", _fit(name, budget)).strip()
    if not name.strip(".") or len(name.encode("utf-8")) > budget:
        return FALLBACK_NAME
    return name


def original_key(upload_id: uuid.UUID, when: datetime.datetime, ext: str) -> str:
    """Storage key of an uploaded original: originals/YYYY/MM/<uuid hex>.<ext>."""
    return f"originals/{when:%Y/%m}/{upload_id.hex}.{ext}"
