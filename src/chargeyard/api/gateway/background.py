"""Work the gateway's routes answer 202 for and do afterwards (``POST /ocpp/deployment-runtime-ops``
on a location): every task is owned by the app's :class:`BackgroundWork`, which the assembler
closes with the API (``stack.py``), cancelling what still runs. Such work is not durable: a
process that stops forgets it, as OCPPLab's own says of it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request

logger = logging.getLogger(__name__)


class BackgroundWork:
    """Runs coroutines as tasks it owns: :meth:`spawn`, :meth:`wait_idle`, :meth:`close`."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(self._logged(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        """Return once every task spawned so far has finished (tests; bound it)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    @staticmethod
    async def _logged(work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await work
        except Exception:  # a task nobody awaits: its failure is said, not lost
            logger.exception("%s failed", name)


async def get_background(request: Request) -> BackgroundWork:
    """The app's background work, made on first use."""
    work: BackgroundWork | None = getattr(request.app.state, "background", None)
    if work is None:
        work = request.app.state.background = BackgroundWork()
    return work


BackgroundDep = Annotated[BackgroundWork, Depends(get_background)]
