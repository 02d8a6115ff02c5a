"""The bureau dashboard (/dashboard/) and its exports."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.ids import parse_id
from catalog.models import District, Grade, Stage, Subject

from .coverage import coverage, heatmap
from .gaps import (
    NO_GRADE,
    SORT_LABELS,
    paginate,
    query_string,
    read_gap_query,
    select_gaps,
)
from .models import QuotaRule
from .permissions import can_view_dashboard
from .reports import build_report, months, to_csv, to_xlsx
from .services import SHANGHAI, breakdown, dashboard_counts, get_counter

BREAKDOWNS = {"district": _("district"), "school": _("school"), "teacher": _("teacher")}


def bureau_required(view):
    """Anonymous users go to the login page; other users without access get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_view_dashboard(request.user):
            raise PermissionDenied(_("Bureau staff and administrators only."))
        return view(request, *args, **kwargs)

    return wrapper


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _filters(request):
    now = timezone.now()
    year = _int(request.GET.get("year"), now.astimezone(SHANGHAI).year)
    if not 2000 <= year <= 2100:
        raise Http404("year out of range")
    # 1–18 ASCII digits or nothing: `²` or 30 digits never reach the database.
    district_id = parse_id(request.GET.get("district"))
    if district_id and not District.objects.filter(pk=district_id).exists():
        raise Http404("unknown district")
    return now, year, district_id


@bureau_required
def dashboard(request):
    now, year, district_id = _filters(request)
    counter = get_counter()
    results, attached = dashboard_counts(year, district_id, now=now, counter=counter)
    local_now = now.astimezone(SHANGHAI)
    last_month = (
        12
        if year < local_now.year
        else local_now.month
        if year == local_now.year
        else 0
    )
    chart = {
        "months": months(),
        "series": [
            {
                "name": r.spec.label,
                "data": [
                    (round(100 * c / r.spec.target, 1) if r.spec.target else 0)
                    if m <= last_month
                    else None  # months still to come: no point, no flat line
                    for m, c in enumerate(r.cumulative, start=1)
                ],
            }
            for r in results
        ],
    }
    # Drill-down of one rule by district, school or teacher.
    drill = None
    rule_id, by = _int(request.GET.get("rule")), request.GET.get("by", "district")
    if rule_id and by in BREAKDOWNS:
        spec = next((r.spec for r in results if r.spec.id == rule_id), None)
        if spec is not None:
            drill = {
                "spec": spec,
                "by": by,
                "by_label": BREAKDOWNS[by],
                "rows": breakdown(spec, by, district_id, counter=counter),
            }
    cov = coverage(attached=attached)
    scope = {"year": year, **({"district": district_id} if district_id else {})}
    years = sorted(
        set(QuotaRule.objects.values_list("year", flat=True).distinct())
        | {local_now.year, year}
    )
    context = {
        "year": year,
        "years": years,
        "district_id": district_id,
        "districts": District.objects.all(),
        "results": results,
        "source": counter.name,
        "today": local_now.date(),
        "chart": chart,
        "drill": drill,
        "breakdowns": BREAKDOWNS,
        "coverage": cov,
        "heatmap": heatmap(cov),
        **gap_context(request, cov.gaps, scope),
    }
    return render(request, "dashboard/dashboard.html", context)


def gap_context(request, all_gaps, scope) -> dict:
    """The gap list card: one page of the filtered, sorted rows, the choices
    of the filter and the links (sort, pages, exports) that keep it."""
    query = read_gap_query(request.GET)
    rows = select_gaps(all_gaps, query)
    page = paginate(rows, request.GET.get("gap_page"))
    stages = Stage.objects.in_bulk({g["stage_id"] for g in all_gaps})
    subjects = Subject.objects.in_bulk(
        {
            g["subject_id"]
            for g in all_gaps
            if not query.stage or g["stage_id"] == query.stage.pk
        }
    )
    grades = Grade.objects.in_bulk()
    shown_grades = (
        Grade.objects.filter(stage=query.stage)
        if query.stage
        else [grades[pk] for pk in {g["grade_id"] for g in all_gaps} if pk]
    )
    # A chosen value stays in its list, with gaps or not, so the form keeps it.
    for chosen, options in ((query.stage, stages), (query.subject, subjects)):
        if chosen:
            options[chosen.pk] = chosen
    if query.grade and query.grade not in shown_grades:
        shown_grades = [*shown_grades, query.grade]
    subject_names = Subject.objects.in_bulk({g["subject_id"] for g in page.rows})
    kept = {**scope, **query.params()}

    def link(**changes):
        return "?" + query_string({**scope, **query.params(**changes)}) + "#gaps"

    columns = []
    for key, label in SORT_LABELS.items():
        current = key == query.sort
        columns.append(
            {
                "key": key,
                "label": label,
                "url": link(
                    gap_sort=key,
                    gap_dir="desc" if current and not query.descending else None,
                ),
                "sorted": ("descending" if query.descending else "ascending")
                if current
                else "",
            }
        )
    return {
        "gap_query": query,
        "gap_page": page,
        "gaps": [
            {
                **g,
                "grade": grades[g["grade_id"]].name if g["grade_id"] else NO_GRADE,
                "stage_subject": f"{stages[g['stage_id']].name}"
                f"{subject_names[g['subject_id']].name}",
            }
            for g in page.rows
        ],
        "gap_total": page.total,
        "gap_columns": columns,
        "gap_prev": link(gap_page=page.number - 1) if page.number > 1 else None,
        "gap_next": link(gap_page=page.number + 1)
        if page.number < page.pages
        else None,
        "gap_stages": sorted(stages.values(), key=lambda s: (s.sort_order, s.pk)),
        "gap_subjects": sorted(subjects.values(), key=lambda s: (s.sort_order, s.pk)),
        "gap_grades": sorted(shown_grades, key=lambda g: (g.sort_order, g.pk)),
        "gap_hidden": {k: v for k, v in kept.items() if k in ("gap_sort", "gap_dir")},
        "export_query": query_string(kept),
    }


def _export(request, fmt):
    now, year, district_id = _filters(request)
    report = build_report(
        year, district_id, now=now, gap_query=read_gap_query(request.GET)
    )
    name = f"quota-report-{year}"
    if fmt == "xlsx":
        response = HttpResponse(
            to_xlsx(report),
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        )
    else:
        response = HttpResponse(to_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bureau_required
def export_xlsx(request):
    return _export(request, "xlsx")


@bureau_required
def export_csv(request):
    return _export(request, "csv")
