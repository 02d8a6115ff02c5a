"""Admin: quota rules as snippets (with "copy to next year"), dashboard menu item."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views import CopyToNextYearView
from .models import QuotaRule
from .permissions import can_view_dashboard


class QuotaRuleViewSet(SnippetViewSet):
    model = QuotaRule
    icon = "tasks"
    menu_label = _("Annual quotas")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["display_label", "year", "target", "district"]
    list_filter = ["year", "district", "resource_type", "quality_only"]
    search_fields = ["label"]
    list_per_page = 50
    panels = [
        FieldRowPanel([FieldPanel("year"), FieldPanel("district")]),
        FieldPanel("stages"),
        FieldRowPanel([FieldPanel("subject"), FieldPanel("resource_type")]),
        FieldRowPanel([FieldPanel("quality_only"), FieldPanel("target")]),
        FieldRowPanel([FieldPanel("label"), FieldPanel("sort_order")]),
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(
                "copy-next-year/<int:pk>/",
                CopyToNextYearView.as_view(),
                name="copy_next_year",
            )
        ]


register_snippet(QuotaRuleViewSet)


@hooks.register("register_snippet_listing_buttons")
def quota_copy_button(snippet, user, next_url=None):
    if isinstance(snippet, QuotaRule) and user.has_perm("dashboard.add_quotarule"):
        yield Button(
            _("Copy to next year"),
            reverse(
                "wagtailsnippets_dashboard_quotarule:copy_next_year", args=[snippet.pk]
            ),
            icon_name="copy",
            priority=50,
        )


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_dashboard(request.user)


@hooks.register("register_admin_menu_item")
def dashboard_menu_item():
    return DashboardMenuItem(
        _("Quota dashboard"), reverse("dashboard:index"), icon_name="table", order=240
    )
