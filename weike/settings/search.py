"""Settings group: search (search/; docs/search.md).

Embedded default: the database backend with Chinese segmentation.
WEIKE_SEARCH_URL points at Elasticsearch 8 or OpenSearch 2:
opensearch://host:port and elasticsearch://host:port pick the engine; a plain
http(s):// URL uses WEIKE_SEARCH_ENGINE (opensearch2 | elasticsearch8).
"""

from .env import env_int, env_str

SEARCH_URL = env_str("WEIKE_SEARCH_URL", "")
SEARCH_ENGINE = env_str("WEIKE_SEARCH_ENGINE", "opensearch2")
# Every index name starts with this (the quota index too).
SEARCH_INDEX_PREFIX = env_str("WEIKE_SEARCH_INDEX_PREFIX", "weike_")
ENGINES = {"opensearch": "opensearch2", "elasticsearch": "elasticsearch8"}


def search_backends(url: str, engine: str) -> dict:
    if not url:
        return {"default": {"BACKEND": "search.backends.database"}}
    scheme, _, rest = url.partition("://")
    return {
        "default": {
            "BACKEND": "search.backends." + ENGINES.get(scheme, engine),
            "URLS": ["http://" + rest if scheme in ENGINES else url],
            "INDEX_PREFIX": SEARCH_INDEX_PREFIX,
            "TIMEOUT": env_int("WEIKE_SEARCH_TIMEOUT", 5),
        }
    }


WAGTAILSEARCH_BACKENDS = search_backends(SEARCH_URL, SEARCH_ENGINE)

# `from .<group> import *` in base.py takes the settings only.

# Seconds an engine client waits during a rebuild's bulk requests (a search
# itself waits WEIKE_SEARCH_TIMEOUT).
SEARCH_BULK_TIMEOUT = env_int("WEIKE_SEARCH_BULK_TIMEOUT", 120)

__all__ = [name for name in dir() if name.isupper()]
