"""Suite-wide: the event loop the asynchronous tests run on.

By default asyncio's own. With ``CHARGEYARD_EVENT_LOOP=uvloop`` in the environment, every
asynchronous test runs on uvloop instead, as ``chargeyard csms`` does
(``chargeyard/event_loop.py``): ``CHARGEYARD_EVENT_LOOP=uvloop scripts/test``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

import pytest

from chargeyard.event_loop import ENVIRONMENT_VARIABLE, LoopFactory, loop_factory

if os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() == "uvloop":
    _NAME, _FACTORY = loop_factory("uvloop")

    def pytest_asyncio_loop_factories(
        config: pytest.Config, item: pytest.Item
    ) -> Mapping[str, LoopFactory]:
        return {_NAME: _FACTORY}


@pytest.fixture
def cluster_database() -> Iterator[str]:
    """A PostgreSQL database of the test's own on ``CHARGEYARD_TEST_POSTGRES_URL``'s server,
    for processes of a cluster to share; dropped after the test."""
    from tests.store.conftest import PostgresDatabases, postgres_admin_url

    databases = PostgresDatabases(postgres_admin_url())
    try:
        yield databases.create()
    finally:
        databases.drop_all()


@pytest.fixture
def cluster_redis(worker_id: str) -> str:
    """A Redis database of the test's own on ``CHARGEYARD_TEST_REDIS_URL``'s server, empty,
    for processes of a cluster to share: the workers' bus keeps its node set under one key, so
    two tests running workers at once (``pytest -n``) on one database would route each
    other's chargers. Database 1 + the xdist worker's number (one test at a time each)."""
    from redis import Redis
    from sqlalchemy import make_url

    from tests.bus.buses import redis_url

    number = 0 if worker_id == "master" else int(worker_id.removeprefix("gw"))
    url = make_url(redis_url()).set(database=str(1 + number)).render_as_string()
    client: Redis = Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
    return url
