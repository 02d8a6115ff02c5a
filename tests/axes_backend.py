"""The login throttling backend for the test settings only.

Django's test `Client.login()` calls authenticate() without a request, which
django-axes' backend refuses outright. This subclass lets that one call
through to ModelBackend; every real login view passes the request, so the
lockout tests (tests/security/test_attack_auth.py) exercise the real thing.
"""

from axes.backends import AxesBackend


class TestClientAxesBackend(AxesBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None  # the next backend (ModelBackend) checks the password
        return super().authenticate(request, username, password, **kwargs)
