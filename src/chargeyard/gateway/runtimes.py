"""What the REST API and the provisioner may ask of whatever runs the simulated chargers, and
the plain data that comes back.

The API and the provisioner depend only on :class:`ChargerRuntimes`. Its implementation is
:class:`~chargeyard.gateway.runtime_client.RuntimeClient`, which asks over the bus whoever
hosts each charger (a :class:`~chargeyard.gateway.host.FleetHost`, served by
``gateway/runtime_service.py``), in this process or another. Commands to a running charger's
station travel on the bus too (``bus/base.py``); their precheck is asked here first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, TypedDict

from chargeyard.fleet.station_status import EvseMeter, StationStatus
from chargeyard.gateway.version_labels import runtime_version_label
from chargeyard.store.models import SimulatedCharger

RUNNING, STOPPED, FAILED = "running", "stopped", "failed"
"""The statuses a fleet host stores in ``simulated_chargers.status``."""

RuntimeAction = Literal["restarted", "applied", "unchanged", "next_start", "failed"]
"""What applying a charger's changed row did: rebuilt and started its running station; set the
change on it, which runs on (its DataTransfer replies); nothing (what it is built from and
answers with is the same); nothing yet (it does not run: the row applies when it starts); or
the new row cannot run (its status says failed)."""


class ChargerRuntimeError(ValueError):
    """A charger's row cannot be run: no CSMS URL, an unknown template or OCPP version."""


class NoAnswer(TimeoutError):
    """Whoever hosts the charger did not answer in time (it may still act on the request)."""


class HostGone(NoAnswer):
    """The node that took the request went away before it answered (it may have acted on it):
    the caller should retry, once another node holds the charger."""

    RETRY_AFTER_S = 2
    """What the API's Retry-After says: a dead node's chargers are adopted within seconds."""


@dataclass(frozen=True, slots=True)
class RuntimeReport:
    """The answer of start-charger / stop-charger / restart-charger (the gateway
    API reference's "Stop charger runtime"): ``{id, event_type, ocpp_version, payload}``."""

    charger_id: str
    event_type: str
    ocpp_version: str
    provider: str
    runtime_kind: str
    desired_count: int
    status: str

    def as_response(self) -> dict[str, Any]:
        return {
            "id": self.charger_id,
            "event_type": self.event_type,
            "ocpp_version": self.ocpp_version,
            "payload": {
                "provider": self.provider,
                "runtime_kind": self.runtime_kind,
                "service_name": self.charger_id,
                "desired_count": self.desired_count,
                "status": self.status,
            },
        }

    @classmethod
    def of(
        cls, charger: SimulatedCharger, event_type: str, desired: int, *, active: bool
    ) -> RuntimeReport:
        """The report of a charger run by this process's fleet host (provider ``local``, an
        ``asyncio_task`` per station), ``active`` when its station is hosted here."""
        return cls(
            charger_id=charger.id,
            event_type=event_type,
            ocpp_version=runtime_version_label(charger.ocpp_version),
            provider="local",
            runtime_kind="asyncio_task",
            desired_count=desired,
            status="ACTIVE" if active else "INACTIVE",
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuntimeReport:
        return cls(**data)


class ChargerRuntimes(Protocol):
    """Start, stop and look at the runtimes of the simulated chargers.

    Every method may raise :class:`NoAnswer`: the charger's host did not answer in time.
    """

    async def start_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        """Start the charger's station (and keep it running across restarts).

        Raises:
            NotFoundError: no such charger in this organization.
            ChargerRuntimeError: it cannot be built (its status says ``failed`` too).
        """
        ...

    async def start_chargers(
        self, organization_id: str, charger_ids: Sequence[str]
    ) -> dict[str, RuntimeReport | str]:
        """:meth:`start_charger` for many; a charger that cannot start maps to why.

        Raises:
            NotFoundError: a charger is not this organization's (none is started).
        """
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
            ChargerRuntimeError: it cannot be built.
        """
        ...

    async def apply_changes(self, charger: SimulatedCharger) -> RuntimeAction:
        """Apply a changed charger row (stored already) to its running station."""
        ...

    async def remove_charger(self, organization_id: str, charger_id: str) -> None:
        """Switch the charger's station off for good (its row is being deleted)."""
        ...

    async def station_statuses(
        self, organization_id: str, charger_ids: Sequence[str]
    ) -> dict[str, StationStatus]:
        """The live status of those of ``charger_ids`` whose station is hosted."""
        ...

    async def precheck(
        self,
        organization_id: str,
        charger_ids: Sequence[str],
        event_type: str,
        payload: dict[str, Any],
    ) -> dict[str, str | None]:
        """Per charger, why it cannot take the command now, or None; asked where its station
        runs."""
        ...

    async def chaos(
        self,
        organization_id: str,
        charger_ids: Sequence[str],
        faults: Sequence[dict[str, Any]] | None,
        seed: int | None = None,
    ) -> dict[str, ChaosAnswer]:
        """Add network faults (``fleet/chaos/``; each as ``fault_to_dict`` writes it) to the
        stations of ``charger_ids`` where they run, seeded with ``seed``; ``faults`` None
        clears them. Per charger, what it has now."""
        ...


class ChaosAnswer(TypedDict, total=False):
    """What applying or clearing network faults did to one charger: the faults active now
    and the random seed of their draws, or why nothing was done (``error``)."""

    faults: list[dict[str, Any]]
    seed: int | None
    error: str


def status_to_dict(status: StationStatus) -> dict[str, Any]:
    """``status`` as JSON-ready data (times in ISO 8601)."""
    return {
        "identity": status.identity,
        "ocpp_version": status.ocpp_version,
        "template_id": status.template_id,
        "running": status.running,
        "connection": status.connection,
        "registration": status.registration,
        "connectors": [list(item) for item in status.connectors],
        "transactions": [list(item) for item in status.transactions],
        "last_error": status.last_error,
        "meters": [
            {
                "evse_id": meter.evse_id,
                "energy_wh": meter.energy_wh,
                "power_w": meter.power_w,
                "transaction_id": meter.transaction_id,
                "connector_id": meter.connector_id,
                "started_at": _time(meter.started_at),
                "meter_start_wh": meter.meter_start_wh,
            }
            for meter in status.meters
        ],
        "read_at": _time(status.read_at),
        "faults": list(status.faults),
        "chaos_seed": status.chaos_seed,
        "bad_days": status.bad_days,
    }


def status_from_dict(data: dict[str, Any]) -> StationStatus:
    """The inverse of :func:`status_to_dict`."""
    return StationStatus(
        identity=data["identity"],
        ocpp_version=data["ocpp_version"],
        template_id=data["template_id"],
        running=data["running"],
        connection=data["connection"],
        registration=data["registration"],
        connectors=tuple((int(e), int(c), str(s)) for e, c, s in data["connectors"]),
        transactions=tuple((int(e), str(t)) for e, t in data["transactions"]),
        last_error=data["last_error"],
        meters=tuple(
            EvseMeter(
                evse_id=meter["evse_id"],
                energy_wh=meter["energy_wh"],
                power_w=meter["power_w"],
                transaction_id=meter["transaction_id"],
                connector_id=meter["connector_id"],
                started_at=_parse_time(meter["started_at"]),
                meter_start_wh=meter["meter_start_wh"],
            )
            for meter in data["meters"]
        ),
        read_at=_parse_time(data["read_at"]),
        faults=tuple(data.get("faults") or ()),
        chaos_seed=data.get("chaos_seed"),
        bad_days=data.get("bad_days"),
    )


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
