"""Revision 0013 (organizations on the central system) on a database at rev 0012 holding a key,
a station with a transaction and samples, a tag and a webhook with a delivery: everything is
the default organization's and nothing is lost (no referenced table is rebuilt, so no cascade
fires); a downgrade keeps one tag per number."""

from __future__ import annotations

import sqlalchemy as sa

from chargeyard.store import Store, create_engine, downgrade, migrate
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID, ApiKeyRole

_AT = "'2026-11-22 06:00:00'"
_ROWS = (
    "INSERT INTO api_keys (id, name, role, prefix, key_hash, created_at)"
    f" VALUES ('key_old', 'old', 'admin', '0badc0de', 'x', {_AT})",
    "INSERT INTO stations (charge_box_id, is_online, created_at, updated_at)"
    f" VALUES ('CP-1', false, {_AT}, {_AT})",
    "INSERT INTO transactions (station_id, transaction_id, connector_id, evse_id, id_tag,"
    " meter_start_wh, started_at, status, remote_started, register_went_backwards,"
    " updated_at)"
    f" SELECT id, '1', 1, 0, 'CARD', 0, {_AT}, 'active', false, false, {_AT} FROM stations",
    "INSERT INTO id_tags (id_tag, status, created_at, updated_at)"
    f" VALUES ('CARD', 'Blocked', {_AT}, {_AT})",
    "INSERT INTO webhooks (id, url, events, secret, active, created_at, updated_at)"
    f" VALUES ('wh_old', 'https://a', '[\"*\"]', 's', true, {_AT}, {_AT})",
    "INSERT INTO webhook_deliveries (webhook_id, event, payload, status, attempts, created_at)"
    f" VALUES ('wh_old', 'charger.boot', '{{}}', 'pending', 0, {_AT})",
)


async def _count(engine: sa.ext.asyncio.AsyncEngine, table: str) -> int:
    async with engine.connect() as connection:
        count: int = await connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))
    return count


async def test_what_was_there_is_the_default_organization_s(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0012")
        async with engine.begin() as connection:
            for statement in _ROWS:
                await connection.execute(sa.text(statement))
        await migrate(engine, "0013")
        # The repositories read the newest schema; the revisions after 0013 only add columns.
        await migrate(engine)
        async with Store(engine) as store:
            key = await store.api_keys.get("key_old")
            station = await store.stations.get("CP-1")
            tag = await store.id_tags.get("CARD")
            webhook = await store.webhooks.get("wh_old")
            assert key is not None
            assert station is not None
            assert tag is not None
            assert webhook is not None
            assert {
                key.organization_id,
                station.organization_id,
                tag.organization_id,
                webhook.organization_id,
            } == {DEFAULT_ORGANIZATION_ID}
            assert key.role == ApiKeyRole.ADMIN
            assert tag.status == "Blocked"
            assert await store.organizations.get(DEFAULT_ORGANIZATION_ID) is not None
            assert [await _count(engine, t) for t in ("transactions", "webhook_deliveries")] == [
                1,
                1,
            ]
            # Another organization may now have the same card.
            await store.organizations.ensure("org-b")
            await store.id_tags.create("CARD", organization_id="org-b")

        await downgrade(engine, "0012")
        async with engine.connect() as connection:
            tags = (await connection.execute(sa.text("SELECT id_tag, status FROM id_tags"))).all()
        assert [tuple(row) for row in tags] == [("CARD", "Blocked")]  # the default's kept
        assert await _count(engine, "transactions") == 1
        await migrate(engine)
    finally:
        await engine.dispose()
