"""The author's workspace of one lesson (`/my/lessons/<id>/`): read side.

What the page shows: the latest version's video and typed attachments, the
competition bundle's checklist, the life-cycle state with what the author may
do now, and the reviewers' decisions, newest first.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from alliance.selectors import entry_decisions
from catalog import attachments, lifecycle
from catalog.models import AttachmentKind, CatalogEntryPage
from media_pipeline.selectors import caption_tracks

from . import my
from .media import PlayerState, video_info, video_of

DECISIONS = {
    "approved": _("Approved"),
    "rejected": _("Returned for changes"),
    "cancelled": _("Cancelled"),
    "in_progress": _("Comment"),
}


def authored_entry(user, page_id):
    """One of the user's own entries (owner or author), the specific page;
    anyone else's, or none, is a 404 alike (the id says nothing)."""
    page = get_object_or_404(CatalogEntryPage, pk=page_id)
    if not user.is_authenticated or user.pk not in (page.owner_id, page.author_id):
        raise Http404
    return page.specific


def workspace(page) -> dict:
    draft = page.get_latest_revision_as_object()
    is_lesson = lifecycle.has_video_guard(page)
    video = video_of(draft) if is_lesson else None
    info = video_info(video, renditions=[])
    attached = attachments.latest_attachments(page)
    status, _comment = my._status_and_comment(
        page, *my._latest_workflow_states([page.pk])
    )
    edit_refusal = lifecycle.edit_refusal(page)
    checklist = attachments.bundle_checklist(attached)
    captions = next((a for a in attached if a.kind == AttachmentKind.CAPTIONS), None)
    return {
        "entry": page,
        "draft": draft,
        "is_lesson": is_lesson,
        "video": info,
        "video_present": video is not None,
        "state": lifecycle.state_of(page),
        "status": status,
        "status_label": my.EntryStatus(status).label,
        "attachments": attached,
        "checklist": checklist,
        "bundle_complete": all(p["attachment"] for p in checklist)
        and (not is_lesson or video is not None),
        "captions": captions,
        "caption_tracks": caption_tracks(video) if video else [],
        "kinds": AttachmentKind.choices,
        "edit_refusal": edit_refusal,
        "can_edit": edit_refusal is None,
        "can_withdraw": lifecycle.review_in_progress(page),
        "can_submit": status in (my.EntryStatus.DRAFT, my.EntryStatus.RETURNED)
        and lifecycle.can("submit", draft),
        "decisions": [
            {
                "task": state.task.name if state.task_id else "",
                "status": state.status,
                "label": DECISIONS.get(state.status, DECISIONS["in_progress"]),
                "comment": state.comment,
                "at": state.finished_at,
            }
            for state in entry_decisions(page)
        ],
        "ready": info.state == PlayerState.READY,
    }
