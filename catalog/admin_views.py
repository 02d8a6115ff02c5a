"""Knowledge-graph import in the admin: upload → preview → confirm.

The preview is a dry run of the same importer the command uses; the uploaded
bytes wait in storage under a random token until confirmed, so the confirmed
import is exactly the file that was previewed.
"""

import uuid
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from catalog.knowledge_import import (
    SUPPORTED_SUFFIXES,
    ImportRefused,
    import_knowledge_points,
)

PENDING_DIR = "imports/knowledge"
PREVIEW_ROWS = 300


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Knowledge-point file"),
        help_text=_("CSV, XLSX or JSON; see docs/knowledge-import.md for the columns."),
    )


class KnowledgeImportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "catalog/admin/knowledge_import.html"
    page_title = _("Import knowledge points")
    header_icon = "upload"

    # Imports create and update points: both permissions (the menu item too).
    permissions = ["catalog.add_knowledgepoint", "catalog.change_knowledgepoint"]

    @classmethod
    def user_may_import(cls, user) -> bool:
        return user.has_perms(cls.permissions)

    def dispatch(self, request, *args, **kwargs):
        if not self.user_may_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", UploadForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        token = request.POST.get("token")
        if token:
            return self._confirm(request, token)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        content = upload.read()
        suffix = Path(upload.name).suffix.lower()
        context = {"form": form, "file_name": upload.name}
        try:
            result = import_knowledge_points(upload.name, content, dry_run=True)
        except ImportRefused as refused:
            context["errors"] = refused.result.errors
            return self.render_to_response(self.get_context_data(**context))
        if suffix in SUPPORTED_SUFFIXES:
            token = f"{uuid.uuid4().hex}{suffix}"
            default_storage.save(f"{PENDING_DIR}/{token}", ContentFile(content))
            context["token"] = token
        context["result"] = result
        context["preview_rows"] = result.rows[:PREVIEW_ROWS]
        return self.render_to_response(self.get_context_data(**context))

    def _confirm(self, request, token):
        name = Path(token).name  # never a path the client chose
        stored = f"{PENDING_DIR}/{name}"
        if not default_storage.exists(stored):
            messages.error(
                request, _("The previewed file has expired; upload it again.")
            )
            return redirect("catalog_knowledge_import")
        with default_storage.open(stored, "rb") as handle:
            content = handle.read()
        try:
            result = import_knowledge_points(name, content)
        except ImportRefused as refused:
            # The tree changed since the preview; show the new errors.
            return self.render_to_response(
                self.get_context_data(errors=refused.result.errors)
            )
        finally:
            default_storage.delete(stored)
        messages.success(
            request,
            _(
                "Imported: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
            % {
                "created": len(result.created),
                "updated": len(result.updated),
                "unchanged": len(result.unchanged),
            },
        )
        return redirect(reverse("wagtailsnippets_catalog_knowledgepoint:list"))
