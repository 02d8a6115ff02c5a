from django.urls import path

from . import views

app_name = "media_pipeline"

urlpatterns = [
    path("videos/<int:pk>/", views.video_status, name="video-status"),
    path("videos/<int:pk>/hls/<str:name>", views.hls_playlist, name="hls"),
]
