from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from .api import api

# A lost database answers 503, not 500 (weike/errors.py).
handler500 = "weike.errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    path("ingest/", include("ingest.urls")),
    path("media-pipeline/", include("media_pipeline.urls")),
    path("alliance/", include("alliance.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("oai/", include("exchange.urls")),
    path("", include("portal.urls")),
]

if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    # Embedded default: local files, served only after an access check.
    from .media_serve import media_urlpatterns

    urlpatterns += media_urlpatterns()

# Wagtail's page serving must stay last: it matches every remaining path.
urlpatterns += [path("", include(wagtail_urls))]
