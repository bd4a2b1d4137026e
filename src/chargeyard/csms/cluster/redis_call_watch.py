"""The calls an asking node waits for (``redis_stations.py``), and what becomes of them when
the node that has them goes away.

A request waits on the calls list of the node that held its station when it was asked. That
node may die (``kill -9``, a host lost) with the request still in its list, or after taking
it. Its station then reconnects to another node within seconds, while the dead node's
presence key (``{p}alive:{node}``, renewed a third of its TTL apart) lives on for up to its
TTL. Waiting for the request's deadline would answer a timeout that blames the station, long
after the station could have been reached again.

So while calls wait, :class:`CallWatch` looks, every ``interval_s``, where each one's station
is held now (its key, counted only while its node is present: ``redis_presence.py``'s
``LivePresence``) and whether the node that has the call is still present:

=============================  =================================================================
what it finds                  what it does
=============================  =================================================================
the station on another node    takes the request back from the old node's list (``LREM``: only
                               one of them can have it) and pushes it to the new holder; a
                               request the old node took already is answered ``node_gone``
                               once the old node's presence is gone or ``moved_grace_s`` later
                               (a live node answers by then: its station left it)
the node's presence gone       takes the request back and answers ``node_gone``: "nothing was
                               sent" when it was still in the list, else "it may have reached
                               the charger"
anything else                  nothing: the node answers, or the deadline does
=============================  =================================================================

``LREM`` is what keeps a request at most once: a request is moved or answered "nothing was
sent" only when it was taken back from the list, never while a node may be serving it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from enum import Enum

from redis.asyncio import Redis

from chargeyard.bus.redis_connection import LOST
from chargeyard.csms.cluster.redis_presence import LivePresence, holder_of
from chargeyard.csms.station_calls import (
    AnswerKind,
    StationAnswer,
    StationRequest,
    stopping_answer,
)

WATCH_S = 1.0
"""How often waiting calls are looked after (a moved or orphaned call waits this long at most
past the moment it could be moved or answered)."""
MOVED_GRACE_S = 2.0
"""How long a request taken by a node whose station reconnected elsewhere waits for that
node's answer (a live node answers at once: the station left it)."""


@dataclass(slots=True, eq=False)
class WaitingCall:
    """One request on its way: the envelope pushed (its bytes are what ``LREM`` matches), the
    node whose list it is on, and the future its answer resolves."""

    request: StationRequest
    envelope: bytes
    node: str
    answer: asyncio.Future[StationAnswer]
    pushed: bool = False
    """Whether the envelope is in the node's list (or was: the watch leaves it alone before)."""
    moved_at: float | None = None
    """When the station was first seen on another node while this node had taken the call."""

    def settle(self, answer: StationAnswer) -> None:
        if not self.answer.done():
            self.answer.set_result(answer)


class Step(Enum):
    """What a waiting call needs, from where its station is and whether its node is present."""

    WAIT = "wait"
    MOVE = "move"
    DROP = "drop"


def step(call: WaitingCall, holder: str | None, present: bool) -> Step:
    """``holder``: the node holding the call's station now (None: no node); ``present``:
    whether the node that has the call is."""
    if holder is not None and holder != call.node:
        return Step.MOVE
    return Step.WAIT if present else Step.DROP


def node_gone(call: WaitingCall, *, sent: bool) -> StationAnswer:
    """The answer to a call whose node went away (``sent``: it had taken the request)."""
    identity = call.request.identity
    note = "the command may have reached the charger" if sent else "nothing was sent"
    return StationAnswer(
        call.request.request_id,
        AnswerKind.NODE_GONE,
        description=f"the node holding charger {identity} went away; retry ({note})",
    )


