"""Harvest sources, the editable taxonomy mapping and the harvested queue in
the admin (snippets; Wagtail's model permissions decide who edits them)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import HarvestedRecord, HarvestSource, TaxonomyMapping


class HarvestSourceViewSet(SnippetViewSet):
    model = HarvestSource
    icon = "globe"
    list_display = ["name", "base_url", "metadata_prefix", "last_harvested"]


class TaxonomyMappingViewSet(SnippetViewSet):
    model = TaxonomyMapping
    icon = "resubmit"
    list_display = ["kind", "remote", "local", "source"]
    list_filter = ["kind", "source"]


class HarvestedRecordViewSet(SnippetViewSet):
    model = HarvestedRecord
    icon = "download"
    list_display = ["title", "identifier", "status", "datestamp", "source"]
    list_filter = ["status", "source"]


register_snippet(HarvestSourceViewSet)
register_snippet(TaxonomyMappingViewSet)
register_snippet(HarvestedRecordViewSet)
