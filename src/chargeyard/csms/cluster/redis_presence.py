"""A CSMS node's own presence in the cluster, and what the nodes do when another's expires: a
station's ``is_online`` follows the presence of the node holding it.

Shape
-----
* **The nodes** are a set, ``{p}nodes``; each has a key ``{p}alive:{node}`` with the presence
  TTL, renewed a third of the TTL apart (:meth:`NodePresence.beat`). It holds the token of the
  node's run (a fresh one each time the process starts), which the node's stations' keys carry
  too (``redis_station_presence.py``): a station's key is read as present only while the
  ``alive`` key of the node it names holds the same run (:class:`LivePresence`). So a node's
  presence, one key, vouches for all its stations' keys, which then need no renewal of their
  own, and they all lapse together: when the node's presence expires, and at once when it is
  started again under the same name. A node's hash ``{p}node:{node}`` (its stations' keys)
  outlives its presence (:data:`NODE_LIST_TTL_S`), so that the others can tell which stations
  it held.
* **A node gone** (its ``alive`` key expired: ``kill -9``, a host lost, a process stalled past
  the TTL) is claimed by the first live node that looks (every renewal,
  :meth:`NodePresence.claim_gone`): one script takes it out of the set and renames its hash,
  so exactly one node marks its stations. That node marks offline in the store the stations
  of the list whose key is gone or no longer present (it names the dead node), but not one
  that connected since (``connected_before``: the claim's time), then marks online again any
  of them whose key another live node has written meanwhile (a station that reconnected while
  it was being marked), and deletes the keys that are not present. A node never marks another
  live node's stations.
* **A node that comes back** (it stalled, or lost Redis, for longer than the TTL and was
  claimed, or Redis was restarted empty) finds itself out of the set at its next beat: it
  writes all its stations' keys again and marks them online again in the store.
* **A node whose own presence lapsed** (its ``alive`` key was gone at its beat: Redis frozen,
  away or restarted with its data for longer than the TTL, or this node stalled) claims no
  other node for one TTL (:data:`LAPSE_GRACE_TTLS`): Redis away expires every node's presence
  at once, and the others come back one after the other, each within a TTL of Redis's
  return; taking them for gone meanwhile would mark live nodes' stations offline. A node that
  has not renewed by then is gone, and claimed as usual. The claim itself checks the
  claimer's ``alive`` key in Redis: a claim sent just before Redis froze runs just after it,
  before the claimer's next beat could find its presence lapsed.
* **A node restarted under the same name** takes over the list its previous run left
  (:meth:`NodePresence.join`) and marks offline those stations that have not reconnected to
  it.

The store is reached through :class:`PresenceBook` (``StationRepository`` is one), so this
module does not import it. A central system alone on its store needs none of this: it marks every
station offline at start (``CsmsServer(sole=True)``).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

import orjson
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from chargeyard.bus.redis_connection import OwnedTasks

logger = logging.getLogger(__name__)

NODE_LIST_TTL_S = 86_400
"""How long a node's list of stations outlives its last renewal: long enough for a live node
to find it gone and mark its stations, bounded for a cluster nobody starts again."""
GONE_TTL_S = 3_600
"""How long the list of a claimed node is kept while its claimer marks its stations (deleted
once they are)."""
SCAN_BATCH = 1_000
LAPSE_GRACE_TTLS = 1
"""How many TTLs a node whose own presence lapsed waits before it takes another for gone."""


class PresenceBook(Protocol):
    """Where a station's presence is kept for the API (the ``stations`` table)."""

    async def mark_offline(self, identities: Sequence[str], *, connected_before: datetime) -> int:
        """Mark them offline, but one that connected at ``connected_before`` or later."""
        ...

    async def mark_online(self, identities: Sequence[str]) -> int:
        """Mark them online (their node is back)."""
        ...


# KEYS[1] the node set, KEYS[2] the node's alive key; ARGV[1] the node, ARGV[2] the TTL,
# ARGV[3] the node's run. Returns {1 when the node was not in the set (its first beat, or
# Redis forgot it), 1 when its alive key was still there}.
_BEAT = """
local lived = redis.call('EXISTS', KEYS[2])
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[2])
return {redis.call('SADD', KEYS[1], ARGV[1]), lived}
"""

