"""The names of a user's groups, read once per user object (one request).

The roles of alliance and dashboard are groups; the site's nav asks several
of them on every page, and each asking its own query cost a round trip each.
"""


def group_names(user) -> frozenset[str]:
    if not user or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    names = getattr(user, "_group_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._group_names = names
    return names
