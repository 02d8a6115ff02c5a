"""Taxonomy editing in the admin: one menu group, one viewset per model."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_views import KnowledgeImportView
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
