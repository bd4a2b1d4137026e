"""Bad input gets the CALLERROR the spec names (OCPP-J 1.6 section 4.2.3 table 7; OCPP 2.0.1
part 4 sections 4.2.3 and 4.3) and never breaks the session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chargeyard.protocol import (
    V16,
    V21,
    V201,
    ErrorKind,
    OcppError,
    Payload,
    Session,
    VersionSpec,
)

from .support import HEARTBEAT_ANSWER, each_version, param_id, sent, text

MakeSession = Callable[..., Session]


def per_version(code_16: str, code_2: str) -> Any:
    """Parametrize over the versions with the code each one answers (2.1 spells as 2.0.1)."""
    return pytest.mark.parametrize(
        ("version", "code"),
        [(V16, code_16), (V201, code_2), (V21, code_2)],
        ids=["1.6", "2.0.1", "2.1"],
    )


def heartbeat(payload: Payload) -> Payload:
    return HEARTBEAT_ANSWER


@per_version("FormationViolation", "RpcFrameworkError")
@pytest.mark.parametrize(
    ("data", "description"),
    [
        ("not json", "message is not valid JSON"),
        ("", "message is not valid JSON"),
        ('[2, "m-1", "Heartbeat", {}', "message is not valid JSON"),
        (b"\xc3\x28", "message is not valid JSON"),
        ("{}", "message is not a non-empty JSON array"),
        ('"[2]"', "message is not a non-empty JSON array"),
        ("[]", "message is not a non-empty JSON array"),
        ('["2", "m-1", "Heartbeat", {}]', "messageTypeId is not an integer"),
        ("[2]", "messageId is missing or not a string"),
        ('[2, 42, "Heartbeat", {}]', "messageId is missing or not a string"),
        (f'[2, "{"m" * 37}", "Heartbeat", {{}}]', "messageId is longer than 36 characters"),
    ],
    ids=param_id,
)
def test_text_that_is_no_rpc_message_is_answered_with_id_minus_one_4_2_3(
    version: VersionSpec, code: str, data: str | bytes, description: str, make_session: MakeSession
) -> None:
    session = make_session(version, {"Heartbeat": heartbeat})
    assert session.receive(data) == []
    assert sent(session) == [[4, "-1", code, description, {}]]


@per_version("ProtocolError", "RpcFrameworkError")
@pytest.mark.parametrize(
    "frame",
    [[2, "m-1"], [2, "m-1", "Heartbeat"], [2, "m-1", {}], [2, "m-1", None, {}]],
    ids=param_id,
)
def test_call_missing_its_action_or_payload(
    version: VersionSpec, code: str, frame: list[Any], make_session: MakeSession
) -> None:
    session = make_session(version, {"Heartbeat": heartbeat})
    assert session.receive(text(frame)) == []
    assert sent(session) == [[4, "m-1", code, "expected [2, messageId, action, {payload}]", {}]]


@per_version("FormationViolation", "RpcFrameworkError")
def test_call_of_five_elements_breaks_the_structure_4_2_3(
    version: VersionSpec, code: str, make_session: MakeSession
) -> None:
    session = make_session(version, {"Heartbeat": heartbeat})
    assert session.receive(text([2, "m-1", "Heartbeat", {}, "extra"])) == []
    assert sent(session) == [[4, "m-1", code, "expected [2, messageId, action, {payload}]", {}]]


@per_version("FormationViolation", "FormatViolation")
@pytest.mark.parametrize("payload", [[], None, "{}", 0], ids=param_id)
def test_call_payload_that_is_not_an_object(
    version: VersionSpec, code: str, payload: Any, make_session: MakeSession
) -> None:
    session = make_session(version, {"Heartbeat": heartbeat})
    assert session.receive(text([2, "m-1", "Heartbeat", payload])) == []
    assert sent(session) == [[4, "m-1", code, "payload is not a JSON object", {}]]


@per_version("FormationViolation", "MessageTypeNotSupported")
@pytest.mark.parametrize(
    ("frame", "unique_id", "message_type"),
    [
        ([7, "m-1", "Heartbeat", {}], "m-1", 7),
        ([1, "m-1"], "m-1", 1),
        ([-2, "m-1", "Heartbeat", {}], "m-1", -2),
        ([9, 17], "-1", 9),
    ],
    ids=param_id,
)
def test_unknown_message_type_is_not_supported(
    version: VersionSpec,
    code: str,
    frame: list[Any],
    unique_id: str,
    message_type: int,
    make_session: MakeSession,
) -> None:
    session = make_session(version)
    assert session.receive(text(frame)) == []
    assert sent(session) == [
        [4, unique_id, code, f"messageTypeId {message_type} is not supported", {}]
    ]


@pytest.mark.parametrize(
    ("version", "code"),
    [(V16, "FormationViolation"), (V201, "MessageTypeNotSupported")],
    ids=["1.6", "2.0.1"],
)
@pytest.mark.parametrize(
    ("frame", "unique_id", "message_type"),
    [
        ([5, "m-1", "FormatViolation", "bad", {}], "m-1", 5),
        ([6, "m-1", "NotifyPeriodicEventStream", {}], "m-1", 6),
        ([6, None], "-1", 6),
    ],
    ids=param_id,
)
def test_21_message_types_are_not_recognised_before_21(
    version: VersionSpec,
    code: str,
    frame: list[Any],
    unique_id: str,
    message_type: int,
    make_session: MakeSession,
) -> None:
    session = make_session(version)
    assert session.receive(text(frame)) == []
    assert sent(session) == [
        [4, unique_id, code, f"messageTypeId {message_type} is not supported", {}]
    ]


@each_version
def test_call_for_unknown_action_is_not_implemented(
    version: VersionSpec, make_session: MakeSession
) -> None:
    session = make_session(version, {"FlyToTheMoon": heartbeat})
    assert session.receive(text([2, "m-1", "FlyToTheMoon", {"not": "checked"}])) == []
    assert sent(session) == [
        [
            4,
            "m-1",
            "NotImplemented",
            f"FlyToTheMoon is not an action of OCPP {version.name}",
            {"action": "FlyToTheMoon"},
        ]
    ]


@pytest.mark.parametrize(
    ("version", "action"),
    [(V16, "TransactionEvent"), (V201, "StartTransaction"), (V201, "NotifyPeriodicEventStream")],
    ids=param_id,
)
def test_call_for_action_of_another_version_is_not_implemented(
    version: VersionSpec, action: str, make_session: MakeSession
) -> None:
    session = make_session(version)
    session.receive(text([2, "m-1", action, {}]))
    assert sent(session) == [
        [
            4,
            "m-1",
            "NotImplemented",
            f"{action} is not an action of OCPP {version.name}",
            {"action": action},
        ]
    ]


def test_send_only_action_in_a_call_is_not_supported_21(make_session: MakeSession) -> None:
    session = make_session(V21, {"NotifyPeriodicEventStream": heartbeat})
    session.receive(text([2, "m-1", "NotifyPeriodicEventStream", {}]))
    assert sent(session) == [
        [
            4,
            "m-1",
            "NotSupported",
            "NotifyPeriodicEventStream is not sent as a CALL",
            {"action": "NotifyPeriodicEventStream"},
        ]
    ]


@each_version
def test_known_action_without_handler_is_not_supported(
    version: VersionSpec, make_session: MakeSession
) -> None:
    session = make_session(version, {"Heartbeat": heartbeat})
    # OCPP-J 1.6 table 7, 2.0.1 part 4 section 4.3: NotSupported is "recognized but not
    # supported by the receiver". The payload is not checked: no handler would read it.
    session.receive(text([2, "m-1", "BootNotification", {"junk": True}]))
    assert sent(session) == [
        [
            4,
            "m-1",
            "NotSupported",
            "BootNotification is not supported by this central system",
            {"action": "BootNotification"},
        ]
    ]


def violation(keyword: str, path: str = "/") -> dict[str, str]:
    return {"path": path, "keyword": keyword}


@pytest.mark.parametrize(
    ("version", "action", "payload", "code", "description", "details"),
    [
        (
            V16,
            "Heartbeat",
            {"x": 1},
            "FormationViolation",
            "Heartbeat: Additional properties are not allowed ('x' was unexpected)",
            violation("additionalProperties"),
        ),
        (
            V201,
            "Heartbeat",
            {"x": 1},
            "FormatViolation",
            "HeartbeatRequest: Additional properties are not allowed ('x' was unexpected)",
            violation("additionalProperties"),
        ),
        (
            V16,
            "BootNotification",
            {"chargePointVendor": "Chargeyard"},
            "OccurenceConstraintViolation",
            'BootNotification: "chargePointModel" is a required property',
            violation("required"),
        ),
        (
            V201,
            "BootNotification",
            {"chargingStation": {"model": "Yard-2", "vendorName": "Chargeyard"}},
            "OccurrenceConstraintViolation",
            'BootNotificationRequest: "reason" is a required property',
            violation("required"),
        ),
        (
            V21,
            "BootNotification",
            {"reason": "Sneezed", "chargingStation": {"model": "M", "vendorName": "V"}},
            "PropertyConstraintViolation",
            'BootNotificationRequest: "Sneezed" is not one of "ApplicationReset", '
            '"FirmwareUpdate" or 7 other candidates at /reason',
            violation("enum", "/reason"),
        ),
        (
            V16,
            "StartTransaction",
            {"connectorId": 1, "idTag": "ABC", "meterStart": 0, "timestamp": "2025-13-01"},
            "PropertyConstraintViolation",
            'StartTransaction: "2025-13-01" is not a "date-time" at /timestamp',
            violation("format", "/timestamp"),
        ),
        (
            V16,
            "StartTransaction",
            {
                "connectorId": "1",
                "idTag": "ABC",
                "meterStart": 0,
                "timestamp": "2025-01-01T12:00:00Z",
            },
            "TypeConstraintViolation",
            'StartTransaction: "1" is not of type "integer" at /connectorId',
            violation("type", "/connectorId"),
        ),
        (
            V201,
            "BootNotification",
            {"reason": "PowerUp", "chargingStation": {"model": "M" * 21, "vendorName": "V"}},
            "TypeConstraintViolation",
            f'BootNotificationRequest: "{"M" * 21}" is longer than 20 characters '
            "at /chargingStation/model",
            violation("maxLength", "/chargingStation/model"),
        ),
    ],
    ids=[
        "additional-16",
        "additional-201",
        "missing-16",
        "missing-201",
        "enum-21",
        "date-time-16",
        "type-16",
        "too-long-201",
    ],
)
def test_schema_violation_is_answered_with_its_kind(
    version: VersionSpec,
    action: str,
    payload: Payload,
    code: str,
    description: str,
    details: dict[str, str],
    make_session: MakeSession,
) -> None:
    called: list[Payload] = []
    session = make_session(version, {action: called.append})
    assert session.receive(text([2, "m-1", action, payload])) == []
    assert sent(session) == [[4, "m-1", code, description, details]]
    assert called == []


BAD_INPUT = [
    "not json",
    "[]",
    "[2]",
    '[2, "m-1"]',
    '[2, "m-1", "Heartbeat", []]',
    '[2, "m-1", "Heartbeat", {"x": 1}]',
    '[2, "m-1", "FlyToTheMoon", {}]',
    '[2, "m-1", "Authorize", {}]',
    '[3, "m-1", {}]',
    '[4, "m-1", "GenericError", "", {}]',
    '[5, "m-1", "GenericError", "", {}]',
    '[6, "m-1", "NotifyPeriodicEventStream", {}]',
    '[7, "m-1"]',
]


@each_version
def test_bad_input_never_breaks_the_session(
    version: VersionSpec, make_session: MakeSession
) -> None:
    session = make_session(version, {"Heartbeat": heartbeat})
    for data in BAD_INPUT:
        session.receive(data)
        assert len(session.data_to_send()) <= 1, data
    session.receive(text([2, "m-2", "Heartbeat", {}]))
    assert sent(session) == [[3, "m-2", HEARTBEAT_ANSWER]]


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@per_version("FormationViolation", "FormatViolation")
@pytest.mark.parametrize("depth", [63, 64, 65, 200, 1000])
def test_a_call_nested_too_deeply_is_a_format_violation_never_an_internal_error(
    version: VersionSpec, code: str, depth: int, make_session: MakeSession
) -> None:
    # Levels: the frame's array, the payload object, then ``data``'s arrays; up to 64 in all
    # (frames.MAX_NESTING) the payload is read, beyond it the frame is refused unread.
    def accept(payload: Payload) -> Payload:
        return {"status": "Accepted", "data": payload["data"]}

    session = make_session(version, {"DataTransfer": accept})
    # Written by hand: past 254 levels orjson cannot write it.
    data = "[" * (depth - 2) + '"x"' + "]" * (depth - 2)
    session.receive('[2, "m-1", "DataTransfer", {"vendorId": "v", "data": ' + data + "}]")
    [answer] = sent(session)
    if depth > 64:
        assert answer == [
            4,
            "m-1",
            code,
            "the message nests arrays and objects deeper than 64 levels",
            {},
        ]
    elif version is V16:
        # 1.6's data is a string: the schema's own answer, not a recursion error.
        assert answer[:3] == [4, "m-1", "TypeConstraintViolation"]
    else:
        assert answer == [3, "m-1", {"status": "Accepted", "data": _nested(depth - 2)}]


@per_version("TypeConstraintViolation", "TypeConstraintViolation")
@pytest.mark.parametrize(
    "number",
    ["2147483648", "9223372036854775808", "18446744073709551616", "-2147483649", "1.8e19"],
)
def test_an_integer_beyond_32_bits_is_a_type_constraint_violation(
    version: VersionSpec, code: str, number: str, make_session: MakeSession
) -> None:
    # OCPP 2.0.1 part 2 section 2.1: integer is 32 bit. orjson reads 2**64 as a float, which
    # JSON Schema (2.0.1's draft 6) still calls an integer; the bound is compiled into every
    # integer of the schemas. Written by hand: orjson cannot write the larger ones.
    def answer(payload: Payload) -> Payload:
        raise AssertionError("the handler must not see it")

    session = make_session(version, {"StatusNotification": answer})
    if version is V16:
        payload = f'{{"connectorId": {number}, "errorCode": "NoError", "status": "Available"}}'
        where = "/connectorId"
    else:
        payload = (
            '{"timestamp": "2025-01-01T12:00:00Z", "connectorStatus": "Available",'
            f' "evseId": {number}, "connectorId": 1}}'
        )
        where = "/evseId"
    session.receive(f'[2, "m-1", "StatusNotification", {payload}]')
    [refused] = sent(session)
    assert refused[:3] == [4, "m-1", code]
    assert refused[3].endswith(f"at {where}")


@pytest.mark.parametrize(
    ("state_of_charge", "kind"),
    [(101, ErrorKind.PROPERTY_CONSTRAINT_VIOLATION), (2**40, ErrorKind.TYPE_CONSTRAINT_VIOLATION)],
)
def test_a_schema_bound_tighter_than_32_bits_keeps_its_own_code(
    state_of_charge: int, kind: ErrorKind
) -> None:
    # 2.0.1 dcChargingParameters.stateOfCharge has "minimum": 0, "maximum": 100 of its own.
    needs = {
        "evseId": 1,
        "chargingNeeds": {
            "requestedEnergyTransfer": "DC",
            "dcChargingParameters": {
                "evMaxCurrent": 100,
                "evMaxVoltage": 400,
                "stateOfCharge": state_of_charge,
            },
        },
    }
    with pytest.raises(OcppError) as refused:
        V201.schemas.check_request("NotifyEVChargingNeeds", needs)
    assert refused.value.kind is kind
