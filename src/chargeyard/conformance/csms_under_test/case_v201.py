"""What an OCPP 2.0.1 case against a CSMS works with (:class:`CsmsCaseV201`): the moves of a
2.0.1 charging station (BootNotification with its reason, StatusNotification per EVSE and
connector, TransactionEvent with its seqNo, triggerReason and transactionInfo, Authorize with an
idToken object, NotifyEvent, MeterValues) and the "reusable states" of Part 6 (section 3.18:
Booted, EVConnectedPreSession, Authorized, EnergyTransferStarted...) as moves that remember
where the transaction stands, so a case chains them as Part 6 does.

The station has one EVSE (1) with one connector (1) unless a case asks for more; a
transaction's id is made by the station (2.0.1 E01) and its seqNo counts from 0 (E01.FR.07).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypedDict, Unpack

from chargeyard.conformance.csms_under_test.case import CsmsCaseBase, Payload, is_timestamp, now
from chargeyard.conformance.endings import CaseEnded
from chargeyard.conformance.exchanges import present
from chargeyard.conformance.exchanges import v201 as exchanges_v201
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.frames import Call
from chargeyard.protocol.messages import v201

TOKEN_TYPE: Final = "ISO14443"
"""The type of every idToken the station presents (a card: IdTokenEnumType)."""
ENERGY = "Energy.Active.Import.Register"


class SampleOptions(TypedDict, total=False):
    """What a case adds to a sampledValue of :func:`energy` (SampledValueType)."""

    signedMeterValue: v201.SignedMeterValueType
    phase: v201.PhaseEnumType
    location: v201.LocationEnumType
    customData: v201.CustomDataType


class StatusOptions(TypedDict, total=False):
    """What a case adds to a StatusNotificationRequest."""

    customData: v201.CustomDataType


class TransactionInfoOptions(TypedDict, total=False):
    """What a case adds to a TransactionEvent's transactionInfo (TransactionType)."""

    remoteStartId: int
    timeSpentCharging: int
    customData: v201.CustomDataType


class TransactionEventOptions(TypedDict, total=False):
    """What a case adds to a TransactionEventRequest, beside the fields
    :meth:`CsmsCaseV201.transaction_event` writes; ``transaction_info`` goes into its
    transactionInfo."""

    offline: bool
    numberOfPhasesUsed: int
    cableMaxCurrent: int
    reservationId: int
    customData: v201.CustomDataType
    transaction_info: TransactionInfoOptions


class PluggedInOptions(TransactionEventOptions, total=False):
    """What a case adds to the TransactionEvent of EVConnectedPreSession."""

    meter_value: list[Payload] | None
    with_evse: bool | None


class StopOptions(TransactionEventOptions, total=False):
    """What a case adds to the TransactionEvent of StopAuthorized."""

    charging_state: v201.ChargingStateEnumType | None
    stopped_reason: v201.ReasonEnumType | None
    meter_value: list[Payload] | None


# What the station answers to a CALL no step expects, in 2.0.1's words (the shapes of the
# official response schemas). A CALL that needs an answer per item (GetVariables...) has none:
# a case that provokes one expects it.
DEFAULT_ANSWERS_201: dict[str, Payload] = {
    "ChangeAvailability": {"status": "Accepted"},
    "ClearCache": {"status": "Accepted"},
    "CostUpdated": {},
    "DataTransfer": {"status": "UnknownVendorId"},
    "GetLocalListVersion": {"versionNumber": 0},
    "GetTransactionStatus": {"messagesInQueue": False},
    "TriggerMessage": {"status": "NotImplemented"},
}


def id_token(tag: str) -> v201.IdTokenType:
    """The IdTokenType of ``tag`` as the station presents it."""
    return {"idToken": tag, "type": TOKEN_TYPE}


