"""The host process as the stations' power supply: on its way out each station finishes its
conversation before the power goes, and what it kept is stored for the next boot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from chargeyard.gateway.power import SNAPSHOT_KEY, Powered, power_down
from chargeyard.protocol import V16
from chargeyard.station.clock import ManualClock
from chargeyard.store import Store
from tests.gateway.conftest import ORG
from tests.migrated import migrated_sqlite_url
from tests.stack_lab import TEMPLATE
from tests.station.harness import Link
from tests.station.v16.conftest import make_station


async def test_a_start_transaction_answered_late_is_not_sent_again_after_the_restart(
    tmp_path: Path,
) -> None:
    async with await Store.open(migrated_sqlite_url(tmp_path, "gateway.db")) as store:
        await store.organizations.create("Acme", organization_id=ORG)
        charger = await store.chargers.create(
            ORG, identity="CP-1", ocpp_version=V16, csms_url="ws://x/ocpp", template=TEMPLATE
        )
        clock = ManualClock()
        station = make_station(clock)
        link = Link(station, clock)
        link.connect()
        station.plug(1, 1)
        link.pump()
        station.start_transaction(1, "TAG-1")
        on_its_way = link.to_csms()  # the StartTransaction is there; its answer is late
        stopping = asyncio.create_task(
            power_down(store, [Powered(ORG, charger.id, station)], drain_s=0.1, drain_cap_s=5)
        )
        await asyncio.sleep(0.3)  # (a slow central system: longer than the drain)
        assert station.powered  # still waiting for the answer
        link.to_station(on_its_way)
        link.pump()
        assert await stopping == 1
        stored = await store.chargers.get(ORG, charger.id)
        assert stored is not None
        [kept] = stored.config[SNAPSHOT_KEY]["transactions"]
        # Answered: the next boot reports it ended (PowerLoss) under the id the answer gave,
        # rather than sending the StartTransaction again.
        assert (kept["csms_id"], kept["id_tag"]) == (1, "TAG-1")
        assert not station.powered
