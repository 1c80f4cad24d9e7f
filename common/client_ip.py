"""The client's address, decided in one place for the API login throttle (DRF) and the
login lockout (django-axes).

`X-Forwarded-For` is written by whoever sends the request, so it is trusted only as far as
our own proxies wrote it: with `TRUSTED_PROXY_COUNT = N` (N proxies in front of the app,
each appending the address it saw), the client is the Nth address from the right. With 0,
the default, the header is ignored and the address is the TCP peer (`REMOTE_ADDR`).
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote_addr = request.META.get("REMOTE_ADDR") or ""
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return remote_addr
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        # Not through the proxies (a health check from inside, say): the peer it is.
        return remote_addr
    # Fewer hops than proxies: the leftmost was still written by one of ours.
    candidate = hops[-min(trusted, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # Our proxies write addresses; anything else means a misconfiguration. Fall back to
        # the peer, which lumps clients together (stricter throttling), never apart.
        return remote_addr
