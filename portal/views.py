"""Views of the teachers' site outside Wagtail's page tree."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required as _login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from catalog import lifecycle
from catalog.ids import parse_id
from catalog.models import CatalogEntryPage, KnowledgePoint, Stage, Subject

from . import downloads, search, selectors, services, workspace_services
from . import my as my_lessons
from .cache import cached
from .pagecache import cached_view
from .workspace import authored_entry, workspace

# Teachers log in on the site itself, not through the admin's login page.
login_required = _login_required(login_url="portal:login")


@require_GET
@cached_view
def browse_index(request):
    html = cached(
        "browse-index",
        compute=lambda: render_to_string(
            "portal/fragments/browse_index.html",
            {"stages": selectors.browse_overview()},
            request=request,
        ),
    )
    return render(request, "portal/browse_index.html", {"fragment": html})


@require_GET
@cached_view
def browse_subject(request, stage_code, subject_code):
    stage = get_object_or_404(Stage, code=stage_code)
    subject = get_object_or_404(Subject, code=subject_code, stages=stage)

    def compute():
        return render_to_string(
            "portal/fragments/subject_tree.html",
            {"tree": selectors.subject_tree(stage, subject)},
            request=request,
        )

    html = cached("subject-tree", stage.pk, subject.pk, compute=compute)
    return render(
        request,
        "portal/browse_subject.html",
        {
            "stage": stage,
            "subject": subject,
            "fragment": html,
            "subject_page": selectors.subject_page_for(stage, subject),
        },
    )


@require_GET
@cached_view
def knowledge_point(request, pk):
    kp = get_object_or_404(
        KnowledgePoint.objects.select_related("stage", "subject", "grade"), pk=pk
    )
    entries = selectors.entries_page(
        selectors.entries_for_knowledge_point(kp), request.GET
    )
    return render(
        request,
        "portal/knowledge_point.html",
        {"kp": kp, "entries": entries, **selectors.knowledge_point_detail(kp)},
    )


def _my_entry(request, page_id):
    """One of the user's own entries (owner or author), else 404 / 403."""
    page = get_object_or_404(CatalogEntryPage, pk=page_id).specific
    if not my_lessons.can_follow(request.user, page):
        raise PermissionDenied
    return page


@login_required
def entry_status(request, page_id):
    """Live status of one of my entries (polled by the upload and my pages)."""
    return JsonResponse(my_lessons.entry_status(_my_entry(request, page_id)))


@login_required
def my_index(request):
    entries = my_lessons.my_entries(request.user, request.GET.get("p"))
    return render(
        request,
        "portal/my_index.html",
        {"entries": entries, "rows": entries.object_list},
    )


@require_GET
@cached_view
def find(request):
    context = search.find(request.GET)
    status = 400 if context.get("error") else 200
    if context.get("unavailable"):
        status = 503
    return render(request, "portal/find.html", context, status=status)


@login_required
def upload(request):
    """The upload page: metadata form + resumable (tus) upload of the video."""
    return render(request, "portal/upload.html", upload_context(request))


@login_required
@require_POST
def upload_finish(request):
    """Turn a finished tus upload plus the form into a draft lesson."""
    form = services.LessonUploadForm(request.POST, user=request.user)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    page = services.create_lesson_from_upload(form, request.user)
    return JsonResponse(
        {
            "id": page.pk,
            "status_url": reverse("portal:entry_status", args=[page.pk]),
            "edit_url": reverse("portal:edit", args=[page.pk]),
            "preview_url": reverse("portal:preview", args=[page.pk]),
        },
        status=201,
    )


def upload_context(request):
    from catalog.models import Grade, SubjectPage, TextbookEdition

    subject_pages = (
        SubjectPage.objects.live()
        .select_related("stage", "subject")
        .order_by("stage__sort_order", "subject__sort_order")
    )
    return {
        "subject_pages": subject_pages,
        "grades": Grade.objects.select_related("stage").order_by(
            "stage__sort_order", "sort_order"
        ),
        "editions": TextbookEdition.objects.order_by("sort_order", "pk"),
        "defaults": selectors.upload_defaults(request.user),
        "rules": selectors.upload_rules(),
        "tus_endpoint": tus_endpoint(),
        "finish_url": reverse("portal:upload_finish"),
    }