# KEYS[1] the node set; ARGV[1] the prefix, ARGV[2] a fresh token, ARGV[3] the claimed list's
# TTL, ARGV[4] the claiming node. Every other node of the set whose alive key is gone leaves
# the set, and its list is renamed for its claimer alone. Returns {node, renamed list or ''}
# pairs, flattened. A claimer whose own alive key is gone claims nobody: its claim was sent
# before Redis froze and runs after, when every node's presence lapsed at once (its next beat
# finds its own lapsed, and it then gives the others a TTL: LAPSE_GRACE_TTLS).
_CLAIM = """
if redis.call('EXISTS', ARGV[1] .. 'alive:' .. ARGV[4]) == 0 then
  return {}
end
local claimed = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if node ~= ARGV[4] and redis.call('EXISTS', ARGV[1] .. 'alive:' .. node) == 0 then
    redis.call('SREM', KEYS[1], node)
    local list, gone = ARGV[1] .. 'node:' .. node, ''
    if redis.call('EXISTS', list) == 1 then
      gone = ARGV[1] .. 'gone:' .. node .. ':' .. ARGV[2]
      redis.call('RENAME', list, gone)
      redis.call('EXPIRE', gone, ARGV[3])
    end
    claimed[#claimed + 1] = node
    claimed[#claimed + 1] = gone
  end
end
return claimed
"""

# (Lua) Whether a station key's value counts (``prefix``: the stations' key prefix): while the
# alive key of the node it names holds the run it names. A value without a run was written by
# an earlier release, which renewed each key with its node's presence: it counts while it
# lasts. (The alive keys come from the values, not from KEYS: fine on one Redis server, which
# is what this module runs on.)
_COUNTS = """
local function counts(held, prefix)
  local presence = cjson.decode(held)
  local run = presence['run']
  return not run or redis.call('GET', prefix .. 'alive:' .. presence['node']) == run
end
"""

# The stations' keys KEYS (ARGV[1] the prefix): the value of each while it counts, else nil.
_PRESENT_OR_NOT = (
    _COUNTS
    + """
local found = {}
for i, key in ipairs(KEYS) do
  local held = redis.call('GET', key)
  if held and not counts(held, ARGV[1]) then
    held = false
  end
  found[i] = held
end
return found
"""
)

# The stations' keys KEYS of a node gone (ARGV[1] the prefix): each deleted unless it counts
# (the station connected to a live node since). Returns how many were deleted.
_SWEEP = (
    _COUNTS
    + """
local deleted = 0
for _, key in ipairs(KEYS) do
  local held = redis.call('GET', key)
  if held and not counts(held, ARGV[1]) then
    deleted = deleted + redis.call('DEL', key)
  end
end
return deleted
"""
)

# A node restarted under its name: KEYS[1] its list, KEYS[2] where to put it; ARGV[1] the
# TTL. Returns 1 when there was one.
_TAKE_OVER = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def station_key(prefix: str, identity: str) -> str:
    """The presence key of ``identity`` (``redis_station_presence.py`` writes it)."""
    return f"{prefix}station:{identity}"


def holder_of(value: bytes | str) -> str:
    """The node a station key's value names."""
    return str(orjson.loads(value)["node"])


class Beat(NamedTuple):
    """What a node's beat found (:meth:`NodePresence.beat`)."""

    forgotten: bool
    """Redis had forgotten the node (claimed as gone, or restarted empty): its stations' keys
    are to be written again and :meth:`NodePresence.back` called."""
    lapsed: bool
    """Its ``alive`` key had expired (Redis away, frozen or restarted, or this node stalled,
    past the TTL): a Redis restarted from a snapshot may lack keys written since."""


