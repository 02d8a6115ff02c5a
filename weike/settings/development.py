"""Development settings: what `make run` and `manage.py` use by default.

DEBUG is on (WEIKE_DEBUG=0 turns it off) and the built-in development secret
key is accepted, so a fresh clone runs with no variables at all.
"""

from pathlib import Path

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("WEIKE_DEBUG", True)
# Serve static files straight from the finders while developing.
WHITENOISE_USE_FINDERS = DEBUG
# A fresh clone's `make run` migrates and seeds again. What only depends on the
# code is kept outside the clone and reused: finished transcodes of small
# sources (media_pipeline/transcode_cache.py) and the migrated empty schema
# (weike/schema_cache.py).
_CACHE = Path(env_str("WEIKE_CACHE_DIR", str(Path.home() / ".cache" / "weike")))
MEDIA_TRANSCODE_CACHE_DIR = env_str(
    "WEIKE_TRANSCODE_CACHE_DIR", str(_CACHE / "transcodes")
)
WEIKE_SCHEMA_CACHE_DIR = env_str("WEIKE_SCHEMA_CACHE_DIR", str(_CACHE / "schemas"))
