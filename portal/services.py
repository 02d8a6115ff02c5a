"""Write side of the teachers' site: a draft lesson from a finished upload."""

import re

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog import lifecycle
from catalog.academic_year import current_academic_year
from catalog.forms import StrictIdChoiceField, StrictIdMultipleChoiceField
from catalog.models import (
    Grade,
    KnowledgePoint,
    LessonPage,
    SubjectPage,
    TextbookEdition,
)
from media_pipeline.selectors import user_may_attach_video

YEAR = re.compile(r"[0-9]{4}", re.ASCII)
# Between the names of a list in a sentence ("、" in Chinese).
LIST_SEPARATOR = _(", ")


def finished_upload(user, upload_id):
    """The user's finished tus upload whose video they may attach (the site's
    upload form and a lesson's new video); one sentence otherwise."""
    from ingest.models import Upload, UploadStatus

    upload = (
        Upload.objects.filter(pk=upload_id, owner=user).select_related("video").first()
    )
    if upload is None:
        raise forms.ValidationError(_("This upload was not found."))
    if upload.status not in (UploadStatus.COMPLETE, UploadStatus.DUPLICATE):
        raise forms.ValidationError(
            _("The upload is not complete or did not pass the checks.")
        )
    # A duplicate upload points at the earlier video with the same bytes,
    # which may be another teacher's or already shown by another lesson.
    if not user_may_attach_video(user, upload.video_id):
        raise forms.ValidationError(
            _(
                "This video belongs to another teacher or another lesson "
                "already uses it."
            )
        )
    return upload


class LessonFieldsForm(forms.Form):
    """The fields of a lesson a teacher writes on the site: the upload form's
    and the edit form's (the stage and subject are the lesson's subject page:
    the edit form keeps them, `scope()` says which)."""

    title = forms.CharField(max_length=255)
    summary = forms.CharField(max_length=2000, required=False)
    grade = StrictIdChoiceField(queryset=Grade.objects.all(), required=False)
    edition = StrictIdChoiceField(
        queryset=TextbookEdition.objects.all(), required=False
    )
    # Four ASCII digits (a fullwidth "２０２４" is refused, not folded).
    academic_year = forms.CharField(max_length=4, required=False)
    knowledge_points = StrictIdMultipleChoiceField(
        queryset=KnowledgePoint.objects.all(), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def scope(self, data):
        """(stage id, subject id) of the lesson, or None if not known yet."""
        raise NotImplementedError

    def clean_academic_year(self):
        value = self.cleaned_data["academic_year"]
        if not value:
            return current_academic_year()
        latest = current_academic_year() + 1
        if not YEAR.fullmatch(value) or not 2000 <= int(value) <= latest:
            raise forms.ValidationError(
                _("Enter a school year between 2000 and %(latest)s.")
                % {"latest": latest}
            )
        return int(value)

    def clean(self):
        data = super().clean()
        scope = self.scope(data)
        if scope is None:
            return data
        stage_id, subject_id = scope
        wrong = [
            kp.name
            for kp in data.get("knowledge_points", [])
            if kp.subject_id != subject_id or kp.stage_id != stage_id
        ]
        if wrong:
            self.add_error(
                "knowledge_points",
                _("Knowledge points of another stage or subject: %(names)s")
                % {"names": str(LIST_SEPARATOR).join(wrong)},
            )
        grade = data.get("grade")
        if grade is not None and grade.stage_id != stage_id:
            self.add_error("grade", _("This grade belongs to another stage."))
        return data


class LessonUploadForm(LessonFieldsForm):
    upload = forms.UUIDField()
    # Ids from the browser: strict fields refuse what is not a plain id.
    subject_page = StrictIdChoiceField(
        queryset=SubjectPage.objects.live().select_related("stage", "subject")
    )
    submit_for_review = forms.BooleanField(required=False)

    def scope(self, data):
        page = data.get("subject_page")
        return None if page is None else (page.stage_id, page.subject_id)

    def clean_upload(self):
        return finished_upload(self.user, self.cleaned_data["upload"])

    def clean(self):
        data = super().clean()
        self._check_submit(data)
        return data

    def _check_submit(self, data):
        # Submitting goes through the lesson's life cycle: a video still being
        # processed, or rejected, cannot be submitted (the draft can be, later).
        upload = data.get("upload")
        if not data.get("submit_for_review") or upload is None:
            return
        message = lifecycle.refusal("submit", LessonPage(video=upload.video))
        if message is not None:
            self.add_error("submit_for_review", message)


@transaction.atomic
def create_lesson_from_upload(form: LessonUploadForm, user) -> LessonPage:
    """A draft LessonPage (not live) for the uploaded video, owned by the user."""
    data = form.cleaned_data
    upload = data["upload"]
    page = lifecycle.create_draft_lesson(
        parent=data["subject_page"],
        title=data["title"],
        owner=user,
        video=upload.video,
        summary=data["summary"],
        grade=data.get("grade"),
        edition=data.get("edition"),
        academic_year=data["academic_year"],
        knowledge_points=data["knowledge_points"],
        slug_suffix=str(upload.pk)[:8],
    )
    # The same transition as 我的微课's 提交审核 (the form checked the guard).
    if data.get("submit_for_review") and page.get_workflow() is not None:
        lifecycle.submit(page, user)
    return page


class LessonEditForm(LessonFieldsForm):
    """The author's edit of a lesson's fields on the site (`edit_lesson`)."""

    def __init__(self, *args, lesson=None, **kwargs):
        self.lesson = lesson
        super().__init__(*args, **kwargs)

    def scope(self, data):
        return self.lesson.stage_id, self.lesson.subject_id

    @classmethod
    def initial_for(cls, draft) -> dict:
        return {
            "title": draft.title,
            "summary": draft.summary,
            "grade": draft.grade_id,
            "edition": draft.edition_id,
            "academic_year": draft.academic_year,
            "knowledge_points": [kp.pk for kp in draft.knowledge_points.all()],
        }


def edit_lesson(page, user, form: LessonEditForm) -> None:
    """A new version of the lesson with the form's fields (life cycle: not
    while a review runs; a live lesson keeps its published version until the
    new one is published)."""
    data = form.cleaned_data

    def change(draft):
        draft.title = data["title"]
        draft.summary = data["summary"]
        draft.grade = data.get("grade")
        draft.edition = data.get("edition")
        draft.academic_year = data["academic_year"]
        draft.knowledge_points.set(data["knowledge_points"])

    lifecycle.edit_latest_version(page, user, change)
