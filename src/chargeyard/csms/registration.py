"""A station's registration with the central system: how its BootNotification is answered,
what the central system sends it while it is Pending, what the station may send before it is
Accepted, and which commands reach it (OCPP 1.6 section 4.2; OCPP 2.0.1 B01-B03).

Theory of operation
-------------------
A station's own registration (``stations.registration``, set through ``/api/v1``) answers its
boots; a station without one gets the listener's ``--boot-status``. Answered Pending, the
station is sent the registration's pending calls (B02.FR.01: the CSMS may read or change the
station's configuration meanwhile); once every one has a CALLRESULT, the registration becomes
Accepted, and so does the station's next boot. Rejected stays Rejected until changed.

Each connection has a :class:`RegistrationGate`, which starts from the last answer the store
kept (a station that reconnects without booting keeps its registration) and follows each boot:

==========  ====================================================  =========================
last boot   the station's CALLs                                   the API's commands
==========  ====================================================  =========================
none        answered                                              refused (409)
Accepted    answered                                              sent
Pending     BootNotification, and what the CSMS asked for with    sent, but for remote
            TriggerMessage, GetBaseReport or GetReport; the rest  start and stop (409)
            CALLERROR SecurityError
Rejected    BootNotification; the rest CALLERROR SecurityError    refused (409)
==========  ====================================================  =========================

The station's side follows B02.FR.09 and B03.FR.07. OCPP 1.6 section 4.2 says the same of the
station ("SHALL NOT send request messages ... unless it has been instructed by the Central
System to do so with a TriggerMessage.req" while Pending, nothing while Rejected) without naming
the central system's answer; chargeyard answers it as 2.0.1 does, with OCPP-J 1.6 section 4.2.3's
SecurityError. The commands' side: 1.6 section 4.2 forbids RemoteStartTransaction and
RemoteStopTransaction while Pending, and chargeyard holds back 2.0.1's RequestStartTransaction
and RequestStopTransaction alike; neither version lets the central system initiate anything
while Rejected (1.6 section 4.2, 2.0.1 B03). A station that never booted has told nothing of
itself yet, and is sent nothing until it has.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chargeyard.csms.policy import BootStatus
from chargeyard.protocol import OcppError, Payload
from chargeyard.protocol.errors import ErrorKind
from chargeyard.protocol.router import Handler, HandlerResult

ACCEPTED = BootStatus.ACCEPTED.value
PENDING = BootStatus.PENDING.value
REJECTED = BootStatus.REJECTED.value

# The message a TriggerMessage's requestedMessage makes the station send (1.6 section 5.17,
# 1.6 security extension ExtendedTriggerMessage; 2.0.1 MessageTriggerEnumType).
TRIGGERED_ACTIONS = {
    "BootNotification": "BootNotification",
    "DiagnosticsStatusNotification": "DiagnosticsStatusNotification",
    "FirmwareStatusNotification": "FirmwareStatusNotification",
    "Heartbeat": "Heartbeat",
    "LogStatusNotification": "LogStatusNotification",
    "MeterValues": "MeterValues",
    "PublishFirmwareStatusNotification": "PublishFirmwareStatusNotification",
    "SignChargePointCertificate": "SignCertificate",
    "SignChargingStationCertificate": "SignCertificate",
    "SignV2GCertificate": "SignCertificate",
    "SignCombinedCertificate": "SignCertificate",
    "StatusNotification": "StatusNotification",
    "TransactionEvent": "TransactionEvent",
}
TRIGGERS = frozenset({"TriggerMessage", "ExtendedTriggerMessage"})
# The report requests whose NotifyReport a Pending station may send (B02.FR.09).
REPORT_REQUESTS = frozenset({"GetBaseReport", "GetReport"})
# What the central system does not send a Pending station (1.6 section 4.2; 2.0.1 alike).
NOT_WHILE_PENDING = frozenset(
    {
        "RemoteStartTransaction",
        "RemoteStopTransaction",
        "RequestStartTransaction",
        "RequestStopTransaction",
    }
)


@dataclass(frozen=True, slots=True)
class PendingCall:
    """A CALL the central system sends a station it answered Pending."""

    action: str
    payload: Payload

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "payload": self.payload}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingCall:
        return cls(str(data["action"]), dict(data.get("payload") or {}))


@dataclass(frozen=True, slots=True)
class Registration:
    """How a station's next boot is answered, and what it is sent when that is Pending."""

    status: str
    calls: tuple[PendingCall, ...] = ()

    @classmethod
    def of(
        cls, status: str | None, calls: Sequence[dict[str, Any]] | None, default: str
    ) -> Registration:
        """The registration stored as ``status`` and ``calls`` (None: ``default``, no calls)."""
        if status is None:
            return cls(default)
        return cls(status, tuple(PendingCall.from_dict(call) for call in calls or ()))


