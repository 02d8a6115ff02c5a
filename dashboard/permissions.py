"""Who may see the dashboard: the bureau (教育局), administrators, superusers."""

BUREAU_GROUP = "教育局"
ADMIN_GROUP = "管理员"


def can_view_dashboard(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[BUREAU_GROUP, ADMIN_GROUP]).exists()
