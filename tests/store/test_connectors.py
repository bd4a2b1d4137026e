"""Connector status: one current row per connector, every change kept in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.store import NotFoundError, Store

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def test_status_notification_upserts_current_and_appends_history(store: Store) -> None:
    await store.stations.register("CP-1")
    first = await store.connectors.update_status("CP-1", 1, "Preparing", at=T0)
    second = await store.connectors.update_status(
        "CP-1",
        1,
        "Faulted",
        error_code="GroundFailure",
        info="RCD tripped",
        vendor_id="Alfen",
        vendor_error_code="E42",
        at=T0 + timedelta(minutes=1),
    )
    assert second.id == first.id
    assert (
        second.status,
        second.error_code,
        second.info,
        second.vendor_id,
        second.vendor_error_code,
        second.updated_at,
    ) == ("Faulted", "GroundFailure", "RCD tripped", "Alfen", "E42", T0 + timedelta(minutes=1))

    current = await store.connectors.get("CP-1", 1)
    assert current is not None
    assert current.status == "Faulted"
    history = await store.connectors.history("CP-1", 1)
    assert [(change.status, change.error_code, change.at) for change in history] == [
        ("Faulted", "GroundFailure", T0 + timedelta(minutes=1)),
        ("Preparing", "NoError", T0),
    ]


async def test_evses_and_connectors_are_kept_apart(store: Store) -> None:
    await store.stations.register("CS-201")
    await store.connectors.update_status("CS-201", 0, "Available")  # 1.6-style station-wide
    await store.connectors.update_status("CS-201", 1, "Occupied", evse_id=2)
    await store.connectors.update_status("CS-201", 1, "Available", evse_id=1)
    await store.connectors.update_status("CS-201", 2, "Unavailable", evse_id=1)

    connectors = await store.connectors.list("CS-201")
    assert [(c.evse_id, c.connector_id, c.status) for c in connectors] == [
        (0, 0, "Available"),
        (1, 1, "Available"),
        (1, 2, "Unavailable"),
        (2, 1, "Occupied"),
    ]
    assert len(await store.connectors.history("CS-201", 1, evse_id=2)) == 1
    assert await store.connectors.get("CS-201", 1, evse_id=3) is None


async def test_history_is_limited_newest_first(store: Store) -> None:
    await store.stations.register("CP-1")
    for minute in range(5):
        await store.connectors.update_status(
            "CP-1", 1, f"S{minute}", at=T0 + timedelta(minutes=minute)
        )
    history = await store.connectors.history("CP-1", 1, limit=2)
    assert [change.status for change in history] == ["S4", "S3"]


async def test_an_unknown_station_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.connectors.update_status("CP-404", 1, "Available")
    with pytest.raises(NotFoundError):
        await store.connectors.list("CP-404")


async def test_list_by_station_reads_a_page_of_stations_at_once(store: Store) -> None:
    for identity in ("CP-1", "CP-2", "CP-3"):
        await store.stations.register(identity)
    await store.connectors.update_status("CP-1", 2, "Available", at=T0)
    await store.connectors.update_status("CP-1", 1, "Charging", at=T0)
    await store.connectors.update_status("CP-2", 1, "Faulted", at=T0)
    await store.connectors.update_status("CP-3", 1, "Available", at=T0)

    found = await store.connectors.list_by_station(["CP-1", "CP-2", "CP-404"])
    assert {
        identity: [(row.connector_id, row.status) for row in rows]
        for identity, rows in found.items()
    } == {
        "CP-1": [(1, "Charging"), (2, "Available")],
        "CP-2": [(1, "Faulted")],
        "CP-404": [],
    }
    assert await store.connectors.list_by_station([]) == {}


async def test_forget_drops_the_connector_set_and_keeps_its_history(store: Store) -> None:
    await store.stations.register("CP-1")
    await store.stations.register("CP-2")
    await store.connectors.update_status("CP-1", 1, "Charging", at=T0)
    await store.connectors.update_status("CP-1", 2, "Available", at=T0)
    await store.connectors.update_status("CP-2", 1, "Available", at=T0)

    assert await store.connectors.forget("CP-1") == 2

    assert await store.connectors.list("CP-1") == []
    assert [c.connector_id for c in await store.connectors.list("CP-2")] == [1]
    assert [change.status for change in await store.connectors.history("CP-1", 1)] == ["Charging"]
    assert await store.connectors.forget("CP-1") == 0
    with pytest.raises(NotFoundError):
        await store.connectors.forget("CP-404")
