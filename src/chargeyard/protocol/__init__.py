"""The sans-I/O OCPP-J core: text frames in, events and frames out.

No asyncio and no sockets live here; ``chargeyard.transport`` adapts a :class:`Session` to a
WebSocket. See ``session.py`` for the theory of operation.
"""

from chargeyard.protocol.errors import (
    CallCancelled,
    CallErrorReply,
    CallFailure,
    CallTimeout,
    ErrorKind,
    MalformedCallResult,
    OcppError,
)
from chargeyard.protocol.events import (
    CallAnswered,
    CallFailed,
    CallResultErrorReceived,
    Event,
    FrameDropped,
    HandlerDeferred,
)
from chargeyard.protocol.frames import MessageType
from chargeyard.protocol.limits import DEFAULT_MAX_FRAME_BYTES, FrameTooLarge
from chargeyard.protocol.router import ActionHandlers, Handler, OutgoingPayload, Payload, on
from chargeyard.protocol.session import Session, new_unique_id, unique_ids
from chargeyard.protocol.versions import (
    V16,
    V21,
    V201,
    VERSIONS,
    Role,
    UnknownVersion,
    VersionSpec,
    VersionTable,
    negotiate,
    parse_version,
    version_for,
)

__all__ = [
    "DEFAULT_MAX_FRAME_BYTES",
    "V16",
    "V21",
    "V201",
    "VERSIONS",
    "ActionHandlers",
    "CallAnswered",
    "CallCancelled",
    "CallErrorReply",
    "CallFailed",
    "CallFailure",
    "CallResultErrorReceived",
    "CallTimeout",
    "ErrorKind",
    "Event",
    "FrameDropped",
    "FrameTooLarge",
    "Handler",
    "HandlerDeferred",
    "MalformedCallResult",
    "MessageType",
    "OcppError",
    "OutgoingPayload",
    "Payload",
    "Role",
    "Session",
    "UnknownVersion",
    "VersionSpec",
    "VersionTable",
    "negotiate",
    "new_unique_id",
    "on",
    "parse_version",
    "unique_ids",
    "version_for",
]
