"""Every state machine of a simulated station, as tables.

Theory of operation
-------------------
A connector's status is kept in OCPP 1.6's richer vocabulary (ChargePointStatus, OCPP 1.6
section 7.7): Available, Preparing, Charging, SuspendedEV, SuspendedEVSE, Finishing, Reserved,
Unavailable, Faulted. The moves allowed between them are OCPP 1.6 section 4.9's transition
table (A2..I8); :func:`check_move` refuses any other with :class:`IllegalTransition`. OCPP
2.0.1 reports only five connector statuses (ConnectorStatusEnumType); :data:`STATUS_201` folds
the 1.6 status onto them, and :data:`CHARGING_STATE_201` onto the ChargingStateEnumType that
TransactionEvent carries (OCPP 2.0.1 E01-E15).

A transaction moves through :class:`TransactionPhase` (the lifecycle both versions share:
a 1.6 StartTransaction/StopTransaction pair, a 2.0.1 TransactionEvent Started/Updated/Ended
series) by :data:`TRANSACTION_MOVES`.

Nothing else in the station decides whether a move is legal: the rules are all on this screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from chargeyard.protocol.messages import v201


class IllegalTransition(Exception):
    """A state machine was asked to make a move its table does not allow."""

    def __init__(self, machine: str, source: str, target: str, why: str = "") -> None:
        detail = f": {why}" if why else ""
        super().__init__(f"{machine} cannot go from {source} to {target}{detail}")
        self.machine = machine
        self.source = source
        self.target = target


class ConnectorStatus(StrEnum):
    """OCPP 1.6 ChargePointStatus (section 7.7)."""

    AVAILABLE = "Available"
    PREPARING = "Preparing"
    CHARGING = "Charging"
    SUSPENDED_EV = "SuspendedEV"
    SUSPENDED_EVSE = "SuspendedEVSE"
    FINISHING = "Finishing"
    RESERVED = "Reserved"
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"


_S = ConnectorStatus

# OCPP 1.6 section 4.9, the StatusNotification transition table: for each status, the statuses
# it may move to. (Row letters A..I and column digits 1..9 of the spec, e.g. A2 = Available ->
# Preparing.) Faulted may be entered from anywhere and left to anywhere (I1..I8).
CONNECTOR_MOVES: Mapping[ConnectorStatus, frozenset[ConnectorStatus]] = MappingProxyType(
    {
        _S.AVAILABLE: frozenset(
            {
                _S.PREPARING,  # A2 user presents a tag, or plugs in
                _S.CHARGING,  # A3 plug in with a pre-authorized / free-vend start
                _S.SUSPENDED_EV,  # A4
                _S.SUSPENDED_EVSE,  # A5
                _S.RESERVED,  # A7
                _S.UNAVAILABLE,  # A8
                _S.FAULTED,  # A9
            }
        ),
        _S.PREPARING: frozenset(
            {
                _S.AVAILABLE,  # B1 timeout, or the cable is removed
                _S.CHARGING,  # B3
                _S.SUSPENDED_EV,  # B4
                _S.SUSPENDED_EVSE,  # B5
                _S.FINISHING,  # B6 the start failed (e.g. not authorized)
                _S.FAULTED,  # B9
            }
        ),
        _S.CHARGING: frozenset(
            {
                _S.AVAILABLE,  # C1 the cable is unplugged
                _S.SUSPENDED_EV,  # C4
                _S.SUSPENDED_EVSE,  # C5
                _S.FINISHING,  # C6 the transaction is stopped
                _S.UNAVAILABLE,  # C8 a scheduled ChangeAvailability takes effect
                _S.FAULTED,  # C9
            }
        ),
        _S.SUSPENDED_EV: frozenset(
            {
                _S.AVAILABLE,  # D1
                _S.CHARGING,  # D3
                _S.SUSPENDED_EVSE,  # D5
                _S.FINISHING,  # D6
                _S.UNAVAILABLE,  # D8
                _S.FAULTED,  # D9
            }
        ),
        _S.SUSPENDED_EVSE: frozenset(
            {
                _S.AVAILABLE,  # E1
                _S.CHARGING,  # E3
                _S.SUSPENDED_EV,  # E4
                _S.FINISHING,  # E6
                _S.UNAVAILABLE,  # E8
                _S.FAULTED,  # E9
            }
        ),
        _S.FINISHING: frozenset(
            {
                _S.AVAILABLE,  # F1 the cable is removed
                _S.PREPARING,  # F2 a new tag is presented
                _S.UNAVAILABLE,  # F8
                _S.FAULTED,  # F9
            }
        ),
        _S.RESERVED: frozenset(
            {
                _S.AVAILABLE,  # G1 the reservation expires or is cancelled
                _S.PREPARING,  # G2 the reserving tag is presented
                _S.UNAVAILABLE,  # G8
                _S.FAULTED,  # G9
            }
        ),
        _S.UNAVAILABLE: frozenset(
            {
                _S.AVAILABLE,  # H1
                _S.PREPARING,  # H2
                _S.CHARGING,  # H3
                _S.SUSPENDED_EV,  # H4
                _S.SUSPENDED_EVSE,  # H5
                _S.FAULTED,  # H9
            }
        ),
        _S.FAULTED: frozenset(set(_S) - {_S.FAULTED}),  # I1..I8
    }
)

# Statuses in which a cable is (or may be) in the connector: an EV may be drawing power.
OCCUPIED: frozenset[ConnectorStatus] = frozenset(
    {_S.PREPARING, _S.CHARGING, _S.SUSPENDED_EV, _S.SUSPENDED_EVSE, _S.FINISHING}
)


def check_move(source: ConnectorStatus, target: ConnectorStatus) -> None:
    """Raise :class:`IllegalTransition` unless OCPP 1.6 section 4.9 allows the move.

    Staying in the same status is not a move and always allowed (no StatusNotification).
    """
    if source is not target and target not in CONNECTOR_MOVES[source]:
        raise IllegalTransition("connector", source.value, target.value, "OCPP 1.6 section 4.9")


# OCPP 2.0.1 ConnectorStatusEnumType (part 2 section 2.1.x): occupied covers everything from
# plug-in to unplug.
STATUS_201: Mapping[ConnectorStatus, v201.ConnectorStatusEnumType] = MappingProxyType(
    {
        _S.AVAILABLE: "Available",
        _S.PREPARING: "Occupied",
        _S.CHARGING: "Occupied",
        _S.SUSPENDED_EV: "Occupied",
        _S.SUSPENDED_EVSE: "Occupied",
        _S.FINISHING: "Occupied",
        _S.RESERVED: "Reserved",
        _S.UNAVAILABLE: "Unavailable",
        _S.FAULTED: "Faulted",
    }
)

# OCPP 2.0.1 ChargingStateEnumType in TransactionEvent.transactionInfo.
CHARGING_STATE_201: Mapping[ConnectorStatus, v201.ChargingStateEnumType] = MappingProxyType(
    {
        _S.PREPARING: "EVConnected",
        _S.CHARGING: "Charging",
        _S.SUSPENDED_EV: "SuspendedEV",
        _S.SUSPENDED_EVSE: "SuspendedEVSE",
        _S.FINISHING: "EVConnected",
        _S.AVAILABLE: "Idle",
        _S.RESERVED: "Idle",
        _S.UNAVAILABLE: "Idle",
        _S.FAULTED: "Idle",
    }
)


class TransactionPhase(StrEnum):
    """Where a transaction is in its life, the same for every version."""

    AUTHORIZING = "Authorizing"  # waiting for the central system's Authorize answer
    STARTING = "Starting"  # StartTransaction / TransactionEvent(Started) queued or in flight
    ACTIVE = "Active"  # the central system knows it; energy may flow
    STOPPING = "Stopping"  # StopTransaction / TransactionEvent(Ended) queued or in flight
    ENDED = "Ended"


_T = TransactionPhase

TRANSACTION_MOVES: Mapping[TransactionPhase, frozenset[TransactionPhase]] = MappingProxyType(
    {
        _T.AUTHORIZING: frozenset({_T.STARTING, _T.ENDED}),  # accepted / refused
        # A start may be stopped before its answer arrives (e.g. unplugged while offline).
        _T.STARTING: frozenset({_T.ACTIVE, _T.STOPPING, _T.ENDED}),
        _T.ACTIVE: frozenset({_T.STOPPING}),
        _T.STOPPING: frozenset({_T.ENDED}),
        _T.ENDED: frozenset(),
    }
)


def check_transaction_move(source: TransactionPhase, target: TransactionPhase) -> None:
    """Raise :class:`IllegalTransition` unless :data:`TRANSACTION_MOVES` allows the move."""
    if target not in TRANSACTION_MOVES[source]:
        raise IllegalTransition("transaction", source.value, target.value)


class Registration(StrEnum):
    """The station's standing with its central system (OCPP 1.6 section 4.2; 2.0.1 B01-B03)."""

    DISCONNECTED = "Disconnected"
    BOOTING = "Booting"  # BootNotification sent, no answer yet
    PENDING = "Pending"
    REJECTED = "Rejected"
    ACCEPTED = "Accepted"


_R = Registration

REGISTRATION_MOVES: Mapping[Registration, frozenset[Registration]] = MappingProxyType(
    {
        # After a lost connection without a reboot, an Accepted station reconnects straight
        # to Accepted: BootNotification follows a boot only (1.6 section 4.2, 2.0.1 B01).
        _R.DISCONNECTED: frozenset({_R.BOOTING, _R.ACCEPTED}),
        _R.BOOTING: frozenset({_R.PENDING, _R.REJECTED, _R.ACCEPTED, _R.DISCONNECTED}),
        # Pending/Rejected: BootNotification again after the interval given.
        _R.PENDING: frozenset({_R.BOOTING, _R.DISCONNECTED}),
        _R.REJECTED: frozenset({_R.BOOTING, _R.DISCONNECTED}),
        # Accepted until the connection drops or the station reboots.
        _R.ACCEPTED: frozenset({_R.DISCONNECTED, _R.BOOTING}),
    }
)


def check_registration_move(source: Registration, target: Registration) -> None:
    """Raise :class:`IllegalTransition` unless :data:`REGISTRATION_MOVES` allows the move."""
    if source is not target and target not in REGISTRATION_MOVES[source]:
        raise IllegalTransition("registration", source.value, target.value)
