"""Who comes to a durable charger's station (``drivers`` of ``/ocpp/chargers``).

* ``none`` (the default): nobody; cables are plugged and cards presented by the gateway's
  commands only.
* ``app``: drivers who start their session from an app. After each remote start the station
  accepts (1.6 section 5.11 RemoteStartTransaction, 2.0.1 F01/F02 RequestStartTransaction), a
  driver plugs in within the host's app plug delay, charges, and unplugs when the transaction
  ends, the EV is full or the stay is up, as with ``chargeyard sim --drivers app``
  (``fleet/autogen.py``). So a central system's remote-start flow runs against a gateway
  charger with nobody sending commands.

A charger's ``config`` holds its kind under :data:`DRIVERS_KEY` (absent: ``none``). The row is
read wherever the charger runs, so a cluster's worker drives it as one process does, and after
an adoption as before. :class:`AppDrivers` keeps one
:class:`~chargeyard.fleet.autogen.Autogen` of app drivers per organization beside the
fleet's own automatic sessions (the lab's demo drivers), and a running station takes a change
of its drivers at once (``gateway/hosted.py``).
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any, Literal, cast, get_args

from chargeyard.fleet.autogen import Autogen, AutogenConfig, Drivers
from chargeyard.station.core import SimulatedStation

DRIVERS_KEY = "drivers"
"""The key of a charger's ``config`` holding its drivers' kind."""

DriverKind = Literal["none", "app"]
DRIVER_KINDS: tuple[DriverKind, ...] = get_args(DriverKind)
NO_DRIVERS: DriverKind = "none"

APP_DRIVERS = AutogenConfig(drivers=Drivers.APP)
"""App drivers as a host has them unless told otherwise: they plug in 5 to 20 s after the
remote start was accepted and stay about 45 minutes (``AutogenConfig``'s defaults)."""


def charger_drivers(config: dict[str, Any] | None) -> DriverKind:
    """The kind of drivers a charger's ``config`` names.

    Raises:
        ValueError: it names no kind there is (only a row written by hand can).
    """
    kind = (config or {}).get(DRIVERS_KEY, NO_DRIVERS)
    if kind in DRIVER_KINDS:
        return cast(DriverKind, kind)
    raise ValueError(f"config.{DRIVERS_KEY} must be one of {', '.join(DRIVER_KINDS)}")


class AppDrivers:
    """The app drivers of one host's chargers, by charger id.

    Args:
        config: how they behave (``drivers`` is set to app whatever it says).
    """

    def __init__(self, config: AutogenConfig = APP_DRIVERS) -> None:
        self._config = config
        self._rng = random.Random()
        self._autogens: dict[str, Autogen] = {}  # by organization
        self._driven: dict[str, tuple[str, SimulatedStation]] = {}  # charger id -> org, station

    def follow(
        self, charger_id: str, organization_id: str, station: SimulatedStation, kind: DriverKind
    ) -> None:
        """Let ``kind`` drivers come to the charger's ``station`` from now on (``none``: no
        more; a car plugged in stays plugged in)."""
        driven = self._driven.get(charger_id)
        if driven is not None and driven[1] is station and kind == "app":
            return
        self.forget(charger_id)
        if kind != "app":
            return
        autogen = self._autogens.get(organization_id)
        if autogen is None:
            config = dataclasses.replace(self._config, drivers=Drivers.APP)
            autogen = Autogen([], config, rng=random.Random(self._rng.getrandbits(64)))
            autogen.start()
            self._autogens[organization_id] = autogen
        autogen.add(station)
        self._driven[charger_id] = (organization_id, station)

    def forget(self, charger_id: str) -> None:
        """No more drivers for the charger (its station is going, or takes none now)."""
        driven = self._driven.pop(charger_id, None)
        if driven is not None:
            organization_id, station = driven
            self._autogens[organization_id].remove(station)

    def stop(self) -> None:
        """Every driver goes home (the host is closing)."""
        for autogen in self._autogens.values():
            autogen.stop()
        self._autogens.clear()
        self._driven.clear()
