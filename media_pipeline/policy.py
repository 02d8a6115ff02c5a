"""Who besides the uploader may see a draft's video: a policy supplied from above.

The pipeline knows uploaders and superusers. Review scopes and the
administrator role belong to the alliance, which sits above the pipeline, so
the alliance installs its policy at start-up (alliance/apps.py) instead of the
pipeline importing it. Without one, only uploaders and superusers see drafts:
a missing policy hides, it never reveals.
"""

from __future__ import annotations

from typing import Protocol


class ReviewPolicy(Protocol):
    def is_administrator(self, user) -> bool: ...

    def can_review(self, user, page) -> bool: ...

    def entries_in_scope(self, user):
        """A queryset of catalog entries the user reviews (their pks are read)."""


class NoReviewers:
    def is_administrator(self, user) -> bool:
        return bool(user and user.is_active and user.is_superuser)

    def can_review(self, user, page) -> bool:
        return False

    def entries_in_scope(self, user):
        from catalog.models import CatalogEntryPage

        return CatalogEntryPage.objects.none()


_policy: ReviewPolicy = NoReviewers()


def install_review_policy(policy: ReviewPolicy) -> None:
    global _policy
    _policy = policy


def review_policy() -> ReviewPolicy:
    return _policy
