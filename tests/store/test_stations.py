"""Stations: registration, boot facts, presence, passwords, deletion."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from chargeyard.protocol import V16, V201
from chargeyard.store import ConflictError, NotFoundError, Store
from chargeyard.store.models import Direction
from chargeyard.store.repositories import SampledValue

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def test_register_then_get(store: Store) -> None:
    registered = await store.stations.register(
        "CHARGER-001", name="Depot 1", location="Bay 3", ocpp_version=V16
    )
    station = await store.stations.get("CHARGER-001")
    assert station is not None
    assert (station.id, station.name, station.location, station.ocpp_version) == (
        registered.id,
        "Depot 1",
        "Bay 3",
        V16,
    )
    assert station.is_online is False
    assert station.registration_status is None
    assert station.password_hash is None
    assert await store.stations.get("CHARGER-404") is None


async def test_a_charge_box_id_is_registered_once(store: Store) -> None:
    await store.stations.register("CHARGER-001")
    with pytest.raises(ConflictError):
        await store.stations.register("CHARGER-001")


async def test_list_filters_by_presence_and_pages(store: Store) -> None:
    for index in range(5):
        await store.stations.register(f"CP-{index}")
    await store.stations.set_online("CP-1", ocpp_version=V16)
    await store.stations.set_online("CP-3", ocpp_version=V201)

    all_ids = [station.charge_box_id for station in await store.stations.list()]
    online = [station.charge_box_id for station in await store.stations.list(online=True)]
    offline = [station.charge_box_id for station in await store.stations.list(online=False)]
    second_page = await store.stations.list(limit=2, offset=2)

    assert all_ids == ["CP-0", "CP-1", "CP-2", "CP-3", "CP-4"]
    assert online == ["CP-1", "CP-3"]
    assert offline == ["CP-0", "CP-2", "CP-4"]
    assert [station.charge_box_id for station in second_page] == ["CP-2", "CP-3"]
    assert (await store.stations.count(), await store.stations.count(online=True)) == (5, 2)


async def test_update_changes_only_what_is_given(store: Store) -> None:
    await store.stations.register("CP-1", name="Old", location="Bay 1")
    station = await store.stations.update("CP-1", name="New")
    assert (station.name, station.location) == ("New", "Bay 1")
    station = await store.stations.update("CP-1", location=None)
    assert (station.name, station.location) == ("New", None)
    with pytest.raises(NotFoundError):
        await store.stations.update("CP-404", name="x")


async def test_boot_info_is_kept(store: Store) -> None:
    await store.stations.register("CP-1")
    await store.stations.update_boot_info(
        "CP-1",
        vendor="Alfen",
        model="Eve Single",
        serial_number="ACE0001",
        firmware_version="5.8.1",
        registration_status="Accepted",
    )
    station = await store.stations.get("CP-1")
    assert station is not None
    assert (
        station.vendor,
        station.model,
        station.serial_number,
        station.firmware_version,
        station.registration_status,
    ) == ("Alfen", "Eve Single", "ACE0001", "5.8.1", "Accepted")


async def test_heartbeat_records_the_time_and_presence(store: Store) -> None:
    await store.stations.register("CP-1")
    station = await store.stations.heartbeat("CP-1", T0)
    assert (station.last_heartbeat, station.is_online) == (T0, True)
    with pytest.raises(NotFoundError):
        await store.stations.heartbeat("CP-404")


async def test_set_online_adds_an_unknown_station_unless_told_not_to(store: Store) -> None:
    station = await store.stations.set_online("CP-NEW", ocpp_version=V201, at=T0)
    assert (station.charge_box_id, station.is_online, station.connected_at) == (
        "CP-NEW",
        True,
        T0,
    )
    assert station.ocpp_version is V201
    with pytest.raises(NotFoundError):
        await store.stations.set_online("CP-STRANGER", ocpp_version=V16, create=False)
    assert await store.stations.get("CP-STRANGER") is None


async def test_set_online_twice_keeps_one_row_and_its_facts(store: Store) -> None:
    first = await store.stations.register("CP-1", name="Depot")
    await store.stations.set_online("CP-1", ocpp_version=V16)
    await store.stations.set_offline("CP-1")
    again = await store.stations.set_online("CP-1", ocpp_version=V201)
    assert (again.id, again.name, again.is_online, again.ocpp_version) == (
        first.id,
        "Depot",
        True,
        V201,
    )
    assert await store.stations.count() == 1


async def test_offline_and_mark_all_offline(store: Store) -> None:
    for identity in ("CP-1", "CP-2", "CP-3"):
        await store.stations.set_online(identity, ocpp_version=V16)
    assert (await store.stations.set_offline("CP-1")).is_online is False
    assert await store.stations.mark_all_offline() == 2
    assert await store.stations.count(online=True) == 0


async def test_a_gone_node_s_stations_are_marked_offline_but_one_connected_since(
    store: Store,
) -> None:
    # The node that finds another's presence expired marks that node's stations
    # (csms/cluster/redis_presence.py): not one that connected again, elsewhere, after it looked.
    for identity in ("CP-1", "CP-2", "CP-3"):
        await store.stations.set_online(identity, ocpp_version=V16, at=T0)
    await store.stations.set_online("CP-4", ocpp_version=V16, at=T0.replace(minute=5))

    marked = await store.stations.mark_offline(
        ["CP-1", "CP-2", "CP-4", "CP-404"], connected_before=T0.replace(minute=1)
    )

    assert marked == 2
    online = {s.charge_box_id for s in await store.stations.list(online=True)}
    assert online == {"CP-3", "CP-4"}
    assert await store.stations.mark_online(["CP-1", "CP-3", "CP-404"]) == 1
    online = {s.charge_box_id for s in await store.stations.list(online=True)}
    assert online == {"CP-1", "CP-3", "CP-4"}


async def test_password_is_stored_hashed_and_verified(store: Store) -> None:
    await store.stations.register("CP-1", password="correct horse battery")
    station = await store.stations.get("CP-1")
    assert station is not None
    assert station.password_hash is not None
    assert "correct horse" not in station.password_hash
    assert await store.stations.verify_password("CP-1", "correct horse battery")
    assert not await store.stations.verify_password("CP-1", "wrong")
    await store.stations.set_password("CP-1", None)
    assert not await store.stations.verify_password("CP-1", "correct horse battery")
    assert not await store.stations.verify_password("CP-404", "anything")


async def test_the_first_password_kept_is_the_one_stored_first(store: Store) -> None:
    # An unknown station is registered with it, in the organization given.
    kept = await store.stations.keep_first_password("CP-NEW", "hash-1", organization_id="default")
    assert kept == "hash-1"
    station = await store.stations.get("CP-NEW")
    assert station is not None
    assert (station.password_hash, station.organization_id) == ("hash-1", "default")
    # A station with a password keeps it.
    assert await store.stations.keep_first_password("CP-NEW", "hash-2", organization_id="x") == (
        "hash-1"
    )
    # A known station without one gets it; of callers at once, one sets it, all read it.
    await store.stations.register("CP-OPEN")
    answers = await asyncio.gather(
        *(
            store.stations.keep_first_password("CP-OPEN", f"hash-{n}", organization_id="default")
            for n in range(4)
        ),
        *(
            store.stations.keep_first_password("CP-RACE", f"race-{n}", organization_id="default")
            for n in range(4)
        ),
    )
    assert len(set(answers[:4])) == 1
    assert len(set(answers[4:])) == 1
    opened = await store.stations.get("CP-OPEN")
    assert opened is not None
    assert opened.password_hash == answers[0]


async def test_delete_removes_the_station_and_what_it_reported(store: Store) -> None:
    await store.stations.register("CP-1")
    await store.stations.register("CP-2")
    await store.connectors.update_status("CP-1", 1, "Charging")
    transaction = await store.transactions.start(
        "CP-1", connector_id=1, meter_start_wh=0, started_at=T0
    )
    await store.transactions.add_samples(
        "CP-1", [SampledValue(T0, 10.0)], transaction_id=transaction.transaction_id
    )
    await store.data_transfers.record("CP-1", direction=Direction.INCOMING, vendor_id="V")

    await store.stations.delete("CP-1")

    assert await store.stations.get("CP-1") is None
    assert await store.transactions.count() == 0
    assert [s.charge_box_id for s in await store.stations.list()] == ["CP-2"]
    with pytest.raises(NotFoundError):
        await store.stations.delete("CP-1")
