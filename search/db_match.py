"""The catalog search on the database backend: one SQL statement per search.

modelsearch's database backend orders by relevance through a correlated subquery
that repeats the full-text match for every candidate row, and counts each facet
with another query; at 20,000 lessons a keyword + three filters took 728 ms
(p95). Here the full-text index (SQLite FTS5 or PostgreSQL tsvector, the very
rows modelsearch's indexer writes) drives one join that returns, for every live
entry that matches and passes the filters, its score, sort keys, facet columns
and knowledge points. Counting facets, sorting and paging those rows happen in
Python: the filters leave a few thousand rows at most for a keyword search.

Words and their alternative splits come from text_analysis/chinese.py, exactly as for
modelsearch's own `.search()` and the engine, so all return the same documents.
"""

from __future__ import annotations

from django.db import connections
from modelsearch.conf import get_app_config
from modelsearch.utils import get_descendants_content_types_pks

from catalog.models import CatalogEntryPage, quality_flag
from text_analysis.chinese import ParsedQuery
from text_analysis.relaxed import RelaxedQuery

# Columns of a matched row, in SELECT order (the facet names of selectors.py
# map onto these; `kps` is a comma-separated list of knowledge-point ids).
COLUMNS = (
    "pk",
    "stage",
    "subject",
    "grade",
    "edition",
    "type",
    "quality",
    "year",
    "district",
    "published",
    "views",
    "kps",
    "score",
    "coverage",
)
_FIELDS = (
    "pk",
    "stage_id",
    "subject_id",
    "grade_id",
    "edition_id",
    "resource_type",
    "is_quality_pick",
    "academic_year",
    "district_id",
    "first_published_at",
    "view_count",
)
# Publication time as a number (seconds or days), so "newest" is a numeric sort.
_EPOCH = {
    "sqlite": "julianday({})",
    "postgresql": "EXTRACT(EPOCH FROM {})",
}
# Title words weigh three times the rest (as `ChineseSearchField("title", boost=3)`).
TITLE_WEIGHT = 3.0


