"""Many simulated stations at once, for a load test inside a test: ``ocpp_fleet``'s
:class:`SimFleet`.

The stations run on one :class:`~chargeyard.fleet.fleet.Fleet` (one dialer, one scheduler),
each a :class:`~chargeyard.pytest_plugin.station.SimStation` with its own frames; the wait for
all of them to boot wakes on each station's acceptance (``SimulatedStation.on_online``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from chargeyard.fleet.fleet import Fleet
from chargeyard.fleet.fleet_status import FleetStatus
from chargeyard.pytest_plugin.frames import FrameRecorder
from chargeyard.pytest_plugin.station import (
    DEFAULT_TEMPLATE,
    RecordingLog,
    SimStation,
    template_of,
)
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.clock import Clock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.terms import Setting
from chargeyard.station.verbs import verbs_of
from chargeyard.station.versions import named_version

DEFAULT_BOOT_TIMEOUT_S = 60.0


class SimFleet:
    """Stations started together; each is a :class:`SimStation` by identity.

    Attributes:
        fleet: the fleet they run on (its ``status()`` counts them).
    """

    __test__ = False

    def __init__(self, fleet: Fleet, stations: Mapping[str, SimStation]) -> None:
        self.fleet = fleet
        self._stations = dict(stations)
        self._accepted: set[str] = set()
        self._changes = FrameRecorder()  # (its signal only: each station keeps its frames)
        for station in self._stations.values():
            station.station.on_online = self._online_hook(station)

    def _online_hook(self, sim: SimStation) -> Callable[[], None]:
        told = sim.station.on_online

        def online() -> None:
            self._accepted.add(sim.identity)
            if told is not None:
                told()
            self._changes.notify()

        return online

    def __len__(self) -> int:
        return len(self._stations)

    def __iter__(self) -> Iterator[SimStation]:
        return iter(self._stations.values())

    def __getitem__(self, identity: str) -> SimStation:
        return self._stations[identity]

    @property
    def identities(self) -> list[str]:
        return list(self._stations)

    def status(self) -> FleetStatus:
        return self.fleet.status()

    async def wait_booted(self, *, timeout: float = DEFAULT_BOOT_TIMEOUT_S) -> None:
        """Return once every station was Accepted by its central system.

        Raises:
            WaitTimedOut: some were not within ``timeout`` seconds (the message names a few).
        """

        def seen() -> str:
            waiting = [name for name in self._stations if name not in self._accepted]
            errors = {
                error
                for name in waiting
                if (error := self._stations[name].runtime.last_error) is not None
            }
            said = f"{len(self._accepted)} of {len(self)} were accepted; waiting for "
            said += ", ".join(waiting[:5]) + (" ..." if len(waiting) > 5 else "")
            return said + (f"; errors: {sorted(errors)[:3]}" if errors else "")

        await self._changes.wait_for(
            lambda: True if len(self._accepted) >= len(self._stations) else None,
            timeout,
            f"all {len(self)} stations to boot",
            seen,
        )


class FleetFactory:
    """``ocpp_fleet``: fleets for one test, stopped at its end.

    Args:
        clock: every station's clock (None: the system clock); the seam of a clock that
            fast-forwards.
        seed: seeds the stations' message ids and reconnection jitter (``Fleet``'s seed).
    """

    __test__ = False

    def __init__(self, clock: Clock | None = None, seed: int | None = None) -> None:
        self._clock = clock
        self._seed = seed
        self._fleets: list[Fleet] = []

    async def __call__(
        self,
        csms_url: str,
        count: int = 10,
        version: str = "1.6",
        *,
        template: StationTemplate | str = DEFAULT_TEMPLATE,
        identity_prefix: str = "CP-",
        password: str | None = None,
        configuration: Mapping[str, str] | None = None,
        connect_limit: int = 100,
        wait_booted: bool = True,
        timeout: float = DEFAULT_BOOT_TIMEOUT_S,
    ) -> SimFleet:
        """``count`` stations connected to ``csms_url``, identities ``CP-001``... (numbered
        from 1 at the width of the largest), at most ``connect_limit`` opening at a time.

        Raises:
            WaitTimedOut: not all Accepted within ``timeout`` seconds.
            ValueError: an unknown version or template, a bad URL.
        """
        fleet = Fleet(clock=self._clock, connect_limit=connect_limit, seed=self._seed)
        self._fleets.append(fleet)
        recorders: dict[str, FrameRecorder] = {}
        settings = [Setting(key, value) for key, value in (configuration or {}).items()]

        def setup(station: SimulatedStation) -> None:
            recorder = recorders[station.identity] = FrameRecorder()
            station.frame_log = RecordingLog(station.frame_log.size, recorder, station.identity)
            if settings:
                verbs_of(station).set_configuration(settings)

        identities = fleet.add(
            template_of(template),
            count,
            csms_url=csms_url,
            version=named_version(version),
            identity_prefix=identity_prefix,
            password=password,
            setup=setup,
        )
        sims = {name: SimStation(fleet.runtime(name), recorders[name]) for name in identities}
        result = SimFleet(fleet, sims)
        fleet.start_all()
        if wait_booted:
            await result.wait_booted(timeout=timeout)
        return result

    async def aclose(self) -> None:
        """Stop every fleet's stations."""
        for fleet in self._fleets:
            await fleet.stop_all()
