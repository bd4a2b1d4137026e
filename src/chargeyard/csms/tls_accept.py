"""The listener's TLS handshakes, done by the listener rather than by the event loop's server,
so that a failed one is answered and reported.

Theory of operation
-------------------
A ``wss://`` listener accepts plain TCP connections. Each connection's WebSocket object
(:class:`_TlsConnection`, websockets' ``create_connection``) hands its TCP transport to a
:class:`_Handshake`, which:

1. reads the station's first TLS record and, if its ClientHello offers only TLS 1.1 or below,
   answers with a fatal ``protocol_version`` alert and closes (``client_hello.py`` says why the
   event loop's TLS layer would drop the connection without it; A00.FR.313-315);
2. otherwise starts TLS on the transport (``loop.start_tls``, the listener's context from
   ``tls_settings.py``), giving the TLS layer the bytes it read first, before it reads on;
3. when the handshake completes, gives the TLS transport to the WebSocket object, as the event
   loop's server would have (``connection_made``), with whatever arrived meanwhile.

A handshake that fails, times out (:data:`HANDSHAKE_TIMEOUT_S`, websockets' default) or is
given up by the station is reported with its reason, once per source and then rate-limited
(``tls_failures.py``). The :class:`TlsAcceptor` owns the handshakes in progress: ``close()``
aborts them when the listener stops.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import ClassVar, cast

from chargeyard.csms.client_hello import (
    MAX_HELLO_BYTES,
    ClientHello,
    Unread,
    protocol_version_alert,
    read_client_hello,
)
from chargeyard.csms.tls_failures import Failure, HandshakeFailures, describe
from chargeyard.transport.push import PushServerConnection

HANDSHAKE_TIMEOUT_S = 10.0


class TlsAcceptor:
    """The TLS side of a ``wss://`` listener: pass :attr:`connection_class` as websockets'
    ``create_connection`` and no ``ssl`` to ``serve``.

    Args:
        context: the listener's server context (``TlsSettings.server_context``).
        failures: where failed handshakes are reported.
        timeout_s: how long a handshake may take, from the TCP connection.
    """

    def __init__(
        self,
        context: ssl.SSLContext,
        failures: HandshakeFailures | None = None,
        timeout_s: float = HANDSHAKE_TIMEOUT_S,
    ) -> None:
        self.context = context
        self.failures = failures if failures is not None else HandshakeFailures()
        self.timeout_s = timeout_s
        self._handshakes: set[_Handshake] = set()
        self.connection_class = cast(
            type[PushServerConnection],
            type("TlsServerConnection", (_TlsConnection,), {"acceptor": self}),
        )

    def close(self) -> None:
        """Abort the handshakes in progress (the listener is stopping)."""
        for handshake in list(self._handshakes):
            handshake.abort()

    def _accept(self, connection: _TlsConnection, transport: asyncio.Transport) -> None:
        handshake = _Handshake(self, connection, transport)
        self._handshakes.add(handshake)
        transport.set_protocol(handshake)

    def _done(self, handshake: _Handshake) -> None:
        self._handshakes.discard(handshake)


class _TlsConnection(PushServerConnection):
    """A WebSocket connection whose transport is a TLS one the listener set up itself."""

    acceptor: ClassVar[TlsAcceptor]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The TCP connection: TLS first; the WebSocket starts in tls_started().
        self.acceptor._accept(self, cast(asyncio.Transport, transport))

    def tls_started(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)


class _Buffered(asyncio.Protocol):
    """What the TLS transport delivers between the end of the handshake and the moment the
    WebSocket connection takes it over."""

    def __init__(self) -> None:
        self.data: list[bytes] = []
        self.eof = False
        self.lost: tuple[Exception | None] | None = None

    def data_received(self, data: bytes) -> None:
        self.data.append(data)

    def eof_received(self) -> None:
        self.eof = True

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = (exc,)

    def replay(self, protocol: asyncio.Protocol) -> None:
        for data in self.data:
            protocol.data_received(data)
        if self.eof:
            protocol.eof_received()
        if self.lost is not None:
            protocol.connection_lost(self.lost[0])


class _Handshake(asyncio.Protocol):
    """One connection's way from TCP to TLS (module docstring)."""

    def __init__(
        self, acceptor: TlsAcceptor, connection: _TlsConnection, transport: asyncio.Transport
    ) -> None:
        self._acceptor = acceptor
        self._connection = connection
        self._transport = transport
        self._peer = transport.get_extra_info("peername")
        self._hello = bytearray()
        self._task: asyncio.Task[None] | None = None
        self._ended = False
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(acceptor.timeout_s, self._timed_out)

    def data_received(self, data: bytes) -> None:
        if self._task is not None or self._ended:
            return
        self._hello += data
        hello = read_client_hello(bytes(self._hello))
        if hello is Unread.MORE and len(self._hello) < MAX_HELLO_BYTES:
            return
        self._transport.pause_reading()
        if isinstance(hello, ClientHello) and hello.too_old:
            # A00.FR.315 (418): the handshake is terminated, with the alert RFC 8446 4.2.1 asks.
            self._transport.write(protocol_version_alert(hello.highest_version))
            self._end(
                Failure(
                    f"it offers {hello.version_name} at most, and TLS 1.2 or above is required"
                    " (protocol_version alert sent)"
                )
            )
            self._transport.close()
            return
        self._timer.cancel()  # start_tls has a timeout of its own
        self._task = asyncio.get_running_loop().create_task(self._start_tls())

    def eof_received(self) -> None:
        self._end(self._closed_early())

    def connection_lost(self, exc: Exception | None) -> None:
        # Once start_tls has the transport, its TLS protocol hears this instead.
        self._end(self._closed_early())
        if self._task is not None:
            self._task.cancel()

    def abort(self) -> None:
        self._end(None)
        if self._task is not None:
            self._task.cancel()
        self._transport.abort()

    def _timed_out(self) -> None:
        if self._task is None and not self._ended:
            self._end(Failure(f"no TLS ClientHello within {self._acceptor.timeout_s:g} s"))
            self._transport.abort()

    def _closed_early(self) -> Failure:
        if not self._hello:  # a TCP probe (a load balancer's health check): not TLS at all
            return Failure("closed before sending anything", logging.DEBUG)
        return Failure("it closed the connection during the TLS handshake", logging.INFO)

    def _end(self, failure: Failure | None) -> None:
        if self._ended:
            return
        self._ended = True
        self._timer.cancel()
        self._acceptor._done(self)
        if failure is not None:
            self._acceptor.failures.failed(self._peer, failure)

    async def _start_tls(self) -> None:
        loop = asyncio.get_running_loop()
        buffered = _Buffered()
        # Runs once start_tls below has put its TLS protocol on the transport, before that
        # protocol starts the handshake and resumes reading: the bytes read first go first.
        loop.call_soon(self._give_hello)
        try:
            transport = await loop.start_tls(
                self._transport,
                buffered,
                self._acceptor.context,
                server_side=True,
                ssl_handshake_timeout=self._acceptor.timeout_s,
            )
        except (OSError, EOFError) as error:  # ssl.SSLError is an OSError
            self._end(describe(error))
            return
        except asyncio.CancelledError:
            self._end(None)
            raise
        if transport is None:  # (start_tls returns None only for a closed transport)
            self._end(Failure("the connection closed as TLS started", logging.INFO))
            return
        self._end(None)
        transport.set_protocol(self._connection)
        self._connection.tls_started(transport)
        buffered.replay(self._connection)

    def _give_hello(self) -> None:
        protocol = self._transport.get_protocol()
        if protocol is self:  # start_tls failed before it took the transport
            return
        # The TLS protocol is a buffered one (asyncio's and uvloop's SSLProtocol; uvloop's is
        # not a subclass of asyncio.BufferedProtocol, hence the cast).
        buffered = cast(asyncio.BufferedProtocol, protocol)
        data = memoryview(bytes(self._hello))
        while data:
            buffer = memoryview(buffered.get_buffer(len(data)))
            size = min(len(buffer), len(data))
            buffer[:size] = data[:size]
            buffered.buffer_updated(size)
            data = data[size:]
