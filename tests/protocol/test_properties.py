"""Property tests: whatever a peer sends, receive() never raises, answers with at most one
frame, and answers a CALL-shaped frame with exactly one CALLRESULT or CALLERROR."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from chargeyard.protocol import (
    ErrorKind,
    OcppError,
    Payload,
    Role,
    Session,
    VersionSpec,
)

from .support import BOOT_REQUEST, HEARTBEAT_ANSWER, NOW, FakeClock, counting_ids, each_version

modest = settings(max_examples=200, deadline=None)
fuzz = pytest.mark.slow  # a peer's random input, 200 examples a version: the full run's

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=12), json_values, max_size=5)
# Ids a session might echo, might not, or might match with its own outstanding call ("st-1").
unique_ids = (
    st.sampled_from(["st-1", "st-2", "-1", "m-1", "x" * 36, "x" * 37])
    | st.text(max_size=40)
    | json_values
)
message_types = st.integers(min_value=0, max_value=8) | json_scalars


def refuse(payload: Payload) -> NoReturn:
    raise OcppError(ErrorKind.SECURITY_ERROR, "go away")


def crash(payload: Payload) -> NoReturn:
    raise RuntimeError("handler bug")


# One handler per path through the core: a valid answer, an OcppError, a crash, an invalid
# answer and an answer that is no payload at all.
HANDLERS = {
    "Heartbeat": lambda payload: HEARTBEAT_ANSWER,
    "Authorize": refuse,
    "BootNotification": crash,
    "StatusNotification": lambda payload: {"bogus": True},
    "DataTransfer": lambda payload: None,
    "NotifyPeriodicEventStream": lambda payload: None,
}

VALID_REQUESTS: dict[str, list[tuple[str, Payload]]] = {
    "1.6": [
        ("Heartbeat", {}),
        ("BootNotification", BOOT_REQUEST["1.6"]),
        ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"}),
        ("Authorize", {"idTag": "ABC"}),
        ("DataTransfer", {"vendorId": "chargeyard"}),
    ],
    "2.0.1": [
        ("Heartbeat", {}),
        ("BootNotification", BOOT_REQUEST["2.0.1"]),
        (
            "StatusNotification",
            {"timestamp": NOW, "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
        ),
        ("Authorize", {"idToken": {"idToken": "ABC", "type": "ISO14443"}}),
        ("DataTransfer", {"vendorId": "chargeyard"}),
    ],
}
VALID_REQUESTS["2.1"] = VALID_REQUESTS["2.0.1"]


def new_session(version: VersionSpec) -> Session:
    """A central system with one CALL of its own outstanding, so answers have a match."""
    session = Session(
        version,
        Role.CENTRAL_SYSTEM,
        HANDLERS,
        clock=FakeClock(),
        new_id=counting_ids("st"),
    )
    session.call("Heartbeat", {})
    session.data_to_send()
    return session


def decoded_answers(session: Session, version: VersionSpec) -> list[list[Any]]:
    """The frames sent, each checked to be a well-formed answer of the version."""
    answers = [json.loads(frame) for frame in session.data_to_send()]
    codes = set(version.error_codes.values())
    for frame in answers:
        assert type(frame) is list
        assert frame[0] in (3, 4, 5), frame
        assert type(frame[1]) is str
        assert len(frame[1]) <= 36
        if frame[0] == 3:
            assert len(frame) == 3
            assert type(frame[2]) is dict
        else:
            assert len(frame) == 5
            assert frame[2] in codes
            assert type(frame[3]) is str
            assert len(frame[3]) <= 255
            assert type(frame[4]) is dict
        if frame[0] == 5:
            # Only 2.1 rejects a CALLRESULT, and only the one answering our call.
            assert version.supports_send
            assert frame[1] == "st-1"
    return answers


@st.composite
def requests(draw: st.DrawFn, version: VersionSpec) -> tuple[str, Payload]:
    """A real request of the version, as is or with one field set to any JSON value."""
    action, payload = draw(st.sampled_from(VALID_REQUESTS[version.name]))
    if draw(st.booleans()):
        key = draw(st.sampled_from(sorted(payload)) if payload else st.text(max_size=8))
        payload = {**payload, key: draw(json_values)}
    return action, payload


readable_ids = st.sampled_from(["m-1", "x" * 36]) | st.text(max_size=36)


def call_like(version: VersionSpec) -> st.SearchStrategy[list[Any]]:
    actions = (
        st.sampled_from(sorted(version.schemas.actions)) | st.sampled_from(sorted(HANDLERS))
    ) | st.text(max_size=40)
    return (
        st.lists(json_values, max_size=5).map(lambda rest: [2, *rest])
        | st.tuples(unique_ids, actions, json_objects).map(lambda parts: [2, *parts])
        | st.tuples(readable_ids, actions, json_objects).map(lambda parts: [2, *parts])
        | st.tuples(readable_ids, requests(version)).map(lambda parts: [2, parts[0], *parts[1]])
    )


def any_message() -> st.SearchStrategy[list[Any]]:
    return st.tuples(message_types, unique_ids, st.lists(json_values, max_size=4)).map(
        lambda parts: [parts[0], parts[1], *parts[2]]
    )


json_text = st.text(alphabet='[]{}",:0123456789-.etruflasn \\', max_size=60)


@fuzz
@each_version
@modest
@given(data=st.text() | json_text | st.binary() | st.binary().map(lambda b: b.decode("latin-1")))
def test_arbitrary_text_never_raises_and_gets_at_most_one_frame(
    version: VersionSpec, data: str | bytes
) -> None:
    session = new_session(version)
    session.receive(data)
    assert len(decoded_answers(session, version)) <= 1


@fuzz
@each_version
@modest
@given(value=json_values | any_message())
def test_arbitrary_json_never_raises_and_gets_at_most_one_frame(
    version: VersionSpec, value: Any
) -> None:
    session = new_session(version)
    session.receive(json.dumps(value))
    assert len(decoded_answers(session, version)) <= 1


@fuzz
@each_version
@modest
@given(data=st.data())
def test_call_shaped_frame_is_answered_with_exactly_one_frame(
    version: VersionSpec, data: st.DataObject
) -> None:
    frame = data.draw(call_like(version), label="frame")
    session = new_session(version)
    assert session.receive(json.dumps(frame)) == []
    [answer] = decoded_answers(session, version)
    assert answer[0] in (3, 4)
    # Shown by --hypothesis-show-statistics: which answers the examples reached.
    event("CALLRESULT" if answer[0] == 3 else f"CALLERROR {answer[2]}")
    unique_id = frame[1] if len(frame) > 1 else None
    readable = type(unique_id) is str and len(unique_id) <= 36
    assert answer[1] == (unique_id if readable else "-1")
    if answer[0] == 3:
        assert frame[2:] == ["Heartbeat", {}]
        assert answer[2] == HEARTBEAT_ANSWER


@fuzz
@each_version
@modest
@given(messages=st.lists(json_values | any_message(), max_size=8))
def test_no_input_breaks_the_session(version: VersionSpec, messages: list[Any]) -> None:
    session = new_session(version)
    for message in messages:
        session.receive(json.dumps(message))
        assert len(decoded_answers(session, version)) <= 1
    session.receive('[2, "last", "Heartbeat", {}]')
    assert session.data_to_send() == [b'[3,"last",{"currentTime":"2025-01-01T12:00:00Z"}]']


@each_version
@modest
@given(data=st.data())
def test_outgoing_call_is_sent_whole_or_refused_with_ocpp_error(
    version: VersionSpec, data: st.DataObject
) -> None:
    actions = st.sampled_from(sorted(version.schemas.actions)) | st.text(max_size=20)
    action, payload = data.draw(st.tuples(actions, json_objects) | requests(version))
    session = Session(version, Role.STATION, new_id=counting_ids("st"))
    try:
        unique_id = session.call(action, payload)
    except OcppError:
        assert (session.data_to_send(), session.calls_outstanding) == ([], 0)
    else:
        assert [json.loads(frame) for frame in session.data_to_send()] == [
            [2, unique_id, action, payload]
        ]


@each_version
@modest
@given(
    number=st.integers(max_value=-(2**31) - 1)
    | st.integers(min_value=2**31)
    | st.integers(min_value=2**31, max_value=2**70).map(float)
)
def test_an_integer_field_beyond_32_bits_is_refused_before_any_handler(
    version: VersionSpec, number: int | float
) -> None:
    # What a peer writes as a number too large for OCPP's 32-bit integer (2.0.1 part 2 section
    # 2.1): orjson reads it as int or, past 64 bits, as float; either way the handler (which
    # would store it) never sees it.
    def store(payload: Payload) -> Payload:
        raise AssertionError(f"the handler saw {payload}")

    session = Session(version, Role.CENTRAL_SYSTEM, {"Heartbeat": store, "MeterValues": store})
    literal = json.dumps(number) if isinstance(number, int) else repr(number)
    sample = '"1"' if version.name == "1.6" else "1"
    meter = f'[{{"timestamp": "{NOW}", "sampledValue": [{{"value": {sample}}}]}}]'
    field = "connectorId" if version.name == "1.6" else "evseId"
    session.receive(f'[2, "m-1", "MeterValues", {{"{field}": {literal}, "meterValue": {meter}}}]')
    [frame] = session.data_to_send()
    answer = json.loads(frame)
    assert answer[:3] == [4, "m-1", "TypeConstraintViolation"]
