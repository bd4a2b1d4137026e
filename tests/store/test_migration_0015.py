"""Revision 0015 (versions stored as subprotocols) on a database at rev 0014 holding the
spellings that releases without it wrote and read: a station's version by its name, chargers and
commands by their subprotocol (the gateway API) or their name (the demo), and the other
spellings a person could have given. Each comes back as its VersionSpec; a downgrade gives a
station its name back."""

from __future__ import annotations

import sqlalchemy as sa

from chargeyard.protocol import V16, V21, V201, VersionSpec
from chargeyard.store import Store, create_engine, downgrade, migrate

_AT = "'2026-11-22 06:00:00'"
# (row id, the spelling written before 0015, the version it names)
_SPELLINGS: tuple[tuple[str, str, VersionSpec], ...] = (
    ("a", "1.6", V16),
    ("b", "ocpp1.6", V16),
    ("c", "2.0.1", V201),
    ("d", "OCPP2.0.1", V201),
    ("e", "OCPP 1.6", V16),
    ("f", "v201", V201),
    ("g", "ocpp-1.6", V16),
    ("h", "1.6J", V16),
    ("i", "21", V21),
    ("j", "ocpp2.1", V21),
)


def _rows() -> list[str]:
    rows = []
    for key, spelling, _ in _SPELLINGS:
        rows += [
            "INSERT INTO stations (charge_box_id, organization_id, ocpp_version, is_online,"
            f" created_at, updated_at) VALUES ('CP-{key}', 'default', '{spelling}', false,"
            f" {_AT}, {_AT})",
            "INSERT INTO simulated_chargers (id, organization_id, identity, ocpp_version,"
            " config, desired_state, status, created_at, updated_at) VALUES"
            f" ('dep-{key}', 'default', 'CP-{key}', '{spelling}', '{{}}', 'stopped', 'created',"
            f" {_AT}, {_AT})",
            "INSERT INTO commands (id, organization_id, charger_id, event_type, ocpp_version,"
            " payload, status, created_at, updated_at) VALUES"
            f" ('cmd-{key}', 'default', 'dep-{key}', 'plug', '{spelling}', '{{}}', 'queued',"
            f" {_AT}, {_AT})",
        ]
    return rows


async def _column(engine: sa.ext.asyncio.AsyncEngine, table: str) -> set[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(sa.text(f"SELECT ocpp_version FROM {table}"))
        return {value for (value,) in rows}


async def test_every_old_spelling_reads_back_as_its_version(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0014")
        async with engine.begin() as connection:
            for statement in _rows():
                await connection.execute(sa.text(statement))
        await migrate(engine, "0015")
        for table in ("stations", "simulated_chargers", "commands"):
            assert await _column(engine, table) == {"ocpp1.6", "ocpp2.0.1", "ocpp2.1"}
        async with Store(engine) as store:
            for key, _, version in _SPELLINGS:
                station = await store.stations.get(f"CP-{key}")
                charger = await store.chargers.get("default", f"dep-{key}")
                command = await store.commands.get("default", f"cmd-{key}")
                assert station is not None
                assert charger is not None
                assert command is not None
                assert station.ocpp_version is version
                assert charger.ocpp_version is version
                assert command.ocpp_version is version
        await downgrade(engine, "0014")
        assert await _column(engine, "stations") == {"1.6", "2.0.1", "2.1"}
        assert await _column(engine, "commands") == {"ocpp1.6", "ocpp2.0.1", "ocpp2.1"}
    finally:
        await engine.dispose()


async def test_a_value_that_names_no_version_is_left_as_it_is(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0014")
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO stations (charge_box_id, organization_id, ocpp_version,"
                    f" is_online, created_at, updated_at) VALUES ('CP-1', 'default', '1.5',"
                    f" false, {_AT}, {_AT})"
                )
            )
        await migrate(engine, "0015")
        assert await _column(engine, "stations") == {"1.5"}
    finally:
        await engine.dispose()
