"""The OCPP-J RPC session: one per connection, role and version, with no I/O of its own.

Theory of operation
-------------------
An adapter (``chargeyard.transport``) owns the socket. It feeds every text message it reads to
:meth:`Session.receive`, sends whatever :meth:`Session.data_to_send` returns, and calls
:meth:`Session.expire` when the clock passes :meth:`Session.next_deadline`. The session hands
back events (``events.py``): answers to our calls, failures, handlers that need awaiting.

Outgoing calls. :meth:`Session.call` checks the payload against the schema, gives the CALL a
fresh unique id (``message_ids.py``) and returns it; one CALL is outstanding at a time, the
others wait in order (``outgoing.py``, OCPP-J 1.6 section 4.1.1).

Incoming calls. A CALL is checked in this order, each failure answered by one CALLERROR:
frame shape -> action known in this version (else NotImplemented) -> an action this side
serves, in this message type (else NotSupported) -> payload against the schema (else the
violation's kind) -> the handler (an OcppError it raises is answered as it says; anything else
is InternalError, without the traceback, which goes to our log). A handler's answer is checked
against the response schema before it leaves; an invalid answer is our bug, so the peer sees
InternalError. ``answers.py`` holds these rules and the two codes' reading of the specification.

Every incoming text produces at most one frame in answer, and a CALL-shaped text always
produces exactly one. Nothing a peer sends makes :meth:`receive` raise.

Size. Each frame in and out is held to ``max_frame_bytes`` (``limits.py``): a CALL or SEND of
ours over it is refused before it is queued (:class:`~chargeyard.protocol.limits.FrameTooLarge`),
an answer of ours over it becomes a CALLERROR GenericError, and a peer's frame over it is not
decoded: a CALL is answered FormatViolation, an answer fails the call it answers.

Observation. An optional :class:`~chargeyard.protocol.observer.SessionObserver` hears of every
well-formed frame in and out (type and action), of each answer to our CALLs with its round trip
(from handing the CALL out, on the session's clock), of timeouts and of CALLERROR codes. It is
None by default, which costs one test per frame.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Mapping, MutableMapping

from chargeyard.protocol import frames
from chargeyard.protocol.answers import error_frame, handler_for, internal_error, result_frame
from chargeyard.protocol.errors import (
    CallCancelled,
    CallErrorReply,
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
from chargeyard.protocol.frames import Call, CallError, CallResult, FrameError, MessageType, Send
from chargeyard.protocol.limits import DEFAULT_MAX_FRAME_BYTES, FrameTooLarge, size_over
from chargeyard.protocol.message_ids import new_unique_id, unique_ids
from chargeyard.protocol.observer import SessionObserver
from chargeyard.protocol.outgoing import OutgoingCall, OutgoingCalls, encode_request
from chargeyard.protocol.router import Handler, OutgoingPayload, Payload
from chargeyard.protocol.versions import Role, VersionSpec

logger = logging.getLogger(__name__)

DEFAULT_CALL_TIMEOUT = 30.0

# The message types as plain ints for the observer: reading an Enum member costs 0.1 us.
_CALL, _CALL_RESULT = int(MessageType.CALL), int(MessageType.CALL_RESULT)
_CALL_ERROR, _CALL_RESULT_ERROR = int(MessageType.CALL_ERROR), int(MessageType.CALL_RESULT_ERROR)
_SEND = int(MessageType.SEND)


class Session:
    """The RPC state of one OCPP-J connection.

    Args:
        version: the version negotiated for the connection.
        role: whether this side is the station or the central system.
        handlers: incoming-call handlers keyed by action (see ``router.py``).
        clock: seconds, monotonic; injected so tests and simulations control time.
        new_id: the unique-id generator for outgoing messages (default: :func:`unique_ids`).
        call_timeout: seconds an outgoing CALL waits for its answer.
        validate: check payloads against the schemas in both directions.
        observer: told of frames, round trips and CALLERRORs (for metrics), or None.
        max_frame_bytes: the largest frame sent or taken, in bytes of UTF-8 (``limits.py``);
            None for no limit.
    """

    def __init__(
        self,
        version: VersionSpec,
        role: Role,
        handlers: Mapping[str, Handler] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        new_id: Callable[[], str] | None = None,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        validate: bool = True,
        observer: SessionObserver | None = None,
        max_frame_bytes: int | None = DEFAULT_MAX_FRAME_BYTES,
    ) -> None:
        self.version = version
        self.role = role
        # A table its owner may still change is copied; a read-only one is read as it is: a
        # station's binds its handlers as their actions come in (station/blocks.py), and a
        # copy would hold a bound method per action for each of a fleet's sessions.
        self._handlers: Mapping[str, Handler] = (
            dict(handlers) if isinstance(handlers, MutableMapping) else handlers or {}
        )
        self._schemas = version.schemas
        self._message_types = version.message_types
        self._codes = version.error_codes
        self._clock = clock
        self._new_id = new_id or unique_ids()
        self._call_timeout = call_timeout
        self._validate = validate
        self._outbox: list[bytes] = []
        self._calls = OutgoingCalls(clock, call_timeout, self._transmit)
        # Incoming calls whose handler is being awaited: unique id -> action, or None for a 2.1
        # SEND, which has no answer to give.
        self._deferred: dict[str, str | None] = {}
        self._closed = False
        self._observer = observer
        self.max_frame_bytes = max_frame_bytes

    # -- registration -------------------------------------------------------------------------

    def set_handler(self, action: str, handler: Handler) -> None:
        """Register (or replace) the handler of an incoming action (in the session's own
        table: the one it was given is not changed)."""
        self._handlers = {**self._handlers, action: handler}

    # -- outgoing -----------------------------------------------------------------------------

    def call(self, action: str, payload: OutgoingPayload) -> str:
        """Queue a CALL and return its unique id.

        Raises:
            OcppError: the action is not one of this version's requests (NotSupported) or the
                payload violates its schema; nothing is sent.
            FrameTooLarge: the CALL would be a frame over ``max_frame_bytes``; nothing is sent.
            CallCancelled: the session is closed.
        """
        if self._closed:
            raise CallCancelled(action, "-", "the session is closed")
        if not self._schemas.has_response(action):
            raise OcppError(
                ErrorKind.NOT_SUPPORTED, f"{action} is not a CALL of OCPP {self.version.name}"
            )
        if self._validate:
            self._schemas.check_request(action, payload)
        unique_id = self._next_unique_id()
        frame = encode_request(frames.encode_call, unique_id, action, payload)
        self._check_size(frame, f"the {action} CALL")
        self._calls.add(OutgoingCall(unique_id, action, frame))
        return unique_id

    def send(self, action: str, payload: OutgoingPayload) -> str:
        """Send an OCPP 2.1 SEND (an unconfirmed message) and return its unique id.

        Raises:
            OcppError: the version has no SEND, or the action or payload is invalid.
            FrameTooLarge: the SEND would be a frame over ``max_frame_bytes``.
        """
        if self._closed:
            raise CallCancelled(action, "-", "the session is closed")
        if not self.version.supports_send:
            raise OcppError(
                ErrorKind.NOT_SUPPORTED, f"OCPP {self.version.name} has no SEND message type"
            )
        if not self._schemas.is_action(action) or self._schemas.has_response(action):
            # OCPP 2.1 part 4 section 4.2.5: SEND carries the messages that have no response
            # (NotifyPeriodicEventStream); a message with a response goes in a CALL.
            raise OcppError(
                ErrorKind.NOT_SUPPORTED, f"{action} is not a SEND message of this version"
            )
        if self._validate:
            self._schemas.check_request(action, payload)
        unique_id = self._next_unique_id()
        frame = encode_request(frames.encode_send, unique_id, action, payload)
        self._check_size(frame, f"the {action} SEND")
        self._outbox.append(frame)
        if self._observer is not None:
            self._observer.message("out", _SEND, action)
        return unique_id

    def _check_size(self, frame: bytes, what: str) -> None:
        limit = self.max_frame_bytes
        if limit is not None and len(frame) > limit:
            raise FrameTooLarge(what, len(frame), limit)

    def _next_unique_id(self) -> str:
        unique_id = self._new_id()
        if len(unique_id) > frames.MAX_UNIQUE_ID_LENGTH:
            # The peer would have to refuse it (OCPP 2.0.1 part 4 section 4.1.3): a bug in the
            # injected generator, caught before anything is sent.
            raise ValueError(f"message id {unique_id!r} is longer than 36 characters")
        return unique_id

    def _transmit(self, outgoing: OutgoingCall) -> None:
        """Our CALL's turn came (``outgoing.py``): its frame goes out."""
        self._outbox.append(outgoing.frame)
        if self._observer is not None:
            self._observer.message("out", _CALL, outgoing.action)

    @property
    def calls_outstanding(self) -> int:
        """Calls sent and not yet answered (0 or 1) plus calls waiting their turn."""
        return len(self._calls)

    # -- incoming -----------------------------------------------------------------------------

    def receive(self, data: str | bytes) -> list[Event]:
        """Take in one WebSocket text message; returns what the adapter must act on."""
        if self._closed:
            return self._drop("message after the session closed")
        size = size_over(data, self.max_frame_bytes)
        if size is not None:
            return self._on_oversized(data, size)
        try:
            frame = frames.decode(data, self._message_types)
        except FrameError as error:
            return self._on_frame_error(error)
        if isinstance(frame, Call):
            return self._on_call(frame)
        if isinstance(frame, CallResult):
            return self._on_call_result(frame)
        if isinstance(frame, CallError):
            return self._on_call_error(frame)
        if isinstance(frame, Send):
            return self._on_send(frame)
        return self._on_call_result_error(frame)

    def _on_frame_error(self, error: FrameError) -> list[Event]:
        message_type = error.message_type
        if error.kind is not ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED:
            if message_type == MessageType.CALL_RESULT or message_type == MessageType.CALL_ERROR:
                return self._on_malformed_answer(error)
            if message_type == MessageType.SEND or message_type == MessageType.CALL_RESULT_ERROR:
                # Neither is ever answered (OCPP 2.1 part 4 section 4.2.4 / 4.2.5).
                return self._drop(f"malformed {MessageType(message_type).name}: {error}")
        # Anything that is or may be a CALL gets exactly one CALLERROR; when its id cannot be
        # read, the id "-1" (OCPP 2.0.1 part 4 section 4.2.3).
        logger.warning("answering a malformed message with %s: %s", error.kind.value, error)
        code = self._codes[error.kind]
        self._outbox.append(
            frames.encode_call_error(
                error.unique_id if error.unique_id is not None else frames.UNKNOWN_MESSAGE_ID,
                code,
                error.description,
                {},
            )
        )
        if self._observer is not None:
            self._observer.message("out", _CALL_ERROR, "")
            self._observer.call_error("out", code)
        return []

    def _on_oversized(self, data: str | bytes, size: int) -> list[Event]:
        """A frame over ``max_frame_bytes``, read no further than its head: a CALL (or what
        may be one) gets the CALLERROR FormatViolation (``limits.py``; OCPP 2.0.1 B06.FR.17's
        answer to a request over BytesPerMessage), an answer fails the call it answers."""
        assert self.max_frame_bytes is not None
        head = frames.read_head(data)
        error = FrameTooLarge("the message", size, self.max_frame_bytes)
        message_type = head.message_type if head is not None else None
        unique_id = head.unique_id if head is not None else None
        if message_type == MessageType.CALL_RESULT or message_type == MessageType.CALL_ERROR:
            outgoing = None if unique_id is None else self._take_in_flight(unique_id, message_type)
            if outgoing is None:
                return self._drop(f"answer to no call of ours: {error.description}")
            if message_type == MessageType.CALL_RESULT:
                return self._reject_result(outgoing, error.kind, error.description)
            failure = MalformedCallResult(
                outgoing.action, outgoing.unique_id, error.kind, error.description
            )
            return [CallFailed(outgoing.unique_id, outgoing.action, failure)]
        if message_type in self._message_types and (
            message_type == MessageType.SEND or message_type == MessageType.CALL_RESULT_ERROR
        ):
            return self._drop(f"{MessageType(message_type).name}: {error.description}")
        action = (head.action if head is not None else None) or ""
        logger.warning(
            "answering a message of %d bytes with %s (limit %d)",
            size,
            error.kind.value,
            self.max_frame_bytes,
        )
        if self._observer is not None:
            self._observer.message("in", _CALL, action)
        self._answer_error(
            unique_id if unique_id is not None else frames.UNKNOWN_MESSAGE_ID, action, error
        )
        return []

    def _on_call(self, call: Call) -> list[Event]:
        unique_id, action = call.unique_id, call.action
        if self._observer is not None:
            self._observer.message("in", _CALL, action)
        if unique_id in self._deferred:
            # A message id is unique per sender (OCPP-J 1.6 section 4.1.3; 2.0.1 part 4
            # section 4.1.3): a second CALL under the id of one still being handled cannot be
            # told apart from it in the answer. It gets its own answer, a CALLERROR saying so,
            # and the first keeps its handler and its answer.
            self._answer_error(
                unique_id,
                action,
                OcppError(
                    ErrorKind.GENERIC_ERROR,
                    f"a CALL with message id {unique_id} is still being handled",
                    {"messageId": unique_id},
                ),
            )
            return []
        try:
            result = self._dispatch(action, call.payload, answerable=True)
        except OcppError as error:
            self._answer_error(unique_id, action, error)
            return []
        except Exception:
            logger.exception("handler for %s [%s] raised", action, unique_id)
            self._answer_error(unique_id, action, internal_error(action))
            return []
        if isinstance(result, dict):
            self._answer(unique_id, action, result)
            return []
        if inspect.isawaitable(result):
            self._deferred[unique_id] = action
            return [HandlerDeferred(unique_id, action, result)]
        logger.error("handler for %s returned %r, not a payload", action, type(result))
        self._answer_error(unique_id, action, internal_error(action))
        return []

    def _on_send(self, send: Send) -> list[Event]:
        # A SEND is never answered, not even with an error (OCPP 2.1 part 4 section 4.2.5).
        if self._observer is not None:
            self._observer.message("in", _SEND, send.action)
        try:
            result = self._dispatch(send.action, send.payload, answerable=False)
        except OcppError as error:
            return self._drop(f"SEND {send.action} [{send.unique_id}] refused: {error}")
        except Exception:
            logger.exception("handler for SEND %s [%s] raised", send.action, send.unique_id)
            return []
        if inspect.isawaitable(result):
            self._deferred[send.unique_id] = None
            return [HandlerDeferred(send.unique_id, send.action, result)]
        return []

    def _dispatch(self, action: str, payload: Payload, *, answerable: bool) -> object:
        handler = handler_for(
            self.version, self.role, self._handlers, action, answerable=answerable
        )
        if self._validate:
            self._schemas.check_request(action, payload)
        return handler(payload)

    def _answer(self, unique_id: str, action: str, payload: Payload) -> None:
        schemas = self._schemas if self._validate else None
        frame = result_frame(schemas, unique_id, action, payload, self.max_frame_bytes)
        if isinstance(frame, OcppError):
            self._answer_error(unique_id, action, frame)
            return
        self._outbox.append(frame)
        if self._observer is not None:
            self._observer.message("out", _CALL_RESULT, action)

    def _answer_error(self, unique_id: str, action: str, error: OcppError) -> None:
        code = self._codes[error.kind]
        self._outbox.append(error_frame(unique_id, code, error, self.max_frame_bytes))
        if self._observer is not None:
            self._observer.message("out", _CALL_ERROR, action)
            self._observer.call_error("out", code)

    def respond(self, unique_id: str, payload: Payload) -> None:
        """Answer an incoming CALL whose handler was deferred (see :class:`HandlerDeferred`)."""
        if unique_id not in self._deferred:
            logger.warning("no deferred call %s to answer (session closed?)", unique_id)
            return
        action = self._deferred.pop(unique_id)
        if action is not None:
            self._answer(unique_id, action, payload)

    def respond_error(self, unique_id: str, error: BaseException) -> None:
        """Answer a deferred incoming CALL whose handler raised ``error``."""
        action = self._deferred.pop(unique_id, None)
        if action is None:
            # A SEND's handler, or a call the session no longer knows: nobody to answer.
            logger.warning("deferred handler for %s failed: %r", unique_id, error)
            return
        if isinstance(error, OcppError):
            self._answer_error(unique_id, action, error)
        else:
            logger.error("handler for %s [%s] raised", action, unique_id, exc_info=error)
            self._answer_error(unique_id, action, internal_error(action))

    # -- answers to our calls -----------------------------------------------------------------

    def _take_in_flight(self, unique_id: str, message_type: int) -> OutgoingCall | None:
        """The call in flight if ``unique_id`` answers it (which ends it), else None."""
        outgoing = self._calls.answered_by(unique_id)
        observer = self._observer
        if outgoing is None:
            if observer is not None:
                observer.message("in", message_type, "")
            return None
        if observer is not None:
            observer.message("in", message_type, outgoing.action)
            sent_at = self._calls.sent_at(outgoing)
            observer.call_answered(outgoing.action, self._clock() - sent_at)
        return outgoing

    def _on_call_result(self, result: CallResult) -> list[Event]:
        outgoing = self._take_in_flight(result.unique_id, _CALL_RESULT)
        if outgoing is None:
            return self._drop(f"CALLRESULT for unknown id {result.unique_id!r}")
        if self._validate:
            try:
                self._schemas.check_response(outgoing.action, result.payload)
            except OcppError as error:
                return self._reject_result(outgoing, error.kind, error.description)
        return [CallAnswered(outgoing.unique_id, outgoing.action, result.payload)]

    def _on_call_error(self, error: CallError) -> list[Event]:
        if self._observer is not None:
            self._observer.call_error("in", error.error_code)
        outgoing = self._take_in_flight(error.unique_id, _CALL_ERROR)
        if outgoing is None:
            return self._drop(f"CALLERROR for unknown id {error.unique_id!r}")
        reply = CallErrorReply(
            outgoing.action,
            outgoing.unique_id,
            error.error_code,
            error.error_description,
            error.error_details,
        )
        return [CallFailed(outgoing.unique_id, outgoing.action, reply)]

    def _on_malformed_answer(self, error: FrameError) -> list[Event]:
        outgoing = (
            None
            if error.unique_id is None
            else self._take_in_flight(error.unique_id, error.message_type or 0)
        )
        if outgoing is None:
            return self._drop(f"malformed answer to no call of ours: {error}")
        if error.message_type == MessageType.CALL_RESULT:
            return self._reject_result(outgoing, error.kind, error.description)
        # A malformed CALLERROR still ends the call; CALLRESULTERROR answers CALLRESULTs only.
        logger.warning("malformed CALLERROR to %s: %s", outgoing.action, error)
        failure = MalformedCallResult(outgoing.action, outgoing.unique_id, error.kind, str(error))
        return [CallFailed(outgoing.unique_id, outgoing.action, failure)]

    def _reject_result(self, outgoing: OutgoingCall, kind: ErrorKind, why: str) -> list[Event]:
        logger.warning(
            "CALLRESULT to %s [%s] rejected: %s", outgoing.action, outgoing.unique_id, why
        )
        self._send_result_error(outgoing.unique_id, outgoing.action, kind, why)
        failure = MalformedCallResult(outgoing.action, outgoing.unique_id, kind, why)
        return [CallFailed(outgoing.unique_id, outgoing.action, failure)]

    def refuse_answer(self, unique_id: str, action: str, error: OcppError) -> None:
        """The CALLRESULT ``unique_id`` to our ``action`` passed its schema, and processing it
        failed with ``error`` (an InternalError for a failure that is no OcppError): 2.1 tells
        the peer with a CALLRESULTERROR; a version without one only logs it.

        Raises:
            ValueError: the version has no CALLRESULTERROR (the caller asks
                ``version.supports_call_result_error`` first).
        """
        if not self.version.supports_call_result_error:
            raise ValueError(f"OCPP {self.version.name} has no CALLRESULTERROR")
        logger.warning("CALLRESULT to %s [%s] could not be processed: %s", action, unique_id, error)
        self._send_result_error(unique_id, action, error.kind, error.description)

    def _send_result_error(self, unique_id: str, action: str, kind: ErrorKind, why: str) -> None:
        if not self.version.supports_call_result_error:
            return
        # OCPP 2.1 part 4 section 4.2.4: tell the peer its CALLRESULT was not accepted.
        self._outbox.append(
            frames.encode_call_error(
                unique_id, self._codes[kind], why, {}, MessageType.CALL_RESULT_ERROR
            )
        )
        if self._observer is not None:
            self._observer.message("out", _CALL_RESULT_ERROR, action)

    def _on_call_result_error(self, error: frames.CallResultError) -> list[Event]:
        if self._observer is not None:
            self._observer.message("in", _CALL_RESULT_ERROR, "")
        logger.warning(
            "peer rejected our CALLRESULT [%s]: %s %s",
            error.unique_id,
            error.error_code,
            error.error_description,
        )
        return [
            CallResultErrorReceived(
                error.unique_id, error.error_code, error.error_description, error.error_details
            )
        ]

    def _drop(self, reason: str) -> list[Event]:
        logger.warning("dropped: %s", reason)
        return [FrameDropped(reason)]

    # -- time and teardown --------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        """When :meth:`expire` next has work to do, on the session's clock; None if never."""
        return self._calls.next_deadline()

    def expire(self) -> list[Event]:
        """Fail the outstanding call if its deadline has passed, and send the next one."""
        outgoing = self._calls.expired()
        if outgoing is None:
            return []
        if self._observer is not None:
            self._observer.call_timed_out(outgoing.action)
        timeout = CallTimeout(
            outgoing.action, outgoing.unique_id, f"no answer within {self._call_timeout:g} s"
        )
        return [CallFailed(outgoing.unique_id, outgoing.action, timeout)]

    def close(self) -> list[Event]:
        """End the session: every call not yet answered fails with CallCancelled."""
        self._closed = True
        pending = self._calls.cancel()
        self._deferred.clear()
        return [
            CallFailed(
                o.unique_id, o.action, CallCancelled(o.action, o.unique_id, "connection closed")
            )
            for o in pending
        ]

    def data_to_send(self) -> list[bytes]:
        """The frames to send, in order, each the UTF-8 text of one WebSocket text message."""
        outbox = self._outbox
        self._outbox = []
        return outbox


__all__ = ["DEFAULT_CALL_TIMEOUT", "Session", "new_unique_id", "unique_ids"]
