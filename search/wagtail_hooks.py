"""Administrators edit the synonym table in the Wagtail admin (Snippets)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SearchSynonym


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    list_display = ["__str__", "note"]
    search_fields = []
    add_to_settings_menu = True


register_snippet(SearchSynonymViewSet)
