"""Revision 0007 (the EVSE of a station notification) on a database at rev 0006 holding a
notification: the row keeps what it had and no EVSE, new rows keep theirs, and a downgrade
removes only the column."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from chargeyard.store import Store, create_engine, downgrade, migrate
from chargeyard.store.migrations import current_revision
from chargeyard.store.models import NotificationKind


async def _columns(engine: sa.ext.asyncio.AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: {c["name"] for c in sa.inspect(sync).get_columns("station_notifications")}
        )


async def test_upgrading_a_rev_0006_database_keeps_notifications_without_an_evse(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0006")
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO stations (charge_box_id, is_online,"
                    " created_at, updated_at) VALUES ('CP-1', false, '2026-11-22 06:00:00',"
                    " '2026-11-22 06:00:00')"
                )
            )
            await connection.execute(
                sa.text(
                    "INSERT INTO station_notifications (station_id, kind, action, status, at)"
                    " SELECT id, 'firmware', 'FirmwareStatusNotification', 'Installed',"
                    " '2026-11-22 06:00:00' FROM stations"
                )
            )
        await migrate(engine, "0007")
        assert await current_revision(engine) == "0007"
        async with Store(engine) as store:
            [old] = await store.notifications.history("CP-1")
            assert (old.status, old.evse_id) == ("Installed", None)
            await store.notifications.record(
                "CP-1",
                NotificationKind.CHARGING_LIMIT,
                "ClearedChargingLimit",
                status="EMS",
                evse_id=2,
                at=datetime(2026, 11, 23, tzinfo=UTC),
            )
            newest = (await store.notifications.history("CP-1"))[0]
            assert (newest.action, newest.evse_id) == ("ClearedChargingLimit", 2)

        await downgrade(engine, "0006")
        assert "evse_id" not in await _columns(engine)
        assert "status" in await _columns(engine)
    finally:
        await engine.dispose()
