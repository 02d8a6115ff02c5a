"""Read queries of the alliance: scopes, review queue, quality history, collections."""

from django.db.models import CharField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from wagtail.models import Page, PageLogEntry, TaskState

from catalog import lifecycle
from catalog.models import (
    CatalogEntryPage,
    LessonPage,
    QualityPick,
    ResourceAttachment,
    SubjectPage,
)

from .models import (
    EditorScope,
    FeaturedCollection,
    QualityAction,
    QualityDecision,
    ReviewerLevel,
    RubricScore,
)
from .roles import is_administrator

# Workflow states of pages (object ids of snippets could collide with page ids).
PAGE_STATES = {
    "workflow_state__base_content_type__app_label": "wagtailcore",
    "workflow_state__base_content_type__model": "page",
}

# --- Scopes ---------------------------------------------------------------


def page_stage_subject(page) -> tuple[int | None, int | None, int | None]:
    """(stage_id, subject_id, district_id) of an entry, read from the tree now.

    The subject page above the entry is the truth (a subject change is a move),
    so scope checks never trust a possibly stale copy on the entry row.
    """
    parent_path = page.path[: -Page.steplen]
    pair = (
        SubjectPage.objects.filter(path=parent_path)
        .values_list("stage_id", "subject_id")
        .first()
    )
    district_id = (
        CatalogEntryPage.objects.filter(pk=page.pk)
        .values_list("district_id", flat=True)
        .first()
    )
    if pair is None:
        return None, None, district_id
    return pair[0], pair[1], district_id


def _level_q(level: str, district_id) -> Q:
    """Scopes of `level` that cover an entry of `district_id` (a value, or an
    OuterRef to the entry's district): the one rule for all scope checks."""
    if level == ReviewerLevel.CITY:
        return Q(district__isnull=True)
    if level == ReviewerLevel.DISTRICT:
        return Q(district_id=district_id) if district_id else Q(pk__in=[])
    return Q(district__isnull=True) | Q(district_id=district_id)


def _covering_scopes(page, level: str):
    """Scope rows covering the page's current stage, subject and district."""
    stage_id, subject_id, district_id = page_stage_subject(page)
    if stage_id is None:
        return EditorScope.objects.none()
    return EditorScope.objects.filter(
        _level_q(level, district_id), stage_id=stage_id, subject_id=subject_id
    )


def user_can_review_page(user, page, level: str = ReviewerLevel.ANY) -> bool:
    """Editors whose scope covers the page's current stage/subject; admins."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if is_administrator(user):
        return True
    return _covering_scopes(page, level).filter(user=user).exists()


def editors_for_page(page, level: str = ReviewerLevel.ANY):
    """Active users whose scope covers the page (the reviewers to notify)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True, pk__in=_covering_scopes(page, level).values("user_id")
    )


def may_name_any_author(user, entry) -> bool:
    """Administrators, and editors whose scope covers the entry, may name any
    active user its author; everybody else only themselves."""
    if is_administrator(user):
        return True
    return bool(entry is not None and entry.pk and user_can_review_page(user, entry))


def author_is_kept(user, entry) -> bool:
    """A non-editor editing an entry someone else is the author of keeps that
    author: they can neither take it over nor hand it on."""
    return bool(
        entry is not None
        and entry.author_id
        and entry.author_id != getattr(user, "pk", None)
        and not may_name_any_author(user, entry)
    )


def authors_user_may_name(user, entry=None):
    """Users `user` may choose as the author of `entry` (None: a new entry)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    current = Q(pk=entry.author_id) if entry and entry.author_id else Q(pk__in=[])
    if not user or not user.is_authenticated or not user.is_active:
        return users.filter(current)
    if may_name_any_author(user, entry):
        return users.filter(Q(is_active=True) | current)
    if author_is_kept(user, entry):
        return users.filter(current)
    return users.filter(pk=user.pk)


def documents_user_may_attach(user, entry=None):
    """Documents `user` may attach to `entry`: their own uploads; for editors
    also the attachments of entries in their scope; every document for
    administrators. The entry's current attachments stay allowed.

    Not "any unattached document": one another teacher has just uploaded
    would become readable through the attacher's draft once it is attached.
    """
    from wagtail.documents import get_document_model

    documents = get_document_model().objects.all()
    current = Q(pk__in=[])
    if entry is not None:
        current = Q(pk__in=[a.document_id for a in entry.attachments.all()])
    if not user or not user.is_authenticated or not user.is_active:
        return documents.filter(current)
    if is_administrator(user):
        return documents
    in_scope = ResourceAttachment.objects.filter(
        page__in=scoped_entries(user).values("pk")
    ).values("document_id")
    return documents.filter(Q(uploaded_by_user=user) | Q(pk__in=in_scope) | current)


def scoped_entries(user, level: str = ReviewerLevel.ANY):
    """Entries in the user's scope (all entries for administrators)."""
    entries = CatalogEntryPage.objects.all()
    if is_administrator(user):
        return entries
    covering = EditorScope.objects.filter(
        _level_q(level, OuterRef("district_id")),
        user=user,
        stage_id=OuterRef("stage_id"),
        subject_id=OuterRef("subject_id"),
    )
    return entries.filter(Exists(covering))


