"""Near duplicates: the same lesson re-encoded, trimmed or at another size.

A video's fingerprint is the perceptual hash (ImageHash phash and dhash) of
frames sampled at an even rate over the whole video, scaled down first, plus
its duration. Two videos are near duplicates when their durations are close
and almost every frame of the shorter one has a near-identical frame in the
longer one (so a trim at either end or another resolution still matches,
while another recording does not: measured distances are 0 bits for a
re-encode, 24–44 for other content, out of 64).
"""

from __future__ import annotations

from pathlib import Path

import imagehash
from PIL import Image

FOLDER = "fingerprint"  # of the transcode's work directory
MAX_FRAMES = 64
PHASH_BITS = 10  # a frame matches when phash differs by at most this many bits
DHASH_BITS = 14
MATCHED_SHARE = 0.8
DURATION_SLACK = (2.5, 0.15)  # seconds, share of the longer duration


def sample_rate(duration: float) -> float:
    return min(2.0, max(0.1, 32 / max(duration, 1.0)))


def frame_filter(duration: float | None) -> str:
    """The filter chain that samples the frames: an even rate over the whole
    video, each scaled to 128x128. The transcode runs it as one more branch
    of its decode (transcode.build_command), so it costs no decode of its own."""
    return f"fps={sample_rate(duration or 1):.4f},scale=128:128:flags=area"


def hash_frames(folder: Path) -> dict:
    """{"p": [phash hex…], "d": [dhash hex…]} of the sampled frames in folder."""
    phashes, dhashes = [], []
    for image_path in sorted(Path(folder).glob("f-*.png"))[:MAX_FRAMES]:
        with Image.open(image_path) as image:
            phashes.append(str(imagehash.phash(image)))
            dhashes.append(str(imagehash.dhash(image)))
    return {"p": phashes, "d": dhashes}


def _durations_close(a: float | None, b: float | None) -> bool:
    if not a or not b:
        return False
    seconds, share = DURATION_SLACK
    return abs(a - b) <= max(seconds, share * max(a, b))


def similar(a: dict, b: dict) -> bool:
    pa, pb = a.get("p") or [], b.get("p") or []
    if not pa or not pb:
        return False
    (ps, ds), (pl, dl) = sorted(
        [(pa, a.get("d") or []), (pb, b.get("d") or [])], key=lambda x: len(x[0])
    )
    long_p = [imagehash.hex_to_hash(h) for h in pl]
    long_d = [imagehash.hex_to_hash(h) for h in dl]
    matched = 0
    for p_hex, d_hex in zip(ps, ds, strict=False):
        p, d = imagehash.hex_to_hash(p_hex), imagehash.hex_to_hash(d_hex)
        if (
            min(p - q for q in long_p) <= PHASH_BITS
            and min(d - q for q in long_d) <= DHASH_BITS
        ):
            matched += 1
    return matched >= MATCHED_SHARE * len(ps)


def find_original(video, candidates):
    """The earliest candidate `video` is a near duplicate of (its original)."""
    for other in candidates:
        if _durations_close(video.duration, other.duration) and similar(
            video.frame_hashes, other.frame_hashes
        ):
            return other.duplicate_of or other
    return None
