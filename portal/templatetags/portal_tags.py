from django import template

from .. import selectors
from ..cache import catalog_version as _catalog_version
from ..media import _url, chapters_of, video_info, video_of

register = template.Library()


@register.simple_tag
def catalog_version():
    """Vary key for `{% cache %}` fragments: bumped on publish/unpublish."""
    return _catalog_version()


@register.simple_tag
def home_data():
    return {
        "picks": selectors.newest_quality_picks(8),
        "popular": selectors.most_viewed(8),
        "collections": selectors.featured_collections(4),
    }


@register.simple_tag(takes_context=True)
def subject_entries(context, page):
    """A subject page's entries, sorted (?sort=) and paginated (?p=)."""
    qs = selectors.entry_cards().child_of(page)
    return selectors.entries_page(qs, context["request"].GET)


@register.simple_tag
def entry_detail(page):
    return selectors.entry_detail(page)


@register.simple_tag
def player(page):
    """Player data of a lesson page; computed once per page object, as the
    lesson template asks for it in two blocks (Open Graph tags and content)."""
    info = getattr(page, "_portal_player", None)
    if info is None:
        info = page._portal_player = video_info(video_of(page))
    return info


@register.simple_tag
def chapters(page, info):
    """The lesson's chapter marks inside its video (portal/media.py)."""
    return chapters_of(page, getattr(info, "duration", None))


@register.filter
def thumb_url(entry):
    """The list thumbnail of an entry, without touching renditions."""
    video = video_of(entry)
    if video is None:
        return ""
    return (
        _url(getattr(video, "thumbnail_webp", None))
        or _url(getattr(video, "thumbnail_jpeg", None))
        or _url(getattr(video, "poster_jpeg", None))
    )


@register.filter
def is_lesson(entry):
    return entry.resource_type == "micro_lesson"


@register.simple_tag(takes_context=True)
def querystring_with(context, **kwargs):
    """The current query string with some parameters replaced."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def duration(seconds):
    if not seconds:
        return ""
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.simple_tag(takes_context=True)
def facet_toggle(context, name, value, active):
    """Query string that applies a facet value, or removes it when active."""
    params = context["request"].GET.copy()
    params.pop("p", None)
    if active:
        params.pop(name, None)
    else:
        params[name] = value
    return f"?{params.urlencode()}"


@register.simple_tag
def work_links(user):
    """The nav's links to the user's own work (portal/start.py)."""
    from portal.start import work_links as links

    return links(user)
