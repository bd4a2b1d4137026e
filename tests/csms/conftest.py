"""Fixtures of the CSMS tests: a fresh SQLite store in a temporary directory per test, and a
listener on it (port 0) with one registered station, ``CP-1``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from tests.csms.wire import database_url


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(database_url(tmp_path)) as opened:
        yield opened


@pytest.fixture
async def csms(store: Store) -> AsyncIterator[CsmsServer]:
    await store.stations.register("CP-1")
    async with CsmsServer(
        store, CsmsSettings(port=0, heartbeat_interval=60, retention=None)
    ) as server:
        yield server
