"""What the site shows of a lesson's video: media_pipeline/player.py, shared
with the alliance's review page (which sits below the portal)."""

from dataclasses import dataclass

from catalog.models import KnowledgePoint
from media_pipeline.player import (  # noqa: F401 (the portal's names for them)
    PlayerState,
    VideoInfo,
    _url,
    video_info,
    video_of,
)


@dataclass
class Chapter:
    start: int
    label: str  # m:ss
    name: str
    knowledge_point_id: int


def clock(seconds) -> str:
    seconds = max(0, int(seconds or 0))
    return f"{seconds // 60}:{seconds % 60:02d}"


def chapters_of(page, duration=None) -> list[Chapter]:
    """The chapter marks of a lesson as shown (the row, or a revision's
    in-memory copy in the preview): only on the lesson's own knowledge points
    and inside the video, in time order. At most three queries."""
    manager = getattr(page, "chapters", None)
    rows = list(manager.all()) if manager is not None else []
    if not rows:
        return []
    own = {kp.pk for kp in page.knowledge_points.all()}
    names = KnowledgePoint.objects.in_bulk(
        [r.knowledge_point_id for r in rows if r.knowledge_point_id in own]
    )
    limit = float(duration) if duration else float("inf")
    return [
        Chapter(
            r.start_seconds,
            clock(r.start_seconds),
            names[r.knowledge_point_id].name,
            r.knowledge_point_id,
        )
        for r in sorted(rows, key=lambda r: (r.start_seconds, r.sort_order or 0))
        if r.knowledge_point_id in names and 0 <= r.start_seconds < limit
    ]
