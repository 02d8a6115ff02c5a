"""Resumption tokens: the rest of a list request, signed so they cannot be
forged or altered (a changed byte is `badResumptionToken`), and expiring.

A token carries the original arguments and the last page id sent; the list is
ordered by page id, so the next page starts right after it whatever changed
in between.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "exchange.oai.resumption"
MAX_TOKEN_CHARS = 2000


class BadToken(Exception):
    pass


def issue(args: dict) -> str:
    return signing.dumps(args, salt=SALT, compress=True)


def read(token: str) -> dict:
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise BadToken
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.WEIKE_OAI_TOKEN_SECONDS)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise BadToken from exc
    if not isinstance(data, dict) or not isinstance(data.get("after"), int):
        raise BadToken
    return data
