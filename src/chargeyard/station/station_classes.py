"""The station class of each OCPP version: the one place where a version picks a simulated
station's behaviour (:data:`STATION_CLASSES`); the fleet and the gateway never ask which version
a station speaks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from chargeyard.protocol import V16, V21, V201, UnknownVersion, VersionSpec, VersionTable
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.clock import Clock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.v16 import StationV16
from chargeyard.station.v21 import StationV21
from chargeyard.station.v201 import StationV201
from chargeyard.station.verbs import StationVerbs


class StationFactory(Protocol):
    """What a station class looks like to the fleet (``StationV16``, ``StationV201``,
    ``StationV21``)."""

    def __call__(
        self,
        identity: str,
        template: StationTemplate,
        *,
        clock: Clock,
        new_id: Callable[[], str] | None = ...,
        energy_wh: float = ...,
    ) -> SimulatedStation: ...


# The one place where a version picks the station's behaviour.
STATION_CLASSES: VersionTable[StationFactory] = VersionTable(
    "the simulated station",
    {V16: StationV16, V201: StationV201, V21: StationV21},
)


# Each station class has the verbs the gateway drives it with (for mypy: a class that lacks
# one, or has it with other arguments, fails here).
_WITH_VERBS: tuple[type[StationVerbs], ...] = (StationV16, StationV201, StationV21)


def station_class(version: VersionSpec) -> StationFactory:
    """The station class of ``version``.

    Raises:
        UnknownVersion: no station class speaks it (a ValueError).
    """
    try:
        return STATION_CLASSES[version]
    except UnknownVersion:
        available = ", ".join(reversed(STATION_CLASSES.names))
        raise UnknownVersion(
            f"no station speaks OCPP {version.name} (available: {available})"
        ) from None


__all__ = ["STATION_CLASSES", "StationFactory", "station_class"]
