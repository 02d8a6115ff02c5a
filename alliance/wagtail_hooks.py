"""Admin integration: audit actions, role limits, review menu/panel, snippets."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.log_actions import LogFormatter
from wagtail.models import TaskState
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from catalog.models import CatalogEntryPage, LessonPage, ResourcePage, ResourceType

from .models import EditorScope, FeaturedCollection, Rubric, next_review_url
from .roles import is_administrator, owns_pages_only
from .selectors import (
    author_is_kept,
    authors_user_may_name,
    documents_user_may_attach,
    editable_collections,
    review_queue,
)

AUTHOR_REFUSED = _("You can only name yourself as the author.")
DOCUMENT_REFUSED = _("This document is not one you uploaded; it cannot be attached.")

# --- Audit trail ------------------------------------------------------------


class _CommentFormatter(LogFormatter):
    def format_comment(self, log_entry):
        return log_entry.data.get("comment", "")


@hooks.register("register_log_actions")
def register_alliance_log_actions(actions):
    @actions.register_action("alliance.quality_pick")
    class QualityPick(_CommentFormatter):
        label = _("Quality pick designated")
        message = _("Made a quality pick")

    @actions.register_action("alliance.quality_revoke")
    class QualityRevoke(_CommentFormatter):
        label = _("Quality pick revoked")
        message = _("Revoked a quality pick")

    @actions.register_action("alliance.score")
    class Score(_CommentFormatter):
        label = _("Rubric score")

        def format_message(self, log_entry):
            rubric = log_entry.data.get("rubric", "")
            return _("Scored with “%(rubric)s”: %(total)s points") % {
                "rubric": rubric,
                "total": log_entry.data.get("total", ""),
            }


# --- Role limits on pages ------------------------------------------------------


@hooks.register("construct_explorer_page_queryset")
def hide_other_teachers_drafts(parent_page, pages, request):
    # Teachers see published pages and their own drafts; another teacher's
    # draft is not theirs to see (the edit view refuses it too).
    if owns_pages_only(request.user):
        pages = pages.filter(Q(live=True) | Q(owner=request.user))
    return pages


@hooks.register("construct_page_chooser_queryset")
def hide_other_teachers_drafts_in_chooser(pages, request):
    if owns_pages_only(request.user):
        pages = pages.filter(Q(live=True) | Q(owner=request.user))
    return pages


@hooks.register("before_serve_document")
def hide_files_of_unpublished_entries(document, request):
    # Attachments of drafts are as private as the drafts: a guessed document
    # URL answers 404 unless the entry is live or the user may see the draft.
    # A document no entry's current attachments name (added to a new version
    # of a published lesson, still in review; or not used yet) is as private
    # as that version: its uploader, administrators and whoever may see an
    # entry whose latest version names it.
    from .services import can_view_entry

    entries = CatalogEntryPage.objects.filter(attachments__document=document)
    if entries.filter(live=True).exists():
        return None
    user = request.user
    if any(can_view_entry(user, entry) for entry in entries):
        return None
    if user.is_authenticated and (
        document.uploaded_by_user_id == user.pk
        or is_administrator(user)
        or any(can_view_entry(user, e) for e in entries_whose_draft_names(document))
    ):
        return None
    raise Http404


def entries_whose_draft_names(document):
    """Entries whose latest revision attaches `document` (a few at most)."""
    from wagtail.models import Revision

    latest = CatalogEntryPage.objects.values("latest_revision_id")
    # A text search narrows the revisions; reading them back decides.
    revisions = Revision.objects.filter(
        pk__in=latest, content__icontains=f'"document": {int(document.pk)}'
    )
    for revision in revisions[:20]:
        draft = revision.as_object()
        if any(a.document_id == document.pk for a in draft.attachments.all()):
            yield draft


@hooks.register("before_create_page")
def only_entries_for_non_admins(request, parent_page, page_class):
    # The "add" permission is tree-wide; the stage/subject skeleton is the
    # administrators' to change, teachers add lessons and resources only.
    if is_administrator(request.user):
        return None
    if not issubclass(page_class, (LessonPage, ResourcePage)):
        raise PermissionDenied
    return None


@hooks.register("before_copy_page")
def no_copies_for_teachers(request, page):
    # A copy would carry another teacher's content under a new owner.
    if owns_pages_only(request.user) and page.owner_id != request.user.pk:
        raise PermissionDenied
    return None


@hooks.register("limit_catalog_entry_field")
def limit_entry_author_field(name, field, user, entry):
    """The entry form's author field (see catalog/forms.py): a teacher names
    themselves; an author someone else set stays, shown read-only."""
    if name != "author":
        return False
    field.queryset = authors_user_may_name(user, entry)
    field.error_messages["invalid_choice"] = AUTHOR_REFUSED
    # Disabled: the posted value is ignored and the entry's author is kept.
    field.disabled = author_is_kept(user, entry)
    return True


@hooks.register("limit_catalog_entry_field")
def limit_attachment_document_field(name, field, user, entry):
    """An attachment's document: the same rule as the document chooser."""
    if name != "attachments.document":
        return False
    field.queryset = documents_user_may_attach(user, entry)
    field.error_messages["invalid_choice"] = DOCUMENT_REFUSED
    return True


