"""A worker's stations keep their memory in their charger rows (``gateway/memory.py``):
between transaction messages, the registers of the charging stations are stored by a pass,
all of them in one write, and an idle station's row is not written again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from chargeyard.gateway.memory import MemoryWriter
from chargeyard.gateway.power import Powered
from chargeyard.station.clock import ManualClock
from chargeyard.store import Store
from tests.station.harness import Link
from tests.station.v16.conftest import make_station


class _Chargers:
    def __init__(self) -> None:
        self.writes: list[dict[str, Any]] = []

    async def set_config_entries(
        self, key: str, values: Sequence[tuple[str, str, Any]], *, holder: str | None = None
    ) -> int:
        self.writes.append({charger_id: value for _, charger_id, value in values})
        return len(values)


class _Store:
    def __init__(self) -> None:
        self.chargers = _Chargers()


async def test_a_pass_stores_the_registers_of_the_charging_stations_in_one_write() -> None:
    clock = ManualClock()
    store = _Store()
    writer = MemoryWriter(cast(Store, store))
    links = {}
    for charger_id in ("charging-1", "charging-2", "idle"):
        station = make_station(clock)
        link = Link(station, clock)
        link.connect()
        links[charger_id] = link
        writer.watch(Powered("org", charger_id, station))
    for charger_id in ("charging-1", "charging-2"):
        station = links[charger_id].station
        station.plug(1, 1)
        station.present_id_token("TAG-1")
        links[charger_id].pump()
    await writer.close()  # (what the writer task does a moment after each change)
    assert writer.keep_registers() == 0  # every station was stored since the last pass
    store.chargers.writes.clear()

    started = {
        charger_id: links[charger_id].station.model.evses[1].meter.energy_register_wh
        for charger_id in ("charging-1", "charging-2")
    }
    clock.advance(30)  # half a meter-value interval: no message leaves
    assert writer.keep_registers() == 2
    await writer.close()

    [write] = store.chargers.writes
    assert set(write) == {"charging-1", "charging-2"}
    for charger_id, snapshot in write.items():
        links[charger_id].station.advance()
        register = links[charger_id].station.model.evses[1].meter.energy_register_wh
        assert snapshot["meters"]["1"] == register > started[charger_id]
        assert snapshot["at"] == clock.now().isoformat()
