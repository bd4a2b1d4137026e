"""The RPC framework's cases (OCPP-J 1.6 section 4; OCPP 2.0.1 part 4 section 4): text that is
no frame, frames of the wrong shape, unknown message types and actions, duplicate and stray
message ids."""

from __future__ import annotations

import random
from collections.abc import Iterator

import orjson

from chargeyard.probe.case import Group, Ids, Out, ProbeCase, call
from chargeyard.probe.expected import Answered, CallErrorWith, Expected, Ignored, codes
from chargeyard.probe.payloads import valid_payload
from chargeyard.probe.rules import PROBED, call_error, unreadable
from chargeyard.protocol import ErrorKind, VersionSpec
from chargeyard.protocol.initiators import CSMS_INITIATED, STATION_INITIATED

UNKNOWN_ACTION = "ProbeNoSuchAction"


def rpc_cases(version: VersionSpec, ids: Ids, rng: random.Random) -> list[ProbeCase]:
    """The RPC framework's cases of ``version``, in their groups' order."""
    return [
        *_frames(version, ids),
        *_message_types(version, ids),
        *_actions(version, ids, rng),
        *_message_ids(ids),
    ]


_RPC = "1.6 section 4.1, 4.2.3 table 7; 2.0.1 part 4 section 4.2, 4.3"


def _frames(version: VersionSpec, ids: Ids) -> Iterator[ProbeCase]:
    frame = ErrorKind.RPC_FRAMEWORK_ERROR, ErrorKind.FORMAT_VIOLATION
    no_id = f"no message id can be read ({_RPC})"
    yield ProbeCase(
        "frame-not-json",
        Group.FRAMES,
        "text that is not JSON",
        unreadable(version, no_id),
        (Out("this is not JSON {"),),
    )
    yield ProbeCase(
        "frame-not-array",
        Group.FRAMES,
        "JSON that is not an array",
        unreadable(version, no_id),
        (Out('{"messageTypeId": 2, "uniqueId": "x", "action": "Heartbeat"}'),),
    )
    yield ProbeCase(
        "frame-empty-array",
        Group.FRAMES,
        "an empty array",
        unreadable(version, no_id),
        (Out("[]"),),
    )
    short = ids()
    yield ProbeCase(
        "frame-call-without-payload",
        Group.FRAMES,
        "a CALL of three elements (no payload)",
        call_error(
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
        call_error(version, long, *frame, why=f"not the CALL's structure ({_RPC})"),
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
        call_error(
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
        call_error(
            version,
            payload,
            *frame,
            *PROBED[version].broken_structure,
            ErrorKind.TYPE_CONSTRAINT_VIOLATION,
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
            call_error(
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
        call_error(version, unknown, ErrorKind.NOT_IMPLEMENTED, why=not_known),
        (Out(call(unknown, UNKNOWN_ACTION, {}), awaits=(unknown,)),),
    )
    foreign_action = PROBED[version].foreign_action
    foreign = ids()
    yield ProbeCase(
        "action-of-another-version",
        Group.ACTIONS,
        f"an action of another OCPP version ({foreign_action})",
        call_error(version, foreign, ErrorKind.NOT_IMPLEMENTED, why=not_known),
        (Out(call(foreign, foreign_action, {}), awaits=(foreign,)),),
    )
    # A CSMS-initiated action with a payload its schema accepts: the CSMS knows it but serves
    # none from a station (NotSupported: "recognized but not supported").
    wrong_way = rng.choice(sorted(CSMS_INITIATED[version] - STATION_INITIATED[version]))
    backwards = ids()
    yield ProbeCase(
        "action-wrong-direction",
        Group.ACTIONS,
        f"an action the CSMS sends, sent to it ({wrong_way})",
        call_error(
            version,
            backwards,
            ErrorKind.NOT_SUPPORTED,
            why="NotSupported: recognized, not served (1.6 section 4.2.3 table 7; 2.0.1 part 4"
            " section 4.3)",
        ),
        (Out(call(backwards, wrong_way, valid_payload(version, wrong_way)), awaits=(backwards,)),),
        action=wrong_way,
    )


def _message_ids(ids: Ids) -> Iterator[ProbeCase]:
    twice = ids()
    heartbeat = call(twice, "Heartbeat", {})
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
            Out(call(first, "Heartbeat", {})),
            Out(call(second, "Heartbeat", {}), awaits=(first, second)),
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
