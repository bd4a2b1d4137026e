"""Automatic charging sessions: random drivers for load tests and demos.

Theory of operation
-------------------
Every EVSE of every station driven is a slot with a small cycle, run with the stations' own
physical verbs (``plug``, ``present_id_token``, ``unplug``: what a person does, never an OCPP
message), so each station reports the session exactly as it would for a real driver:

    idle --arrival--> first action --handling--> second action --parking--> leave --> idle

* arrivals: while an EVSE is free, drivers come at ``sessions_per_hour`` (a Poisson process:
  exponential gaps), and never sooner than ``min_idle_s`` after the last one left;
* a driver either badges first and then plugs, or plugs first and then badges
  (``tag_first_share``), ``handling_s`` apart; tags come from a pool of ``tags`` cards;
* the EV (a preset profile at a random state of charge) wants a log-normal amount of energy
  (``mean_energy_wh``) and stops drawing once it has it (the station reports SuspendedEV).
  It arrives needing a charge it can take here: a car without a DC inlet does not come to a
  DC charger, and its state of charge leaves room for energy, so that a session charges
  before it ever suspends;
* the driver stays a log-normal time (``mean_session_s``), then ends with the card
  (``stop_by_tag_share``) and unplugs, or just unplugs;
* a verb the station refuses (the connector is unavailable, someone else is on it) ends that
  attempt; the slot rests and tries again later;
* drivers act only while the station is online (Accepted by its central system now) and in
  service (booted since it was last powered on; out of service from the moment it starts
  going down for a reboot), and a driver comes only to an Available connector. When a
  driver's turn comes and the station is not serving, a driver without the cable in walks
  away; one with the cable in waits (looking again after a handling time) to finish once it
  is back. So no session starts on a station that is booting, rebooting, stopped or offline.

Drivers who use the app (``drivers=Drivers.APP``) come only when called: they start their
session from an app, so the central system sends the station a remote start (1.6 section 5.11
RemoteStartTransaction, 2.0.1 F01/F02 RequestStartTransaction). Once the station has accepted
one, a driver plugs in within ``app_plug_delay_s`` (well within the station's
ConnectionTimeOut), charges, and unplugs when the session is over: the transaction ended (a
remote stop, the station's own decision), the EV is full, or the stay (``mean_session_s``) is
up. The driver looks at the app every ``handling_s``. A remote start the station dropped before
the driver came (it timed out, was cancelled) sends the driver away without plugging.

All slots share one scheduler: a heap of (time, slot) and a single timer on the event loop, so
ten thousand driven stations cost one timer. The random generator is injected (seeded by the
fleet), so a run can be repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import heapq
import itertools
import logging
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from chargeyard.protocol import OcppError
from chargeyard.station.model.ev import PRESETS, Ev
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.verbs import StationVerbs, has_verbs

logger = logging.getLogger(__name__)

_FULLEST_ARRIVAL_SOC = 0.9
"""A driver arrives with at most this state of charge, whatever ``soc_range`` says: a car
that came full would sit at SuspendedEV, 0 kW, for its whole stay."""


class Drivers(enum.Enum):
    """Who comes to the stations."""

    WALK_UP = "walk-up"  # random arrivals, with a card
    APP = "app"  # after a remote start the station accepted


@dataclass(frozen=True, slots=True)
class AutogenConfig:
    """How drivers behave. Times in seconds, energy in Wh; shares are probabilities.

    Attributes:
        sessions_per_hour: arrivals per free EVSE per hour.
        mean_session_s: mean time a driver stays plugged in (log-normal).
        session_sigma: the log-normal's shape for the stay (0: always the mean).
        mean_energy_wh: mean energy an EV wants (log-normal).
        energy_sigma: the log-normal's shape for the energy.
        min_idle_s: an EVSE rests at least this long between two drivers.
        handling_s: seconds between a driver's two actions (uniform in the range).
        tag_first_share: drivers who badge before they plug.
        stop_by_tag_share: drivers who end with their card before unplugging.
        soc_range: the EV's state of charge on arrival (uniform in the range, and never over
            0.9: a car that needs no charge does not come).
        tags: size of the pool of id tags (``AUTO00001``...).
        ev_profiles: names of :data:`~chargeyard.station.model.ev.PRESETS` drawn from.
        drivers: walk-up drivers (random arrivals) or app drivers (after a remote start).
        app_plug_delay_s: an app driver plugs in this long after the remote start was
            accepted (uniform in the range).
    """

    sessions_per_hour: float = 0.5
    mean_session_s: float = 2700.0
    session_sigma: float = 0.5
    mean_energy_wh: float = 15_000.0
    energy_sigma: float = 0.5
    min_idle_s: float = 120.0
    handling_s: tuple[float, float] = (5.0, 30.0)
    tag_first_share: float = 0.5
    stop_by_tag_share: float = 0.5
    soc_range: tuple[float, float] = (0.1, 0.7)
    tags: int = 500
    ev_profiles: tuple[str, ...] = tuple(PRESETS)
    drivers: Drivers = Drivers.WALK_UP
    app_plug_delay_s: tuple[float, float] = (5.0, 20.0)

    def __post_init__(self) -> None:
        if self.sessions_per_hour <= 0:
            raise ValueError("sessions_per_hour must be positive")
        if min(self.mean_session_s, self.mean_energy_wh) <= 0:
            raise ValueError("mean_session_s and mean_energy_wh must be positive")
        if min(self.session_sigma, self.energy_sigma, self.min_idle_s) < 0:
            raise ValueError("sigmas and min_idle_s must not be negative")
        if not 0 <= self.handling_s[0] <= self.handling_s[1]:
            raise ValueError("handling_s must be a range (low, high) with 0 <= low <= high")
        if not 0 <= self.app_plug_delay_s[0] <= self.app_plug_delay_s[1]:
            raise ValueError("app_plug_delay_s must be a range (low, high) with 0 <= low <= high")
        if not 0 <= self.soc_range[0] <= self.soc_range[1] <= 1:
            raise ValueError("soc_range must lie within [0, 1]")
        if self.tags < 1:
            raise ValueError("tags must be at least 1")
        if unknown := set(self.ev_profiles) - set(PRESETS):
            raise ValueError(f"unknown EV profiles {sorted(unknown)} (known: {sorted(PRESETS)})")


class _Step(enum.Enum):
    IDLE = "idle"  # next: a driver arrives
    ARRIVED = "arrived"  # the first action is done; next: the second
    PARKED = "parked"  # plugged and badged; next: leave
    LEAVING = "leaving"  # badged out; next: unplug
    CALLED = "called"  # an app driver's remote start was accepted; next: plug
    CHARGING = "charging"  # an app driver plugged in; next: look at the app, leave when done


class _Slot:
    """One EVSE and the driver on it (if any), with its own randomness: drawn from the
    generator's when the slot is made, so that a seed gives each EVSE the same drivers
    whichever EVSE's timer fires first."""

    __slots__ = (
        "connector_id",
        "evse_id",
        "generation",
        "leave_at",
        "plugged",
        "rng",
        "station",
        "step",
        "tag",
    )

    def __init__(self, station: StationVerbs, evse_id: int, rng: random.Random) -> None:
        self.rng = rng
        self.station = station
        self.evse_id = evse_id
        self.connector_id = 1
        self.step = _Step.IDLE
        self.tag = ""
        self.plugged = False
        self.generation = 0  # bumped on every (re)schedule: older heap entries are stale
        self.leave_at = 0.0  # an app driver's end of stay, on the event loop's clock


