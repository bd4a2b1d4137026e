"""Firmware that breaks OCPP on purpose, one named behaviour at a time, and each version's words
for it.

A central system has to survive stations that get things wrong. Each :class:`Misbehaviour` is
one such mistake, switched on and off on a running station (``bad_days.py``); outside the
behaviours switched on the station keeps every rule (the transaction queue, message order,
nothing before Accepted). What each breaks is said in its member's docstring. A behaviour acts
on the messages the station sends while it is on: a message queued before and sent after
(the transaction queue keeps them while offline) is sent as the station is when it goes.

:data:`DIALECTS` holds what differs by version: the message of a connector the station lacks,
the transaction id no central system gave, which message starts a transaction, how the station
re-aligns its clock-aligned readings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, cast

from chargeyard.protocol import V16, V21, V201, Payload, VersionTable
from chargeyard.station.clock import iso

if TYPE_CHECKING:
    from chargeyard.station.core import SimulatedStation


class Misbehaviour(Enum):
    """A mistake a station's firmware makes on purpose; its value is its name in the API."""

    STATUS_FOR_UNKNOWN_CONNECTOR = "status-for-unknown-connector"
    """A StatusNotification for a connector the station does not have, after each one it sends
    (and one at once when switched on while online): the connector number one past its last
    (1.6 connectorId, section 4.9; 2.0.1 connectorId on the EVSE reported, G01). It breaks the
    central system's map of the station's connectors, on purpose: a central system should
    answer it and keep its map as the BootNotification and the real reports made it."""

    UNKNOWN_TRANSACTION_ID = "unknown-transaction-id"
    """Transaction messages that name a transaction the central system never heard of: 1.6
    StopTransaction.req and a transaction's MeterValues.req carry the transactionId
    :data:`UNKNOWN_TRANSACTION_ID_16` instead of the one StartTransaction.conf gave (sections
    4.7, 4.10); 2.0.1 TransactionEvent Updated and Ended carry the transactionId
    :data:`UNKNOWN_TRANSACTION_ID_201` instead of the one of its Started (E01, E06). It breaks
    the central system's bookkeeping of the transaction, on purpose: the real one never ends
    on the wire. The Start (1.6) and Started (2.0.1) still carry what they should."""

    METER_BACKWARDS = "meter-backwards"
    """The energy register counts down by the energy that flows, down to 0, where it should
    only count up (Energy.Active.Import.Register is cumulative, 1.6 section 7.31, 2.0.1
    MeasurandEnumType): MeterValues, meterStop (1.6) and TransactionEvent meter values read
    less each time. It breaks a transaction's energy (meterStop below meterStart), on purpose.
    Switched off, the register counts up again from where it is; the EV charged all along."""

    BOOT_IN_TRANSACTION = "boot-in-transaction"
    """A BootNotification right after each transaction's start is sent (1.6
    StartTransaction.req, 2.0.1 TransactionEvent Started), and one at once when switched on
    while a transaction runs, as a station whose firmware restarted without saying so: the
    transaction runs on. It breaks the central system's idea that a booting station has no
    transaction (1.6 section 4.2, 2.0.1 B01), on purpose. The station stays Accepted and
    reports nothing of a boot, as after a triggered BootNotification; one answered other than
    Accepted makes it register anew (1.6 section 4.2.1, 2.0.1 B02/B03)."""


UNKNOWN_TRANSACTION_ID_16 = 2_147_483_647
"""The transactionId of a 1.6 transaction the central system never numbered: the largest the
schema's 32-bit integer holds, which a central system that numbers from 1 never reaches."""

UNKNOWN_TRANSACTION_ID_201 = "ffffffff-ffff-ffff-ffff-ffffffffffff"
"""The transactionId of a 2.0.1 transaction the central system never heard of: shaped as a
UUID, as many stations' ids are, and never one this station makes (its ids are a random
prefix of 16 hex digits and a counter, ``protocol/message_ids.py``)."""


Told = Mapping[str, Any]
"""A request's payload as the station sends it (a dict, or one of the generated message types:
read here, never changed in place)."""


