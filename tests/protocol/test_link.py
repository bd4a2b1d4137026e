"""Two sessions, a station and a central system, paired over an in-memory link."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from chargeyard.protocol import (
    V16,
    V21,
    V201,
    ActionHandlers,
    CallAnswered,
    CallErrorReply,
    CallResultErrorReceived,
    MalformedCallResult,
    Payload,
    Role,
    Session,
    on,
)

from .support import (
    BOOT_ACCEPTED,
    BOOT_REQUEST,
    HEARTBEAT_ANSWER,
    NOW,
    PERIODIC_EVENT_STREAM,
    FakeClock,
    SessionPair,
    counting_ids,
    failures,
)

MakeLink = Callable[..., SessionPair]
STATION, CENTRAL = Role.STATION, Role.CENTRAL_SYSTEM


class CentralSystem16(ActionHandlers):
    def __init__(self) -> None:
        self.transaction_ids = count(1)

    @on("BootNotification")
    def boot(self, payload: Payload) -> Payload:
        return BOOT_ACCEPTED

    @on("Heartbeat")
    def heartbeat(self, payload: Payload) -> Payload:
        return HEARTBEAT_ANSWER

    @on("StartTransaction")
    def start_transaction(self, payload: Payload) -> Payload:
        return {"idTagInfo": {"status": "Accepted"}, "transactionId": next(self.transaction_ids)}


class Station16(ActionHandlers):
    @on("RemoteStartTransaction")
    def remote_start(self, payload: Payload) -> Payload:
        return {"status": "Accepted" if payload["idTag"] == "ABC" else "Rejected"}

    @on("GetConfiguration")
    def get_configuration(self, payload: Payload) -> Payload:
        return {
            "configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]
        }


class Csms201(ActionHandlers):
    def __init__(self) -> None:
        self.events: list[Payload] = []

    @on("BootNotification")
    def boot(self, payload: Payload) -> Payload:
        return BOOT_ACCEPTED

    @on("TransactionEvent")
    def transaction_event(self, payload: Payload) -> Payload:
        self.events.append(payload)
        return {"idTokenInfo": {"status": "Accepted"}} if "idToken" in payload else {}


START_16 = {"connectorId": 1, "idTag": "ABC", "meterStart": 1200, "timestamp": NOW}


def test_boot_accepted_then_heartbeat_and_start_transaction_16(link: MakeLink) -> None:
    pair = link(V16, central_handlers=CentralSystem16().handlers())
    pair.station.call("BootNotification", BOOT_REQUEST["1.6"])
    pair.pump()
    pair.station.call("Heartbeat", {})
    pair.station.call("StartTransaction", START_16)
    pair.pump()
    answer = {"idTagInfo": {"status": "Accepted"}, "transactionId": 1}
    assert pair.wire == [
        (STATION, [2, "st-1", "BootNotification", BOOT_REQUEST["1.6"]]),
        (CENTRAL, [3, "st-1", BOOT_ACCEPTED]),
        (STATION, [2, "st-2", "Heartbeat", {}]),
        (CENTRAL, [3, "st-2", HEARTBEAT_ANSWER]),
        (STATION, [2, "st-3", "StartTransaction", START_16]),
        (CENTRAL, [3, "st-3", answer]),
    ]
    assert pair.events == {
        STATION: [
            CallAnswered("st-1", "BootNotification", BOOT_ACCEPTED),
            CallAnswered("st-2", "Heartbeat", HEARTBEAT_ANSWER),
            CallAnswered("st-3", "StartTransaction", answer),
        ],
        CENTRAL: [],
    }


def test_queued_calls_drain_in_order(link: MakeLink) -> None:
    pair = link(V16, central_handlers=CentralSystem16().handlers())
    pair.station.call("BootNotification", BOOT_REQUEST["1.6"])
    pair.station.call("StartTransaction", START_16)
    pair.station.call("StartTransaction", {**START_16, "connectorId": 2})
    pair.station.call("Heartbeat", {})
    pair.pump()
    assert [frame for _, frame in pair.wire] == [
        [2, "st-1", "BootNotification", BOOT_REQUEST["1.6"]],
        [3, "st-1", BOOT_ACCEPTED],
        [2, "st-2", "StartTransaction", START_16],
        [3, "st-2", {"idTagInfo": {"status": "Accepted"}, "transactionId": 1}],
        [2, "st-3", "StartTransaction", {**START_16, "connectorId": 2}],
        [3, "st-3", {"idTagInfo": {"status": "Accepted"}, "transactionId": 2}],
        [2, "st-4", "Heartbeat", {}],
        [3, "st-4", HEARTBEAT_ANSWER],
    ]
    assert pair.events[STATION] == [
        CallAnswered("st-1", "BootNotification", BOOT_ACCEPTED),
        CallAnswered(
            "st-2", "StartTransaction", {"idTagInfo": {"status": "Accepted"}, "transactionId": 1}
        ),
        CallAnswered(
            "st-3", "StartTransaction", {"idTagInfo": {"status": "Accepted"}, "transactionId": 2}
        ),
        CallAnswered("st-4", "Heartbeat", HEARTBEAT_ANSWER),
    ]
    assert pair.station.calls_outstanding == 0


def test_both_sides_call_at_once_each_with_its_own_queue_16(link: MakeLink) -> None:
    pair = link(V16, Station16().handlers(), CentralSystem16().handlers())
    pair.station.call("BootNotification", BOOT_REQUEST["1.6"])
    pair.station.call("Heartbeat", {})
    pair.central.call("RemoteStartTransaction", {"idTag": "ABC"})
    pair.central.call("GetConfiguration", {"key": ["HeartbeatInterval"]})
    pair.pump()
    configuration = {
        "configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]
    }
    assert pair.events == {
        STATION: [
            CallAnswered("st-1", "BootNotification", BOOT_ACCEPTED),
            CallAnswered("st-2", "Heartbeat", HEARTBEAT_ANSWER),
        ],
        CENTRAL: [
            CallAnswered("cs-1", "RemoteStartTransaction", {"status": "Accepted"}),
            CallAnswered("cs-2", "GetConfiguration", configuration),
        ],
    }
    # Neither side ever had two CALLs of its own on the wire unanswered.
    for role in (STATION, CENTRAL):
        outstanding = 0
        for sender, frame in pair.wire:
            if sender == role and frame[0] == 2:
                outstanding += 1
            elif sender != role and frame[0] in (3, 4):
                outstanding -= 1
            assert outstanding <= 1


def test_call_without_handler_fails_at_the_caller_16(link: MakeLink) -> None:
    pair = link(V16, central_handlers=CentralSystem16().handlers())
    pair.station.call("Authorize", {"idTag": "ABC"})
    pair.pump()
    assert pair.wire == [
        (STATION, [2, "st-1", "Authorize", {"idTag": "ABC"}]),
        (
            CENTRAL,
            [
                4,
                "st-1",
                "NotSupported",
                "Authorize is not supported by this central system",
                {"action": "Authorize"},
            ],
        ),
    ]
    assert failures(pair.events[STATION]) == [
        (
            "st-1",
            "Authorize",
            CallErrorReply,
            "Authorize [st-1]: peer answered NotSupported: Authorize is not supported by this"
            " central system",
        )
    ]


def test_e01_transaction_event_started_201(link: MakeLink) -> None:
    csms = Csms201()
    pair = link(V201, central_handlers=csms.handlers())
    started = {
        "eventType": "Started",
        "timestamp": NOW,
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "tx-1", "chargingState": "EVConnected"},
        "idToken": {"idToken": "ABC", "type": "ISO14443"},
        "evse": {"id": 1, "connectorId": 1},
    }
    pair.station.call("BootNotification", BOOT_REQUEST["2.0.1"])
    pair.station.call("TransactionEvent", started)
    pair.pump()
    assert pair.wire == [
        (STATION, [2, "st-1", "BootNotification", BOOT_REQUEST["2.0.1"]]),
        (CENTRAL, [3, "st-1", BOOT_ACCEPTED]),
        (STATION, [2, "st-2", "TransactionEvent", started]),
        (CENTRAL, [3, "st-2", {"idTokenInfo": {"status": "Accepted"}}]),
    ]
    assert csms.events == [started]
    assert pair.events[STATION][-1] == CallAnswered(
        "st-2", "TransactionEvent", {"idTokenInfo": {"status": "Accepted"}}
    )


def test_send_reaches_its_handler_and_is_never_answered_21(link: MakeLink) -> None:
    received: list[Payload] = []
    pair = link(V21, central_handlers={"NotifyPeriodicEventStream": received.append})
    pair.station.send("NotifyPeriodicEventStream", PERIODIC_EVENT_STREAM)
    pair.station.call("BootNotification", BOOT_REQUEST["2.1"])
    pair.central.set_handler("BootNotification", lambda payload: BOOT_ACCEPTED)
    pair.pump()
    assert pair.wire == [
        (STATION, [6, "st-1", "NotifyPeriodicEventStream", PERIODIC_EVENT_STREAM]),
        (STATION, [2, "st-2", "BootNotification", BOOT_REQUEST["2.1"]]),
        (CENTRAL, [3, "st-2", BOOT_ACCEPTED]),
    ]
    assert received == [PERIODIC_EVENT_STREAM]
    assert pair.events == {
        STATION: [CallAnswered("st-2", "BootNotification", BOOT_ACCEPTED)],
        CENTRAL: [],
    }


def test_invalid_callresult_comes_back_as_callresulterror_21(clock: FakeClock) -> None:
    # A central system that does not check what it answers, against a station that does.
    station = Session(V21, STATION, clock=clock, new_id=counting_ids("st"))
    central = Session(
        V21,
        CENTRAL,
        {"Heartbeat": lambda payload: {"currentTime": "noon"}},
        clock=clock,
        new_id=counting_ids("cs"),
        validate=False,
    )
    pair = SessionPair(station, central)
    station.call("Heartbeat", {})
    pair.pump()
    why = 'HeartbeatResponse: "noon" is not a "date-time" at /currentTime'
    assert pair.wire == [
        (STATION, [2, "st-1", "Heartbeat", {}]),
        (CENTRAL, [3, "st-1", {"currentTime": "noon"}]),
        (STATION, [5, "st-1", "PropertyConstraintViolation", why, {}]),
    ]
    assert failures(pair.events[STATION]) == [
        (
            "st-1",
            "Heartbeat",
            MalformedCallResult,
            f"Heartbeat [st-1]: malformed CALLRESULT (PropertyConstraintViolation): {why}",
        )
    ]
    assert pair.events[CENTRAL] == [
        CallResultErrorReceived("st-1", "PropertyConstraintViolation", why, {})
    ]
