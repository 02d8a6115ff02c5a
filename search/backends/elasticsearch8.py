"""Elasticsearch 8 with the Chinese analysis of search.backends.opensearch2,
built from what Elasticsearch's core provides. Settings::

    WAGTAILSEARCH_BACKENDS["default"] = {
        "BACKEND": "search.backends.elasticsearch8",
        "URLS": ["http://127.0.0.1:9200"],
        "INDEX_PREFIX": "weike_",
    }

A plain Elasticsearch 8 (like the integ-test distribution the tests run,
tools/search_nodes/elasticsearch_node.py) has no `analysis-common` module: of the
analysis components only the `standard` tokenizer and analyzer type, the
pre-built `whitespace`, `simple`, `stop`, `keyword` and `standard` analyzers
and the `lowercase`, `stop`, `shingle` and `hunspell` filters exist; no
`whitespace` tokenizer, no `cjk_width`, no `edge_ngram`. So:

- every text field is mapped with the pre-built `whitespace` analyzer (the
  index's `default` analyzer can only be of type `standard`, which would cut
  Chinese into single characters);
- width and case folding happen in Python: the search fields' text and the
  query words are folded by text_analysis/chinese.py for every backend, and any other
  search field's value is folded here (`fold`: NFKC, simplified, lowercase);
- autocomplete edge n-grams (1-15 characters of every whitespace-separated
  word, as modelsearch's `edgengram` filter makes them) are written into the
  document here, indexed with `whitespace` and searched with `standard`, as
  modelsearch does.

The terms in the index are then those OpenSearch makes with `whitespace` +
`cjk_width` + `lowercase` (+ `edgengram`), so both engines and the database
return the same documents (tests/test_search_relevance.py).
"""

from modelsearch.backends.elasticsearch8 import (
    Elasticsearch8AutocompleteQueryCompiler,
    Elasticsearch8Mapping,
    Elasticsearch8SearchBackend,
    Elasticsearch8SearchQueryCompiler,
)
from modelsearch.index import AutocompleteField, SearchField

from text_analysis.folding import fold

from .common import ChineseQueryMixin, PendingOnFailureMixin

ANALYZER = "whitespace"  # pre-built in Elasticsearch's core
EDGE_NGRAM_MIN, EDGE_NGRAM_MAX = 1, 15  # modelsearch's `edgengram` filter

INDEX_SETTINGS = {
    # No "analysis" section: nothing of modelsearch's (ngram, edge_ngram,
    # asciifolding) exists without analysis-common.
    "settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}},
}


def edge_ngrams(text: str) -> str:
    """The prefixes of every whitespace-separated word, space-separated."""
    grams = []
    for word in text.split():
        grams.extend(
            word[:n] for n in range(EDGE_NGRAM_MIN, min(len(word), EDGE_NGRAM_MAX) + 1)
        )
    return " ".join(grams)


def _folded(value):
    if isinstance(value, str):
        return fold(value)
    if isinstance(value, list | tuple):
        return [_folded(v) for v in value]
    return value


def _use_whitespace(properties: dict) -> None:
    for field_mapping in properties.values():
        if field_mapping.get("type") == "text":
            field_mapping.setdefault("analyzer", ANALYZER)
        if "properties" in field_mapping:
            _use_whitespace(field_mapping["properties"])


class ChineseElasticsearch8Mapping(Elasticsearch8Mapping):
    edgengram_analyzer_config = {"analyzer": ANALYZER, "search_analyzer": "standard"}

    def get_mapping(self):
        mapping = super().get_mapping()
        _use_whitespace(mapping["properties"])
        return mapping

    def _get_document_field_data(self, field, obj):
        name, value, edgengrams = super()._get_document_field_data(field, obj)
        if isinstance(field, AutocompleteField):
            grams = edge_ngrams(fold(str(value))) if value else ""
            return name, grams, [grams]
        if isinstance(field, SearchField):
            return name, _folded(value), edgengrams
        return name, value, edgengrams


class ChineseElasticsearch8QueryCompiler(Elasticsearch8SearchQueryCompiler):
    mapping_class = ChineseElasticsearch8Mapping


class ChineseElasticsearch8AutocompleteQueryCompiler(
    Elasticsearch8AutocompleteQueryCompiler
):
    mapping_class = ChineseElasticsearch8Mapping


class ChineseElasticsearch8Backend(
    PendingOnFailureMixin, ChineseQueryMixin, Elasticsearch8SearchBackend
):
    mapping_class = ChineseElasticsearch8Mapping
    query_compiler_class = ChineseElasticsearch8QueryCompiler
    autocomplete_query_compiler_class = ChineseElasticsearch8AutocompleteQueryCompiler
    # Replaces (not extends) modelsearch's settings; INDEX_SETTINGS from the
    # backend's configuration are merged into these.
    settings = INDEX_SETTINGS


SearchBackend = ChineseElasticsearch8Backend
