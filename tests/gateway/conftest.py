"""A gateway lab: chargeyard's own CSMS on 127.0.0.1 (its own SQLite store), and a fleet host
on another SQLite store with an in-memory bus, one organization, and helpers that drive
commands the way the API does (:func:`~chargeyard.gateway.dispatch.dispatch`, prechecked over
the bus by a :class:`~chargeyard.gateway.runtime_client.RuntimeClient`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chargeyard.bus import InMemoryBus
from chargeyard.csms.server import CsmsServer
from chargeyard.gateway.dispatch import Dispatched, dispatch
from chargeyard.gateway.executor import Executor
from chargeyard.gateway.host import FleetHost
from chargeyard.gateway.runtime_client import RuntimeClient
from chargeyard.station.fleet import Fleet
from chargeyard.station.model.states import Registration
from chargeyard.station.runtime import ReconnectPolicy
from chargeyard.store import Store
from chargeyard.store.models import Command, SimulatedCharger
from tests.migrated import migrated_sqlite_url
from tests.polling import eventually, until
from tests.station.wire_csms import our_csms

ORG = "org-acme"
TEMPLATE = "alfen-eve-single-pro-line"


def fast_fleet() -> Fleet:
    return Fleet(reconnect=ReconnectPolicy(initial=0.05, ceiling=0.2), seed=1)


def new_host(store: Store, bus: InMemoryBus, node: str | None = None) -> FleetHost:
    return FleetHost(
        store,
        bus,
        fleet_factory=fast_fleet,
        executor=Executor(session_check_s=0.05, proxy_timeout_s=2.0),
        restart_delay_s=0.1,
        node=node,
    )


class Lab:
    def __init__(self, store: Store, bus: InMemoryBus, host: FleetHost, csms: CsmsServer) -> None:
        self.store = store
        self.bus = bus
        self.host = host
        self.csms = csms
        self.runtimes = RuntimeClient(bus, deadline_s=5.0)

    @property
    def csms_url(self) -> str:
        return f"ws://127.0.0.1:{self.csms.port}/ocpp"

    async def charger(
        self, identity: str = "CP-1", version: str = "ocpp1.6", **options: Any
    ) -> SimulatedCharger:
        values: dict[str, Any] = {"csms_url": self.csms_url, "template": TEMPLATE, **options}
        return await self.store.chargers.create(
            ORG, identity=identity, ocpp_version=version, **values
        )

    async def running(self, identity: str = "CP-1", version: str = "ocpp1.6") -> SimulatedCharger:
        """A charger started and Accepted by the CSMS, its boot-time statuses reported."""
        charger = await self.charger(identity, version)
        await self.host.start_charger(ORG, charger.id)
        await until(lambda: self.booted(charger.id))
        await eventually(lambda: self.has_status(identity, "Available"))
        return charger

    def booted(self, charger_id: str) -> bool:
        station = self.host.station(charger_id)
        return station is not None and station.registration is Registration.ACCEPTED

    def station(self, charger_id: str) -> Any:
        station = self.host.station(charger_id)
        assert station is not None
        return station

    async def send(
        self, charger: SimulatedCharger, event_type: str, payload: dict[str, Any] | None = None
    ) -> Dispatched:
        return await dispatch(
            self.store, self.bus, self.runtimes.precheck, ORG, [charger], event_type, payload or {}
        )

    async def run(
        self, charger: SimulatedCharger, event_type: str, payload: dict[str, Any] | None = None
    ) -> Command:
        """Queue the command, wait until the host reported its outcome; the stored row."""
        sent = await self.send(charger, event_type, payload)
        assert not sent.failed, sent.failed
        await self.outcomes(sent)
        command = await self.store.commands.get(ORG, sent.queued[0].command.id)
        assert command is not None
        return command

    async def outcomes(self, *sent: Dispatched, within: float = 5.0) -> None:
        """Wait until every command queued in ``sent`` has its outcome reported on the bus
        (the host reports an outcome once it is stored)."""
        async with asyncio.timeout(within):
            for dispatched in sent:
                for item in dispatched.queued:
                    await self.bus.wait_outcome(item.command.id)

    async def refused(
        self, charger: SimulatedCharger, event_type: str, payload: dict[str, Any] | None = None
    ) -> str:
        """The reason the API's precheck gives; nothing is queued."""
        sent = await self.send(charger, event_type, payload)
        assert not sent.queued
        return sent.failed[0].reason

    async def statuses(self, identity: str) -> list[str]:
        """Every status the CSMS recorded for the station's first connector, oldest first."""
        station = await self.csms.store.stations.get(identity)
        assert station is not None
        evse_id = 1 if station.ocpp_version == "2.0.1" else 0
        changes = await self.csms.store.connectors.history(identity, 1, evse_id=evse_id)
        return [change.status for change in reversed(changes)]

    async def has_status(self, identity: str, status: str) -> bool:
        if await self.csms.store.stations.get(identity) is None:
            return False
        statuses = await self.statuses(identity)
        return bool(statuses) and statuses[-1] == status


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    async with (
        our_csms(tmp_path, heartbeat_interval=60) as csms,
        await Store.open(migrated_sqlite_url(tmp_path, "gateway.db")) as store,
    ):
        await store.organizations.create("Acme", organization_id=ORG)
        bus = InMemoryBus()
        async with new_host(store, bus) as host:
            yield Lab(store, bus, host, csms)
        await bus.close()


VERSIONS = pytest.mark.parametrize("version", ["ocpp1.6", "ocpp2.0.1"])