class LivePresence:
    """Which stations' keys are present: written by a node whose presence is alive, in the
    run that wrote them (see the module docstring). Every reader of a station's key reads it
    through here, never with a bare ``GET``: a key outlives the node that wrote it.

    Args:
        redis: the reader's client.
        prefix: the stations' key prefix (``redis_stations.py``).
    """

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._prefix = prefix
        self._read = redis.register_script(_PRESENT_OR_NOT)
        self._sweep = redis.register_script(_SWEEP)

    async def values(self, identities: Sequence[str]) -> list[bytes | None]:
        """The value of each station's key while it is present, else None; one round trip.
        Raises one of ``LOST``."""
        if not identities:
            return []
        keys = [station_key(self._prefix, identity) for identity in identities]
        found: list[bytes | None] = await self._read(keys=keys, args=[self._prefix])
        return found

    async def queue_values(self, identities: Sequence[str], pipe: Pipeline) -> None:
        """:meth:`values` as one command of ``pipe`` (at least one identity), whose result
        is then the list."""
        keys = [station_key(self._prefix, identity) for identity in identities]
        await self._read(keys=keys, args=[self._prefix], client=pipe)

    async def sweep(self, identities: Sequence[str]) -> int:
        """Delete the keys of ``identities`` that are not present (their node is gone);
        returns how many. Raises one of ``LOST``."""
        deleted = 0
        for start in range(0, len(identities), SCAN_BATCH):
            batch = identities[start : start + SCAN_BATCH]
            keys = [station_key(self._prefix, identity) for identity in batch]
            deleted += int(await self._sweep(keys=keys, args=[self._prefix]))
        return deleted


