"""Fixtures owned by the search work; loaded from tests/conftest.py."""

import pytest


@pytest.fixture(scope="session")
def opensearch_url():
    """A real single OpenSearch 2.19 node on 127.0.0.1 for the whole session.

    Downloaded once from Maven Central into ~/.cache/weike/ (see
    search/opensearch_node.py). Fails, never skips, when it cannot start: CI has
    Java and reaches the registry.
    """
    from search.opensearch_node import start

    node = start()
    try:
        yield node.url
    finally:
        node.stop()


@pytest.fixture
def engine_backend(opensearch_url, settings):
    """Name of a WAGTAILSEARCH_BACKENDS entry on the session's OpenSearch node,
    rebuilt from the current database (call after `demo`)."""
    import uuid

    from search.services import rebuild_index

    settings.WAGTAILSEARCH_BACKENDS = {
        **settings.WAGTAILSEARCH_BACKENDS,
        "opensearch": {
            "BACKEND": "search.backends.opensearch2",
            "URLS": [opensearch_url],
            "INDEX_PREFIX": f"test_{uuid.uuid4().hex[:8]}_",
            # Saves in other tests must not wait for the engine.
            "AUTO_UPDATE": False,
        },
    }
    rebuild_index("opensearch")
    yield "opensearch"
    from modelsearch.backends import get_search_backend

    backend = get_search_backend("opensearch")
    backend.es.indices.delete(index=backend.index_prefix + "*", ignore_unavailable=True)


@pytest.fixture
def database_index(db):
    """The default (database) index rebuilt from the current data; tests seed
    with queryset updates and publish in one transaction, where the on-commit
    re-index of search/signals.py does not run."""
    from search.services import rebuild_index

    rebuild_index("default")
    return "default"
