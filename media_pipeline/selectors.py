"""Which videos a user may find in the admin and put into a lesson.

One rule for the lesson form's video field, the video chooser, the Video
snippet views and the site's upload form (see docs/catalog.md, "Who may pick
which video and author"):

- administrators (superusers and the 管理员 group): every video;
- editors: the videos of the entries in their scope, as `can_view_video`
  already lets them watch;
- everyone, editors included: the videos they uploaded themselves that no
  other lesson shows (one video, one lesson);
- the lesson's current video always stays allowed, so saving a lesson never
  fails for a choice someone else made earlier.

And which lessons show the same recording (near duplicates, for quotas and
reviewers).
"""

from django.db.models import Exists, OuterRef, Q

from catalog.models import LessonPage

from .models import RenditionStatus, Video, VideoStatus
from .policy import review_policy


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _is_administrator(user) -> bool:
    return review_policy().is_administrator(user)


def _in_editor_scope(user) -> Exists:
    """Videos shown by an entry in the user's review scope (none for teachers)."""
    scope = review_policy().entries_in_scope(user)
    return Exists(
        LessonPage.objects.filter(video=OuterRef("pk"), pk__in=scope.values("pk"))
    )


def videos_user_may_see(user):
    """Videos listed, shown and editable in the admin's Video views."""
    if not _active(user):
        return Video.objects.none()
    if _is_administrator(user):
        return Video.objects.all()
    return Video.objects.filter(Q(uploaded_by=user) | _in_editor_scope(user))


def videos_user_may_attach(user, lesson=None):
    """Videos `user` may choose for `lesson` (None: for a new lesson, and in
    the chooser, which does not know the lesson)."""
    current = Q(pk=lesson.video_id) if lesson and lesson.video_id else Q(pk__in=[])
    if not _active(user):
        return Video.objects.filter(current)
    if _is_administrator(user):
        return Video.objects.all()
    shown_elsewhere = LessonPage.objects.filter(video=OuterRef("pk"))
    if lesson is not None and lesson.pk:
        shown_elsewhere = shown_elsewhere.exclude(pk=lesson.pk)
    own_and_free = Q(uploaded_by=user) & ~Exists(shown_elsewhere)
    return Video.objects.filter(own_and_free | _in_editor_scope(user) | current)


def user_may_attach_video(user, video_id, lesson=None) -> bool:
    return (
        video_id is not None
        and videos_user_may_attach(user, lesson).filter(pk=video_id).exists()
    )


def caption_tracks(video) -> list[tuple[str, str, str]]:
    """(label, language, url) of a ready video's WebVTT captions, the file's
    default track first, for the player's <track> elements. URLs are signed
    with private S3; locally they go through the media gate (can_view_video)."""
    if video is None or video.status != VideoStatus.READY:
        return []  # captions are stored with the last rungs
    from django.core.files.storage import default_storage

    rows = sorted(video.captions.all(), key=lambda c: (not c.default, c.position))
    return [(c.label, c.language, default_storage.url(c.file.name)) for c in rows]


def storyboard_grid(video) -> tuple[int, int]:
    """(columns, rows) of a video's storyboard sprite: as many rows as its
    length fills, so the player cuts the right tile from a short clip's sprite."""
    from .transcode import storyboard_grid as grid

    if video is None or not video.storyboard or not video.storyboard_interval:
        return 0, 0
    columns, rows, _tiles = grid(video.duration, video.storyboard_interval)
    return columns, rows


def is_playable(video) -> bool:
    """Ready, or still transcoding with its first rung published (the lowest
    rung is stored and named by the master playlist before the others)."""
    if video is None:
        return False
    if video.status == VideoStatus.READY:
        return True
    return (
        video.status == VideoStatus.TRANSCODING
        and bool(video.hls_master)
        and video.renditions.filter(status=RenditionStatus.READY).exists()
    )


def lessons_sharing_recording(page_ids):
    """The other lessons that show the same recording as these: the same
    video, its original, or another near duplicate of that original
    (`Video.duplicate_of` always names the first upload, never a copy)."""
    pairs = LessonPage.objects.filter(pk__in=page_ids, video__isnull=False)
    recordings = {
        original or video
        for video, original in pairs.values_list("video_id", "video__duplicate_of_id")
    }
    return LessonPage.objects.filter(
        Q(video_id__in=recordings) | Q(video__duplicate_of_id__in=recordings)
    ).exclude(pk__in=page_ids)
