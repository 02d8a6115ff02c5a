"""Small documents made in memory for the workspace tests (never binary
fixtures): real PDF/OOXML/OLE structures and files disguised as them."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def ooxml(main_part: str, extra=()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<x/>")
        for name in extra:
            package.writestr(name, b"\0")
    return buffer.getvalue()


def docx(extra=()) -> bytes:
    return ooxml("word/document.xml", extra)


def pptx() -> bytes:
    return ooxml("ppt/presentation.xml")


def xlsx() -> bytes:
    return ooxml("xl/workbook.xml")


def ole(stream: str) -> bytes:
    """An OLE2 compound file header and one directory entry naming `stream`."""
    name = stream.encode("utf-16-le") + b"\0\0"
    entry = name.ljust(64, b"\0") + len(name).to_bytes(2, "little") + b"\x02"
    entry = entry.ljust(128, b"\0")
    return OLE_MAGIC + b"\0" * (512 - len(OLE_MAGIC)) + entry + b"\0" * 384


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
