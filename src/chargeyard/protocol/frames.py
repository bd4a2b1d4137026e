"""OCPP-J frames: the JSON arrays of the RPC framework, decoded from and encoded to text.

OCPP-J 1.6 section 4.1 and OCPP 2.0.1 part 4 section 4.2 define three message types; OCPP 2.1
part 4 adds CALLRESULTERROR and SEND:

    CALL             [2, "<uniqueId>", "<action>", {<payload>}]
    CALLRESULT       [3, "<uniqueId>", {<payload>}]
    CALLERROR        [4, "<uniqueId>", "<errorCode>", "<errorDescription>", {<errorDetails>}]
    CALLRESULTERROR  [5, "<uniqueId>", "<errorCode>", "<errorDescription>", {<errorDetails>}]
    SEND             [6, "<uniqueId>", "<action>", {<payload>}]

The unique id is a string of at most 36 characters. :func:`decode` checks the *frame* only;
payloads are checked against the schemas by the session. A frame that cannot be decoded raises
:class:`FrameError`, which carries what the session needs to answer it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import orjson

from chargeyard.protocol.errors import ErrorKind

MAX_UNIQUE_ID_LENGTH = 36

MAX_NESTING = 64
"""How deeply arrays and objects may nest in a frame, the frame's own array counting as one.

