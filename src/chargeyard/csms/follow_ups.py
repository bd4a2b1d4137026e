"""The CALLs the central system sends a station of its own accord once it has answered one of the
station's: CertificateSigned after an Accepted SignCertificate (OCPP 2.0.1 A02/A03; the 1.6
security extension), "shortly after" the answer, never before it.

A handler cannot send on its connection while it runs (its answer is not out yet), and the
connection is built after the handlers. So each connection gets a :class:`FollowUps`, attached
to it once built; :meth:`FollowUps.call_after_answer` starts the CALL as work the connection
owns, which it cancels when it closes (a station gone takes its follow-ups with it). The task
starts after the handler's answer is queued (the connection queues the CALLRESULT before the
task's first step), so the station reads the answer first.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from chargeyard.protocol import OcppError, Payload
from chargeyard.protocol.errors import CallErrorReply, CallFailure
from chargeyard.transport.connection import OcppConnection

logger = logging.getLogger(__name__)

Outcome = Callable[[Payload | None, str | None], Awaitable[None]]
"""Told what came of a follow-up: the station's CALLRESULT payload, or None and why not."""


class FollowUps:
    """One connection's follow-up CALLs; see the module docstring."""

    __slots__ = ("_connection",)

    def __init__(self) -> None:
        self._connection: OcppConnection | None = None

    def attach(self, connection: OcppConnection) -> None:
        """The connection the follow-ups go on (set once it is built)."""
        self._connection = connection

    def call_after_answer(self, action: str, payload: Payload, outcome: Outcome) -> None:
        """Send ``action`` once the CALL being handled is answered, then tell ``outcome``.

        Raises:
            RuntimeError: no connection is attached (a programming error).
        """
        connection = self._connection
        if connection is None:
            raise RuntimeError("follow-ups have no connection attached")

        async def send() -> None:
            try:
                answer = await connection.call(action, payload)
            except CallErrorReply as error:
                await outcome(None, f"CALLERROR {error.code}")
            except CallFailure as error:
                await outcome(None, type(error).__name__)
            except OcppError as error:  # our own payload broke the schema: nothing was sent
                logger.error("%s %s not sent: %s", connection.name, action, error)
                await outcome(None, "not sent")
            else:
                await outcome(answer, None)

        connection.spawn(send())
