"""The API's two labs: the app over a fresh SQLite store, with stations linked to it.

:class:`ApiLab` (fixture ``lab``) links stations to a :class:`Registry` in memory
(``tests/link.py``): no listener, no socket, the frames an OCPP-J connection carries. The peers
are our simulated stations (real answers) or bare peers that misbehave on purpose. The tests of
shapes, status codes and error details run here.

The fixture ``csms_lab`` is the one lab with a real listener (``tests/stack_lab.py``): the API
over chargeyard's CSMS on 127.0.0.1, stations connecting over real WebSockets, the CSMS's
handlers persisting what they send. The tests of what only the whole central system or a
socket shows run there.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from websockets.asyncio.connection import Connection

from chargeyard.api import ApiSettings
from chargeyard.api.serve import settle_history
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.protocol import V16, Payload, Role, VersionSpec, version_for
from chargeyard.station.model.states import Registration
from chargeyard.store import Store
from chargeyard.transport import OcppConnection
from tests.api.apps import api_app
from tests.link import MemorySocket, MemoryStation, answer_by_hand
from tests.migrated import migrated_sqlite_url
from tests.polling import until
from tests.stack_lab import KNOWN_ONLY, TEMPLATE, StackLab, stack_lab
from tests.station.wall_clock import wall_clock_station

NOW = "2026-01-01T00:00:00.000Z"

# What a permissive central system answers to what stations send, per version.
_ANSWERS: dict[str, dict[str, Payload]] = {
    "1.6": {
        "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
        "Heartbeat": {"currentTime": NOW},
        "StatusNotification": {},
        "MeterValues": {},
        "FirmwareStatusNotification": {},
        "DiagnosticsStatusNotification": {},
    },
    "2.0.1": {
        "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
        "Heartbeat": {"currentTime": NOW},
        "StatusNotification": {},
        "MeterValues": {},
        "NotifyEvent": {},
        "FirmwareStatusNotification": {},
        "LogStatusNotification": {},
        "SecurityEventNotification": {},
    },
}
_ANSWERS["2.1"] = _ANSWERS["2.0.1"]
_REPORT_PARTS = (
    "NotifyReport",
    "NotifyMonitoringReport",
    "ReportChargingProfiles",
    "NotifyCustomerInformation",
    "NotifyDisplayMessages",
)


def _handlers(
    version: VersionSpec, registry: Registry, identity: str
) -> dict[str, Callable[[Payload], Payload]]:
    handlers: dict[str, Callable[[Payload], Payload]] = {
        action: (lambda _payload, answer=answer: dict(answer))
        for action, answer in _ANSWERS[version.name].items()
    }
    if version.name != "1.6":
        # As the CSMS's handlers do: the parts of a report a command waits for reach it (B07,
        # K09, ...).
        def report_part(payload: Payload) -> Payload:
            registry.reports.add_part(identity, payload)
            return {}

        for action in _REPORT_PARTS:
            handlers[action] = report_part
    return handlers


class RecordingRegistry(Registry):
    """A registry that remembers every call the API sends: (identity, action, payload)."""

    def __init__(self, command_timeout: float = 30.0) -> None:
        super().__init__(command_timeout)
        self.sent: list[tuple[str, str, Payload]] = []

    async def call(
        self,
        identity: str,
        action: str,
        payload: Payload,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Payload:
        self.sent.append((identity, action, payload))
        return await super().call(identity, action, payload, timeout)


class ApiLab:
    """The app's client (authenticated), its store and registry, and stations linked to the
    registry in memory (``tests/link.py``): each connection is an :class:`OcppConnection` on
    the central-system side over a :class:`MemorySocket`, added to the registry under its
    identity and removed when it closes, as the CSMS listener does."""

    def __init__(
        self, store: Store, registry: RecordingRegistry, client: httpx.AsyncClient
    ) -> None:
        self.store = store
        self.registry = registry
        self.client = client
        self.runtimes: list[MemoryStation] = []
        self.peers: list[MemorySocket] = []
        self.tasks: list[asyncio.Task[None]] = []

    def connect(self, identity: str, version: VersionSpec) -> MemorySocket:
        """A new connection of ``identity`` speaking ``version``; returns the station's end."""
        station_end, central_end = MemorySocket.pair()
        connection = OcppConnection(
            cast(Connection, central_end),  # the part of a websockets Connection it uses
            version,
            Role.CENTRAL_SYSTEM,
            _handlers(version, self.registry, identity),
            name=identity,
        )
        self.registry.add(identity, connection)

        async def run() -> None:
            try:
                await connection.run()
            finally:
                self.registry.remove(identity, connection)

        self.tasks.append(asyncio.create_task(run()))
        return station_end

    async def station(self, identity: str = "CP-1", version: VersionSpec = V16) -> MemoryStation:
        """A registered, connected and booted simulated station."""
        await self.store.stations.register(identity, ocpp_version=version)
        station = wall_clock_station(identity, TEMPLATE, version)
        runtime = MemoryStation(station, lambda: self.connect(identity, station.version))
        self.runtimes.append(runtime)
        runtime.start()
        await until(
            lambda: (
                runtime.station.registration is Registration.ACCEPTED
                and self.registry.is_connected(identity)
            )
        )
        return runtime

    async def raw_peer(
        self,
        identity: str,
        answer: Callable[[list[Any]], list[Any] | None],
        subprotocol: str = "ocpp1.6",
    ) -> None:
        """A registered station that is a bare peer: each CALL it receives gets
        ``answer(call)`` back (None: no answer at all)."""
        await self.store.stations.register(identity)
        peer = self.connect(identity, version_for(subprotocol))
        self.peers.append(peer)

        def respond(message: str) -> str | None:
            reply = answer(json.loads(message))
            return None if reply is None else json.dumps(reply)

        self.tasks.append(asyncio.create_task(answer_by_hand(peer, respond)))
        await until(lambda: self.registry.is_connected(identity))

    def last_call(self) -> tuple[str, Payload]:
        """The action and payload of the last call the API sent."""
        _, action, payload = self.registry.sent[-1]
        return action, payload

    async def post(self, identity: str, path: str, body: Any = None) -> httpx.Response:
        return await self.client.post(f"/api/v1/chargers/{identity}/{path}", json=body)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(migrated_sqlite_url(tmp_path, "db.sqlite"))
    yield store
    await store.close()


@pytest.fixture
def settings() -> ApiSettings:
    return ApiSettings(command_timeout=5.0)


@pytest.fixture
async def lab(store: Store, settings: ApiSettings) -> AsyncIterator[ApiLab]:
    registry = RecordingRegistry()
    _, key = await store.api_keys.create("tests")
    with api_app(store, in_process_link(registry), settings) as app:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://api.test",
            headers={"X-API-Key": key},
        ) as client:
            lab = ApiLab(store, registry, client)
            try:
                yield lab
            finally:
                await settle_history(app)
                for runtime in lab.runtimes:
                    await runtime.stop()
                for peer in lab.peers:
                    await peer.close()
                await asyncio.gather(*lab.tasks, return_exceptions=True)


@pytest.fixture
async def csms_lab(tmp_path: Path, settings: ApiSettings) -> AsyncIterator[StackLab]:
    """The lab with a real listener (``tests/stack_lab.py``): the CSMS lets known stations in
    only and answers unknown tags Invalid; ``client`` carries the API key."""
    async with stack_lab(tmp_path, csms=KNOWN_ONLY, settings=settings) as lab:
        yield lab
