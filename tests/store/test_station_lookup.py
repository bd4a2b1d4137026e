"""The station lookup: the rows of connecting stations, many in one query, on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from chargeyard.protocol import V16
from chargeyard.store import Store
from chargeyard.store.station_lookup import ConnectingStation, StationLookup, read_connecting

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def test_many_identities_asked_at_once_take_one_query(store: Store) -> None:
    for n in range(20):
        await store.stations.register(f"CP-{n}", ocpp_version=V16)
    async with asyncio.timeout(10):
        lookup = StationLookup(store.engine)
        await lookup.start()
        try:
            found = await asyncio.gather(
                *(lookup.get(f"CP-{n}") for n in range(20)), lookup.get("CP-UNKNOWN")
            )
        finally:
            await lookup.stop()
    assert [s.identity for s in found[:20] if s is not None] == [f"CP-{n}" for n in range(20)]
    assert found[20] is None
    assert lookup.queries == 1


async def test_it_tells_the_password_the_layout_and_open_transactions(store: Store) -> None:
    await store.stations.register("CP-1", password="secret", ocpp_version=V16)
    await store.stations.update_boot_info(
        "CP-1", vendor="Acme", model="One", registration_status="Accepted"
    )
    await store.stations.register("CP-2")
    await store.transactions.start("CP-2", connector_id=1, meter_start_wh=0.0, started_at=T0)
    found = await read_connecting(store.engine, ["CP-1", "CP-2"])
    one = found["CP-1"]
    assert one.password_hash is not None
    assert one.password_hash != "secret"
    assert (one.ocpp_version, one.vendor, one.model, one.open_transactions) == (
        V16,
        "Acme",
        "One",
        False,
    )
    assert found["CP-2"] == ConnectingStation("CP-2", "default", None, None, None, None, True)


async def test_a_lookup_not_running_queries_on_its_own(store: Store) -> None:
    await store.stations.register("CP-1")
    lookup = StationLookup(store.engine)
    station = await lookup.get("CP-1")
    assert station is not None
    assert station.identity == "CP-1"
    assert lookup.queries == 0  # no batch: a query of its own
    assert await read_connecting(store.engine, []) == {}


def test_the_batch_limit_is_checked() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        StationLookup(None, max_batch=0)  # type: ignore[arg-type]
