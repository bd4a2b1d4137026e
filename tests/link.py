"""The one in-memory link between a station and a central system, shared by every layer's tests.

Two sans-I/O endpoints (a protocol ``Session``, a ``SimulatedStation``: ``receive(text)`` in,
``data_to_send()`` out) are joined by :func:`carry`, which hands each side's frames to the
other until both are quiet; the protocol and station tests pump it on an injected clock.

An :class:`~chargeyard.transport.OcppConnection` (the asyncio adapter a central system runs) is
joined by a :class:`MemorySocket` pair, an in-memory stand-in for the ``websockets`` connection
it reads and writes (``recv``, ``send``, ``close``; text frames only, as OCPP-J). At the other
end, :class:`MemoryStation` runs a simulated station on the event loop as ``StationRuntime``
does over TCP, and a bare peer answers frames a test writes by hand. The API tests run on these:
the same frames as over a socket, without a listener, a TCP connect or a handshake. What only a
socket shows (handshakes, close codes on the wire, a peer that stops reading) stays with the
tests that run a real listener.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Protocol

from websockets.exceptions import ConnectionClosed
from websockets.frames import Close

from chargeyard.station.core import SimulatedStation
from chargeyard.station.io import HasStationIO, UnavailableIO

RECONNECT_AFTER = 0.05
"""Seconds a station waits before it connects again after the central system closed on it."""


class SansIO(Protocol):
    """What :func:`carry` joins: a session or a station, without I/O."""

    def receive(self, data: str | bytes) -> Any: ...

    def data_to_send(self) -> list[bytes]: ...


def carry(
    first: SansIO,
    second: SansIO,
    on_frame: Callable[[SansIO, bytes, Any], None] | None = None,
    max_frames: int = 10_000,
) -> int:
    """Deliver frames both ways, ``first``'s before ``second``'s on each round, until neither
    side has anything to say; returns how many frames went.

    ``on_frame(sender, frame, received)`` hears of each frame after the receiver took it, with
    what ``receive`` returned (a session's events).

    Raises:
        AssertionError: more than ``max_frames`` frames, as when two sides answer each other
            for ever.
    """
    carried = 0
    while True:
        quiet = True
        for sender, receiver in ((first, second), (second, first)):
            for frame in sender.data_to_send():
                quiet = False
                carried += 1
                assert carried <= max_frames, "the link never went quiet"
                received = receiver.receive(frame.decode())
                if on_frame is not None:
                    on_frame(sender, frame, received)
        if quiet:
            return carried


class MemorySocket:
    """One end of an in-memory WebSocket: text messages in order, then a close both ends see.

    Messages sent before a close are still received; after it, ``recv`` and ``send`` raise
    ``ConnectionClosed`` as ``websockets`` does.
    """

    def __init__(self) -> None:
        self._inbox: asyncio.Queue[str | None] = asyncio.Queue()
        self._peer: MemorySocket = self
        self.close_code: int | None = None
        self.close_reason = ""

    @classmethod
    def pair(cls) -> tuple[MemorySocket, MemorySocket]:
        """Two ends joined to each other."""
        one, other = cls(), cls()
        one._peer, other._peer = other, one
        return one, other

    @property
    def open(self) -> bool:
        return self.close_code is None

    async def recv(self) -> str:
        message = await self._inbox.get()
        if message is None:
            self._inbox.put_nowait(None)  # every later recv sees the close too
            raise self._closed()
        return message

    async def send(self, message: str | bytes, text: bool = True) -> None:
        self.send_now(message)

    def send_now(self, message: str | bytes) -> None:
        if self.close_code is not None:
            raise self._closed()
        text = message.decode() if isinstance(message, bytes) else message
        self._peer._inbox.put_nowait(text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.close_now(code, reason)

    def close_now(self, code: int = 1000, reason: str = "") -> None:
        for end in (self, self._peer):
            if end.close_code is None:
                end.close_code, end.close_reason = code, reason
                end._inbox.put_nowait(None)

    def _closed(self) -> ConnectionClosed:
        frame = Close(self.close_code or 1006, self.close_reason)
        return ConnectionClosed(frame, frame, rcvd_then_sent=True)


async def answer_by_hand(socket: MemorySocket, answer: Callable[[str], str | None]) -> None:
    """A bare peer: each message read gets ``answer(message)`` back (None: no answer), until
    the socket closes."""
    with contextlib.suppress(ConnectionClosed):
        while True:
            reply = answer(await socket.recv())
            if reply is not None:
                await socket.send(reply)


class MemoryStation:
    """Runs a :class:`SimulatedStation` on the event loop over :class:`MemorySocket` s, as
    ``StationRuntime`` runs one over TCP: after every frame, timer and wake the station's
    frames are written in order; one timer follows ``station.next_deadline()``; a connection is
    opened whenever the station wants one (at start, after a reboot) and given up when it does
    not; a close from the central system is ``station.disconnect()``, and a station that still
    wants a connection opens a new one :data:`RECONNECT_AFTER` later.

    Args:
        station: the station to run (on the system clock: its deadlines are the loop's).
        dial: opens a connection to the central system; returns the station's end.

    File transfers (firmware, diagnostics) fail at once, as a station without network I/O.
    """

    def __init__(self, station: SimulatedStation, dial: Callable[[], MemorySocket]) -> None:
        self.station = station
        self._dial = dial
        self._loop = asyncio.get_running_loop()
        self._socket: MemorySocket | None = None
        self._readers: set[asyncio.Task[None]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._retry: asyncio.TimerHandle | None = None
        self._running = False
        self._busy = False
        self._step_scheduled = False
        station.wake = self._wake
        if isinstance(getattr(station, "io", None), UnavailableIO):
            assert isinstance(station, HasStationIO)
            station.io = UnavailableIO(schedule=self._later)

    @property
    def connected(self) -> bool:
        """The in-memory WebSocket is open (the station may still be booting)."""
        return self._socket is not None and self._socket.open

    def start(self) -> None:
        """Run the station: its timers start and it connects (if it wants to)."""
        if not self._running:
            self._running = True
            self._step()

    async def stop(self) -> None:
        """Close the connection (1001, as a station going away) and stop the timers."""
        self._running = False
        for handle in (self._timer, self._retry):
            if handle is not None:
                handle.cancel()
        self._timer = self._retry = None
        if self._socket is not None:
            self._socket.close_now(1001, "station stopped")
        await asyncio.gather(*self._readers)

    def _connect(self) -> None:
        socket = self._socket = self._dial()
        self._busy = True
        try:
            self.station.connect()
        finally:
            self._busy = False
        reader = self._loop.create_task(self._read(socket))
        self._readers.add(reader)
        reader.add_done_callback(self._readers.discard)

    async def _read(self, socket: MemorySocket) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                message = await socket.recv()
                self._busy = True
                try:
                    self.station.receive(message)
                finally:
                    self._busy = False
                self._step()
        if socket is not self._socket:
            return
        self._socket = None
        self.station.disconnect()
        if self._running and self.station.wants_connection:
            self._retry = self._loop.call_later(RECONNECT_AFTER, self._retried)
        self._step()

    def _retried(self) -> None:
        self._retry = None
        self._step()

    def _step(self) -> None:
        if not self._running:
            return
        station, socket = self.station, self._socket
        if socket is None and station.wants_connection and self._retry is None:
            self._connect()
            socket = self._socket
        if socket is not None and socket.open:
            for frame in station.data_to_send():
                socket.send_now(frame)
            if not station.wants_connection:
                socket.close_now(1001, "station going offline")
        self._arm_timer()

    def _arm_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self.station.next_deadline()
        if deadline is not None:
            delay = max(0.0, deadline - self.station.clock.monotonic())
            self._timer = self._loop.call_later(delay, self._tick)

    def _tick(self) -> None:
        self._timer = None
        self._busy = True
        try:
            self.station.tick()
        finally:
            self._busy = False
        self._step()

    def _wake(self) -> None:
        # From inside receive() or tick() the step follows anyway; from outside (a plug, a
        # reboot), step once on the next turn of the loop however many wakes came.
        if self._busy or self._step_scheduled:
            return
        self._step_scheduled = True
        self._loop.call_soon(self._scheduled_step)

    def _scheduled_step(self) -> None:
        self._step_scheduled = False
        self._step()

    def _later(self, work: Callable[[], None]) -> None:
        def run() -> None:
            work()
            self._wake()

        self._loop.call_soon(run)
