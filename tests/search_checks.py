"""Checks shared by the search tests."""

from search.selectors import search_lessons


def strict_top5_misses(backend: str, queries) -> list[str]:
    """For (query, title) pairs: the ones whose title is not among the first
    five hits of the strict pass (found by luck in the relaxed pass counts as
    missing)."""
    misses = []
    for query, title in queries:
        results = search_lessons({"q": query}, backend)
        titles = [hit["title"] for hit in results.hits[:5]]
        if title not in titles or results.relaxed:
            misses.append(f"{query!r}: {title!r} not in {titles} (strict)")
    return misses
