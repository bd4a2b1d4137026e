"""One relayed connection: a charger's socket and its upstream's, a reader on each that hands
every message to the other side as it came, in the order it came, recorded as it is read.

When either side closes, the other is closed with the same code and reason where a close frame
may carry them (RFC 6455 section 7.4.1: 1005, 1006 and 1015 are never sent); a reader that
fails with both sides open (not expected: recording failures are the recording's) closes both
with 1011. Both readers belong to :meth:`Pipe.run` and end with it.

Two ways the proxy takes part, for a test that needs them (``holds.py``, :meth:`Pipe.inject`):
a charger's CALL of a held action waits before it is relayed, one of a dropped action is not
relayed; and a CALL the proxy sends the charger itself is answered to the proxy, not relayed to
the upstream, which never sees either. OCPP-J allows one CALL in flight each way (1.6 section
4.1.1, 2.0.1 part 4 section 4.1.1), so an injected CALL and the upstream's take turns: an
injected CALL waits until the upstream's CALL in flight is answered, and a CALL of the upstream
waits at the proxy while an injected one is (only then: with nothing injected, the upstream's
CALLs pass as they came, answered or not). The trace shows each as the simulator's network faults
are shown (docs/traces.md): the frame's line, then a line with ``fault`` (``frame_delayed``
when a held frame goes on, ``frame_dropped``); an injected CALL and its answer are lines with
``fault`` ``proxy_injected``, which a replay skips as it skips every fault line.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeGuard

import orjson
from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed
from websockets.frames import EXTERNAL_CLOSE_CODES, CloseCode
from websockets.protocol import State

from chargeyard.protocol.passwords import masked_call
from chargeyard.proxy.holds import Holds, Treatment
from chargeyard.proxy.recording import ConnectionRecording
from chargeyard.proxy.watch import FrameFeed
from chargeyard.trace.format import Direction

__all__ = ["INJECTED", "InjectionFailed", "Pipe", "injected_ids", "relayed_close"]

logger = logging.getLogger(__name__)

INJECTED = "proxy_injected"
"""The ``fault`` of an injected CALL's line and its answer's in a trace."""
DELAYED, DROPPED = "frame_delayed", "frame_dropped"  # the simulator's words (docs/traces.md)


class _ChargerGone(Exception):
    """The charger left while its CALL was held: its reader ends there."""


class InjectionFailed(Exception):
    """An injected CALL was not answered: the charger's connection closed first."""


def injected_ids() -> Callable[[], str]:
    """Unique ids of injected CALLs: a random part, so that they meet none of the central
    system's ids on the charger, then a count."""
    prefix = f"proxy-{secrets.token_hex(4)}"
    count = itertools.count(1)
    return lambda: f"{prefix}-{next(count)}"


