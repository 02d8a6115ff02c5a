"""Bulk page rows for the benchmarks: `add_child` per page would take an hour
for 10,000 lessons, so the treebeard path is computed here instead."""

import uuid


def tree_step(n: int) -> str:
    """The treebeard path segment of the n-th child (1-based)."""
    from wagtail.models import Page

    return Page._int2str(n).rjust(Page.steplen, "0")


def live_page(parent, position: int, slug: str, title: str, content_type, locale, now):
    """An unsaved, live `Page` row at `position` under `parent`."""
    from wagtail.models import Page

    return Page(
        title=title,
        draft_title=title,
        slug=slug,
        content_type=content_type,
        path=parent.path + tree_step(position),
        depth=parent.depth + 1,
        numchild=0,
        url_path=f"{parent.url_path}{slug}/",
        live=True,
        first_published_at=now,
        last_published_at=now,
        locale=locale,
        translation_key=uuid.uuid4(),
    )
