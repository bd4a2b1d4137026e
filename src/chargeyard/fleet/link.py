"""One station's TCP connection (``runtime.py`` runs the station on it): the opening
handshake (RFC 6455 section 4.1: a fixed request, ``handshake.py``, and a short check of the
101 response), then every chunk the socket delivers through ``websockets``' sans-I/O
:class:`~websockets.protocol.Protocol` (framing, ping/pong, close), whose text messages go to
the runtime. One :class:`asyncio.Protocol` whose callbacks do the work: no task per connection.
While the station's network faults add latency or cap the bandwidth (``fleet/chaos/``), each
direction's bytes go through a :class:`~chargeyard.fleet.chaos.pipe.Pipe` of the connection.

The station keeps its connection alive as OCPP has it (OCPP-J 1.6 section 5.3, OCPP 2.0.1
part 4 section 5.3): once nothing has come from the central system for WebSocketPingInterval
seconds, it sends a WebSocket ping; when nothing comes back by the next interval (a link gone
without a FIN, a central system that froze), it drops the connection and dials again, as a
dropped connection. The check rides the runtime's entry in the fleet's one timer
(``scheduling.Scheduler``: :attr:`Link.ping_at`), moved only when it comes: a frame received
costs a counter and a clock reading.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
from typing import TYPE_CHECKING, cast

from websockets.exceptions import InvalidHandshake
from websockets.frames import Frame, Opcode
from websockets.protocol import Protocol, Side, State
from websockets.utils import generate_key

from chargeyard.fleet.chaos.pipe import Pipe
from chargeyard.fleet.handshake import MAX_RESPONSE_HEAD_BYTES, check_upgrade_response
from chargeyard.protocol.keepalive import keepalive_step
from chargeyard.protocol.limits import socket_limit

if TYPE_CHECKING:
    from chargeyard.fleet.chaos.engine import Direction
    from chargeyard.fleet.runtime import StationRuntime
    from chargeyard.station.endpoint import Endpoint

_WEBSOCKETS_LOGGER = logging.getLogger("websockets.client")
logger = logging.getLogger(__name__)


class Link(asyncio.Protocol):
    """One TCP connection: the opening handshake, then bytes to and from ``websockets``'
    framing protocol, whose events go to the runtime."""

    __slots__ = (
        "_down",
        "_fragments",
        "_head",
        "_key",
        "_loop",
        "_peer_eof",
        "_ping_failed",
        "_ping_interval",
        "_pinged_at_reads",
        "_runtime",
        "_up",
        "close_timer",
        "endpoint",
        "handshake",
        "heard_at",
        "ping_at",
        "reads",
        "transport",
        "ws",
    )

    def __init__(self, runtime: StationRuntime, endpoint: Endpoint | None) -> None:
        self._runtime = runtime
        # Where this connection goes when the station chose (None: the runtime's URL).
        self.endpoint = endpoint
        self.transport: asyncio.Transport | None = None
        self._key = generate_key()
        self._head: bytearray | None = bytearray()  # the response so far; None once open
        self.ws: Protocol | None = None  # the framing, once the handshake succeeded
        # Resolved when the opening handshake ends, either way (the dialer waits on it).
        self._loop = asyncio.get_running_loop()
        self.handshake: asyncio.Future[None] = self._loop.create_future()
        self._fragments: list[bytes] | None = None
        self._peer_eof = False  # the central system's end closed its side of the socket
        self.close_timer: asyncio.TimerHandle | None = None
        # Each direction's bytes while the station's chaos adds latency or caps the bandwidth
        # (fleet/chaos/pipe.py); None when they go straight through.
        self._up: Pipe | None = None
        self._down: Pipe | None = None
        # The keepalive: the loop's time of the last bytes from the central system and how many
        # times bytes came; when it is next looked at (the runtime's timer calls
        # keepalive_due then; inf: never), and ``reads`` when the ping out went (None: none).
        self.heard_at = 0.0
        self.reads = 0
        self._ping_interval = 0
        self.ping_at = math.inf
        self._pinged_at_reads: int | None = None
        self._ping_failed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (create_connection), though uvloop's do not subclass
        # asyncio.Transport: an isinstance check would refuse them.
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self._runtime._upgrade_request(self._key, self.endpoint))

    def data_received(self, data: bytes) -> None:
        runtime = self._runtime
        ws = self.ws
        if ws is None:
            ws, data = self._shake_hands(data)
            if ws is None:
                return
            runtime._opened(self)
            if self.ws is None:
                return  # refused after all (stopped meanwhile)
            self._start_pinging()
            runtime._step()  # the session's first frames (its BootNotification)
        chaos = runtime.chaos
        if data and (self._down is not None or (chaos is not None and chaos.shaping)):
            self._shaped(data, "down")
            return
        self._take(data)

    def _take(self, data: bytes) -> None:
        """Frame and hand on bytes from the central system (late, when shaped)."""
        runtime, ws = self._runtime, self.ws
        if ws is None:
            return
        ws.receive_data(data)
        self.reads += 1
        self.heard_at = self._loop.time()
        received = False
        for event in ws.events_received():
            if not isinstance(event, Frame):
                continue  # (a client's protocol yields frames only, once open)
            if event.opcode is Opcode.TEXT:
                if event.fin:
                    runtime._received(bytes(event.data))
                    received = True
                else:
                    self._fragments = [bytes(event.data)]
            elif event.opcode is Opcode.CONT and self._fragments is not None:
                self._fragments.append(bytes(event.data))
                if event.fin:
                    message, self._fragments = b"".join(self._fragments), None
                    runtime._received(message)
                    received = True
            # Binary messages are not OCPP-J; ping, pong and close are the protocol's.
        if received:
            # A station steps only on what it was told: the central system's keepalive pings
            # (a ping a minute to every station) change nothing of it, and need only the
            # protocol's pong flushed.
            runtime._step()
        self.flush()

    def _shake_hands(self, data: bytes) -> tuple[Protocol | None, bytes]:
        """Collect the response head; once it is complete, check it and open the framing."""
        head = self._head
        if head is None or self.handshake.done():
            return None, b""  # refused, or the dial gave up (its timeout, a stop)
        head += data
        end = head.find(b"\r\n\r\n")
        if end < 0:
            if len(head) > MAX_RESPONSE_HEAD_BYTES:
                self._refuse(InvalidHandshake("the response to the upgrade is too long"))
            return None, b""
        rest = bytes(head[end + 4 :])
        try:
            check_upgrade_response(bytes(head[:end]), self._key, self._runtime.subprotocol)
        except InvalidHandshake as error:
            self._refuse(error)
            return None, b""
        self._head, self._key = None, ""
        # Frames over the station's limit are answered by its session (protocol/limits.py);
        # a message over four times the limit closes the socket with 1009 before it is read.
        self.ws = Protocol(
            Side.CLIENT,
            state=State.OPEN,
            max_size=socket_limit(self._runtime.station.max_frame_bytes),
            logger=_WEBSOCKETS_LOGGER,
        )
        self.handshake.set_result(None)
        return self.ws, rest

    def _refuse(self, error: InvalidHandshake) -> None:
        self._head = None
        self.fail_handshake(error)
        if self.transport is not None:
            self.transport.close()

    def eof_received(self) -> bool | None:
        self._peer_eof = True
        if self._down is not None and self._down.holding:
            self._down.push(b"", 0.0, None)  # after what is still on its way (_take)
            return True
        if self.ws is not None:
            self.ws.receive_eof()
            self.flush()
        return None  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self.close_timer is not None:
            self.close_timer.cancel()
        self.ping_at = math.inf
        for pipe in (self._up, self._down):
            if pipe is not None:
                pipe.close()  # bytes in flight die with the connection
        self.fail_handshake(exc or ConnectionError("connection closed before the handshake"))
        self._runtime._link_lost(self, exc)

    def ended_by_peer(self, exc: Exception | None) -> str | None:
        """How the open connection ended, when the station did not end it: the central
        system's close frame, or the error the socket reported (a reset); None when the
        station closed it or cut it itself (a stop, a fault of its chaos)."""
        ws = self.ws
        if self._ping_failed:
            return f"no answer to the station's WebSocket ping within {self._ping_interval} s"
        if ws is not None and ws.close_sent is not None and not ws.close_rcvd_then_sent:
            return None  # the station's closing handshake
        if ws is not None and ws.close_rcvd is not None:
            reason = f" {ws.close_rcvd.reason}" if ws.close_rcvd.reason else ""
            return f"closed by the central system ({ws.close_rcvd.code}{reason})"
        if exc is not None:
            return f"{type(exc).__name__}: {exc}"
        if self._peer_eof:
            return "closed by the central system without a close frame"
        return None

    def _start_pinging(self) -> None:
        """Once open: ping after WebSocketPingInterval seconds of silence (0: never)."""
        self._ping_interval = self._runtime.station.websocket_ping_interval()
        self.heard_at = self._loop.time()
        if self._ping_interval > 0:
            self.ping_at = self.heard_at + self._ping_interval

    def keepalive_due(self) -> None:
        """At ``ping_at``: drop a connection whose ping got nothing back within the interval;
        else ping one silent for the interval; else look again an interval after the last
        bytes. (The runtime re-arms its timer on the new ``ping_at`` after its step.)"""
        self.ping_at = math.inf
        ws, transport, interval = self.ws, self.transport, self._ping_interval
        if ws is None or ws.state is not State.OPEN or transport is None or transport.is_closing():
            return
        chaos = self._runtime.chaos
        if chaos is not None and chaos.half_open:
            # The station reads nothing while the fault lasts (docs/chaos.md, half_open): it
            # cannot tell, and the connection stays half-open for the central system to find.
            self._pinged_at_reads = None
            self.ping_at = self._loop.time() + interval
            return
        now = self._loop.time()
        step = keepalive_step(self._pinged_at_reads, self.reads, self.heard_at, now, interval)
        if step == "fail":
            logger.info(
                "%s: no answer to its WebSocket ping within %s s; dropping the connection",
                self._runtime.station.identity,
                interval,
            )
            self._ping_failed = True
            self.abort()
            return
        if step != "ping":
            self._pinged_at_reads = None
            self.ping_at = step
            return
        self._pinged_at_reads = self.reads
        ws.send_ping(os.urandom(4))
        self.flush()
        self.ping_at = now + interval

    def fail_handshake(self, error: Exception) -> None:
        """End the opening handshake with ``error`` (for the dialer, if it still waits)."""
        if not self.handshake.done():
            self.handshake.set_exception(error)
            self.handshake.exception()  # retrieved: nobody else may be left to look

    def send_text(self, frames: list[bytes]) -> None:
        ws = self.ws
        if ws is None or ws.state is not State.OPEN:
            return  # closing: the station is disconnected when the socket is gone
        for frame in frames:
            ws.send_text(frame)
        self.flush()

    def flush(self) -> None:
        transport, ws = self.transport, self.ws
        # An aborted transport hears of its loss a loop iteration later, and uvloop's refuses
        # a write meanwhile (asyncio's drops it): what was not sent is lost with the socket.
        if transport is None or ws is None or transport.is_closing():
            return
        chaos = self._runtime.chaos
        for data in ws.data_to_send():
            if self._up is not None or (chaos is not None and chaos.shaping):
                self._shaped(data, "up")
            elif not self._write(data):
                return

    def _write(self, data: bytes) -> bool:
        """Write bytes for the central system; False once the transport cannot take more."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return False
        if not data:  # websockets' SEND_EOF: the closing handshake is over on our side
            transport.close()
            return False
        try:
            transport.write(data)
        except RuntimeError:
            # uvloop's transport whose socket failed under it (reset by the peer) is
            # closed before it says it is closing; its loss is on the way, as above.
            return False
        return True

    def _shaped(self, data: bytes, direction: Direction) -> None:
        """Send or take bytes through the pipe of ``direction`` (the chaos's latency and
        bandwidth cap); once nothing shapes and nothing waits, bytes go straight again."""
        chaos = self._runtime.chaos
        up = direction == "up"
        pipe = self._up if up else self._down
        if (chaos is None or not chaos.shaping) and (pipe is None or not pipe.holding):
            if up:
                self._up = None
                self._write(data)
            else:
                self._down = None
                self._take(data)
            return
        if pipe is None:
            pipe = Pipe(self._write_late if up else self._take_late)
            if up:
                self._up = pipe
            else:
                self._down = pipe
        if chaos is not None and chaos.shaping:
            pipe.push(data, chaos.latency(direction), chaos.rate(direction))
        else:
            pipe.push(data, 0.0, None)  # after what still waits

    def _write_late(self, data: bytes) -> None:
        self._write(data)

    def _take_late(self, data: bytes) -> None:
        transport = self.transport
        if data:
            self._take(data)
        elif self.ws is not None and transport is not None and not transport.is_closing():
            # The end of the stream, after the bytes that were on their way before it.
            self.ws.receive_eof()
            self.flush()
            transport.close()

    def close(self, code: int, reason: str, timeout: float) -> None:
        """Start the closing handshake; abort the TCP connection if it is not over in time."""
        ws = self.ws
        if ws is None:
            self.abort()
            return
        if ws.state is State.OPEN:
            ws.send_close(code, reason)
            self.flush()
        if self.transport is not None and self.close_timer is None:
            self.close_timer = asyncio.get_running_loop().call_later(timeout, self.abort)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()
