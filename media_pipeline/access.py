"""Who may watch a video: the rule every video URL goes through.

A video is public once a live lesson shows it. Before that only the people who
may see the draft may watch it: the uploader, the lesson's author, editors who
can review it (the review policy the alliance installs, media_pipeline/policy.py),
and administrators. Playlists, status and (in the embedded
default) the files themselves are all checked here, so a guessed URL of a
draft's rendition gets a 404 like any other missing file.
"""

from django.db.models import Q

from catalog.models import LessonPage

from .policy import review_policy


def can_view_video(user, video) -> bool:
    if LessonPage.objects.filter(video=video).live().exists():
        return True
    # A live lesson given another video keeps showing the old one until the
    # new version is published (catalog.lifecycle.replace_video): the new
    # video is a draft's, watched by those who may see that version — its
    # reviewers above all — and never public through the live lesson.
    lessons = LessonPage.objects.filter(
        Q(video=video) | Q(latest_revision__content__video=video.pk)
    )
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or video.uploaded_by_id == user.pk:
        return True
    policy = review_policy()
    for page in lessons:
        if page.author_id == user.pk or policy.can_review(user, page):
            return True
        if page.permissions_for_user(user).can_edit():
            return True
    return False
