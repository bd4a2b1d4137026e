"""The bus between processes: :class:`RedisBus`, the :class:`~chargeyard.bus.CommandBus`
contract of :class:`~chargeyard.bus.InMemoryBus` over one Redis.

Shape
-----
* **Queues are lists, one per node and kind** (``{p}commands:{node}``, ``{p}requests:{node}``).
  A message is taken with ``BLPOP``, which removes it as it hands it over: at most once per
  published message needs no acknowledgement, and what a node has not taken is exactly the
  list, so :meth:`~RedisBus.pending` is ``LLEN`` and :meth:`~RedisBus.leave` hands the list on.
  Streams were measured against it (``benchmarks/bus.py``, docs/benchmarks-bus.md): a stream
  and a consumer group per node, each entry acknowledged and deleted as it is taken, carries
  the same contract for more CPU at 1 and 64 requests in flight and a quarter more Redis
  memory per message, and is ahead at 1,024 in flight only by reading 100 entries a call,
  which a list can do too (``BLMPOP``). A consumer group's reclaim (``XAUTOCLAIM``) would
  hand a dead node's taken requests to another node, which delivers twice whenever a live node
  is taken for gone (Redis paused past the ``alive`` TTL); and a group shared by the nodes
  would let any node take an unheld charger's message, where the contract names one placement
  node.
* **Routing runs in Redis** (``bus/redis_scripts.py``): holders in a hash, nodes in a sorted
  set by join order (the first is the placement node; while there is none, a backlog list
  waits for the first). Publishing, holding, releasing, joining and leaving are Lua scripts,
  each atomic, so a message is never pushed to a node that has just left.
* **Outcomes** are a key per command with a TTL (a waiter that comes after the outcome finds
  it) and a pub/sub notice that wakes waiters; the bus subscribes before it reads the key.
* **Answers** go to the asking bus's own list (``{p}answers:{bus id}``), named in the
  request's envelope; one reader task per bus resolves the waiting requests. Until its answer
  comes, the asker looks after each request every ``watch_s`` (``bus/request_watch.py``): one
  stranded on the queue of a node that went away moves on, and one taken by such a node is
  answered ``node_gone`` rather than left to the asker's deadline.

Everything that travels is ``to_dict()`` as JSON (orjson), rebuilt with ``from_dict()``.

Bounds
------
* node and backlog queues: expire ``queue_ttl_s`` after their last push (a node gone for that
  long loses its queue; the ``commands`` rows say what became of them), and a publish to a
  queue of ``max_queue`` messages fails instead of growing it;
* outcome keys: ``outcome_ttl_s``; answer lists: ``ANSWER_TTL_S`` after their last answer;
* holders, held sets and the node set: one entry per held charger and per node, removed by
  :meth:`~RedisBus.release` and :meth:`~RedisBus.leave`; a node that dies without leaving
  loses its ``alive`` key within ``alive_ttl_s`` (``ALIVE_TTL_S``) and is made to leave by
  the next message that would go to it, or the next hold of one of its chargers by another
  node (what it had not taken follows its chargers);
* pub/sub keeps nothing.

A lost connection is logged once per process (a warning: ``redis_connection.Outage``), retried
with back-off by every reader, and logged again when Redis answers (info). A node that Redis
forgot meanwhile (restarted empty, or the node taken for gone) joins again and holds again
what it holds (:meth:`~RedisBus._rejoined`). Commands themselves retry a few times through the
client's :class:`redis.asyncio.retry.Retry` before they raise; what the API hands over
(:meth:`~RedisBus.publish_many`, :meth:`~RedisBus.request`) then raises
:class:`~chargeyard.bus.base.BusUnreachable`, which it answers 503: the caller, not a queue in
the API process, decides whether to try again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

import orjson
from redis.asyncio import Redis

from chargeyard.bus import redis_scripts
from chargeyard.bus.base import BusUnreachable, CommandMessage, CommandOutcome
from chargeyard.bus.redis_connection import (
    LOST,
    Outage,
    OwnedTasks,
    channel_scope,
    redis_client,
    taken,
    where,
)
from chargeyard.bus.redis_scripts import ALIVE_TTL_S
from chargeyard.bus.request_watch import WATCH_S, SentRequest
from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest, merged
from chargeyard.bus.waiters import OutcomeWaiters

logger = logging.getLogger(__name__)

BLOCK_S = 0.25
"""How long a reader blocks on an empty queue before it looks whether its node left."""

ANSWER_TTL_S = 60
PUBLISH_BATCH = 500
"""Messages per publish script (a location's fan-out is a few round trips, not a thousand)."""

REPLY_ROUTES = 10_000
"""Requests taken and not yet answered whose asker this bus remembers."""


def _first(sent: SentRequest) -> str:
    """The charger a request is routed by ('' none: the placement node's)."""
    return sent.request.charger_ids[0] if sent.request.charger_ids else ""


class RedisBus:
    """A :class:`~chargeyard.bus.CommandBus` over Redis (see the module docstring).

    Args:
        url: the Redis server (``redis://host:port/db``); the bus has its own connection pool.
        prefix: the start of every key and channel, so that deployments and tests sharing a
            Redis do not meet.
        outcome_ttl_s: how long a reported outcome is found by a later waiter.
        queue_ttl_s: how long a queue nobody pushes to is kept.
        max_queue: messages a queue may hold before a publish to it fails.
        alive_ttl_s: how long a node whose readers stop renewing its ``alive`` key is still
            routed to.
        watch_s: how often a request not yet answered is looked after
            (``bus/request_watch.py``).
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "chargeyard:bus:",
        outcome_ttl_s: int = 600,
        queue_ttl_s: int = 86_400,
        max_queue: int = 1_000_000,
        alive_ttl_s: int = ALIVE_TTL_S,
        watch_s: float = WATCH_S,
    ) -> None:
        self.prefix = prefix
        self._redis: Redis = redis_client(url)
        self._where = where(url)
        self._outcome_ttl_s = outcome_ttl_s
        self._queue_ttl_s = queue_ttl_s
        self._max_queue = max_queue
        self._id = uuid.uuid4().hex
        self._alive_ttl_s = alive_ttl_s
        self._watch_s = watch_s
        self._scripts = {
            name: self._redis.register_script(text)
            for name, text in redis_scripts.scripts(alive_ttl_s).items()
        }
        self._outage = Outage(self._where)
        self._closed = False
        self._tasks = OwnedTasks()  # cancelled by close()
        self._waiters = OutcomeWaiters()
        self._subscribed = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None
        self._sent: dict[str, SentRequest] = {}  # by request id, until answered
        self._answer_reader: asyncio.Task[None] | None = None
        self._reply_to: OrderedDict[str, str] = OrderedDict()
        self._in_hand: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._left: set[str] = set()  # nodes this bus made leave (their readers end)
        # What each node of this process holds, to hold again when Redis forgot it (restarted
        # empty, or the node taken for gone); its join order as its readers last saw it; the
        # nodes whose last hold did not reach Redis.
        self._holding: dict[str, set[str]] = {}
        self._seqs: dict[str, int] = {}
        self._stale: set[str] = set()
        self._rejoining: dict[str, asyncio.Lock] = {}

    # -- keys -----------------------------------------------------------------------------------

    def _queue(self, kind: str, node: str) -> str:
        return f"{self.prefix}{kind}:{node}"

    def _alive_key(self, node: str) -> str:
        return f"{self.prefix}alive:{node}"

    def _outcome_key(self, command_id: str) -> str:
        return f"{self.prefix}outcome:{command_id}"

    @property
    def _outcome_channel(self) -> str:
        return f"{self.prefix}{channel_scope(self._redis)}outcomes"

    def _answer_list(self, bus_id: str) -> str:
        return f"{self.prefix}answers:{bus_id}"

    async def _run(self, script: str, *args: str | bytes | int) -> Any:
        return await self._scripts[script](args=[self.prefix, *args])

    # -- routing --------------------------------------------------------------------------------

    async def hold(self, node: str, charger_ids: Sequence[str]) -> None:
        self._holding.setdefault(node, set()).update(charger_ids)
        try:
            await self._run("HOLD", self._queue_ttl_s, node, *charger_ids)
        except LOST:
            self._stale.add(node)  # (held by the node's reader once Redis answers)
            raise

    async def release(self, node: str, charger_ids: Sequence[str]) -> None:
        self._holding.get(node, set()).difference_update(charger_ids)
        await self._run("RELEASE", node, *charger_ids)

    async def leave(self, node: str) -> None:
        self._left.add(node)
        self._holding.pop(node, None)
        self._stale.discard(node)
        await self._run("LEAVE", self._queue_ttl_s, node)

    async def _push(self, kind: str, items: Sequence[tuple[str, bytes]]) -> list[str]:
        """Push ``(charger, message)`` items; the node each went to ('' the backlog)."""
        nodes: list[str] = []
        for start in range(0, len(items), PUBLISH_BATCH):
            pairs = [part for item in items[start : start + PUBLISH_BATCH] for part in item]
            went = await self._run("PUBLISH", self._queue_ttl_s, self._max_queue, kind, *pairs)
            nodes.extend(node.decode() for node in went)
        return nodes

    # -- commands -------------------------------------------------------------------------------

    async def publish(self, message: CommandMessage) -> None:
        await self.publish_many([message])

    async def publish_many(self, messages: list[CommandMessage]) -> None:
        if self._closed:
            raise RuntimeError("the bus is closed")
        items = [(m.charger_id, orjson.dumps(m.to_dict())) for m in messages]
        try:
            await self._push("commands", items)
        except LOST as error:
            raise self._unreachable(error) from None

    async def consume(self, node: str) -> AsyncIterator[CommandMessage]:
        async for raw in self._take("commands", node):
            yield CommandMessage.from_dict(orjson.loads(raw))

    async def pending(self, node: str) -> int:
        count: int = await self._redis.llen(self._queue("commands", node))
        # (popped and on its way to the consumer: not taken by it yet)
        return count + self._in_hand.get(node, 0)

    async def report(self, outcome: CommandOutcome) -> None:
        data = orjson.dumps(outcome.to_dict())
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._outcome_key(outcome.command_id), data, ex=self._outcome_ttl_s)
            pipe.publish(self._outcome_channel, data)
            await pipe.execute()

    async def wait_outcome(self, command_id: str) -> CommandOutcome:
        if self._listener is None and not self._closed:
            self._listener = self._tasks.own(self._listen_outcomes())
        await self._subscribed.wait()  # subscribed before the key is read: nothing slips by
        with self._waiters.waiting_for(command_id) as waiter:
            try:
                known = await self._redis.get(self._outcome_key(command_id))
            except LOST as error:
                # A wait being cancelled (its caller's timeout) ends here, whatever the client
                # made of the cancellation.
                if (task := asyncio.current_task()) is not None and task.cancelling():
                    raise asyncio.CancelledError from error
                # An outage is not the caller's failure: the listener loses the server too,
                # and when it subscribes again it looks up every waiter, this one included
                # (``_look_up_waiting``).
                known = None
            if known is not None:
                return CommandOutcome.from_dict(orjson.loads(known))
            return await waiter

    def waiting(self) -> int:
        """Waiters for outcomes and answers not yet come (a cancelled wait leaves none)."""
        return len(self._waiters) + len(self._sent)

    async def _listen_outcomes(self) -> None:
        # Every reader loop asks ``_closed`` rather than trusting cancellation alone: a cancel
        # that meets the client's own read timeout comes out as a TimeoutError.
        while not self._closed:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._outcome_channel)
                async for notice in pubsub.listen():
                    if notice["type"] == "subscribe":
                        self._outage.ok()
                        self._subscribed.set()
                        await self._look_up_waiting()  # (reported while unsubscribed)
                    elif notice["type"] == "message":
                        self._waiters.deliver(
                            CommandOutcome.from_dict(orjson.loads(notice["data"]))
                        )
            except LOST as error:
                self._subscribed.clear()
                await self._outage.back_off(error)
            finally:
                with contextlib.suppress(*LOST):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _look_up_waiting(self) -> None:
        for command_id in self._waiters.commands():
            if (known := await self._redis.get(self._outcome_key(command_id))) is not None:
                self._waiters.deliver(CommandOutcome.from_dict(orjson.loads(known)))

    # -- runtime requests -----------------------------------------------------------------------

    async def request(self, message: RuntimeRequest) -> RuntimeAnswer:
        if self._closed:
            raise RuntimeError("the bus is closed")
        if self._answer_reader is None:
            self._answer_reader = self._tasks.own(self._read_answers())
            self._tasks.own(self._watch_requests())
        try:
            routes: list[bytes] = await self._run("ROUTE", self._queue_ttl_s, *message.charger_ids)
        except LOST as error:
            raise self._unreachable(error) from None
        groups: dict[bytes, list[str]] = {}
        for charger_id, route in zip(message.charger_ids, routes, strict=True):
            groups.setdefault(route, []).append(charger_id)
        parts = [message]
        if len(groups) > 1:
            parts = [
                replace(
                    message,
                    request_id=f"{message.request_id}.{next(self._ids)}",
                    charger_ids=tuple(charger_ids),
                )
                for charger_ids in groups.values()
            ]
        loop = asyncio.get_running_loop()
        sent = [
            SentRequest(
                part,
                orjson.dumps({"reply_to": self._id, "request": part.to_dict()}),
                loop.create_future(),
                loop.time(),
            )
            for part in parts
        ]
        # Known before the push: an answer may come before the push's own reply does.
        self._sent.update((one.request.request_id, one) for one in sent)
        try:
            try:
                nodes = await self._push("requests", [(_first(one), one.envelope) for one in sent])
            except LOST as error:
                raise self._unreachable(error) from None
            for one, node in zip(sent, nodes, strict=True):
                one.node = node
            answers = list(await asyncio.gather(*(one.answer for one in sent)))
        finally:
            for one in sent:
                self._sent.pop(one.request.request_id, None)
        if len(answers) == 1:
            return replace(answers[0], request_id=message.request_id)
        return merged(message.request_id, answers)

    async def _watch_requests(self) -> None:
        """Every ``watch_s``, each request waiting longer than that is looked after
        (``bus/request_watch.py``): one whose node went away is moved to where its chargers
        are now, or answered ``node_gone``. A request answered sooner costs nothing here."""
        loop = asyncio.get_running_loop()
        while not self._closed:
            await asyncio.sleep(self._watch_s)
            due = loop.time() - self._watch_s
            for one in [one for one in self._sent.values() if one.sent_at <= due]:
                if one.answer.done():
                    continue
                try:
                    what, node = await self._run(
                        "WATCH", self._queue_ttl_s, one.node, one.request.request_id, one.envelope
                    )
                except LOST:
                    break  # (looked at again when Redis answers; the deadline bounds it)
                except Exception:  # (the watch goes on for the others, and for this one)
                    logger.exception("watching request %s failed", one.request.request_id)
                    continue
                one.look(what.decode(), node.decode())

    def _unreachable(self, error: BaseException) -> BusUnreachable:
        return BusUnreachable(f"Redis at {self._where} cannot be reached ({error})")

    async def requests(self, node: str) -> AsyncIterator[RuntimeRequest]:
        async for raw in self._take("requests", node):
            envelope = orjson.loads(raw)
            request = RuntimeRequest.from_dict(envelope["request"])
            self._reply_to[request.request_id] = envelope["reply_to"]
            if len(self._reply_to) > REPLY_ROUTES:
                self._reply_to.popitem(last=False)
            yield request

    async def answer(self, answer: RuntimeAnswer) -> None:
        asker = self._reply_to.pop(answer.request_id, None)
        if asker is None:
            return
        key = self._answer_list(asker)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, orjson.dumps(answer.to_dict()))
            pipe.expire(key, ANSWER_TTL_S)
            await pipe.execute()

    async def _read_answers(self) -> None:
        key = self._answer_list(self._id)
        async for raw in taken(self._redis, key, self._outage, lambda: self._closed, BLOCK_S):
            answer = RuntimeAnswer.from_dict(orjson.loads(raw))
            sent = self._sent.pop(answer.request_id, None)
            if sent is not None and not sent.answer.done():
                sent.answer.set_result(answer)

    # -- taking ---------------------------------------------------------------------------------

    async def _take(self, kind: str, node: str) -> AsyncIterator[Any]:
        """What comes to ``node``'s ``kind`` queue (the second item of what :meth:`_pop`
        returns: here the message), until the bus closes or the node leaves
        (its join order is gone, or is a later one: it left and came back). The reader keeps
        the node's ``alive`` key (``redis_scripts.py``); a node that Redis forgot while its
        reader ran (Redis restarted empty, or the process stalled or Redis was away for longer
        than the key lives, and a message routed meanwhile made it leave) joins again and
        holds again every charger it holds (:meth:`_rejoined`)."""
        join = functools.partial(self._run, "JOIN", self._queue_ttl_s, node)
        seq = await self._retrying(join)
        if seq is None:
            return
        self._left.discard(node)
        self._seqs[node] = seq
        key = self._queue(kind, node)
        loop = asyncio.get_running_loop()
        beat_at = loop.time() + self._alive_ttl_s / 3
        while not self._closed:
            pop = self._tasks.own(self._pop(kind, node, key))
            try:
                await asyncio.wait([pop])
            except BaseException:  # the consumer was cancelled: leave nothing blocked behind
                pop.cancel()
                if pop.done() and not pop.cancelled() and pop.exception() is None:
                    self._handed(kind, node, pop.result())  # (dropped: at most once)
                raise
            if pop.cancelled():  # the bus closed
                return
            try:
                popped = self._handed(kind, node, pop.result())
            except LOST as error:
                await self._outage.back_off(error)
                continue
            self._outage.ok()
            try:
                if popped is None or loop.time() >= beat_at:
                    rejoined = await self._rejoined(node, seq)
                    if rejoined is None:
                        return  # (it left)
                    seq = rejoined
                if loop.time() >= beat_at:
                    await self._redis.set(self._alive_key(node), seq, ex=self._alive_ttl_s)
                    beat_at = loop.time() + self._alive_ttl_s / 3
            except LOST as error:
                await self._outage.back_off(error)  # (what was taken is handed on all the same)
            if popped is not None:
                yield popped[1]

    async def _rejoined(self, node: str, seq: int) -> int | None:
        """``node``'s join order once Redis knows it as this process does: when Redis forgot
        it, it joins again and holds again what it holds (but a charger another live node
        holds by now), once for both its readers. None: it left."""
        async with self._rejoining.setdefault(node, asyncio.Lock()):
            if self._seqs.get(node, seq) != seq:
                return self._seqs[node]  # (its other reader saw to it)
            forgotten = await self._redis.zscore(f"{self.prefix}nodes", node) != seq
            if forgotten and node in self._left:
                return None
            if not forgotten and node not in self._stale:
                return seq
            held = sorted(self._holding.get(node, ()))
            if forgotten:
                logger.warning(
                    "bus node %s was no longer known to Redis (restarted empty, or no beat for"
                    " %d s): it joins again and holds its %d chargers again",
                    node,
                    self._alive_ttl_s,
                    len(held),
                )
            for start in range(0, max(len(held), 1), PUBLISH_BATCH):
                batch = held[start : start + PUBLISH_BATCH]
                seq = await self._run("REHOLD", self._queue_ttl_s, node, *batch)
            self._stale.discard(node)
            self._seqs[node] = seq
            return seq

    async def _pop(self, kind: str, node: str, key: str) -> Any:
        """One ``BLPOP``; a command popped counts as pending until the consumer has it."""
        popped: Any = await self._redis.blpop([key], timeout=BLOCK_S)
        if popped is not None and kind == "commands":
            self._in_hand[node] = self._in_hand.get(node, 0) + 1
        return popped

    def _handed(self, kind: str, node: str, popped: Any) -> Any:
        if popped is not None and kind == "commands":
            self._in_hand[node] -= 1
        return popped

    async def _retrying(self, call: Any) -> Any:
        while not self._closed:
            try:
                result = await call()
            except LOST as error:
                await self._outage.back_off(error)
                continue
            self._outage.ok()
            return result
        return None  # (the bus closed)

    async def close(self) -> None:
        """Stop delivering: readers end, waits on this bus are its callers' to bound."""
        if self._closed:
            return
        self._closed = True
        await self._tasks.cancel()
        with contextlib.suppress(*LOST):  # (it expires)
            await self._redis.delete(self._answer_list(self._id))
        await self._redis.aclose()
