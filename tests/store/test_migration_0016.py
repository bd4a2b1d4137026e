"""Revision 0016 (what a network fault did to a frame): the frames logged before it have none,
and a downgrade drops the column in place."""

from __future__ import annotations

import sqlalchemy as sa

from chargeyard.store import create_engine, downgrade, migrate

_ROW = (
    "INSERT INTO frames (identity, direction, action, unique_id, text, at)"
    " VALUES ('CP-1', 'outgoing', 'Heartbeat', '1', '[2,\"1\",\"Heartbeat\",{}]',"
    " '2026-11-26 13:00:00')"
)


async def test_frames_logged_before_have_no_fault_and_a_downgrade_keeps_them(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0015")
        async with engine.begin() as connection:
            await connection.execute(sa.text(_ROW))
        await migrate(engine, "0016")
        async with engine.connect() as connection:
            rows = (await connection.execute(sa.text("SELECT unique_id, fault FROM frames"))).all()
        assert [tuple(row) for row in rows] == [("1", None)]
        await downgrade(engine, "0015")
        async with engine.connect() as connection:
            count = await connection.scalar(sa.text("SELECT count(*) FROM frames"))
        assert count == 1
        await migrate(engine)
    finally:
        await engine.dispose()
