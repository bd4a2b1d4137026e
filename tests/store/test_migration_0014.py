"""Revision 0014 (a station's own registration) on a database at rev 0013 holding a station with
a transaction: the station has no registration of its own (the CSMS's --boot-status answers),
and a downgrade drops the columns in place, so no cascade removes the transaction."""

from __future__ import annotations

import sqlalchemy as sa

from chargeyard.store import Store, create_engine, downgrade, migrate

_AT = "'2026-11-22 06:00:00'"
_ROWS = (
    "INSERT INTO stations (charge_box_id, organization_id, registration_status, is_online,"
    f" created_at, updated_at) VALUES ('CP-1', 'default', 'Accepted', false, {_AT}, {_AT})",
    "INSERT INTO transactions (station_id, transaction_id, connector_id, evse_id, id_tag,"
    " meter_start_wh, started_at, status, remote_started, register_went_backwards,"
    " updated_at)"
    f" SELECT id, '1', 1, 0, 'CARD', 0, {_AT}, 'active', false, false, {_AT} FROM stations",
)


async def _transactions(engine: sa.ext.asyncio.AsyncEngine) -> int:
    async with engine.connect() as connection:
        count: int = await connection.scalar(sa.text("SELECT count(*) FROM transactions"))
    return count


async def test_a_station_keeps_its_rows_and_has_no_registration_of_its_own(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0013")
        async with engine.begin() as connection:
            for statement in _ROWS:
                await connection.execute(sa.text(statement))
        await migrate(engine, "0014")
        async with Store(engine) as store:
            station = await store.stations.get("CP-1")
            assert station is not None
            assert (station.registration, station.pending_calls) == (None, None)
            assert station.registration_status == "Accepted"
            calls = [{"action": "GetConfiguration", "payload": {}}]
            await store.stations.set_registration("CP-1", "Pending", calls)
            assert await store.stations.registration_of("CP-1") == ("Pending", calls)
        await downgrade(engine, "0013")
        assert await _transactions(engine) == 1
        await migrate(engine)
        assert await _transactions(engine) == 1
    finally:
        await engine.dispose()
