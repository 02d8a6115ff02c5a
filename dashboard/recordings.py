"""One recording counts once: the rule both quota counters apply.

A lesson repeats a recording when an earlier live lesson shows the same video
(the same bytes uploaded twice) or when its video is a near duplicate of a
video a live lesson shows (media_pipeline/fingerprint.py links it to the
original). Whether a lesson counts therefore depends on the other lessons of
its recording: publishing, unpublishing or deleting one of them can change
another's count, so the quota index re-reads the whole recording.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from catalog.models import LessonPage
from media_pipeline.selectors import lessons_sharing_recording


def counted_once(qs):
    """`qs` (catalog entries) without the lessons that repeat another live
    lesson's recording."""
    same_video = LessonPage.objects.filter(
        live=True, video_id=OuterRef("lessonpage__video_id"), pk__lt=OuterRef("pk")
    )
    original_shown = LessonPage.objects.filter(
        live=True, video_id=OuterRef("lessonpage__video__duplicate_of_id")
    )
    return qs.exclude(Exists(same_video)).exclude(Exists(original_shown))


def same_recording(page_ids) -> set[int]:
    """The other lessons whose count can change with these entries'."""
    return set(lessons_sharing_recording(page_ids).values_list("pk", flat=True))
