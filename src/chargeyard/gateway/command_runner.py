"""Taking a fleet host's commands off the bus and applying each to its station.

One consumer task takes the host's commands in order. A command that waits for the central
system's answers (``CommandSpec.waits``: proxy-message, start-session, authorize,
start-transaction) runs beside the queue as a task of its own, so that it does not hold the
queue up; every other command is applied before the next is taken. Each outcome goes to the
host's ``finish`` (counted, told to the metrics, written in batches by the
:class:`~chargeyard.gateway.outcomes.OutcomeWriter`); one applied while its station was
offline is finished as deferred and followed until the station is online again
(``deferrals.py``). A session that a start-session watched logs how it ended under the
command's id.

A command whose charger is on its way between hosts (this one hands it to another worker, or
it runs nowhere yet though it wants to run: handed off, its lease not taken yet) is passed on:
put on the bus again after :data:`PASS_ON_AFTER_S`, where it reaches whichever host holds the
charger by then, up to :data:`MAX_PASSES` times (as long as the API waits for a charger that
wants to run to be picked up, ``dispatch.PICKUP_WAIT_S``). Only then does it fail "not
running". A command passed on may come after one sent later straight to the new host.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from chargeyard.bus import BusUnreachable, CommandBus, CommandMessage
from chargeyard.gateway.commands import COMMANDS, CommandSpec
from chargeyard.gateway.deferrals import Deferrals
from chargeyard.gateway.executor import Executor, Outcome
from chargeyard.gateway.outcomes import OutcomeWriter
from chargeyard.station.core import SimulatedStation

logger = logging.getLogger(__name__)

NOT_RUNNING = "charger is not running"

PASS_ON_AFTER_S = 0.25
"""How long a command whose charger is between hosts waits before it goes on the bus again."""
MAX_PASSES = 60
"""How many times it is passed on at most (15 s at :data:`PASS_ON_AFTER_S`)."""


class CommandRunner:
    """Applies the commands the bus brings to ``node`` (see the module docstring).

    Args:
        station_for: the running station a command is for (its organization and charger),
            or None when it does not run here.
        finish: told of every command's outcome, and whether it is deferred (applied while
            its station was offline).
        deferrals: where a deferred command is followed until its station is online.
        in_transit: whether a command's charger is on its way to another host (asked when
            its station does not run here, or goes down): then the command is passed on.
    """

    def __init__(
        self,
        bus: CommandBus,
        node: str,
        executor: Executor,
        writer: OutcomeWriter,
        station_for: Callable[[CommandMessage], SimulatedStation | None],
        finish: Callable[[CommandMessage, Outcome, bool], None],
        deferrals: Deferrals,
        in_transit: Callable[[CommandMessage], Awaitable[bool]] | None = None,
    ) -> None:
        self.bus = bus
        self.node = node
        self.executor = executor
        self._writer = writer
        self._station_for = station_for
        self._finish = finish
        self._deferrals = deferrals
        self._in_transit = in_transit
        self._consumer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # commands that wait (CommandSpec.waits)

    async def busy(self) -> bool:
        """Commands are waiting on the bus or for their answers."""
        return bool(self._tasks) or await self.bus.pending(self.node) > 0

    def start(self) -> None:
        if self._consumer is not None:
            raise RuntimeError("the command runner is already started")
        loop = asyncio.get_running_loop()
        self._consumer = loop.create_task(self._consume(), name="fleet-host-consumer")

    async def close(self) -> None:
        """Stop taking commands and cancel those that wait."""
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.cancel()
            await asyncio.gather(consumer, return_exceptions=True)
        if self._tasks:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _consume(self) -> None:
        async for message in self.bus.consume(self.node):
            try:
                await self._handle(message)
            except Exception as error:  # a bug must not stop the queue
                logger.exception("applying command %s failed", message.command_id)
                self._finish(message, Outcome.failed(f"internal error: {error!r}"), False)

    async def _handle(self, message: CommandMessage) -> None:
        spec = COMMANDS.get(message.event_type)
        if spec is None:
            unknown = Outcome.failed(f"unknown command {message.event_type!r}")
            self._finish(message, unknown, False)
            return
        station = self._station_for(message)
        going = station is None or not station.powered or station.going_down
        if going and await self._passed_on(message):
            return
        if station is None:
            self._finish(message, Outcome.failed(NOT_RUNNING), False)
            return
        if spec.waits:
            self._spawn(self._apply(message, spec, station))
            # Let it act (plug, present its tag) before the next command is applied: its first
            # step runs before this consumer resumes, the loop's ready queue being FIFO.
            await asyncio.sleep(0)
            return
        await self._apply(message, spec, station)

    async def _apply(
        self, message: CommandMessage, spec: CommandSpec, station: SimulatedStation
    ) -> None:
        outcome = await self.executor.apply(
            station,
            message.event_type,
            message.payload,
            on_session_end=self._session_logger(message),
        )
        # Done at the station, which keeps what it reports until it is online again.
        deferred = outcome.ok and spec.reported and not station.online
        self._finish(message, outcome, deferred)
        if deferred:
            self._deferrals.hold(message, outcome, station)

    async def _passed_on(self, message: CommandMessage) -> bool:
        """Pass ``message`` on when its charger is between hosts (the module docstring)."""
        if self._in_transit is None or message.passes >= MAX_PASSES:
            return False
        if not await self._in_transit(message):
            return False
        self._spawn(self._pass_on(dataclasses.replace(message, passes=message.passes + 1)))
        return True

    async def _pass_on(self, message: CommandMessage) -> None:
        try:
            await asyncio.sleep(PASS_ON_AFTER_S)
        finally:
            # (Also when this host closes meanwhile: the command is never left in no queue.)
            try:
                await self.bus.publish(message)
            except (BusUnreachable, RuntimeError) as error:
                self._finish(message, Outcome.failed(f"not passed on: {error}"), False)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _session_logger(self, message: CommandMessage) -> Callable[[dict[str, Any]], None]:
        def ended(details: dict[str, Any]) -> None:
            self._writer.log(
                message.organization_id,
                message.charger_id,
                f"session ended: {details['reason']}",
                command_id=message.command_id,
                data=details,
            )

        return ended
