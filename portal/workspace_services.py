"""The author's workspace of one lesson: write side (attachments, captions,
another video, withdrawing a submission). Each action checks the file or id
here and changes the entry through the catalog's services, which check the
life cycle; the views only ask who the user is."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from catalog import attachments, lifecycle
from catalog.attachments import AttachmentRefused, CheckedFile
from catalog.ids import parse_id
from catalog.models import AttachmentKind, ResourceAttachment
from media_pipeline import captions as caption_files

from .services import finished_upload

CAPTIONS_LABEL = gettext_lazy("Chinese subtitles")
# An attached caption document is read up to this many bytes (the workspace
# refuses bigger files; an admin's upload is cut there and then converted).
CAPTION_READ_LIMIT = 4 * 1024**2


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(choices=AttachmentKind.choices)
    file = forms.FileField(allow_empty_file=True)


def _caption_file(upload) -> CheckedFile:
    """An uploaded WebVTT/SRT file as a clean WebVTT document (one sentence
    when refused)."""
    limit = int(getattr(settings, "CAPTION_MAX_SIZE", caption_files.DEFAULT_MAX_BYTES))
    attachments.check_size(upload, limit)
    upload.seek(0)
    try:
        vtt = caption_files.to_webvtt(
            upload.read(),
            max_cues=int(
                getattr(settings, "CAPTION_MAX_CUES", caption_files.DEFAULT_MAX_CUES)
            ),
        )
    except caption_files.CaptionRefused as exc:
        raise AttachmentRefused(str(exc), code="captions") from exc
    return CheckedFile(
        ContentFile(vtt.encode("utf-8")),
        "vtt",
        attachments.display_title(upload.name, "captions"),
    )


def _checked(upload, kind) -> CheckedFile:
    if kind == AttachmentKind.CAPTIONS:
        return _caption_file(upload)
    return attachments.check_document(upload)


def _label() -> str:
    with translation.override("zh-hans"):
        return str(CAPTIONS_LABEL)


def _on_public_video(page, video) -> bool:
    """The video plays on the published page: its track changes only when
    the version carrying the new captions is published (after review)."""
    return page.live and page.video_id == video.pk


def _publish_captions(page, checked: CheckedFile) -> None:
    """The captions become the lesson video's author track (zh-Hans)."""
    video = _draft_video(page)
    if video is None or _on_public_video(page, video):
        return
    checked.fileobj.seek(0)
    caption_files.store_author_captions(
        video, checked.fileobj.read().decode("utf-8"), _label()
    )


def sync_published_captions(page) -> None:
    """After a lesson is published: its video's author track is the captions
    attachment of the published version (none: no author track)."""
    if not page.video_id:
        return
    captions = (
        ResourceAttachment.objects.filter(page_id=page.pk, kind=AttachmentKind.CAPTIONS)
        .select_related("document")
        .first()
    )
    vtt = _attached_webvtt(captions) if captions is not None else None
    if vtt is None:
        caption_files.remove_author_captions(page.video)
        return
    caption_files.store_author_captions(page.video, vtt, _label())


def _attached_webvtt(captions) -> str | None:
    """The captions attachment's text as clean WebVTT, converted again: the
    admin may have attached a file that never passed the workspace's check."""
    try:
        with captions.document.file.open("rb") as fh:
            return caption_files.to_webvtt(fh.read(CAPTION_READ_LIMIT))
    except (OSError, caption_files.CaptionRefused):
        return None


def _draft_video(page):
    draft = page.get_latest_revision_as_object()
    if not lifecycle.has_video_guard(draft) or not draft.video_id:
        return None
    return draft.video


@transaction.atomic
def add_attachment(page, user, form: AttachmentForm):
    kind = form.cleaned_data["kind"]
    checked = _checked(form.cleaned_data["file"], kind)
    attachment = attachments.attach(page, user, checked, kind)
    if kind == AttachmentKind.CAPTIONS:
        _publish_captions(page, checked)
    return attachment


def document_id(raw) -> int:
    pk = parse_id(raw)
    if pk is None:
        raise AttachmentRefused(str(attachments.UNKNOWN_ATTACHMENT), code="bad_id")
    return pk


@transaction.atomic
def replace_attachment(page, user, raw_document_id, upload):
    current = attachments.find(page, document_id(raw_document_id))
    checked = _checked(upload, current.kind)
    attachment = attachments.replace(page, user, current.document_id, checked)
    if current.kind == AttachmentKind.CAPTIONS:
        _publish_captions(page, checked)
    return attachment


@transaction.atomic
def remove_attachment(page, user, raw_document_id):
    removed = attachments.remove(page, user, document_id(raw_document_id))
    if removed.kind == AttachmentKind.CAPTIONS:
        video = _draft_video(page)
        if video is not None and not _on_public_video(page, video):
            caption_files.remove_author_captions(video)
    return removed


class VideoReplaceForm(forms.Form):
    """A finished tus upload (the site's upload path) for a lesson's video."""

    upload = forms.UUIDField()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_upload(self):
        return finished_upload(self.user, self.cleaned_data["upload"])


def replace_video(page, user, form: VideoReplaceForm) -> bool:
    """The lesson's latest version gets the uploaded video (back to 'video
    processing' until it is ready); refused while a review runs. The author's
    caption track follows the lesson onto the new video."""
    refusal = lifecycle.edit_refusal(page)
    if refusal is not None:
        raise ValidationError(refusal, code="lifecycle_edit")
    video = form.cleaned_data["upload"].video
    with transaction.atomic():
        cancelled = lifecycle.replace_video(page, video, user)
        _carry_captions(page, video)
    return cancelled


def _carry_captions(page, video) -> None:
    captions = next(
        (
            a
            for a in attachments.latest_attachments(page)
            if a.kind == AttachmentKind.CAPTIONS
        ),
        None,
    )
    if captions is None:
        return
    vtt = _attached_webvtt(captions)
    if vtt is not None:
        caption_files.store_author_captions(video, vtt, _label())


def withdraw(page, user) -> None:
    lifecycle.withdraw_submission(page, user)
