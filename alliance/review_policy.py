"""The alliance's answer to the media pipeline's review policy
(media_pipeline/policy.py): administrators and subject-scoped editors see
the drafts' videos they review."""

from .roles import is_administrator
from .selectors import scoped_entries, user_can_review_page


class AllianceReviewPolicy:
    def is_administrator(self, user) -> bool:
        return is_administrator(user)

    def can_review(self, user, page) -> bool:
        return user_can_review_page(user, page)

    def entries_in_scope(self, user):
        return scoped_entries(user)