class RegistrationGate:
    """One connection's registration as its last boot left it (the table in the module
    docstring): which of the station's CALLs are answered, and which commands are sent."""

    __slots__ = ("_asked", "identity", "status")

    def __init__(self, identity: str, status: str | None) -> None:
        self.identity = identity
        # The last BootNotification answer, as kept by the store; None: never booted.
        self.status = status
        # The actions the central system asked the station for since that answer.
        self._asked: set[str] = set()

    def answered(self, status: str) -> None:
        """A BootNotification was answered ``status``."""
        self.status = status
        self._asked.clear()

    def sent(self, action: str, payload: Payload) -> None:
        """The central system sends ``action``: a trigger or a report request lets the station
        send what it asks for (B02.FR.09)."""
        if action in TRIGGERS:
            asked = TRIGGERED_ACTIONS.get(str(payload.get("requestedMessage")))
            if asked is not None:
                self._asked.add(asked)
        elif action in REPORT_REQUESTS:
            self._asked.add("NotifyReport")

    def admits(self, action: str) -> bool:
        """Whether the station's CALL ``action`` is handled (else CALLERROR SecurityError)."""
        if action == "BootNotification" or self.status in (None, ACCEPTED):
            return True
        return self.status == PENDING and action in self._asked

    def refusal(self, action: str) -> str | None:
        """Why the command ``action`` is not sent to the station, or None: it is."""
        who = f"charger {self.identity}"
        if self.status is None:
            return (
                f"{who} has not sent a BootNotification: no command is sent to it until its boot"
                " is answered (nothing was sent)"
            )
        if self.status == REJECTED:
            return (
                f"{who} was rejected at boot (BootNotification answered Rejected): no command"
                " is sent to it until a boot is accepted"
            )
        if self.status == PENDING and action in NOT_WHILE_PENDING:
            return (
                f"{who} is Pending (BootNotification answered Pending): {action} is not sent"
                " to it until a boot is accepted (nothing was sent)"
            )
        return None


def gated(handlers: Mapping[str, Handler], gate: RegistrationGate) -> Mapping[str, Handler]:
    """``handlers``, each answering CALLERROR SecurityError when ``gate`` does not admit its
    action (B02.FR.09, B03.FR.07; the module docstring)."""
    return _Gated(handlers, gate)


class _Gated(Mapping[str, Handler]):
    """The handlers behind a registration gate, looked up as each CALL comes in: one object a
    connection rather than a wrapped handler per action. A session looks a handler up and
    calls it in one step (``protocol/session.py``), so the gate read at the lookup is the
    gate at the call."""

    __slots__ = ("_gate", "_handlers")

    def __init__(self, handlers: Mapping[str, Handler], gate: RegistrationGate) -> None:
        self._handlers, self._gate = handlers, gate

    def __getitem__(self, action: str) -> Handler:
        handler = self._handlers[action]
        return handler if self._gate.admits(action) else self._refuse

    def _refuse(self, payload: Payload) -> HandlerResult:
        raise OcppError(
            ErrorKind.SECURITY_ERROR,
            f"the station's boot was answered {self._gate.status}: only BootNotification, and"
            " what the central system asks for, is handled until a boot is accepted",
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)

    def __contains__(self, action: object) -> bool:
        return action in self._handlers
