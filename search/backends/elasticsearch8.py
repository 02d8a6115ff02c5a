"""Elasticsearch 8 with the same Chinese analysis as search.backends.opensearch2.

Untested here: no Elasticsearch distribution is obtainable through the package
registries this project may use (see docs/search.md).
"""

import copy

from modelsearch.backends.elasticsearch8 import Elasticsearch8SearchBackend
from modelsearch.utils import deep_update

from .common import ChineseQueryMixin
from .opensearch2 import CHINESE_ANALYSIS


class ChineseElasticsearch8Backend(ChineseQueryMixin, Elasticsearch8SearchBackend):
    def __init__(self, params):
        params = dict(params)
        extra = params.pop("INDEX_SETTINGS", {})
        params["INDEX_SETTINGS"] = deep_update(copy.deepcopy(CHINESE_ANALYSIS), extra)
        super().__init__(params)


SearchBackend = ChineseElasticsearch8Backend
