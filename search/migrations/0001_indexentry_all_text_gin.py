"""PostgreSQL: a GIN index on modelsearch's (title || body) tsvector.

The catalog search (search/db_match.py) matches a query against title and body
together, so that a word in the title and another in the summary both count;
without this expression index PostgreSQL would rebuild that vector for every
row on every search. SQLite needs nothing: FTS5 indexes both columns.
"""

from django.db import migrations

INDEX = "weike_indexentry_all_text_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} USING gin ((title || body))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("wagtailsearch", "0010_add_text_fields")]
    operations = [migrations.RunPython(create, drop)]
