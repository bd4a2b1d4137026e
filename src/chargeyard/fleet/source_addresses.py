"""The local address a station's TCP connection leaves from when its central system listens on
this machine's IPv4 loopback (127.0.0.0/8).

Linux gives an outgoing connection the first free source port it finds, walking the ephemeral
range (32768 to 60999 by default) from an offset per destination, even ports first: odd ones are
left for ``bind()`` (``__inet_hash_connect`` in net/ipv4/inet_hashtables.c, Linux 4.6 on). A port
is free for a connection when no other connection has the same source address, source port,
destination address and destination port. Once one source address holds about 14,000
connections to one address and port, its even ports are used up, and every further
``connect()`` walks all of them before it finds an odd one: 1.6 ms of CPU a connect, where the
first ten thousand took 0.04 ms each. A fleet of 16,000 stations on one central system spent a
fifth of its boot's CPU there.

Every address of 127.0.0.0/8 is this machine's on Linux, with no set-up. So the first
:data:`STATIONS_A_SOURCE` stations of a process that dial one loopback address and port leave from
the kernel's choice (127.0.0.1), the next as many from 127.0.1.1, then 127.0.2.1, and so on:
each source address keeps well under half the range. A station keeps its address across its
reconnections, so a central system's log shows one address a station. Other systems (macOS
answers only on 127.0.0.1) and other destinations keep the kernel's choice.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
import sys
from collections import Counter

logger = logging.getLogger(__name__)

STATIONS_A_SOURCE = 8192
"""Stations of a process that leave from one source address for one loopback destination: well
under the 14,000 even ports where connects slow down, with room for other processes' connections
to the same destination."""

_IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)  # Linux's value
_FIRST = int(ipaddress.IPv4Address("127.0.0.1"))


class SourceAddresses:
    """Hands each new station dialling a loopback address its source address (module docstring).

    One a process: the count is of the stations this process has sent to each destination.

    Args:
        per_source: stations a source address takes for one destination.
        spread: whether to give other addresses at all (default: on Linux only).
    """

    def __init__(
        self, per_source: int = STATIONS_A_SOURCE, *, spread: bool = sys.platform == "linux"
    ) -> None:
        if per_source < 1:
            raise ValueError(f"per_source must be at least 1, not {per_source}")
        self._per_source = per_source
        self._spread = spread
        self._stations: Counter[tuple[str, int]] = Counter()

    def source_for(self, host: str, port: int) -> str | None:
        """The source address of a new station's connections to ``host``:``port``; None for the
        kernel's choice (not a loopback IPv4 address, or among the first ``per_source``)."""
        if not self._spread or not _is_loopback_v4(host):
            return None
        taken = self._stations[(host, port)]
        self._stations[(host, port)] = taken + 1
        block = taken // self._per_source
        # 127.0.1.1, 127.0.2.1, ..., 127.0.255.1, 127.1.0.1, ...: one address a /24.
        return None if block == 0 else str(ipaddress.IPv4Address(_FIRST + (block << 8)))

    def bound_socket(self, source: str) -> socket.socket | None:
        """A socket to connect from ``source`` (:func:`source_socket`); None where the system
        refuses the address (a sandbox whose loopback has 127.0.0.1 only), and from then on
        every station keeps the kernel's choice.

        Raises:
            OSError: no socket could be made (the process's open files are used up); the
                connect fails as it would from the kernel's choice.
        """
        if not self._spread:
            return None  # a station given its address before the system refused one
        try:
            return source_socket(source)
        except OSError as error:
            if error.errno != errno.EADDRNOTAVAIL:
                raise
            logger.warning(
                "cannot connect from %s (%s): the stations' connections leave from the "
                "system's own choice of address",
                source,
                error,
            )
            self._spread = False
            return None


def source_socket(source: str) -> socket.socket:
    """A non-blocking TCP socket bound to ``source``, its port left to the connect.

    ``IP_BIND_ADDRESS_NO_PORT`` (Linux 4.2 on) leaves the port to ``connect()``, which may reuse
    a port that another destination's connection holds. A ``bind()`` to port 0 would take a
    port of its own at once, by a walk that slows as the machine's ports fill: 1 to 5 ms a bind
    with 36,000 closed connections still in TIME_WAIT, against 7 microseconds.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_IP, _IP_BIND_ADDRESS_NO_PORT, 1)
        sock.bind((source, 0))
    except BaseException:
        sock.close()
        raise
    return sock


def _is_loopback_v4(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: dialled by the kernel's choice
    return isinstance(address, ipaddress.IPv4Address) and address.is_loopback  # 127.0.0.0/8


PROCESS_SOURCES = SourceAddresses()
"""This process's: the ports belong to the machine, so every fleet of a process counts in one."""
