"""The probe's cases: what each sends, in which group, and what OCPP-J asks of the CSMS.

The hand-written cases cover the RPC framework (OCPP-J 1.6 section 4; 2.0.1 part 4 section 4)
and the WebSocket under it; :func:`schema_cases` adds one case per action a station sends and
per schema rule that action's payload has (``payloads.py``), seeded. Every case but the
handshake ones runs on a station that booted first, as a real one would.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import orjson

from chargeyard.probe.expected import (
    Answered,
    CallErrorWith,
    ClosedWith,
    Expected,
    Ignored,
    RefusedHandshake,
    ResultFor,
    codes,
)
from chargeyard.probe.payloads import Rule, mutations, valid_payload
from chargeyard.protocol import V16, V21, V201, ErrorKind, VersionSpec, VersionTable
from chargeyard.protocol.initiators import CSMS_INITIATED, STATION_INITIATED

OVERSIZED_BYTES = 256 * 1024
"""An oversized frame: four times chargeyard's default limit, far past any OCPP message."""

HUGE_BYTES = 16 * 1024 * 1024
"""A frame no CSMS should read whole (websockets' own default limit is 1 MiB)."""

WRONG_PASSWORD = "probe-wrong-password"
UNKNOWN_ACTION = "ProbeNoSuchAction"


class Group(StrEnum):
    """The groups of cases, in the order they run (the handshakes last: a wrong password may
    make the CSMS hold the identity's next handshakes back)."""

    FRAMES = "frames"
    MESSAGE_TYPES = "message types"
    ACTIONS = "actions"
    MESSAGE_IDS = "message ids"
    PAYLOADS = "payloads"
    WEBSOCKET = "websocket"
    HANDSHAKE = "handshake"


class Kind(StrEnum):
    TEXT = "text"
    BINARY = "binary"
    RAW_TEXT = "text (not UTF-8)"


@dataclass(frozen=True, slots=True)
class Out:
    """One message a case sends; ``awaits``: the ids whose answers come before the next (an id
    awaited twice: two answers)."""

    data: str | bytes
    kind: Kind = Kind.TEXT
    awaits: tuple[str, ...] = ()

    def shown(self, limit: int = 300) -> str:
        """The message as a report shows it (a long one cut, with its size)."""
        text = self.data if isinstance(self.data, str) else self.data.decode(errors="replace")
        if len(text) > limit:
            text = f"{text[:limit]}… ({len(self.data):,} bytes)"
        return text if self.kind is Kind.TEXT else f"{self.kind}: {text}"


@dataclass(frozen=True, slots=True)
class HandshakeTry:
    """An opening handshake: the subprotocols offered (None: no header) and the password
    (``use_password``: the station's; else ``password`` as given)."""

    subprotocols: list[str] | None
    password: str | None = None
    use_password: bool = True

    def shown(self) -> str:
        """The attempt as a report shows it."""
        offered = "none" if self.subprotocols is None else ", ".join(self.subprotocols)
        credentials = "the station's" if self.use_password else f"{self.password!r}"
        return f"opening handshake: subprotocols {offered}; Basic password {credentials}"


@dataclass(frozen=True, slots=True)
class ProbeCase:
    """One case. ``needs``: why it cannot be judged with what the user gave (inconclusive)."""

    id: str
    group: Group
    title: str
    expected: Expected
    sends: tuple[Out, ...] = ()
    handshake: HandshakeTry | None = None
    needs: str | None = None
    rule: Rule | None = None
    action: str | None = None


class Ids:
    """Message ids, fresh and in order, so that a seed gives the same frames."""

    def __init__(self, prefix: str = "probe") -> None:
        self._prefix = prefix
        self._next = 0

    def __call__(self) -> str:
        self._next += 1
        return f"{self._prefix}-{self._next}"


def _call(unique_id: str, action: str, payload: object) -> str:
    return orjson.dumps([2, unique_id, action, payload]).decode()


@dataclass(frozen=True, slots=True)
class _Unreadable:
    """What a version asks when a message's id cannot be read: whether it may go unanswered,
    and the id its CALLERROR carries (None: any)."""

    silence_allowed: bool
    unique_id: str | None


# 2.0.1 part 4 section 4.2.3: a CALLERROR RpcFrameworkError whose id is "-1" when the message
# id could not be read. 1.6 names no id for that answer, so a 1.6 CSMS may leave it unanswered.
_UNREADABLE: VersionTable[_Unreadable] = VersionTable(
    "what a version asks of a message whose id cannot be read",
    {V16: _Unreadable(True, None), V201: _Unreadable(False, "-1")},
    lacking={V21: "the probe's cases are written for OCPP 1.6 and 2.0.1"},
)

