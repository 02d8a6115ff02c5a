"""The lesson page's download button: which version of the lesson decides.

A live lesson is judged by its published version (the page row), a draft by
its latest revision, as the preview shows it. Whatever the version, the video
must be one the user may watch (`can_view_video`: anyone for a live lesson, only
the people who may see the draft otherwise) and the author must have ticked
"allow download". Every refusal is a 404, so a guessed id tells nothing.
"""

from django.http import Http404

from catalog.models import LessonPage
from media_pipeline.access import can_view_video
from media_pipeline.downloads import download_rendition, download_response


def lesson_as_shown(page_id):
    page = LessonPage.objects.filter(pk=page_id).first()
    if page is None:
        raise Http404
    if page.live:
        return page
    return page.get_latest_revision_as_object()


def download(user, page_id):
    lesson = lesson_as_shown(page_id)
    video = lesson.video if lesson.video_id else None
    if not lesson.allow_download or video is None:
        raise Http404
    if not can_view_video(user, video):
        raise Http404
    rendition = download_rendition(video)
    if rendition is None:
        raise Http404
    return download_response(rendition, lesson.title, fallback=f"lesson-{lesson.pk}")
