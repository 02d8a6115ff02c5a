"""Settings group: the bureau's dashboard (dashboard/; docs/dashboard.md).

Annual quota counts come from the search engine's aggregations when one is
configured (its own small index), else from one grouped database query.
WEIKE_QUOTA_ENGINE_URL overrides the engine URL; "off" forces the database.
The URL keeps its scheme: elasticsearch:// counts with the Elasticsearch
client, opensearch:// with opensearch-py, http(s):// as WEIKE_SEARCH_ENGINE
says (dashboard/engine_client.py).
"""

from .env import env_str
from .search import SEARCH_INDEX_PREFIX, SEARCH_URL


def quota_engine_url(override: str, search_url: str) -> str:
    if override == "off":
        return ""
    return override or search_url


DASHBOARD_QUOTA_ENGINE_URL = quota_engine_url(
    env_str("WEIKE_QUOTA_ENGINE_URL", ""), SEARCH_URL
)
DASHBOARD_QUOTA_INDEX = SEARCH_INDEX_PREFIX + "quota"

# `from .<group> import *` in base.py takes the settings only.
__all__ = [name for name in dir() if name.isupper()]
