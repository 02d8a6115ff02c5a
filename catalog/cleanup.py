"""What a deleted catalogue page leaves behind, and whether anything else uses it.

When a lesson goes, its video goes too unless another lesson (its row or any
revision, drafts included) still names it: a teacher's video attached to
nothing is garbage. Its attachment documents go unless another page attaches
them or Wagtail's reference index shows another use (rich-text links…).
Wagtail deletes a document's file itself, after commit.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from wagtail.documents import get_document_model
from wagtail.models import Page, ReferenceIndex, Revision

from .models import LessonPage, ResourceAttachment


def _other_pages_revisions(page_id: int):
    page_type = ContentType.objects.get_for_model(Page)
    return Revision.objects.exclude(base_content_type=page_type, object_id=str(page_id))


def videos_named_by(page: LessonPage) -> set[int]:
    """The page's video and every video its revisions named."""
    named = set(page.revisions.values_list("content__video", flat=True))
    named.add(page.video_id)
    return {pk for pk in named if isinstance(pk, int)}


def documents_named_by(page) -> set[int]:
    """Documents the page attaches, now or in any of its revisions."""
    named = set(
        ResourceAttachment.objects.filter(page_id=page.pk).values_list(
            "document_id", flat=True
        )
    )
    for attachments in page.revisions.values_list("content__attachments", flat=True):
        named.update(
            a.get("document") for a in attachments or [] if isinstance(a, dict)
        )
    return {pk for pk in named if isinstance(pk, int)}


def delete_unused_videos(video_ids: set[int], deleted_page_id: int) -> None:
    used_by_rows = set(
        LessonPage.objects.filter(video_id__in=video_ids)
        .exclude(pk=deleted_page_id)
        .values_list("video_id", flat=True)
    )
    others = _other_pages_revisions(deleted_page_id)
    unused = {
        pk
        for pk in video_ids - used_by_rows
        if not others.filter(content__video=pk).exists()
    }
    # The video model through the relation, so the catalog imports no app
    # above it; the video's own post_delete handler removes the files after
    # commit.
    video_model = LessonPage._meta.get_field("video").related_model
    video_model.objects.filter(pk__in=unused).delete()


def delete_unused_documents(document_ids: set[int], deleted_page_id: int) -> None:
    Document = get_document_model()
    attached = set(
        ResourceAttachment.objects.filter(document_id__in=document_ids)
        .exclude(page_id=deleted_page_id)
        .values_list("document_id", flat=True)
    )
    page_type = ContentType.objects.get_for_model(Page)
    unused = []
    for document in Document.objects.filter(pk__in=document_ids - attached):
        references = ReferenceIndex.get_references_to(document).exclude(
            base_content_type=page_type, object_id=str(deleted_page_id)
        )
        if not references.exists():
            unused.append(document.pk)
    Document.objects.filter(pk__in=unused).delete()
