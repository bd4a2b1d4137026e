"""Error kinds of the OCPP-J RPC framework and the exceptions that carry them.

Theory of operation
-------------------
OCPP-J names its CALLERROR codes per version (OCPP-J 1.6 section 4.2.3 table 7; OCPP 2.0.1
part 4 section 4.3 table 1): 1.6 spells ``OccurenceConstraintViolation`` and
``FormationViolation`` where 2.0.1 spells ``OccurrenceConstraintViolation`` and
``FormatViolation``, and 1.6 has neither ``RpcFrameworkError`` nor ``MessageTypeNotSupported``.

Code in chargeyard speaks in :class:`ErrorKind`, the *meaning* of an error; the session turns a
kind into the wire code of its version through the version table (``versions.py``). So a handler
raises ``OcppError(ErrorKind.SECURITY_ERROR, ...)`` and never asks which version it serves.

Failures of an *outgoing* call (the peer answered CALLERROR, no answer came in time, the answer
was malformed, the connection went away) are :class:`CallFailure` subclasses: they are what the
call's awaitable raises in the asyncio adapters.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    """What went wrong, independent of any version's spelling."""

    NOT_IMPLEMENTED = "NotImplemented"
    NOT_SUPPORTED = "NotSupported"
    INTERNAL_ERROR = "InternalError"
    PROTOCOL_ERROR = "ProtocolError"
    SECURITY_ERROR = "SecurityError"
    GENERIC_ERROR = "GenericError"
    FORMAT_VIOLATION = "FormatViolation"
    PROPERTY_CONSTRAINT_VIOLATION = "PropertyConstraintViolation"
    OCCURRENCE_CONSTRAINT_VIOLATION = "OccurrenceConstraintViolation"
    TYPE_CONSTRAINT_VIOLATION = "TypeConstraintViolation"
    MESSAGE_TYPE_NOT_SUPPORTED = "MessageTypeNotSupported"
    # Framing kinds: the text is not an RPC message at all (not JSON, not an array, no readable
    # id), or it is a CALL that lacks its action or payload. 2.0.1 answers both with
    # RpcFrameworkError; 1.6 answers the first with FormationViolation and the second with
    # ProtocolError ("Payload for Action is incomplete").
    RPC_FRAMEWORK_ERROR = "RpcFrameworkError"
    INCOMPLETE_CALL = "IncompleteCall"


class OcppError(Exception):
    """An error that answers a CALL with a CALLERROR.

    Raised by the protocol core for bad input, and by handlers that want the peer to see a
    specific code (anything else a handler raises is answered with InternalError).

    Args:
        kind: the meaning; the session maps it to the wire code of its version.
        description: a short human-readable text (the spec limits it to 255 characters).
        details: a JSON object with machine-readable detail.
    """

    def __init__(
        self, kind: ErrorKind, description: str = "", details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{kind.value}: {description}" if description else kind.value)
        self.kind = kind
        self.description = description
        self.details: dict[str, Any] = dict(details or {})


class CallFailure(Exception):
    """An outgoing CALL did not get a usable CALLRESULT."""

    def __init__(self, action: str, unique_id: str, message: str) -> None:
        super().__init__(f"{action} [{unique_id}]: {message}")
        self.action = action
        self.unique_id = unique_id


class CallErrorReply(CallFailure):
    """The peer answered the CALL with a CALLERROR."""

    def __init__(
        self,
        action: str,
        unique_id: str,
        code: str,
        description: str,
        details: Mapping[str, Any],
    ) -> None:
        super().__init__(action, unique_id, f"peer answered {code}: {description}")
        self.code = code
        self.description = description
        self.details = dict(details)


class MalformedCallResult(CallFailure):
    """The peer's answer (a CALLRESULT, or a CALLERROR that is not a well-formed one) broke
    the frame format or the action's response schema."""

    def __init__(self, action: str, unique_id: str, kind: ErrorKind, description: str) -> None:
        super().__init__(action, unique_id, f"malformed CALLRESULT ({kind.value}): {description}")
        self.kind = kind
        self.description = description


class CallTimeout(CallFailure):
    """No answer arrived before the call's deadline (OCPP-J 1.6 section 4.1.1: the sender
    decides how long to wait)."""


class CallCancelled(CallFailure):
    """The session closed before the call was answered."""
