"""The central system's stations across processes: who holds which station, and a CALL from
any API node to the CSMS node holding the station, over one Redis.

Shape
-----
* **Who holds a station** is read from its presence key, ``{p}station:{identity}``, which the
  CSMS node holding it writes and deletes (``redis_station_presence.py``), counted only while
  that node's presence is (``redis_presence.py``'s ``LivePresence``): no key present, no node
  holds it.
* **Calls** are lists, one per CSMS node (``{p}calls:{node}``), taken with ``BLPOP``: a
  request (``csms/station_calls.py``, with the asker's id to answer to) or a disconnect. The
  node serves each request as the in-process path does (``local_calls.serve``) and pushes the
  answer to the asker's own list (``{p}answers:{asker}``), matched there by ``request_id``.
  A list, not a stream: a request is served at most once and needs no acknowledgement, and
  one that waits past its deadline is answered ``timeout`` unsent by whoever takes it.
* **What the asker answers itself**: ``not_connected`` (503) when no key names a node;
  ``timeout`` (504) when a present node says nothing by the request's deadline;
  ``unreachable`` (503) when Redis cannot be reached; ``node_gone`` (503, retry) when the node
  that has the request went away (its ``{p}alive:{node}`` key, renewed with the node's
  other keys a third of the presence TTL apart by ``NodePresence.beat``, expired). A waiting
  request whose station reconnected to another node moves there if its old node had not
  taken it (``redis_call_watch.py``).

Bounds
------
A node's calls list expires ``CALLS_TTL_S`` after its last push (requests in it are past their
deadline by then); an answers list ``ANSWER_TTL_S`` after its last answer. Nothing else is kept
(the presence keys' bounds are ``redis_station_presence.py``'s).

What a command waits for from the station's own messages (a remote start, a device-model
report: ``csms/command_state.py``) rides on its request to the station's node and comes back
on the asker's list (``redis_command_state.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import orjson

from chargeyard.bus.redis_connection import LOST, Outage, OwnedTasks, redis_client, taken, where
from chargeyard.bus.redis_scripts import ALIVE_TTL_S
from chargeyard.csms.cluster.redis_call_watch import MOVED_GRACE_S, WATCH_S, CallWatch, WaitingCall
from chargeyard.csms.cluster.redis_command_state import RedisCommandState
from chargeyard.csms.cluster.redis_presence import LivePresence, PresenceBook
from chargeyard.csms.cluster.redis_station_presence import (
    StationPresence,
    read_presence,
)
from chargeyard.csms.local_calls import serve
from chargeyard.csms.registry import Registry
from chargeyard.csms.remote_starts import RemoteStart
from chargeyard.csms.station_calls import (
    AnswerKind,
    StationAnswer,
    StationNotConnected,
    StationRequest,
    StationsUnreachable,
)
from chargeyard.protocol import Payload, VersionSpec

PRESENCE_TTL_S = ALIVE_TTL_S
"""A CSMS node's presence lives as long as a worker's on the bus (``--presence-ttl``)."""
CALLS_TTL_S = 300
ANSWER_TTL_S = 60
ANSWER_GRACE_S = 1.0
"""How long past a request's deadline the asker still waits for the node's own ``timeout``
answer (which carries the node's view) before answering ``timeout`` itself."""
BLOCK_S = 0.25
"""How long a reader blocks on an empty list before it looks whether its node is closing: a
node that stops waits at most this long for its readers (a cancelled ``BLPOP`` is not always
let go at once by the Redis client), as the bus's readers do."""


class RedisStations:
    """The :class:`~chargeyard.csms.station_calls.StationCalls` path and the
    :class:`~chargeyard.csms.station_link.StationDirectory` over Redis, for one process; with
    a ``registry`` it is also a CSMS node that announces and serves its own stations.

    Args:
        url: the Redis server.
        registry: this process's listener's connections (None: an API node only).
        node: this node's name, unique in the cluster (default: random).
        prefix: the start of every key, so that deployments and tests sharing a Redis do not
            meet.
        presence_ttl_s: how long a station's key outlives its node's last renewal.
        watch_s: how often waiting calls are looked after (``redis_call_watch.py``).
        moved_grace_s: how long a call taken by a node whose station moved is waited for.
        answer_grace_s: how long past a request's deadline its answer is still waited for.
        book: where a CSMS node marks the stations of a node gone offline, and its own online
            again after Redis forgot it (``redis_presence.py``; the store's ``stations``).
    """

    def __init__(
        self,
        url: str,
        *,
        registry: Registry | None = None,
        node: str | None = None,
        prefix: str = "chargeyard:stations:",
        presence_ttl_s: int = PRESENCE_TTL_S,
        watch_s: float = WATCH_S,
        moved_grace_s: float = MOVED_GRACE_S,
        answer_grace_s: float = ANSWER_GRACE_S,
        book: PresenceBook | None = None,
    ) -> None:
        self.node = node or uuid.uuid4().hex[:12]
        self.prefix = prefix
        self._where = where(url)
        self._redis = redis_client(url)
        self._registry = registry
        self._live = LivePresence(self._redis, prefix)
        self._grace = answer_grace_s
        self._id = f"{self.node}-{uuid.uuid4().hex[:8]}"
        self._waiting = CallWatch(
            self._redis,
            prefix=prefix,
            push=self._push,
            interval_s=watch_s,
            moved_grace_s=moved_grace_s,
        )
        self._tasks = OwnedTasks()  # cancelled by close()
        self._outage = Outage(self._where)
        self._closed = False
        self._started = False
        self._presence = (
            None
            if registry is None
            else StationPresence(
                self._redis,
                registry=registry,
                node=self.node,
                prefix=prefix,
                ttl_s=presence_ttl_s,
                book=book,
                tasks=self._tasks,
                outage=self._outage,
            )
        )
        self.command_state = RedisCommandState(self._withdrawal)
        """The expectations commands asked through this node register (a remote start, a
        device-model report), carried to the station's node (``redis_command_state.py``)."""

    # -- keys -----------------------------------------------------------------------------------

    def _calls(self, node: str) -> str:
        return f"{self.prefix}calls:{node}"

    def _answer_list(self, asker: str) -> str:
        return f"{self.prefix}answers:{asker}"

    # -- life -----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start reading answers and, on a CSMS node, announcing and serving its stations.

        Raises:
            StationsUnreachable: Redis does not answer now (a node does not start without it;
                once started, it rides out an outage).
        """
        if self._started:
            return
        try:
            await self._redis.ping()
            if self._presence is not None:
                await self._presence.join()
        except LOST as error:
            raise self._unreachable(error) from None
        self._started = True
        self._tasks.own(self._read_answers())
        self._tasks.own(self._waiting.run(lambda: self._closed))
        if self._presence is not None:
            self._presence.start()
            self._tasks.own(self._serve_calls())

    async def close(self) -> None:
        """Stop; a CSMS node deletes the keys of the stations it still holds (they would
        expire anyway)."""
        if self._closed:
            return
        self._waiting.abandon()  # (nobody will read their answers)
        self._closed = True
        if self._presence is not None:
            self._presence.stop()
        await self._tasks.cancel()
        with contextlib.suppress(*LOST):
            if self._presence is not None:
                await self._presence.leave()
            await self._redis.delete(self._answer_list(self._id))
        await self._redis.aclose()

    async def __aenter__(self) -> RedisStations:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def flush(self) -> None:
        """A CSMS node's :meth:`StationPresence.flush`: its connects and disconnects written."""
        assert self._presence is not None
        await self._presence.flush()

    async def renew(self, *, keys: bool = True) -> None:
        """A CSMS node's :meth:`StationPresence.renew`: its presence renewed (and with
        ``keys``, its stations' keys), the gone nodes' stations claimed."""
        assert self._presence is not None
        await self._presence.renew(keys=keys)

    # -- the directory (any node) ---------------------------------------------------------------

    async def _holder(self, identity: str) -> tuple[str, VersionSpec] | None:
        """The node holding ``identity`` and its version; None when none does.

        Raises: StationsUnreachable."""
        try:
            (raw,) = await self._live.values([identity])
        except LOST as error:
            raise self._unreachable(error) from None
        if raw is None:
            return None
        return read_presence(raw)

    async def is_connected(self, identity: str) -> bool:
        return await self._holder(identity) is not None

    async def version_of(self, identity: str) -> VersionSpec:
        holder = await self._holder(identity)
        if holder is None:
            raise StationNotConnected(identity)
        return holder[1]

    async def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
        holder = await self._holder(identity)
        if holder is None:
            return False
        message = {"disconnect": {"identity": identity, "code": code, "reason": reason}}
        try:
            await self._push(holder[0], orjson.dumps(message))
        except LOST as error:
            raise self._unreachable(error) from None
        return True

    def versions(self) -> Iterable[VersionSpec]:
        return [] if self._registry is None else self._registry.versions()

    def _unreachable(self, error: BaseException) -> StationsUnreachable:
        return StationsUnreachable(f"Redis at {self._where} cannot be reached ({error})")

    # -- calls: the asking side -----------------------------------------------------------------

    async def request(self, request: StationRequest) -> StationAnswer:
        try:
            if not self._started:
                await self.start()
            holder = await self._holder(request.identity)
        except StationsUnreachable as error:
            return StationAnswer(request.request_id, AnswerKind.UNREACHABLE, None, "", error.reason)
        if holder is None:
            return StationAnswer(request.request_id, AnswerKind.NOT_CONNECTED)
        envelope: dict[str, Any] = {"reply_to": self._id, "request": request.to_dict()}
        if riders := self.command_state.riders(request.identity):
            envelope["riders"] = riders
        future: asyncio.Future[StationAnswer] = asyncio.get_running_loop().create_future()
        call = WaitingCall(request, orjson.dumps(envelope), holder[0], future)
        with self._waiting.waiting(call):
            try:
                await self._push(call.node, call.envelope)
                call.pushed = True
            except LOST as error:
                reason = self._unreachable(error).reason
                return StationAnswer(request.request_id, AnswerKind.UNREACHABLE, None, "", reason)
            left = request.deadline - time.time() + self._grace
            try:
                async with asyncio.timeout(max(left, 0.0)):
                    return await future
            except TimeoutError:
                return StationAnswer(request.request_id, AnswerKind.TIMEOUT)

    async def _push(self, node: str, data: bytes) -> None:
        key = self._calls(node)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, data)
            pipe.expire(key, CALLS_TTL_S)
            await pipe.execute()

    async def _read_answers(self) -> None:
        key = self._answer_list(self._id)
        async for raw in taken(self._redis, key, self._outage, lambda: self._closed, BLOCK_S):
            message = orjson.loads(raw)
            if "report" in message:
                report = message["report"]
                self.command_state.reports.came(
                    report["identity"], report["request_id"], report["data"]
                )
                continue
            self._waiting.answered(StationAnswer.from_dict(message))

    # -- calls: the serving side (a CSMS node) --------------------------------------------------

    async def _serve_calls(self) -> None:
        key = self._calls(self.node)
        async for raw in taken(self._redis, key, self._outage, lambda: self._closed, BLOCK_S):
            self._tasks.own(self._serve_one(orjson.loads(raw)))

    async def _serve_one(self, envelope: dict[str, Any]) -> None:
        assert self._registry is not None
        if "disconnect" in envelope:
            order = envelope["disconnect"]
            self._registry.disconnect(order["identity"], int(order["code"]), str(order["reason"]))
            return
        if "withdraw" in envelope:
            self._registry.remote_starts.withdraw(RemoteStart(**envelope["withdraw"]))
            return
        request = StationRequest.from_dict(envelope["request"])
        asker = str(envelope["reply_to"])
        riders = envelope.get("riders", {})
        for start in riders.get("starts", []):
            self._registry.remote_starts.expect(RemoteStart(**start))
        for request_id in riders.get("reports", []):
            parts = self._registry.reports.expect(request.identity, request_id)
            self._tasks.own(self._forward_report(request, request_id, parts, asker))
        answer = await serve(self._registry, request)
        await self._answer(asker, answer.to_dict(), request.deadline)

    async def _answer(self, asker: str, message: dict[str, Any], deadline: float) -> None:
        """Push ``message`` to the asker's list, retrying while Redis is away and someone may
        still wait for it."""
        key = self._answer_list(asker)
        while not self._closed:
            try:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.rpush(key, orjson.dumps(message))
                    pipe.expire(key, ANSWER_TTL_S)
                    await pipe.execute()
                return
            except LOST as error:
                if time.time() > deadline + self._grace:
                    return  # nobody waits for it any more
                await self._outage.back_off(error)

    async def _forward_report(
        self,
        request: StationRequest,
        request_id: int,
        parts: asyncio.Future[list[Payload]],
        asker: str,
    ) -> None:
        """Send the asker the whole report once its last part came here; the asker's command
        waits its timeout after the station's answer, so the report is waited for as long."""
        assert self._registry is not None
        wait = request.deadline - time.time() + request.timeout
        try:
            async with asyncio.timeout(max(wait, 0.0)):
                data = await parts
        except TimeoutError:
            return
        finally:
            self._registry.reports.forget(request.identity, request_id)
        report = {"identity": request.identity, "request_id": request_id, "data": data}
        await self._answer(asker, {"report": report}, request.deadline + request.timeout)

    def _withdrawal(self, start: RemoteStart) -> None:
        """Send a start's withdrawal to its station's node (nothing when none holds it)."""

        async def send() -> None:
            holder = await self._holder(start.identity)
            if holder is not None:
                await self._push(holder[0], orjson.dumps({"withdraw": asdict(start)}))

        self._tasks.own(send())  # (a withdrawal lost to an outage: the start expires there)
