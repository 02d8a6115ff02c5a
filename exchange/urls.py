from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [path("", views.oai_pmh, name="oai")]
