"""Outgoing CALLs: unique ids, one outstanding call at a time (OCPP-J 1.6 section 4.1.1,
OCPP 2.0.1 part 4 section 4.1.1), answers matched by id, checked against the schemas."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chargeyard.protocol import (
    V16,
    V21,
    V201,
    CallAnswered,
    CallErrorReply,
    CallFailed,
    ErrorKind,
    FrameDropped,
    MalformedCallResult,
    OcppError,
    Role,
    Session,
    VersionSpec,
)

from .support import (
    BOOT_ACCEPTED,
    BOOT_REQUEST,
    HEARTBEAT_ANSWER,
    each_version,
    failures,
    sent,
    text,
)

MakeSession = Callable[..., Session]


@pytest.fixture
def station(make_session: MakeSession) -> Callable[..., Session]:
    def make(version: VersionSpec, **options: object) -> Session:
        return make_session(version, role=Role.STATION, prefix="st", **options)

    return make


@each_version
def test_call_is_sent_with_a_fresh_unique_id(version: VersionSpec, station: MakeSession) -> None:
    session = station(version)
    assert session.call("BootNotification", BOOT_REQUEST[version.name]) == "st-1"
    assert sent(session) == [[2, "st-1", "BootNotification", BOOT_REQUEST[version.name]]]
    assert session.calls_outstanding == 1


@each_version
def test_one_outgoing_call_at_a_time_4_1_1(version: VersionSpec, station: MakeSession) -> None:
    session = station(version)
    boot = BOOT_REQUEST[version.name]
    assert [session.call("BootNotification", boot) for _ in range(3)] == ["st-1", "st-2", "st-3"]
    assert sent(session) == [[2, "st-1", "BootNotification", boot]]
    assert session.calls_outstanding == 3

    assert session.receive(text([3, "st-1", BOOT_ACCEPTED])) == [
        CallAnswered("st-1", "BootNotification", BOOT_ACCEPTED)
    ]
    assert sent(session) == [[2, "st-2", "BootNotification", boot]]
    assert session.calls_outstanding == 2

    assert failures(session.receive(text([4, "st-2", "GenericError", "busy", {}]))) == [
        (
            "st-2",
            "BootNotification",
            CallErrorReply,
            "BootNotification [st-2]: peer answered GenericError: busy",
        )
    ]
    assert sent(session) == [[2, "st-3", "BootNotification", boot]]
    assert session.receive(text([3, "st-3", BOOT_ACCEPTED])) == [
        CallAnswered("st-3", "BootNotification", BOOT_ACCEPTED)
    ]
    assert (sent(session), session.calls_outstanding) == ([], 0)


@each_version
def test_answer_for_a_queued_call_is_not_matched(
    version: VersionSpec, station: MakeSession
) -> None:
    session = station(version)
    session.call("Heartbeat", {})
    session.call("Heartbeat", {})
    sent(session)
    assert session.receive(text([3, "st-2", HEARTBEAT_ANSWER])) == [
        FrameDropped("CALLRESULT for unknown id 'st-2'")
    ]
    assert (sent(session), session.calls_outstanding) == ([], 2)
    assert session.receive(text([3, "st-1", HEARTBEAT_ANSWER])) == [
        CallAnswered("st-1", "Heartbeat", HEARTBEAT_ANSWER)
    ]


@each_version
def test_callerror_fails_the_call(version: VersionSpec, station: MakeSession) -> None:
    session = station(version)
    session.call("Heartbeat", {})
    events = session.receive(text([4, "st-1", "SecurityError", "who are you?", {"hint": 1}]))
    [event] = events
    assert isinstance(event, CallFailed)
    assert isinstance(event.error, CallErrorReply)
    assert (event.unique_id, event.action, str(event.error)) == (
        "st-1",
        "Heartbeat",
        "Heartbeat [st-1]: peer answered SecurityError: who are you?",
    )
    error = event.error
    assert (error.code, error.description, error.details) == (
        "SecurityError",
        "who are you?",
        {"hint": 1},
    )
    assert session.calls_outstanding == 0


@pytest.mark.parametrize(
    ("version", "payload", "kind", "description"),
    [
        (
            V16,
            {"chargePointVendor": "Chargeyard"},
            ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
            'BootNotification: "chargePointModel" is a required property',
        ),
        (
            V201,
            {"reason": "Sneezed", "chargingStation": {"model": "M", "vendorName": "V"}},
            ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
            'BootNotificationRequest: "Sneezed" is not one of "ApplicationReset", '
            '"FirmwareUpdate" or 7 other candidates at /reason',
        ),
        (
            V21,
            {"reason": "PowerUp", "chargingStation": {"model": 2, "vendorName": "V"}},
            ErrorKind.TYPE_CONSTRAINT_VIOLATION,
            'BootNotificationRequest: 2 is not of type "string" at /chargingStation/model',
        ),
    ],
    ids=["1.6", "2.0.1", "2.1"],
)
def test_call_with_invalid_payload_raises_and_sends_nothing(
    version: VersionSpec,
    payload: dict[str, object],
    kind: ErrorKind,
    description: str,
    station: MakeSession,
) -> None:
    session = station(version)
    with pytest.raises(OcppError) as raised:
        session.call("BootNotification", payload)
    assert (raised.value.kind, raised.value.description) == (kind, description)
    assert (sent(session), session.calls_outstanding, session.next_deadline()) == ([], 0, None)


@pytest.mark.parametrize(
    ("version", "action"),
    [(V16, "TransactionEvent"), (V201, "StartTransaction"), (V21, "NotifyPeriodicEventStream")],
)
def test_call_of_an_action_outside_the_version_is_not_supported(
    version: VersionSpec, action: str, station: MakeSession
) -> None:
    session = station(version)
    with pytest.raises(OcppError) as raised:
        session.call(action, {})
    assert (raised.value.kind, raised.value.description) == (
        ErrorKind.NOT_SUPPORTED,
        f"{action} is not a CALL of OCPP {version.name}",
    )
    assert sent(session) == []


@each_version
def test_validate_false_checks_neither_direction(
    version: VersionSpec, station: MakeSession
) -> None:
    session = station(version, validate=False)
    session.call("BootNotification", {"colour": "red"})
    assert sent(session) == [[2, "st-1", "BootNotification", {"colour": "red"}]]
    assert session.receive(text([3, "st-1", {"status": "Maybe"}])) == [
        CallAnswered("st-1", "BootNotification", {"status": "Maybe"})
    ]


INVALID_ANSWER = {**BOOT_ACCEPTED, "status": "Maybe"}
INVALID_ANSWER_WHY = (
    'BootNotificationResponse: "Maybe" is not one of "Accepted", "Pending" or "Rejected" at /status'
)


def assert_malformed(events: list[object], kind: ErrorKind, why: str) -> None:
    [event] = events
    assert isinstance(event, CallFailed)
    assert isinstance(event.error, MalformedCallResult)
    assert (event.unique_id, event.action) == ("st-1", "BootNotification")
    assert (event.error.kind, event.error.description) == (kind, why)
    assert str(event.error) == f"BootNotification [st-1]: malformed CALLRESULT ({kind}): {why}"


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
def test_invalid_callresult_fails_the_call(version: VersionSpec, station: MakeSession) -> None:
    session = station(version)
    session.call("BootNotification", BOOT_REQUEST[version.name])
    session.call("Heartbeat", {})
    sent(session)
    events = session.receive(text([3, "st-1", INVALID_ANSWER]))
    assert_malformed(events, ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, INVALID_ANSWER_WHY)
    # Nothing answers a CALLRESULT before 2.1; the next call goes out.
    assert sent(session) == [[2, "st-2", "Heartbeat", {}]]


def test_invalid_callresult_is_answered_with_callresulterror_21(station: MakeSession) -> None:
    session = station(V21)
    session.call("BootNotification", BOOT_REQUEST["2.1"])
    sent(session)
    events = session.receive(text([3, "st-1", INVALID_ANSWER]))
    assert_malformed(events, ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, INVALID_ANSWER_WHY)
    assert sent(session) == [[5, "st-1", "PropertyConstraintViolation", INVALID_ANSWER_WHY, {}]]


@pytest.mark.parametrize(
    ("version", "answer"),
    [
        (V16, []),
        (V201, []),
        (V21, [[5, "st-1", "FormatViolation", "CALLRESULT must be [3, messageId, {payload}]", {}]]),
    ],
    ids=["1.6", "2.0.1", "2.1"],
)
def test_malformed_callresult_frame_fails_the_call(
    version: VersionSpec, answer: list[object], station: MakeSession
) -> None:
    session = station(version)
    session.call("BootNotification", BOOT_REQUEST[version.name])
    sent(session)
    events = session.receive(text([3, "st-1", ["Accepted"]]))
    why = "CALLRESULT must be [3, messageId, {payload}]"
    assert_malformed(events, ErrorKind.FORMAT_VIOLATION, why)
    assert sent(session) == answer


@each_version
def test_malformed_callerror_frame_fails_the_call(
    version: VersionSpec, station: MakeSession
) -> None:
    session = station(version)
    session.call("BootNotification", BOOT_REQUEST[version.name])
    sent(session)
    events = session.receive(text([4, "st-1", "GenericError"]))
    why = "expected [4, messageId, errorCode, errorDescription, {errorDetails}]"
    assert_malformed(events, ErrorKind.FORMAT_VIOLATION, why)
    # CALLRESULTERROR answers a CALLRESULT only (2.1 part 4 section 4.2.4), never a CALLERROR.
    assert sent(session) == []


@each_version
@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ([3, "nobody", HEARTBEAT_ANSWER], "CALLRESULT for unknown id 'nobody'"),
        ([4, "nobody", "GenericError", "", {}], "CALLERROR for unknown id 'nobody'"),
        (
            [3, 17, HEARTBEAT_ANSWER],
            "malformed answer to no call of ours: messageId is missing or not a string",
        ),
        (
            [3, "nobody", []],
            "malformed answer to no call of ours: CALLRESULT must be [3, messageId, {payload}]",
        ),
    ],
)
def test_answer_for_an_id_we_never_sent_is_dropped(
    version: VersionSpec, frame: list[object], reason: str, station: MakeSession
) -> None:
    session = station(version)
    session.call("Heartbeat", {})
    sent(session)
    assert session.receive(text(frame)) == [FrameDropped(reason)]
    assert (sent(session), session.calls_outstanding) == ([], 1)
    assert session.receive(text([3, "st-1", HEARTBEAT_ANSWER])) == [
        CallAnswered("st-1", "Heartbeat", HEARTBEAT_ANSWER)
    ]


@each_version
def test_an_id_generator_making_ids_over_36_characters_is_refused(version: VersionSpec) -> None:
    session = Session(version, Role.STATION, new_id=lambda: "x" * 37)
    with pytest.raises(ValueError, match="longer than 36 characters"):
        session.call("Heartbeat", {})
    assert sent(session) == []


def test_default_ids_are_unique_short_and_differ_between_sessions() -> None:
    first, second = Session(V16, Role.STATION), Session(V16, Role.STATION)
    ids = [first.call("Heartbeat", {}) for _ in range(3)] + [second.call("Heartbeat", {})]
    assert len(set(ids)) == 4
    assert all(len(unique_id) <= 36 for unique_id in ids)
    assert ids[0].rsplit("-", 1)[0] == ids[1].rsplit("-", 1)[0] != ids[3].rsplit("-", 1)[0]


@each_version
def test_a_payload_json_cannot_carry_is_refused_before_sending(version: VersionSpec) -> None:
    session = Session(version, Role.CENTRAL_SYSTEM)
    data = {"vendorId": "chargeyard", "data": {"big": 2**70}}
    with pytest.raises(OcppError) as refused:
        session.call("DataTransfer", data)
    assert refused.value.kind is ErrorKind.TYPE_CONSTRAINT_VIOLATION
    assert sent(session) == []
