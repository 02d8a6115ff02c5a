"""The life of a catalog entry: its states, the transitions, who takes each,
and the guards every path must pass (see docs/catalog.md, "Life cycle").

The state is derived, never stored: from the page (live, ever published), its
Wagtail workflow state and, for a lesson, the status of its video. Every path
that submits, approves or publishes asks this module first:

- the admin's edit view (catalog/wagtail_hooks.py, `before_edit_page`),
- the review task (alliance.models.SubjectReviewTask.start / on_action),
- the site's upload form (portal/services.py),
- and, as the last barrier, any revision publish (`LessonPage.clean`, which
  Wagtail runs when the published revision is saved: commands, workflow
  finish, scheduled publishing).

The catalog does not import the media layer: it reads the video through the
lesson's foreign key and compares its status with the values below
(tests/test_lifecycle_guards.py checks they are media_pipeline's VideoStatus).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .signals import announce

# media_pipeline.models.VideoStatus values, as plain strings.
VIDEO_READY = "ready"
VIDEO_REFUSED = frozenset({"rejected", "failed"})


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VIDEO_PROCESSING = "video_processing", _("Video processing")
    READY_TO_SUBMIT = "ready_to_submit", _("Ready to submit")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")
    QUALITY_PICK = "quality_pick", _("Quality pick")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class VideoState(models.TextChoices):
    NOT_NEEDED = "not_needed", _("No video needed")
    MISSING = "missing", _("No video")
    PROCESSING = "processing", _("Video processing")
    READY = "ready", _("Video ready")
    REFUSED = "refused", _("Video rejected")


class TransitionRefused(ValidationError):
    """A guard said no; the message says why, for the person who tried."""


UNPUBLISHED = frozenset(
    {
        State.DRAFT,
        State.VIDEO_PROCESSING,
        State.READY_TO_SUBMIT,
        State.CHANGES_REQUESTED,
        State.WITHDRAWN,
    }
)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: State
    who: str
    needs_ready_video: bool = False


TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "submit",
            UNPUBLISHED | {State.PUBLISHED, State.QUALITY_PICK},
            State.IN_REVIEW,
            "the lesson's owner (teacher) or an administrator",
            needs_ready_video=True,
        ),
        Transition(
            "request_changes",
            frozenset({State.IN_REVIEW}),
            State.CHANGES_REQUESTED,
            "an alliance editor whose scope covers the lesson",
        ),
        Transition(
            "approve",
            frozenset({State.IN_REVIEW}),
            State.PUBLISHED,
            "an alliance editor whose scope covers the lesson",
            needs_ready_video=True,
        ),
        Transition(
            "publish",
            UNPUBLISHED | {State.IN_REVIEW, State.PUBLISHED, State.QUALITY_PICK},
            State.PUBLISHED,
            "an administrator (or the review workflow when it finishes)",
            needs_ready_video=True,
        ),
        Transition(
            "withdraw",
            frozenset({State.PUBLISHED, State.QUALITY_PICK}),
            State.WITHDRAWN,
            "an administrator",
        ),
        Transition(
            "pick",
            frozenset({State.PUBLISHED}),
            State.QUALITY_PICK,
            "an alliance editor whose scope covers the lesson",
        ),
        Transition(
            "revoke",
            frozenset({State.QUALITY_PICK}),
            State.PUBLISHED,
            "an alliance editor whose scope covers the lesson (with a reason)",
        ),
    )
}


def has_video_guard(page) -> bool:
    """Lessons (pages with a `video` field) need a ready video; resources not."""
    return any(f.name == "video" for f in type(page)._meta.concrete_fields)


def video_state(page) -> VideoState:
    if not has_video_guard(page):
        return VideoState.NOT_NEEDED
    video = page.video if page.video_id else None
    return video_state_from_status(video.status if video is not None else None)


def video_state_from_status(status: str | None) -> VideoState:
    """A lesson's video state from its video's status (None: no video)."""
    if status is None:
        return VideoState.MISSING
    if status == VIDEO_READY:
        return VideoState.READY
    if status in VIDEO_REFUSED:
        return VideoState.REFUSED
    return VideoState.PROCESSING


def video_ready(page) -> bool:
    return video_state(page) in (VideoState.READY, VideoState.NOT_NEEDED)


VIDEO_MESSAGES = {
    VideoState.MISSING: _(
        "A lesson needs a video before it can be submitted or published."
    ),
    VideoState.PROCESSING: _(
        "The lesson's video is still being processed; submit or publish it once "
        "the video is ready."
    ),
    VideoState.REFUSED: _(
        "The lesson's video was rejected; upload another video before submitting "
        "or publishing."
    ),
}


def state_of(page) -> State:
    """The entry's state now (one or two queries: workflow, quality record)."""
    if page.live:
        return State.QUALITY_PICK if page.is_quality_pick else State.PUBLISHED
    workflow = page.current_workflow_state
    if workflow is not None:
        if workflow.status == workflow.STATUS_NEEDS_CHANGES:
            return State.CHANGES_REQUESTED
        return State.IN_REVIEW
    if page.last_published_at is not None:
        return State.WITHDRAWN
    return {
        VideoState.PROCESSING: State.VIDEO_PROCESSING,
        VideoState.READY: State.READY_TO_SUBMIT,
        VideoState.NOT_NEEDED: State.READY_TO_SUBMIT,
    }.get(video_state(page), State.DRAFT)


