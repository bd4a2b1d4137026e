"""The fleet host's writer: what became of commands, and the charger log lines, written in
batches by one task so that applying commands never waits for the database.

A command fanned out to a thousand chargers yields a thousand outcomes within a few
milliseconds; they are recorded in one transaction per ``batch`` (``commands.record_outcomes``),
then reported on the bus, so that whoever waits for an outcome finds it stored. Log lines
(a runtime started, a command refused, a session ended) follow. A batch the database refused
is kept and retried at the next wake-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from chargeyard.bus import CommandBus, CommandMessage, CommandOutcome
from chargeyard.gateway.executor import Outcome
from chargeyard.store import ConflictError, NotFoundError, Store
from chargeyard.store.models import CommandStatus

logger = logging.getLogger(__name__)

_LogLine = tuple[str, str, str, str, str | None, dict[str, Any] | None]


def stored_status(outcome: Outcome, *, deferred: bool = False) -> CommandStatus:
    """The status a command's outcome is stored with (``CommandStatus``): applied
    (``deferred`` when its station was offline), rejected when refused, else failed."""
    if outcome.ok:
        return CommandStatus.DEFERRED if deferred else CommandStatus.SUCCEEDED
    return CommandStatus.REJECTED if outcome.refused else CommandStatus.FAILED


class OutcomeWriter:
    """Queue with :meth:`finish` and :meth:`log` (never await); :meth:`start` /
    :meth:`close` own the writing task."""

    def __init__(self, store: Store, bus: CommandBus, *, batch: int = 500) -> None:
        self.store = store
        self.bus = bus
        self.batch = batch
        self._outcomes: list[tuple[CommandMessage, Outcome, CommandStatus]] = []
        self._logs: list[_LogLine] = []
        self._work = asyncio.Event()
        self._written = asyncio.Event()
        self._writing = False
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    def finish(
        self, message: CommandMessage, outcome: Outcome, status: CommandStatus | None = None
    ) -> None:
        """Record what became of a command, with ``status`` (None: :func:`stored_status`);
        one not applied gets a warning line too."""
        self._outcomes.append((message, outcome, status or stored_status(outcome)))
        if not outcome.ok:
            self._logs.append(
                (
                    message.organization_id,
                    message.charger_id,
                    "warning",
                    f"{message.event_type} failed: {outcome.error}",
                    message.command_id,
                    None,
                )
            )
        self._work.set()

    def log(
        self,
        organization_id: str,
        charger_id: str,
        text: str,
        *,
        level: str = "info",
        command_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Append a line to the charger's log (``charger_logs``)."""
        self._logs.append((organization_id, charger_id, level, text, command_id, data))
        self._work.set()

    @property
    def idle(self) -> bool:
        """Nothing waits to be written and nothing is being written."""
        return not (self._outcomes or self._logs or self._writing)

    async def written(self) -> None:
        """Return after the next write (or within 50 ms)."""
        self._written.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.05):
                await self._written.wait()

    def start(self) -> None:
        self._closing = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="outcome-writer")

    async def close(self) -> None:
        """Write what waits, then stop."""
        task, self._task = self._task, None
        if task is None:
            return
        self._closing = True
        self._work.set()
        await task

    async def _run(self) -> None:
        while True:
            await self._work.wait()
            self._work.clear()
            self._writing = True
            try:
                await self._write()
            except Exception:
                logger.exception("writing command outcomes failed; will retry")
                await asyncio.sleep(0.1)
                self._work.set()
            finally:
                self._writing = False
                self._written.set()
            if self._closing and not self._outcomes and not self._logs:
                return

    async def _write(self) -> None:
        while self._outcomes:
            batch = self._outcomes[: self.batch]
            del self._outcomes[: self.batch]
            try:
                await self.store.commands.record_outcomes(
                    [
                        (
                            message.organization_id,
                            message.command_id,
                            status,
                            outcome.result,
                            outcome.error,
                        )
                        for message, outcome, status in batch
                    ]
                )
            except Exception:
                self._outcomes[:0] = batch
                raise
            for message, outcome, _ in batch:
                await self.bus.report(
                    CommandOutcome(
                        command_id=message.command_id,
                        organization_id=message.organization_id,
                        charger_id=message.charger_id,
                        ok=outcome.ok,
                        result=outcome.result,
                        error=outcome.error,
                    )
                )
        logs, self._logs = self._logs, []
        for organization_id, charger_id, level, text, command_id, data in logs:
            # A charger (or command) deleted meanwhile takes its lines with it.
            with contextlib.suppress(NotFoundError, ConflictError):
                await self.store.charger_logs.append(
                    organization_id,
                    charger_id,
                    text,
                    level=level,
                    command_id=command_id,
                    data=data,
                )
