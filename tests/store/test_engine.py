"""Opening databases: URL normalisation, SQLite's durability settings, UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from chargeyard.store import Store, create_engine, normalize_url
from chargeyard.store.models import IdTag


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///chargeyard.db", "sqlite+aiosqlite:///chargeyard.db"),
        ("sqlite:////var/lib/cy.db", "sqlite+aiosqlite:////var/lib/cy.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u:p@db:5432/cy", "postgresql+asyncpg://u:p@db:5432/cy"),
        ("postgres://u@db/cy", "postgresql+asyncpg://u@db/cy"),
        ("postgresql+psycopg2://u@db/cy", "postgresql+asyncpg://u@db/cy"),
    ],
)
def test_urls_are_turned_into_async_driver_urls(given: str, expected: str) -> None:
    assert normalize_url(given).render_as_string(hide_password=False) == expected


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database URL"):
        normalize_url("mysql://u@db/cy")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="in-memory SQLite"):
        create_engine(url)


async def test_sqlite_connections_use_wal_normal_sync_foreign_keys_and_busy_timeout(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
    finally:
        await engine.dispose()
    # synchronous: 1 is NORMAL.
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


async def test_datetimes_come_back_aware_in_utc(store: Store) -> None:
    paris_winter = timezone(timedelta(hours=1))
    expiry = datetime(2026, 2, 10, 15, 0, 0, 123456, tzinfo=paris_winter)
    await store.id_tags.create("TAG-1", expiry_date=expiry)
    tag = await store.id_tags.get("TAG-1")
    assert tag is not None
    assert tag.expiry_date == datetime(2026, 2, 10, 14, 0, 0, 123456, tzinfo=UTC)
    assert tag.expiry_date.tzinfo is UTC


async def test_datetimes_compare_in_utc_in_queries(store: Store) -> None:
    await store.id_tags.create("EARLY", expiry_date=datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    # 11:30 at +02:00 is 09:30 UTC: earlier, though its wall clock reads later.
    late_wall_clock = datetime(2026, 1, 1, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    await store.id_tags.create("LATER-WALL-CLOCK", expiry_date=late_wall_clock)
    async with store.sessions.read() as session:
        names = (await session.scalars(select(IdTag.id_tag).order_by(IdTag.expiry_date))).all()
    assert names == ["LATER-WALL-CLOCK", "EARLY"]


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        await store.id_tags.create("TAG-1", expiry_date=datetime(2026, 2, 10, 14, 0))


async def test_postgres_plans_each_statement_with_its_values(migrated_postgres: str) -> None:
    # A generic plan priced on an empty table scans the whole table once it has filled
    # (engine.POSTGRES_SETTINGS); settings a caller passes are kept beside ours.
    engine = create_engine(
        migrated_postgres, connect_args={"server_settings": {"application_name": "probe"}}
    )
    try:
        async with engine.connect() as connection:
            mode = await connection.scalar(text("SHOW plan_cache_mode"))
            name = await connection.scalar(text("SHOW application_name"))
        assert (mode, name) == ("force_custom_plan", "probe")
    finally:
        await engine.dispose()
