"""Where one station's connection attempts go and how each is opened (``runtime.py`` runs the
station and decides when to dial; a :class:`Connector` does the dialling).

An attempt goes to the runtime's URL, or to the :class:`~chargeyard.station.endpoint.Endpoint`
the station named for it (a 2.0.1 station's network connection profile, B10). Its host is
resolved and checked against the outbound networks (``outbound.py``) and dialled by address; a
``wss://`` URL adds TLS, and the opening handshake carries the credentials of the security
profile (``security_profile.py``). The TCP connects wait for a slot at a
:class:`~chargeyard.fleet.scheduling.Dialer`: the fleet's, or one of the station's own. A
connection to a loopback address leaves from the source address ``source_addresses.py`` gives the
station, which keeps a big fleet's connects quick.
"""

from __future__ import annotations

import asyncio
import errno
from typing import TYPE_CHECKING

from websockets.uri import WebSocketURI, parse_uri

from chargeyard.fleet.handshake import upgrade_request
from chargeyard.fleet.scheduling import Dialer
from chargeyard.fleet.security_profile import basic_authorization, tls_context
from chargeyard.fleet.source_addresses import PROCESS_SOURCES, SourceAddresses

if TYPE_CHECKING:
    from chargeyard.fleet.chaos.engine import Chaos
    from chargeyard.fleet.link import Link
    from chargeyard.fleet.runtime import StationRuntime
    from chargeyard.outbound import OutboundPolicy
    from chargeyard.station.core import SimulatedStation
    from chargeyard.station.endpoint import Endpoint


class Connector:
    """Opens the connections of one station (see the module docstring).

    Args:
        url: the central system's WebSocket URL for this station (identity included).
        dialer: opens the connection; a fleet passes one shared dialer. Default: one of its own,
            made at the first dial.
        outbound: the networks a connection may go to; None for any.
        handshake_headers: headers of the station's own in every opening handshake.
        sources: where the station's connections to a loopback address leave from (default:
            the process's).

    Raises:
        InvalidURI: ``url`` is not a ws:// or wss:// URL.
    """

    __slots__ = (
        "_closing_dialer",
        "_dialer",
        "_handshake_headers",
        "_outbound",
        "_own_dialer",
        "_source",
        "_source_for",
        "_sources",
        "uri",
    )

    def __init__(
        self,
        url: str,
        *,
        dialer: Dialer | None,
        outbound: OutboundPolicy | None,
        handshake_headers: tuple[tuple[str, str], ...],
        sources: SourceAddresses | None = None,
    ) -> None:
        self.uri: WebSocketURI = parse_uri(url)
        self._dialer = dialer
        self._own_dialer = False
        self._closing_dialer: asyncio.Task[None] | None = None  # (kept: tasks need an owner)
        self._outbound = outbound
        self._handshake_headers = handshake_headers
        self._sources = PROCESS_SOURCES if sources is None else sources
        # The destination the station was given a source address for, and that address.
        self._source_for: tuple[str, int] | None = None
        self._source: str | None = None

    def submit(self, runtime: StationRuntime) -> None:
        """Queue ``runtime`` at the dialer, which calls it back to dial."""
        if self._dialer is None:
            self._dialer = Dialer(limit=1)
            self._own_dialer = True
        self._dialer.submit(runtime)

    def close_own_dialer(self) -> None:
        """End a TCP connect under way, if the dialer is the station's own; a shared one is
        the fleet's to close."""
        if self._own_dialer and self._dialer is not None:
            self._closing_dialer = asyncio.get_running_loop().create_task(self._dialer.close())

    async def connect(
        self,
        link: Link,
        uri: WebSocketURI,
        station: SimulatedStation,
        chaos: Chaos | None,
    ) -> None:
        """Open the TCP connection (and TLS) of ``link`` to ``uri``: its endpoint's, or
        :attr:`uri` (the dialer that called the runtime holds a slot for it meanwhile).

        Raises:
            OSError: the connection could not be made (refused, by a fault too; a DNS failure;
                an address the outbound networks do not allow; TLS).
        """
        if chaos is not None and chaos.refusing():
            # As the network answers when the central system cannot be reached.
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused (chaos)")
        host, server_hostname = uri.host, None
        if self._outbound is not None and not self._outbound.anything:
            # Resolved and checked here, dialled by address: a name cannot resolve
            # elsewhere between the check and the connect (outbound.py).
            [host, *_] = await self._outbound.resolve(uri.host, uri.port)
            server_hostname = uri.host if uri.secure else None
        loop = asyncio.get_running_loop()
        ssl = tls_context(station, link.endpoint) if uri.secure else None
        source = self._source_address(host, uri.port)
        sock = None if source is None else self._sources.bound_socket(source)
        if sock is None:
            await loop.create_connection(
                lambda: link, host, uri.port, ssl=ssl, server_hostname=server_hostname
            )
            return
        try:
            await loop.sock_connect(sock, (host, uri.port))
            await loop.create_connection(
                lambda: link,
                sock=sock,
                ssl=ssl,
                server_hostname=(server_hostname or uri.host) if ssl is not None else None,
            )
        except BaseException:
            sock.close()  # (a no-op once a transport has taken and closed it)
            raise

    def _source_address(self, host: str, port: int) -> str | None:
        """The station's source address for ``host``:``port``, the same at every attempt (a
        new one only when the station is sent elsewhere)."""
        if self._source_for != (host, port):
            self._source_for = (host, port)
            self._source = self._sources.source_for(host, port)
        return self._source

    def upgrade_request(
        self, station: SimulatedStation, key: str, endpoint: Endpoint | None
    ) -> bytes:
        """The opening handshake's request to ``endpoint``, or to the runtime's URL."""
        authorization = basic_authorization(station, endpoint)
        uri = self.uri if endpoint is None else endpoint.uri
        subprotocol = station.version.subprotocol
        return upgrade_request(uri, key, subprotocol, authorization, self._handshake_headers)
