"""Admin pages of bulk imports: the runs and their progress, the template.

Imports run from the command line (`import_library`); these pages show each
run's progress (refreshing while it runs) and hand out the sheet template.
Administrators only.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from catalog.ids import parse_id

from .library_sheet import template_workbook
from .models import ImportStatus, LibraryImport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AdministratorsOnly:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportListView(AdministratorsOnly, TemplateView):
    template_name = "ingest/admin/imports.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = list(LibraryImport.objects.select_related("owner")[:50])
        context.update(
            runs=runs,
            page_title=_("Library imports"),
            running=any(r.status == ImportStatus.RUNNING for r in runs),
        )
        return context


class ImportDetailView(AdministratorsOnly, TemplateView):
    template_name = "ingest/admin/import_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pk = parse_id(kwargs["pk"])
        run = get_object_or_404(LibraryImport, pk=pk) if pk else None
        if run is None:
            from django.http import Http404

            raise Http404
        context.update(
            run=run,
            page_title=_("Library import"),
            running=run.status == ImportStatus.RUNNING,
        )
        return context


def template_download(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="library-template.xlsx"'
    return response
