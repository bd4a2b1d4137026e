"""A CSMS node's stations announced to the cluster: a presence key per station, written as it
connects, deleted when it goes, and present while its node is. The node and the version a
key holds are read here (:func:`read_presence`); the key's name, the node it names and whether
it counts (its node's run still alive: :class:`LivePresence`) are ``redis_presence.py``'s,
whose node presence reads them too.

Shape
-----
* **Presence** is a key per station, ``{p}station:{identity}``, holding the node that holds
  its WebSocket, the node's run, and the OCPP version the station negotiated (its
  subprotocol, ``ocpp1.6``; nodes of earlier releases wrote the version's name, ``1.6``, and
  no run, and both are read, so that nodes of two releases share one Redis through a rolling
  upgrade). The node writes it when the station connects (``Registry.watchers``; the
  station's BootNotification is answered once it is written, ``Registry.announcers``), and
  deletes it when the station goes (only if it still names this node: a station that moved is
  left to its new node).
* **A key is present while its node is**: read through ``redis_presence.py``'s
  :class:`LivePresence`, it counts only while the node's own ``alive`` key (renewed a third of
  the presence TTL apart) holds the run the key names. A node that dies or loses Redis for
  longer than the TTL has all its stations read as not connected at once, and so does a node
  restarted under the same name; when Redis is back, the node's next beat makes its keys
  present again (and, when Redis forgot the node, writes them all again). So keeping 16,667
  stations present costs Redis one key every 5 s, not 16,667: renewing each key was most of
  what Redis spent in a 100,000-station boot, and grew with the stations times the boot's
  length. The live node that claims a dead one deletes its stations' keys
  (``redis_presence.py``).
* **The keys still expire**, :data:`KEY_TTL_S` after their last renewal, so that the keys of a
  cluster nobody starts again do not stay for ever. A node keeps the keys it wrote in a hash of
  its own, ``{p}node:{node}`` (key -> value), and renews them every :data:`KEY_RENEW_S` with a
  script that walks the hash a batch at a time. The script renews a key only while it is
  missing or still names this node's run, so a station that moved to another node is not
  taken back. When the hash is gone (Redis restarted without it), or the node's presence had
  lapsed at its beat (Redis away, or restarted from a snapshot that lacks the keys written
  since), the node writes every key and the hash again from its registry. Nodes of an earlier
  release read a key as present while it lasts: through an upgrade, they take a dead node's
  stations for connected to it until the live node that claims it deletes their keys.

A node's hash expires ``NODE_LIST_TTL_S`` after its last renewal (an entry leaves the hash as
its station leaves the node; a live node deletes a dead one's once it marked its stations).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from types import MappingProxyType

import orjson
from redis.asyncio import Redis

from chargeyard.bus.redis_connection import LOST, Outage, OwnedTasks
from chargeyard.csms.cluster.redis_presence import (
    NODE_LIST_TTL_S,
    NodePresence,
    PresenceBook,
    station_key,
)
from chargeyard.csms.registry import Registry
from chargeyard.protocol import VERSIONS, VersionSpec

KEY_TTL_S = NODE_LIST_TTL_S
"""How long a station's key outlives its node's last renewal of it (it counts only while its
node's presence does: a day is a bound on what a cluster gone for good leaves in Redis)."""
KEY_RENEW_S = 3_600.0
"""How often a node renews its stations' keys and its hash (well within both TTLs)."""
RENEW_BATCH = 1_000
"""Keys per script call when a node writes or renews its stations (a call blocks Redis for a
few milliseconds at most)."""
ANNOUNCE_WAIT_S = 2.0
"""How long a boot waits at most for its station's presence key (an outage does not hold boots
up: the key is written when Redis is back)."""

_PRESENCE_VERSIONS: Mapping[str, VersionSpec] = MappingProxyType(
    {**{spec.name: spec for spec in VERSIONS.values()}, **VERSIONS}
)
"""A presence's version: its subprotocol, or its name as an earlier release wrote it."""

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
# keys' TTL, ARGV[2] the value, one version's, ARGV[3] the hash's TTL): SET key value EX ttl
# and into the hash, for a thousand keys in one command.
_PRESENT = """
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[2], 'EX', ARGV[1])
  redis.call('HSET', KEYS[1], KEYS[i], ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return #KEYS - 1
"""

# One batch of a renewal (KEYS[1] the node's hash; ARGV[1] the keys' TTL, ARGV[2] the HSCAN cursor,
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


def read_presence(raw: bytes | str) -> tuple[str, VersionSpec]:
    """The node and the version a presence key holds.

    Raises:
        KeyError: a version no release of chargeyard wrote.
    """
    data = orjson.loads(raw)
    return str(data["node"]), _PRESENCE_VERSIONS[str(data["version"])]


class StationPresence:
    """The presence keys of the stations connected to one CSMS node, and the node's own
    presence (``redis_presence.py``'s :class:`NodePresence`), kept by one task.

    Args:
        redis: the node's client.
        registry: the node's listener's connections.
        node: this node's name.
        prefix: the start of every key.
        ttl_s: how long the node's presence outlives its last renewal (its stations' keys
            count as long).
        book: where the stations of a node gone offline are marked (``redis_presence.py``).
        tasks: the owner of the announcing task and of the markings.
        outage: how the node logs and waits out an outage (shared with its other loops).
    """

    def __init__(
        self,
        redis: Redis,
        *,
        registry: Registry,
        node: str,
        prefix: str,
        ttl_s: int,
        book: PresenceBook | None,
        tasks: OwnedTasks,
        outage: Outage,
    ) -> None:
        self._redis = redis
        self._registry = registry
        self._node = node
        self._prefix = prefix
        self._ttl = ttl_s
        self._tasks = tasks
        self._outage = outage
        self._forget = redis.register_script(_FORGET)
        self._present = redis.register_script(_PRESENT)
        self._renew_batch = redis.register_script(_RENEW)
        self._membership = NodePresence(
            redis,
            prefix=prefix,
            node=node,
            ttl_s=ttl_s,
            book=book,
            holds=lambda identity: registry.get(identity) is not None,
            tasks=tasks,
        )
        self._changed: dict[str, VersionSpec | None] = {}
        # What the write under way holds (under ``_writing``: one at a time), and whether it
        # writes everything: a station in neither, nor in ``_changed``, has its key written.
        self._in_flight: dict[str, VersionSpec | None] = {}
        self._writing_all = False
        self._presences: dict[VersionSpec, bytes] = {}  # a version's presence value, made once
        self._wake = asyncio.Event()
        self._writing = asyncio.Lock()
        self._closed = False
        self._rewrite = True  # the next renewal writes every key and the hash
        self._forgotten = False  # Redis forgot this node: its stations to be marked online again
        self._keys_renewed_at = -KEY_RENEW_S  # (loop time) when the keys were last renewed

    def _node_key(self) -> str:
        return f"{self._prefix}node:{self._node}"

    def _presence(self, version: VersionSpec) -> bytes:
        value = self._presences.get(version)
        if value is None:
            value = self._presences[version] = orjson.dumps(
                {"node": self._node, "version": version.subprotocol, "run": self._membership.run}
            )
        return value

    # -- life -----------------------------------------------------------------------------------

    async def join(self) -> None:
        """Join the cluster (``NodePresence.join``). Raises one of ``LOST``."""
        await self._membership.join()

    def start(self) -> None:
        """Hear the registry's connects and disconnects, and write them as they come."""
        self._registry.watchers.append(self._watch)
        self._registry.announcers.append(self._announced)
        self._tasks.own(self._announce())

    def stop(self) -> None:
        """Stop hearing the registry; the announcing task ends with the owner's tasks."""
        self._closed = True
        if self._watch in self._registry.watchers:
            self._registry.watchers.remove(self._watch)
            self._registry.announcers.remove(self._announced)

    async def leave(self) -> None:
        """Leave the cluster and delete the keys of the stations still held (they would expire
        anyway). Raises one of ``LOST``."""
        await self._membership.leave()
        await self._forget_all(list(self._registry))
        await self._redis.delete(self._node_key())  # (leave() deleted its alive key)

    # -- writing --------------------------------------------------------------------------------

    def _watch(self, identity: str, version: VersionSpec | None) -> None:
        self._changed[identity] = version
        self._wake.set()

    async def _announce(self) -> None:
        """Write what changed as it changes, and renew the node's presence a third of the TTL
        apart (its stations' keys every :data:`KEY_RENEW_S`); after an outage, write everything
        again."""
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
                    await self.renew(keys=loop.time() >= self._keys_renewed_at + KEY_RENEW_S)
                    next_renewal = loop.time() + renew_every
                else:
                    await self.flush()
            except LOST as error:
                self._rewrite = True
                await self._outage.back_off(error)
                next_renewal = loop.time()  # everything, once Redis answers again
                continue
            self._outage.ok()

    async def _announced(self, identity: str) -> None:
        """Return once the connect of ``identity`` is written (a booting station waits for it:
        the registry's announcers), or at the latest after :data:`ANNOUNCE_WAIT_S`; Redis away
        is no reason to keep a station from booting.

        In a boot storm the announcing task has most often written the connect before the
        station's BootNotification arrives (its WebSocket handshake and first frame come
        between): then it returns at once, without a timer, the lock, or a write of the
        connects that came since."""
        if not (identity in self._changed or identity in self._in_flight or self._writing_all):
            return
        with contextlib.suppress(TimeoutError, *LOST):
            async with asyncio.timeout(ANNOUNCE_WAIT_S):
                await self.flush()

    async def flush(self) -> None:
        """Write the connects and disconnects not written yet; returns once they are (and any
        write already under way). Raises one of ``LOST`` when Redis cannot be reached."""
        async with self._writing:
            await self._flush()

    async def renew(self, *, keys: bool = True) -> None:
        """Renew the node's presence and write what changed; with ``keys``, give every key of
        this node's stations its TTL again too (the first time, after an outage, or when Redis
        lost the node's hash: write them all); then claim the nodes gone and mark their
        stations offline (``redis_presence.py``). Raises one of ``LOST`` when Redis cannot be
        reached."""
        beat = await self._membership.beat()
        if beat.forgotten:  # (until it is told again)
            self._forgotten = True
        if beat.lapsed:
            # Restarted from a snapshot, Redis may have lost the keys written since, which
            # nothing else would write again for an hour.
            self._rewrite = True
        async with self._writing:
            rewrite = self._rewrite or self._forgotten
            if rewrite:
                await self._write_all()
            else:
                await self._flush()
        if self._forgotten:  # (its keys written first: a station marked online can be reached)
            self._forgotten = False
            self._tasks.own(self._membership.back(list(self._registry)))
        if keys and not rewrite:
            await self._renew_all()
        await self._membership.claim_gone()

    async def _renew_all(self) -> None:
        """Every key of the node's hash given its TTL again, a batch per script: not under
        ``_writing``, so the boots that wait for their connects to be written (flush) do not
        wait for a renewal. When the hash is gone (Redis lost it), everything is written."""
        renewed, cursor = 0, b"0"
        while True:
            cursor, count = await self._renew_batch(
                keys=[self._node_key()], args=[KEY_TTL_S, cursor, RENEW_BATCH, NODE_LIST_TTL_S]
            )
            renewed += int(count)
            if cursor in (b"0", "0"):
                break
        if renewed == 0 and len(self._registry) > 0:  # the hash expired, or Redis lost it
            async with self._writing:
                await self._write_all()
        self._keys_renewed_at = asyncio.get_running_loop().time()

    async def _flush(self) -> None:
        """:meth:`flush`, under ``_writing``."""
        changed, self._changed = self._changed, {}
        self._in_flight = changed
        try:
            await self._write(changed)
        except BaseException:
            self._put_back(changed)
            raise
        finally:
            self._in_flight = {}

    def _put_back(self, changed: dict[str, VersionSpec | None]) -> None:
        """A write that did not finish: Redis lost, or the write cancelled (a boot that stopped
        waiting for it after :data:`ANNOUNCE_WAIT_S`). What it held is written again by the
        announcing task (a station's later change wins; both writes are idempotent)."""
        self._changed = {**changed, **self._changed}
        self._wake.set()

    async def _write(self, changed: dict[str, VersionSpec | None]) -> None:
        """One round trip for the stations that connected (a burst of connects is thousands:
        the registry is asked per station, never listed) and one for those that went (deleted
        if their key still names this node)."""
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
        changed, self._changed = self._changed, {}
        self._writing_all = True
        try:
            await self._forget_all([i for i in changed if self._registry.get(i) is None])
            await self._redis.delete(self._node_key())
            await self._announce_present(list(self._registry.connected().items()))
        except BaseException:
            self._put_back(changed)
            raise
        finally:
            self._writing_all = False
        self._rewrite = False
        self._keys_renewed_at = asyncio.get_running_loop().time()

    async def _forget_all(self, identities: list[str]) -> None:
        """Out of this node's hash, and their keys deleted where they name this node: one
        round trip per :data:`RENEW_BATCH` stations."""
        node_key = self._node_key()
        for start in range(0, len(identities), RENEW_BATCH):
            async with self._redis.pipeline(transaction=False) as pipe:
                for identity in identities[start : start + RENEW_BATCH]:
                    keys = [station_key(self._prefix, identity), node_key]
                    await self._forget(keys=keys, args=[self._node], client=pipe)
                await pipe.execute()

    async def _announce_present(self, stations: list[tuple[str, VersionSpec]]) -> None:
        """Set the presence key of each of ``stations`` (identity, version) with a fresh TTL,
        and its entry in this node's hash: one script call per :data:`RENEW_BATCH` stations
        of a version, in one round trip."""
        if not stations:
            return
        by_version: dict[VersionSpec, list[str]] = {}
        for identity, version in stations:
            by_version.setdefault(version, []).append(station_key(self._prefix, identity))
        node_key = self._node_key()
        async with self._redis.pipeline(transaction=False) as pipe:
            for version, keys in by_version.items():
                value = self._presence(version)
                for start in range(0, len(keys), RENEW_BATCH):
                    batch = [node_key, *keys[start : start + RENEW_BATCH]]
                    await self._present(
                        keys=batch, args=[KEY_TTL_S, value, NODE_LIST_TTL_S], client=pipe
                    )
            await pipe.execute()
