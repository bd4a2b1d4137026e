"""The central system's stations across processes: who holds which station, and a CALL from
any API node to the CSMS node holding the station, over one Redis.

Shape
-----
* **Presence** is a key per station, ``{p}station:{identity}``, holding the node that holds
  its WebSocket and the OCPP version it negotiated (its subprotocol, ``ocpp1.6``; nodes of
  earlier releases wrote the version's name, ``1.6``, and both are read, so that nodes of two
  releases share one Redis through a rolling upgrade), with a TTL of ``presence_ttl_s``. The node
  writes it when the station connects (``Registry.watchers``; the station's BootNotification
  is answered once it is written, ``Registry.announcers``), deletes it when the station
  goes (only if it still names this node: a station that moved is left to its new node), and
  renews all of its keys every third of the TTL. A node that dies or loses Redis stops
  renewing, and its stations read as not connected within the TTL; when Redis is back, the
  next renewal writes them again. The node's own presence, and the marking offline of a dead
  node's stations by a live one, are ``redis_presence.py``'s.
* **Renewal is Redis's work**: a node keeps the keys it wrote in a hash of its own,
  ``{p}node:{node}`` (key -> value), and renews them with a script that walks the hash a
  batch at a time, so a renewal costs the node a few small round trips whatever it holds
  (sending 16,667 keys every 5 s was half of what an idle node spent). The script renews a
  key only while it is missing or still names this node, so a station that moved to another
  node is not taken back. When the hash is gone (Redis restarted without it, or the node was
  too busy to renew within the TTL), the node writes every key and the hash again from its
  registry.
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
Presence keys expire ``presence_ttl_s`` after their last renewal; a node's hash
``NODE_LIST_TTL_S`` after it (an entry leaves the hash as its station leaves the node; a live
node deletes a dead one's once it marked its stations); a node's calls list
``CALLS_TTL_S`` after its last push (requests in it are past their deadline by then); an
answers list ``ANSWER_TTL_S`` after its last answer. Nothing else is kept.

What a command waits for from the station's own messages (a remote start, a device-model
report: ``csms/command_state.py``) rides on its request to the station's node and comes back
on the asker's list (``redis_command_state.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from types import MappingProxyType
from typing import Any

import orjson

from chargeyard.bus.redis_connection import LOST, Outage, OwnedTasks, redis_client, taken, where
from chargeyard.bus.redis_scripts import ALIVE_TTL_S
from chargeyard.csms.cluster.redis_call_watch import MOVED_GRACE_S, WATCH_S, CallWatch, WaitingCall
from chargeyard.csms.cluster.redis_command_state import RedisCommandState
from chargeyard.csms.cluster.redis_presence import NODE_LIST_TTL_S, NodePresence, PresenceBook
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
from chargeyard.protocol import VERSIONS, Payload, VersionSpec

PRESENCE_TTL_S = ALIVE_TTL_S
"""A CSMS node's presence lives as long as a worker's on the bus (``--presence-ttl``)."""

_PRESENCE_VERSIONS: Mapping[str, VersionSpec] = MappingProxyType(
    {**{spec.name: spec for spec in VERSIONS.values()}, **VERSIONS}
)
"""A presence's version: its subprotocol, or its name as an earlier release wrote it."""
CALLS_TTL_S = 300
ANSWER_TTL_S = 60
RENEW_BATCH = 1_000
"""Keys per script call when a node writes or renews its stations (a call blocks Redis for a
few milliseconds at most)."""
ANSWER_GRACE_S = 1.0
"""How long past a request's deadline the asker still waits for the node's own ``timeout``
answer (which carries the node's view) before answering ``timeout`` itself."""
BLOCK_S = 1
ANNOUNCE_WAIT_S = 2.0
"""How long a boot waits at most for its station's presence key (an outage does not hold boots
up: the key is written when Redis is back)."""

