from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from catalog.ids import ID_PATTERN

from . import views
from .login import SiteLoginView


class IdConverter:
    """A database id (catalog.ids), so a hostile `2**64` is a 404 like any
    other missing row instead of an overflow in the database driver."""

    regex = ID_PATTERN

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

app_name = "portal"

urlpatterns = [
    path("login/", SiteLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("browse/", views.browse_index, name="browse"),
    path("browse/kp/<id:pk>/", views.knowledge_point, name="knowledge_point"),
    path(
        "browse/<slug:stage_code>/<slug:subject_code>/",
        views.browse_subject,
        name="browse_subject",
    ),
    path("find/", views.find, name="find"),
    path("my/", views.my_index, name="my"),
    path("my/upload/", views.upload, name="upload"),
    path("my/upload/finish/", views.upload_finish, name="upload_finish"),
    path(
        "my/knowledge-points/",
        views.knowledge_point_picker,
        name="knowledge_point_picker",
    ),
    path("my/lessons/<id:page_id>/preview/", views.my_preview, name="preview"),
    path("my/lessons/<id:page_id>/submit/", views.my_submit, name="submit"),
    path("my/lessons/<id:page_id>/", views.my_workspace, name="workspace"),
    path(
        "my/lessons/<id:page_id>/attachments/",
        views.my_attachment_add,
        name="attachment_add",
    ),
    path(
        "my/lessons/<id:page_id>/attachments/<str:document_id>/replace/",
        views.my_attachment_replace,
        name="attachment_replace",
    ),
    path(
        "my/lessons/<id:page_id>/attachments/<str:document_id>/remove/",
        views.my_attachment_remove,
        name="attachment_remove",
    ),
    path("my/lessons/<id:page_id>/withdraw/", views.my_withdraw, name="withdraw"),
    path("my/lessons/<id:page_id>/edit/", views.my_edit, name="edit"),
    path("my/lessons/<id:page_id>/video/", views.my_replace_video, name="video"),
    path("l/<id:page_id>/", views.short_link, name="short_link"),
    path("lessons/<id:page_id>/status/", views.entry_status, name="entry_status"),
    path("lessons/<id:page_id>/download/", views.download_video, name="download_video"),
]
