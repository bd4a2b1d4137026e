"""A write waits for a PostgreSQL that went away and completes once it is back: what a station
reported is stored late rather than lost (``store/reconnect.py``). The server is the
machine's; the test cuts its own TCP proxy in front of it, never the server."""

from __future__ import annotations

import asyncio

from sqlalchemy import make_url

from chargeyard.store import Store
from chargeyard.store.reconnect import unreachable
from chargeyard.store.station_writer import StationWriter, StatusReport
from tests.polling import until
from tests.tcp_proxy import TcpProxy


def _through(url: str, proxy: TcpProxy) -> str:
    return (
        make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    )


async def test_a_write_waits_for_the_database_and_completes_once_it_is_back(
    migrated_postgres: str,
) -> None:
    target = make_url(migrated_postgres)
    async with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        store = await Store.open(_through(migrated_postgres, proxy))
        try:
            await store.stations.register("CP-BEFORE")

            proxy.cut_off()
            write = asyncio.create_task(store.stations.register("CP-DURING"))
            await until(lambda: proxy.refused >= 2)  # it is trying to reconnect
            assert not write.done()
            proxy.restore()
            station = await asyncio.wait_for(write, 10)

            assert station.charge_box_id == "CP-DURING"
            assert await store.stations.get("CP-DURING") is not None
            assert await store.stations.get("CP-BEFORE") is not None
        finally:
            await store.close()


def test_only_a_lost_server_is_waited_for_not_a_wrong_statement() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

    assert unreachable(ConnectionRefusedError(111, "Connection refused"))
    assert unreachable(OperationalError("SELECT 1", {}, Exception("server closed")))
    assert not unreachable(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not unreachable(ProgrammingError("SELEC", {}, Exception("syntax error")))


async def test_the_station_writer_waits_for_the_database_too(migrated_postgres: str) -> None:
    # A boot storm's statuses go through the group commit (station_writer.py), not through a
    # repository: they must wait for the server the same way.
    target = make_url(migrated_postgres)
    async with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        store = await Store.open(_through(migrated_postgres, proxy))
        try:
            await store.stations.register("CP-WRITER")
            async with StationWriter(store.engine) as writer:
                proxy.cut_off()
                write = asyncio.create_task(writer.write(StatusReport("CP-WRITER", 1, "Charging")))
                await until(lambda: proxy.refused >= 2)
                assert not write.done()
                proxy.restore()
                await asyncio.wait_for(write, 10)
            connector = await store.connectors.get("CP-WRITER", 1)
            assert connector is not None
            assert connector.status == "Charging"
        finally:
            await store.close()