# A station left this node (KEYS[1] its key, KEYS[2] the node's hash, ARGV[1] the node): out of
# the hash, and its key deleted only while it names this node (whatever version): a station
# that reconnected to another node keeps the other node's key.
_FORGET = """
redis.call('HDEL', KEYS[2], KEYS[1])
local held = redis.call('GET', KEYS[1])
if held and cjson.decode(held)['node'] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# Stations connected to this node (KEYS[1] the node's hash, KEYS[2..] their keys; ARGV[1] the
# TTL, ARGV[2] the value, one version's, ARGV[3] the hash's TTL): SET key value EX ttl and into
# the hash, for a thousand keys in one command.
_PRESENT = """
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[2], 'EX', ARGV[1])
  redis.call('HSET', KEYS[1], KEYS[i], ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return #KEYS - 1
"""

# One batch of a renewal (KEYS[1] the node's hash; ARGV[1] the TTL, ARGV[2] the HSCAN cursor,
# ARGV[3] the batch size, ARGV[4] the hash's TTL): each key of the batch gets the TTL again if
# it is missing or still holds this node's value. Returns {next cursor ("0": done), keys in the
# batch}. The keys come from the hash, not from KEYS: fine on one Redis server, which is what
# this module runs on.
_RENEW = """
local scan = redis.call('HSCAN', KEYS[1], ARGV[2], 'COUNT', ARGV[3])
local entries = scan[2]
for i = 1, #entries, 2 do
  local held = redis.call('GET', entries[i])
  if held == false or held == entries[i + 1] then
    redis.call('SET', entries[i], entries[i + 1], 'EX', ARGV[1])
  end
end
if #entries > 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
return {scan[1], #entries / 2}
"""


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
        self._forget = self._redis.register_script(_FORGET)
        self._present = self._redis.register_script(_PRESENT)
        self._renew_batch = self._redis.register_script(_RENEW)
        self._registry = registry
        self._ttl = presence_ttl_s
        self._grace = answer_grace_s
        self._id = f"{self.node}-{uuid.uuid4().hex[:8]}"
        self._waiting = CallWatch(
            self._redis,
            prefix=prefix,
            push=self._push,
            interval_s=watch_s,
            moved_grace_s=moved_grace_s,
        )
        self._changed: dict[str, VersionSpec | None] = {}
        self._presences: dict[str, bytes] = {}  # a version's presence value, made once
        self._wake = asyncio.Event()
        self._writing = asyncio.Lock()
        self._tasks = OwnedTasks()  # cancelled by close()
        self._outage = Outage(self._where)
        self._closed = False
        self._started = False
        self._rewrite = True  # the next renewal writes every key and the hash
        self._forgotten = False  # Redis forgot this node: its stations to be marked online again
        self._membership = (
            None
            if registry is None
            else NodePresence(
                self._redis,
                prefix=prefix,
                node=self.node,
                ttl_s=presence_ttl_s,
                book=book,
                holds=lambda identity: registry.get(identity) is not None,
                tasks=self._tasks,
            )
        )
        self.command_state = RedisCommandState(self._withdrawal)
        """The expectations commands asked through this node register (a remote start, a
        device-model report), carried to the station's node (``redis_command_state.py``)."""

    # -- keys -----------------------------------------------------------------------------------

    def _station_key(self, identity: str) -> str:
        return f"{self.prefix}station:{identity}"

    def _node_key(self) -> str:
        return f"{self.prefix}node:{self.node}"

    def _calls(self, node: str) -> str:
        return f"{self.prefix}calls:{node}"

    def _answer_list(self, asker: str) -> str:
        return f"{self.prefix}answers:{asker}"

    def _presence(self, version: VersionSpec) -> bytes:
        value = self._presences.get(version.name)
        if value is None:
            value = self._presences[version.name] = orjson.dumps(
                {"node": self.node, "version": version.subprotocol}
            )
        return value

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
            if self._membership is not None:
                await self._membership.join()
        except LOST as error:
            raise self._unreachable(error) from None
        self._started = True
        self._tasks.own(self._read_answers())
        self._tasks.own(self._waiting.run(lambda: self._closed))
        if self._registry is not None:
            self._registry.watchers.append(self._watch)
            self._registry.announcers.append(self._announced)
            self._tasks.own(self._announce())
            self._tasks.own(self._serve_calls())

    async def close(self) -> None:
        """Stop; a CSMS node deletes the keys of the stations it still holds (they would
        expire anyway)."""
        if self._closed:
            return
        self._waiting.abandon()  # (nobody will read their answers)
        self._closed = True
        if self._registry is not None and self._watch in self._registry.watchers:
            self._registry.watchers.remove(self._watch)
            self._registry.announcers.remove(self._announced)
        await self._tasks.cancel()
        with contextlib.suppress(*LOST):
            if self._membership is not None:
                await self._membership.leave()
            if self._registry is not None:
                await self._forget_all(list(self._registry))
                await self._redis.delete(self._node_key())  # (leave() deleted its alive key)
            await self._redis.delete(self._answer_list(self._id))
        await self._redis.aclose()

    async def __aenter__(self) -> RedisStations:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- the directory (any node) ---------------------------------------------------------------

    async def _holder(self, identity: str) -> tuple[str, VersionSpec] | None:
        """The node holding ``identity`` and its version; None when none does.

        Raises: StationsUnreachable."""
        try:
            raw = await self._redis.get(self._station_key(identity))
        except LOST as error:
            raise self._unreachable(error) from None
        if raw is None:
            return None
        data = orjson.loads(raw)
        return str(data["node"]), _PRESENCE_VERSIONS[str(data["version"])]

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

    # -- presence (a CSMS node) -----------------------------------------------------------------

    def _watch(self, identity: str, version: VersionSpec | None) -> None:
        self._changed[identity] = version
        self._wake.set()

    async def _announce(self) -> None:
        """Write what changed as it changes, and renew every key a third of the TTL apart; after
        an outage, write everything again."""
        renew_every = self._ttl / 3
        loop = asyncio.get_running_loop()
        next_renewal = loop.time()
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(next_renewal - loop.time(), 0.0)):
                    await self._wake.wait()
            self._wake.clear()
            try:
                if loop.time() >= next_renewal:
                    await self.renew()
                    next_renewal = loop.time() + renew_every
                else:
                    await self.flush()
            except LOST as error:
                self._rewrite = True
                await self._outage.back_off(error)
                next_renewal = loop.time()  # everything, once Redis answers again
                continue
            self._outage.ok()

    async def _announced(self) -> None:
        """Return once the connects so far are written (a booting station waits for it: the
        registry's announcers), or at the latest after :data:`ANNOUNCE_WAIT_S`; Redis away is
        no reason to keep a station from booting."""
        with contextlib.suppress(TimeoutError, *LOST):
            async with asyncio.timeout(ANNOUNCE_WAIT_S):
                await self.flush()

    async def flush(self) -> None:
        """Write the connects and disconnects not written yet; returns once they are (and any
        write already under way). Raises one of ``LOST`` when Redis cannot be reached."""
        async with self._writing:
            await self._flush()

    async def renew(self) -> None:
        """Write what changed, then give every key of this node's stations its TTL again (the
        first time, after an outage, or when Redis lost the node's hash: write them all); then
        claim the nodes gone and mark their stations offline (``redis_presence.py``).
        Raises one of ``LOST`` when Redis cannot be reached."""
        assert self._membership is not None
        assert self._registry is not None
        if await self._membership.beat():  # Redis forgot this node (until it is told again)
            self._forgotten = True
        async with self._writing:
            rewrite = self._rewrite or self._forgotten
            if rewrite:
                await self._write_all()
            else:
                await self._flush()
        if self._forgotten:  # (its keys written first: a station marked online can be reached)
            self._forgotten = False
            self._tasks.own(self._membership.back(list(self._registry)))
        if not rewrite:
            await self._renew_all()
        await self._membership.claim_gone()

    async def _renew_all(self) -> None:
        """Every key of the node's hash given its TTL again, a batch per script: not under
        ``_writing``, so the boots that wait for their connects to be written (flush) do not
        wait for a renewal. When the hash is gone (Redis lost it), everything is written."""
        assert self._registry is not None
        renewed, cursor = 0, b"0"
        while True:
            cursor, count = await self._renew_batch(
                keys=[self._node_key()], args=[self._ttl, cursor, RENEW_BATCH, NODE_LIST_TTL_S]
            )
            renewed += int(count)
            if cursor in (b"0", "0"):
                break
        if renewed == 0 and len(self._registry) > 0:  # the hash expired, or Redis lost it
            async with self._writing:
                await self._write_all()

    async def _flush(self) -> None:
        """:meth:`flush`, under ``_writing``."""
        changed, self._changed = self._changed, {}
        try:
            await self._write(changed)
        except LOST:
            self._changed = {**changed, **self._changed}
            raise

    async def _write(self, changed: dict[str, VersionSpec | None]) -> None:
        """One round trip for the stations that connected (a burst of connects is thousands:
        the registry is asked per station, never listed) and one for those that went (deleted
        if their key still names this node)."""
        assert self._registry is not None
        gone, present = [], []
        for identity in changed:
            connection = self._registry.get(identity)
            if connection is None:
                gone.append(identity)
            else:
                present.append((identity, connection.version))
        await self._announce_present(present)
        await self._forget_all(gone)

    async def _write_all(self) -> None:
        """The node's hash and every station's key written anew from the registry (the
        stations that went meanwhile forgotten)."""
        assert self._registry is not None
        changed, self._changed = self._changed, {}
        try:
            await self._forget_all([i for i in changed if self._registry.get(i) is None])
            await self._redis.delete(self._node_key())
            await self._announce_present(list(self._registry.connected().items()))
        except LOST:
            self._changed = {**changed, **self._changed}
            raise
        self._rewrite = False

    async def _forget_all(self, identities: list[str]) -> None:
        """Out of this node's hash, and their keys deleted where they name this node: one
        round trip per :data:`RENEW_BATCH` stations."""
        node_key = self._node_key()
        for start in range(0, len(identities), RENEW_BATCH):
            async with self._redis.pipeline(transaction=False) as pipe:
                for identity in identities[start : start + RENEW_BATCH]:
                    keys = [self._station_key(identity), node_key]
                    await self._forget(keys=keys, args=[self.node], client=pipe)
                await pipe.execute()

    async def _announce_present(self, stations: list[tuple[str, VersionSpec]]) -> None:
        """Set the presence key of each of ``stations`` (identity, version) with a fresh TTL,
        and its entry in this node's hash: one script call per :data:`RENEW_BATCH` stations
        of a version, in one round trip."""
        if not stations:
            return
        by_version: dict[VersionSpec, list[str]] = {}
        for identity, version in stations:
            by_version.setdefault(version, []).append(self._station_key(identity))
        node_key = self._node_key()
        async with self._redis.pipeline(transaction=False) as pipe:
            for version, keys in by_version.items():
                value = self._presence(version)
                for start in range(0, len(keys), RENEW_BATCH):
                    batch = [node_key, *keys[start : start + RENEW_BATCH]]
                    await self._present(
                        keys=batch, args=[self._ttl, value, NODE_LIST_TTL_S], client=pipe
                    )
            await pipe.execute()
