"""Who is asking, by network address: one rule for the login lockout (axes)
and the per-visitor view count, so both see the same client behind nginx."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or with WEIKE_TRUSTED_PROXY_COUNT
    proxies in front, the X-Forwarded-For entry the outermost one appended.

    Entries further left are whatever the client sent, so they are never used:
    otherwise a guesser would get a fresh address, and fresh tries, per request.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.WEIKE_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    return hops[-count] if len(hops) >= count else remote
