"""What every Redis user shares (``RedisBus`` here, and the central system's seams across
processes in ``csms/cluster/``): the client as configured, what a lost connection raises, and
how an outage is logged and waited out (once when lost, once when back). It imports nothing of
chargeyard: the bus sits below the central system, which uses it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("chargeyard.bus.redis")

_T = TypeVar("_T")

LOST = (RedisConnectionError, RedisTimeoutError, OSError)
"""What a lost or refused connection raises."""


POOL_CONNECTIONS = 10_000
"""Connections a client opens at most: as many as it has commands in flight. redis-py 8 caps a
pool at 100 by default and fails the 101st command in flight at once ("Too many connections"),
which an API node asking about a location's thousand chargers reaches."""


def redis_client(url: str) -> Redis:
    """A client with its own connection pool (up to :data:`POOL_CONNECTIONS`); a command
    retries a few times, with back-off, before it raises one of :data:`LOST`."""
    return Redis.from_url(
        url,
        max_connections=POOL_CONNECTIONS,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=3),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )


def channel_scope(client: Redis) -> str:
    """What a pub/sub channel's name carries besides the prefix: the database number. Redis
    keeps one set of channels for all its numbered databases, so deployments kept apart by
    database (``redis://host/1``, ``redis://host/2``) would otherwise hear each other."""
    return f"db{client.connection_pool.connection_kwargs.get('db', 0)}:"


def where(url: str) -> str:
    """``host:port`` of a Redis URL, for messages (never its password)."""
    from redis.asyncio.connection import parse_url

    options = parse_url(url)
    return f"{options.get('host', 'localhost')}:{options.get('port', 6379)}"


def retrieved(task: asyncio.Task[Any]) -> None:
    """Mark an owned task's failure as seen: its owner reads it, or it failed after its reader
    went away (a cancelled consumer's pop), which is no news."""
    if not task.cancelled():
        task.exception()


class Outage:
    """One client's view of its Redis connection at ``location`` (``host:port``): its readers
    back off while it is lost. What is logged is the process's view, shared by every client
    of that location: the first to lose it logs the loss (a warning), the first to reach it
    again logs its return (info); a process whose bus, stations and events all use one Redis
    logs one outage once, not once per client."""

    INITIAL_S, CEILING_S = 0.05, 2.0

    _down: ClassVar[set[str]] = set()
    """The locations this process's clients found lost and have not reached since."""

    def __init__(self, location: str = "") -> None:
        self.location = location
        self._delay = self.INITIAL_S

    @property
    def down(self) -> bool:
        return self.location in self._down

    async def back_off(self, error: BaseException) -> None:
        if not self.down:
            self._down.add(self.location)
            logger.warning(
                "lost the Redis connection%s (%s); retrying with back-off", self._to(), error
            )
        await asyncio.sleep(self._delay)
        self._delay = min(self._delay * 2, self.CEILING_S)

    def ok(self) -> None:
        if self.down:
            self._down.discard(self.location)
            logger.info("the Redis connection%s is back", self._to())
        self._delay = self.INITIAL_S

    def _to(self) -> str:
        return f" to {self.location}" if self.location else ""


async def taken(
    redis: Redis, key: str, outage: Outage, closed: Callable[[], bool], block_s: float = 1.0
) -> AsyncIterator[bytes | str]:
    """What is pushed to the list ``key``, each taken once with ``BLPOP``, until ``closed()``;
    a lost connection is waited out with ``outage``'s back-off."""
    while not closed():
        try:
            popped = await redis.blpop([key], timeout=block_s)
        except LOST as error:
            await outage.back_off(error)
            continue
        outage.ok()
        if popped is not None:
            yield popped[1]


class OwnedTasks:
    """The background tasks of one Redis user (its readers, the work they hand out), all
    cancelled by :meth:`cancel` when it closes; a failure of one that nobody awaits is marked
    seen (:func:`retrieved`)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def own(self, work: Awaitable[_T]) -> asyncio.Task[_T]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(retrieved)
        return task

    async def cancel(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
