from django.urls import path, re_path

from catalog.ids import ID_PATTERN

from . import views

app_name = "alliance"

# Entry ids follow catalog.ids: a hostile 30-digit id is a 404 like any other
# missing row, not an overflow in the database driver.
ENTRY = rf"^entries/(?P<page_id>{ID_PATTERN})/"

urlpatterns = [
    path("review/", views.review_queue_view, name="review_queue"),
    path("review/next/", views.review_next_view, name="review_next"),
    re_path(ENTRY + "$", views.entry_view, name="entry"),
    re_path(ENTRY + "score/$", views.score_view, name="score"),
    re_path(ENTRY + "pick/$", views.pick_view, name="pick"),
    re_path(ENTRY + "revoke/$", views.revoke_view, name="revoke"),
]
