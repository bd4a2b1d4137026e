"""One station's chaos: the faults applied to it, when each ends, the seeded source every
random draw comes from, and the journal of what the faults did.

Theory of operation
-------------------
A :class:`Chaos` belongs to one :class:`~chargeyard.fleet.runtime.StationRuntime` (its
``chaos``, made by ``apply_chaos``). It keeps the active faults (:class:`ActiveFault`, each
with the loop time it ends at, or none) and ends each on a timer of its own; it does not
know what a kind does. The parts that act ask it:

* the link (``fleet/link.py``) asks :meth:`Chaos.latency` and :meth:`Chaos.rate` for each chunk
  of bytes it writes or reads (``pipe.py``) and :attr:`Chaos.half_open` before it reads;
* the runtime asks :meth:`Chaos.refusing` before it dials and hands the station's outgoing
  frames to :meth:`Chaos.send` (``frames.py``);
* the :class:`~chargeyard.fleet.chaos.faults.Disconnect` timers call the runtime back
  (:class:`ChaosHooks`);
* a change of the ``station`` faults (applied, ended, cleared) is handed to the runtime as the
  faults before and after it (``chaos_station``: the station's bad days), and a ``crowd``
  fault strikes through the runtime at its ``after_s`` (``chaos_crowd``) and ends.

Reproducible: every draw comes from :func:`seeded_source` (the random seed and the station's
identity), in the order the station's traffic asks, so the same seed, profile and traffic give
the same faults, which :attr:`Chaos.journal` lists (what happened, to which frame).
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from chargeyard.fleet.chaos.crowds import crowd_source
from chargeyard.fleet.chaos.faults import (
    Bandwidth,
    Crowd,
    Disconnect,
    Fault,
    HalfOpen,
    Latency,
    ReconnectStorm,
    RefuseConnect,
    fault_to_dict,
)
from chargeyard.fleet.chaos.frames import release_held

Direction = Literal["up", "down"]
"""``up``: station to central system; ``down``: the other way."""

EFFECTS = (
    "frame_dropped",
    "frame_duplicated",
    "frame_delayed",
    "frame_reordered",
    "answer_delayed",
    "answer_withheld",
    "connection_dropped",
    "connect_refused",
    "half_open",
    "clock_set",
    "misbehaviour_on",
    "reconnect_storm",
    "rolling_restart",
    "power_cut",
)
"""What a fault did, as the journal and the metrics name it."""

_JOURNAL_SIZE = 1000  # entries kept per station (the metrics count them all)

F = TypeVar("F", bound=Fault)


def seeded_source(seed: int, identity: str) -> random.Random:
    """The random source of one station's faults: the same for the same seed and identity in
    every process (a string seed is hashed with SHA-512, not Python's salted ``hash``)."""
    return random.Random(f"chaos/{seed}/{identity}")


@dataclass(frozen=True, slots=True)
class Applied:
    """One thing a fault did: ``at`` seconds after the chaos began, ``effect`` (one of
    :data:`EFFECTS`), and what it was done to (``CALL BootNotification 1``)."""

    at: float
    effect: str
    detail: str


@dataclass(slots=True)
class ActiveFault:
    """A fault applied to the station, until loop time ``ends_at`` (None: until cleared)."""

    fault: Fault
    since: float
    ends_at: float | None
    handles: list[asyncio.TimerHandle] = field(default_factory=list)


class ChaosHooks(Protocol):
    """What a :class:`Chaos` asks of its runtime."""

    def chaos_cut(self) -> bool:
        """Abort the station's connection now; False when it has none open."""
        ...

    def chaos_reading(self, reading: bool) -> None:
        """Stop (False) or resume (True) reading the station's socket."""
        ...

    def chaos_station(self, before: list[Fault], after: list[Fault]) -> None:
        """The station's own faults were ``before`` and are ``after`` now."""
        ...

    def chaos_crowd(self, fault: Crowd, reconnect_in_s: float) -> bool:
        """Strike the station with a crowd fault now (a storm's station dials again after
        ``reconnect_in_s``); False when it cannot be struck (no connection to cut, off)."""
        ...


class Chaos:
    """The faults of one station (see the module docstring).

    Args:
        identity: the station's, for the seeded source and the journal.
        seed: the random seed of the source.
        hooks: the runtime.
        count: told of each effect (the fleet's counters, the metrics).
        mark: told of each frame an effect touched (``effect``, the frame): the frame log.
    """

    def __init__(
        self,
        identity: str,
        seed: int,
        hooks: ChaosHooks,
        *,
        count: Callable[[str], None] | None = None,
        mark: Callable[[str, bytes], None] | None = None,
    ) -> None:
        self.identity = identity
        self.seed = seed
        self.rng = seeded_source(seed, identity)
        self._hooks = hooks
        self._count = count
        self.mark = mark
        self.loop = asyncio.get_running_loop()
        self.started_at = self.loop.time()
        self.journal: list[Applied] = []
        self._active: list[ActiveFault] = []
        self._refused_until = -math.inf
        self.held: list[tuple[bytes, Callable[[list[bytes]], None]]] = []  # (frames.py)
        # Timers of frames sent late (frames.py), each with what sends its frame at once when
        # the faults are cleared (None: a frame held for reordering, which ``held`` sends).
        self.late: dict[asyncio.TimerHandle, Callable[[], None] | None] = {}
        # The central system's CALL ids -> action, on this connection (frames.py: answers
        # are named by the call they answer).
        self.asked: dict[str, str] = {}

    # -- applying and ending -----------------------------------------------------------------

    def reseed(self, seed: int) -> None:
        """Draw from ``seed`` (and the identity) from now on; the active faults stay."""
        self.seed = seed
        self.rng = seeded_source(seed, self.identity)

    def apply(self, faults: Iterable[Fault]) -> None:
        """Add ``faults`` to the active ones; each starts now."""
        for fault in faults:
            self._start(fault)

    def clear(self) -> None:
        """End every fault now; frames held back are sent."""
        for active in list(self._active):
            self._end(active)
        late, self.late = self.late, {}
        for handle, send_now in late.items():
            handle.cancel()
            if send_now is not None:
                send_now()  # delayed no longer: sent now, in the order they were delayed
        self._refused_until = -math.inf
        release_held(self)

    def _start(self, fault: Fault) -> None:
        now = self.loop.time()
        if isinstance(fault, Crowd):
            self._start_crowd(fault, now)
            return
        before = self._station_faults()
        ends_at = None if fault.for_s is None else now + fault.for_s
        if isinstance(fault, Disconnect) and fault.every_s is None and fault.per_minute is None:
            ends_at = now + fault.offline_s  # a cut now lasts as long as its offline time
        active = ActiveFault(fault, now, ends_at)
        self._active.append(active)
        if ends_at is not None:
            active.handles.append(self.loop.call_at(ends_at, self._end, active))
        if isinstance(fault, Disconnect):
            self._next_cut(active, first=True)
        elif isinstance(fault, HalfOpen) and len(self.all(HalfOpen)) == 1:
            self.applied("half_open", "the station stops reading")
            self._hooks.chaos_reading(False)
        elif fault.layer == "station":
            self._hooks.chaos_station(before, self._station_faults())
            effect = "clock_set" if fault.kind == "clock" else "misbehaviour_on"
            self.applied(effect, fault.kind)

    def _start_crowd(self, fault: Crowd, now: float) -> None:
        # Drawn now, from a source of its own: the same whatever the station's traffic.
        reconnect_in = 0.0
        if isinstance(fault, ReconnectStorm) and fault.jitter_s > 0:
            reconnect_in = crowd_source(self.seed, self.identity).uniform(0, fault.jitter_s)
        active = ActiveFault(fault, now, now + fault.after_s)
        self._active.append(active)
        active.handles.append(
            self.loop.call_at(now + fault.after_s, self._strike, active, reconnect_in)
        )

    def _strike(self, active: ActiveFault, reconnect_in: float) -> None:
        self._end(active)
        fault = active.fault
        assert isinstance(fault, Crowd)
        if self._hooks.chaos_crowd(fault, reconnect_in):
            detail = f"dials again in {reconnect_in:.3f} s" if reconnect_in else fault.kind
            self.applied(fault.kind, detail)

    def _end(self, active: ActiveFault) -> None:
        if active not in self._active:
            return
        before = self._station_faults()
        self._active.remove(active)
        for handle in active.handles:
            handle.cancel()
        if isinstance(active.fault, HalfOpen) and not self.all(HalfOpen):
            self._hooks.chaos_reading(True)
        elif active.fault.layer == "station":
            self._hooks.chaos_station(before, self._station_faults())

    def _station_faults(self) -> list[Fault]:
        return [a.fault for a in self._active if a.fault.layer == "station"]

    # -- what is active ------------------------------------------------------------------------

    @property
    def faults(self) -> list[ActiveFault]:
        return list(self._active)

    def all(self, kind: type[F]) -> list[F]:
        """The active faults of ``kind``, oldest first."""
        return [a.fault for a in self._active if isinstance(a.fault, kind)]

    def describe(self) -> list[dict[str, Any]]:
        """The active faults as JSON-ready data, each with ``remaining_s`` (None: until
        cleared)."""
        now = self.loop.time()
        return [
            {
                **fault_to_dict(a.fault),
                "remaining_s": None if a.ends_at is None else round(max(a.ends_at - now, 0.0), 3),
            }
            for a in self._active
        ]

    # -- link faults ---------------------------------------------------------------------------

    @property
    def shaping(self) -> bool:
        """Latency or a bandwidth cap is active: the link's bytes go through pipes."""
        return any(isinstance(a.fault, Latency | Bandwidth) for a in self._active)

    def latency(self, direction: Direction) -> float:
        """Seconds a chunk going ``direction`` waits now (the latencies' sum, jitter drawn)."""
        total = 0.0
        for fault in self.all(Latency):
            base = fault.up_ms if direction == "up" else fault.down_ms
            jitter = self.rng.uniform(-fault.jitter_ms, fault.jitter_ms) if fault.jitter_ms else 0
            total += max(base + jitter, 0.0) / 1000
        return total

    def rate(self, direction: Direction) -> float | None:
        """The tightest bandwidth cap going ``direction`` (bytes a second), or None."""
        caps = [
            cap
            for fault in self.all(Bandwidth)
            if (cap := fault.up_bytes_per_s if direction == "up" else fault.down_bytes_per_s)
        ]
        return min(caps) if caps else None

    @property
    def half_open(self) -> bool:
        return bool(self.all(HalfOpen))

    def refusing(self) -> bool:
        """A connection attempt now is refused (journaled when it is)."""
        if self.all(RefuseConnect) or self.loop.time() < self._refused_until:
            self.applied("connect_refused", "the central system is unreachable")
            return True
        return False

    def _next_cut(self, active: ActiveFault, *, first: bool = False) -> None:
        fault = active.fault
        assert isinstance(fault, Disconnect)
        if fault.every_s is not None:
            wait = fault.every_s
        elif fault.per_minute is not None:
            # P(at least one cut in a minute) = per_minute: a Poisson process of that rate.
            share = min(max(fault.per_minute, 0.0), 0.999_999)
            if share == 0:
                return
            wait = self.rng.expovariate(-math.log1p(-share) / 60)
        elif first:
            self._cut(active)  # now: before its end (its offline time) may come due
            return
        else:
            return
        active.handles.append(self.loop.call_later(wait, self._cut, active))

    def _cut(self, active: ActiveFault) -> None:
        if active not in self._active:
            return
        fault = active.fault
        assert isinstance(fault, Disconnect)
        if self._hooks.chaos_cut():
            self.applied("connection_dropped", f"offline {fault.offline_s:g} s")
            self._refused_until = max(self._refused_until, self.loop.time() + fault.offline_s)
        self._next_cut(active)

    # -- the journal -----------------------------------------------------------------------------

    def applied(self, effect: str, detail: str, frame: bytes | None = None) -> None:
        """Record what a fault did (and count it; mark ``frame`` in the frame log)."""
        if len(self.journal) >= _JOURNAL_SIZE:
            del self.journal[: _JOURNAL_SIZE // 10]
        self.journal.append(Applied(round(self.loop.time() - self.started_at, 6), effect, detail))
        if self._count is not None:
            self._count(effect)
        if frame is not None and self.mark is not None:
            self.mark(effect, frame)

    def effects(self) -> list[tuple[str, str]]:
        """The journal without its times: what to compare between two seeded runs."""
        return [(entry.effect, entry.detail) for entry in self.journal]


__all__ = [
    "EFFECTS",
    "ActiveFault",
    "Applied",
    "Chaos",
    "ChaosHooks",
    "Direction",
    "seeded_source",
]