@dataclass(frozen=True, slots=True)
class Dialect:
    """How a version says what the misbehaviours do.

    Attributes:
        unknown_connector: a StatusNotification (its payload) told again of a connector the
            station lacks; given None, one of the first EVSE's first connector.
        unknown_transaction: a message's payload with the transaction id no central system
            gave, where it names a transaction and is not its start; the payload unchanged
            otherwise (never changed in place).
        starts_transaction: whether a message is a transaction's start.
        realign: the station's clock-aligned readings aligned anew to its clock.
    """

    unknown_connector: Callable[[SimulatedStation, Told | None], Payload]
    unknown_transaction: Callable[[str, Told], Told]
    starts_transaction: Callable[[str, Told], bool]
    realign: Callable[[SimulatedStation], None]


def _unknown_connector_16(station: SimulatedStation, told: Told | None) -> Payload:
    number = max(connector.number_16 for connector in station.model.connectors()) + 1
    if told is not None:
        return {**told, "connectorId": number}
    first = next(station.model.connectors())
    return {
        "connectorId": number,
        "errorCode": "NoError",
        "status": station.reported_status(first.status),
        "timestamp": iso(station.clock.now()),
    }


def _unknown_connector_201(station: SimulatedStation, told: Told | None) -> Payload:
    evse_id = next(iter(station.model.evses)) if told is None else told["evseId"]
    evse = station.model.evses[evse_id]
    number = max(evse.connectors) + 1
    if told is not None:
        return {**told, "connectorId": number}
    first = next(iter(evse.connectors.values()))
    return {
        "timestamp": iso(station.clock.now()),
        "connectorStatus": station.reported_status(first.status),
        "evseId": evse_id,
        "connectorId": number,
    }


def _unknown_transaction_16(action: str, payload: Told) -> Told:
    # StopTransaction always names it; MeterValues only when taken in a transaction.
    if action == "StopTransaction" or (action == "MeterValues" and "transactionId" in payload):
        return {**payload, "transactionId": UNKNOWN_TRANSACTION_ID_16}
    return payload


def _unknown_transaction_201(action: str, payload: Told) -> Told:
    if action != "TransactionEvent" or payload["eventType"] == "Started":
        return payload
    info = {**payload["transactionInfo"], "transactionId": UNKNOWN_TRANSACTION_ID_201}
    return {**payload, "transactionInfo": info}


def _starts_16(action: str, payload: Told) -> bool:
    return action == "StartTransaction"


def _starts_201(action: str, payload: Told) -> bool:
    return action == "TransactionEvent" and payload["eventType"] == "Started"


class _Metering16(Protocol):
    def power_on(self) -> None: ...


class _Metering201(Protocol):
    def on_power_on(self) -> None: ...


class _Station16(Protocol):
    # (StationV16 and StationV201 as far as this asks: importing them would make a cycle.)
    metering: _Metering16


class _Station201(Protocol):
    metering: _Metering201


def _realign_16(station: SimulatedStation) -> None:
    # ClockAlignedDataInterval's next instant, as after a reboot (section 9.1.7).
    cast(_Station16, station).metering.power_on()


def _realign_201(station: SimulatedStation) -> None:
    # AlignedDataCtrlr.Interval and TxEndedInterval's next instants, as after a reboot (J01).
    cast(_Station201, station).metering.on_power_on()


DIALECTS: VersionTable[Dialect] = VersionTable(
    "a station's misbehaviours",
    {
        V16: Dialect(_unknown_connector_16, _unknown_transaction_16, _starts_16, _realign_16),
        V201: Dialect(_unknown_connector_201, _unknown_transaction_201, _starts_201, _realign_201),
        # The 2.1 station is the 2.0.1 station's blocks (station/v21): the same fields.
        V21: Dialect(_unknown_connector_201, _unknown_transaction_201, _starts_201, _realign_201),
    },
)


__all__ = [
    "DIALECTS",
    "UNKNOWN_TRANSACTION_ID_16",
    "UNKNOWN_TRANSACTION_ID_201",
    "Dialect",
    "Misbehaviour",
    "Told",
]
