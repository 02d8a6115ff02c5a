"""E-mail to the scoped editors when an entry reaches their review step.

Wagtail's own workflow mails stay on: the submitter gets Wagtail's "approved"
and "rejected" mails (Chinese templates in alliance/templates/wagtailadmin/
notifications/ override Wagtail's), and superusers get Wagtail's generic
"submitted" mail (WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS). Wagtail's
per-task mail only knows GroupApprovalTask, so the editors' mail is ours.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail.users.models import UserProfile

from .models import SubjectReviewTask
from .selectors import editors_for_page

logger = logging.getLogger(__name__)


def notify_task_submitted(sender, instance, user=None, **kwargs):
    task = instance.task.specific
    if not isinstance(task, SubjectReviewTask):
        return
    page = instance.workflow_state.content_object.specific
    recipients = [
        u.email
        for u in editors_for_page(page, level=task.reviewer_level)
        if u.email
        and (user is None or u.pk != user.pk)
        # The same switch as Wagtail's own "submitted" notifications.
        and UserProfile.get_for_user(u).submitted_notifications
    ]
    if not recipients:
        logger.warning("No editor in scope for page %s", page.pk)
        return
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    context = {
        "page": page,
        "task": task,
        "submitter": user,
        "review_url": base + reverse("alliance:entry", args=[page.pk]),
        "edit_url": base + reverse("wagtailadmin_pages:edit", args=[page.pk]),
    }
    subject = render_to_string("alliance/mail/submitted_subject.txt", context)
    body = render_to_string("alliance/mail/submitted.txt", context)
    # One message per editor so addresses are not disclosed to each other.
    for address in recipients:
        send_mail(" ".join(subject.split()), body, None, [address])
