"""An OCPP 2.0.1 EVSE's connector and power path during a session (functional blocks E and G):
the first and third steps of ``transaction_events.py``'s rules.

The connector follows the cable (Available <-> Occupied, G01). With a cable, an authorization
and a transaction (or EnergyTransfer among TxCtrlr.TxStartPoint's conditions) the power path
closes and the connector is Charging, SuspendedEV or SuspendedEVSE
(``StationModel.energy_status``); without, energy stops and the connector is Finishing. The
charging state the TransactionEvents report (ChargingStateEnumType) is read off the connector.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol.messages import v201
from chargeyard.station.model.states import CHARGING_STATE_201, OCCUPIED, ConnectorStatus
from chargeyard.station.model.station import Evse
from chargeyard.station.v201.sessions import Session

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_S = ConnectorStatus

ENERGY_STATUSES = frozenset({_S.CHARGING, _S.SUSPENDED_EV, _S.SUSPENDED_EVSE})
"""The statuses of a connector whose power path is closed."""


def accepts_power(evse: Evse) -> bool:
    """Whether the EVSE may close its power path (operative, not faulted)."""
    return all(c.operative and not c.faulted for c in evse.connectors.values())


def charging_state(evse: Evse) -> v201.ChargingStateEnumType:
    """ChargingStateEnumType of the EVSE now (Idle without a cable)."""
    connector = evse.plugged_connector()
    return "Idle" if connector is None else CHARGING_STATE_201[connector.status]


def sync_cable_status(station: StationV201, evse: Evse) -> None:
    """Bring the EVSE's connectors in line with their cables (G01)."""
    for connector in evse.connectors.values():
        if connector.cable_plugged and connector.status in (_S.AVAILABLE, _S.RESERVED):
            station.set_status(connector, _S.PREPARING)
        elif not connector.cable_plugged and connector.status in OCCUPIED:
            station.set_status(connector, _S.AVAILABLE)


def refresh_energy(station: StationV201, evse: Evse, session: Session) -> bool:
    """Close or open the power path; returns whether the charging state changed."""
    before = charging_state(evse)
    connector = evse.plugged_connector()
    if connector is not None and not connector.faulted and connector.operative:
        closed = (
            session.authorized
            and session.force_end is None
            and accepts_power(evse)
            and (
                evse.transaction is not None
                or "EnergyTransfer" in station.device_model.get_list("TxCtrlr", "TxStartPoint")
            )
        )
        if closed:
            if connector.status is _S.FINISHING:
                station.set_status(connector, _S.PREPARING)  # F2: a new authorization
            station.set_status(connector, station.model.energy_status(evse, station.clock.now()))
        elif connector.status in ENERGY_STATUSES:
            evse.meter.power_w = 0.0
            station.set_status(connector, _S.FINISHING)
    return charging_state(evse) != before
