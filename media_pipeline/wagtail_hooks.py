"""Wagtail admin: videos as a snippet viewset with status, progress and retry.

Every admin view of videos, the chooser included, goes through the rule of
`selectors.py`: another person's video is not listed and its pages are a 404,
whatever model permission the user holds.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from . import services
from .models import Video, VideoStatus
from .selectors import videos_user_may_attach, videos_user_may_see

VIDEO_REFUSED = _(
    "This video is not one you uploaded, or another lesson already uses it;"
    " it cannot be chosen."
)

# --- The chooser: only what the user may put into a lesson --------------------


class VideoChooseView(chooser.ChooseView):
    def get_object_list(self):
        return videos_user_may_attach(self.request.user)


class VideoChooseResultsView(chooser.ChooseResultsView):
    def get_object_list(self):
        return videos_user_may_attach(self.request.user)


class VideoChosenView(chooser.SnippetChosenView):
    # "Chosen" answers with the title of the id in the URL: same rule.
    def get_object(self, pk):
        return videos_user_may_attach(self.request.user).get(pk=pk)


class VideoChosenMultipleView(chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return videos_user_may_attach(self.request.user).filter(pk__in=pks)


class VideoChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = VideoChooseView
    choose_results_view_class = VideoChooseResultsView
    chosen_view_class = VideoChosenView
    chosen_multiple_view_class = VideoChosenMultipleView


# --- Listing, edit, inspect …: only what the user may see ------------------------


class VisibleVideosOnly:
    """Another person's video is not there (404), even with the model permission."""

    def get_object(self, *args, **kwargs):
        video = super().get_object(*args, **kwargs)
        if not videos_user_may_see(self.request.user).filter(pk=video.pk).exists():
            raise Http404
        return video


class VideoEditView(VisibleVideosOnly, snippet_views.EditView):
    pass


class VideoDeleteView(VisibleVideosOnly, snippet_views.DeleteView):
    pass


class VideoInspectView(VisibleVideosOnly, snippet_views.InspectView):
    pass


class VideoUsageView(VisibleVideosOnly, snippet_views.UsageView):
    pass


class VideoHistoryView(VisibleVideosOnly, snippet_views.HistoryView):
    pass


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
    # A copy would be a second row for someone else's file.
    copy_view_enabled = False
    chooser_viewset_class = VideoChooserViewSet
    edit_view_class = VideoEditView
    delete_view_class = VideoDeleteView
    inspect_view_class = VideoInspectView
    usage_view_class = VideoUsageView
    history_view_class = VideoHistoryView

    def get_queryset(self, request):
        return videos_user_may_see(request.user)

    def retry_view(self, request, pk):
        video = get_object_or_404(videos_user_may_see(request.user), pk=pk)
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


@hooks.register("limit_catalog_entry_field")
def limit_lesson_video_field(name, field, user, entry):
    """The lesson form's video field (see catalog/forms.py)."""
    if name != "video":
        return False
    field.queryset = videos_user_may_attach(user, entry)
    field.error_messages["invalid_choice"] = VIDEO_REFUSED
    return True


# --- Near duplicates: the editors' report ------------------------------------------


def near_duplicates_view(request):
    """Suspected pairs (a video and the earlier one it repeats), thumbnails
    side by side, among the videos the user may see."""
    visible = videos_user_may_see(request.user)
    pairs = (
        visible.filter(duplicate_of__in=visible)
        .select_related("duplicate_of", "uploaded_by", "duplicate_of__uploaded_by")
        .order_by("-created_at")[:200]
    )
    return TemplateResponse(
        request,
        "media_pipeline/near_duplicates.html",
        {"pairs": pairs, "page_title": _("Suspected duplicate videos")},
    )


@hooks.register("register_admin_urls")
def register_near_duplicates_url():
    return [
        path(
            "media-pipeline/near-duplicates/",
            near_duplicates_view,
            name="media_pipeline_near_duplicates",
        )
    ]
