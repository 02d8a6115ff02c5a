"""The few calls the quota index makes, on the engine's own client.

`elasticsearch://host:port` gets the official `elasticsearch` 8 client,
`opensearch://host:port` opensearch-py; a plain http(s):// URL uses the
search engine setting (WEIKE_SEARCH_ENGINE: opensearch2 | elasticsearch8),
as the search backends do. The two clients differ in how an index is created,
a document written, a 404 ignored and a multi-search sent; the rest of
dashboard/engine.py does not care which one it talks to.
"""

from __future__ import annotations

from django.conf import settings

ELASTICSEARCH, OPENSEARCH = "elasticsearch", "opensearch"
SCHEMES = {"elasticsearch": ELASTICSEARCH, "opensearch": OPENSEARCH}


def engine_of(url: str) -> tuple[str, str]:
    """(engine, http URL) for a quota engine URL."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in SCHEMES:
        return SCHEMES[scheme], "http://" + rest
    configured = getattr(settings, "SEARCH_ENGINE", "opensearch2")
    return (ELASTICSEARCH if configured.startswith("elastic") else OPENSEARCH), url


class OpenSearchCalls:
    engine = OPENSEARCH

    def __init__(self, url: str):
        from opensearchpy import OpenSearch

        self.es = OpenSearch(hosts=[url], timeout=30, pool_maxsize=4)

    def exists(self, index: str) -> bool:
        return bool(self.es.indices.exists(index=index))

    def create(self, index: str, index_settings: dict, mappings: dict) -> None:
        self.es.indices.create(
            index=index, body={"settings": index_settings, "mappings": mappings}
        )

    def drop(self, index: str) -> None:
        self.es.indices.delete(index=index, ignore=[404])

    def refresh(self, index: str) -> None:
        self.es.indices.refresh(index=index)

    def bulk(self, actions, refresh=False) -> int:
        from opensearchpy import helpers

        ok, _errors = helpers.bulk(
            self.es, actions, chunk_size=5000, request_timeout=120, refresh=refresh
        )
        return ok

    def put(self, index: str, doc_id: str, doc: dict, refresh=False) -> None:
        self.es.index(index=index, id=doc_id, body=doc, refresh=refresh)

    def remove(self, index: str, doc_id: str, refresh=False) -> None:
        self.es.delete(index=index, id=doc_id, refresh=refresh, ignore=[404])

    def msearch(self, lines: list[dict]) -> list[dict]:
        return self.es.msearch(body=lines)["responses"]


class ElasticsearchCalls(OpenSearchCalls):
    engine = ELASTICSEARCH

    def __init__(self, url: str):
        from elasticsearch import Elasticsearch

        self.es = Elasticsearch(hosts=[url], request_timeout=30)

    def create(self, index: str, index_settings: dict, mappings: dict) -> None:
        self.es.indices.create(index=index, settings=index_settings, mappings=mappings)

    def drop(self, index: str) -> None:
        self.es.options(ignore_status=404).indices.delete(index=index)

    def bulk(self, actions, refresh=False) -> int:
        from elasticsearch import helpers

        ok, _errors = helpers.bulk(
            self.es.options(request_timeout=120),
            actions,
            chunk_size=5000,
            refresh=refresh,
        )
        return ok

    def put(self, index: str, doc_id: str, doc: dict, refresh=False) -> None:
        self.es.index(index=index, id=doc_id, document=doc, refresh=refresh)

    def remove(self, index: str, doc_id: str, refresh=False) -> None:
        self.es.options(ignore_status=404).delete(
            index=index, id=doc_id, refresh=refresh
        )

    def msearch(self, lines: list[dict]) -> list[dict]:
        return self.es.msearch(searches=lines)["responses"]


def calls_for(url: str) -> OpenSearchCalls:
    engine, http_url = engine_of(url)
    return (ElasticsearchCalls if engine == ELASTICSEARCH else OpenSearchCalls)(
        http_url
    )
