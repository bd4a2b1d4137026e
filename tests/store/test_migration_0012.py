"""Revision 0012 (API key roles) on a database at rev 0011 holding a key: the key, which could
do everything, is an admin key and still verifies; new keys take the role they are given; a
downgrade removes only the column."""

from __future__ import annotations

import sqlalchemy as sa

from chargeyard.store import Store, create_engine, downgrade, migrate
from chargeyard.store.models import ApiKeyRole


async def _columns(engine: sa.ext.asyncio.AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: {c["name"] for c in sa.inspect(sync).get_columns("api_keys")}
        )


async def test_a_key_made_before_roles_is_an_admin_key(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0011")
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO api_keys (id, name, prefix, key_hash, created_at)"
                    " VALUES ('key_old', 'old', '0badc0de', 'x', '2026-11-22 06:00:00')"
                )
            )
        await migrate(engine, "0012")
        # The store speaks the newest schema: 0013 only adds the organization to the key.
        await migrate(engine)
        async with Store(engine) as store:
            old = await store.api_keys.get("key_old")
            assert old is not None
            assert old.role == ApiKeyRole.ADMIN
            new, _ = await store.api_keys.create("dashboards", ApiKeyRole.VIEWER)
            assert new.role == ApiKeyRole.VIEWER
        await downgrade(engine, "0011")
        assert "role" not in await _columns(engine)
        assert "prefix" in await _columns(engine)
    finally:
        await engine.dispose()
