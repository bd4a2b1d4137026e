"""The hardware's controls: a fault read back per connector, a jammed connector lock, a power
cut, and the reset button (of the station, or of one EVSE where 2.0.1 allows it).

* jam-lock: UnlockConnector then answers UnlockFailed (1.6 section 5.18, after stopping a
  transaction on the connector as the section says; 2.0.1 F05, OngoingAuthorizedTransaction
  first while an authorized transaction runs), and unlock-connector fails.
* power-cut: the power fails now (``SimulatedStation.power_cut``): no goodbye; every open
  transaction ends with reason PowerLoss, its stop kept in the transaction queue as a real
  station keeps it in non-volatile memory and sent once the boot after is Accepted (1.6
  sections 4.8 and 7.39, 2.0.1 E-block). restart-charger, by contrast, is a clean reconnect.
* reboot: the station restarts as its version's Reset does (1.6 section 5.14 Hard or Soft;
  2.0.1 B11/B12 Immediate or OnIdle, of the station or of one EVSE whose EVSE.AllowReset is
  true, the boot after saying LocalReset).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chargeyard.gateway.commands import CommandSpec, ConnectorPayload
from chargeyard.gateway.controls.base import (
    Control,
    ControlPayload,
    Number,
    Result,
    no_such_connector,
    no_such_evse,
    not_powered,
    where,
)
from chargeyard.protocol import ErrorKind, OcppError
from chargeyard.station.model import rules
from chargeyard.station.model.station import Connector
from chargeyard.station.verbs import StationVerbs

_RESET_DONE = frozenset({"Accepted", "Scheduled"})


class FaultStatusPayload(ControlPayload):
    """One connector, the connectors of one EVSE, or (both null) every connector."""

    evse_id: Number | None = None
    connector_id: Number | None = None


class JamLockPayload(ConnectorPayload):
    """The connector's lock jams (``jammed`` false: it works again)."""

    jammed: bool = True


class PowerCutPayload(ControlPayload):
    """How long the power stays off (null: the station's restart time, a few seconds);
    ``stop_transactions_first``: the station has the energy to end its transactions and
    deliver their stops before it goes dark."""

    off_seconds: float | None = Field(None, gt=0, le=86_400)
    stop_transactions_first: bool = False


class RebootPayload(ControlPayload):
    """A reset of ``type`` (1.6 Hard or Soft; 2.0.1 Immediate or OnIdle, Hard and Soft taken
    as those), of the station or (2.0.1) one EVSE."""

    type: str = Field(min_length=1, max_length=16)
    evse_id: Number | None = None


def _check_fault_status(station: StationVerbs, p: FaultStatusPayload) -> str | None:
    if p.connector_id is not None and p.evse_id is None:
        return "connector_id needs its evse_id"
    if p.evse_id is not None and p.connector_id is not None:
        return rules.no_such_connector(station.model, p.evse_id, p.connector_id)
    return no_such_evse(station, p.evse_id)


def _fault_status(station: StationVerbs, p: FaultStatusPayload) -> Result:
    connectors = [
        connector
        for connector in station.model.connectors()
        if p.evse_id in (None, connector.evse_id)
        and p.connector_id in (None, connector.connector_id)
    ]
    return {"connectors": [_fault_of(station, connector) for connector in connectors]}


def _fault_of(station: StationVerbs, connector: Connector) -> Result:
    faulted = connector.faulted
    return {
        "evse_id": connector.evse_id,
        "connector_id": connector.connector_id,
        "status": station.reported_status(connector.status),
        "faulted": faulted,
        "error_code": connector.error_code if faulted else "NoError",
        "info": connector.error_info if faulted else None,
        "vendor_error_code": connector.vendor_error_code if faulted else None,
        "lock_jammed": station.lock_jammed(connector.evse_id, connector.connector_id),
    }


def _jam_lock(station: StationVerbs, p: JamLockPayload) -> Result:
    station.set_unlock_fails(p.evse_id, p.connector_id, p.jammed)
    return {**where(p), "jammed": p.jammed}


