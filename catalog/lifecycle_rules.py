"""The life cycle's rules: states, transitions and guards (no services).

Below the catalog's models, so a model can ask a guard (LessonPage.clean asks
`refusal("publish", …)`) without importing the services, which write models;
catalog/lifecycle.py re-exports every name here and holds the services. See
that module and docs/catalog.md, "Life cycle".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

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
NOT_IN_REVIEW = _("This entry is not in review, so there is no submission to withdraw.")
EDIT_IN_REVIEW = _(
    "This entry is in review; withdraw the submission before changing it."
)
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


def review_in_progress(page) -> bool:
    """A review is running (not returned for changes): the reviewers are
    looking at the latest version, so its author leaves it alone."""
    state = page.current_workflow_state
    return state is not None and state.status == state.STATUS_IN_PROGRESS


def edit_refusal(page) -> str | None:
    """Why the author may not change the entry's latest version now (its
    attachments, its video) from the site; None: they may. Any state but a
    running review: a draft, a lesson returned for changes, a withdrawn or
    published one (the change is a new version, published after review)."""
    if review_in_progress(page):
        return str(EDIT_IN_REVIEW)
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


__all__ = [
    "VIDEO_READY",
    "VIDEO_REFUSED",
    "State",
    "VideoState",
    "TransitionRefused",
    "UNPUBLISHED",
    "Transition",
    "TRANSITIONS",
    "has_video_guard",
    "video_state",
    "video_state_from_status",
    "video_ready",
    "VIDEO_MESSAGES",
    "state_of",
    "ALREADY_IN_REVIEW",
    "NOT_IN_REVIEW",
    "EDIT_IN_REVIEW",
    "NO_WORKFLOW",
    "review_in_progress",
    "edit_refusal",
    "refusal",
    "can",
    "require",
    "edit_view_transition",
]
