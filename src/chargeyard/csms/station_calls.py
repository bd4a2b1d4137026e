"""A CALL to a station and its answer as messages, and the path that carries them.

Theory of operation
-------------------
What the API asks of a station (``csms/commands/``, through ``station_link.py``) travels as a
:class:`StationRequest` on a :class:`StationCalls` path; the node that holds the station's
WebSocket serves it (sends the CALL, waits for the CALLRESULT) and sends back a
:class:`StationAnswer` with the same ``request_id``. Both are plain data: ``to_dict`` gives JSON
types only and ``from_dict`` reads them back, so a path between processes (a stream per CSMS
node, each answer back on the asking node's own stream, matched by ``request_id``) carries them
as they are. The in-process path (``local_calls.py``) passes them through the same functions and
through JSON, so nothing relies on sharing an object.

An answer is the CALLRESULT's payload or what went wrong, as data. Its ``kind`` decides what the
asker raises (:func:`payload_of`) and so what the API answers (``api/app.py``):

=============  ==============================================  =====
kind           raised                                          HTTP
=============  ==============================================  =====
result         (the payload is returned)                       200
not_connected  :class:`StationNotConnected`                    503
rejected       :class:`StationRejected` (nothing was sent)     409
timeout        :class:`StationDidNotAnswer`                    504
call_error     :class:`StationRefused` (the CALLERROR)         502
malformed      ``MalformedCallResult`` (a broken answer)       502
invalid        ``OcppError`` (nothing was sent)                422
too_large      ``FrameTooLarge`` (nothing was sent)            413
failed         ``CallFailure`` (the serving node failed)       502
unreachable    :class:`StationsUnreachable` (the path is down)  503
node_gone      :class:`StationNodeGone` (retry)                 503
=============  ==============================================  =====

``unreachable`` is the asker's own answer when the path between the nodes (Redis) cannot be
reached: whether the station is connected is then unknown, and nothing was sent.
``node_gone`` is the asker's own answer when the node that had the request went away (its
presence expired) or the asking node stops before the answer came: its description says
whether the request may have reached the station.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from chargeyard.protocol import (
    CallFailure,
    FrameTooLarge,
    MalformedCallResult,
    OcppError,
    Payload,
)
from chargeyard.protocol.errors import ErrorKind

logger = logging.getLogger(__name__)


class StationNotConnected(Exception):
    """The station is known but has no open connection."""

    def __init__(self, charge_box_id: str) -> None:
        super().__init__(f"charger {charge_box_id} is not connected")
        self.charge_box_id = charge_box_id


class StationsUnreachable(Exception):
    """The path to the stations' nodes cannot be reached (nothing was sent)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"the central system cannot reach its stations' nodes: {reason}; nothing was sent,"
            " try again"
        )
        self.reason = reason


class StationNodeGone(StationsUnreachable):
    """The node that had the request went away before answering (or the asking node is
    stopping): the caller should retry, through another node or once the station reconnects.
    ``description`` says whether the request may have reached the station."""

    RETRY_AFTER_S = 2
    """What the API's Retry-After says: a station whose node died reconnects to another within
    seconds."""

    def __init__(self, charge_box_id: str, description: str) -> None:
        Exception.__init__(self, description)
        self.reason = description
        self.charge_box_id = charge_box_id


class StationRejected(Exception):
    """The station's registration does not let the central system send it this CALL: it has
    not booted, its last boot was answered Rejected, or it is Pending and the CALL is one a
    Pending station may not get (``registration.py``). Nothing was sent."""

    def __init__(self, charge_box_id: str, why: str | None = None) -> None:
        super().__init__(
            why
            or f"charger {charge_box_id} was rejected at boot (BootNotification answered"
            " Rejected): no command is sent to it until a boot is accepted"
        )
        self.charge_box_id = charge_box_id


class StationDidNotAnswer(Exception):
    """No answer within the command timeout."""

    def __init__(self, charge_box_id: str, action: str, timeout: float) -> None:
        super().__init__(f"charger {charge_box_id} did not answer {action} within {timeout:g} s")
        self.charge_box_id = charge_box_id


class StationRefused(Exception):
    """The station answered with a CALLERROR."""

    def __init__(self, charge_box_id: str, action: str, code: str, description: str) -> None:
        super().__init__(f"charger {charge_box_id} answered {action} with {code}: {description}")
        self.charge_box_id = charge_box_id
        self.code = code
        self.description = description


@dataclass(frozen=True, slots=True)
class StationRequest:
    """One CALL the API asks of one station.

    Attributes:
        request_id: unique per request; the answer carries it back.
        asker: the node that asks, where the answer goes.
        timeout: the seconds the station gets to answer (the command's limit).
        deadline: the wall-clock time (seconds since the epoch) after which the asker waits no
            more: a node that takes the request later answers ``timeout`` without sending it.
    """

    request_id: str
    asker: str
    identity: str
    action: str
    payload: Payload
    timeout: float
    deadline: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "asker": self.asker,
            "identity": self.identity,
            "action": self.action,
            "payload": self.payload,
            "timeout": self.timeout,
            "deadline": self.deadline,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StationRequest:
        return cls(**data)


class AnswerKind(StrEnum):
    """How a request ended (the table in the module docstring)."""

    RESULT = "result"
    NOT_CONNECTED = "not_connected"
    REJECTED = "rejected"
    TIMEOUT = "timeout"
    CALL_ERROR = "call_error"
    MALFORMED = "malformed"
    INVALID = "invalid"
    TOO_LARGE = "too_large"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    NODE_GONE = "node_gone"