def tus_endpoint():
    """The ingest app's tus endpoint, when the ingest app provides one."""
    for name in ("ingest:tus-create", "ingest:tus"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


@login_required
def knowledge_point_picker(request):
    """Nested checkboxes of one stage/subject's knowledge points (upload form)."""
    points = KnowledgePoint.objects.filter(
        stage__code=request.GET.get("stage", ""),
        subject__code=request.GET.get("subject", ""),
    ).only("id", "name", "code", "depth", "path", "parent_id")
    selected = {int(v) for v in request.GET.getlist("selected") if v.isdigit()}
    children = {}
    for kp in points:
        children.setdefault(kp.parent_id, []).append(kp)
    pks = {kp.pk for kp in points}
    roots = [kp for kp in points if kp.parent_id not in pks]

    def node(kp):
        return {
            "kp": kp,
            "checked": kp.pk in selected,
            "children": [node(c) for c in children.get(kp.pk, [])],
        }

    return render(
        request,
        "portal/fragments/kp_picker.html",
        {"nodes": [node(r) for r in roots]},
    )


@login_required
@require_POST
def my_submit(request, page_id):
    """提交审核 from 我的微课: a draft whose video is ready, or a lesson
    returned for changes, goes (back) into review."""
    page = _my_entry(request, page_id)
    try:
        lifecycle.submit(page, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Submitted for review."))
    if request.POST.get("back") == "workspace":
        return redirect("portal:workspace", page_id=page.pk)
    return redirect("portal:my")


# --- The author's workspace of one lesson ----------------------------------------


@login_required
@require_GET
def my_workspace(request, page_id):
    """Attachments (the competition bundle), captions, another video,
    withdrawing a submission and the reviewers' decisions: for the entry's
    owner or author only (anyone else: 404)."""
    page = authored_entry(request.user, page_id)
    context = workspace(page)
    context["tus_endpoint"] = tus_endpoint()
    return render(request, "portal/workspace.html", context)


@login_required
def my_edit(request, page_id):
    """The author edits the lesson's fields (title, summary, grade, edition,
    school year, knowledge points) as a new version, without the admin; the
    stage and subject stay the lesson's. Errors on the same page, nothing lost."""
    page = authored_entry(request.user, page_id)
    draft = page.get_latest_revision_as_object()
    if request.method == "POST":
        form = services.LessonEditForm(request.POST, user=request.user, lesson=page)
        if form.is_valid():
            try:
                services.edit_lesson(page, request.user, form)
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(request, _("Saved as a new version of the lesson."))
                return redirect("portal:workspace", page_id=page.pk)
        status = 400
    else:
        form = services.LessonEditForm(
            initial=services.LessonEditForm.initial_for(draft), lesson=page
        )
        status = 200
    return render(
        request,
        "portal/lesson_edit.html",
        {
            "entry": page,
            "form": form,
            # What the form shows ticked: the posted ids (only well-formed
            # ones), or the latest version's points.
            "chosen_points": {
                pk for pk in map(parse_id, form["knowledge_points"].value() or []) if pk
            },
            **selectors.edit_choices(page),
        },
        status=status,
    )


def _workspace_action(request, page_id, action, done):
    """Run one workspace action; its refusal is one message, and the author
    comes back to the workspace either way."""
    page = authored_entry(request.user, page_id)
    try:
        action(page)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("portal:workspace", page_id=page.pk)


NO_FILE = _lazy("Choose a file to upload.")


@login_required
@require_POST
def my_attachment_add(request, page_id):
    def action(page):
        form = workspace_services.AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(
                str(NO_FILE) if "file" in form.errors else _("Choose a kind.")
            )
        workspace_services.add_attachment(page, request.user, form)

    return _workspace_action(request, page_id, action, _("The file was attached."))


@login_required
@require_POST
def my_attachment_replace(request, page_id, document_id):
    def action(page):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError(str(NO_FILE))
        workspace_services.replace_attachment(page, request.user, document_id, upload)

    return _workspace_action(request, page_id, action, _("The file was replaced."))


@login_required
@require_POST
def my_attachment_remove(request, page_id, document_id):
    def action(page):
        workspace_services.remove_attachment(page, request.user, document_id)

    return _workspace_action(request, page_id, action, _("The file was removed."))


@login_required
@require_POST
def my_withdraw(request, page_id):
    def action(page):
        workspace_services.withdraw(page, request.user)

    return _workspace_action(
        request,
        page_id,
        action,
        _("Withdrawn: you can change the lesson and submit it again."),
    )


@login_required
@require_POST
def my_replace_video(request, page_id):
    """(JSON) A finished tus upload becomes the lesson's new video."""
    page = authored_entry(request.user, page_id)
    if not lifecycle.has_video_guard(page):
        raise Http404
    form = workspace_services.VideoReplaceForm(request.POST, user=request.user)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    try:
        workspace_services.replace_video(page, request.user, form)
    except ValidationError as exc:
        return JsonResponse(
            {"errors": {"upload": [{"message": m} for m in exc.messages]}},
            status=409,
        )
    return JsonResponse(
        {
            "id": page.pk,
            "status_url": reverse("portal:entry_status", args=[page.pk]),
            "preview_url": reverse("portal:preview", args=[page.pk]),
            "workspace_url": reverse("portal:workspace", args=[page.pk]),
        }
    )


@login_required
def my_preview(request, page_id):
    """The preview of a lesson before it is published (plays the transcoded
    video as the public page will): for its owner or author, and for the
    editors who review it (the same scope as the review page)."""
    from alliance.services import can_judge

    page = get_object_or_404(CatalogEntryPage, pk=page_id).specific
    if not (my_lessons.can_follow(request.user, page) or can_judge(request.user, page)):
        raise PermissionDenied
    draft = page.get_latest_revision_as_object()
    return draft.serve_preview(request, draft.default_preview_mode)


@require_GET
def download_video(request, page_id):
    """The MP4 of a lesson whose author allows downloads (portal/downloads.py)."""
    return downloads.download(request.user, page_id)


@require_GET
def short_link(request, page_id):
    """/l/<id>/: the short share link of a live lesson or resource (a 302, so
    a moved or renamed page keeps its link)."""
    page = get_object_or_404(CatalogEntryPage.objects.live(), pk=page_id)
    return redirect(page.url)
