"""What the site shows of a lesson's video: media_pipeline/player.py, shared
with the alliance's review page (which sits below the portal)."""

from media_pipeline.player import (  # noqa: F401 (the portal's names for them)
    PlayerState,
    VideoInfo,
    _url,
    video_info,
    video_of,
)