def scope_pairs(user) -> set[tuple[int, int]]:
    """(stage_id, subject_id) pairs the user edits, at any level."""
    return set(
        EditorScope.objects.filter(user=user).values_list("stage_id", "subject_id")
    )


def editable_collections(user):
    """Featured collections the user may change: all for administrators; for an
    editor those of a stage and subject in their scope (site-wide collections,
    without a subject, are the administrators')."""
    collections = FeaturedCollection.objects.all()
    if is_administrator(user):
        return collections
    q = Q(pk__in=[])
    for stage_id, subject_id in scope_pairs(user):
        q |= Q(stage_id=stage_id, subject_id=subject_id)
    return collections.filter(q)


def reviewable_page_ids(user, level: str = ReviewerLevel.ANY):
    """Subquery of page ids as strings (WorkflowState.object_id is a CharField)."""
    return (
        scoped_entries(user, level)
        .annotate(pk_str=Cast("pk", output_field=CharField()))
        .values("pk_str")
    )


def review_queue(user):
    """In-progress task states the user may act on, newest first, with pages."""
    states = (
        TaskState.objects.reviewable_by(user)
        .filter(**PAGE_STATES)
        .select_related("workflow_state", "workflow_state__requested_by", "task")
        .order_by("-started_at")
    )
    ids = {int(s.workflow_state.object_id) for s in states}
    pages = {
        p.pk: p
        for p in CatalogEntryPage.objects.filter(pk__in=ids).select_related(
            "stage", "subject", "grade", "owner"
        )
    }
    # Lessons carry their video's state: one whose video is not ready cannot
    # be approved, and the queue says so (None: a resource, no video needed).
    lesson_rows = LessonPage.objects.filter(pk__in=ids).values_list(
        "pk", "video__status", "video__duplicate_of_id"
    )
    lessons = {pk: status for pk, status, _orig in lesson_rows}
    duplicates = {pk for pk, _status, orig in lesson_rows if orig is not None}
    rows = []
    for state in states:
        page = pages.get(int(state.workflow_state.object_id))
        if page is None:
            continue
        video = (
            lifecycle.video_state_from_status(lessons[page.pk])
            if page.pk in lessons
            else None
        )
        rows.append(
            {
                "task_state": state,
                "page": page,
                "video_state": video,
                "video_ready": video in (None, lifecycle.VideoState.READY),
                "near_duplicate": page.pk in duplicates,
            }
        )
    return rows


def next_in_queue(queue_before, queue_after, done_page_id):
    """The entry to review after `done_page_id`: the first one that followed
    it in the queue as it was (`queue_before`, rows of review_queue) and is
    still waiting (`queue_after`); else the first still waiting; else None."""
    waiting = [row["page"] for row in queue_after if row["page"].pk != done_page_id]
    if not waiting:
        return None
    waiting_ids = {page.pk for page in waiting}
    before = [row["page"].pk for row in queue_before]
    if done_page_id in before:
        for pk in before[before.index(done_page_id) + 1 :]:
            if pk in waiting_ids:
                return next(page for page in waiting if page.pk == pk)
    return waiting[0]


def next_after_decision(user, task_state_id):
    """The entry to review after a decision the user took in Wagtail's admin
    (the page editor's approve / return, or the dashboard's action buttons),
    where the queue as it was before is not at hand: the step itself tells
    where the entry stood (the queue is newest first). The same page still
    waiting (the next step is the user's too) comes first; then the first
    entry that was submitted before it; else the first waiting; else None.
    Only a step this user finished counts, any other id is ignored."""
    queue = review_queue(user)
    done = (
        TaskState.objects.filter(pk=task_state_id, finished_by=user)
        .exclude(status=TaskState.STATUS_IN_PROGRESS)
        .select_related("workflow_state")
        .first()
        if task_state_id is not None
        else None
    )
    if done is not None:
        done_page_id = int(done.workflow_state.object_id)
        for row in queue:
            if row["page"].pk == done_page_id:
                return row["page"]
        for row in queue:
            if row["task_state"].started_at < done.started_at:
                return row["page"]
    return queue[0]["page"] if queue else None


