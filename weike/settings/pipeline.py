"""Settings group: the media pipeline (media_pipeline/; docs/media-pipeline.md).

With the pipeline on (the default), ffmpeg and ffprobe must be found, or the
process refuses to start: without them no upload can be probed or transcoded,
so the site would take videos it can never publish. A process that never
handles videos (e.g. a reporting host) may set WEIKE_MEDIA_PIPELINE=0.
"""

import shutil

from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_str

# Off only for processes that never probe, transcode or accept a video.
MEDIA_PIPELINE_ENABLED = env_bool("WEIKE_MEDIA_PIPELINE", True)
# The binaries: names looked up on PATH, or absolute paths.
MEDIA_FFMPEG_BINARY = env_str("WEIKE_FFMPEG_BINARY", "ffmpeg")
MEDIA_FFPROBE_BINARY = env_str("WEIKE_FFPROBE_BINARY", "ffprobe")

# Recording rules; any key of media_pipeline.rules.DEFAULT_RULES can be set here.
MEDIA_VALIDATION = {
    "MIN_DURATION": float(env_int("WEIKE_VIDEO_MIN_SECONDS", 30)),
    "MAX_DURATION": float(env_int("WEIKE_VIDEO_MAX_SECONDS", 30 * 60)),
    "MIN_LINES": env_int("WEIKE_VIDEO_MIN_LINES", 480),
    # Upper bounds (decoding cost): long/short side in pixels, frames per
    # second, and pixels per second (default 4096×2160 at 60 fps).
    "MAX_LONG_SIDE": env_int("WEIKE_VIDEO_MAX_LONG_SIDE", 4096),
    "MAX_SHORT_SIDE": env_int("WEIKE_VIDEO_MAX_SHORT_SIDE", 2160),
    "MAX_FPS": float(env_int("WEIKE_VIDEO_MAX_FPS", 120)),
    "MAX_PIXEL_RATE": env_int("WEIKE_VIDEO_MAX_PIXEL_RATE", 4096 * 2160 * 60),
}
MEDIA_PROBE_TIMEOUT = env_int("WEIKE_VIDEO_PROBE_TIMEOUT", 30)
MEDIA_TRANSCODE_TIMEOUT = env_int("WEIKE_VIDEO_TRANSCODE_TIMEOUT", 0) or None
# A running job holds its video for this long and renews the hold every third
# of it; a second delivery of the job meanwhile does nothing, and one whose
# worker died takes over once the hold has lapsed. Keep it well under the
# broker's visibility timeout (WEIKE_BROKER_VISIBILITY_TIMEOUT, 4 h).
MEDIA_JOB_LEASE_SECONDS = env_int("WEIKE_VIDEO_JOB_LEASE_SECONDS", 300)
MEDIA_X264_PRESET = env_str("WEIKE_VIDEO_X264_PRESET", "veryfast")
MEDIA_X264_CRF = env_int("WEIKE_VIDEO_X264_CRF", 23)


def require_binaries(enabled: bool, *binaries: str) -> None:
    """ImproperlyConfigured when the pipeline is on and a binary is missing."""
    if not enabled:
        return
    missing = [name for name in binaries if shutil.which(name) is None]
    if missing:
        raise ImproperlyConfigured(
            f"{' and '.join(missing)} not found: the media pipeline needs ffmpeg "
            "and ffprobe. Install ffmpeg (apt-get install ffmpeg), point "
            "WEIKE_FFMPEG_BINARY / WEIKE_FFPROBE_BINARY at them, or set "
            "WEIKE_MEDIA_PIPELINE=0 on a process that never handles videos."
        )


require_binaries(MEDIA_PIPELINE_ENABLED, MEDIA_FFMPEG_BINARY, MEDIA_FFPROBE_BINARY)

# `from .<group> import *` in base.py takes the settings only.
__all__ = [name for name in dir() if name.isupper()]
