"""What the suite's central system answers a station's CALL when no step of the case says
otherwise: a permissive CSMS, in each version's words.

A station keeps sending while a case looks elsewhere (heartbeats, status reports, meter
values, the messages of a session the case drives), and a real central system answers each at
once; so does the suite. The answers read and keep what a central system keeps
(:class:`CentralBooks`): the id tags it knows (an unknown one is Invalid), the heartbeat
interval it gives, and the transactions it opened (each StartTransaction gets a fresh
transactionId). A case changes an answer for its own duration with
:meth:`~chargeyard.conformance.station_under_test.peer.CsmsPeer.answer_with`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chargeyard import loop_clock
from chargeyard.protocol import V16, V21, V201, VersionTable
from chargeyard.protocol.frames import Call

Payload = dict[str, Any]


def wire_now() -> str:
    """The current time as the wire writes it (UTC, milliseconds, ``Z``)."""
    return loop_clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class TagEntry:
    """An id tag the central system knows: its status (1.6 AuthorizationStatus, 2.0.1
    AuthorizationStatusEnumType: Accepted, Blocked, Expired, Invalid...) and its group (1.6
    parentIdTag, 2.0.1 groupIdToken), if any."""

    status: str = "Accepted"
    group: str | None = None


@dataclass(frozen=True, slots=True)
class CallErrorAnswer:
    """Answer a CALL with a CALLERROR instead of a CALLRESULT."""

    code: str
    description: str = ""


class _NoAnswer:
    def __repr__(self) -> str:
        return "NO_ANSWER"


NO_ANSWER = _NoAnswer()
"""Leave a CALL unanswered (the station's call times out)."""

Reply = Payload | CallErrorAnswer | _NoAnswer
Responder = Callable[[Call, "CentralBooks"], Reply]
"""How the central system answers one action: the CALL and what it knows, to the reply."""


@dataclass(slots=True)
class CentralBooks:
    """What the suite's central system knows while it runs a case.

    Attributes:
        id_tags: the id tags it knows, by value; any other is Invalid.
        heartbeat_s: the interval a boot's answer gives.
        transactions: the transactions it opened and that are not stopped yet, by the id it
            gave (1.6 transactionId) or the station's (2.0.1), each with its connector.
    """

    id_tags: dict[str, TagEntry] = field(default_factory=dict)
    heartbeat_s: int = 300
    transactions: dict[int | str, int] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def tag(self, value: object) -> TagEntry:
        """The entry of ``value`` (Invalid when the central system does not know it)."""
        return self.id_tags.get(str(value), TagEntry("Invalid"))

    def new_transaction_id(self) -> int:
        return next(self._numbers)


# -- OCPP 1.6 (sections 4 and 6: the operations a Charge Point initiates) -----------------------


def _id_tag_info_16(entry: TagEntry) -> Payload:
    info: Payload = {"status": entry.status}
    if entry.group is not None:
        info["parentIdTag"] = entry.group
    return info


def _boot(call: Call, books: CentralBooks) -> Reply:
    return {"status": "Accepted", "currentTime": wire_now(), "interval": books.heartbeat_s}


def _heartbeat(call: Call, books: CentralBooks) -> Reply:
    return {"currentTime": wire_now()}


def _empty(call: Call, books: CentralBooks) -> Reply:
    return {}


def _unknown_vendor(call: Call, books: CentralBooks) -> Reply:
    return {"status": "UnknownVendorId"}


def _rejected(call: Call, books: CentralBooks) -> Reply:
    return {"status": "Rejected"}


def _authorize_16(call: Call, books: CentralBooks) -> Reply:
    return {"idTagInfo": _id_tag_info_16(books.tag(call.payload.get("idTag")))}


def _start_16(call: Call, books: CentralBooks) -> Reply:
    transaction_id = books.new_transaction_id()
    books.transactions[transaction_id] = int(call.payload.get("connectorId", 0))
    entry = books.tag(call.payload.get("idTag"))
    return {"transactionId": transaction_id, "idTagInfo": _id_tag_info_16(entry)}


def _stop_16(call: Call, books: CentralBooks) -> Reply:
    books.transactions.pop(call.payload.get("transactionId", -1), None)
    id_tag = call.payload.get("idTag")
    return {} if id_tag is None else {"idTagInfo": _id_tag_info_16(books.tag(id_tag))}


ANSWERS_16: Mapping[str, Responder] = {
    "Authorize": _authorize_16,
    "BootNotification": _boot,
    "DataTransfer": _unknown_vendor,
    "DiagnosticsStatusNotification": _empty,
    "FirmwareStatusNotification": _empty,
    "Heartbeat": _heartbeat,
    "MeterValues": _empty,
    "StartTransaction": _start_16,
    "StatusNotification": _empty,
    "StopTransaction": _stop_16,
    # The security whitepaper's messages (edition 3).
    "LogStatusNotification": _empty,
    "SecurityEventNotification": _empty,
    "SignCertificate": _rejected,
    "SignedFirmwareStatusNotification": _empty,
}


# -- OCPP 2.0.1 (the messages a charging station initiates) -------------------------------------


def _id_token_info_201(entry: TagEntry) -> Payload:
    info: Payload = {"status": entry.status}
    if entry.group is not None:
        info["groupIdToken"] = {"idToken": entry.group, "type": "Central"}
    return info


def _authorize_201(call: Call, books: CentralBooks) -> Reply:
    token = call.payload.get("idToken", {}).get("idToken")
    return {"idTokenInfo": _id_token_info_201(books.tag(token))}


def _transaction_event_201(call: Call, books: CentralBooks) -> Reply:
    transaction = call.payload.get("transactionInfo", {}).get("transactionId", "")
    event = call.payload.get("eventType")
    if event == "Started":
        books.transactions[transaction] = int(call.payload.get("evse", {}).get("id", 0))
    elif event == "Ended":
        books.transactions.pop(transaction, None)
    token = call.payload.get("idToken")
    if token is None:
        return {}
    return {"idTokenInfo": _id_token_info_201(books.tag(token.get("idToken")))}


ANSWERS_201: Mapping[str, Responder] = {
    "Authorize": _authorize_201,
    "BootNotification": _boot,
    "ClearedChargingLimit": _empty,
    "DataTransfer": _unknown_vendor,
    "FirmwareStatusNotification": _empty,
    "Heartbeat": _heartbeat,
    "LogStatusNotification": _empty,
    "MeterValues": _empty,
    "NotifyChargingLimit": _empty,
    "NotifyCustomerInformation": _empty,
    "NotifyDisplayMessages": _empty,
    "NotifyEVChargingNeeds": _rejected,
    "NotifyEVChargingSchedule": _rejected,
    "NotifyEvent": _empty,
    "NotifyMonitoringReport": _empty,
    "NotifyReport": _empty,
    "PublishFirmwareStatusNotification": _empty,
    "ReportChargingProfiles": _empty,
    "ReservationStatusUpdate": _empty,
    "SecurityEventNotification": _empty,
    "SignCertificate": _rejected,
    "StatusNotification": _empty,
    "TransactionEvent": _transaction_event_201,
}


def _status_16(payload: Payload) -> tuple[tuple[int, ...], str]:
    return (int(payload["connectorId"]),), str(payload["status"])


def _status_201(payload: Payload) -> tuple[tuple[int, ...], str]:
    return (int(payload["evseId"]), int(payload["connectorId"])), str(payload["connectorStatus"])


STATUS_REPORTED: VersionTable[Callable[[Payload], tuple[tuple[int, ...], str]]] = VersionTable(
    "where a StatusNotification's status is",
    {V16: _status_16, V201: _status_201, V21: _status_201},
)
"""A StatusNotification's connector (1.6: its connectorId; 2.0.1 and 2.1: evseId and
connectorId) and status."""

DEFAULT_ANSWERS: VersionTable[Mapping[str, Responder]] = VersionTable(
    "the suite's central system's default answers",
    {V16: ANSWERS_16, V201: ANSWERS_201, V21: ANSWERS_201},
)
