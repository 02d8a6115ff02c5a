"""An entry's typed attachments: adding, replacing and removing documents.

One path for every caller (the site's lesson workspace; code): the file is
judged by its **content** — magic bytes, the zip's parts, the OLE streams —
never by the client's name, extension or content type; a refused file is one
sentence (`AttachmentRefused`) and leaves nothing behind, neither a Document
row nor a stored file. The stored name is generated (`<uuid>.<type>`), so a
client's name never reaches a storage path and a document's URL cannot be
guessed from it.

Changes go to the entry's latest version through
`lifecycle.edit_latest_version` (refused while a review runs). A removed or
replaced document stays in the storage while an earlier version names it; it
goes when the entry is deleted (catalog/cleanup.py reads every revision).
"""

from __future__ import annotations

import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model

from . import lifecycle
from .models import AttachmentKind, ResourceAttachment

PDF = b"%PDF-"
OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP = b"PK\x03\x04"
# An OOXML package's main part → the type it is. Macro-enabled packages
# (vbaProject.bin) are refused: a school PC opens them.
OOXML_PARTS = {
    "word/document.xml": "docx",
    "ppt/presentation.xml": "pptx",
    "xl/workbook.xml": "xlsx",
}
MAX_ZIP_ENTRIES = 20_000
# An Office file's central directory is a few kilobytes; a bigger one is
# refused before zipfile parses it (a hostile one may hold millions of names).
MAX_ZIP_DIRECTORY = 1024**2
EOCD = b"PK\x05\x06"
# Legacy Office files: the stream a Word or PowerPoint file must hold.
OLE_STREAMS = {"WordDocument": "doc", "PowerPoint Document": "ppt"}
DEFAULT_MAX_SIZE = 50 * 1024**2
MAX_TITLE = 120

NOT_A_DOCUMENT = _(
    "This file is not a PDF, Word (DOC/DOCX), PowerPoint (PPT/PPTX) or "
    "Excel (XLSX) document."
)
MACROS = _("Documents with macros are not accepted; save it without macros.")
EMPTY = _("The file is empty.")
TOO_LARGE = _("The file is larger than %(limit)s.")
UNKNOWN_ATTACHMENT = _("This attachment was not found on the entry.")


class AttachmentRefused(ValidationError):
    """A file or a change refused; the message says why, in one sentence."""


def max_size() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_SIZE", DEFAULT_MAX_SIZE))


def _too_large(limit: int) -> AttachmentRefused:
    return AttachmentRefused(
        str(TOO_LARGE) % {"limit": filesizeformat(limit)}, code="too_large"
    )


def check_size(upload, limit: int) -> None:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size == 0:
        raise AttachmentRefused(str(EMPTY), code="empty")
    if size > limit:
        raise _too_large(limit)


def _ole_type(fh) -> str | None:
    """doc / ppt when a directory entry names a Word or PowerPoint stream.

    Directory entries are 128-byte records in sectors after the 512-byte
    header: UTF-16 name (64 bytes), its length in bytes, the entry type
    (2 = stream). Reading every record-aligned slot finds them without
    following the FAT; an Excel (.xls) or encrypted file has neither stream.
    """
    wanted = {
        (name.encode("utf-16-le") + b"\0\0"): kind for name, kind in OLE_STREAMS.items()
    }
    fh.seek(512)
    while True:
        block = fh.read(128 * 512)
        if not block:
            return None
        for offset in range(0, len(block) - 127, 128):
            entry = block[offset : offset + 128]
            length = int.from_bytes(entry[64:66], "little")
            if entry[66] != 2 or not 2 <= length <= 64:
                continue
            kind = wanted.get(entry[:length])
            if kind:
                return kind


def _zip_directory_fits(fh) -> bool:
    """The end-of-central-directory record names a directory small enough."""
    fh.seek(0, 2)
    size = fh.tell()
    fh.seek(max(0, size - (65535 + 22)))
    tail = fh.read()
    at = tail.rfind(EOCD)
    if at < 0 or len(tail) - at < 22:
        return False
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    fh.seek(0)
    return entries <= MAX_ZIP_ENTRIES and directory <= MAX_ZIP_DIRECTORY


def _ooxml_type(fh) -> str:
    if not _zip_directory_fits(fh):
        raise AttachmentRefused(str(NOT_A_DOCUMENT), code="not_a_document")
    try:
        with zipfile.ZipFile(fh) as package:
            infos = package.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise AttachmentRefused(str(NOT_A_DOCUMENT), code="not_a_document")
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise AttachmentRefused(str(NOT_A_DOCUMENT), code="not_a_document") from exc
    if "[Content_Types].xml" not in names:
        raise AttachmentRefused(str(NOT_A_DOCUMENT), code="not_a_document")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise AttachmentRefused(str(MACROS), code="macros")
    for part, kind in OOXML_PARTS.items():
        if part in names:
            return kind
    raise AttachmentRefused(str(NOT_A_DOCUMENT), code="not_a_document")


