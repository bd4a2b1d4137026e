"""Revision 0006 (station notifications) on a database at rev 0005 holding a station: the
station keeps its row, the new table works and cascades, and a downgrade removes only it."""

from __future__ import annotations

import sqlalchemy as sa

from chargeyard.store import create_engine, downgrade, migrate
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
        # In SQL throughout: the repositories know the columns of later revisions too.
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO stations (charge_box_id, name, is_online, created_at, updated_at)"
                    " VALUES ('CP-1', 'Depot 1', false, '2026-11-22 06:00:00',"
                    " '2026-11-22 06:00:00')"
                )
            )
        await migrate(engine, "0006")
        assert await current_revision(engine) == "0006"

        async with engine.connect() as connection:
            name = await connection.scalar(
                sa.text("SELECT name FROM stations WHERE charge_box_id = 'CP-1'")
            )
        assert name == "Depot 1"
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
        async with engine.begin() as connection:  # the cascade
            await connection.execute(sa.text("DELETE FROM stations"))
            count = await connection.scalar(sa.text("SELECT count(*) FROM station_notifications"))
        assert count == 0

        await downgrade(engine, "0005")
        assert "station_notifications" not in await _tables(engine)
        assert "stations" in await _tables(engine)
    finally:
        await engine.dispose()
