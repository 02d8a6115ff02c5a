from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import ImportDetailView, ImportListView, template_download


@hooks.register("register_admin_urls")
def register_library_import_urls():
    return [
        path(
            "ingest/imports/", ImportListView.as_view(), name="ingest_library_imports"
        ),
        path(
            "ingest/imports/<str:pk>/",
            ImportDetailView.as_view(),
            name="ingest_library_import",
        ),
        path(
            "ingest/library-template.xlsx",
            template_download,
            name="ingest_library_template",
        ),
    ]


class AdministratorsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def library_import_menu_item():
    return AdministratorsMenuItem(
        _("Library imports"),
        reverse("ingest_library_imports"),
        icon_name="download",
        order=900,
    )
