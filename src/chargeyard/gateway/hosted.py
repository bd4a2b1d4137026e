"""The stations a fleet host runs, by charger id, in one fleet per organization.

An OCPP identity is unique within an organization only, and a fleet keys its stations by
identity; so each organization's stations live in a fleet of their own, and a charger id leads
to its organization's fleet and the identity in it. The fleets share nothing but this table.

A :class:`Hosted` entry remembers the :class:`~chargeyard.gateway.definitions.StationDefinition`
its station was built from, so that a changed row can be told apart from the running station
(:func:`built_from`) and what a station takes without a restart can be set on it
(:meth:`HostedStations.take_live_changes`). The app drivers of the hosted chargers
(``gateway/drivers.py``) come and go with their stations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from chargeyard.fleet.fleet import Fleet, StationStatus
from chargeyard.gateway.definitions import StationDefinition, definition_of, station_setup
from chargeyard.gateway.drivers import AppDrivers
from chargeyard.gateway.frames import FrameRecorder
from chargeyard.gateway.power import Powered
from chargeyard.gateway.runtimes import ChargerRuntimeError
from chargeyard.protocol.station_organization import organization_header
from chargeyard.station.core import SimulatedStation
from chargeyard.store import FrameLog
from chargeyard.store.models import SimulatedCharger


@dataclass(slots=True)
class Hosted:
    """One hosted charger: where its station is and what it was built from."""

    organization_id: str
    identity: str
    fleet: Fleet
    definition: StationDefinition
    recorder: FrameRecorder | None = None  # its frames into the frame log

    @property
    def station(self) -> SimulatedStation:
        return self.fleet.station(self.identity)

    @property
    def running(self) -> bool:
        return self.fleet.runtime(self.identity).running


class HostedStations:
    """The hosted chargers of one host, and the fleets they run in.

    Args:
        fleet_factory: makes the fleet of an organization.
        on_fleet: told of each organization's fleet when it is made (metrics attach to it).
        frame_log: where every frame of every station built here is written, or None.
        drivers: the app drivers of the chargers that have them (default: ``AppDrivers()``).
    """

    def __init__(
        self,
        fleet_factory: Callable[[], Fleet],
        on_fleet: Callable[[Fleet], None] | None,
        frame_log: FrameLog | None,
        drivers: AppDrivers | None = None,
    ) -> None:
        self._fleet_factory = fleet_factory
        self._on_fleet = on_fleet
        self._frame_log = frame_log
        self.drivers = drivers or AppDrivers()
        self._fleets: dict[str, Fleet] = {}
        self._hosted: dict[str, Hosted] = {}

    def __contains__(self, charger_id: object) -> bool:
        return charger_id in self._hosted

    def __iter__(self) -> Iterator[str]:
        return iter(self._hosted)

    def __len__(self) -> int:
        return len(self._hosted)

    def __getitem__(self, charger_id: str) -> Hosted:
        return self._hosted[charger_id]

    def get(self, charger_id: str) -> Hosted | None:
        return self._hosted.get(charger_id)

    def running(self, organization_id: str, charger_id: str) -> Hosted | None:
        """The charger's entry when its station runs here for this organization, else None."""
        hosted = self._hosted.get(charger_id)
        if hosted is None or hosted.organization_id != organization_id or not hosted.running:
            return None
        return hosted

    def fleet_of(self, organization_id: str) -> Fleet | None:
        return self._fleets.get(organization_id)

    def fleets(self) -> list[Fleet]:
        return list(self._fleets.values())

    def station_status(self, charger_id: str) -> StationStatus | None:
        hosted = self._hosted.get(charger_id)
        return None if hosted is None else hosted.fleet.station_status(hosted.identity)

    def powered(self, charger_ids: set[str] | None = None) -> list[Powered]:
        """The hosted stations (those of ``charger_ids`` only, when given) as the power-down
        and the memory writer take them."""
        return [
            Powered(hosted.organization_id, charger_id, hosted.station)
            for charger_id, hosted in self._hosted.items()
            if charger_ids is None or charger_id in charger_ids
        ]

    def build(self, charger: SimulatedCharger) -> Hosted:
        """Add the station the charger's row describes to its organization's fleet (not
        started).

        Raises:
            ChargerRuntimeError, ValueError, InvalidURI: the row cannot be built.
        """
        definition = definition_of(charger)
        fleet = self._fleets.get(charger.organization_id)
        if fleet is None:
            fleet = self._fleets[charger.organization_id] = self._fleet_factory()
            # Its stations say whose they are: the lab's central system never admits one as
            # another organization's station (protocol/station_organization.py).
            fleet.handshake_headers = (organization_header(charger.organization_id),)
            if self._on_fleet is not None:
                self._on_fleet(fleet)
        recorder = None if self._frame_log is None else FrameRecorder(charger.id, self._frame_log)
        fleet.add(
            definition.template,
            csms_url=definition.csms_url,
            version=definition.version,
            ids=[charger.identity],
            password=definition.password,
            setup=station_setup(charger, definition, recorder),
            client_certificate=definition.client_certificate,
        )
        hosted = Hosted(charger.organization_id, charger.identity, fleet, definition, recorder)
        self._hosted[charger.id] = hosted
        self.drivers.follow(charger.id, hosted.organization_id, hosted.station, definition.drivers)
        return hosted

    def pop(self, charger_id: str) -> Hosted:
        """Take the charger out of the table (its station stays in its fleet until removed,
        without drivers)."""
        self.drivers.forget(charger_id)
        return self._hosted.pop(charger_id)

    def clear(self) -> None:
        self.drivers.stop()
        self._fleets.clear()
        self._hosted.clear()

    def take_live_changes(self, charger_id: str, charger: SimulatedCharger) -> list[str]:
        """Set on the hosted station what it takes without a restart (its DataTransfer
        replies, its drivers) when the row changed it; what it took, in words. The row
        builds (:func:`built_from`)."""
        hosted = self._hosted[charger_id]
        current = definition_of(charger)
        taken = []
        if current.replies != hosted.definition.replies:
            hosted.station.set_vendor_replies(current.replies)
            taken.append("DataTransfer replies")
        if current.drivers != hosted.definition.drivers:
            self.drivers.follow(charger_id, hosted.organization_id, hosted.station, current.drivers)
            taken.append("drivers")
        hosted.definition = current
        return taken


def built_from(hosted: Hosted, charger: SimulatedCharger) -> bool:
    """Whether the hosted station is what the charger's row describes now."""
    try:
        current = definition_of(charger)
    except ChargerRuntimeError:
        return False
    return current == hosted.definition and hosted.identity == charger.identity
