"""Who may see the dashboard: the bureau (教育局), administrators, superusers."""

from catalog.user_groups import group_names

BUREAU_GROUP = "教育局"
ADMIN_GROUP = "管理员"


def can_view_dashboard(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(group_names(user) & {BUREAU_GROUP, ADMIN_GROUP})
