"""What OCPP 2.1 part 4 adds: SEND [6] (never answered) and CALLRESULTERROR [5]."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chargeyard.protocol import (
    V16,
    V21,
    V201,
    CallResultErrorReceived,
    ErrorKind,
    FrameDropped,
    OcppError,
    Payload,
    Role,
    Session,
    VersionSpec,
)

from .support import HEARTBEAT_ANSWER, PERIODIC_EVENT_STREAM, sent, text

MakeSession = Callable[..., Session]


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
def test_send_is_refused_before_21(version: VersionSpec, make_session: MakeSession) -> None:
    session = make_session(version, role=Role.STATION)
    with pytest.raises(OcppError) as raised:
        session.send("NotifyPeriodicEventStream", PERIODIC_EVENT_STREAM)
    assert (raised.value.kind, raised.value.description) == (
        ErrorKind.NOT_SUPPORTED,
        f"OCPP {version.name} has no SEND message type",
    )
    assert sent(session) == []


def test_send_goes_out_at_once_and_awaits_nothing_21(make_session: MakeSession) -> None:
    session = make_session(V21, role=Role.STATION, prefix="st")
    session.call("Heartbeat", {})
    # A SEND is no CALL: it does not wait for the outstanding CALL (part 4 section 4.1.1).
    assert session.send("NotifyPeriodicEventStream", PERIODIC_EVENT_STREAM) == "st-2"
    assert sent(session) == [
        [2, "st-1", "Heartbeat", {}],
        [6, "st-2", "NotifyPeriodicEventStream", PERIODIC_EVENT_STREAM],
    ]
    assert session.calls_outstanding == 1


def test_send_with_invalid_payload_raises_and_sends_nothing_21(make_session: MakeSession) -> None:
    session = make_session(V21, role=Role.STATION)
    with pytest.raises(OcppError) as raised:
        session.send("NotifyPeriodicEventStream", {**PERIODIC_EVENT_STREAM, "pending": -1})
    assert (raised.value.kind, raised.value.description) == (
        ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
        "NotifyPeriodicEventStream: -1 is less than the minimum of 0.0 at /pending",
    )
    assert sent(session) == []


def test_send_of_an_unknown_action_raises_21(make_session: MakeSession) -> None:
    session = make_session(V21, role=Role.STATION)
    with pytest.raises(OcppError) as raised:
        session.send("FlyToTheMoon", {})
    assert (raised.value.kind, raised.value.description) == (
        ErrorKind.NOT_SUPPORTED,
        "FlyToTheMoon is not a SEND message of this version",
    )
    assert sent(session) == []


def test_send_of_an_action_with_a_response_raises_21(make_session: MakeSession) -> None:
    # OCPP 2.1 part 4 section 4.2.5: a message that has a response travels in a CALL.
    session = make_session(V21, role=Role.STATION)
    with pytest.raises(OcppError) as raised:
        session.send("Heartbeat", {})
    assert (raised.value.kind, raised.value.description) == (
        ErrorKind.NOT_SUPPORTED,
        "Heartbeat is not a SEND message of this version",
    )
    assert sent(session) == []


def test_incoming_send_of_an_action_with_a_response_is_dropped_unhandled_21(
    make_session: MakeSession,
) -> None:
    seen: list[Payload] = []
    session = make_session(V21, role=Role.CENTRAL_SYSTEM)
    session.set_handler("Heartbeat", lambda payload: seen.append(payload) or {"currentTime": "x"})
    events = session.receive(text([6, "s1", "Heartbeat", {}]))
    assert [type(event).__name__ for event in events] == ["FrameDropped"]
    assert seen == []
    assert sent(session) == []


def test_call_of_a_send_only_action_is_not_supported_21(make_session: MakeSession) -> None:
    session = make_session(V21, role=Role.CENTRAL_SYSTEM)
    session.set_handler("NotifyPeriodicEventStream", lambda payload: None)
    session.receive(text([2, "c1", "NotifyPeriodicEventStream", {}]))
    assert sent(session) == [
        [
            4,
            "c1",
            "NotSupported",
            "NotifyPeriodicEventStream is not sent as a CALL",
            {"action": "NotifyPeriodicEventStream"},
        ]
    ]


def test_send_is_routed_to_its_handler_and_never_answered_21(make_session: MakeSession) -> None:
    seen: list[Payload] = []

    def stream(payload: Payload) -> None:
        seen.append(payload)

    session = make_session(V21, {"NotifyPeriodicEventStream": stream})
    frame = [6, "s-1", "NotifyPeriodicEventStream", PERIODIC_EVENT_STREAM]
    assert session.receive(text(frame)) == []
    assert (seen, sent(session)) == ([PERIODIC_EVENT_STREAM], [])


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (
            [6, "s-1", "NotifyPeriodicEventStream", {**PERIODIC_EVENT_STREAM, "data": []}],
            "SEND NotifyPeriodicEventStream [s-1] refused: OccurrenceConstraintViolation: "
            "NotifyPeriodicEventStream: [] has less than 1 item at /data",
        ),
        (
            [6, "s-1", "FlyToTheMoon", {}],
            "SEND FlyToTheMoon [s-1] refused: NotImplemented: FlyToTheMoon is not an action of "
            "OCPP 2.1",
        ),
        (
            [6, "s-1", "NotifyPeriodicEventStream", []],
            "malformed SEND: payload is not a JSON object",
        ),
        (
            [6, "s-1", "NotifyPeriodicEventStream"],
            "malformed SEND: expected [6, messageId, action, {payload}]",
        ),
        ([6, 17], "malformed SEND: messageId is missing or not a string"),
    ],
    ids=["invalid", "unknown-action", "payload-not-object", "incomplete", "no-id"],
)
def test_bad_send_is_dropped_never_answered_21(
    frame: list[object], reason: str, make_session: MakeSession
) -> None:
    seen: list[Payload] = []
    session = make_session(V21, {"NotifyPeriodicEventStream": seen.append})
    assert session.receive(text(frame)) == [FrameDropped(reason)]
    assert (seen, sent(session)) == ([], [])


def test_send_without_handler_is_dropped_21(make_session: MakeSession) -> None:
    session = make_session(V21)
    frame = [6, "s-1", "NotifyPeriodicEventStream", PERIODIC_EVENT_STREAM]
    assert session.receive(text(frame)) == [
        FrameDropped(
            "SEND NotifyPeriodicEventStream [s-1] refused: NotSupported: "
            "NotifyPeriodicEventStream is not supported by this central system"
        )
    ]
    assert sent(session) == []


def test_send_handler_that_raises_is_not_answered_21(make_session: MakeSession) -> None:
    def stream(payload: Payload) -> None:
        raise RuntimeError("disk full")

    session = make_session(V21, {"NotifyPeriodicEventStream": stream})
    frame = [6, "s-1", "NotifyPeriodicEventStream", PERIODIC_EVENT_STREAM]
    assert session.receive(text(frame)) == []
    assert sent(session) == []


def test_received_callresulterror_is_reported_21(make_session: MakeSession) -> None:
    session = make_session(V21, {"Heartbeat": lambda payload: HEARTBEAT_ANSWER})
    session.receive(text([2, "m-1", "Heartbeat", {}]))
    assert sent(session) == [[3, "m-1", HEARTBEAT_ANSWER]]
    frame = [5, "m-1", "FormatViolation", "currentTime in the past", {"field": "currentTime"}]
    assert session.receive(text(frame)) == [
        CallResultErrorReceived(
            "m-1", "FormatViolation", "currentTime in the past", {"field": "currentTime"}
        )
    ]
    assert sent(session) == []


def test_malformed_callresulterror_is_dropped_21(make_session: MakeSession) -> None:
    session = make_session(V21)
    assert session.receive(text([5, "m-1", "FormatViolation"])) == [
        FrameDropped(
            "malformed CALL_RESULT_ERROR: "
            "expected [5, messageId, errorCode, errorDescription, {errorDetails}]"
        )
    ]
    assert sent(session) == []