# Which codes fit a payload that breaks each schema rule (1.6 section 4.2.3 table 7; 2.0.1
# part 4 section 4.3). A missing field is an occurrence violation, and 1.6's ProtocolError
# ("Payload for Action is incomplete") and 2.0.1's ("not conform the PDU structure") fit it
# too; a string past its CiString length or a time that is no RFC 3339 date-time breaks the
# data type and holds an invalid value, so Type and Property both fit.
_RULE_KINDS: dict[Rule, tuple[ErrorKind, ...]] = {
    Rule.MISSING: (ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION, ErrorKind.PROTOCOL_ERROR),
    Rule.WRONG_TYPE: (ErrorKind.TYPE_CONSTRAINT_VIOLATION,),
    Rule.BAD_ENUM: (ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,),
    Rule.OUT_OF_RANGE: (ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,),
    Rule.TOO_LONG: (ErrorKind.TYPE_CONSTRAINT_VIOLATION, ErrorKind.PROPERTY_CONSTRAINT_VIOLATION),
    Rule.BAD_FORMAT: (
        ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
        ErrorKind.TYPE_CONSTRAINT_VIOLATION,
    ),
}

# A field the schema does not allow breaks the PDU's structure: 1.6 FormationViolation
# ("not conform the PDU structure"); 2.0.1 FormatViolation, or its ProtocolError, which 2.0.1
# defines with those words.
_EXTRA_FIELD_KINDS: VersionTable[tuple[ErrorKind, ...]] = VersionTable(
    "the codes that fit a field the schema does not allow",
    {
        V16: (ErrorKind.FORMAT_VIOLATION,),
        V201: (ErrorKind.FORMAT_VIOLATION, ErrorKind.PROTOCOL_ERROR),
    },
    lacking={V21: "the probe's cases are written for OCPP 1.6 and 2.0.1"},
)

# An action of another version, for the NotImplemented case.
_FOREIGN_ACTION: VersionTable[str] = VersionTable(
    "an action another version has and this one does not",
    {V16: "TransactionEvent", V201: "StartTransaction"},
    lacking={V21: "the probe's cases are written for OCPP 1.6 and 2.0.1"},
)

PROBED = _UNREADABLE
"""The versions the probe has cases for."""


def rule_codes(version: VersionSpec, rule: Rule) -> tuple[str, ...]:
    """The CALLERROR codes that fit a payload breaking ``rule``, spelled for ``version``."""
    kinds = _EXTRA_FIELD_KINDS[version] if rule is Rule.EXTRA_FIELD else _RULE_KINDS[rule]
    return codes(version, *kinds)


def _unreadable(version: VersionSpec, why: str) -> Expected:
    rule = _UNREADABLE[version]
    answer = CallErrorWith(
        codes(version, ErrorKind.RPC_FRAMEWORK_ERROR, ErrorKind.FORMAT_VIOLATION), rule.unique_id
    )
    outcomes = (answer, Ignored()) if rule.silence_allowed else (answer,)
    return Expected(outcomes, why)


def _framing(version: VersionSpec, unique_id: str, *kinds: ErrorKind, why: str) -> Expected:
    return Expected((CallErrorWith(codes(version, *kinds), unique_id),), why)


def hand_cases(
    version: VersionSpec, ids: Ids, *, password: str | None, rng: random.Random
) -> list[ProbeCase]:
    """The hand-written cases of ``version``, in their groups' order."""
    return [
        *_frames(version, ids),
        *_message_types(version, ids),
        *_actions(version, ids, rng),
        *_message_ids(version, ids),
        *_websocket(version, ids),
        *_handshakes(version, password),
    ]


_RPC = "1.6 section 4.1, 4.2.3 table 7; 2.0.1 part 4 section 4.2, 4.3"