def document_type(upload) -> str:
    """The document's type from its bytes: pdf, doc, docx, ppt, pptx or xlsx
    (AttachmentRefused otherwise; size first, so nothing huge is read)."""
    check_size(upload, max_size())
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    try:
        if head.startswith(PDF):
            return "pdf"
        if head == OLE2:
            kind = _ole_type(upload)
            if kind:
                return kind
        if head.startswith(ZIP):
            return _ooxml_type(upload)
    finally:
        upload.seek(0)
    raise AttachmentRefused(str(NOT_A_DOCUMENT), code="not_a_document")


def display_title(client_name: str, fallback: str) -> str:
    """A title for people from the client's file name: its stem, NFC, without
    control or format characters, short. Never used in a storage path."""
    stem = PurePosixPath((client_name or "").replace("\\", "/")).stem
    stem = unicodedata.normalize("NFC", stem)
    stem = "".join(ch for ch in stem if unicodedata.category(ch)[0] != "C")
    return " ".join(stem.split())[:MAX_TITLE] or str(fallback)


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed its check: the bytes to store and their type."""

    fileobj: object
    extension: str
    title: str


def check_document(upload) -> CheckedFile:
    extension = document_type(upload)
    return CheckedFile(upload, extension, display_title(upload.name, extension))


def _store(checked: CheckedFile, user):
    """A Document for checked bytes. The file is written before the row: if
    the row cannot be written, the file is deleted again."""
    Document = get_document_model()
    document = Document(title=checked.title, uploaded_by_user=user)
    checked.fileobj.seek(0)
    document.file.save(
        f"{uuid.uuid4().hex}.{checked.extension}", checked.fileobj, save=False
    )
    try:
        document._set_document_file_metadata()
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def latest_attachments(page) -> list[ResourceAttachment]:
    """The attachments of the entry's latest version, in their order."""
    draft = page.get_latest_revision_as_object()
    return sorted(draft.attachments.all(), key=lambda a: a.sort_order or 0)


def _single(kind: str) -> bool:
    return kind != AttachmentKind.OTHER


def attach(
    page, user, checked: CheckedFile, kind: str, replacing: int | None = None
) -> ResourceAttachment:
    """Attach checked bytes to the entry's latest version as `kind`, in place
    of the attachment showing document `replacing` if given. A bundle part or
    the captions have one slot: a second file replaces the first."""
    if kind not in AttachmentKind.values:
        raise AttachmentRefused(str(UNKNOWN_ATTACHMENT), code="unknown_kind")
    refusal = lifecycle.edit_refusal(page)
    if refusal is not None:
        raise AttachmentRefused(refusal, code="lifecycle_edit")
    added = {}

    def change(draft):
        kept = [
            a
            for a in draft.attachments.all()
            if a.document_id != replacing and not (_single(kind) and a.kind == kind)
        ]
        added["attachment"] = ResourceAttachment(
            document=document, kind=kind, title=checked.title
        )
        kept.append(added["attachment"])
        for order, attachment in enumerate(kept):
            attachment.sort_order = order
        draft.attachments = kept

    with transaction.atomic():
        document = _store(checked, user)
        try:
            lifecycle.edit_latest_version(page, user, change)
        except Exception:
            # The row goes with the rollback; the file would stay behind.
            document.file.delete(save=False)
            raise
    return added["attachment"]


def replace(page, user, document_id: int, checked: CheckedFile) -> ResourceAttachment:
    """Another file for the attachment showing `document_id` (same kind)."""
    current = find(page, document_id)
    return attach(page, user, checked, current.kind, replacing=document_id)


def find(page, document_id) -> ResourceAttachment:
    """The attachment of the latest version showing that document; a
    document of another entry, or none, is refused alike."""
    for attachment in latest_attachments(page):
        if attachment.document_id == document_id:
            return attachment
    raise AttachmentRefused(str(UNKNOWN_ATTACHMENT), code="unknown_attachment")


def remove(page, user, document_id: int) -> ResourceAttachment:
    """Take the attachment showing `document_id` off the latest version."""
    removed = find(page, document_id)

    def change(draft):
        draft.attachments = [
            a for a in draft.attachments.all() if a.document_id != document_id
        ]

    lifecycle.edit_latest_version(page, user, change)
    return removed


def bundle_checklist(attachments) -> list[dict]:
    """The five parts of a competition entry the documents provide (the
    video is the caller's): kind, label, the attachment or None."""
    by_kind = {}
    for attachment in attachments:
        by_kind.setdefault(attachment.kind, attachment)
    return [
        {"kind": kind.value, "label": kind.label, "attachment": by_kind.get(kind)}
        for kind in AttachmentKind.bundle()
    ]
