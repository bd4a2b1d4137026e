"""Many simulated stations in one process, on one event loop.

Theory of operation
-------------------
A :class:`Fleet` owns one :class:`~chargeyard.fleet.runtime.StationRuntime` per station and
the few things they share, so that a station costs its own state and one socket, nothing more:

* one :class:`~chargeyard.fleet.scheduling.Dialer`: at most ``connect_limit`` TCP connects and
  WebSocket handshakes at a time, so ten thousand stations reach their central system in a
  steady stream instead of a SYN storm;
* one :class:`~chargeyard.fleet.scheduling.RuntimeStats` (frames, connects, recent errors);
* one clock, one seeded random generator (reconnection jitter) and one message id generator;
* one :class:`~chargeyard.fleet.scheduling.Scheduler`: a heap of every station's next deadline
  under a single event-loop timer, on a 50 ms grid (a station's own timers are a dict inside
  it). See docs/benchmarks-fleet.md for what it saves against a timer per station;
* the templates, which are immutable and shared by every station built from them.

The OCPP version picks the station class from one table, :data:`STATION_CLASSES`
(``station_classes.py``); the rest of the fleet never asks which version a station speaks.
Identities and message ids are ``identities.py``'s.

Stations are started, stopped and restarted one by one or all together:

* :meth:`Fleet.stop` takes a station offline: its socket closes, its state (and any
  transaction message not yet delivered) is kept;
* :meth:`Fleet.start` brings it back: it reconnects, and does not boot again;
* :meth:`Fleet.restart` power-cycles it (``reboot``): it finishes its conversation (answers
  to what it sent), closes, comes back after a delay and sends BootNotification;
* :meth:`Fleet.switch_off` switches it off the same way, for good (it is being replaced).

Automatic sessions (:meth:`Fleet.start_autogen`) drive the stations they were started for, and
a rebuild of one of them for the same central system.

Status is read, not pushed: :meth:`Fleet.status` counts over the stations when asked (about a
millisecond per thousand stations; ``fleet_status.py``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterable, Iterator, Sequence

from chargeyard.collector import freeze_survivors, raise_young_threshold
from chargeyard.fleet.autogen import Autogen, AutogenConfig
from chargeyard.fleet.chaos.crowds import spread
from chargeyard.fleet.chaos.faults import Fault
from chargeyard.fleet.fleet_status import (
    EvseMeter,
    FleetStatus,
    RateMeter,
    StationStatus,
    fleet_status,
    station_status,
)
from chargeyard.fleet.runtime import StationRuntime
from chargeyard.fleet.scheduling import Dialer, ReconnectPolicy, RuntimeStats, Scheduler
from chargeyard.outbound import OutboundPolicy
from chargeyard.protocol import DEFAULT_MAX_FRAME_BYTES, V16, UnknownVersion, VersionSpec
from chargeyard.station.catalog import StationTemplate, load_catalog
from chargeyard.station.clock import Clock, SystemClock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.identities import message_ids, numbered_identities, station_url
from chargeyard.station.model.own_certificate import HeldCertificate
from chargeyard.station.model.states import Registration
from chargeyard.station.station_classes import STATION_CLASSES, StationFactory, station_class
from chargeyard.station.tls import ClientCertificate


class UnknownStation(KeyError):
    """The fleet has no station with this identity."""


def freeze_gc() -> None:
    """Settle the garbage collector for a process that hosts a large fleet.

    Everything alive now moves to the permanent generation (``collector.freeze_survivors``,
    which says what it saves a fleet's boot), and young collections wait for 20,000 new objects
    instead of 700 (``collector.raise_young_threshold``). Call it once the fleet is built (and
    again once it has booted): a fleet's objects live as long as the process, and without this
    every full collection walks all of them, again and again while they boot and run.
    """
    freeze_survivors()
    raise_young_threshold()


class Fleet:
    """Stations built from templates, run over WebSockets on the current event loop.

    Use ``async with Fleet() as fleet:`` (or call :meth:`stop_all`) so that every socket is
    closed on the way out.

    Args:
        clock: every station's clock (default: the system clock).
        connect_limit: connects and handshakes in flight at most (see the module docstring).
        reconnect: the backoff policy after a lost or refused connection.
        seed: seeds the reconnection jitter and the automatic sessions (reproducible runs).
        open_timeout, close_timeout: passed to each :class:`StationRuntime`.
        timer_resolution: seconds; the stations' timers fire on this grid, so that those due
            close together are served in one turn of the event loop (see ``Scheduler``).
        max_frame_bytes: the largest OCPP frame each station sends or takes
            (``protocol/limits.py``); None for no limit.
        outbound: the networks the stations may connect to (their central system, their file
            transfers; ``outbound.py``); None: any.

    Attributes:
        handshake_headers: headers of their own that the stations added from then on send in
            their opening handshakes (the gateway's organization header,
            ``protocol/station_organization.py``).
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        connect_limit: int = 100,
        reconnect: ReconnectPolicy | None = None,
        seed: int | None = None,
        open_timeout: float = 10.0,
        close_timeout: float = 5.0,
        timer_resolution: float = 0.05,
        max_frame_bytes: int | None = DEFAULT_MAX_FRAME_BYTES,
        outbound: OutboundPolicy | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.outbound = outbound
        self.handshake_headers: tuple[tuple[str, str], ...] = ()
        self.max_frame_bytes = max_frame_bytes
        self.stats = RuntimeStats()
        self.seed = seed
        self._rng = random.Random(seed)
        self._dialer = Dialer(connect_limit)
        self._scheduler = Scheduler(timer_resolution)
        self._new_id = message_ids()
        self._reconnect = reconnect or ReconnectPolicy()
        self._open_timeout = open_timeout
        self._close_timeout = close_timeout
        self._runtimes: dict[str, StationRuntime] = {}
        self._autogen: Autogen | None = None
        # The stations the automatic sessions were started for, and the URL each connected to.
        self._driven: dict[str, str] = {}

    # -- building -------------------------------------------------------------------------------

    def _ids_for(self, identity: str) -> Callable[[], str]:
        """The message ids of one station: the fleet's shared generator, or, seeded, one of
        the station's own from the fleet's seed and its identity, so that a seeded run gives each
        station the same ids whichever station sends first."""
        if self.seed is None:
            return self._new_id
        return message_ids(f"{self.seed}:{identity}")

    def add(
        self,
        template: StationTemplate | str,
        count: int = 1,
        *,
        csms_url: str,
        version: VersionSpec = V16,
        identity_prefix: str = "CP-",
        ids: Sequence[str] | None = None,
        first: int = 1,
        password: str | None = None,
        energy_wh: float = 0.0,
        setup: Callable[[SimulatedStation], None] | None = None,
        client_certificate: ClientCertificate | HeldCertificate | None = None,
    ) -> list[str]:
        """Build ``count`` stations of ``template`` speaking ``version`` (not started yet).

        Args:
            template: a catalog template, or its id (``"alfen-eve-single-pro-line"``).
            count: how many; ignored when ``ids`` are given.
            csms_url: the central system's URL; each station appends ``/<identity>``.
            identity_prefix, first: identities are ``<prefix>-<n>`` for n from ``first``
                (``CP-1``, ``CP-2``...), zero-padded to the width of the largest; see
                :func:`numbered_identities`.
            ids: the identities to use instead.
            password: HTTP Basic password of every station (security profiles 1 and 2).
            energy_wh: each meter's starting register.
            setup: called with each new station, e.g. to change its configuration.
            client_certificate: the TLS client certificate each station presents on
                ``wss://`` (security profile 3): files, ``{identity}`` in their paths replaced
                by the station's identity (``tls.py``), or one certificate held in memory (for
                the one station of ``ids``).

        Returns:
            The new stations' identities.

        Raises:
            UnknownVersion: no station class speaks ``version`` (a ValueError).
            UnknownTemplate: no catalog template has this id.
            ValueError: an identity is already in the fleet.
            InvalidURI: ``csms_url`` is not a ws:// or wss:// URL.
        """
        factory = station_class(version)
        if isinstance(template, str):
            template = load_catalog().template(template)
        identities = (
            list(ids)
            if ids is not None
            else numbered_identities(identity_prefix, count, first=first)
        )
        taken = [identity for identity in identities if identity in self._runtimes]
        if taken or len(set(identities)) != len(identities):
            raise ValueError(f"identities already in the fleet or repeated: {taken[:5]}")
        for identity in identities:
            station = factory(
                identity,
                template,
                clock=self.clock,
                new_id=self._ids_for(identity),
                energy_wh=energy_wh,
            )
            if setup is not None:
                setup(station)
            self._runtimes[identity] = StationRuntime(
                station,
                station_url(csms_url, identity),
                password=password,
                client_certificate=client_certificate.of(identity)
                if isinstance(client_certificate, ClientCertificate)
                else client_certificate,
                reconnect=self._reconnect,
                open_timeout=self._open_timeout,
                close_timeout=self._close_timeout,
                rng=self._rng,
                dialer=self._dialer,
                scheduler=self._scheduler,
                stats=self.stats,
                max_frame_bytes=self.max_frame_bytes,
                outbound=self.outbound,
                handshake_headers=self.handshake_headers,
            )
            runtime = self._runtimes[identity]
            if self._autogen is not None and self._driven.get(identity) == runtime.url:
                # Rebuilt (a new definition, the same central system): still driven.
                self._autogen.add(station)
        return identities

    async def remove(self, identity: str) -> None:
        """Stop a station and forget it."""
        runtime = self.runtime(identity)
        if self._autogen is not None:
            self._autogen.remove(runtime.station)
        await runtime.stop()
        del self._runtimes[identity]

    async def switch_off(self, identity: str, *, drain_s: float = 0.0) -> None:
        """Switch a station off the way a real one goes down (``SimulatedStation.switch_off``:
        it finishes its conversation first) and return once its connection is closed; its
        runtime keeps running (a powered-off station stays offline). Bounded by the station's
        own limit (``drain_s`` and one call timeout)."""
        runtime = self.runtime(identity)
        runtime.station.switch_off(drain_s=drain_s)
        await self.wait_until(lambda: runtime.phase not in ("open", "closing"))

    # -- looking ----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._runtimes)

    def __contains__(self, identity: object) -> bool:
        return identity in self._runtimes

    def __iter__(self) -> Iterator[str]:
        return iter(self._runtimes)

    def identities(self) -> list[str]:
        return list(self._runtimes)

    def stations(self) -> list[SimulatedStation]:
        return [runtime.station for runtime in self._runtimes.values()]

    def station(self, identity: str) -> SimulatedStation:
        return self.runtime(identity).station

    def runtime(self, identity: str) -> StationRuntime:
        try:
            return self._runtimes[identity]
        except KeyError:
            raise UnknownStation(identity) from None

    # -- running ----------------------------------------------------------------------------------

    def start_all(self) -> None:
        """Start every station not running; they connect through the dialer, in order."""
        for runtime in self._runtimes.values():
            runtime.start()

    async def stop_all(self) -> None:
        """Stop the automatic sessions and every station: each sends a close frame and waits
        for its central system to close the TCP connection (``close_timeout`` at most)."""
        self.stop_autogen()
        closing = [runtime.begin_stop() for runtime in self._runtimes.values()]
        await self._dialer.close()  # connects in flight end now, not at their open_timeout
        if closing:
            await asyncio.wait(closing)
        self._scheduler.close()

    def start(self, identity: str) -> None:
        """Bring a stopped station back online (without a new boot)."""
        self.runtime(identity).start()

    async def stop(self, identity: str) -> None:
        """Take a station offline; its state is kept."""
        await self.runtime(identity).stop()

    def restart(self, identity: str, delay_s: float = 1.0) -> None:
        """Power-cycle a station: it goes down (once the answers it awaits are in, see
        ``SimulatedStation.reboot``) and boots again ``delay_s`` after."""
        runtime = self.runtime(identity)
        runtime.station.reboot(delay_s)
        runtime.start()

    async def __aenter__(self) -> Fleet:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop_all()

    async def wait_until(self, condition: Callable[[], bool], interval: float = 0.05) -> None:
        """Return once ``condition()`` holds, checked every ``interval`` seconds; bound the wait
        with ``asyncio.timeout``. (Polled: fleet-wide counts change in too many places for an
        event each.)"""
        while not condition():  # noqa: ASYNC110 - see the docstring
            await asyncio.sleep(interval)

    async def wait_booted(self, count: int | None = None) -> None:
        """Return once ``count`` stations (default: all) are Accepted."""
        accepted = Registration.ACCEPTED
        stations = self.stations()
        wanted = len(stations) if count is None else count
        pending = stations
        first = 0  # (all of them) stations before this one were seen Accepted

        def all_booted() -> bool:
            # Stations are dialled in order and mostly boot in that order: skip those at the
            # front that are Accepted and stop at the first that is not. Every station is
            # looked at about once over the whole boot, where a look at every pending one each
            # time cost a sixth of a fleet's CPU while 16,667 booted. A full count confirms.
            nonlocal first
            while first < len(stations) and stations[first].registration is accepted:
                first += 1
            if first < len(stations):
                return False
            if self.booted() >= wanted:
                return True
            first = 0  # one went down meanwhile: look again from the start
            return False

        def enough() -> bool:
            # Look again only at stations not yet seen Accepted; confirm with a full count.
            nonlocal pending
            pending = [station for station in pending if station.registration is not accepted]
            if len(stations) - len(pending) < wanted:
                return False
            if self.booted() >= wanted:
                return True
            pending = [station for station in stations if station.registration is not accepted]
            return False

        # Looked at every 50 ms, and less often for large fleets; at most half a second late.
        await self.wait_until(
            all_booted if count is None else enough,
            interval=min(0.5, max(0.05, len(stations) / 200_000)),
        )

    # -- network faults (fleet/chaos/) -------------------------------------------------------------

    def apply_chaos(
        self, faults: Sequence[Fault], seed: int, identities: Iterable[str] | None = None
    ) -> None:
        """Add faults to the stations of ``identities`` (default: all), each drawing from
        ``seed`` and its identity (``StationRuntime.apply_chaos``); a crowd fault is spread
        over those stations (``chaos/crowds.py``: a rolling restart's order)."""
        crowd = list(self._runtimes) if identities is None else list(identities)
        for identity, own in spread(faults, crowd, seed).items():
            self.runtime(identity).apply_chaos(own, seed)

    def clear_chaos(self, identities: Iterable[str] | None = None) -> None:
        """End the network faults of the stations of ``identities`` (default: all)."""
        for identity in list(self._runtimes) if identities is None else identities:
            self.runtime(identity).clear_chaos()

    # -- automatic sessions -----------------------------------------------------------------------

    def start_autogen(
        self, config: AutogenConfig | None = None, identities: Iterable[str] | None = None
    ) -> Autogen:
        """Drive stations with random sessions (see ``autogen.py``); one per fleet.

        Args:
            identities: the stations to drive (default: every station of the fleet now);
                those not in the fleet are ignored. A driven station rebuilt under its
                identity (``remove`` then ``add``) is driven again as long as it connects to
                the same central system; stations added later are not.
        """
        self.stop_autogen()
        chosen = list(self._runtimes) if identities is None else list(identities)
        self._driven = {i: self._runtimes[i].url for i in chosen if i in self._runtimes}
        seed = None if self.seed is None else self.seed + 1
        self._autogen = Autogen(
            [self._runtimes[i].station for i in self._driven],
            config or AutogenConfig(),
            rng=random.Random(seed),
        )
        self._autogen.start()
        return self._autogen

    def stop_autogen(self) -> None:
        if self._autogen is not None:
            self._autogen.stop()
            self._autogen = None
        self._driven = {}

    @property
    def autogen(self) -> Autogen | None:
        return self._autogen

    # -- status -----------------------------------------------------------------------------------

    def booted(self) -> int:
        """Stations Accepted by their central system now."""
        accepted = Registration.ACCEPTED
        return sum(1 for r in self._runtimes.values() if r.station.registration is accepted)

    def status(self) -> FleetStatus:
        """Counts over every station now, and the shared counters."""
        return fleet_status(self._runtimes.values(), self.stats)

    def station_status(self, identity: str) -> StationStatus:
        return station_status(identity, self.runtime(identity))

    def statuses(self, identities: Iterable[str] | None = None) -> list[StationStatus]:
        return [self.station_status(i) for i in (identities or list(self._runtimes))]


__all__ = [
    "STATION_CLASSES",
    "EvseMeter",
    "Fleet",
    "FleetStatus",
    "RateMeter",
    "StationFactory",
    "StationStatus",
    "UnknownStation",
    "UnknownVersion",
    "freeze_gc",
    "message_ids",
    "numbered_identities",
    "station_class",
    "station_url",
]
