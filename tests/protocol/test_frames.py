"""OCPP-J framing: OCPP-J 1.6 section 4, OCPP 2.0.1 part 4 section 4, OCPP 2.1 part 4 section 4."""

from __future__ import annotations

import pytest

from chargeyard.protocol import V16, V21, V201, ErrorKind, MessageType
from chargeyard.protocol.frames import (
    Call,
    CallError,
    CallResult,
    CallResultError,
    FrameError,
    Send,
    decode,
    encode_call,
    encode_call_error,
    encode_call_result,
    encode_send,
)

CORE = V201.message_types
WITH_21 = V21.message_types


def frame_error(data: str | bytes, message_types: frozenset[int] = CORE) -> tuple[object, ...]:
    with pytest.raises(FrameError) as raised:
        decode(data, message_types)
    error = raised.value
    return (error.kind, error.description, error.unique_id, error.message_type)


def test_message_type_ids_4_1() -> None:
    assert [(t.name, t.value) for t in MessageType] == [
        ("CALL", 2),
        ("CALL_RESULT", 3),
        ("CALL_ERROR", 4),
        ("CALL_RESULT_ERROR", 5),
        ("SEND", 6),
    ]


def test_16_and_201_know_call_callresult_callerror_only() -> None:
    assert V16.message_types == V201.message_types == {2, 3, 4}
    assert V21.message_types == {2, 3, 4, 5, 6}


def test_decode_call_4_2_1() -> None:
    frame = decode('[2, "19223201", "Heartbeat", {}]', CORE)
    assert frame == Call("19223201", "Heartbeat", {})


def test_decode_accepts_the_utf8_bytes_of_a_message() -> None:
    frame = decode('[2, "é-1", "DataTransfer", {"vendorId": "ü"}]'.encode(), CORE)
    assert frame == Call("é-1", "DataTransfer", {"vendorId": "ü"})


def test_decode_callresult_4_2_2() -> None:
    frame = decode('[3, "19223201", {"currentTime": "2025-01-01T12:00:00Z"}]', CORE)
    assert frame == CallResult("19223201", {"currentTime": "2025-01-01T12:00:00Z"})


def test_decode_callerror_4_2_3() -> None:
    frame = decode('[4, "19223201", "NotImplemented", "no handler", {"action": "X"}]', CORE)
    assert frame == CallError("19223201", "NotImplemented", "no handler", {"action": "X"})


def test_decode_callresulterror_21() -> None:
    frame = decode('[5, "19223201", "FormatViolation", "bad", {}]', WITH_21)
    assert frame == CallResultError("19223201", "FormatViolation", "bad", {})


def test_decode_send_21() -> None:
    frame = decode('[6, "s-1", "NotifyPeriodicEventStream", {"id": 1}]', WITH_21)
    assert frame == Send("s-1", "NotifyPeriodicEventStream", {"id": 1})


@pytest.mark.parametrize(
    "data",
    ['[5, "u-1", "FormatViolation", "bad", {}]', '[6, "u-1", "NotifyPeriodicEventStream", {}]'],
)
def test_21_message_types_are_not_supported_in_core_versions(data: str) -> None:
    message_type = int(data[1])
    assert frame_error(data) == (
        ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED,
        f"messageTypeId {message_type} is not supported",
        "u-1",
        message_type,
    )


@pytest.mark.parametrize("data", ["[6, 17]", '[6, "' + "x" * 37 + '", "Heartbeat", {}]'])
def test_unknown_message_type_with_unreadable_id_is_still_not_supported(data: str) -> None:
    # A [6, ...] in a 2.0.1 session is no SEND, whatever its id: the type decides first, and
    # the id of the answer is "-1" (unique_id None) when the id is not one we may echo.
    assert frame_error(data) == (
        ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED,
        "messageTypeId 6 is not supported",
        None,
        6,
    )


def test_unique_id_of_36_characters_is_accepted() -> None:
    unique_id = "0123456789abcdef0123456789abcdef-123"
    assert len(unique_id) == 36
    assert decode(f'[2, "{unique_id}", "Heartbeat", {{}}]', CORE) == Call(
        unique_id, "Heartbeat", {}
    )


@pytest.mark.parametrize("message_type", [2, 3, 4])
def test_unique_id_longer_than_36_characters_is_not_read(message_type: int) -> None:
    assert frame_error(f'[{message_type}, "{"x" * 37}", "Heartbeat", {{}}]') == (
        ErrorKind.RPC_FRAMEWORK_ERROR,
        "messageId is longer than 36 characters",
        None,
        message_type,
    )


