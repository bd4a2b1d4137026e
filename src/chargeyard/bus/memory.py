"""The in-process command bus: an asyncio queue one way, futures the other.

One consumer (the process's fleet host) reads every command; several would share them, which
is only right when every consumer hosts every charger, so the embedded deployment has one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from chargeyard.bus.base import CommandMessage, CommandOutcome

_CLOSED = None


class InMemoryBus:
    """A :class:`~chargeyard.bus.CommandBus` within one event loop."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[CommandMessage | None] = asyncio.Queue()
        self._waiters: dict[str, list[asyncio.Future[CommandOutcome]]] = {}
        self._closed = False
        self.published = 0
        self.reported = 0

    async def publish(self, message: CommandMessage) -> None:
        if self._closed:
            raise RuntimeError("the bus is closed")
        self._queue.put_nowait(message)
        self.published += 1

    async def publish_many(self, messages: list[CommandMessage]) -> None:
        for message in messages:
            await self.publish(message)

    async def consume(self) -> AsyncIterator[CommandMessage]:
        while True:
            message = await self._queue.get()
            if message is _CLOSED:
                self._queue.put_nowait(_CLOSED)  # every other consumer ends too
                return
            yield message

    def pending(self) -> int:
        """Commands published and not yet taken by a consumer."""
        return self._queue.qsize()

    async def report(self, outcome: CommandOutcome) -> None:
        self.reported += 1
        for waiter in self._waiters.pop(outcome.command_id, []):
            if not waiter.done():
                waiter.set_result(outcome)

    async def wait_outcome(self, command_id: str) -> CommandOutcome:
        waiter: asyncio.Future[CommandOutcome] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(command_id, []).append(waiter)
        try:
            return await waiter
        finally:
            waiters = self._waiters.get(command_id)
            if waiters is not None and waiter in waiters:
                waiters.remove(waiter)
                if not waiters:
                    del self._waiters[command_id]

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put_nowait(_CLOSED)
