"""Wagtail admin: videos as a snippet viewset with status, progress and retry."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import services
from .models import Video, VideoStatus


class VideoViewSet(SnippetViewSet):
    model = Video
    icon = "media"
    menu_label = _("Videos")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["title", "status", "progress", "reason", "duration", "created_at"]
    list_filter = ["status", "reason"]
    search_fields = ["title", "original_filename", "sha256"]
    inspect_view_enabled = True
    # The original is set by the upload paths only; its file widget would
    # link to it (a signed URL on S3) and originals are never handed out.
    exclude_form_fields = ["file"]

    def retry_view(self, request, pk):
        video = get_object_or_404(Video, pk=pk)
        if not request.user.has_perm("media_pipeline.change_video"):
            return redirect("wagtailadmin_home")
        if request.method == "POST":
            if services.retry_video(video):
                messages.success(request, _("The video was queued again."))
            else:
                messages.error(request, _("Only failed videos can be retried."))
            return redirect(self.get_url_name("list"))
        return TemplateResponse(
            request, "media_pipeline/confirm_retry.html", {"video": video}
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("retry/<int:pk>/", self.retry_view, name="retry"),
        ]


video_viewset = VideoViewSet()
register_snippet(video_viewset)


@hooks.register("register_snippet_listing_buttons")
def retry_button(snippet, user, next_url=None):
    if isinstance(snippet, Video) and snippet.status == VideoStatus.FAILED:
        yield ListingButton(
            _("Retry"),
            reverse(video_viewset.get_url_name("retry"), args=[snippet.pk]),
            icon_name="rotate",
            priority=5,
        )
