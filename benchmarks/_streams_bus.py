"""The cluster's bus on Redis Streams, the design ``benchmarks/bus.py`` measures against the bus
chargeyard runs (:class:`~chargeyard.bus.redis_bus.RedisBus`, lists): :class:`RedisStreamsBus`,
the same :class:`~chargeyard.bus.CommandBus` contract with a stream and a consumer group per
node where that bus has a list. It passes the bus contract tests (``tests/bus/``, kind
``redis-streams``); it is not part of chargeyard, having measured slower on every figure
(docs/benchmarks-bus.md).

Shape
-----
* **Queues are streams, one per node and kind** (``{p}commands:{node}``, ``{p}requests:{node}``),
  each with the consumer group ``nodes`` whose one consumer is the node. A node reads up to
  ``read_batch`` entries (:data:`READ_BATCH`) with ``XREADGROUP`` and takes them with one
  script (``TAKE``: each acknowledged and deleted while it is still pending), then hands them
  to its consumer one by one. The stream holds exactly what no consumer took; the group's
  pending entries, what a reader read and had not taken yet.
* **Routing** is ``bus/redis_scripts.py``'s (holders, nodes in join order, ``alive`` keys, the
  backlog) in ``_streams_scripts.py``: reading a holder and appending to its stream is one
  script, so nothing lands in the stream of a node that has just left.
* **A node that leaves, or dies** (``kill -9``: its ``alive`` key expires, and the next
  message routed to it makes it leave) hands on every entry of its streams, the pending ones
  included, and a leaving node what it took and had not handed to its consumer. An entry is
  taken or handed on, never both: a node taken for gone while it was only stalled finds its
  read entries gone from the group and drops them, so no message reaches two live nodes.
  What a consumer took is its own: a request taken by a node that then dies is not served
  again (delivery stays at most once, as the contract says; the asker's deadline answers it:
  this design has no ``WATCH`` of waiting requests, ``bus/request_watch.py``).
* Outcomes and answers travel as in :class:`RedisBus` (an outcome key and a pub/sub notice; an
  answer list per asking bus, read with ``BLPOP``: an answer has one reader, the asker, and
  nothing to reclaim).

Keys and their bounds are :class:`RedisBus`'s: a node stream expires ``queue_ttl_s`` after its
last append, and a publish to a stream of ``max_queue`` entries fails.
"""

from __future__ import annotations

from collections import deque
from typing import Any, cast

import _streams_scripts
from _streams_scripts import GROUP
from redis.exceptions import ResponseError

from chargeyard.bus.redis_bus import BLOCK_S, RedisBus
from chargeyard.bus.redis_scripts import ALIVE_TTL_S

_Read = list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]] | None
"""What ``XREADGROUP`` answers: per stream, its (entry id, fields) entries."""

READ_BATCH = 100
"""Entries one ``XREADGROUP`` reads at most (the reader hands them to its consumer one by one)."""


class RedisStreamsBus(RedisBus):
    """A :class:`~chargeyard.bus.CommandBus` over Redis Streams (see the module docstring); the
    arguments are :class:`RedisBus`'s, and ``read_batch``: entries one ``XREADGROUP`` reads at
    most."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "chargeyard:bus:",
        outcome_ttl_s: int = 600,
        queue_ttl_s: int = 86_400,
        max_queue: int = 1_000_000,
        alive_ttl_s: int = ALIVE_TTL_S,
        read_batch: int = READ_BATCH,
    ) -> None:
        super().__init__(
            url,
            prefix=prefix,
            outcome_ttl_s=outcome_ttl_s,
            queue_ttl_s=queue_ttl_s,
            max_queue=max_queue,
            alive_ttl_s=alive_ttl_s,
        )
        self._scripts = {
            name: self._redis.register_script(text)
            for name, text in _streams_scripts.scripts(alive_ttl_s).items()
        }
        self._batch_size = read_batch
        # By stream: (charger, message) pairs taken and not handed to the consumer yet.
        self._unread: dict[str, deque[tuple[bytes, bytes]]] = {}

    async def _watch_requests(self) -> None:
        return  # (a request taken by a node that died waits for the asker's deadline)

    # -- taking ---------------------------------------------------------------------------------

    async def _pop(self, kind: str, node: str, key: str) -> Any:
        """The next message taken from ``node``'s ``kind`` stream, ``(key, message)``: one
        that the last batch took, or the first of a new batch (None: nothing came)."""
        unread = self._unread.setdefault(key, deque())
        if not unread:
            unread.extend(await self._read_batch(node, key))
        if not unread:
            return None
        if kind == "commands":
            self._in_hand[node] = self._in_hand.get(node, 0) + 1
        return key, unread.popleft()[1]

    async def _read_batch(self, node: str, key: str) -> list[tuple[bytes, bytes]]:
        """Read up to ``read_batch`` entries (blocking up to ``BLOCK_S``) and take those
        still this node's: their (charger, message) pairs, in order."""
        try:
            read = cast(
                _Read,
                await self._redis.xreadgroup(
                    GROUP, node, {key: ">"}, count=self._batch_size, block=int(BLOCK_S * 1000)
                ),
            )
        except ResponseError as error:
            if not str(error).startswith(("NOGROUP", "UNBLOCKED")):
                raise
            # Redis lost the stream (restarted empty, expired, or the node was taken for gone
            # and its stream handed on): made again if the node is still one, else its reader
            # sees that it left and joins again (RedisBus._take).
            await self._run("READY", self._queue_ttl_s, node)
            return []
        entries = [entry for _stream, batch in read or () for entry in batch]
        if not entries:
            return []
        taken = set(await self._run("TAKE", key, *(entry_id for entry_id, _ in entries)))
        return [(fields[b"c"], fields[b"m"]) for entry_id, fields in entries if entry_id in taken]

    async def leave(self, node: str) -> None:
        self._left.add(node)
        self._holding.pop(node, None)
        self._stale.discard(node)
        unread = {
            kind: [part for pair in self._unread.pop(self._queue(kind, node), ()) for part in pair]
            for kind in ("commands", "requests")
        }
        await self._run(
            "LEAVE",
            self._queue_ttl_s,
            node,
            len(unread["commands"]),
            *unread["commands"],
            *unread["requests"],
        )

    async def pending(self, node: str) -> int:
        untaken: int = await self._redis.xlen(self._queue("commands", node))
        unread = len(self._unread.get(self._queue("commands", node), ()))
        return untaken + unread + self._in_hand.get(node, 0)
