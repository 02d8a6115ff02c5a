"""Where each role starts on the site: the login's landing page and the nav."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alliance.models import EditorScope
from alliance.roles import EDITOR, in_group, is_administrator
from dashboard.permissions import can_view_dashboard


@dataclass(frozen=True)
class Link:
    url: str
    label: str


def is_editor(user) -> bool:
    if not user.is_authenticated:
        return False
    return in_group(user, EDITOR) or EditorScope.objects.filter(user=user).exists()


def work_links(user) -> list[Link]:
    """The nav's links to the user's work (besides browsing and search)."""
    if not user.is_authenticated:
        return []
    links = [Link(reverse("portal:my"), _("My lessons"))]
    if is_editor(user) or is_administrator(user):
        links.append(Link(reverse("alliance:review_queue"), _("Review queue")))
    if can_view_dashboard(user):
        links.append(Link(reverse("dashboard:index"), _("Dashboard")))
    return links


def start_page(user) -> str:
    """The landing page after a login without `next`."""
    if user.is_superuser or is_administrator(user):
        return reverse("wagtailadmin_home")
    if can_view_dashboard(user):
        return reverse("dashboard:index")
    if is_editor(user):
        return reverse("alliance:review_queue")
    return reverse("portal:my")
