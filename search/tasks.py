"""Background jobs of search (thin: the work is in services.py)."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def reconcile_search_index_task() -> dict:
    """Scheduled (settings.PERIODIC_TASKS): re-index missing or stale entries
    of every configured backend (an engine that was down catches up here)."""
    from django.conf import settings

    from .services import reconcile

    fixed = {}
    for name in settings.WAGTAILSEARCH_BACKENDS:
        try:
            fixed[name] = reconcile(name, fix=True).fixed
        except Exception:  # noqa: BLE001 - one engine down must not stop the rest
            logger.exception("search reconcile of %s failed", name)
            fixed[name] = -1
    return fixed