class CallWatch:
    """The calls this asker waits for, by request id, and their watch (module docstring).

    Args:
        redis: the asker's client.
        prefix: the stations' key prefix (``redis_stations.py``).
        push: pushes an envelope to a node's calls list.
        interval_s: how often waiting calls are looked after.
        moved_grace_s: how long a call taken by a node whose station moved is waited for.
        clock: monotonic seconds (the event loop's time unless given).
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,
        push: Callable[[str, bytes], Awaitable[None]],
        interval_s: float = WATCH_S,
        moved_grace_s: float = MOVED_GRACE_S,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._presence = LivePresence(redis, prefix)
        self._push = push
        self._interval = interval_s
        self._grace = moved_grace_s
        self._clock = clock
        self._calls: dict[str, WaitingCall] = {}

    def __len__(self) -> int:
        return len(self._calls)

    @contextlib.contextmanager
    def waiting(self, call: WaitingCall) -> Iterator[WaitingCall]:
        """``call`` is watched for the length of the block."""
        self._calls[call.request.request_id] = call
        try:
            yield call
        finally:
            self._calls.pop(call.request.request_id, None)

    def answered(self, answer: StationAnswer) -> None:
        """An answer came on the asker's list (one nobody waits for any more is dropped)."""
        call = self._calls.get(answer.request_id)
        if call is not None:
            call.settle(answer)

    def abandon(self) -> None:
        """Answer every waiting call now: this node is stopping."""
        for call in list(self._calls.values()):
            call.settle(stopping_answer(call.request, sent=True))

    async def run(self, closed: Callable[[], bool]) -> None:
        """Look after the waiting calls every ``interval_s`` until ``closed()`` (an outage is
        the readers' to log; the calls then wait for their deadline)."""
        while not closed():
            await asyncio.sleep(self._interval)
            with contextlib.suppress(*LOST):
                await self.look()

    async def look(self) -> None:
        """Look after each waiting call once (the table in the module docstring).

        Raises: one of ``LOST`` when Redis cannot be reached."""
        calls = [c for c in self._calls.values() if c.pushed and not c.answer.done()]
        if not calls:
            return
        identities = {call.request.identity for call in calls}
        holders, present = await self._read(identities, {call.node for call in calls})
        for call in calls:
            await self._look_after(call, holders[call.request.identity], present[call.node])

    async def _read(
        self, identities: set[str], nodes: set[str]
    ) -> tuple[dict[str, str | None], dict[str, bool]]:
        """Who holds each station, and whether each node is present: one round trip."""
        names, hosts = sorted(identities), sorted(nodes)
        async with self._redis.pipeline(transaction=False) as pipe:
            await self._presence.queue_values(names, pipe)
            for node in hosts:
                pipe.exists(f"{self._prefix}alive:{node}")
            found = await pipe.execute()
        holders = {
            identity: None if raw is None else holder_of(raw)
            for identity, raw in zip(names, found[0], strict=True)
        }
        present = {node: bool(n) for node, n in zip(hosts, found[1:], strict=True)}
        return holders, present

    async def _look_after(self, call: WaitingCall, holder: str | None, present: bool) -> None:
        match step(call, holder, present):
            case Step.WAIT:
                return
            case Step.DROP:
                call.settle(node_gone(call, sent=not await self._take_back(call)))
            case Step.MOVE:
                assert holder is not None
                await self._move(call, holder, present)

    async def _move(self, call: WaitingCall, holder: str, present: bool) -> None:
        if await self._take_back(call):
            await self._push(holder, call.envelope)
            call.node, call.moved_at = holder, None
            return
        now = self._now()
        if call.moved_at is None:
            call.moved_at = now
        if not present or now - call.moved_at >= self._grace:
            call.settle(node_gone(call, sent=True))

    async def _take_back(self, call: WaitingCall) -> bool:
        """Whether the request was still in its node's list (and is out of it now)."""
        key = f"{self._prefix}calls:{call.node}"
        # (redis-py's stubs say str; bytes go as they are, as the push sent them)
        removed: int = await self._redis.lrem(key, 1, call.envelope)  # type: ignore[arg-type]
        return removed > 0

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()
