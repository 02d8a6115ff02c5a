"""Page permission policy: teachers do not even see other teachers' drafts.

Wagtail's "add" permission already limits editing and deleting to the pages a
user owns; what it still shows is every page of the tree in the explorer and
the admin page search. The policy below narrows the explorable pages of such
"owner-only" users to live pages and their own pages. It is registered with
Wagtail's `register_permission_policy`, the documented extension point.
"""

from django.db.models import Q
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import register_permission_policy

from .roles import owns_pages_only


class AlliancePagePermissionPolicy(PagePermissionPolicy):
    def explorable_instances(self, user):
        pages = super().explorable_instances(user)
        if owns_pages_only(user):
            pages = pages.filter(Q(live=True) | Q(owner=user) | Q(depth=1))
        return pages


def register():
    register_permission_policy(Page, AlliancePagePermissionPolicy(Page))
