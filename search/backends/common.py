"""What our database and engine backends add to modelsearch's: Chinese queries.

Indexed text is segmented by the search fields (text_analysis/search_fields.py);
here a query string is segmented the same way and turned into modelsearch query
objects, so `.search("二次函数图像")` from Wagtail's admin or our selector
behaves alike.
"""

from __future__ import annotations

from modelsearch.query import And, MatchAll, Or, PlainText

from text_analysis.chinese import ParsedQuery


def build_query(parsed: ParsedQuery, strict: bool = True):
    """Every query word must match (strict) or any of them (relaxed); a long
    word also matches when all its parts are present."""
    clauses = []
    for word, alternatives in parsed.groups:
        clause = PlainText(word)
        if alternatives:
            clause = Or(
                [clause]
                + [PlainText(" ".join(parts), operator="and") for parts in alternatives]
            )
        clauses.append(clause)
    if not clauses:
        return MatchAll()
    if len(clauses) == 1:
        return clauses[0]
    return And(clauses) if strict else Or(clauses)


class ChineseQueryMixin:
    """Segments plain string queries before modelsearch compiles them."""

    def search(self, query, model_or_queryset, *args, **kwargs):
        if isinstance(query, str):
            parsed = ParsedQuery(query)
            if not parsed:
                return super().search("", model_or_queryset, *args, **kwargs)
            query = build_query(parsed, strict=kwargs.get("operator") != "or")
        return super().search(query, model_or_queryset, *args, **kwargs)


class PendingOnFailureMixin:
    """An engine backend that marks a catalog entry pending when adding or
    removing it fails (search/pending.py), then raises as before (modelsearch
    logs and swallows the error, so the save stands)."""

    def add(self, obj):
        from search import pending

        try:
            result = super().add(obj)
        except Exception as error:
            pending.mark(self, obj, error)
            raise
        pending.clear(self, obj)
        return result

    def delete(self, obj):
        from search import pending

        try:
            result = super().delete(obj)
        except Exception as error:
            pending.mark(self, obj, error)
            raise
        pending.clear(self, obj)
        return result
