"""Revision 0006 (station notifications) on a database at rev 0005 holding a station: the
station keeps its row, the new table works and cascades, and a downgrade removes only it."""

from __future__ import annotations

import sqlalchemy as sa

from chargeyard.store import Store, create_engine, downgrade, migrate
from chargeyard.store.migrations import current_revision
from chargeyard.store.models import NotificationKind


async def _tables(engine: sa.ext.asyncio.AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: set(sa.inspect(sync).get_table_names()))


async def test_upgrading_a_rev_0005_database_keeps_stations_and_adds_notifications(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0005")
        async with Store(engine) as store:
            await store.stations.register("CP-1", name="Depot 1")
            await migrate(engine, "0006")
            assert await current_revision(engine) == "0006"

            station = await store.stations.get("CP-1")
            assert station is not None
            assert station.name == "Depot 1"
            # In SQL: the repository knows the columns of later revisions too.
            async with engine.begin() as connection:
                await connection.execute(
                    sa.text(
                        "INSERT INTO station_notifications (station_id, kind, action, status, at)"
                        " SELECT id, :kind, 'FirmwareStatusNotification', 'Installed',"
                        " '2026-11-22 06:00:00' FROM stations"
                    ),
                    {"kind": NotificationKind.FIRMWARE.value},
                )
                status = await connection.scalar(
                    sa.text("SELECT status FROM station_notifications WHERE kind = 'firmware'")
                )
            assert status == "Installed"
            await store.stations.delete("CP-1")  # the cascade
            async with engine.connect() as connection:
                count = await connection.scalar(
                    sa.text("SELECT count(*) FROM station_notifications")
                )
            assert count == 0

            await downgrade(engine, "0005")
            assert "station_notifications" not in await _tables(engine)
            assert "stations" in await _tables(engine)
    finally:
        await engine.dispose()
