"""Fixtures owned by the search work; loaded from tests/conftest.py.

`make test` (scripts/run-tests.sh) starts one OpenSearch and one Elasticsearch
node for both passes and every xdist worker, and names them in
WEIKE_TEST_OPENSEARCH_URL / WEIKE_TEST_ELASTICSEARCH_URL; every test uses its
own index prefix, so sharing a node is safe. A plain `pytest` starts its own.
"""

import os

import pytest


@pytest.fixture(scope="session")
def opensearch_url():
    """A real single OpenSearch 2.19 node on 127.0.0.1 for the whole session.

    Downloaded once from Maven Central into ~/.cache/weike/ (see
    tools/search_nodes/opensearch_node.py). Fails, never skips, when it cannot
    start: CI has Java and reaches the registry.
    """
    if shared := os.environ.get("WEIKE_TEST_OPENSEARCH_URL"):
        yield shared
        return
    from tools.search_nodes.opensearch_node import start

    node = start()
    try:
        yield node.url
    finally:
        node.stop()


@pytest.fixture(scope="session")
def elasticsearch_url():
    """A real single Elasticsearch 8.19 node on 127.0.0.1 for the whole session,
    started only when a test asks for it (tools/search_nodes/elasticsearch_node.py: the
    integ-test zip from Maven Central, cached in ~/.cache/weike/). Fails, never
    skips, when it cannot start."""
    if shared := os.environ.get("WEIKE_TEST_ELASTICSEARCH_URL"):
        yield shared
        return
    from tools.search_nodes.elasticsearch_node import start

    node = start()
    try:
        yield node.url
    finally:
        node.stop()


ENGINES = {
    # name: (URL fixture, backend module)
    "opensearch": ("opensearch_url", "search.backends.opensearch2"),
    "elasticsearch": ("elasticsearch_url", "search.backends.elasticsearch8"),
}


@pytest.fixture(
    params=[
        pytest.param("opensearch", marks=pytest.mark.opensearch),
        pytest.param("elasticsearch", marks=pytest.mark.elasticsearch),
    ]
)
def engine_backend(request, settings):
    """Name of a WAGTAILSEARCH_BACKENDS entry on the session's OpenSearch node,
    then on its Elasticsearch node (every test using this runs on both),
    rebuilt from the current database (call after `demo`)."""
    import uuid

    from search.services import rebuild_index

    name = request.param
    url_fixture, module = ENGINES[name]
    url = request.getfixturevalue(url_fixture)  # the node starts on first use
    settings.WAGTAILSEARCH_BACKENDS = {
        **settings.WAGTAILSEARCH_BACKENDS,
        name: {
            "BACKEND": module,
            "URLS": [url],
            "INDEX_PREFIX": f"test_{uuid.uuid4().hex[:8]}_",
            # Saves in other tests must not wait for the engine.
            "AUTO_UPDATE": False,
        },
    }
    rebuild_index(name)
    yield name
    from modelsearch.backends import get_search_backend

    backend = get_search_backend(name)
    # By name: Elasticsearch 8 refuses wildcard deletes
    # (action.destructive_requires_name).
    indices = list(backend.es.indices.get(index=backend.index_prefix + "*"))
    if indices:
        backend.es.indices.delete(index=",".join(indices))


@pytest.fixture
def database_index(db):
    """The default (database) index rebuilt from the current data; tests seed
    with queryset updates and publish in one transaction, where the on-commit
    re-index of search/signals.py does not run."""
    from search.services import rebuild_index

    rebuild_index("default")
    return "default"


@pytest.fixture
def dead_engine(settings):
    """An extra configured engine backend that nothing answers (its name)."""
    settings.WAGTAILSEARCH_BACKENDS = {
        **settings.WAGTAILSEARCH_BACKENDS,
        "dead": {
            "BACKEND": "search.backends.opensearch2",
            "URLS": ["http://127.0.0.1:9"],  # nothing listens on the discard port
            "TIMEOUT": 1,
        },
    }
    return "dead"
