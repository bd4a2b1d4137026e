"""Revision 0002 (location details) on a database that already holds rev 0001 rows: the rows
stay, get their defaults, and the chargers standing at them stay linked (a table rebuild on
SQLite would have set their location_id to NULL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store import ConflictError, Store, create_engine, downgrade, migrate
from chargeyard.store.migrations import current_revision

T0 = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(column) for column in columns))


async def _fill_rev_0001(engine: AsyncEngine) -> None:
    organizations = _table("organizations", "id", "name", "created_at")
    locations = _table(
        "locations", "id", "organization_id", "name", "address", "created_at", "updated_at"
    )
    chargers = _table(
        "simulated_chargers",
        "id",
        "organization_id",
        "location_id",
        "identity",
        "ocpp_version",
        "config",
        "desired_state",
        "status",
        "created_at",
        "updated_at",
    )
    async with engine.begin() as connection:
        await connection.execute(
            organizations.insert(),
            [
                {"id": "org-a", "name": "A", "created_at": T0},
                {"id": "org-b", "name": "B", "created_at": T0},
            ],
        )
        await connection.execute(
            locations.insert(),
            [
                {
                    "id": "loc-1",
                    "organization_id": "org-a",
                    "name": "Depot",
                    "address": "1 Main St",
                    "created_at": T0,
                    "updated_at": T0,
                },
                {
                    "id": "loc-2",
                    "organization_id": "org-b",
                    "name": "Depot",
                    "address": None,
                    "created_at": T0,
                    "updated_at": T0,
                },
            ],
        )
        await connection.execute(
            chargers.insert(),
            [
                {
                    "id": "dep-1",
                    "organization_id": "org-a",
                    "location_id": "loc-1",
                    "identity": "CP-1",
                    "ocpp_version": "ocpp1.6",
                    "config": "{}",
                    "desired_state": "stopped",
                    "status": "created",
                    "created_at": T0,
                    "updated_at": T0,
                }
            ],
        )


async def test_upgrading_a_rev_0001_database_keeps_its_locations(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0001")
        await _fill_rev_0001(engine)
        await migrate(engine, "0002")
        assert await current_revision(engine) == "0002"
    finally:
        await engine.dispose()

    async with await Store.open(empty_database_url) as store:
        depot = await store.locations.get("org-a", "loc-1")
        assert depot is not None
        assert (depot.name, depot.address, depot.slug, depot.created_at) == (
            "Depot",
            "1 Main St",
            "loc-1",
            T0,
        )
        assert (depot.timezone, depot.public, depot.status) == ("UTC", False, "active")
        assert (depot.city, depot.country, depot.latitude, depot.owner_name) == (
            None,
            None,
            None,
            None,
        )
        assert [loc.id for loc in await store.locations.list("org-b")] == ["loc-2"]
        charger = await store.chargers.get("org-a", "dep-1")
        assert charger is not None
        assert charger.location_id == "loc-1"

        # The new rule holds on migrated rows: a slug is unique in its organization.
        with pytest.raises(ConflictError):
            await store.locations.create("org-a", "Copy", slug="loc-1")
        await store.locations.create("org-b", "Theirs", slug="loc-1")


async def test_downgrading_to_0001_keeps_the_rows(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0001")
        await _fill_rev_0001(engine)
        await migrate(engine)
        await downgrade(engine, "0001")
        assert await current_revision(engine) == "0001"
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text("SELECT id, name, address FROM locations ORDER BY id")
            )
            assert [tuple(row) for row in rows] == [
                ("loc-1", "Depot", "1 Main St"),
                ("loc-2", "Depot", None),
            ]
            linked = await connection.scalar(
                sa.text("SELECT location_id FROM simulated_chargers WHERE id = 'dep-1'")
            )
            assert linked == "loc-1"
    finally:
        await engine.dispose()
