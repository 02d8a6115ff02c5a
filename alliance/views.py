"""Alliance screens inside the Wagtail admin: review queue, entry review page.

Every view needs a login and wagtailadmin.access_admin
and checks the role again for the object: a hidden button is never the only
barrier, a crafted POST meets the same check (403).
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.auth import reject_request
from wagtail.models import WorkflowState

from catalog.models import CatalogEntryPage

from . import selectors, services
from .forms import PickForm, RevokeForm, ScoreForm
from .models import QualityDecision


def require_admin_access(view_func):
    """Login and admin access, like Wagtail's decorator, but a refused object
    check is a plain 403 (Wagtail's redirects to the dashboard with a message),
    so crafted requests get an unambiguous answer."""

    @wraps(view_func)
    def decorated(request, *args, **kwargs):
        if request.user.is_anonymous:
            return reject_request(request)
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


def _entry_context(request, page, **forms):
    user = request.user
    can_judge = services.can_judge(user, page)
    rubric = services.default_rubric(page.resource_type)
    context = {
        "page": page,
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
    return context


@require_admin_access
def entry_view(request, page_id):
    page = _get_entry(request, page_id)
    return TemplateResponse(
        request, "alliance/entry.html", _entry_context(request, page)
    )


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
