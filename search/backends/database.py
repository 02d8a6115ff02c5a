"""The embedded default: modelsearch's database backend (SQLite FTS5 or
PostgreSQL full text) with Chinese queries. Settings::

    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}
"""

from functools import cache

from modelsearch.backends import database as vendor

from .common import ChineseQueryMixin


@cache
def _chinese(cls):
    return type("Chinese" + cls.__name__, (ChineseQueryMixin, cls), {})


def SearchBackend(params):  # noqa: N802 - the name modelsearch looks up
    # modelsearch picks the implementation for the database vendor at run time.
    backend = vendor.SearchBackend(dict(params))
    if type(backend).__name__.startswith("Postgres"):
        # Segmented words must not be stemmed or dropped as English stop words.
        params = {"SEARCH_CONFIG": "simple", **params}
    return _chinese(type(backend))(params)
