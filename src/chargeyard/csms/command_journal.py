"""The command history's writer: a :class:`StationLink` that keeps every call it makes.

The API hands each request a :class:`JournaledLink` around the central system's link
(``api/v1/deps.py``), naming the caller (the API key) and the endpoint. Every OCPP call a
command makes then goes through :meth:`JournaledLink.call`, which times it and keeps it, with
the answer or the error, in the command history (``store/repositories/sent_commands.py``): a
command that makes two calls (2.0.1 ``configuration/get`` asks for a report, then by name) is
two entries, each as it went. Calls refused before anything could be sent for a reason of the
request itself (a payload that breaks its schema, a frame over the limit: 422 and 413) are not
commands sent and are not kept. A call that could not go for the station's sake (its boot was
Rejected, it left between the version lookup and the call, the path to its node is down) is
kept with that outcome. A command to a station connected nowhere fails at the lookup of its
version, before any call is chosen: it is answered 503 and not kept.

Why off the answer's path: an entry is a write, and on SQLite a write waits for the process's
writer turn behind the stations' samples and frames; under a thousand stations' traffic that
wait doubled a command's round trip. So :class:`EntryKeeper` (one per API process) writes
each entry in a task of its own while the answer goes out, and a reader of the history waits
for the entries still being written (:meth:`EntryKeeper.settled`) before it reads, so that a
command is in the history the API shows once its answer came. An entry that cannot be
written within :data:`KEEP_WAIT_S` (the database gone, which a store write would wait 30 s
for) is logged as lost; the command's answer never depends on it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import orjson

from chargeyard.csms.commands.basic_password import without_password
from chargeyard.csms.station_calls import (
    StationDidNotAnswer,
    StationNotConnected,
    StationRefused,
    StationRejected,
    StationsUnreachable,
)
from chargeyard.csms.station_link import ForwardingLink, StationLink
from chargeyard.protocol import MalformedCallResult, OcppError, Payload
from chargeyard.store.models import CallOutcome
from chargeyard.store.repositories import NewSentCommand
from chargeyard.store.types import utc_now

logger = logging.getLogger(__name__)

KEEP_WAIT_S = 2.0
"""How long an entry's write may take: well above a write's usual milliseconds, well below
the 30 s a store write waits for a database that went away."""


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a command: the API key, by id and by the name its owner gave it."""

    api_key_id: str | None
    name: str | None


class CommandJournal(Protocol):
    """Where entries go (:class:`~chargeyard.store.repositories.SentCommandRepository`)."""

    async def record(self, entry: NewSentCommand) -> str: ...


@dataclass(frozen=True, slots=True)
class _Ending:
    outcome: CallOutcome
    status: str | None
    error: str


def _ending(error: Exception) -> _Ending | None:
    """How a call that raised ``error`` ended; None for a request refused as invalid."""
    if isinstance(error, OcppError):  # also FrameTooLarge: the request's fault, nothing sent
        return None
    if isinstance(error, StationRefused):
        return _Ending(CallOutcome.CALL_ERROR, error.code, str(error))
    if isinstance(error, StationDidNotAnswer):
        return _Ending(CallOutcome.TIMEOUT, None, str(error))
    if isinstance(error, MalformedCallResult):
        return _Ending(CallOutcome.INVALID_ANSWER, None, error.description)
    if isinstance(error, StationNotConnected):
        return _Ending(CallOutcome.NOT_CONNECTED, None, str(error))
    if isinstance(error, StationRejected):
        return _Ending(CallOutcome.REJECTED, None, str(error))
    if isinstance(error, StationsUnreachable):
        return _Ending(CallOutcome.UNREACHABLE, None, str(error))
    return _Ending(CallOutcome.FAILED, None, f"{type(error).__name__}: {error}")


def _json(payload: object) -> str:
    return orjson.dumps(payload).decode()


class EntryKeeper:
    """Writes history entries to ``journal`` in tasks of their own (the module docstring says
    why); one per API process."""

    def __init__(self, journal: CommandJournal) -> None:
        self._journal = journal
        self._writing: set[asyncio.Task[None]] = set()

    def keep(self, entry: NewSentCommand) -> None:
        """Start writing one entry; returns at once."""
        task = asyncio.get_running_loop().create_task(self._write(entry))
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def settled(self) -> None:
        """Return once the entries being written when called are written (or given up)."""
        if self._writing:
            await asyncio.wait(set(self._writing))

    async def _write(self, entry: NewSentCommand) -> None:
        try:
            async with asyncio.timeout(KEEP_WAIT_S):
                await self._journal.record(entry)
        except Exception as failure:  # the command's answer stands; its entry is lost
            logger.warning(
                "command %s to %s not kept in the command history: %s",
                entry.action,
                entry.charge_box_id,
                type(failure).__name__,
            )


class JournaledLink(ForwardingLink):
    """``link`` for one API request: each call is kept by ``keeper`` as sent by ``caller``
    through ``endpoint`` (``"POST /api/v1/chargers/{chargeBoxId}/reset"``); the rest passes
    through unchanged."""

    __slots__ = ("_caller", "_clock", "_endpoint", "_keeper", "_timer")

    def __init__(
        self,
        link: StationLink,
        keeper: EntryKeeper,
        *,
        caller: Caller,
        endpoint: str,
        clock: Callable[[], datetime] = utc_now,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(link)
        self._keeper = keeper
        self._caller = caller
        self._endpoint = endpoint
        self._clock = clock
        self._timer = timer

    # -- what is kept ------------------------------------------------------------------------

    async def call(
        self,
        identity: str,
        action: str,
        payload: Payload,
        timeout: float | None = None,  # noqa: ASYNC109 - the command's own limit
    ) -> Payload:
        sent_at, started = self._clock(), self._timer()
        try:
            answer = await self._link.call(identity, action, payload, timeout)
        except Exception as error:
            ending = _ending(error)
            if ending is not None:
                self._keep(
                    identity,
                    action,
                    payload,
                    sent_at,
                    started,
                    ending.outcome,
                    status=ending.status,
                    error=ending.error,
                )
            raise
        status = answer.get("status")
        self._keep(
            identity,
            action,
            payload,
            sent_at,
            started,
            CallOutcome.ANSWERED,
            response=answer,
            status=status if isinstance(status, str) else None,
        )
        return answer

    def _keep(
        self,
        identity: str,
        action: str,
        payload: Payload,
        sent_at: datetime,
        started: float,
        outcome: CallOutcome,
        *,
        response: Payload | None = None,
        status: str | None = None,
        error: str | None = None,
    ) -> None:
        self._keeper.keep(
            NewSentCommand(
                identity,
                endpoint=self._endpoint,
                action=action,
                # A01.FR.09: a password the call set is not kept in clear.
                request=_json(without_password(action, payload)),
                response=None if response is None else _json(response),
                outcome=outcome,
                status=status,
                error=error,
                sent_at=sent_at,
                duration_ms=(self._timer() - started) * 1000,
                api_key_id=self._caller.api_key_id,
                api_key_name=self._caller.name,
            )
        )
