"""Where a station's dial of a ``ws://`` or ``wss://`` URL lands, whatever the URL's spelling.

A station dials a URL as :mod:`websockets.uri` parses it and as the system's resolver
(``getaddrinfo``) resolves its host (``fleet/connector.py``, ``outbound.py``). So
``ws://127.1:9000``, ``ws://0x7f.1:9000``, ``ws://2130706433:9000``,
``ws://[::ffff:127.0.0.1]:9000`` and ``ws://LOCALHOST:9000`` all reach 127.0.0.1 port 9000.
Deciding where a URL goes from its spelling misses such names; :meth:`Resolver.target` reads
it as the dial does:

* the host resolved to its addresses (an IPv4-mapped IPv6 address is the IPv4 one, a scope
  suffix dropped), and kept as a name too (lower case, a trailing dot dropped) for a name that
  does not resolve here; a ``localhost`` name (RFC 6761 section 6.3) is loopback whether or
  not this machine's resolver says so;
* the port, the scheme's default when absent (``ws`` 80, ``wss`` 443);
* the path the station sends, its segments (``path_readings`` reads them as a listener and as
  a proxy in front of one may).

:func:`same_place` says whether two targets reach the same listener: an address in common,
or both on this machine (a loopback, the wildcard address, or an address of one of its
interfaces), since a listener bound to ``0.0.0.0`` is reached at every address of its machine
and a connection to ``0.0.0.0`` reaches this machine's loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from websockets.exceptions import InvalidURI
from websockets.uri import parse_uri

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

RESOLVE_TIMEOUT_S = 5.0
"""How long a name may take to resolve; one that takes longer is compared by its name."""
RESOLVED_TTL_S = 10.0
"""How long a resolution is reused: a bulk creation of thousands of chargers of one URL
resolves it once."""


@dataclass(frozen=True, slots=True)
class DialTarget:
    """Where a dial of one URL lands (see the module docstring).

    Attributes:
        secure: ``wss://``.
        host: the host as a name: lower case, without a trailing dot or IPv6 brackets.
        addresses: what ``host`` resolves to (empty: it does not resolve here).
        port: the TCP port, the scheme's default when the URL has none.
        path: the path the station sends, without its query.
    """

    secure: bool
    host: str
    addresses: frozenset[IpAddress]
    port: int
    path: str


Lookup = Callable[[str, int], Awaitable[Sequence[str]]]
"""The addresses a host name resolves to for a TCP connection to a port (raises OSError when it
does not resolve)."""


async def getaddrinfo(host: str, port: int) -> list[str]:
    """:data:`Lookup` by the system's resolver, as a station's dial resolves."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class Resolver:
    """Resolves hosts as a station's dial does (``lookup``: the system's resolver), each
    (host, port) reused for ``ttl_s`` seconds."""

    def __init__(self, ttl_s: float = RESOLVED_TTL_S, lookup: Lookup = getaddrinfo) -> None:
        self._ttl_s = ttl_s
        self._lookup = lookup
        self._resolved: dict[tuple[str, int], tuple[float, frozenset[IpAddress]]] = {}

    async def addresses(self, host: str, port: int) -> frozenset[IpAddress]:
        now = time.monotonic()
        cached = self._resolved.get((host, port))
        if cached is not None and now - cached[0] < self._ttl_s:
            return cached[1]
        found = await _resolve(host, port, self._lookup)
        if len(self._resolved) > 1024:  # a few URLs in practice; never grows without bound
            self._resolved.clear()
        self._resolved[(host, port)] = (now, found)
        return found

    async def target(self, url: str | None) -> DialTarget | None:
        """Where a dial of ``url`` lands, or None when it is not a ws:// or wss:// URL."""
        if url is None:
            return None
        try:
            uri = parse_uri(url.strip())
        except (InvalidURI, ValueError):  # not ws(s)://, a fragment, a port out of range
            return None
        host = uri.host.lower().rstrip(".")
        if not host:
            return None
        return DialTarget(
            uri.secure, host, await self.addresses(uri.host, uri.port), uri.port, uri.path
        )


async def _resolve(host: str, port: int, lookup: Lookup) -> frozenset[IpAddress]:
    literal = _address(host)
    if literal is not None:
        return frozenset({literal})
    found: set[IpAddress] = set()
    if _is_localhost_name(host):  # RFC 6761 6.3: always loopback
        found |= {ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1")}
    with contextlib.suppress(OSError, TimeoutError, UnicodeError):
        async with asyncio.timeout(RESOLVE_TIMEOUT_S):
            resolved = await lookup(host, port)
        found |= {address for text in resolved if (address := _address(text)) is not None}
    return frozenset(found)


def _address(text: str) -> IpAddress | None:
    """``text`` as an IP address as a dial takes it (IPv4-mapped IPv6 as IPv4, without a scope),
    or None when it is a name. The numeric forms ``getaddrinfo`` reads (``127.1``, ``0x7f.1``,
    ``2130706433``) are names to :mod:`ipaddress`; the resolver turns them into addresses."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_localhost_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def on_this_machine(address: IpAddress) -> bool:
    """Whether a connection to ``address`` reaches this machine: a loopback address, the
    wildcard address (Linux connects it to the loopback), or an address of one of its
    interfaces (one a socket can be bound to)."""
    if address.is_loopback or address.is_unspecified:
        return True
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(address), 0))
    except OSError:
        return False
    return True


def same_place(a: DialTarget, b: DialTarget) -> bool:
    """Whether dials of ``a`` and ``b`` reach the same listener: the same scheme and port, and
    an address in common, both on this machine, or (unresolved) the same name."""
    if a.secure != b.secure or a.port != b.port:
        return False
    if a.host == b.host or a.addresses & b.addresses:
        return True
    return any(map(on_this_machine, a.addresses)) and any(map(on_this_machine, b.addresses))


def path_readings(path: str) -> set[tuple[str, ...]]:
    """The path's segments, percent-decoded, as a listener reads them (every segment as sent)
    and as a proxy in front of one may (empty and ``.`` segments dropped, ``..`` applied)."""
    raw = tuple(_decoded(segment) for segment in path.split("/")[1:])
    merged: list[str] = []
    for segment in raw:
        if segment == "..":
            if merged:
                merged.pop()
        elif segment not in ("", "."):
            merged.append(segment)
    return {raw, tuple(merged)}


def _decoded(segment: str) -> str:
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError:  # as the listener: an undecodable segment stays as it came
        return segment
