"""Development settings: what `make run` and `manage.py` use by default.

DEBUG is on (WEIKE_DEBUG=0 turns it off) and the built-in development secret
key is accepted, so a fresh clone runs with no variables at all.
"""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("WEIKE_DEBUG", True)
# Serve static files straight from the finders while developing.
WHITENOISE_USE_FINDERS = DEBUG
