"""Background jobs of search (thin: the work is in services.py)."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def rebuild_vocabulary_task(requested_at: str) -> bool:
    """Rebuild the "did you mean" vocabulary after entries changed (enqueued
    by search/signals.py); skipped when one was built since the request."""
    from datetime import datetime

    from .did_you_mean import rebuild

    return rebuild(datetime.fromisoformat(requested_at))


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
