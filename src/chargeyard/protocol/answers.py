"""How a session answers an incoming CALL: which handler serves it, and the frame that answers.

An incoming action is checked in this order: known in this version (else NotImplemented), sent
in the message type that fits it (CALL when it has a response, SEND when not, OCPP 2.1 part 4
section 4.2.5), served by this side (else NotSupported) (OCPP-J 1.6 section 4.2.3 table 7; OCPP
2.0.1 part 4 section 4.3); then its payload against the schema.

The two codes for an action we cannot serve are the specification's: NotImplemented is
"Requested Action is not known by receiver", NotSupported "Requested Action is recognized but
not supported by the receiver". So an action outside the version is NotImplemented, and an
action of the version that this side has no handler for (one sent in the wrong direction, such
as a station-to-CSMS message sent to a station) or that came in the wrong message type is
NotSupported. An answer is checked against
the response schema and the frame size limit (``limits.py``) before it leaves: an answer that
fails either is our bug, and the peer gets a CALLERROR instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from chargeyard.protocol import frames
from chargeyard.protocol.errors import ErrorKind, OcppError
from chargeyard.protocol.limits import FrameTooLarge
from chargeyard.protocol.router import Handler, Payload
from chargeyard.protocol.schemas import SchemaSet
from chargeyard.protocol.versions import Role, VersionSpec

logger = logging.getLogger(__name__)

_ROLE_NAMES = {Role.STATION: "charging station", Role.CENTRAL_SYSTEM: "central system"}


def handler_for(
    version: VersionSpec,
    role: Role,
    handlers: Mapping[str, Handler],
    action: str,
    *,
    answerable: bool,
) -> Handler:
    """The handler of an incoming ``action`` (``answerable``: it came in a CALL, not a SEND).

    Raises:
        OcppError: NotImplemented (not an action of the version) or NotSupported (sent in the
            wrong message type, or not served by this side).
    """
    schemas = version.schemas
    if not schemas.is_action(action):
        raise OcppError(
            ErrorKind.NOT_IMPLEMENTED,
            f"{action} is not an action of OCPP {version.name}",
            {"action": action},
        )
    # A CALL must name an action with a response, a SEND one without (2.1 section 4.2.5).
    if schemas.has_response(action) != answerable:
        kind = "CALL" if answerable else "SEND"
        raise OcppError(
            ErrorKind.NOT_SUPPORTED, f"{action} is not sent as a {kind}", {"action": action}
        )
    handler = handlers.get(action)
    if handler is None:
        raise OcppError(
            ErrorKind.NOT_SUPPORTED,
            f"{action} is not supported by this {_ROLE_NAMES[role]}",
            {"action": action},
        )
    return handler


def result_frame(
    schemas: SchemaSet | None,
    unique_id: str,
    action: str,
    payload: Payload,
    max_frame_bytes: int | None,
) -> bytes | OcppError:
    """The CALLRESULT carrying a handler's answer, or the error to answer with instead.

    Args:
        schemas: checks the answer against the response schema; None: no check.
    """
    try:
        if schemas is not None:
            schemas.check_response(action, payload)
        frame = frames.encode_call_result(unique_id, payload)
    except Exception as error:
        # A schema violation (OcppError), or a value JSON cannot carry (a datetime, ...),
        # which the validator or the encoder raise as ValueError/TypeError: our bug either
        # way, and the CALL still gets its one answer.
        logger.error("handler for %s answered an invalid payload: %s", action, error)
        return internal_error(action)
    if max_frame_bytes is not None and len(frame) > max_frame_bytes:
        # The peer could not take it (``limits.py``): it learns why instead.
        too_large = FrameTooLarge(f"the answer to {action}", len(frame), max_frame_bytes)
        logger.error("%s: %s", unique_id, too_large.description)
        return OcppError(ErrorKind.GENERIC_ERROR, too_large.description)
    return frame


def error_frame(unique_id: str, code: str, error: OcppError, max_frame_bytes: int | None) -> bytes:
    """The CALLERROR carrying ``error`` under the version's ``code``; its details are left out
    when JSON cannot carry them or they make the frame too large (the code and description
    still reach the peer)."""
    try:
        frame = frames.encode_call_error(unique_id, code, error.description, error.details)
    except TypeError:
        logger.error("CALLERROR details for %s are not JSON: %r", unique_id, error.details)
        frame = frames.encode_call_error(unique_id, code, error.description, {})
    if max_frame_bytes is not None and len(frame) > max_frame_bytes:
        frame = frames.encode_call_error(unique_id, code, error.description, {})
    return frame


def internal_error(action: str) -> OcppError:
    """What the peer is told when our handler failed (the traceback stays in our log)."""
    return OcppError(ErrorKind.INTERNAL_ERROR, f"{action} could not be processed")


__all__ = ["error_frame", "handler_for", "internal_error", "result_frame"]
