"""Read-side queries of the catalog (HackSoftware styleguide: selectors)."""

from collections import defaultdict

from django.db.models import Count

from .models import CatalogEntryPage, Stage, SubjectPage


def stage_subject_counts():
    """Stages with their subjects and live resource counts, in two queries.

    Returns a list of dicts: {"stage", "page", "subjects": [{"subject", "page",
    "count"}], "count"}; subjects without a subject page are left out.
    """
    counts = defaultdict(int)
    for row in (
        CatalogEntryPage.objects.live()
        .values("stage_id", "subject_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(row["stage_id"], row["subject_id"])] = row["n"]

    subject_pages = (
        SubjectPage.objects.live()
        .select_related("subject", "stage")
        .order_by("stage__sort_order", "subject__sort_order")
    )
    by_stage = defaultdict(list)
    for page in subject_pages:
        by_stage[page.stage_id].append(
            {
                "subject": page.subject,
                "page": page,
                "count": counts[(page.stage_id, page.subject_id)],
            }
        )
    result = []
    for stage in Stage.objects.all():
        subjects = by_stage.get(stage.pk, [])
        result.append(
            {
                "stage": stage,
                "subjects": subjects,
                "count": sum(item["count"] for item in subjects),
            }
        )
    return result