@dataclass(slots=True)
class AutogenCounters:
    sessions_started: int = 0
    sessions_ended: int = 0
    refused: int = 0  # verbs a station refused
    waited: int = 0  # turns that found the station not serving (offline, rebooting...)


class Autogen:
    """Drives stations with random sessions on the current event loop.

    Args:
        stations: the stations to drive; those without the physical verbs are left alone.
        config: driver behaviour.
        rng: the randomness (seed it for a repeatable run).
    """

    def __init__(
        self,
        stations: Iterable[object],
        config: AutogenConfig | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config or AutogenConfig()
        self.counters = AutogenCounters()
        self._rng = rng or random.Random()
        self._slots: list[_Slot] = []
        self._heap: list[tuple[float, int, int, _Slot]] = []
        self._order = itertools.count()  # ties in time run in scheduling order
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self._running = False
        for station in stations:
            self.add(station)

    # -- lifecycle ------------------------------------------------------------------------------

    def add(self, station: object) -> None:
        """Drive ``station`` too (each of its EVSEs is a slot)."""
        if not has_verbs(station):  # a driver needs a cable and a reader
            return
        driven = cast(StationVerbs, station)
        slots: dict[int, _Slot] = {}
        for evse_id in driven.model.evses:
            slot = _Slot(driven, evse_id, random.Random(self._rng.getrandbits(64)))
            self._slots.append(slot)
            slots[evse_id] = slot
            if self._running and self._walk_up:
                self._schedule(slot, self._first_arrival(slot))
        if not self._walk_up:
            driven.remote_start_accepted = lambda evse_id: self._called(slots.get(evse_id))

    def remove(self, station: object) -> None:
        """Stop driving ``station`` (cars plugged in stay plugged in)."""
        for slot in [slot for slot in self._slots if slot.station is station]:
            slot.generation += 1
            self._slots.remove(slot)
            slot.station.remote_start_accepted = None

    def start(self) -> None:
        """Schedule every slot's first arrival, spread over one mean gap."""
        if self._running:
            return
        self._running = True
        if self._walk_up:  # app drivers come when a remote start calls them
            for slot in self._slots:
                self._schedule(slot, self._first_arrival(slot))

    def stop(self) -> None:
        """No more actions; cars plugged in stay plugged in."""
        self._running = False
        self._heap.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = math.inf

    @property
    def _walk_up(self) -> bool:
        return self.config.drivers is Drivers.WALK_UP

    @property
    def running(self) -> bool:
        return self._running

    @property
    def identities(self) -> list[str]:
        """The stations driven, by identity, in the order they were added."""
        return list(dict.fromkeys(slot.station.identity for slot in self._slots))

    @property
    def active_sessions(self) -> int:
        return sum(1 for slot in self._slots if slot.step is not _Step.IDLE)

    # -- the shared scheduler -------------------------------------------------------------------

    def _schedule(self, slot: _Slot, delay: float) -> None:
        slot.generation += 1
        loop = asyncio.get_running_loop()
        at = loop.time() + delay
        heapq.heappush(self._heap, (at, next(self._order), slot.generation, slot))
        if at < self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = at
            self._timer = loop.call_at(at, self._fire)

    def _fire(self) -> None:
        self._timer, self._timer_at = None, math.inf
        loop = asyncio.get_running_loop()
        heap = self._heap
        now = loop.time()
        while heap and heap[0][0] <= now and self._running:
            _, _, generation, slot = heapq.heappop(heap)
            if generation == slot.generation:
                self._act(slot)
        if heap and self._running and heap[0][0] < self._timer_at:
            self._timer_at = heap[0][0]
            self._timer = loop.call_at(self._timer_at, self._fire)

    # -- the drivers ------------------------------------------------------------------------------

    def _act(self, slot: _Slot) -> None:
        station = slot.station
        if not (station.online and station.in_service):
            self._wait_for_service(slot)
            return
        try:
            if slot.step is _Step.IDLE:
                self._arrive(slot)
            elif slot.step is _Step.ARRIVED:
                self._second_action(slot)
            elif slot.step is _Step.PARKED:
                self._leave(slot)
            elif slot.step is _Step.CALLED:
                self._app_plug(slot)
            elif slot.step is _Step.CHARGING:
                self._app_look(slot)
            else:
                self._unplug(slot)
        except (OcppError, KeyError) as refused:
            # The station would not (the connector is unavailable, someone else is on it...).
            self.counters.refused += 1
            logger.debug("%s EVSE %d: %s", slot.station.identity, slot.evse_id, refused)
            self._give_up(slot)

    def _wait_for_service(self, slot: _Slot) -> None:
        """The station is not serving (booting, going down, stopped, offline): its screen
        tells drivers to come back later. A badge now would be refused, or start a session
        the reboot then ends."""
        self.counters.waited += 1
        if slot.plugged:
            # The cable is in: the driver finishes once the station is back.
            self._schedule(slot, slot.rng.uniform(*self.config.handling_s))
            return
        if slot.step is not _Step.IDLE:
            self.counters.sessions_ended += 1  # walks away before plugging in
            slot.step = _Step.IDLE
        if self._walk_up:
            # Nobody charged here, so no minimum idle time: the next driver comes within one
            # mean gap, as the first ones do.
            self._schedule(slot, self._first_arrival(slot))

    def _arrive(self, slot: _Slot) -> None:
        rng, config = slot.rng, self.config
        evse = slot.station.model.evses[slot.evse_id]
        if evse.transaction is not None or evse.plugged_connector() is not None:
            self._schedule(slot, self._gap(slot))  # busy (by hand, or a remote start)
            return
        available = [
            number
            for number, connector in evse.connectors.items()
            if connector.status is ConnectorStatus.AVAILABLE
        ]
        if not available:
            self._schedule(slot, self._gap(slot))  # unavailable, faulted, reserved...
            return
        slot.connector_id = rng.choice(available)
        slot.tag = f"AUTO{rng.randrange(config.tags) + 1:05d}"
        if rng.random() < config.tag_first_share:
            slot.station.present_id_token(slot.tag, slot.evse_id)
        else:
            self._plug(slot)
        slot.step = _Step.ARRIVED
        self.counters.sessions_started += 1
        self._schedule(slot, rng.uniform(*config.handling_s))

    def _second_action(self, slot: _Slot) -> None:
        if slot.plugged:
            slot.station.present_id_token(slot.tag, slot.evse_id)
        else:
            self._plug(slot)
        slot.step = _Step.PARKED
        config = self.config
        self._schedule(slot, _lognormal(slot.rng, config.mean_session_s, config.session_sigma))

    def _leave(self, slot: _Slot) -> None:
        evse = slot.station.model.evses[slot.evse_id]
        if evse.transaction is not None and slot.rng.random() < self.config.stop_by_tag_share:
            slot.station.present_id_token(slot.tag, slot.evse_id)
            slot.step = _Step.LEAVING
            self._schedule(slot, slot.rng.uniform(*self.config.handling_s))
            return
        self._unplug(slot)

    def _unplug(self, slot: _Slot) -> None:
        if slot.plugged:
            slot.plugged = False
            slot.station.unplug(slot.evse_id, slot.connector_id)
        self.counters.sessions_ended += 1
        slot.step = _Step.IDLE
        self._rest(slot)

    def _plug(self, slot: _Slot) -> None:
        rng, config = slot.rng, self.config
        current_type = slot.station.model.evses[slot.evse_id].electrical.current_type
        # Only cars that can draw power on this supply (a plug-in hybrid has no DC inlet);
        # when none of the configured ones can, the configuration is kept as it is.
        names = [
            name for name in config.ev_profiles if PRESETS[name].max_power_w(current_type) > 0
        ] or list(config.ev_profiles)
        profile = PRESETS[rng.choice(names)]
        ev = Ev(
            profile=profile,
            soc=min(rng.uniform(*config.soc_range), _FULLEST_ARRIVAL_SOC),
            target_energy_wh=_lognormal(rng, config.mean_energy_wh, config.energy_sigma),
        )
        slot.station.plug(slot.evse_id, slot.connector_id, ev=ev)
        slot.plugged = True

    def _give_up(self, slot: _Slot) -> None:
        if slot.plugged:
            slot.plugged = False
            with contextlib.suppress(OcppError, KeyError):
                slot.station.unplug(slot.evse_id, slot.connector_id)
        slot.step = _Step.IDLE
        self._rest(slot)

    def _rest(self, slot: _Slot) -> None:
        """The EVSE is free again: a walk-up driver comes after a gap; an app driver only
        when the next remote start calls one (nothing scheduled till then)."""
        if self._walk_up:
            self._schedule(slot, self._gap(slot))
        else:
            slot.generation += 1

    # -- drivers who use the app ------------------------------------------------------------

    def _called(self, slot: _Slot | None) -> None:
        """The station accepted a remote start on the slot's EVSE: a driver is on the way."""
        if slot is None or not self._running or slot.step is not _Step.IDLE:
            return  # an earlier app driver is there
        if slot.station.model.evses[slot.evse_id].plugged_connector() is not None:
            return  # the cable is in already (2.0.1 F01): the session needs no driver
        slot.step = _Step.CALLED
        slot.tag = ""
        self.counters.sessions_started += 1
        self._schedule(slot, slot.rng.uniform(*self.config.app_plug_delay_s))

    def _app_plug(self, slot: _Slot) -> None:
        station = slot.station
        evse = station.model.evses[slot.evse_id]
        if evse.transaction is None and station.pending_start(slot.evse_id) is None:
            # The station no longer waits for a cable (ConnectionTimeOut, a cancellation).
            self.counters.sessions_ended += 1
            slot.step = _Step.IDLE
            self._rest(slot)
            return
        free = (ConnectorStatus.AVAILABLE, ConnectorStatus.PREPARING)
        numbers = [n for n, connector in evse.connectors.items() if connector.status in free]
        if evse.plugged_connector() is not None or not numbers:
            self._unplug(slot)  # someone else's cable, or no connector to take it
            return
        slot.connector_id = numbers[0]
        self._plug(slot)
        slot.step = _Step.CHARGING
        config = self.config
        stay = _lognormal(slot.rng, config.mean_session_s, config.session_sigma)
        slot.leave_at = asyncio.get_running_loop().time() + stay
        self._schedule(slot, min(stay, slot.rng.uniform(*config.handling_s)))

    def _app_look(self, slot: _Slot) -> None:
        """The driver looks at the app: leaves once the session is over, the EV full or the
        stay up; looks again after a handling time otherwise."""
        station = slot.station
        evse = station.model.evses[slot.evse_id]
        ended = evse.transaction is None and station.pending_start(slot.evse_id) is None
        full = evse.ev is not None and evse.ev.is_satisfied
        left = slot.leave_at - asyncio.get_running_loop().time()
        if ended or full or left <= 0:
            self._unplug(slot)
            return
        self._schedule(slot, min(left, slot.rng.uniform(*self.config.handling_s)))

    def _gap(self, slot: _Slot) -> float:
        """Seconds until the next driver comes to a free EVSE."""
        mean = 3600.0 / self.config.sessions_per_hour
        return max(self.config.min_idle_s, slot.rng.expovariate(1.0 / mean))

    def _first_arrival(self, slot: _Slot) -> float:
        # Not all at once: the first drivers come at random within one mean gap.
        return slot.rng.uniform(0, 3600.0 / self.config.sessions_per_hour)


def _lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    """A log-normal draw with the given mean (not median) and shape."""
    if sigma == 0:
        return mean
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)
