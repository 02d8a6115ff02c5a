"""OpenSearch 2 with the Chinese analysis chain. Settings (see docs/search.md)::

    WAGTAILSEARCH_BACKENDS["default"] = {
        "BACKEND": "search.backends.opensearch2",
        "URLS": ["http://127.0.0.1:9200"],
        "INDEX_PREFIX": "weike_",
    }

Text arrives segmented (jieba, search mode) from the search fields, so the
default analyzer only splits on whitespace, folds width and case, exactly what
the database backend sees. `zh_bigram` (the `cjk_bigram` chain of OpenSearch's
analysis-common module, no plugin download) is defined for raw-text fields.
"""

import copy

from modelsearch.backends.opensearch2 import OpenSearch2SearchBackend
from modelsearch.utils import deep_update

from .common import ChineseQueryMixin, PendingOnFailureMixin

CHINESE_ANALYSIS = {
    "settings": {
        "analysis": {
            "analyzer": {
                "default": {
                    "type": "custom",
                    "tokenizer": "whitespace",
                    "filter": ["cjk_width", "lowercase"],
                },
                "zh_bigram": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["cjk_width", "lowercase", "cjk_bigram"],
                },
                # Autocomplete: prefixes of segmented words.
                "edgengram_analyzer": {
                    "type": "custom",
                    "tokenizer": "whitespace",
                    "filter": ["cjk_width", "lowercase", "edgengram"],
                },
            },
        },
        "index": {"number_of_shards": 1, "number_of_replicas": 0},
    }
}


class ChineseOpenSearch2Backend(
    PendingOnFailureMixin, ChineseQueryMixin, OpenSearch2SearchBackend
):
    def __init__(self, params):
        params = dict(params)
        extra = params.pop("INDEX_SETTINGS", {})
        params["INDEX_SETTINGS"] = deep_update(copy.deepcopy(CHINESE_ANALYSIS), extra)
        super().__init__(params)


SearchBackend = ChineseOpenSearch2Backend
