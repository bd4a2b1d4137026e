"""The whole simulator gateway under test over HTTP: chargeyard's own CSMS on 127.0.0.1 (its own
SQLite store), the gateway's store, an in-memory command bus, a :class:`FleetHost` running the
durable chargers, and the app (``/ocpp``) with an httpx client carrying an operator's token of
``ORG``. Use it with ``async with fleet_lab(tmp_path) as lab:`` or the ``gateway_fleet``
fixture of the tests that import it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from chargeyard.api.tokens import Role
from chargeyard.bus import InMemoryBus
from chargeyard.csms.registry import Registry
from chargeyard.csms.server import CsmsServer
from chargeyard.gateway.host import FleetHost
from chargeyard.store import Store
from tests.api.apps import api_app
from tests.api.gateway_lab import as_role, gateway_settings
from tests.gateway.conftest import new_host
from tests.migrated import migrated_sqlite_url
from tests.station.wire_csms import our_csms

ORG = "org-a"  # the organization of gateway_lab.as_role's default token


class FleetLab:
    def __init__(
        self,
        store: Store,
        bus: InMemoryBus,
        host: FleetHost,
        csms: CsmsServer,
        client: httpx.AsyncClient,
    ) -> None:
        self.store = store
        self.bus = bus
        self.host = host
        self.csms = csms
        self.client = client

    @property
    def csms_url(self) -> str:
        """Where the lab's chargers connect (``ws_url`` of a charger)."""
        return f"ws://127.0.0.1:{self.csms.port}/ocpp"

    def headers(self, role: Role = Role.OPERATOR, org: str = ORG) -> dict[str, str]:
        return as_role(role, org)


@contextlib.asynccontextmanager
async def fleet_lab(directory: Path, **settings: Any) -> AsyncIterator[FleetLab]:
    async with (
        our_csms(directory, heartbeat_interval=60) as csms,
        await Store.open(migrated_sqlite_url(directory, "gateway.db")) as store,
    ):
        bus = InMemoryBus()
        async with new_host(store, bus) as host:
            api = api_app(store, Registry(), gateway_settings(**settings), host=host, bus=bus)
            with api as app:
                async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url="http://api.test",
                    headers=as_role(Role.OPERATOR),
                ) as client:
                    yield FleetLab(store, bus, host, csms, client)
        await bus.close()
