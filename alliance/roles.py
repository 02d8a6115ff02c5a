"""The four alliance roles, as Django groups (created by migration 0002)."""

from django.contrib.auth.models import AnonymousUser

from catalog.user_groups import group_names

TEACHER = "教师"
EDITOR = "学科编辑"
BUREAU = "教育局"
ADMINISTRATOR = "管理员"
ALL_GROUPS = (TEACHER, EDITOR, BUREAU, ADMINISTRATOR)


def in_group(user, name: str) -> bool:
    if not user or isinstance(user, AnonymousUser) or not user.is_active:
        return False
    return name in group_names(user)


def is_administrator(user) -> bool:
    return bool(
        user
        and user.is_active
        and (getattr(user, "is_superuser", False) or in_group(user, ADMINISTRATOR))
    )


def is_bureau(user) -> bool:
    return in_group(user, BUREAU)


def owns_pages_only(user) -> bool:
    """Users whose page rights come from "add" alone (teachers): not
    administrators and no tree-wide "change" permission through any group."""
    if not user or not user.is_authenticated or is_administrator(user):
        return False
    cached = getattr(user, "_alliance_owns_only", None)
    if cached is None:
        from wagtail.models import GroupPagePermission

        cached = not GroupPagePermission.objects.filter(
            group__user=user, permission__codename="change_page"
        ).exists()
        user._alliance_owns_only = cached
    return cached
