from django.urls import path

from . import tus

app_name = "ingest"

urlpatterns = [
    path("tus/", tus.TusCreateView.as_view(), name="tus-create"),
    path("tus/<uuid:pk>/", tus.TusUploadView.as_view(), name="tus-upload"),
]