@pytest.mark.parametrize(
    ("data", "description", "message_type"),
    [
        ("not json", "message is not valid JSON", None),
        ('[2, "u-1", "Heartbeat", {}', "message is not valid JSON", None),
        (b"\xff\xfe", "message is not valid JSON", None),
        ("{}", "message is not a non-empty JSON array", None),
        ('"[2]"', "message is not a non-empty JSON array", None),
        ("null", "message is not a non-empty JSON array", None),
        ("[]", "message is not a non-empty JSON array", None),
        ('["2", "u-1", "Heartbeat", {}]', "messageTypeId is not an integer", None),
        ('[2.0, "u-1", "Heartbeat", {}]', "messageTypeId is not an integer", None),
        ('[true, "u-1", "Heartbeat", {}]', "messageTypeId is not an integer", None),
        ("[2]", "messageId is missing or not a string", 2),
        ('[2, 19223201, "Heartbeat", {}]', "messageId is missing or not a string", 2),
        ("[3, null, {}]", "messageId is missing or not a string", 3),
    ],
)
def test_text_without_readable_id_is_an_rpc_framework_error(
    data: str | bytes, description: str, message_type: int | None
) -> None:
    assert frame_error(data) == (
        ErrorKind.RPC_FRAMEWORK_ERROR,
        description,
        None,
        message_type,
    )


@pytest.mark.parametrize(
    "data",
    [
        '[2, "u-1"]',
        '[2, "u-1", "Heartbeat"]',
        '[2, "u-1", {}]',
        '[2, "u-1", 7, {}]',
    ],
)
def test_call_without_action_or_payload_is_incomplete(data: str) -> None:
    assert frame_error(data) == (
        ErrorKind.INCOMPLETE_CALL,
        "expected [2, messageId, action, {payload}]",
        "u-1",
        2,
    )


@pytest.mark.parametrize(
    "data", ['[2, "u-1", "Heartbeat", {}, {}]', '[2, "u-1", "Heartbeat", {}, "extra", 3]']
)
def test_call_with_more_than_four_elements_breaks_the_structure(data: str) -> None:
    # Nothing is missing, so it is not incomplete: 1.6 FormationViolation, 2.0.1
    # RpcFrameworkError (the session spells the kind per version).
    assert frame_error(data) == (
        ErrorKind.RPC_FRAMEWORK_ERROR,
        "expected [2, messageId, action, {payload}]",
        "u-1",
        2,
    )


@pytest.mark.parametrize("payload", ["[]", "null", '"{}"', "42"])
@pytest.mark.parametrize("message_type", [2, 6])
def test_payload_that_is_not_an_object_is_a_format_violation(
    payload: str, message_type: int
) -> None:
    assert frame_error(f'[{message_type}, "u-1", "Heartbeat", {payload}]', WITH_21) == (
        ErrorKind.FORMAT_VIOLATION,
        "payload is not a JSON object",
        "u-1",
        message_type,
    )


@pytest.mark.parametrize("data", ['[3, "u-1"]', '[3, "u-1", []]', '[3, "u-1", {}, {}]'])
def test_malformed_callresult_is_a_format_violation(data: str) -> None:
    assert frame_error(data) == (
        ErrorKind.FORMAT_VIOLATION,
        "CALLRESULT must be [3, messageId, {payload}]",
        "u-1",
        3,
    )


@pytest.mark.parametrize(
    "data",
    [
        '[{t}, "u-1", "GenericError", "oops"]',
        '[{t}, "u-1", "GenericError", "oops", []]',
        '[{t}, "u-1", 4, "oops", {{}}]',
        '[{t}, "u-1", "GenericError", null, {{}}]',
    ],
)
@pytest.mark.parametrize("message_type", [4, 5])
def test_malformed_callerror_and_callresulterror_are_format_violations(
    data: str, message_type: int
) -> None:
    assert frame_error(data.format(t=message_type), WITH_21) == (
        ErrorKind.FORMAT_VIOLATION,
        f"expected [{message_type}, messageId, errorCode, errorDescription, {{errorDetails}}]",
        "u-1",
        message_type,
    )


def test_encode_call() -> None:
    assert encode_call("cs-1", "Heartbeat", {}) == b'[2,"cs-1","Heartbeat",{}]'


def test_encode_callresult() -> None:
    assert encode_call_result("cs-1", {"status": "Accepted"}) == (
        b'[3,"cs-1",{"status":"Accepted"}]'
    )


def test_encode_send() -> None:
    assert encode_send("s-1", "NotifyPeriodicEventStream", {"id": 1}) == (
        b'[6,"s-1","NotifyPeriodicEventStream",{"id":1}]'
    )


def test_encode_callerror_and_callresulterror() -> None:
    assert encode_call_error("cs-1", "GenericError", "oops", {"a": 1}) == (
        b'[4,"cs-1","GenericError","oops",{"a":1}]'
    )
    assert encode_call_error(
        "cs-1", "FormatViolation", "bad", {}, MessageType.CALL_RESULT_ERROR
    ) == (b'[5,"cs-1","FormatViolation","bad",{}]')


def test_error_description_is_cut_to_255_characters_4_2_3() -> None:
    frame = encode_call_error("cs-1", "GenericError", "é" * 300, {})
    assert frame == b'[4,"cs-1","GenericError","' + ("é" * 255).encode() + b'",{}]'


def test_encoded_frames_decode_to_the_same_frame() -> None:
    assert decode(encode_call("a", "Authorize", {"idTag": "x"}), CORE) == Call(
        "a", "Authorize", {"idTag": "x"}
    )
    assert decode(encode_call_result("a", {}), CORE) == CallResult("a", {})
    assert decode(encode_call_error("a", "c", "d", {}), CORE) == CallError("a", "c", "d", {})
    assert decode(encode_send("a", "b", {}), WITH_21) == Send("a", "b", {})
