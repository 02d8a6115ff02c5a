"""The admin's document upload form (WAGTAILDOCS_DOCUMENT_FORM_BASE): a file
named as one of the types the catalog's attachments take (PDF, DOC/DOCX,
PPT/PPTX, XLSX) must be one by its content, the same check as the site's
workspace (catalog/attachments.py); a disguised file is a form error."""

from django.core.files.uploadedfile import UploadedFile
from wagtail.documents.forms import BaseDocumentForm

from . import attachments

CHECKED_EXTENSIONS = frozenset({"pdf", "doc", "docx", "ppt", "pptx", "xlsx"})


class CheckedDocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            extension = (upload.name or "").rsplit(".", 1)[-1].lower()
            if extension in CHECKED_EXTENSIONS:
                attachments.document_type(upload)
        return upload