OCPP puts no number on it. The deepest payloads of the schemas are about ten levels
(2.0.1 SetChargingProfile: chargingProfile, chargingSchedule, chargingSchedulePeriod; 2.1's
ISO 15118-20 schedules a few more); only a DataTransfer's free-form ``data`` can go further.
Past 254 levels our own encoder cannot write the frame back and the schema validator gives up
on a value, so a peer's frame nested deeper than this bound is refused as a FormatViolation at
the door, before anything reads its payload, instead of failing as an InternalError later."""

# The id a CALLERROR carries when the offending message's id could not be read (OCPP 2.0.1
# part 4 section 4.2.3); we use it for every version, since 1.6 names no other.
UNKNOWN_MESSAGE_ID = "-1"


class MessageType(IntEnum):
    CALL = 2
    CALL_RESULT = 3
    CALL_ERROR = 4
    CALL_RESULT_ERROR = 5
    SEND = 6


@dataclass(slots=True, frozen=True)
class Call:
    unique_id: str
    action: str
    payload: dict[str, Any]


@dataclass(slots=True, frozen=True)
class CallResult:
    unique_id: str
    payload: dict[str, Any]


@dataclass(slots=True, frozen=True)
class CallError:
    unique_id: str
    error_code: str
    error_description: str
    error_details: dict[str, Any]


@dataclass(slots=True, frozen=True)
class CallResultError:
    """OCPP 2.1: the answer to a CALLRESULT that its receiver could not accept."""

    unique_id: str
    error_code: str
    error_description: str
    error_details: dict[str, Any]


@dataclass(slots=True, frozen=True)
class Send:
    """OCPP 2.1: an unconfirmed message; it is never answered."""

    unique_id: str
    action: str
    payload: dict[str, Any]


Frame = Call | CallResult | CallError | CallResultError | Send


class FrameError(Exception):
    """Text that is not a well-formed frame of the session's version.

    Attributes:
        kind: the error kind to answer with, if an answer is due.
        unique_id: the frame's id when it could be read, else None.
        message_type: the frame's message type id when it could be read, else None.
    """

    def __init__(
        self,
        kind: ErrorKind,
        description: str,
        unique_id: str | None = None,
        message_type: int | None = None,
    ) -> None:
        super().__init__(description)
        self.kind = kind
        self.description = description
        self.unique_id = unique_id
        self.message_type = message_type


def decode(data: str | bytes, message_types: Collection[int]) -> Frame:
    """Decode one WebSocket text message into a frame.

    Args:
        data: the message, as text or as its UTF-8 bytes.
        message_types: the message type ids the session's version knows.

    Raises:
        FrameError: the text is not a frame of this version.
    """
    try:
        message = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise FrameError(ErrorKind.RPC_FRAMEWORK_ERROR, "message is not valid JSON") from None
    if type(message) is not list or not message:
        raise FrameError(ErrorKind.RPC_FRAMEWORK_ERROR, "message is not a non-empty JSON array")
    message_type = message[0]
    if type(message_type) is not int:
        raise FrameError(ErrorKind.RPC_FRAMEWORK_ERROR, "messageTypeId is not an integer")
    unique_id = message[1] if len(message) > 1 else None
    # An id that is not a string of at most 36 characters is not one we can answer to: the
    # answer carries "-1" instead (OCPP 2.0.1 part 4 section 4.2.3), never the invalid id.
    valid_id = type(unique_id) is str and len(unique_id) <= MAX_UNIQUE_ID_LENGTH
    # The type is checked first, so a [6, ...] or [5, ...] in a version without them is
    # MessageTypeNotSupported even when its id is unreadable, not a malformed SEND or
    # CALLRESULTERROR.
    if message_type not in message_types:
        raise FrameError(
            ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED,
            f"messageTypeId {message_type} is not supported",
            unique_id if valid_id else None,
            message_type,
        )
    if type(unique_id) is not str:
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK_ERROR,
            "messageId is missing or not a string",
            None,
            message_type,
        )
    if not valid_id:
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK_ERROR,
            f"messageId is longer than {MAX_UNIQUE_ID_LENGTH} characters",
            None,
            message_type,
        )
    if _nested_too_deeply(data, message):
        raise FrameError(
            ErrorKind.FORMAT_VIOLATION,
            f"the message nests arrays and objects deeper than {MAX_NESTING} levels",
            unique_id,
            message_type,
        )
    if message_type == MessageType.CALL or message_type == MessageType.SEND:
        return _decode_call(message, unique_id, message_type)
    if message_type == MessageType.CALL_RESULT:
        if len(message) != 3 or type(message[2]) is not dict:
            raise FrameError(
                ErrorKind.FORMAT_VIOLATION,
                "CALLRESULT must be [3, messageId, {payload}]",
                unique_id,
                message_type,
            )
        return CallResult(unique_id, message[2])
    return _decode_error(message, unique_id, message_type)


def _nested_too_deeply(data: str | bytes, message: list[Any]) -> bool:
    """Whether ``message`` nests deeper than :data:`MAX_NESTING`.

    A frame cannot nest deeper than it has opening brackets, so the common frame, with few of
    them, is cleared by one count over its text; only the rest is walked."""
    if isinstance(data, str):
        openers = data.count("[") + data.count("{")
    else:
        openers = data.count(b"[") + data.count(b"{")
    if openers <= MAX_NESTING:
        return False
    level: list[Any] = [message]
    depth = 1
    while level:
        if depth > MAX_NESTING:
            return True
        below: list[Any] = []
        for value in level:
            children = value.values() if type(value) is dict else value
            below.extend(child for child in children if type(child) in (list, dict))
        level = below
        depth += 1
    return False


def _decode_call(message: list[Any], unique_id: str, message_type: int) -> Call | Send:
    # A CALL past four elements lacks nothing: it breaks the PDU's structure, which 1.6 calls
    # FormationViolation, not the ProtocolError of an incomplete one (OCPP-J 1.6 section 4.2.3
    # table 7; 2.0.1 part 4 section 4.3 answers both with RpcFrameworkError).
    if len(message) > 4:
        raise FrameError(
            ErrorKind.RPC_FRAMEWORK_ERROR,
            f"expected [{message_type}, messageId, action, {{payload}}]",
            unique_id,
            message_type,
        )
    if len(message) != 4 or type(message[2]) is not str:
        raise FrameError(
            ErrorKind.INCOMPLETE_CALL,
            f"expected [{message_type}, messageId, action, {{payload}}]",
            unique_id,
            message_type,
        )
    if type(message[3]) is not dict:
        raise FrameError(
            ErrorKind.FORMAT_VIOLATION, "payload is not a JSON object", unique_id, message_type
        )
    if message_type == MessageType.CALL:
        return Call(unique_id, message[2], message[3])
    return Send(unique_id, message[2], message[3])


def _decode_error(message: list[Any], unique_id: str, message_type: int) -> Frame:
    if (
        len(message) != 5
        or type(message[2]) is not str
        or type(message[3]) is not str
        or type(message[4]) is not dict
    ):
        raise FrameError(
            ErrorKind.FORMAT_VIOLATION,
            f"expected [{message_type}, messageId, errorCode, errorDescription, {{errorDetails}}]",
            unique_id,
            message_type,
        )
    if message_type == MessageType.CALL_ERROR:
        return CallError(unique_id, message[2], message[3], message[4])
    return CallResultError(unique_id, message[2], message[3], message[4])


# The head of a frame: its message type, its unique id when it is a plain string of at most 36
# characters, and the action that follows in a CALL or SEND.
_HEAD = re.compile(r'\s*\[\s*([2-6])\s*,\s*(?:"([^"\\]{0,36})"\s*(?:,\s*"([^"\\]{1,64})")?)?')
_HEAD_CHARS = 160


@dataclass(slots=True, frozen=True)
class Head:
    """What the start of a frame says, read without decoding the rest (for a frame too large
    to take in whole): the message type, and the unique id and action when readable."""

    message_type: int
    unique_id: str | None
    action: str | None


def read_head(data: str | bytes) -> Head | None:
    """The :class:`Head` of ``data``, or None when its start is not a frame's."""
    start = data[:_HEAD_CHARS]
    text = start.decode("utf-8", "replace") if isinstance(start, bytes) else start
    match = _HEAD.match(text)
    if match is None:
        return None
    message_type, unique_id, action = match.groups()
    return Head(int(message_type), unique_id, action)


def _dumps(message: list[Any]) -> bytes:
    # orjson's bytes keep the buffer it wrote into (4 KiB or more, however short the JSON), so a
    # frame that is kept (a station's diagnostics log, a queue) would hold all of it: copy just
    # the text (about 0.1 us for a typical frame).
    return bytes(memoryview(orjson.dumps(message)))


def encode_call(unique_id: str, action: str, payload: Mapping[str, object]) -> bytes:
    return _dumps([MessageType.CALL, unique_id, action, payload])


def encode_send(unique_id: str, action: str, payload: Mapping[str, object]) -> bytes:
    return _dumps([MessageType.SEND, unique_id, action, payload])


def encode_call_result(unique_id: str, payload: dict[str, Any]) -> bytes:
    return _dumps([MessageType.CALL_RESULT, unique_id, payload])


def encode_call_error(
    unique_id: str,
    code: str,
    description: str,
    details: dict[str, Any],
    message_type: MessageType = MessageType.CALL_ERROR,
) -> bytes:
    """Encode a CALLERROR (or, with ``message_type``, a 2.1 CALLRESULTERROR)."""
    # errorDescription is limited to 255 characters (OCPP 2.0.1 part 4 section 4.2.3).
    return _dumps([message_type, unique_id, code, description[:255], details])
