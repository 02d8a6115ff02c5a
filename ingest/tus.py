"""A small tus 1.0 server (core + creation + termination) for video uploads.

POST   /ingest/tus/            create (Upload-Length, Upload-Metadata)
HEAD   /ingest/tus/<id>/       current Upload-Offset
PATCH  /ingest/tus/<id>/       append bytes at Upload-Offset
DELETE /ingest/tus/<id>/       abandon (termination extension)

The body of a PATCH is read from the WSGI stream in chunks (never
request.body), so memory stays flat whatever the size of the file.
Rejections and refused requests (a malformed header, an upload that is not
the caller's, a wrong body type, an offset the server does not hold) carry a
JSON body {code, message}: one sentence in the request's language, next to
the status and headers tus clients act on.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from media_pipeline.access import can_view_video
from media_pipeline.rules import Reason, Rejected

from . import uploads
from .models import Upload, UploadStatus

logger = logging.getLogger(__name__)

LOGIN_REQUIRED = _("Log in to upload.")
BAD_LENGTH = _("Upload-Length must be the file's size in bytes, in plain digits.")
BAD_OFFSET = _(
    "Upload-Offset and Content-Length must be counts of bytes, in plain digits."
)
NOT_FOUND = _("This upload does not exist or is not yours.")
WRONG_TYPE = _("Send the file's bytes as application/offset+octet-stream.")
OFFSET_CONFLICT = _(
    "The server holds a different part of this upload: continue from the "
    "Upload-Offset it gives."
)
SPOOL_FULL = _(
    "The server has no room for more of this upload right now; what arrived "
    "is kept, so try again later to continue."
)
# A full spool disk: tus clients retry a 5xx on their own, later.
SPOOL_FULL_RETRY_SECONDS = 60

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination"
# Upload-Length, Upload-Offset, Content-Length: plain ASCII digits only (int()
# would also take "12_000", "+12", " 12" and other scripts' digits).
_NUMBER = re.compile(r"[0-9]{1,19}")
# Rejections refused for the request itself rather than for the file.
_STATUS = {Reason.TOO_LARGE: 413, Reason.TOO_MANY_UPLOADS: 429}


def _with_tus_headers(response: HttpResponse, headers: dict) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for key, value in headers.items():
        response[key.replace("_", "-")] = str(value)
    return response


def _tus_response(status: int = 204, **headers) -> HttpResponse:
    return _with_tus_headers(HttpResponse(status=status), headers)


def _refused(status: int, code: str, message, **headers) -> JsonResponse:
    """A request refused for itself: its status, tus headers and one sentence."""
    body = {"code": code, "message": str(message)}
    return _with_tus_headers(JsonResponse(body, status=status), headers)


def _rejection(exc: Rejected, status: int = 422) -> JsonResponse:
    response = JsonResponse(exc.rejection.as_dict(), status=status)
    response["Tus-Resumable"] = TUS_VERSION
    return response


def header_number(value: str | None) -> int | None:
    """The value of a length/offset header, or None when it is not one."""
    if value is None or not _NUMBER.fullmatch(value):
        return None
    return int(value)


def parse_metadata(header: str) -> dict[str, str]:
    metadata = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, value = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(value).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            continue
    return metadata


def _unauthorised(request):
    if not request.user.is_authenticated:
        return JsonResponse({"detail": str(LOGIN_REQUIRED)}, status=401)
    return None


@method_decorator(csrf_exempt, name="dispatch")
class TusCreateView(View):
    def options(self, request, *args, **kwargs):
        return _tus_response(
            204,
            Tus_Version=TUS_VERSION,
            Tus_Extension=EXTENSIONS,
            Tus_Max_Size=settings.UPLOAD_MAX_SIZE,
        )

    def post(self, request):
        if denied := _unauthorised(request):
            return denied
        length = header_number(request.headers.get("Upload-Length"))
        if length is None:
            return _refused(400, "bad_length", BAD_LENGTH)
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
        try:
            upload = uploads.create_upload(
                owner=request.user, length=length, metadata=metadata
            )
        except Rejected as exc:
            return _rejection(exc, _STATUS.get(exc.code, 422))
        location = request.build_absolute_uri(
            reverse("ingest:tus-upload", args=[upload.pk])
        )
        return _tus_response(201, Location=location, Upload_Offset=0)


@method_decorator(csrf_exempt, name="dispatch")
class TusUploadView(View):
    def _get(self, request, pk) -> Upload | None:
        # Someone else's upload is answered like one that does not exist.
        return Upload.objects.filter(pk=pk, owner=request.user).first()

    def _state_headers(self, upload: Upload) -> dict:
        headers = {"Upload_Offset": upload.offset, "Upload_Length": upload.length}
        # A duplicate may be someone else's draft: its id is theirs to know.
        if upload.video_id and can_view_video(upload.owner, upload.video):
            headers["Weike_Video_Id"] = upload.video_id
        headers["Weike_Upload_Status"] = upload.status
        if upload.reason:
            headers["Weike_Reason"] = upload.reason
        return headers

    def head(self, request, pk):
        if denied := _unauthorised(request):
            return denied
        upload = self._get(request, pk)
        if upload is None:
            return _refused(404, "not_found", NOT_FOUND)
        if upload.status in (UploadStatus.EXPIRED,):
            return _tus_response(410)
        return _tus_response(200, **self._state_headers(upload))

    def patch(self, request, pk):
        if denied := _unauthorised(request):
            return denied
        upload = self._get(request, pk)
        if upload is None:
            return _refused(404, "not_found", NOT_FOUND)
        if request.content_type != "application/offset+octet-stream":
            return _refused(415, "wrong_content_type", WRONG_TYPE)
        if upload.status == UploadStatus.REJECTED:
            return _rejection(Rejected(upload.reason or "corrupt"))
        offset = header_number(request.headers.get("Upload-Offset"))
        length = request.META.get("CONTENT_LENGTH") or None
        body_length = header_number(length) if length else None
        if offset is None or (length and body_length is None):
            return _refused(400, "bad_offset", BAD_OFFSET)
        try:
            upload = uploads.append(upload, offset, request, body_length)
        except uploads.UploadConflict:
            upload.refresh_from_db()
            return _refused(
                409, "offset_conflict", OFFSET_CONFLICT, **self._state_headers(upload)
            )
        except uploads.SpoolFull as exc:
            return self._spool_full(upload, exc)
        except Rejected as exc:
            return _rejection(exc)
        return _tus_response(204, **self._state_headers(upload))

    def _spool_full(self, upload: Upload, exc: Exception) -> JsonResponse:
        # The operator's problem, not the teacher's: logged as an error.
        logger.error("upload %s: spool disk full (%s)", upload.pk, exc)
        upload.refresh_from_db()
        response = JsonResponse(
            {"code": "storage_full", "message": str(SPOOL_FULL)}, status=507
        )
        response["Tus-Resumable"] = TUS_VERSION
        response["Retry-After"] = str(SPOOL_FULL_RETRY_SECONDS)
        response["Upload-Offset"] = str(upload.offset)
        return response

    def delete(self, request, pk):
        if denied := _unauthorised(request):
            return denied
        upload = self._get(request, pk)
        if upload is None:
            return _refused(404, "not_found", NOT_FOUND)
        if upload.status == UploadStatus.RECEIVING:
            uploads.abort(upload, UploadStatus.EXPIRED)
        return _tus_response(204)
