"""A clock for the central system's waits (``csms/boot_grace.py``'s ``GraceClock``) that moves
only when a test says so."""

from __future__ import annotations

import asyncio


class MovedClock:
    """The boot grace's clock: time moves only when the test says so (:meth:`advance`)."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [(until, future) for until, future in self._sleepers if until <= self.now]
        for item in due:
            self._sleepers.remove(item)
            if not item[1].done():
                item[1].set_result(None)
