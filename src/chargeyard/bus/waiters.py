"""Who waits for which command's outcome, in one bus instance: both buses keep their waiters
here (``memory.py``, ``redis_bus.py``); they differ only in where an outcome comes from."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from chargeyard.bus.base import CommandOutcome


class OutcomeWaiters:
    """Futures by command id; a wait that ends, by an outcome or cancelled, leaves none."""

    def __init__(self) -> None:
        self._by_command: dict[str, list[asyncio.Future[CommandOutcome]]] = {}

    @contextmanager
    def waiting_for(self, command_id: str) -> Iterator[asyncio.Future[CommandOutcome]]:
        """A future that :meth:`deliver` resolves, registered for the length of the block."""
        waiter: asyncio.Future[CommandOutcome] = asyncio.get_running_loop().create_future()
        self._by_command.setdefault(command_id, []).append(waiter)
        try:
            yield waiter
        finally:
            waiters = self._by_command.get(command_id)
            if waiters is not None and waiter in waiters:
                waiters.remove(waiter)
                if not waiters:
                    del self._by_command[command_id]

    def deliver(self, outcome: CommandOutcome) -> None:
        """Wake every waiter of ``outcome``'s command."""
        for waiter in self._by_command.pop(outcome.command_id, []):
            if not waiter.done():
                waiter.set_result(outcome)

    def commands(self) -> list[str]:
        """The commands waited for now."""
        return list(self._by_command)

    def __len__(self) -> int:
        return sum(len(waiters) for waiters in self._by_command.values())