class Pipe:
    """``charger`` and ``upstream``, relayed to each other by :meth:`run`."""

    def __init__(
        self,
        identity: str,
        charger: Connection,
        upstream: Connection,
        recording: ConnectionRecording | None,
        holds: Holds | None = None,
        new_id: Callable[[], str] | None = None,
        feed: FrameFeed | None = None,
    ) -> None:
        self.identity = identity
        self.charger = charger
        self.upstream = upstream
        self._recording = recording
        self._feed = feed
        self._holds = holds if holds is not None else Holds()
        self._new_id = new_id if new_id is not None else injected_ids()
        self._injected: dict[str, asyncio.Future[list[Any]]] = {}
        self._injecting = asyncio.Lock()  # one injected CALL in flight at a time
        self._nothing_injected = asyncio.Event()
        self._nothing_injected.set()
        self._upstream_call: str | None = None  # the upstream's CALL the charger owes an answer
        self._upstream_idle = asyncio.Event()
        self._upstream_idle.set()

    async def inject(self, action: str, payload: dict[str, Any], answer_within: float) -> list[Any]:
        """Send the charger a CALL of ``action`` and return its answer (CALLRESULT or
        CALLERROR), which the upstream never sees. OCPP-J allows one CALL in flight per
        direction (1.6 section 4.1.1): the caller picks a moment when the central system has
        none.

        The CALL waits its turn (the module docstring): behind another injected CALL, and
        behind the upstream's CALL until the charger has answered it; ``answer_within``
        counts from the call, the wait included.

        Raises:
            TimeoutError: no answer within ``answer_within`` seconds (the message says when the
                CALL was never sent because the upstream's was not answered meanwhile).
            InjectionFailed: the charger's connection closed before it answered.
        """
        deadline = asyncio.get_running_loop().time() + answer_within
        try:
            async with asyncio.timeout_at(deadline):
                await self._injecting.acquire()
        except TimeoutError:
            raise TimeoutError(
                f"the CALL injected before to {self.identity} was not answered meanwhile:"
                " nothing was sent"
            ) from None
        try:
            try:
                async with asyncio.timeout_at(deadline):
                    await self._upstream_idle.wait()
            except TimeoutError:
                raise TimeoutError(
                    f"{self.identity} did not answer the central system's CALL"
                    f" {self._upstream_call} meanwhile: nothing was sent"
                ) from None
            async with asyncio.timeout_at(deadline):
                return await self._send_injected(action, payload)
        finally:
            self._injecting.release()

    async def _send_injected(self, action: str, payload: dict[str, Any]) -> list[Any]:
        unique_id = self._new_id()
        text = orjson.dumps([2, unique_id, action, payload]).decode()
        answer: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._injected[unique_id] = answer
        self._nothing_injected.clear()
        try:
            self._record(Direction.CSMS_TO_STATION, text, INJECTED)
            try:
                await self.charger.send(text)
            except ConnectionClosed:
                raise InjectionFailed(f"{self.identity}'s connection is closed") from None
            return await answer
        finally:
            self._injected.pop(unique_id, None)
            if not self._injected:
                self._nothing_injected.set()

    async def run(self) -> None:
        """Relay until one side closes, then close the other as it closed."""
        loop = asyncio.get_running_loop()
        readers = {
            loop.create_task(self._pump(self.charger, self.upstream, Direction.STATION_TO_CSMS)),
            loop.create_task(self._pump(self.upstream, self.charger, Direction.CSMS_TO_STATION)),
        }
        try:
            await asyncio.wait(readers, return_when=asyncio.FIRST_COMPLETED)
            await self._close_after_first()
            await asyncio.wait(readers)
        finally:
            for reader in readers:
                reader.cancel()
            for answer in self._injected.values():
                if not answer.done():
                    answer.set_exception(InjectionFailed(f"{self.identity}'s connection closed"))
            # Cancelled (the proxy stopping): neither side is left open.
            with contextlib.suppress(Exception):
                await asyncio.gather(
                    self.charger.close(CloseCode.GOING_AWAY),
                    self.upstream.close(CloseCode.GOING_AWAY),
                )
        for reader in readers:
            if reader.done() and not reader.cancelled() and reader.exception() is not None:
                logger.error("%s: the relay failed", self.identity, exc_info=reader.exception())

    async def _close_after_first(self) -> None:
        """Close the side still open as the other closed, once that one is closed."""
        if self.charger.state is not State.OPEN:
            closed, other = self.charger, self.upstream
        elif self.upstream.state is not State.OPEN:
            closed, other = self.upstream, self.charger
        else:  # a reader failed with both sides open
            await asyncio.gather(
                self.charger.close(CloseCode.INTERNAL_ERROR),
                self.upstream.close(CloseCode.INTERNAL_ERROR),
            )
            return
        await closed.wait_closed()
        await other.close(*relayed_close(*_how_it_closed(closed)))

    async def _pump(self, source: Connection, sink: Connection, direction: Direction) -> None:
        """Each message of ``source`` to ``sink``, as it came, recorded as it is read (and
        logged at DEBUG, a password a central system sets masked); a charger's message meets
        the holds and the injected CALLs first."""
        from_charger = direction is Direction.STATION_TO_CSMS
        with contextlib.suppress(ConnectionClosed, _ChargerGone):
            async for message in source:
                if not from_charger:
                    self._record(direction, message)
                    if _may_be_call(message):
                        await self._upstream_calls(message)
                elif self._holds or self._injected or self._upstream_call is not None:
                    if await self._took_part(message):
                        continue
                else:
                    self._record(direction, message)
                await sink.send(message)

    async def _upstream_calls(self, message: str) -> None:
        """Note the upstream's CALL in flight (an injected CALL waits for its answer); while
        a CALL injected is unanswered, this one waits for that answer."""
        parsed = _message(message)
        if parsed is None or parsed[0] != 2:
            return
        if not self._nothing_injected.is_set():
            await self._nothing_injected.wait()
        self._upstream_call = parsed[1]
        self._upstream_idle.clear()

    async def _took_part(self, message: str | bytes) -> bool:
        """Record a charger's ``message``; True when the proxy took it (an answer to an
        injected CALL, a dropped CALL), else once it may be relayed (a held CALL, later)."""
        parsed = _message(message)
        if parsed is not None and parsed[0] in (3, 4) and parsed[1] in self._injected:
            self._record(Direction.STATION_TO_CSMS, message, INJECTED)
            answer = self._injected.pop(parsed[1])
            if not answer.done():
                answer.set_result(parsed)
            return True
        if parsed is not None and parsed[0] in (3, 4) and parsed[1] == self._upstream_call:
            self._upstream_call = None
            self._upstream_idle.set()
        self._record(Direction.STATION_TO_CSMS, message)
        action = parsed[2] if parsed is not None and parsed[0] == 2 else None
        treatment = None if not isinstance(action, str) else self._holds.treatment(action)
        if treatment is Treatment.DROP:
            logger.debug("%s: dropped %s", self.identity, action)
            self._record(Direction.STATION_TO_CSMS, message, DROPPED)
            return True
        if treatment is Treatment.HOLD:
            assert isinstance(action, str)
            logger.debug("%s: holding %s", self.identity, action)
            if not await self._held(action):
                # The charger left first: what it sent is not relayed on its behalf.
                self._record(Direction.STATION_TO_CSMS, message, DROPPED)
                raise _ChargerGone
            self._record(Direction.STATION_TO_CSMS, message, DELAYED)
        return False

    async def _held(self, action: str) -> bool:
        """Until ``action``'s hold ends (True) or the charger's connection closes (False)."""
        loop = asyncio.get_running_loop()
        released = loop.create_task(self._holds.wait(action))
        gone = loop.create_task(self.charger.wait_closed())
        try:
            await asyncio.wait({released, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            released.cancel()
            gone.cancel()
        return released.done() and not released.cancelled()

    def _record(self, direction: Direction, message: str | bytes, fault: str | None = None) -> None:
        if self._recording is not None:
            self._recording.frame(direction, message, fault)
        if self._feed is not None:
            self._feed.frame(self.identity, direction, message, fault)
        if logger.isEnabledFor(logging.DEBUG) and fault is None:
            arrow = "->" if direction is Direction.STATION_TO_CSMS else "<-"
            text = message if isinstance(message, str) else repr(message)
            logger.debug("%s %s %s", self.identity, arrow, masked_call(text))


def _may_be_call(message: str | bytes) -> TypeGuard[str]:
    """Whether ``message`` may be a CALL (``[2, ...``), read without parsing it: the
    upstream's messages are relayed unparsed but for these."""
    if not isinstance(message, str):
        return False
    head = message[:16].lstrip(" \t\r\n")
    return head[:1] == "[" and head[1:].lstrip(" \t\r\n")[:1] == "2"


def _message(message: str | bytes) -> list[Any] | None:
    """``message`` as an OCPP-J message with a string unique id, or None."""
    if not isinstance(message, str):
        return None
    try:
        parsed = orjson.loads(message)
    except orjson.JSONDecodeError:
        return None
    ok = isinstance(parsed, list) and len(parsed) >= 3 and isinstance(parsed[1], str)
    return parsed if ok else None


def _how_it_closed(connection: Connection) -> tuple[int | None, str | None]:
    """The code and reason that closed ``connection``: its peer's close frame, or the proxy's
    own when the proxy closed it first (a message over the limit, 1009, after which websockets
    waits for no answer); None when the connection was lost without either."""
    protocol = connection.protocol
    if protocol.close_rcvd is None or protocol.close_rcvd_then_sent is False:
        first = protocol.close_sent
    else:
        first = protocol.close_rcvd
    return (None, None) if first is None else (first.code, first.reason)


def relayed_close(code: int | None, reason: str | None) -> tuple[int, str]:
    """The close frame for the other side: the same code and reason when a close frame may
    carry them; 1000 for a close without a code (1005), 1001 for a connection lost without a
    close frame (1006) or a failed TLS handshake (1015), which no endpoint may send."""
    if code is not None and (code in EXTERNAL_CLOSE_CODES or 3000 <= code < 5000):
        return code, reason or ""
    if code == CloseCode.NO_STATUS_RCVD:
        return CloseCode.NORMAL_CLOSURE, ""
    return CloseCode.GOING_AWAY, "the other side's connection was lost"