def energy(
    wh: float,
    context: v201.ReadingContextEnumType = "Sample.Periodic",
    **extra: Unpack[SampleOptions],
) -> Payload:
    """One MeterValueType: the energy register at ``wh`` now, read in ``context``
    (ReadingContextEnumType), with ``extra`` sampledValue fields (a signedMeterValue)."""
    sample: Payload = {
        "value": wh,
        "context": context,
        "measurand": ENERGY,
        "unitOfMeasure": {"unit": "Wh"},
        **extra,
    }
    return {"timestamp": now(), "sampledValue": [sample]}


@dataclass(slots=True)
class Transaction:
    """Where the station's transaction on an EVSE stands, as the reusable states leave it."""

    id: str
    evse: int
    connector: int
    seq_no: itertools.count[int] = field(default_factory=itertools.count)
    started: bool = False
    ev_connected: bool = False
    authorized: bool = False
    charging: bool = False


class CsmsCaseV201(CsmsCaseBase):
    """The context of one OCPP 2.0.1 case against a CSMS."""

    if TYPE_CHECKING:
        # The moves of CsmsCaseBase take any action and a plain dict; here they take the
        # version's actions and their generated message types (conformance/exchanges).
        call: exchanges_v201.StationCall  # type: ignore[assignment]
        order: exchanges_v201.StationOrder  # type: ignore[assignment]

    default_answers = DEFAULT_ANSWERS_201

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evses: dict[int, int] = {1: 1}  # EVSE id -> its connectors
        self.transactions: dict[int, Transaction] = {}

    # -- the checks moves share -------------------------------------------------------------

    def token_status(
        self,
        answer: v201.AuthorizeResponse | v201.TransactionEventResponse | Payload,
        expected: Collection[str],
        what: str,
        *,
        group: str | None = None,
    ) -> str | None:
        """Check an answer's idTokenInfo.status is one of ``expected`` (and, if given, its
        groupIdToken names ``group``, C09.FR.03); returns the status."""
        info = present(answer.get("idTokenInfo"))
        status = info.get("status")
        wanted = " or ".join(expected)
        self.log.check(
            f"{what} is answered {wanted}",
            status in expected,
            expected=wanted,
            observed=status,
        )
        if group is not None:
            named = present(info.get("groupIdToken")).get("idToken")
            self.log.check(
                f"{what}'s idTokenInfo names group {group}",
                named == group,
                expected=group,
                observed=named,
            )
        return status if isinstance(status, str) else None

    def field_is(
        self, call: Call, path: str, expected: Any, *, weight: Weight = Weight.INTEROP
    ) -> bool:
        """Check the field at dotted ``path`` of ``call``'s payload is ``expected``
        (None: absent)."""
        observed: Any = call.payload
        for name in path.split("."):
            observed = observed.get(name) if isinstance(observed, dict) else None
        words = "is absent" if expected is None else f"is {expected}"
        return self.log.check(
            f"{call.action}'s {path} {words}",
            observed == expected,
            weight=weight,
            expected=expected if expected is not None else "absent",
            observed=observed,
        )

    # -- a station's messages ---------------------------------------------------------------

    async def boot(
        self,
        reason: v201.BootReasonEnumType = "PowerUp",
        *,
        expected: Collection[str] = ("Accepted",),
        report: str = "Available",
    ) -> v201.BootNotificationResponse:
        """BootNotification with ``reason`` (BootReasonEnumType, B01); the answer's status
        must be one of ``expected``, with a heartbeat interval and the current time.
        Accepted, every connector then reports ``report`` (Reusable State Booted).

        Raises:
            CaseEnded: the status was not one expected.
        """
        self.log.step(f"The station boots ({reason}): BootNotification")
        answer = await self.call(
            "BootNotification",
            {
                "reason": reason,
                "chargingStation": {
                    "vendorName": "chargeyard",
                    "model": "conformance",
                    "serialNumber": "CY-201",
                    "firmwareVersion": "1.0",
                },
            },
        )
        status = answer.get("status")
        wanted = " or ".join(expected)
        self.log.check(
            f"the CSMS answers the boot {wanted}",
            status in expected,
            expected=wanted,
            observed=status,
        )
        self.log.check(
            "the boot's answer gives a heartbeat interval",
            isinstance(answer.get("interval"), int) and answer["interval"] >= 0,
            weight=Weight.SPEC,
            expected=">= 0",
            observed=answer.get("interval"),
        )
        self.log.check(
            "the boot's answer tells the current time with a zone",
            is_timestamp(answer.get("currentTime")),
            weight=Weight.SPEC,
            expected="date-time with a zone",
            observed=answer.get("currentTime"),
        )
        if status not in expected:
            raise CaseEnded(f"the CSMS answered the boot {status}")
        if status == "Accepted":
            self.log.step(f"The station reports its connectors {report}")
            for evse, connectors in self.evses.items():
                for connector in range(1, connectors + 1):
                    await self.connector_status(report, evse, connector)
        return answer

    async def booted(self) -> None:
        """Reusable State Booted: connected, booted, every connector Available."""
        await self.connect()
        await self.boot()

    async def resumed(self) -> None:
        """The connection lost and back without a reboot (no BootNotification): a new
        connection, on which the station says nothing until a step has it (Part 6's cases
        of E14 have the CSMS act at once)."""
        self.log.step("The connection drops and comes back")
        await self.reconnect()

    async def status(
        self, status: str, evse: int = 1, connector: int = 1, **extra: Unpack[StatusOptions]
    ) -> None:
        """StatusNotification of one connector (ConnectorStatusEnumType, G01)."""
        # CsmsCaseBase's call, untyped: a case adds fields of its own (``extra``).
        await CsmsCaseBase.call(
            self,
            "StatusNotification",
            {
                "timestamp": now(),
                "connectorStatus": status,
                "evseId": evse,
                "connectorId": connector,
                **extra,
            },
        )

    async def notify_event(self, event: Payload, *, seq_no: int = 0) -> None:
        """NotifyEvent of one event (N07), answered with an empty body."""
        # CsmsCaseBase's call, untyped: the event is the case's own dict.
        await CsmsCaseBase.call(
            self,
            "NotifyEvent",
            {"generatedAt": now(), "seqNo": seq_no, "eventData": [{"eventId": 1, **event}]},
        )

    async def connector_status(self, status: str, evse: int = 1, connector: int = 1) -> None:
        """A connector's new state as Part 6 has it sent: StatusNotification, and NotifyEvent
        of its AvailabilityState (a Delta)."""
        await self.status(status, evse, connector)
        await self.notify_event(
            {
                "timestamp": now(),
                "trigger": "Delta",
                "actualValue": status,
                "eventNotificationType": "HardWiredNotification",
                "component": {"name": "Connector", "evse": {"id": evse, "connectorId": connector}},
                "variable": {"name": "AvailabilityState"},
            }
        )

    async def authorize(
        self, tag: str, expected: Collection[str] = ("Accepted",), *, group: str | None = None
    ) -> v201.AuthorizeResponse:
        """Authorize of ``tag`` (C01); its status must be one of ``expected``."""
        answer = await self.call("Authorize", {"idToken": id_token(tag)})
        self.token_status(answer, expected, f"Authorize of {tag}", group=group)
        return answer

    def transaction(self, evse: int = 1) -> Transaction:
        """The station's transaction on ``evse``: the one under way, else a new one."""
        if evse not in self.transactions:
            self.transactions[evse] = Transaction(f"CY-{uuid.uuid4().hex[:16]}", evse, 1)
        return self.transactions[evse]

    async def transaction_event(
        self,
        event_type: str,
        trigger_reason: str,
        *,
        evse: int = 1,
        tag: str | None = None,
        charging_state: str | None = None,
        stopped_reason: str | None = None,
        meter_value: list[Payload] | None = None,
        expected: Collection[str] | None = None,
        group: str | None = None,
        with_evse: bool | None = None,
        seq_no: int | None = None,
        **extra: Unpack[TransactionEventOptions],
    ) -> Payload:
        """TransactionEvent (E01-E15) of the transaction on ``evse``: its next seqNo, the
        EVSE named on the first event (E01.FR.16: evse in the first message after it is
        known); ``tag``: the idToken it carries, whose idTokenInfo must be one of
        ``expected`` (Accepted by default). Ended forgets the transaction."""
        transaction = self.transaction(evse)
        info: Payload = {"transactionId": transaction.id}
        if charging_state is not None:
            info["chargingState"] = charging_state
        if stopped_reason is not None:
            info["stoppedReason"] = stopped_reason
        info.update(extra.pop("transaction_info", {}))
        payload: Payload = {
            "eventType": event_type,
            "timestamp": now(),
            "triggerReason": trigger_reason,
            "seqNo": next(transaction.seq_no) if seq_no is None else seq_no,
            "transactionInfo": info,
            **extra,
        }
        if with_evse if with_evse is not None else not transaction.started:
            payload["evse"] = {"id": evse, "connectorId": transaction.connector}
        if tag is not None:
            payload["idToken"] = id_token(tag)
        if meter_value is not None:
            payload["meterValue"] = meter_value
        # CsmsCaseBase's call, untyped: a case adds fields of its own (``extra``).
        answer = await CsmsCaseBase.call(self, "TransactionEvent", payload)
        transaction.started = True
        if tag is not None:
            self.token_status(
                answer,
                expected or ("Accepted",),
                f"TransactionEvent {event_type} ({trigger_reason}) with {tag}",
                group=group,
            )
        if event_type == "Ended":
            del self.transactions[evse]
        return answer

    def _next_event(self, transaction: Transaction) -> str:
        return "Updated" if transaction.started else "Started"

    # -- Part 6 reusable states (section 3.18) ------------------------------------------------

    async def ev_connected_pre_session(
        self, evse: int = 1, **extra: Unpack[PluggedInOptions]
    ) -> None:
        """Reusable State EVConnectedPreSession: the cable in (Occupied), the transaction
        started or updated with CablePluggedIn, EVConnected."""
        self.log.step("The EV is plugged in: Occupied, TransactionEvent (CablePluggedIn)")
        transaction = self.transaction(evse)
        await self.connector_status("Occupied", evse, transaction.connector)
        await self.transaction_event(
            self._next_event(transaction),
            "CablePluggedIn",
            evse=evse,
            charging_state="EVConnected",
            **extra,
        )
        transaction.ev_connected = True

    async def authorized(self, tag: str, evse: int = 1, *, group: str | None = None) -> None:
        """Reusable State Authorized: Authorize, then the transaction started or updated with
        triggerReason Authorized and the idToken, both Accepted."""
        self.log.step(f"The driver presents {tag}: Authorize, TransactionEvent (Authorized)")
        transaction = self.transaction(evse)
        await self.authorize(tag, group=group)
        await self.transaction_event(
            self._next_event(transaction), "Authorized", evse=evse, tag=tag, group=group
        )
        transaction.authorized = True

    async def energy_transfer_started(self, tag: str, evse: int = 1) -> None:
        """Reusable State EnergyTransferStarted: Authorized if not yet, the cable in if not
        yet, then Charging (ChargingStateChanged)."""
        transaction = self.transaction(evse)
        if not transaction.authorized:
            await self.authorized(tag, evse)
        if not transaction.ev_connected:
            self.log.step("The EV is plugged in: Occupied, TransactionEvent (CablePluggedIn)")
            await self.connector_status("Occupied", evse, transaction.connector)
            await self.transaction_event(
                "Updated", "CablePluggedIn", evse=evse, charging_state="EVConnected"
            )
            transaction.ev_connected = True
        self.log.step("Energy flows: TransactionEvent (ChargingStateChanged, Charging)")
        await self.transaction_event(
            "Updated",
            "ChargingStateChanged",
            evse=evse,
            charging_state="Charging",
            meter_value=[energy(0, "Transaction.Begin")],
        )
        transaction.charging = True

    async def energy_transfer_suspended(self, evse: int = 1) -> None:
        """Reusable State EnergyTransferSuspended: the EV suspends (SuspendedEV)."""
        self.log.step("The EV suspends charging: TransactionEvent (SuspendedEV)")
        await self.transaction_event(
            "Updated", "ChargingStateChanged", evse=evse, charging_state="SuspendedEV"
        )

    async def stop_authorized(self, tag: str, evse: int = 1, **extra: Unpack[StopOptions]) -> None:
        """Reusable State StopAuthorized: the driver ends the session, triggerReason
        StopAuthorized with the idToken, Accepted."""
        self.log.step(f"The driver stops with {tag}: TransactionEvent (StopAuthorized)")
        await self.transaction_event("Updated", "StopAuthorized", evse=evse, tag=tag, **extra)

    async def ev_connected_post_session(self, evse: int = 1) -> None:
        """Reusable State EVConnectedPostSession: energy stopped, the cable still in."""
        self.log.step("Energy stops, the cable stays: TransactionEvent (EVConnected)")
        await self.transaction_event(
            "Updated",
            "ChargingStateChanged",
            evse=evse,
            charging_state="EVConnected",
            meter_value=[energy(2_000)],
        )

    async def ev_disconnected(
        self, evse: int = 1, *, meter_value: list[Payload] | None = None
    ) -> Payload:
        """Reusable State EVDisconnected: the cable out (Available), the transaction Ended
        with EVCommunicationLost, Idle, EVDisconnected; returns the CSMS's answer to the
        Ended event."""
        self.log.step("The EV unplugs: Available, TransactionEvent Ended (EVDisconnected)")
        transaction = self.transaction(evse)
        await self.connector_status("Available", evse, transaction.connector)
        return await self.transaction_event(
            "Ended",
            "EVCommunicationLost",
            evse=evse,
            charging_state="Idle",
            stopped_reason="EVDisconnected",
            meter_value=meter_value
            if meter_value is not None
            else [energy(2_000, "Transaction.End")],
        )

    async def session_to_end(self, tag: str, evse: int = 1) -> None:
        """From EnergyTransferStarted to its end: StopAuthorized, EVConnectedPostSession,
        EVDisconnected."""
        await self.stop_authorized(tag, evse)
        await self.ev_connected_post_session(evse)
        await self.ev_disconnected(evse)

    # -- what the CSMS orders -----------------------------------------------------------------

    async def ordered(
        self, action: str, payload: Payload, words: str, answer: Payload | None = None
    ) -> Call:
        """Have the CSMS send ``action`` (the trigger's order), then answer it with
        ``answer`` if given."""
        self.log.step(f"The CSMS sends {action}")
        # CsmsCaseBase's order, untyped: any action.
        call = await CsmsCaseBase.order(self, action, payload, words)
        if answer is not None:
            await self.answered(call, answer)
        return call

    async def unavailable(self, evse: int | None = 1, connector: int | None = None) -> None:
        """Reusable State Unavailable: ChangeAvailability Inoperative of the station, an EVSE
        or a connector, Accepted; the connectors concerned report Unavailable."""
        payload, where = availability_of(evse, connector, "Inoperative")
        call = await self.ordered(
            "ChangeAvailability", payload, f"make {where} Inoperative", {"status": "Accepted"}
        )
        self.field_is(call, "operationalStatus", "Inoperative")
        self.field_is(call, "evse", payload.get("evse"))
        await self.statuses_of(evse, connector, "Unavailable")

    async def statuses_of(self, evse: int | None, connector: int | None, status: str) -> None:
        self.log.step(f"The connectors concerned report {status}")
        for evse_id, connectors in self.evses.items():
            if evse is not None and evse_id != evse:
                continue
            for connector_id in range(1, connectors + 1):
                if connector is None or connector_id == connector:
                    await self.connector_status(status, evse_id, connector_id)


def availability_of(
    evse: int | None, connector: int | None, operational: str
) -> tuple[Payload, str]:
    """ChangeAvailability's payload for the station (no evse), an EVSE or a connector, and
    the same in words."""
    payload: Payload = {"operationalStatus": operational}
    if evse is None:
        return payload, "the charging station"
    payload["evse"] = {"id": evse} if connector is None else {"id": evse, "connectorId": connector}
    where = f"EVSE {evse}" if connector is None else f"connector {connector} of EVSE {evse}"
    return payload, where
