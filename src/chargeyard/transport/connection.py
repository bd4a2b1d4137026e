"""An OCPP-J session over an asyncio ``websockets`` connection.

The session (``chargeyard.protocol``) decides; this adapter only moves bytes and time:

* every text message goes to ``Session.receive`` (answers are matched by unique id inside the
  session, never by "the next frame"): read by one reader loop per socket, or, on a
  :class:`~chargeyard.transport.push.PushServerConnection` (the central system's listener),
  pushed by the socket as it arrives and answered with synchronous writes, with no reader task
  and no await per frame;
* a timer, armed at the session's next deadline, calls ``Session.expire``;
* handlers that return awaitables run as tasks owned by the connection;
* with a :class:`~chargeyard.transport.scheduler.WorkQueue`, incoming CALLs (and SENDs) are
  handed to it and processed when it says, while answers to our own CALLs are taken at once:
  under load, a command's answer does not wait behind the peers' traffic. A peer's CALLs go
  to the queue one at a time: the next only once the previous one is answered (OCPP-J 1.6
  section 4.1.1, 2.0.1 part 4 section 4.1.1: one outstanding CALL per direction), so a peer
  that pipelines thousands of CALLs holds one place in the queue, like every other peer, and
  cannot starve them. What it sends ahead waits on its own connection, up to
  :data:`MAX_CHARS_WAITING`; beyond that the connection is closed (1008). The socket is not
  paused instead: a paused socket answers no WebSocket ping, and the peer's keepalive would
  drop the connection anyway, later;
* ``call()`` returns the peer's CALLRESULT payload, or raises the session's ``CallFailure``;
* an optional observer (``on_frame``) sees every text frame in and out, e.g. for a frame log;
  another (``observer``, the session's) hears of messages, round trips and CALLERRORs, for
  metrics;
* frames are held to ``max_frame_bytes`` by the session (``protocol/limits.py``); the socket
  itself is opened by the caller with ``max_size=socket_limit(max_frame_bytes)``.

Everything started here is owned by :meth:`OcppConnection.run` and ends with it: when the socket
closes, pending calls fail with ``CallCancelled`` and handler tasks are cancelled.

Going away. :meth:`OcppConnection.drain` ends a connection without losing an answer: from then
on the peer's new CALLs are not taken (not handled, not answered: the peer sends them again
after reconnecting, as for any CALL left unanswered), the CALLs already taken are answered, and
then the socket closes with 1001 Going Away. A CALL whose handler committed what it reported is
thus always answered, so the peer never sends it again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

from chargeyard.protocol import (
    DEFAULT_MAX_FRAME_BYTES,
    CallAnswered,
    CallFailed,
    CallResultErrorReceived,
    Event,
    Handler,
    HandlerDeferred,
    Payload,
    Role,
    Session,
    VersionSpec,
)
from chargeyard.protocol.observer import SessionObserver
from chargeyard.protocol.session import DEFAULT_CALL_TIMEOUT
from chargeyard.transport.push import PushServerConnection
from chargeyard.transport.scheduler import WorkQueue

logger = logging.getLogger(__name__)

FrameObserver = Callable[[str, str], None]
"""Called with ``"in"`` or ``"out"`` and the frame's text, on the event loop, for every text
frame received or sent; it must be quick and must not raise (it runs on the hot path)."""

MAX_CHARS_WAITING = 4 * 1024 * 1024
"""How much a peer may send ahead of the answer to its previous CALL, in characters of the
CALLs waiting, before its connection is closed. OCPP-J allows nothing ahead; this leaves room
for a station re-sending a long queue at once (4 MiB: 20,000 pipelined Heartbeats take 0.6 MiB,
4,000 MeterValues of 1 KB each 4 MiB), and bounds what a flood can make a connection hold."""

# The head of an answer to a CALL of ours: CALLRESULT, CALLERROR (OCPP-J 1.6 section 4.1.3) or
# a 2.1 CALLRESULTERROR. Anything else, malformed text included, is the peer's to wait its turn.
_ANSWER_HEAD = re.compile(r"\s*\[\s*[345]\s*,")


class OcppConnection:
    """Runs one OCPP-J session over one WebSocket.

    Args:
        websocket: an open ``websockets`` asyncio connection (client or server side); a
            :class:`PushServerConnection` is driven by its pushes instead of a reader loop.
        version: the version negotiated in the handshake.
        role: which end this side is.
        handlers: incoming-call handlers keyed by action.
        name: how the connection is called in logs (the station identity).
        call_timeout, validate, new_id, max_frame_bytes: passed to the :class:`Session`.
        on_frame: a :data:`FrameObserver`, or None.
        observer: the session's :class:`SessionObserver`, or None.
        scheduler: the :class:`WorkQueue` that says when incoming CALLs are processed, or None
            to process each as it is read.
    """

    def __init__(
        self,
        websocket: Connection,
        version: VersionSpec,
        role: Role,
        handlers: Mapping[str, Handler] | None = None,
        *,
        name: str = "",
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        validate: bool = True,
        new_id: Callable[[], str] | None = None,
        on_frame: FrameObserver | None = None,
        observer: SessionObserver | None = None,
        scheduler: WorkQueue | None = None,
        max_frame_bytes: int | None = DEFAULT_MAX_FRAME_BYTES,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._websocket = websocket
        self._push = websocket if isinstance(websocket, PushServerConnection) else None
        self.name = name
        # The session's clock is the loop's, so its deadlines can be handed to call_at.
        self.session = Session(
            version,
            role,
            handlers,
            clock=self._loop.time,
            new_id=new_id,
            call_timeout=call_timeout,
            validate=validate,
            observer=observer,
            max_frame_bytes=max_frame_bytes,
        )
        self._futures: dict[str, asyncio.Future[Payload]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._running = False
        self._on_frame = on_frame
        self._scheduler = scheduler
        self._draining = False
        # The peer's CALLs sent ahead of an answer (scheduler only; see the module docstring).
        self._calls_waiting: deque[str] = deque()
        self._chars_waiting = 0
        self._call_taken = False

    @property
    def version(self) -> VersionSpec:
        return self.session.version

    async def call(self, action: str, payload: Payload) -> Payload:
        """Send a CALL and wait for its answer.

        Returns:
            The CALLRESULT payload, checked against the action's response schema.

        Raises:
            OcppError: the request is invalid; nothing was sent.
            FrameTooLarge: the CALL would be a frame over the limit; nothing was sent.
            CallFailure: CallErrorReply, CallTimeout, MalformedCallResult or CallCancelled.
        """
        unique_id = self.session.call(action, payload)
        future: asyncio.Future[Payload] = self._loop.create_future()
        self._futures[unique_id] = future
        self._arm_timer()
        await self._flush()
        return await future

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``coroutine`` as work of this connection, cancelled when it ends (a CALL the
        central system sends of its own accord after answering one, ``csms/follow_ups.py``)."""
        return self._start(coroutine)

    async def send(self, action: str, payload: Payload) -> None:
        """Send an OCPP 2.1 SEND, which is never answered."""
        self.session.send(action, payload)
        await self._flush()

    async def run(self) -> None:
        """Read until the socket closes, then fail what is pending and stop what was started."""
        self._running = True
        try:
            if self._push is not None:
                self._push.listen(self._pushed)
                await self._push.wait_closed()
            else:
                await self._read_loop()
        finally:
            self._running = False
            self._shutdown()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the WebSocket; :meth:`run` then returns."""
        await self._websocket.close(code, reason)

    @property
    def draining(self) -> bool:
        """:meth:`drain` has begun: the peer's new CALLs are no longer taken."""
        return self._draining

    async def drain(self, wait_s: float, reason: str = "going away") -> None:
        """Stop taking the peer's CALLs, answer the ones taken (waiting at most ``wait_s``
        seconds for their handlers), then close with 1001 Going Away (RFC 6455 section 7.4.1).
        Answers to our own CALLs are still taken meanwhile."""
        self._draining = True
        handlers = [task for task in self._tasks if not task.done()]
        if handlers:
            _, late = await asyncio.wait(handlers, timeout=wait_s)
            if late:
                logger.warning(
                    "%s: %d call(s) still being handled after %.1f s; closing anyway",
                    self.name,
                    len(late),
                    wait_s,
                )
        await self._flush()
        await self.close(1001, reason)

    async def _read_loop(self) -> None:
        websocket = self._websocket
        while True:
            try:
                data = await websocket.recv()
            except ConnectionClosed:
                return
            if isinstance(data, bytes):
                # OCPP-J uses text frames only (OCPP-J 1.6 section 4.1.1).
                logger.warning("%s: binary frame ignored (%d bytes)", self.name, len(data))
                continue
            if self._received(data):
                await self._flush()

    def _pushed(self, data: str) -> None:
        if self._running and self._received(data):
            self._write()

    def _received(self, data: str) -> bool:
        """Take one text message; True when the session took it now (answers may be due)."""
        if self._on_frame is not None:
            self._on_frame("in", data)
        if self._draining and _ANSWER_HEAD.match(data) is None:
            logger.debug("%s: going away; a CALL left for the peer to send again", self.name)
            return False
        scheduler = self._scheduler
        if scheduler is not None and _ANSWER_HEAD.match(data) is None:
            if not self._call_taken:
                self._call_taken = True
                scheduler.submit(functools.partial(self._take_call, data))
            elif self._chars_waiting + len(data) <= MAX_CHARS_WAITING:
                self._calls_waiting.append(data)
                self._chars_waiting += len(data)
            else:
                self._too_many_calls()
            return False
        events = self.session.receive(data)
        if events:
            self._handle(events)
        return True

    def _take_call(self, data: str) -> asyncio.Task[None] | None:
        """Process an incoming CALL the scheduler let through; returns the task that answers
        it (the scheduler counts it as active until it is done)."""
        if not self._running or self._draining:
            # The connection closed, or is going away, while the CALL waited: not taken, so
            # not answered, and the peer sends it again.
            self._calls_waiting.clear()
            self._chars_waiting = 0
            return None
        events = self.session.receive(data)
        started = self._handle(events) if events else None
        # An answer given on the spot (a CALLERROR, a synchronous handler) goes out now.
        task = started if started is not None else self._send_due()
        if task is None:
            self._take_next_call()
        else:
            task.add_done_callback(self._answered)
        return task

    def _answered(self, task: asyncio.Task[None]) -> None:
        self._take_next_call()

    def _take_next_call(self) -> None:
        """The peer's previous CALL is answered: queue its next one, if it sent one ahead."""
        scheduler = self._scheduler
        if self._calls_waiting and scheduler is not None:
            data = self._calls_waiting.popleft()
            self._chars_waiting -= len(data)
            scheduler.submit(functools.partial(self._take_call, data))
        else:
            self._call_taken = False

    def _too_many_calls(self) -> None:
        logger.warning(
            "%s: %d CALLs (%d characters) sent ahead of their answers; closing the connection",
            self.name,
            len(self._calls_waiting),
            self._chars_waiting,
        )
        self._calls_waiting.clear()
        self._chars_waiting = 0
        self._draining = True  # take no more of its CALLs; the one being handled is answered
        self._start(
            self.close(1008, "too much sent ahead of an answer (OCPP-J 4.1.1: one CALL at a time)")
        )

    def _handle(self, events: list[Event]) -> asyncio.Task[None] | None:
        """Act on the session's events; returns the task of the last deferred handler."""
        started = None
        for event in events:
            if isinstance(event, CallAnswered):
                future = self._futures.pop(event.unique_id, None)
                if future is not None and not future.done():
                    future.set_result(event.payload)
            elif isinstance(event, CallFailed):
                future = self._futures.pop(event.unique_id, None)
                if future is not None and not future.done():
                    future.set_exception(event.error)
            elif isinstance(event, CallResultErrorReceived):
                # 2.1 part 4 section 4.2.4: the peer could not process our CALLRESULT. Nothing
                # waits for it (our answer went out); it is logged with whose it is, and the
                # frame log keeps it whole.
                logger.warning(
                    "%s: refused our answer [%s]: %s %s",
                    self.name,
                    event.unique_id,
                    event.error_code,
                    event.error_description,
                )
            elif isinstance(event, HandlerDeferred):
                started = self._start(self._complete(event.unique_id, event.awaitable))
                if isinstance(event.awaitable, Coroutine):
                    # A task cancelled before its first step (the socket closed meanwhile)
                    # never awaits the handler: closed here, it is not reported as a
                    # coroutine never awaited. Closing one that ran is a no-op.
                    started.add_done_callback(functools.partial(_close, event.awaitable))
        # An answer lets the next queued call go out with a fresh deadline.
        self._arm_timer()
        return started

    async def _complete(self, unique_id: str, awaitable: Awaitable[Any]) -> None:
        try:
            payload = await awaitable
        except Exception as error:  # answered as InternalError, or as the OcppError says
            self.session.respond_error(unique_id, error)
        else:
            self.session.respond(unique_id, payload)
        await self._flush()

    async def _flush(self) -> None:
        """Send what the session has to send (at once on a push socket)."""
        if self._push is not None:
            self._write()
            return
        frames = self._outgoing()
        try:
            for frame in frames:
                await self._websocket.send(frame, text=True)
        except ConnectionClosed:
            logger.debug("%s: %d frame(s) not sent, connection closed", self.name, len(frames))

    def _write(self) -> None:
        """:meth:`_flush` on a push socket, without a coroutine."""
        assert self._push is not None
        frames = self._outgoing()
        if frames and not self._push.send_texts(frames):
            logger.debug("%s: %d frame(s) not sent, connection closed", self.name, len(frames))

    def _send_due(self) -> asyncio.Task[None] | None:
        """Send what the session has to send from a callback: at once on a push socket (None),
        else by a task (returned)."""
        if self._push is not None:
            self._write()
            return None
        return self._start(self._flush())

    def _outgoing(self) -> list[bytes]:
        """The session's frames to send, each shown to the frame observer first."""
        frames = self.session.data_to_send()
        observer = self._on_frame
        if observer is not None:
            for frame in frames:
                observer("out", frame.decode())
        return frames

    def _start(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = self._loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # Deadlines only move later (a new call gets a later one), so the timer is re-armed only
    # when the next deadline is earlier than the armed one, or after it fires: one timer per
    # connection per timeout period instead of one per call.
    def _arm_timer(self) -> None:
        deadline = self.session.next_deadline()
        if deadline is None:
            return
        if self._timer is not None and self._timer_at <= deadline:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = deadline
        self._timer = self._loop.call_at(deadline, self._on_deadline)

    def _on_deadline(self) -> None:
        self._timer = None
        events = self.session.expire()
        self._handle(events)
        if events:
            self._send_due()

    def _shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._handle(self.session.close())
        for future in self._futures.values():
            if not future.done():
                future.cancel()
        self._futures.clear()
        for task in self._tasks:
            task.cancel()


def _close(coroutine: Coroutine[Any, Any, Any], _task: asyncio.Task[None]) -> None:
    coroutine.close()
