"""What a session hands back to its I/O adapter after it has taken in a frame or the time."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from chargeyard.protocol.errors import CallFailure


@dataclass(slots=True, frozen=True)
class CallAnswered:
    """Our CALL got a valid CALLRESULT."""

    unique_id: str
    action: str
    payload: dict[str, Any]


@dataclass(slots=True, frozen=True)
class CallFailed:
    """Our CALL ended without a usable CALLRESULT; ``error`` says why."""

    unique_id: str
    action: str
    error: CallFailure


@dataclass(slots=True, frozen=True)
class HandlerDeferred:
    """A handler returned an awaitable: the adapter awaits it, then calls ``Session.respond``
    (or ``respond_error``) with the same ``unique_id``."""

    unique_id: str
    action: str
    awaitable: Awaitable[Any]


@dataclass(slots=True, frozen=True)
class CallResultErrorReceived:
    """OCPP 2.1: the peer could not accept a CALLRESULT we sent."""

    unique_id: str
    error_code: str
    error_description: str
    error_details: dict[str, Any]


@dataclass(slots=True, frozen=True)
class FrameDropped:
    """A frame was logged and ignored (an answer to nothing, a malformed unanswerable frame)."""

    reason: str


Event = CallAnswered | CallFailed | HandlerDeferred | CallResultErrorReceived | FrameDropped