def _frames(version: VersionSpec, ids: Ids) -> Iterator[ProbeCase]:
    frame = ErrorKind.RPC_FRAMEWORK_ERROR, ErrorKind.FORMAT_VIOLATION
    unreadable = f"no message id can be read ({_RPC})"
    yield ProbeCase(
        "frame-not-json",
        Group.FRAMES,
        "text that is not JSON",
        _unreadable(version, unreadable),
        (Out("this is not JSON {"),),
    )
    yield ProbeCase(
        "frame-not-array",
        Group.FRAMES,
        "JSON that is not an array",
        _unreadable(version, unreadable),
        (Out('{"messageTypeId": 2, "uniqueId": "x", "action": "Heartbeat"}'),),
    )
    yield ProbeCase(
        "frame-empty-array",
        Group.FRAMES,
        "an empty array",
        _unreadable(version, unreadable),
        (Out("[]"),),
    )
    short = ids()
    yield ProbeCase(
        "frame-call-without-payload",
        Group.FRAMES,
        "a CALL of three elements (no payload)",
        _framing(
            version,
            short,
            ErrorKind.INCOMPLETE_CALL,
            *frame,
            why="1.6: ProtocolError, the payload is incomplete; 2.0.1: not a valid RPC request"
            f" ({_RPC})",
        ),
        (Out(orjson.dumps([2, short, "Heartbeat"]).decode()),),
    )
    long = ids()
    yield ProbeCase(
        "frame-call-too-long",
        Group.FRAMES,
        "a CALL of five elements",
        _framing(version, long, *frame, why=f"not the CALL's structure ({_RPC})"),
        (Out(orjson.dumps([2, long, "Heartbeat", {}, "extra"]).decode()),),
    )
    yield ProbeCase(
        "frame-id-not-string",
        Group.FRAMES,
        "a CALL whose message id is a number",
        Expected(
            (CallErrorWith(codes(version, *frame), None),),
            f"the message id is a string ({_RPC})",
        ),
        (Out(orjson.dumps([2, 4711, "Heartbeat", {}]).decode()),),
    )
    too_long_id = "probe-" + "x" * 31  # 37 characters
    yield ProbeCase(
        "frame-id-too-long",
        Group.FRAMES,
        "a CALL whose message id has 37 characters",
        Expected(
            (
                CallErrorWith(codes(version, *frame), too_long_id),
                CallErrorWith(codes(version, *frame), "-1"),
            ),
            f"a message id has at most 36 characters ({_RPC})",
        ),
        (Out(orjson.dumps([2, too_long_id, "Heartbeat", {}]).decode()),),
    )
    action = ids()
    yield ProbeCase(
        "frame-action-not-string",
        Group.FRAMES,
        "a CALL whose action is a number",
        _framing(
            version,
            action,
            *frame,
            ErrorKind.INCOMPLETE_CALL,
            why=f"the action is a string; without one, 1.6 calls the CALL incomplete ({_RPC})",
        ),
        (Out(orjson.dumps([2, action, 42, {}]).decode()),),
    )
    payload = ids()
    yield ProbeCase(
        "frame-payload-not-object",
        Group.FRAMES,
        "a CALL whose payload is an array",
        _framing(
            version,
            payload,
            *frame,
            ErrorKind.TYPE_CONSTRAINT_VIOLATION,
            ErrorKind.PROTOCOL_ERROR,
            why=f"the payload is a JSON object ({_RPC})",
        ),
        (Out(orjson.dumps([2, payload, "Heartbeat", []]).decode()),),
    )
    typed = ids()
    # With no message type, the id might be read or not: either is a fair answer.
    not_typed = codes(version, *frame, ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED)
    yield ProbeCase(
        "frame-type-not-number",
        Group.FRAMES,
        "a CALL whose message type id is a string",
        Expected(
            (CallErrorWith(not_typed, typed), CallErrorWith(not_typed, "-1")),
            f"the message type id is a number ({_RPC})",
        ),
        (Out(orjson.dumps(["2", typed, "Heartbeat", {}]).decode()),),
    )


def _message_types(version: VersionSpec, ids: Ids) -> Iterator[ProbeCase]:
    # 2.0.1 part 4 section 4.3: MessageTypeNotSupported; 1.6 has no such code, and a message
    # of no known type is not of the RPC framework's structure: FormationViolation.
    for type_id, note in ((7, "no version's"), (5, "2.1's CALLRESULTERROR, no 1.6 or 2.0.1")):
        unique_id = ids()
        yield ProbeCase(
            f"message-type-{type_id}",
            Group.MESSAGE_TYPES,
            f"message type id {type_id} ({note})",
            _framing(
                version,
                unique_id,
                ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED,
                why=f"an unknown message type ({_RPC})",
            ),
            (Out(orjson.dumps([type_id, unique_id, "Heartbeat", {}]).decode()),),
        )


