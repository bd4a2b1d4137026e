"""Fixtures of the probe's tests: chargeyard's own CSMS on a fresh SQLite store (port 0), with
one station registered with a Basic password, as ``chargeyard station add`` leaves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.probe import ProbeTarget
from chargeyard.protocol import VersionSpec
from chargeyard.store import Store
from tests.csms.wire import database_url

IDENTITY = "CP-PROBE"
PASSWORD = "probe-secret-0123"
ANSWER_WITHIN_S = 30.0
"""How long the probe awaits an answer in these tests. The virtual clock keeps wall time between
its jumps, so a CSMS that the rest of a loaded suite starves of CPU can let the default 5 s pass
before a reconnecting station's BootNotification is answered; a wait that ends in an answer
costs the same either way."""


@pytest.fixture
async def csms(tmp_path: Path) -> AsyncIterator[CsmsServer]:
    async with await Store.open(database_url(tmp_path)) as store:
        await store.stations.register(IDENTITY, password=PASSWORD)
        settings = CsmsSettings(port=0, heartbeat_interval=60, retention=None)
        async with CsmsServer(store, settings) as server:
            yield server


def url_of(server: CsmsServer) -> str:
    return f"ws://127.0.0.1:{server.port}/ocpp"


def target_of(
    server: CsmsServer, version: VersionSpec, *, password: str | None = PASSWORD, seed: int = 0
) -> ProbeTarget:
    """The probe's target: ``server``'s station :data:`IDENTITY`."""
    return ProbeTarget(
        url_of(server),
        IDENTITY,
        version,
        password=password,
        seed=seed,
        answer_within=ANSWER_WITHIN_S,
    )