def _open_transactions(station: StationVerbs) -> list[str]:
    """The ids of the transactions running now (the central system's id where it has one)."""
    return [
        station.TERMS.transaction_id(evse.transaction) or evse.transaction.local_id
        for evse in station.model.evses.values()
        if evse.transaction is not None and rules.running_transaction(evse)
    ]


def _power_cut(station: StationVerbs, p: PowerCutPayload) -> Result:
    ended = _open_transactions(station)
    station.power_cut(p.off_seconds, stop_first=p.stop_transactions_first)
    return {
        "off_seconds": p.off_seconds,
        "transactions_ended": ended,
        "stop_reason": "PowerLoss",
        "reported": "before the power went" if p.stop_transactions_first else "after the boot",
    }


def _check_reboot(station: StationVerbs, p: RebootPayload) -> str | None:
    if reason := not_powered(station):
        return reason
    try:
        station.TERMS.reset_request(p.type, p.evse_id)
    except OcppError as error:
        return f"OCPP {station.version.name}: {error.description or error.kind.value}"
    return no_such_evse(station, p.evse_id)


def _reboot(station: StationVerbs, p: RebootPayload) -> Result:
    status = station.reset_here(p.type, p.evse_id)
    if status not in _RESET_DONE:
        raise OcppError(ErrorKind.GENERIC_ERROR, f"the station answered {status}")
    return {"type": p.type, "evse_id": p.evse_id, "status": status}


CONTROLS: tuple[Control[Any], ...] = (
    Control(
        CommandSpec(
            "fault-status", "fault_status", FaultStatusPayload, "Read the connectors' faults"
        ),
        _check_fault_status,
        _fault_status,
        "Fault status",
        "Read back each connector's fault (one connector, one EVSE's, or all): its status in "
        "the version's words, whether it is Faulted, the error code (a 1.6 "
        "ChargePointErrorCode), the `info` text and vendor code inject-fault gave, and "
        "whether its lock is jammed.",
        {"evse_id": 1, "connector_id": 1},
    ),
    Control(
        CommandSpec("jam-lock", "jam_lock", JamLockPayload, "Jam the connector lock"),
        lambda station, p: no_such_connector(station, p),
        _jam_lock,
        "Jam lock",
        "The connector's lock jams (`jammed` false: it works again): UnlockConnector answers "
        "UnlockFailed (1.6 section 5.18, after stopping a transaction on it; 2.0.1 F05, "
        "OngoingAuthorizedTransaction first while an authorized transaction runs), and "
        "unlock-connector fails.",
        {"evse_id": 1, "connector_id": 1, "jammed": True},
    ),
    Control(
        CommandSpec("power-cut", "power_cut", PowerCutPayload, "Cut the station's power"),
        lambda station, p: not_powered(station),
        _power_cut,
        "Power cut",
        "The station loses its power now and gets it back after `off_seconds`: no goodbye, "
        "every open transaction ends with reason PowerLoss, reported (1.6 StopTransaction, "
        "2.0.1 TransactionEvent Ended) once the boot after is Accepted, from the transaction "
        "queue the station keeps as a real one does; with `stop_transactions_first`, a "
        "station with the energy to reports them before it goes dark. restart-charger, by "
        "contrast, is a clean reconnect.",
        {"off_seconds": 5},
    ),
    Control(
        CommandSpec("reboot", "reboot", RebootPayload, "Restart as a Reset does"),
        _check_reboot,
        _reboot,
        "Reboot",
        "The station restarts as its version's Reset of `type` does: 1.6 Hard or Soft "
        "(section 5.14: its transactions end HardReset or SoftReset); 2.0.1 Immediate or "
        "OnIdle (B11/B12; Hard and Soft are taken as those), of the station or of the EVSE "
        "`evse_id` when its EVSE.AllowReset is true, the boot after saying LocalReset. The "
        "outcome holds the station's answer (Accepted, or Scheduled for OnIdle during a "
        "transaction).",
        {"type": "Soft"},
    ),
)
"""The hardware's controls, in the catalogue's order."""
