from django import template

from alliance.selectors import featured_collections as select_collections

register = template.Library()


@register.inclusion_tag("alliance/includes/featured_collections.html")
def featured_collections(stage=None, subject=None, limit=6):
    """Featured collections block for the home page and subject pages."""
    return {
        "collections": select_collections(stage=stage, subject=subject, limit=limit)
    }


@register.filter
def person(user) -> str:
    """A user's full name, else username; "" for no user (a pick or a log
    entry the system made), where `a.b|default:a.c` would raise on None."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
