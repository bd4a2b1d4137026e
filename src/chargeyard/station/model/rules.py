"""What a driver or a technician may do to a connector now, read off the station's model.

Each function answers why a physical verb cannot happen (a sentence for a person), or None.
They are the one place these rules live: a station of either version raises its verb's
``OcppError`` with the same sentence (``v16/transactions.py``, ``v201/transactions.py``,
the fault blocks), and whoever drives a station asks the same function before acting, without
changing anything (the simulator gateway's precheck, ``gateway/executor.py``).

They read only the model, so they hold for every OCPP version: a cable in, an EV behind it,
a connector's status. What a version adds (a reservation, a pending remote start) is the
station's to say (``may_start_session``, ``pending_start``).
"""

from __future__ import annotations

from chargeyard.station.model.states import ConnectorStatus, TransactionPhase
from chargeyard.station.model.station import Evse, StationModel

_UNUSABLE = frozenset({ConnectorStatus.UNAVAILABLE, ConnectorStatus.FAULTED})
RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})
"""The phases of a transaction that a stop ends."""


def no_such_connector(model: StationModel, evse_id: int, connector_id: int) -> str | None:
    """The station has no such EVSE or connector."""
    evse = model.evses.get(evse_id)
    if evse is None:
        return f"no EVSE {evse_id} (the station has {len(model.evses)})"
    if connector_id not in evse.connectors:
        return f"no connector {connector_id} on EVSE {evse_id}"
    return None


def running_transaction(evse: Evse) -> bool:
    """A transaction is starting or active on ``evse``."""
    return evse.transaction is not None and evse.transaction.phase in RUNNING


def cannot_plug(model: StationModel, evse_id: int, connector_id: int) -> str | None:
    """A cable cannot go in: one is in already (an EVSE takes one cable at a time), or the
    connector is Unavailable or Faulted."""
    if reason := no_such_connector(model, evse_id, connector_id):
        return reason
    evse = model.evses[evse_id]
    connector = evse.connectors[connector_id]
    if connector.cable_plugged:
        return f"a cable is already plugged in EVSE {evse_id} connector {connector_id}"
    if evse.plugged_connector() is not None:
        return f"EVSE {evse_id} already has a cable in another connector"
    if connector.status in _UNUSABLE:
        return f"the connector is {connector.status.value}"
    return None


def cannot_unplug(model: StationModel, evse_id: int, connector_id: int) -> str | None:
    """No cable is in the connector."""
    if reason := no_such_connector(model, evse_id, connector_id):
        return reason
    if not model.evses[evse_id].connectors[connector_id].cable_plugged:
        return f"no cable is plugged in EVSE {evse_id} connector {connector_id}"
    return None


def no_ev(model: StationModel, evse_id: int) -> str | None:
    """No EV is behind the EVSE's cable (an EV's own verbs need one)."""
    evse = model.evses.get(evse_id)
    if evse is None:
        return f"no EVSE {evse_id} (the station has {len(model.evses)})"
    if evse.ev is None:
        return f"no EV is connected to EVSE {evse_id}"
    return None


def cannot_stop(model: StationModel, evse_id: int) -> str | None:
    """No transaction runs on the EVSE."""
    evse = model.evses.get(evse_id)
    if evse is None:
        return f"no EVSE {evse_id} (the station has {len(model.evses)})"
    if not running_transaction(evse):
        return f"no transaction is running on EVSE {evse_id}"
    return None


def not_faulted(model: StationModel, evse_id: int, connector_id: int) -> str | None:
    """The connector has no fault to clear."""
    if reason := no_such_connector(model, evse_id, connector_id):
        return reason
    if not model.evses[evse_id].connectors[connector_id].faulted:
        return "the connector is not Faulted"
    return None
