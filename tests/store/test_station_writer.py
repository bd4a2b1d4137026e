"""The station writer: group commit of presence, boot facts, heartbeats and connector statuses,
on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.protocol import V16, V201
from chargeyard.store import NotFoundError, Store
from chargeyard.store.growth_statistics import GrowthStatistics
from chargeyard.store.station_writer import (
    StationWriter,
    StatusReport,
    boot_facts,
    heartbeat,
    offline,
    online,
    write_now,
)

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


def _at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def test_one_batch_holds_many_stations_facts(store: Store) -> None:
    identities = [f"CP-{n}" for n in range(50)]
    for identity in identities:
        await store.stations.register(identity)
    async with StationWriter(store.engine) as writer:

        async def boot(identity: str) -> None:
            await writer.write(online(identity, V16, T0))
            await writer.write(
                boot_facts(
                    identity,
                    vendor="Acme",
                    model="X",
                    serial_number=None,
                    firmware_version="1.0",
                    registration_status="Accepted",
                )
            )
            await writer.write(StatusReport(identity, 0, "Available", at=_at(1)))
            await writer.write(StatusReport(identity, 1, "Available", at=_at(1)))

        await asyncio.gather(*(boot(identity) for identity in identities))
    # Fifty stations' four messages each: far fewer transactions than messages.
    assert writer.facts == 200
    assert writer.transactions < 50
    for identity in identities:
        station = await store.stations.get(identity)
        assert station is not None
        assert (station.is_online, station.ocpp_version, station.connected_at) == (True, V16, T0)
        assert (station.vendor, station.model, station.firmware_version) == ("Acme", "X", "1.0")
        assert station.registration_status == "Accepted"
        connectors = await store.connectors.list(identity)
        assert [(c.connector_id, c.status) for c in connectors] == [
            (0, "Available"),
            (1, "Available"),
        ]


async def test_stations_the_store_does_not_know_are_registered_in_one_batch_when_asked(
    store: Store,
) -> None:
    """A central system that lets unknown stations in (``auto_register``) registers a boot
    storm's new stations a batch at a time, each in its organization; a known one keeps its
    row, and a new station's facts of the same batch land on the row just made."""
    await store.organizations.create("Depot", organization_id="org-depot")
    known = await store.stations.register("CP-KNOWN")
    identities = [f"CP-NEW-{n}" for n in range(20)]
    async with StationWriter(store.engine) as writer:
        writer.statistics = GrowthStatistics(store.engine, "stations", first_after=10)
        await asyncio.gather(
            writer.write(online("CP-KNOWN", V16, T0, create=True, organization_id="org-depot")),
            *(
                writer.write(
                    online(identity, V201, T0, create=True, organization_id="org-depot"),
                    StatusReport(identity, 1, "Available", at=_at(1)),
                )
                for identity in identities
            ),
        )
    assert writer.transactions < len(identities)
    # The planner's statistics of the growing table, on PostgreSQL (growth_statistics.py).
    assert writer.statistics.analysed == (1 if store.engine.dialect.name == "postgresql" else 0)
    again = await store.stations.get("CP-KNOWN")
    assert again is not None
    assert (again.id, again.organization_id, again.is_online) == (
        known.id,
        known.organization_id,
        True,
    )
    for identity in identities:
        station = await store.stations.get(identity)
        assert station is not None, identity
        assert station.organization_id == "org-depot"
        assert (station.is_online, station.ocpp_version, station.connected_at) == (True, V201, T0)
        assert station.created_at is not None
        connectors = await store.connectors.list(identity)
        assert [(c.connector_id, c.status) for c in connectors] == [(1, "Available")]


async def test_a_stations_facts_in_one_batch_apply_in_the_order_they_came(store: Store) -> None:
    await store.stations.register("CP-1")
    async with StationWriter(store.engine) as writer:
        # Queued together, so that one batch takes them all.
        await asyncio.gather(
            writer.write(online("CP-1", V16, T0)),
            writer.write(StatusReport("CP-1", 1, "Preparing", at=_at(1))),
            writer.write(StatusReport("CP-1", 1, "Charging", at=_at(2), info="plugged")),
            writer.write(heartbeat("CP-1", _at(3))),
            writer.write(offline("CP-1")),
        )
        assert writer.transactions == 1
    station = await store.stations.get("CP-1")
    assert station is not None
    assert (station.is_online, station.last_heartbeat, station.connected_at) == (False, _at(3), T0)
    connector = await store.connectors.get("CP-1", 1)
    assert connector is not None
    assert (connector.status, connector.info, connector.updated_at) == (
        "Charging",
        "plugged",
        _at(2),
    )
    # Every change is kept, newest first.
    history = await store.connectors.history("CP-1", 1)
    assert [(h.status, h.at) for h in history] == [("Charging", _at(2)), ("Preparing", _at(1))]


async def test_an_unknown_station_is_refused_and_the_others_are_written(store: Store) -> None:
    await store.stations.register("CP-1")
    async with StationWriter(store.engine) as writer:
        results = await asyncio.gather(
            writer.write(StatusReport("CP-1", 1, "Available")),
            writer.write(StatusReport("CP-GONE", 1, "Available")),
            writer.write(online("CP-GONE", V16, T0)),
            return_exceptions=True,
        )
    assert results[0] is None
    assert isinstance(results[1], NotFoundError)
    assert isinstance(results[2], NotFoundError)
    connector = await store.connectors.get("CP-1", 1)
    assert connector is not None
    assert connector.status == "Available"


async def test_a_station_deleted_meanwhile_fails_only_its_own_message(store: Store) -> None:
    await store.stations.register("CP-1")
    await store.stations.register("CP-2")
    async with StationWriter(store.engine) as writer:
        await writer.write(StatusReport("CP-2", 1, "Available"))
        await store.stations.delete("CP-2")
        await writer.write(StatusReport("CP-1", 1, "Charging"))
        with pytest.raises(NotFoundError):
            await writer.write(StatusReport("CP-2", 1, "Faulted", error_code="GroundFailure"))
    assert await store.connectors.list("CP-1")


async def test_write_now_commits_one_message_or_nothing(store: Store) -> None:
    await store.stations.register("CP-1")
    await write_now(store.engine, [StatusReport("CP-1", 2, "Unavailable", evse_id=1)])
    connector = await store.connectors.get("CP-1", 2, evse_id=1)
    assert connector is not None
    assert connector.status == "Unavailable"
    with pytest.raises(NotFoundError):
        await write_now(store.engine, [online("CP-1", V201, T0), online("CP-X", V16, T0)])
    station = await store.stations.get("CP-1")
    assert station is not None
    assert station.ocpp_version is None  # rolled back whole


async def test_a_writer_not_running_refuses_and_a_stopped_one_wrote_everything(
    store: Store,
) -> None:
    await store.stations.register("CP-1")
    writer = StationWriter(store.engine)
    with pytest.raises(RuntimeError):
        await writer.write(heartbeat("CP-1", T0))
    await writer.start()
    pending = [
        asyncio.ensure_future(writer.write(StatusReport("CP-1", n, "Available")))
        for n in range(1, 6)
    ]
    await asyncio.sleep(0)  # queued
    await writer.stop()
    await asyncio.gather(*pending)
    assert len(await store.connectors.list("CP-1")) == 5
    assert not writer.running


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="max_facts"):
        StationWriter(None, max_facts=0)  # type: ignore[arg-type]
