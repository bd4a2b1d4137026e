"""Fixtures of the probe's tests: chargeyard's own CSMS on a fresh SQLite store (port 0), with
one station registered with a Basic password, as ``chargeyard station add`` leaves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from tests.csms.wire import database_url

IDENTITY = "CP-PROBE"
PASSWORD = "probe-secret-0123"


@pytest.fixture
async def csms(tmp_path: Path) -> AsyncIterator[CsmsServer]:
    async with await Store.open(database_url(tmp_path)) as store:
        await store.stations.register(IDENTITY, password=PASSWORD)
        settings = CsmsSettings(port=0, heartbeat_interval=60, retention=None)
        async with CsmsServer(store, settings) as server:
            yield server


def url_of(server: CsmsServer) -> str:
    return f"ws://127.0.0.1:{server.port}/ocpp"
