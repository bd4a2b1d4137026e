"""Runs one simulated station over a real WebSocket (asyncio, ``websockets``).

Theory of operation
-------------------
The station decides everything (``core.py``); this adapter only moves frames and time:

* while the station ``wants_connection``, connect to its central system's URL with the
  station's subprotocol, and HTTP Basic credentials when it has a password (OCPP 1.6 security
  whitepaper / OCPP 2.0.1 part 2 A00, security profile 1; ``wss://`` URLs give profile 2's TLS);
* one reader per socket feeds frames to ``station.receive``; after every step the station's
  outgoing frames are written in order;
* one timer per station, armed at ``station.next_deadline()``, calls ``station.tick()``;
* when the socket drops, ``station.disconnect()``; reconnect with exponential backoff and full
  jitter (OCPP 2.0.1 B04's RetryBackOff idea), so a fleet does not stampede its CSMS;
* ``station.wake`` (something changed outside a frame or timer: a plug, a reboot) re-runs the
  same step.

Everything started here belongs to :meth:`StationRuntime.start`'s task and ends with
:meth:`StationRuntime.stop`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import random
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from chargeyard.station.core import SimulatedStation

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Seconds: the first wait, its growth factor and ceiling; waits are drawn uniformly from
    [0, wait] ("full jitter")."""

    initial: float = 1.0
    factor: float = 2.0
    ceiling: float = 60.0

    def wait(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0, min(self.ceiling, self.initial * self.factor**attempt))


class StationRuntime:
    """Connects a :class:`SimulatedStation` to ``url`` and keeps it connected.

    Args:
        station: the station to run.
        url: the central system's WebSocket URL for this station (identity included).
        password: HTTP Basic password (security profile 1); None sends no credentials.
        reconnect: the backoff policy.
        open_timeout: seconds allowed for the WebSocket handshake.
    """

    def __init__(
        self,
        station: SimulatedStation,
        url: str,
        *,
        password: str | None = None,
        reconnect: ReconnectPolicy | None = None,
        open_timeout: float = 10.0,
        rng: random.Random | None = None,
    ) -> None:
        self.station = station
        self.url = url
        self._password = password
        self._reconnect = reconnect or ReconnectPolicy()
        self._open_timeout = open_timeout
        self._rng = rng or random.Random()
        self._task: asyncio.Task[None] | None = None
        self._websocket: ClientConnection | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._woken = asyncio.Event()
        self._step_scheduled = False
        self._writes: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()
        self.last_error: str | None = None
        station.wake = self._wake

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"station {self.station.identity}"
            )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._cancel_timer()
        for write in list(self._writes):
            write.cancel()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # -- the loop -------------------------------------------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        self._arm_timer()  # a station's timers run while it is offline too
        try:
            while True:
                if not self.station.wants_connection:
                    self._woken.clear()
                    await self._woken.wait()
                    continue
                try:
                    await self._serve_one_connection()
                    attempt = 0
                except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as error:
                    self.last_error = f"{type(error).__name__}: {error}"
                    logger.info("%s: cannot connect: %s", self.station.identity, self.last_error)
                    if isinstance(error, InvalidURI):
                        return  # no retry can fix the URL
                # Station activity must not cut the backoff short: plain sleep.
                await asyncio.sleep(self._reconnect.wait(attempt, self._rng))
                attempt += 1
        finally:
            self._cancel_timer()

    async def _serve_one_connection(self) -> None:
        station = self.station
        headers = {}
        if self._password is not None:
            token = base64.b64encode(f"{station.identity}:{self._password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        async with connect(
            self.url,
            subprotocols=[station.version.subprotocol],  # type: ignore[list-item]
            additional_headers=headers,
            open_timeout=self._open_timeout,
            compression=None,
            ping_interval=None,
            max_queue=64,
        ) as websocket:
            if websocket.subprotocol != station.version.subprotocol:
                raise InvalidHandshake(
                    f"central system did not accept {station.version.subprotocol}"
                )
            self._websocket = websocket
            self.last_error = None
            station.connect()
            self.connected.set()
            logger.info("%s: connected to %s", station.identity, self.url)
            try:
                self._step()
                while True:
                    data = await websocket.recv()
                    if isinstance(data, bytes):
                        continue  # OCPP-J is text frames only
                    station.receive(data)
                    self._step()
            except ConnectionClosed:
                pass
            finally:
                self._websocket = None
                self.connected.clear()
                station.disconnect()
                self._arm_timer()
                logger.info("%s: disconnected", station.identity)

    # -- after every step: write, re-arm, and close when the station wants to go ------------------

    def _step(self) -> None:
        websocket = self._websocket
        frames = self.station.data_to_send()
        if websocket is not None:
            if frames:
                self._spawn_write(websocket, frames)
            if not self.station.wants_connection:
                self._spawn_close(websocket)
        self._arm_timer()

    def _spawn_write(self, websocket: ClientConnection, frames: list[bytes]) -> None:
        task = asyncio.get_running_loop().create_task(self._write(websocket, frames))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _write(self, websocket: ClientConnection, frames: list[bytes]) -> None:
        try:
            for frame in frames:
                await websocket.send(frame, text=True)
        except ConnectionClosed:
            pass  # the reader sees the close and disconnects the station

    def _spawn_close(self, websocket: ClientConnection) -> None:
        task = asyncio.get_running_loop().create_task(websocket.close())
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    def _wake(self) -> None:
        # Wake may come from inside station.receive() (a handler's call()); stepping at once
        # could write a CALL ahead of the CALLRESULT it follows. So step on the next loop turn,
        # once, however many wakes came.
        self._woken.set()
        if not self._step_scheduled:
            self._step_scheduled = True
            asyncio.get_running_loop().call_soon(self._scheduled_step)

    def _scheduled_step(self) -> None:
        self._step_scheduled = False
        self._step()

    def _arm_timer(self) -> None:
        self._cancel_timer()
        deadline = self.station.next_deadline()
        if deadline is None:
            return
        delay = max(0.0, deadline - self.station.clock.monotonic())
        self._timer = asyncio.get_running_loop().call_later(delay, self._on_timer)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        self.station.tick()
        self._woken.set()
        self._step()
