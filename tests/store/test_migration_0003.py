"""Revision 0003 (gateway jobs) on a database at rev 0002 holding rows: they stay, the new
table works per tenant, and a downgrade removes only it."""

from __future__ import annotations

import sqlalchemy as sa

from chargeyard.protocol import V16
from chargeyard.store import Store, create_engine, downgrade, migrate
from chargeyard.store.migrations import current_revision
from chargeyard.store.models import JobStatus, JobType


async def test_upgrading_a_rev_0002_database_adds_jobs_and_keeps_chargers(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0002")
        async with Store(engine) as store:
            await store.organizations.create("A", organization_id="org-a")
            location = await store.locations.create("org-a", "Depot")
            await store.chargers.create(
                "org-a",
                identity="CP-1",
                ocpp_version=V16,
                location_id=location.id,
                charger_id="dep-1",
            )
            await migrate(engine, "0003")
            assert await current_revision(engine) == "0003"

            charger = await store.chargers.get("org-a", "dep-1")
            assert charger is not None
            assert charger.location_id == location.id
            job = await store.jobs.create(
                "org-a", JobType.BULK_CREATE_CHARGERS, location_id=location.id
            )
            await store.jobs.update(
                "org-a", job.id, status=JobStatus.READY, results={"created": 1, "failed": 0}
            )
            stored = await store.jobs.get("org-a", job.id)
            assert stored is not None
            assert (stored.status, stored.results) == ("READY", {"created": 1, "failed": 0})
            assert await store.jobs.get("org-b", job.id) is None

            await downgrade(engine, "0002")
            async with engine.connect() as connection:
                tables = await connection.run_sync(
                    lambda sync: set(sa.inspect(sync).get_table_names())
                )
            assert "gateway_jobs" not in tables
            assert "simulated_chargers" in tables
            assert await store.chargers.get("org-a", "dep-1") is not None
    finally:
        await engine.dispose()
