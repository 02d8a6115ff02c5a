"""Production settings: what weike/wsgi.py (gunicorn) and Celery workers use.

DEBUG is always off, WEIKE_SECRET_KEY must be a real secret, and browsers
only talk to the site over HTTPS (HSTS, secure cookies, redirect to https).
Where nginx terminates TLS and proxies plain HTTP to gunicorn, set
WEIKE_BEHIND_TLS_PROXY=1 (and have nginx send X-Forwarded-Proto) so Django
knows the original request was https; see README, "Settings".
`manage.py check --deploy --fail-level WARNING` passes with these settings.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEV_SECRET_KEY
from .env import env_bool, env_int, env_str

MIN_SECRET_KEY_LENGTH = 50
HOW_TO = (
    "set WEIKE_SECRET_KEY to 50 or more random characters, e.g. the output of "
    "python -c 'from django.core.management.utils import get_random_secret_key; "
    "print(get_random_secret_key())'"
)


def secret_key_problem(key: str) -> str:
    """Why `key` is unfit for production ("" when it is fine); the same
    rules as Django's security.W009 check, plus the development key."""
    if not key.strip():
        return "WEIKE_SECRET_KEY is not set"
    if key.strip() == DEV_SECRET_KEY:
        return "WEIKE_SECRET_KEY is the built-in development key"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"WEIKE_SECRET_KEY is too short ({len(key)} characters)"
    if len(set(key)) < 5 or key.startswith("django-insecure-"):
        return "WEIKE_SECRET_KEY is not random enough"
    return ""


def required_secret_key() -> str:
    key = env_str("WEIKE_SECRET_KEY")
    problem = secret_key_problem(key)
    if problem:
        # Refuse to start: a known key lets anyone forge sessions and tokens.
        raise ImproperlyConfigured(f"{problem}: production needs its own; {HOW_TO}.")
    return key


SECRET_KEY = required_secret_key()
DEBUG = False
WHITENOISE_USE_FINDERS = False

# nginx (or another proxy) terminating TLS says so in X-Forwarded-Proto; only
# trusted when configured, since a client could send the header itself.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("WEIKE_BEHIND_TLS_PROXY", False)
    else None
)
# Off only when the proxy already redirects http:// to https:// itself.
SECURE_SSL_REDIRECT = env_bool("WEIKE_SSL_REDIRECT", True)
# HSTS: a year by default; start lower (e.g. 3600) on a first HTTPS rollout.
SECURE_HSTS_SECONDS = env_int("WEIKE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("WEIKE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("WEIKE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