def _actions(version: VersionSpec, ids: Ids, rng: random.Random) -> Iterator[ProbeCase]:
    not_known = (
        "NotImplemented: the action is not known (1.6 section 4.2.3 table 7; 2.0.1 part 4"
        " section 4.3)"
    )
    unknown = ids()
    yield ProbeCase(
        "action-unknown",
        Group.ACTIONS,
        f"an action no version has ({UNKNOWN_ACTION})",
        _framing(version, unknown, ErrorKind.NOT_IMPLEMENTED, why=not_known),
        (Out(_call(unknown, UNKNOWN_ACTION, {}), awaits=(unknown,)),),
    )
    foreign_action = _FOREIGN_ACTION[version]
    foreign = ids()
    yield ProbeCase(
        "action-of-another-version",
        Group.ACTIONS,
        f"an action of another OCPP version ({foreign_action})",
        _framing(version, foreign, ErrorKind.NOT_IMPLEMENTED, why=not_known),
        (Out(_call(foreign, foreign_action, {}), awaits=(foreign,)),),
    )
    # A CSMS-initiated action with a payload its schema accepts: the CSMS knows it but serves
    # none from a station (NotSupported: "recognized but not supported").
    wrong_way = rng.choice(sorted(CSMS_INITIATED[version] - STATION_INITIATED[version]))
    backwards = ids()
    yield ProbeCase(
        "action-wrong-direction",
        Group.ACTIONS,
        f"an action the CSMS sends, sent to it ({wrong_way})",
        _framing(
            version,
            backwards,
            ErrorKind.NOT_SUPPORTED,
            why="NotSupported: recognized, not served (1.6 section 4.2.3 table 7; 2.0.1 part 4"
            " section 4.3)",
        ),
        (Out(_call(backwards, wrong_way, valid_payload(version, wrong_way)), awaits=(backwards,)),),
        action=wrong_way,
    )


def _message_ids(version: VersionSpec, ids: Ids) -> Iterator[ProbeCase]:
    twice = ids()
    heartbeat = _call(twice, "Heartbeat", {})
    yield ProbeCase(
        "id-duplicate",
        Group.MESSAGE_IDS,
        "two Heartbeats one after the other with the same message id",
        Expected(
            (Answered((twice, twice)),),
            "the sender must not reuse an id (1.6 section 4.1; 2.0.1 part 4 section 4.2),"
            " but OCPP-J names no error for it: each CALL is answered",
        ),
        (Out(heartbeat, awaits=(twice,)), Out(heartbeat, awaits=(twice,))),
    )
    first, second = ids(), ids()
    yield ProbeCase(
        "id-second-call-before-answer",
        Group.MESSAGE_IDS,
        "a second CALL before the first is answered",
        Expected(
            (Answered((first, second)),),
            "one CALL at a time is the sender's rule (1.6 section 4.1.1; 2.0.1 part 4 section"
            " 4.1.1); the CSMS answers both, a CALLRESULT or a CALLERROR each, and stays open",
        ),
        (
            Out(_call(first, "Heartbeat", {})),
            Out(_call(second, "Heartbeat", {}), awaits=(first, second)),
        ),
    )
    stray = "probe-never-sent"
    answers = (
        "a CALLRESULT or CALLERROR answers a CALL and is never answered (1.6 section 4.2.2,"
        " 4.2.3; 2.0.1 part 4 section 4.2.2, 4.2.3)"
    )
    yield ProbeCase(
        "id-unknown-callresult",
        Group.MESSAGE_IDS,
        "a CALLRESULT for a message id the CSMS never sent",
        Expected((Ignored(),), answers),
        (Out(orjson.dumps([3, stray, {}]).decode()),),
    )
    yield ProbeCase(
        "id-unknown-callerror",
        Group.MESSAGE_IDS,
        "a CALLERROR for a message id the CSMS never sent",
        Expected((Ignored(),), answers),
        (Out(orjson.dumps([4, stray, "GenericError", "probe", {}]).decode()),),
    )


def _transfer(unique_id: str, size: int) -> str:
    frame = _call(unique_id, "DataTransfer", {"vendorId": "org.chargeyard.probe", "data": ""})
    return frame.replace('"data":""', '"data":"' + "x" * (size - len(frame)) + '"')


def _transfer_bytes(unique_id: str, vendor_id: bytes) -> bytes:
    """A DataTransfer CALL whose vendorId is ``vendor_id`` as it is (UTF-8 or not)."""
    return _call(unique_id, "DataTransfer", {"vendorId": "@"}).encode().replace(b"@", vendor_id)


