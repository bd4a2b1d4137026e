"""Waiting for what the code under test does on its own time: the one polling helper of the
suite. Each waits at most ``within`` seconds (then ``TimeoutError`` fails the test), checking
every ``every`` seconds; a test on an injected clock advances the clock instead of polling."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def until(condition: Callable[[], bool], within: float = 5.0, every: float = 0.01) -> None:
    """Until ``condition()`` holds: state in this process that the code under test changes."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - polling state the code under test changes
            await asyncio.sleep(every)


async def eventually(
    condition: Callable[[], Awaitable[bool]], within: float = 5.0, every: float = 0.02
) -> None:
    """Until ``await condition()`` holds: a question to a store, an API or another process."""
    async with asyncio.timeout(within):
        while not await condition():  # noqa: ASYNC110 - polling what is written elsewhere
            await asyncio.sleep(every)


async def polled(
    probe: Callable[[], Awaitable[T]],
    condition: Callable[[T], bool],
    within: float = 5.0,
    every: float = 0.02,
) -> T:
    """``await probe()``'s value once ``condition`` holds for it."""
    async with asyncio.timeout(within):
        while not condition(value := await probe()):  # noqa: ASYNC110 - polling a reader
            await asyncio.sleep(every)
    return value
