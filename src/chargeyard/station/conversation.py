"""What a station keeps of its conversation with the central system between frames: the
answers it awaits to the CALLs it sent, and the work that must follow an answer it gives. No
I/O.

Outgoing calls take continuations (``on_result`` / ``on_error``, ``calls.py``) instead of being
awaited, so that ten thousand stations need no task per conversation and a test can step
through an hour in a loop: :meth:`Conversation.expect` keeps them by the CALL's unique id and
:meth:`Conversation.handle` runs the one an answer, an error or a timeout settles. Work that
must follow an answer we give (TriggerMessage sends its message *after* its CALLRESULT, OCPP 1.6
section 5.17) waits in :meth:`Conversation.after_answer` until the station has queued the
answer and calls :meth:`Conversation.run_after_answer`.

OCPP 2.1 adds CALLRESULTERROR (part 4 section 4.2.4): a CALLRESULT the station cannot process
is answered with one. The session sends it for an answer its schema refuses; for an answer whose
continuation fails, :meth:`Conversation.handle` is given the session's ``refuse_answer`` (2.1
only: in older versions the failure goes on up, as before). One the central system sends about
an answer of ours is logged with the station's identity.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from chargeyard.protocol import (
    CallAnswered,
    CallFailed,
    CallResultErrorReceived,
    ErrorKind,
    Event,
    OcppError,
)
from chargeyard.station.calls import OnError, OnResult, ignore_result

logger = logging.getLogger(__name__)

# How an answer the station cannot process is refused: (unique id, action, why).
Refuse = Callable[[str, str, OcppError], None]


class Conversation:
    """The continuations of a station's CALLs and the work after its answers.

    Args:
        identity: the station's, for the log.
    """

    __slots__ = ("_after_answer", "_continuations", "_identity")

    def __init__(self, identity: str) -> None:
        self._identity = identity
        self._continuations: dict[str, tuple[OnResult, OnError | None]] = {}
        self._after_answer: list[Callable[[], None]] = []

    @property
    def awaiting(self) -> int:
        """CALLs sent and not answered yet."""
        return len(self._continuations)

    def expect(self, unique_id: str, on_result: OnResult, on_error: OnError | None) -> None:
        """The CALL ``unique_id`` went out: its answer continues with ``on_result``, its
        failure with ``on_error`` (None: it is only logged)."""
        self._continuations[unique_id] = (on_result, on_error)

    def handle(self, events: list[Event], refuse: Refuse | None = None) -> None:
        """Run the continuations the session's ``events`` settle (other events are the
        session's business).

        Args:
            refuse: how an answer whose continuation fails is refused (2.1: the session's
                ``refuse_answer``, a CALLRESULTERROR); None: the failure is raised.
        """
        for event in events:
            if isinstance(event, CallAnswered):
                on_result, _ = self._continuations.pop(event.unique_id, (ignore_result, None))
                if refuse is None:
                    on_result(event.payload)
                    continue
                try:
                    on_result(event.payload)
                except OcppError as error:
                    refuse(event.unique_id, event.action, error)
                except Exception as error:  # an answer the station could not process
                    logger.exception("%s: the answer to %s failed", self._identity, event.action)
                    failure = OcppError(
                        ErrorKind.INTERNAL_ERROR, f"{event.action}: {type(error).__name__}"
                    )
                    refuse(event.unique_id, event.action, failure)
            elif isinstance(event, CallResultErrorReceived):
                # 2.1 part 4 section 4.2.4: the central system could not process our answer.
                logger.warning(
                    "%s: the central system refused our answer [%s]: %s %s",
                    self._identity,
                    event.unique_id,
                    event.error_code,
                    event.error_description,
                )
            elif isinstance(event, CallFailed):
                _, on_error = self._continuations.pop(event.unique_id, (ignore_result, None))
                logger.info("%s: %s failed: %s", self._identity, event.action, event.error)
                if on_error is not None:
                    on_error(event.error)

    def after_answer(self, work: Callable[[], None]) -> None:
        """Run ``work`` once the answer to the request being handled is queued to send."""
        self._after_answer.append(work)

    def run_after_answer(self) -> None:
        """The answers are queued: run what follows them, and what that work queues in turn."""
        while self._after_answer:
            work, self._after_answer = self._after_answer, []
            for item in work:
                item()

    def forget_after_answer(self) -> None:
        """The connection is gone: what was to follow its answers will not happen."""
        self._after_answer.clear()


__all__ = ["Conversation"]
