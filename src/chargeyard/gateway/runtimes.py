"""What the REST API and the provisioner may ask of whatever runs the simulated chargers.

:class:`~chargeyard.gateway.host.FleetHost` runs them in this process and is the one
implementation today; the API and the provisioner depend only on this protocol, so that
another implementation (one that asks the process where the stations run) can take its place.
Commands to a running charger's station do not go through here: they travel on the command
bus (``bus/base.py``), and their outcome comes back on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from chargeyard.gateway.host import RuntimeAction, RuntimeReport
from chargeyard.station.fleet import StationStatus
from chargeyard.store.models import SimulatedCharger


class ChargerRuntimes(Protocol):
    """Start, stop and look at the runtimes of the simulated chargers."""

    async def start_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        """Start the charger's station (and keep it running across restarts).

        Raises:
            NotFoundError: no such charger in this organization.
        """
        ...

    async def start_chargers(
        self, organization_id: str, charger_ids: Sequence[str]
    ) -> dict[str, RuntimeReport | str]:
        """:meth:`start_charger` for many; a charger that cannot start maps to why."""
        ...

    async def stop_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        """Take the charger's station offline (its state is kept).

        Raises:
            NotFoundError: no such charger in this organization.
        """
        ...

    async def restart_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        """Power-cycle the charger's station, or start one that is not running.

        Raises:
            NotFoundError: no such charger in this organization.
        """
        ...

    async def apply_changes(self, charger: SimulatedCharger) -> RuntimeAction:
        """Apply a changed charger row to its running station; says what was done."""
        ...

    async def remove_charger(self, organization_id: str, charger_id: str) -> None:
        """Switch the charger's station off for good (its row is being deleted)."""
        ...

    def station_status(self, charger_id: str) -> StationStatus | None:
        """The running station's live status; None when it does not run."""
        ...

    def precheck(
        self, organization_id: str, charger_id: str, event_type: str, payload: dict[str, Any]
    ) -> str | None:
        """Why the charger cannot take the command now, or None."""
        ...