def _websocket(version: VersionSpec, ids: Ids) -> Iterator[ProbeCase]:
    for slug, size in (("oversized", OVERSIZED_BYTES), ("huge", HUGE_BYTES)):
        unique_id = ids()
        yield ProbeCase(
            f"frame-{slug}",
            Group.WEBSOCKET,
            f"a DataTransfer CALL of {size:,} bytes",
            Expected(
                (
                    ResultFor(unique_id),
                    CallErrorWith(codes(version, ErrorKind.FORMAT_VIOLATION), unique_id),
                    ClosedWith((1009,)),
                ),
                "OCPP-J sets no size; a CSMS takes it, answers FormatViolation as B06.FR.17"
                " does for a frame over its limit, or closes with 1009 Message Too Big"
                " (RFC 6455 section 7.4.1)",
            ),
            (Out(_transfer(unique_id, size), awaits=(unique_id,)),),
        )
    binary = ids()
    yield ProbeCase(
        "frame-binary",
        Group.WEBSOCKET,
        "a Heartbeat CALL in a binary frame",
        Expected(
            (Ignored(), ClosedWith((1003,))),
            "OCPP-J messages are JSON text (1.6 section 4; 2.0.1 part 4 section 4):"
            " a binary frame is not answered, or the socket closes with 1003 Unsupported Data"
            " (RFC 6455 section 7.4.1)",
        ),
        (Out(_call(binary, "Heartbeat", {}).encode(), Kind.BINARY),),
    )
    broken = ids()
    yield ProbeCase(
        "frame-invalid-utf8",
        Group.WEBSOCKET,
        "a text frame that is not UTF-8",
        Expected(
            (ClosedWith((1007,)),),
            "a text frame that is not UTF-8 fails the WebSocket: close 1007 (RFC 6455 section 8.1)",
        ),
        (Out(_transfer_bytes(broken, b"\xff\xfe"), Kind.RAW_TEXT),),
    )


def _handshakes(version: VersionSpec, password: str | None) -> Iterator[ProbeCase]:
    refused = (RefusedHandshake(),)
    negotiation = (
        "no OCPP version agreed: the CSMS refuses the upgrade, or completes it without a"
        " subprotocol and closes at once (1.6 section 3.1.2; 2.0.1 part 4 section 3.1.2)"
    )
    yield ProbeCase(
        "handshake-no-subprotocol",
        Group.HANDSHAKE,
        "an opening handshake without Sec-WebSocket-Protocol",
        Expected(refused, negotiation),
        handshake=HandshakeTry(None),
    )
    yield ProbeCase(
        "handshake-wrong-subprotocol",
        Group.HANDSHAKE,
        "an opening handshake offering ocpp0.9 only",
        Expected(refused, negotiation),
        handshake=HandshakeTry(["ocpp0.9"]),
    )
    yield ProbeCase(
        "handshake-wrong-password",
        Group.HANDSHAKE,
        "an opening handshake with a wrong Basic password",
        Expected(
            refused,
            "security profile 1: wrong credentials are refused, HTTP 401 (2.0.1 part 2"
            " A00.FR.203; 1.6 security whitepaper section 2.4)",
        ),
        handshake=HandshakeTry([version.subprotocol], password=WRONG_PASSWORD, use_password=False),
        needs=None if password is not None else "--password (the station's Basic password)",
    )


def schema_cases(version: VersionSpec, ids: Ids, rng: random.Random) -> list[ProbeCase]:
    """One case per action a station sends and per rule its payload can break, the place of
    each break picked by ``rng``."""
    cases = []
    unserved = codes(version, ErrorKind.NOT_SUPPORTED, ErrorKind.NOT_IMPLEMENTED)
    for action in sorted(STATION_INITIATED[version]):
        for mutation in mutations(version, action, rng):
            unique_id = ids()
            accepted = rule_codes(version, mutation.rule)
            cases.append(
                ProbeCase(
                    f"payload-{action}-{mutation.rule.slug}",
                    Group.PAYLOADS,
                    f"{action}: {mutation.rule} at {mutation.path}",
                    Expected(
                        (CallErrorWith(accepted, unique_id),),
                        f"schema keyword {mutation.keyword!r} (1.6 section 4.2.3 table 7;"
                        " 2.0.1 part 4 section 4.3)",
                        unserved=CallErrorWith(unserved, unique_id),
                    ),
                    (Out(_call(unique_id, action, mutation.payload), awaits=(unique_id,)),),
                    rule=mutation.rule,
                    action=action,
                )
            )
    return cases