ALREADY_IN_REVIEW = _("This entry is already in review.")
NO_WORKFLOW = _("No review workflow covers this entry; ask an administrator.")


def refusal(name: str, page) -> str | None:
    """Why `page` may not take transition `name` now (None: it may).

    Only the guards are checked here; *who* may take a transition is checked
    by the path that offers it (Wagtail permissions, the review task's scope).
    Pass the version being submitted or published (a revision's object), not
    the live row, when they differ.
    """
    transition = TRANSITIONS[name]
    if transition.needs_ready_video and not video_ready(page):
        return str(VIDEO_MESSAGES[video_state(page)])
    return None


def can(name: str, page) -> bool:
    return refusal(name, page) is None


def require(name: str, page) -> None:
    message = refusal(name, page)
    if message is not None:
        raise TransitionRefused(message, code=f"lifecycle_{name}")


def edit_view_transition(post) -> str | None:
    """The transition a POST to Wagtail's page edit view asks for, if any."""
    if "action-publish" in post:
        return "publish"
    if "action-submit" in post or "action-restart-workflow" in post:
        return "submit"
    if (
        "action-workflow-action" in post
        and post.get("workflow-action-name") == "approve"
    ):
        return "approve"
    return None


# --- Services: submitting for review ------------------------------------------


@transaction.atomic
def submit(page, user) -> None:
    """draft / changes requested → in review, from the site (the admin's own
    buttons go through the same guard in the edit view and the review task).

    A lesson returned for changes resumes its workflow at the task that
    returned it; a draft starts the workflow its page tree assigns.
    """
    draft = page.get_latest_revision_as_object()
    require("submit", draft)
    state = page.current_workflow_state
    if state is not None:
        if state.status != state.STATUS_NEEDS_CHANGES:
            raise TransitionRefused(str(ALREADY_IN_REVIEW), code="lifecycle_submit")
        state.resume(user)
        return
    workflow = page.get_workflow()
    if workflow is None:
        raise TransitionRefused(str(NO_WORKFLOW), code="lifecycle_submit")
    workflow.start(page, user)


# --- Services: replacing a lesson's video ----------------------------------------

REVIEW_CANCELLED = _(
    "The lesson's video was replaced and is still being processed, so its review "
    "was cancelled. Submit it again once the new video is ready."
)


def replace_video(page, video, user) -> bool:
    """Give a lesson another video: a new version with `video`, then the
    restart of processing (`video_replaced`). For code paths (commands, the
    site); the admin's editor saves the version itself and calls
    `video_replaced` (catalog/wagtail_hooks.py).

    A lesson that is not live takes the video at once; a live one keeps
    showing its published video until the new version is published, which
    the publish guard refuses until the new video is ready."""
    draft = page.get_latest_revision_as_object()
    previous = draft.video_id
    draft.video = video
    with transaction.atomic():
        if not page.live:
            draft.save()
        draft.save_revision(user=user)
        return video_replaced(page, previous, user)


