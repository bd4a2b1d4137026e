"""The buses under test: every contract test runs on :class:`InMemoryBus`, on :class:`RedisBus`
(lists) and on the streams design that ``benchmarks/bus.py`` measures against it
(``benchmarks/_streams_bus.py``: it is held to the same contract, so that the comparison is
between two buses that do the same work). The Redis ones need ``CHARGEYARD_TEST_REDIS_URL``;
without it they are skipped, visibly. Each test gets a key prefix of its own, and its keys are
deleted after it."""

from __future__ import annotations

import importlib
import os
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from chargeyard.bus import InMemoryBus
from chargeyard.bus.redis_bus import RedisBus

REDIS_ENV = "CHARGEYARD_TEST_REDIS_URL"
SKIP_REDIS = f"needs Redis: set {REDIS_ENV} (scripts/test sets it when 127.0.0.1:6379 answers)"
BUSES = ["memory", "redis", "redis-streams"]
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

Bus = InMemoryBus | RedisBus


def streams_bus() -> type[RedisBus]:
    """``benchmarks/_streams_bus.py``'s ``RedisStreamsBus`` (imported as the benchmark does, from
    its folder)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.append(str(BENCHMARKS))
    bus_class: type[RedisBus] = importlib.import_module("_streams_bus").RedisStreamsBus
    return bus_class


def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(SKIP_REDIS)
    return url


async def delete_keys(url: str, prefix: str) -> None:
    """Every key under ``prefix`` gone (a test's, after it)."""
    client: Redis = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@asynccontextmanager
async def bus_maker(kind: str) -> AsyncIterator[Callable[..., Bus]]:
    """Makes the buses of one test: in memory, one bus whatever is asked (one process); on
    Redis, a new bus per call (one per process), all on the test's prefix, each made with the
    keyword arguments of the call (``watch_s=...``)."""
    if kind == "memory":
        memory = InMemoryBus()
        yield lambda **_options: memory
        await memory.close()
        return
    url = redis_url()
    prefix = f"chargeyard-test:{uuid.uuid4().hex}:"
    made: list[RedisBus] = []
    kind_of_bus = streams_bus() if kind == "redis-streams" else RedisBus

    def make(**options: Any) -> RedisBus:
        made.append(kind_of_bus(url, prefix=prefix, **options))
        return made[-1]

    try:
        yield make
    finally:
        for bus in made:
            await bus.close()
        await delete_keys(url, prefix)