def _fts5_term(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _tsquery_term(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def match_expression(groups, strict: bool, vendor: str) -> str:
    """Query groups (word, alternative splits) as an FTS5 MATCH string or a
    raw PostgreSQL tsquery: each word, or all parts of one of its alternative
    splits; every group (strict) or any (relaxed)."""
    if vendor == "sqlite":
        term, and_, or_ = _fts5_term, " AND ", " OR "
    else:
        term, and_, or_ = _tsquery_term, " & ", " | "
    clauses = []
    for word, alternatives in groups:
        options = [term(word)]
        options += ["(" + and_.join(map(term, parts)) + ")" for parts in alternatives]
        clauses.append("(" + or_.join(options) + ")")
    expression = (and_ if strict else or_).join(clauses)
    if vendor == "sqlite":
        # Only the title and body columns; `autocomplete` holds title prefixes.
        return "{title body} : (" + expression + ")"
    return expression


def _coverage_sql(vendor: str, fts_table: str, pieces: int) -> str:
    """How many relaxed pieces an index row has (one parameter per piece)."""
    if vendor == "sqlite":
        # Each IN list is built once by SQLite (the subquery is not correlated).
        one = (
            f"({fts_table}.rowid IN"
            f" (SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH %s))"
        )
    else:
        one = (
            "(CASE WHEN (e.title || e.body) @@ to_tsquery('simple', %s)"
            " THEN 1 ELSE 0 END)"
        )
    return " + ".join([one] * pieces)


def _match_sql(vendor: str, table: str, fts_table: str, coverage: str) -> str:
    """Matching entry ids with a score (lower is better) and a coverage
    (`coverage`, SQL) for one MATCH/tsquery parameter and a list of content
    types."""
    if vendor == "sqlite":
        # bm25() weights follow the FTS5 column order: autocomplete, body, title.
        return (
            f"SELECT CAST(e.object_id AS INTEGER) AS id,"
            f" bm25({fts_table}, 0.0, 1.0, {TITLE_WEIGHT}) AS score,"
            f" {coverage} AS coverage"
            f" FROM {fts_table} JOIN {table} e ON e.id = {fts_table}.rowid"
            f" WHERE {fts_table} MATCH %s AND e.content_type_id IN ({{types}})"
        )
    return (
        f"SELECT CAST(e.object_id AS BIGINT) AS id,"
        f" -(ts_rank(e.title, q) * {TITLE_WEIGHT} + ts_rank(e.body, q)) AS score,"
        f" {coverage} AS coverage"
        f" FROM {table} e, to_tsquery('simple', %s) q"
        # Served by the GIN index on (title || body) (search migration 0001).
        f" WHERE (e.title || e.body) @@ q AND e.content_type_id IN ({{types}})"
    )


def _knowledge_points_sql(vendor: str) -> str:
    through = CatalogEntryPage.knowledge_points.through._meta.db_table
    aggregate = (
        "group_concat(t.knowledgepoint_id)"
        if vendor == "sqlite"
        else "string_agg(t.knowledgepoint_id::text, ',')"
    )
    return f'(SELECT {aggregate} FROM {through} t WHERE t.catalogentrypage_id = f."pk")'


def matching_rows(
    filtered, parsed: ParsedQuery | None, relaxed: RelaxedQuery | None = None
):
    """One tuple per entry of `filtered` (a CatalogEntryPage queryset) that
    matches every word of `parsed` (every entry when `parsed` is None) or,
    given `relaxed`, at least its minimum of pieces, laid out as COLUMNS.
    `score` is None without a query; `coverage` (pieces the entry has) is
    None except in the relaxed pass."""
    connection = connections[filtered.db]
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(
            f"catalog search supports SQLite and PostgreSQL, not {vendor}"
        )
    if "is_quality_pick" not in filtered.query.annotations:
        # The flag is the QualityPick record (catalog/models/quality.py).
        filtered = filtered.annotate(is_quality_pick=quality_flag())
    filtered_sql, filtered_params = (
        filtered.order_by().values_list(*_FIELDS).query.sql_with_params()
    )
    columns = ", ".join(
        # Django aliases each selected column with its values_list() name.
        _EPOCH[vendor].format(f'f."{name}"')
        if name == "first_published_at"
        else f'f."{name}"'
        for name in _FIELDS
    )
    kps = _knowledge_points_sql(vendor)
    if parsed is None:
        sql = f"SELECT {columns}, {kps}, NULL, NULL FROM ({filtered_sql}) f"
        params = list(filtered_params)
    else:
        # wagtail.search registers modelsearch's models under its own label.
        entries = get_app_config().get_model("IndexEntry")._meta.db_table
        types = get_descendants_content_types_pks(CatalogEntryPage)
        fts = entries + "_fts"
        if relaxed is None:
            coverage, coverage_params = "NULL", []
            expression = match_expression(parsed.groups, True, vendor)
        else:
            pieces = relaxed.all_pieces
            coverage = _coverage_sql(vendor, fts, len(pieces))
            coverage_params = [match_expression([p], True, vendor) for p in pieces]
            expression = match_expression(pieces, False, vendor)
        match = _match_sql(vendor, entries, fts, coverage).format(
            types=", ".join(["%s"] * len(types))
        )
        # The match drives the join (CROSS JOIN fixes the order on SQLite, where
        # the planner would otherwise probe the full-text index once per row).
        join = "CROSS JOIN" if vendor == "sqlite" else "JOIN"
        sql = (
            f"SELECT {columns}, {kps}, m.score, m.coverage FROM ({match}) m"
            f' {join} ({filtered_sql}) f ON f."pk" = m.id'
        )
        # The coverage is selected before the MATCH/tsquery in the SQL text.
        params = [*coverage_params, expression, *types, *filtered_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
