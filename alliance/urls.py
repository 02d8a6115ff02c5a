from django.urls import path

from . import views

app_name = "alliance"

urlpatterns = [
    path("review/", views.review_queue_view, name="review_queue"),
    path("entries/<int:page_id>/", views.entry_view, name="entry"),
    path("entries/<int:page_id>/score/", views.score_view, name="score"),
    path("entries/<int:page_id>/pick/", views.pick_view, name="pick"),
    path("entries/<int:page_id>/revoke/", views.revoke_view, name="revoke"),
]