@transaction.atomic
def video_replaced(page, previous_video_id, user) -> bool:
    """After a lesson's latest version got another video: restart processing.

    While the new video is not ready the lesson is back in "video processing":
    an active review (in review or returned for changes) is cancelled, so no
    reviewer approves a version whose video nobody has seen, and submit,
    approve and publish are refused by their guards until the video is ready.
    A ready video (e.g. the same bytes uploaded again) needs no processing and
    leaves the review as it is. Returns whether a review was cancelled."""
    # Read again: the caller's object may predate the version just saved.
    page = type(page).objects.get(pk=page.pk)
    draft = page.get_latest_revision_as_object()
    if draft.video_id == previous_video_id or video_ready(draft):
        return False
    state = page.current_workflow_state
    if state is None:
        return False
    state.cancel(user=user)
    return True


# --- Services: the quality pick -------------------------------------------------


@transaction.atomic
def pick(page, user, moment=None):
    """published → quality pick: writes the entry's QualityPick record.

    Who may pick is the caller's check (alliance.services.designate_quality_pick,
    which also keeps the decision log)."""
    from .models import CatalogEntryPage, QualityPick

    entry = CatalogEntryPage.objects.select_for_update().get(pk=page.pk)
    if not entry.live:
        raise TransitionRefused(
            _("Only published entries can be quality picks."), code="lifecycle_pick"
        )
    if QualityPick.objects.filter(page_id=entry.pk).exists():
        raise TransitionRefused(
            _("This entry is already a quality pick."), code="lifecycle_pick"
        )
    record = QualityPick.objects.create(
        page_id=entry.pk, picked_by=user, picked_at=moment or timezone.now()
    )
    announce([entry.pk], "pick")
    return record


@transaction.atomic
def revoke(page) -> None:
    """quality pick → published: removes the entry's QualityPick record."""
    from .models import CatalogEntryPage, QualityPick

    CatalogEntryPage.objects.select_for_update().filter(pk=page.pk).exists()
    deleted, _rows = QualityPick.objects.filter(page_id=page.pk).delete()
    if not deleted:
        raise TransitionRefused(
            _("This entry is not a quality pick."), code="lifecycle_revoke"
        )
    announce([page.pk], "revoke")


def create_draft_lesson(
    *,
    parent,
    title: str,
    owner,
    video,
    summary: str = "",
    grade=None,
    knowledge_points=(),
    academic_year: int | None = None,
    slug_suffix: str = "",
    **fields,
):
    """The one way a video becomes a draft lesson (the site's upload form,
    `ingest_video` and `import_library`): not live, owned by the uploader
    (the author too, unless `author` is given), with a first revision so it
    can be edited, submitted or withdrawn like any other. `fields` are other
    entry fields (edition, school, author, documents as `attachments`)."""
    from .models import LessonPage

    return _create_draft(
        LessonPage(video=video),
        parent=parent,
        title=title,
        owner=owner,
        summary=summary,
        grade=grade,
        knowledge_points=knowledge_points,
        academic_year=academic_year,
        slug_suffix=slug_suffix,
        **fields,
    )


def create_draft_resource(*, resource_type: str, **kwargs):
    """A draft teaching resource (courseware, plan, exercises …), made like a
    draft lesson (`import_library`)."""
    from .models import ResourcePage

    return _create_draft(ResourcePage(resource_type=resource_type), **kwargs)


def _create_draft(
    page,
    *,
    parent,
    title,
    owner,
    summary="",
    grade=None,
    knowledge_points=(),
    academic_year=None,
    slug_suffix="",
    attachments=(),
    **fields,
):
    from django.utils.text import slugify

    from .academic_year import current_academic_year
    from .models import ResourceAttachment

    fallback = "lesson" if has_video_guard(page) else "resource"
    base = slugify(title, allow_unicode=True)[:40] or fallback
    suffix = slug_suffix or uuid.uuid4().hex[:8]
    page.title = title
    page.slug = f"{base}-{suffix}"
    page.summary = summary
    page.grade = grade
    page.owner = owner
    page.author = fields.pop("author", None) or owner
    page.academic_year = academic_year or current_academic_year()
    page.live = False
    for name, value in fields.items():
        setattr(page, name, value)
    page.attachments = [
        ResourceAttachment(document=document, sort_order=i)
        for i, document in enumerate(attachments)
    ]
    parent.add_child(instance=page)
    # A ParentalManyToManyField is written to the database on save().
    page.knowledge_points.set(knowledge_points)
    page.save()
    page.save_revision(user=owner)
    return page