@dataclass(frozen=True, slots=True)
class StationAnswer:
    """The answer to the request ``request_id``.

    Attributes:
        payload: the CALLRESULT's payload (``result`` only).
        code: the CALLERROR's code (``call_error``), or the error kind of a malformed answer
            or of a request that was not sent (``malformed``, ``invalid``, ``too_large``).
        description: what the station or the protocol core said.
        details: the CALLERROR's details; the OCPP unique id of a malformed answer's CALL
            (``unique_id``); a frame's ``size`` and ``limit`` (``too_large``).
    """

    request_id: str
    kind: AnswerKind
    payload: Payload | None = None
    code: str = ""
    description: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "kind": self.kind.value,
            "payload": self.payload,
            "code": self.code,
            "description": self.description,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StationAnswer:
        return cls(**{**data, "kind": AnswerKind(data["kind"])})


class StationCalls(Protocol):
    """The path a request takes to the node holding the station, and its answer back."""

    async def request(self, request: StationRequest) -> StationAnswer:
        """Send ``request`` and return its answer. Never raises for what the station or its
        node did (that is the answer); a path that hears nothing by the request's deadline
        answers ``timeout`` itself."""
        ...


def answer_for(request: StationRequest, error: Exception) -> StationAnswer:
    """What the serving node answers when serving ``request`` raised ``error`` (the errors of
    ``Registry.call``); anything unforeseen is ``failed``, and logged there."""
    request_id = request.request_id
    match error:
        case StationNotConnected():
            return StationAnswer(request_id, AnswerKind.NOT_CONNECTED)
        case StationRejected():
            return StationAnswer(request_id, AnswerKind.REJECTED, None, "", str(error))
        case StationDidNotAnswer():
            return StationAnswer(request_id, AnswerKind.TIMEOUT)
        case StationNodeGone(reason=reason):
            return StationAnswer(request_id, AnswerKind.NODE_GONE, None, "", reason)
        case StationsUnreachable(reason=reason):
            return StationAnswer(request_id, AnswerKind.UNREACHABLE, None, "", reason)
        case StationRefused(code=code, description=description):
            return StationAnswer(request_id, AnswerKind.CALL_ERROR, None, code, description)
        case MalformedCallResult():
            details: dict[str, Any] = {"unique_id": error.unique_id}
            kind, description = error.kind.value, error.description
            return StationAnswer(request_id, AnswerKind.MALFORMED, None, kind, description, details)
        case FrameTooLarge():
            details = {"size": error.size, "limit": error.limit}
            kind, description = error.kind.value, error.description
            return StationAnswer(request_id, AnswerKind.TOO_LARGE, None, kind, description, details)
        case OcppError():
            kind, description = error.kind.value, error.description
            return StationAnswer(
                request_id, AnswerKind.INVALID, None, kind, description, error.details
            )
    logger.error("serving %s to %s failed", request.action, request.identity, exc_info=error)
    return StationAnswer(request_id, AnswerKind.FAILED, None, "", str(error))


def stopping_answer(request: StationRequest, *, sent: bool) -> StationAnswer:
    """The asking node's own answer when it stops before ``request`` was answered (``sent``:
    it was on its way, and may have reached the station)."""
    note = "the command may have reached the charger" if sent else "nothing was sent"
    return StationAnswer(
        request.request_id,
        AnswerKind.NODE_GONE,
        description=f"this node is stopping before charger {request.identity} answered; retry"
        f" ({note})",
    )


def payload_of(request: StationRequest, answer: StationAnswer) -> Payload:
    """The answer's payload, or the error it stands for raised on the asking side.

    Raises:
        StationNotConnected, StationRejected, StationDidNotAnswer, StationRefused,
        MalformedCallResult, OcppError, FrameTooLarge, CallFailure, StationsUnreachable,
        StationNodeGone (the table above).
    """
    identity, action = request.identity, request.action
    match answer.kind:
        case AnswerKind.RESULT if answer.payload is not None:
            return answer.payload
        case AnswerKind.NOT_CONNECTED:
            raise StationNotConnected(identity)
        case AnswerKind.REJECTED:
            raise StationRejected(identity, answer.description or None)
        case AnswerKind.TIMEOUT:
            raise StationDidNotAnswer(identity, action, request.timeout)
        case AnswerKind.CALL_ERROR:
            raise StationRefused(identity, action, answer.code, answer.description)
        case AnswerKind.MALFORMED:
            unique_id = str(answer.details.get("unique_id", request.request_id))
            kind = ErrorKind(answer.code)
            raise MalformedCallResult(action, unique_id, kind, answer.description)
        case AnswerKind.TOO_LARGE:
            raise _frame_too_large(answer)
        case AnswerKind.INVALID:
            raise OcppError(ErrorKind(answer.code), answer.description, answer.details)
        case AnswerKind.UNREACHABLE:
            raise StationsUnreachable(answer.description)
        case AnswerKind.NODE_GONE:
            raise StationNodeGone(identity, answer.description)
    raise CallFailure(action, request.request_id, answer.description or "no payload")


def _frame_too_large(answer: StationAnswer) -> FrameTooLarge:
    # FrameTooLarge words its description from what the frame was; the answer carries the
    # words already, so the error is rebuilt from them rather than worded again.
    error = FrameTooLarge.__new__(FrameTooLarge)
    OcppError.__init__(error, ErrorKind.FORMAT_VIOLATION, answer.description, answer.details)
    error.size = int(answer.details["size"])
    error.limit = int(answer.details["limit"])
    return error


__all__ = [
    "AnswerKind",
    "StationAnswer",
    "StationCalls",
    "StationDidNotAnswer",
    "StationNodeGone",
    "StationNotConnected",
    "StationRefused",
    "StationRejected",
    "StationRequest",
    "StationsUnreachable",
    "answer_for",
    "payload_of",
    "stopping_answer",
]
