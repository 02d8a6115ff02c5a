"""Alliance screens inside the Wagtail admin: review queue, entry review page.

The review page (entry_view) is where an editor watches a lesson, scores it
and decides: approve, request changes or designate a quality pick are POSTed
to the page itself and, once done, lead to the next lesson of the queue.

Every view needs a login and wagtailadmin.access_admin
and checks the role again for the object: a hidden button is never the only
barrier, a crafted POST meets the same check (403).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import WorkflowState

from catalog import lifecycle
from catalog.ids import parse_id
from catalog.models import CatalogEntryPage
from media_pipeline.player import video_info, video_of

from . import selectors, services
from .forms import PickForm, ReviewDecisionForm, RevokeForm, ScoreForm
from .models import QualityDecision


def require_admin_access(view_func):
    """Login and admin access, like Wagtail's decorator, but an anonymous
    visitor goes to the site's login (these are site pages, settings.LOGIN_URL)
    and a refused object check is a plain 403 (Wagtail's redirects to the
    dashboard with a message), so crafted requests get an unambiguous answer."""

    @wraps(view_func)
    def decorated(request, *args, **kwargs):
        if request.user.is_anonymous:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("wagtailadmin.access_admin"):
            raise PermissionDenied
        return view_func(request, *args, **kwargs)

    return decorated


def _get_entry(request, page_id):
    page = get_object_or_404(CatalogEntryPage, pk=page_id).specific
    if not services.can_view_entry(request.user, page):
        raise PermissionDenied
    return page


@require_admin_access
def review_next_view(request):
    """Where a decision taken in Wagtail's admin leads (SubjectReviewTask.
    on_action and the after_edit_page hook send the editor here): the review
    page of the next entry of their queue, or the queue when it is empty."""
    following = selectors.next_after_decision(
        request.user, parse_id(request.GET.get("after", ""))
    )
    if following is None:
        messages.info(request, _("Your review queue is empty."))
        return redirect("alliance:review_queue")
    return redirect("alliance:entry", page_id=following.pk)


@require_admin_access
def review_queue_view(request):
    rows = selectors.review_queue(request.user)
    mine = (
        WorkflowState.objects.active()
        .filter(
            requested_by=request.user,
            base_content_type__app_label="wagtailcore",
            base_content_type__model="page",
        )
        .select_related("current_task_state", "current_task_state__task")
        .order_by("-created_at")
    )
    my_pages = {
        p.pk: p
        for p in CatalogEntryPage.objects.filter(
            pk__in=[int(s.object_id) for s in mine]
        )
    }
    my_rows = [
        {"state": s, "page": my_pages[int(s.object_id)]}
        for s in mine
        if int(s.object_id) in my_pages
    ]
    return TemplateResponse(
        request,
        "alliance/review_queue.html",
        {"rows": rows, "my_rows": my_rows},
    )


def _near_duplicates(user, draft):
    """(is a near duplicate, the other lessons `user` may open): lessons the
    user may not view are never named; the notice then only says a similar
    video exists."""
    video = getattr(draft, "video", None)
    if video is None or video.duplicate_of_id is None:
        return False, []
    others = selectors.lessons_sharing_recording(draft)
    return True, [p for p in others if services.can_view_entry(user, p)]


def _entry_context(request, page, **forms):
    user = request.user
    can_judge = services.can_judge(user, page)
    rubric = services.default_rubric(page.resource_type)
    # The version an approval publishes: what the reviewer must see.
    draft = page.get_latest_revision_as_object()
    near_duplicate, duplicate_lessons = _near_duplicates(user, draft)
    task_state = page.current_workflow_task_state
    context = {
        "page": page,
        "draft": draft,
        "is_lesson": page.resource_type == "micro_lesson",
        "pl": video_info(video_of(draft)),
        "attachments": list(draft.attachments.all()),
        "knowledge_points": list(draft.knowledge_points.all()),
        "near_duplicate": near_duplicate,
        "duplicate_lessons": duplicate_lessons,
        "task_state": task_state,
        "review_actions": services.review_actions(user, page) if can_judge else set(),
        "approve_refusal": lifecycle.refusal("approve", draft) if task_state else None,
        "can_judge": can_judge,
        "rubric": rubric,
        "history": selectors.entry_history(page)[:100],
        "comments": selectors.entry_comments(page),
        "scores": selectors.entry_scores(page),
        "decisions": QualityDecision.objects.filter(page_id=page.pk)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk"),
    }
    if can_judge:
        if rubric is not None:
            existing = page.rubric_scores.filter(reviewer=user, rubric=rubric).first()
            initial = {}
            if existing:
                initial = {f"c{i.criterion_id}": i.value for i in existing.items.all()}
                initial["notes"] = existing.notes
            context["score_form"] = forms.get("score_form") or ScoreForm(
                rubric=rubric, initial=initial
            )
        context["pick_form"] = forms.get("pick_form") or PickForm()
        context["revoke_form"] = forms.get("revoke_form") or RevokeForm()
        context["decision_form"] = forms.get("decision_form") or ReviewDecisionForm(
            initial={"task_state": task_state.pk if task_state else ""}
        )
    return context


@require_admin_access
@require_http_methods(["GET", "HEAD", "POST"])
def entry_view(request, page_id):
    if request.method == "POST":
        return _decide(request, _judge_entry(request, page_id))
    page = _get_entry(request, page_id)
    return TemplateResponse(
        request, "alliance/entry.html", _entry_context(request, page)
    )


DONE = {
    "approve": _("The lesson was approved."),
    "request_changes": _("The lesson was returned to its author with your comment."),
    "pick": _("The lesson is now a quality pick."),
}


def _decide(request, page):
    """Approve, request changes or pick, then on to the next lesson to review."""
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        return _render_with_error(
            request,
            page,
            _("Choose approve, request changes or quality pick."),
            decision_form=form,
        )
    action = form.cleaned_data["action"]
    queue_before = selectors.review_queue(request.user)
    try:
        if action == "pick":
            services.designate_quality_pick(
                page, request.user, reason=form.cleaned_data["comment"]
            )
        else:
            services.decide_review(
                page,
                request.user,
                action,
                form.cleaned_data["comment"],
                form.task_state_id(),
            )
    except ValidationError as exc:
        # The typed comment stays; the step is the current one, so a reviewer
        # told the step changed can look again and decide on what they see.
        data = request.POST.copy()
        current = page.current_workflow_task_state
        data["task_state"] = current.pk if current else ""
        return _render_with_error(
            request,
            page,
            " ".join(exc.messages),
            decision_form=ReviewDecisionForm(data),
        )
    messages.success(request, DONE[action])
    queue_after = selectors.review_queue(request.user)
    if any(row["page"].pk == page.pk for row in queue_after):
        # A live lesson picked while its changes are in review: the review
        # decision is still to be taken here.
        return redirect("alliance:entry", page_id=page.pk)
    following = selectors.next_in_queue(queue_before, queue_after, page.pk)
    if following is None:
        messages.info(request, _("Your review queue is empty."))
        return redirect("alliance:review_queue")
    return redirect("alliance:entry", page_id=following.pk)


def _judge_entry(request, page_id):
    page = get_object_or_404(CatalogEntryPage, pk=page_id).specific
    if not services.can_judge(request.user, page):
        raise PermissionDenied
    return page


def _render_with_error(request, page, error, status=400, **forms):
    messages.error(request, error)
    return TemplateResponse(
        request,
        "alliance/entry.html",
        _entry_context(request, page, **forms),
        status=status,
    )


@require_admin_access
@require_POST
def score_view(request, page_id):
    page = _judge_entry(request, page_id)
    rubric = services.default_rubric(page.resource_type)
    if rubric is None:
        raise PermissionDenied
    form = ScoreForm(request.POST, rubric=rubric)
    if not form.is_valid():
        return _render_with_error(
            request,
            page,
            _("Some scores are invalid; please check them."),
            score_form=form,
        )
    try:
        services.save_rubric_score(
            page, request.user, rubric, form.values(), form.cleaned_data["notes"]
        )
    except ValidationError as exc:
        return _render_with_error(request, page, " ".join(exc.messages))
    messages.success(request, _("The scores were saved."))
    return redirect("alliance:entry", page_id=page.pk)


@require_admin_access
@require_POST
def pick_view(request, page_id):
    page = _judge_entry(request, page_id)
    form = PickForm(request.POST)
    form.is_valid()
    try:
        services.designate_quality_pick(
            page, request.user, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        return _render_with_error(request, page, " ".join(exc.messages))
    messages.success(request, _("The lesson is now a quality pick."))
    return redirect("alliance:entry", page_id=page.pk)


@require_admin_access
@require_POST
def revoke_view(request, page_id):
    page = _judge_entry(request, page_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _render_with_error(
            request,
            page,
            services.REASON_REQUIRED,
            revoke_form=form,
        )
    try:
        services.revoke_quality_pick(page, request.user, form.cleaned_data["reason"])
    except ValidationError as exc:
        return _render_with_error(request, page, " ".join(exc.messages))
    messages.success(request, _("The quality pick was revoked."))
    return redirect("alliance:entry", page_id=page.pk)
