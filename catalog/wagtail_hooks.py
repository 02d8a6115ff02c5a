"""Taxonomy editing in the admin (one menu group, one viewset per model) and
the life-cycle guards of the page editor."""

import copy

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import lifecycle
from .admin_views import KnowledgeImportView
from .ids import parse_id
from .models import (
    District,
    Grade,
    KnowledgePoint,
    School,
    Stage,
    Subject,
    Textbook,
    TextbookEdition,
    Unit,
)


class StageViewSet(SnippetViewSet):
    model = Stage
    icon = "list-ul"
    list_display = ["name", "code", "name_en", "sort_order"]


class SubjectViewSet(SnippetViewSet):
    model = Subject
    icon = "list-ul"
    list_display = ["name", "code", "name_en", "sort_order"]
    list_filter = ["stages"]
    search_fields = ["name", "code", "synonyms"]
    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("name_en"),
        FieldPanel("stages"),
        FieldPanel("synonyms"),
        FieldPanel("sort_order"),
    ]


class GradeViewSet(SnippetViewSet):
    model = Grade
    icon = "list-ul"
    list_display = ["name", "stage", "code", "sort_order"]
    list_filter = ["stage"]


class EditionViewSet(SnippetViewSet):
    model = TextbookEdition
    icon = "doc-full"
    list_display = ["name", "code", "sort_order"]


class TextbookViewSet(SnippetViewSet):
    model = Textbook
    icon = "doc-full"
    list_display = ["volume", "edition", "subject", "grade"]
    list_filter = ["edition", "subject"]


class UnitViewSet(SnippetViewSet):
    model = Unit
    icon = "doc-full"
    list_display = ["title", "textbook", "parent", "sort_order"]
    list_filter = ["textbook__subject", "textbook__edition"]
    search_fields = ["title"]


class KnowledgePointViewSet(SnippetViewSet):
    model = KnowledgePoint
    icon = "site"
    list_display = ["code", "name", "subject", "stage", "grade", "depth"]
    list_filter = ["subject", "stage", "grade"]
    search_fields = ["code", "name"]
    ordering = ["path"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("parent"),
        FieldPanel("stage"),
        FieldPanel("subject"),
        FieldPanel("grade"),
        FieldPanel("sort_order"),
    ]


class DistrictViewSet(SnippetViewSet):
    model = District
    icon = "globe"
    list_display = ["name", "code"]


class SchoolViewSet(SnippetViewSet):
    model = School
    icon = "home"
    list_display = ["name", "district"]
    list_filter = ["district", "stages"]
    search_fields = ["name"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("Taxonomy")
    menu_icon = "folder-open-inverse"
    menu_order = 250
    items = (
        StageViewSet,
        SubjectViewSet,
        GradeViewSet,
        EditionViewSet,
        TextbookViewSet,
        UnitViewSet,
        KnowledgePointViewSet,
        DistrictViewSet,
        SchoolViewSet,
    )


register_snippet(TaxonomyGroup)


class AdminOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        # Shown to exactly those the view lets in (a link that 403s is a bug).
        return KnowledgeImportView.user_may_import(request.user)


@hooks.register("register_admin_urls")
def register_knowledge_import_url():
    return [
        path(
            "catalog/knowledge-import/",
            KnowledgeImportView.as_view(),
            name="catalog_knowledge_import",
        )
    ]


@hooks.register("register_admin_menu_item")
def register_knowledge_import_menu_item():
    return AdminOnlyMenuItem(
        _("Import knowledge points"),
        reverse("catalog_knowledge_import"),
        icon_name="upload",
        order=260,
    )


# --- Life cycle guards in the page editor ---------------------------------------


def _as_posted(page, post):
    """`page` with the video the POST asks for: the edit form saves that video
    in the same request, so the guard must judge it, not the stored one."""
    if not lifecycle.has_video_guard(page):
        return page
    raw = str(post.get("video", "")).strip()
    video_model = type(page)._meta.get_field("video").related_model
    candidate = copy.copy(page)
    pk = parse_id(raw)
    candidate.video = (
        video_model.objects.filter(pk=pk).first() if pk is not None else None
    )
    return candidate


@hooks.register("before_edit_page")
def refuse_transitions_the_lifecycle_forbids(request, page):
    # Publish, submit, restart and approve from the editor: refused before the
    # edit view saves anything, with the reason; LessonPage.clean and the
    # review task stay as barriers for every other path.
    if request.method != "POST":
        return None
    if lifecycle.has_video_guard(page.specific):
        # The video of the version being edited, for `after_edit_page`.
        request.lifecycle_video_before = (
            page.specific.get_latest_revision_as_object().video_id
        )
    name = lifecycle.edit_view_transition(request.POST)
    if name is None:
        return None
    message = lifecycle.refusal(name, _as_posted(page.specific, request.POST))
    if message is None:
        return None
    messages.error(request, message)
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("after_edit_page")
def restart_processing_when_the_video_is_replaced(request, page):
    # The editor saved a version with another video: a replaced video that is
    # not ready yet sends the lesson back to "video processing" (the service
    # cancels an active review, see catalog.lifecycle.video_replaced).
    if not hasattr(request, "lifecycle_video_before"):
        return None
    if lifecycle.video_replaced(page, request.lifecycle_video_before, request.user):
        messages.warning(request, lifecycle.REVIEW_CANCELLED)
    return None