@hooks.register("construct_document_chooser_queryset")
def only_attachable_documents_in_chooser(documents, request):
    if is_administrator(request.user):
        return documents
    allowed = documents_user_may_attach(request.user).values("pk")
    return documents.filter(pk__in=allowed)


# --- Review queue in the admin ---------------------------------------------------


def _reviews(user) -> bool:
    return is_administrator(user) or EditorScope.objects.filter(user=user).exists()


class ReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return _reviews(request.user)


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return ReviewMenuItem(
        _("Review queue"),
        reverse("alliance:review_queue"),
        icon_name="tasks",
        order=150,
    )


class ReviewQueuePanel(Component):
    order = 90

    def __init__(self, rows):
        self.rows = rows

    def render_html(self, parent_context=None):
        return render_to_string(
            "alliance/includes/review_panel.html", {"rows": self.rows[:10]}
        )


@hooks.register("construct_homepage_panels")
def add_review_panel(request, panels):
    if _reviews(request.user):
        panels.append(ReviewQueuePanel(review_queue(request.user)))


# --- After a decision in the page editor -------------------------------------------

# The step the editor decides in the page editor, noted before the edit view acts.
_DECIDED_STEP = "_alliance_decided_step"


@hooks.register("before_edit_page")
def note_the_step_being_decided(request, page):
    if request.method == "POST" and request.POST.get("action-workflow-action"):
        state = page.current_workflow_task_state
        setattr(request, _DECIDED_STEP, state.pk if state else None)
    return None


@hooks.register("after_edit_page")
def go_on_to_the_next_entry(request, page):
    # Wagtail would go back to the explorer (or to /admin/, as the finished
    # step no longer opens the editor for the reviewer): like the site's
    # review page, a decision leads to the next item of the reviewer's queue.
    step_id = getattr(request, _DECIDED_STEP, None)
    if step_id is None or "application/json" in request.headers.get("Accept", ""):
        return None
    step = TaskState.objects.filter(pk=step_id, finished_by=request.user).first()
    if step is None or step.status == TaskState.STATUS_IN_PROGRESS:
        return None  # the action did not happen (a plain save)
    return redirect(next_review_url(step))


# --- Snippets -----------------------------------------------------------------------


class EditorScopeViewSet(SnippetViewSet):
    model = EditorScope
    icon = "group"
    menu_label = _("Editor scopes")
    list_display = ["user", "stage", "subject", "district"]
    list_filter = ["stage", "subject", "district"]


def _resource_type_label(rubric):
    # The field holds a ResourceType value without choices: show its name,
    # not "micro_lesson".
    value = rubric.resource_type
    return ResourceType(value).label if value in ResourceType.values else value


class RubricViewSet(SnippetViewSet):
    model = Rubric
    icon = "list-ol"
    list_display = [
        "name",
        Column(
            "resource_type", label=_("Resource type"), accessor=_resource_type_label
        ),
        BooleanColumn("is_active", label=_("active")),
    ]


class ScopedCollectionMixin:
    """Out-of-scope collections are not there for an editor (404)."""

    def get_queryset(self):
        return editable_collections(self.request.user)


class ScopedCollectionEditView(ScopedCollectionMixin, snippet_views.EditView):
    pass


class ScopedCollectionDeleteView(ScopedCollectionMixin, snippet_views.DeleteView):
    pass


class FeaturedCollectionViewSet(SnippetViewSet):
    model = FeaturedCollection
    icon = "pick"
    list_display = ["title", "stage", "subject", "is_active", "sort_order"]
    list_filter = ["stage", "subject", "is_active"]
    edit_view_class = ScopedCollectionEditView
    delete_view_class = ScopedCollectionDeleteView

    def get_queryset(self, request):
        return editable_collections(request.user)


class AllianceGroup(SnippetViewSetGroup):
    menu_label = _("Micro-lesson alliance")
    menu_icon = "pick"
    menu_order = 240
    items = (FeaturedCollectionViewSet, RubricViewSet, EditorScopeViewSet)


register_snippet(AllianceGroup)
