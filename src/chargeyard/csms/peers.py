"""Where a connection comes from, as the central system counts and reports it.

The listener throttles wrong passwords (``login_backoff.py``) and reports failed TLS handshakes
(``tls_accept.py``) per source. An IPv4 source is its address. An IPv6 source is the /64 its
address is in: a site or a host is usually given a whole /64 (RFC 6177, RFC 7421), so one
machine could otherwise change its address at every attempt and never be counted twice. An
IPv4 address mapped into IPv6 (``::ffff:a.b.c.d``, a dual-stack socket) is that IPv4 address.
"""

from __future__ import annotations

import ipaddress

UNKNOWN = "unknown"
"""The source of a connection whose peer address the socket does not tell."""


def source_of(peername: object) -> str:
    """The source of a connection whose transport's ``peername`` extra is ``peername``
    (``(host, port)`` for IPv4, ``(host, port, flowinfo, scope_id)`` for IPv6)."""
    host = peername[0] if isinstance(peername, tuple) and peername else None
    if not isinstance(host, str):
        return UNKNOWN
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])  # without an IPv6 zone
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def address_of(peername: object) -> str:
    """The peer's address as it is written in a log line (``unknown`` when not told)."""
    host = peername[0] if isinstance(peername, tuple) and peername else None
    return host if isinstance(host, str) else UNKNOWN
