"""The rule for a lesson's chapter marks, below the models and the admin form
(both check a chapter with it: see catalog/models/chapters.py)."""

from django.conf import settings
from django.utils.translation import gettext as _


def longest_video_seconds() -> float:
    """The longest video the pipeline accepts: the bound for a chapter while
    the video's own length is not known yet (not probed)."""
    rules = getattr(settings, "MEDIA_VALIDATION", {}) or {}
    return float(rules.get("MAX_DURATION") or 30 * 60)


def chapter_errors(start_seconds, knowledge_point_id, lesson_point_ids, duration):
    """{field: message} for one chapter; empty when it is valid.

    `duration` is the video's length in seconds, or None when unknown (no
    video yet, or not probed): then the longest accepted video bounds it.
    """
    errors = {}
    if knowledge_point_id is not None and knowledge_point_id not in set(
        lesson_point_ids
    ):
        errors["knowledge_point"] = _(
            "A chapter must be one of this lesson's own knowledge points."
        )
    # Not a number: the field's own check has said so already.
    if isinstance(start_seconds, int) and not isinstance(start_seconds, bool):
        limit = float(duration) if duration else longest_video_seconds()
        if not 0 <= start_seconds < limit:
            minutes, seconds = divmod(int(limit), 60)
            errors["start_seconds"] = _(
                "The start time must be 0 or more and before the end of the "
                "video (%(length)s)."
            ) % {"length": f"{minutes}:{seconds:02d}"}
    return errors
