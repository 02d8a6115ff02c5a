"""Signal receivers: notifications.

(The quality pick is the catalog's record now, and its changes reach search,
quotas and the site through catalog.signals.entry_changed. The site, which
sits above the alliance, watches featured collections itself:
portal/signal_handlers.py.)
"""

from wagtail.models import TaskState
from wagtail.signals import task_submitted


def register_signal_handlers():
    from .notifications import notify_task_submitted

    task_submitted.connect(
        notify_task_submitted,
        sender=TaskState,
        dispatch_uid="alliance_subject_review_submitted",
    )