def lessons_sharing_recording(page):
    """Other lessons whose video is the same recording as `page`'s: the
    original its video was found a near duplicate of, or another duplicate of
    that original (media_pipeline marks `Video.duplicate_of`)."""
    video = getattr(page, "video", None)
    if video is None:
        return LessonPage.objects.none()
    original = video.duplicate_of_id or video.pk
    return (
        LessonPage.objects.filter(
            Q(video_id=original) | Q(video__duplicate_of_id=original)
        )
        .exclude(pk=page.pk)
        .select_related("stage", "subject")
        .order_by("pk")
    )


# --- Quality history ------------------------------------------------------


def is_quality_pick_at(page, moment) -> bool:
    """Was the entry a quality pick at `moment`?

    The last decision at or before the moment decides. Entries with no decision
    rows at all (imported or seeded before the log existed) fall back to the
    current QualityPick record and its designation date.
    """
    decisions = QualityDecision.objects.filter(page_id=page.pk)
    last = decisions.filter(decided_at__lte=moment).order_by("-decided_at", "-pk")
    last = last.values_list("action", flat=True).first()
    if last is not None:
        return last == QualityAction.DESIGNATE
    if decisions.exists():
        return False
    picked_at = (
        QualityPick.objects.filter(page_id=page.pk)
        .values_list("picked_at", flat=True)
        .first()
    )
    return picked_at is not None and picked_at <= moment


def quality_picks_at(moment, entries=None):
    """Entries that were quality picks at `moment` (same rule, as one query)."""
    entries = CatalogEntryPage.objects.all() if entries is None else entries
    last_action = Subquery(
        QualityDecision.objects.filter(page_id=OuterRef("pk"), decided_at__lte=moment)
        .order_by("-decided_at", "-pk")
        .values("action")[:1]
    )
    has_log = QualityDecision.objects.filter(page_id=OuterRef("pk"))
    return entries.annotate(_last_action=last_action, _has_log=Exists(has_log)).filter(
        Q(_last_action=QualityAction.DESIGNATE)
        | Q(_has_log=False, quality_pick__picked_at__lte=moment)
    )


def designations_between(start, end):
    """Designation rows in [start, end) — what the quota counts by date."""
    return QualityDecision.objects.filter(
        action=QualityAction.DESIGNATE, decided_at__gte=start, decided_at__lt=end
    )


# --- History of one entry -------------------------------------------------


def entry_history(page):
    """Wagtail log entries of the page (workflow steps, publishing, our actions)."""
    return (
        PageLogEntry.objects.filter(page_id=page.pk)
        .select_related("user")
        .order_by("-timestamp", "-pk")
    )


def entry_comments(page):
    """Reviewers' comments on task states of this entry (returns and approvals)."""
    return (
        TaskState.objects.filter(**PAGE_STATES, workflow_state__object_id=str(page.pk))
        .exclude(comment="")
        .select_related("finished_by", "task")
        .order_by("-finished_at")
    )


def entry_decisions(page):
    """The reviewers' decisions on this entry, newest first: each finished
    review step that approved or returned it, and any step with a comment
    (for the author's workspace on the site)."""
    return (
        TaskState.objects.filter(**PAGE_STATES, workflow_state__object_id=str(page.pk))
        .filter(
            Q(status__in=[TaskState.STATUS_APPROVED, TaskState.STATUS_REJECTED])
            | ~Q(comment="")
        )
        .exclude(finished_at=None)
        .select_related("task")
        .order_by("-finished_at", "-pk")
    )


def entry_scores(page):
    return (
        RubricScore.objects.filter(page_id=page.pk)
        .select_related("reviewer", "rubric")
        .prefetch_related("items")
        .order_by("-updated_at")
    )


# --- Featured collections -------------------------------------------------


def featured_collections(stage=None, subject=None, limit: int = 6):
    """Active collections with their live items, in editor-chosen order.

    Home page (no stage/subject): every active collection. Subject page: those
    for that subject whose stage is that stage or unset.
    """
    collections = FeaturedCollection.objects.filter(is_active=True).select_related(
        "cover", "stage", "subject"
    )
    if subject is not None:
        collections = collections.filter(subject=subject)
    if stage is not None:
        collections = collections.filter(Q(stage=stage) | Q(stage__isnull=True))
    result = []
    for collection in collections[:limit]:
        items = [
            item
            for item in collection.items.select_related("page").order_by(
                "sort_order", "pk"
            )
            if item.page.live
        ]
        if items:
            result.append({"collection": collection, "items": items})
    return result