class NodePresence:
    """One CSMS node's presence, and its watch over the other nodes' (see the module
    docstring).

    Args:
        redis: the node's client.
        prefix: the stations' key prefix (``redis_stations.py``).
        node: this node's name.
        ttl_s: the presence TTL.
        book: where ``is_online`` is written (None: the node joins and beats, and leaves
            the marking to the nodes that have one).
        holds: whether a station is connected to this node now.
        tasks: the owner of the marking tasks.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,
        node: str,
        ttl_s: int,
        book: PresenceBook | None,
        holds: Callable[[str], bool],
        tasks: OwnedTasks,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self.node = node
        self._ttl = ttl_s
        self._book = book
        self._holds = holds
        self._tasks = tasks
        self._beat = redis.register_script(_BEAT)
        self._claim = redis.register_script(_CLAIM)
        self._take_over = redis.register_script(_TAKE_OVER)
        self.presence = LivePresence(redis, prefix)
        self.run = uuid.uuid4().hex
        """This run's token: in the node's ``alive`` key and in each of its stations' keys."""
        self._joined = False
        self._claims_from = 0.0  # (monotonic) no claim before: this node's presence lapsed
        self._unmarked: list[tuple[str, str, datetime]] = []  # (node, list, since): retried

    @property
    def _nodes(self) -> str:
        return f"{self._prefix}nodes"

    def _list(self, node: str) -> str:
        return f"{self._prefix}node:{node}"

    def _identity(self, station_key: bytes | str) -> str:
        return _text(station_key).removeprefix(f"{self._prefix}station:")

    async def join(self) -> None:
        """Join the cluster; a list left by this node's previous run (same name) is taken over
        and its stations not connected here are marked offline. Raises one of ``LOST``."""
        since = datetime.now(UTC)
        await self.beat()  # (the previous run's keys are no longer present from here on)
        gone = f"{self._prefix}gone:{self.node}:{uuid.uuid4().hex}"
        if self._book is not None and await self._take_over(
            keys=[self._list(self.node), gone], args=[GONE_TTL_S]
        ):
            self._tasks.own(self._mark(self.node, gone, since))

    async def beat(self) -> Beat:
        """Renew this node's presence: what Redis had lost of it since it joined (see
        :class:`Beat`). Raises one of ``LOST``."""
        alive = f"{self._prefix}alive:{self.node}"
        added, lived = await self._beat(
            keys=[self._nodes, alive], args=[self.node, self._ttl, self.run]
        )
        lapsed = self._joined and not lived
        if lapsed:  # (the others' presence may have lapsed with it)
            self._claims_from = time.monotonic() + LAPSE_GRACE_TTLS * self._ttl
            logger.warning(
                "CSMS node %s's presence lapsed (no renewal reached Redis for %d s): it takes"
                " no other node for gone for %d s",
                self.node,
                self._ttl,
                LAPSE_GRACE_TTLS * self._ttl,
            )
        forgotten = bool(added) and self._joined
        self._joined = True
        return Beat(forgotten=forgotten, lapsed=lapsed)

    async def back(self, identities: Sequence[str]) -> None:
        """This node's stations are online again (written after their keys are)."""
        marked = 0
        if self._book is not None and identities:
            try:
                marked = await self._book.mark_online(identities)
            except Exception as error:  # (the store's outage: a station's next message says it)
                logger.warning("could not mark this node's stations online again: %s", error)
        logger.warning(
            "CSMS node %s was no longer known to Redis (restarted empty, or no renewal for %d s):"
            " its %d stations are announced again, %d of them marked online again",
            self.node,
            self._ttl,
            len(identities),
            marked,
        )

    async def claim_gone(self) -> None:
        """Claim the nodes whose presence expired and mark their stations offline (in tasks
        of their own); retry the marks that failed. Raises one of ``LOST``."""
        if self._book is None:
            return
        retried, self._unmarked = self._unmarked, []
        for node, gone, at in retried:
            self._tasks.own(self._mark(node, gone, at))
        if time.monotonic() < self._claims_from:
            return  # (this node's own presence lapsed: the others get a TTL to renew)
        since = datetime.now(UTC)
        claimed: list[Any] = await self._claim(
            keys=[self._nodes], args=[self._prefix, uuid.uuid4().hex, GONE_TTL_S, self.node]
        )
        for node, gone in zip(claimed[::2], claimed[1::2], strict=True):
            if gone:
                self._tasks.own(self._mark(_text(node), _text(gone), since))
            else:
                logger.info("CSMS node %s went away holding no station", _text(node))

    async def leave(self) -> None:
        """Out of the set (a node that closes; its stations are marked by its listener)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.srem(self._nodes, self.node)
            pipe.delete(f"{self._prefix}alive:{self.node}")
            await pipe.execute()

    async def _mark(self, node: str, gone: str, since: datetime) -> None:
        """Mark offline the stations of ``node``'s claimed list ``gone`` that no live node
        holds, delete their keys and then the list; on failure, retried at the next claim."""
        assert self._book is not None
        try:
            orphans = await self._orphans(node, gone)
            marked = await self._book.mark_offline(orphans, connected_before=since)
            back = await self._held_elsewhere(node, orphans)
            if back:
                await self._book.mark_online(back)
            await self.presence.sweep(orphans)
            await self._redis.delete(gone)
        except Exception as error:  # (LOST, or the store's outage)
            logger.warning("stations of CSMS node %s not marked offline yet: %s", node, error)
            self._unmarked.append((node, gone, since))
            return
        whose = "its previous run" if node == self.node else f"CSMS node {node}, gone,"
        logger.info("%d stations of %s marked offline", marked, whose)

    async def _orphans(self, node: str, gone: str) -> list[str]:
        """The stations on the list whose key is not present or still names ``node`` (not
        one that moved to another live node, nor one connected here now)."""
        orphans: list[str] = []
        cursor = 0
        while True:
            cursor, entries = await self._redis.hscan(gone, cursor, count=SCAN_BATCH)
            identities = [self._identity(key) for key in entries]
            if identities:
                now = await self.presence.values(identities)
                for identity, value in zip(identities, now, strict=True):
                    if value is not None and holder_of(value) != node:
                        continue
                    if node == self.node and self._holds(identity):
                        continue
                    orphans.append(identity)
            if not cursor:
                return orphans

    async def _held_elsewhere(self, node: str, identities: list[str]) -> list[str]:
        """Those of ``identities`` that a live node holds now (they connected again while
        they were being marked)."""
        node_back = node != self.node and bool(await self._redis.sismember(self._nodes, node))
        held: list[str] = []
        for start in range(0, len(identities), SCAN_BATCH):
            batch = identities[start : start + SCAN_BATCH]
            now = await self.presence.values(batch)
            for identity, value in zip(batch, now, strict=True):
                if value is None:
                    continue
                holder = holder_of(value)
                if holder != node or node_back or (node == self.node and self._holds(identity)):
                    held.append(identity)
        return held
