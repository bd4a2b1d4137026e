"""Connector status: the latest per connector, and every change in order (G01/G03 in 2.0.1,
StatusNotification in 1.6). One call writes both rows in one transaction.

The latest statuses are the station's connector set as it reports it; :meth:`forget` drops the
set when the station's layout changed (``csms/layout.py``), while the history of changes stays:
it is what happened, and the station's transactions name their connectors by number, not by
row, so they are untouched."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, select

from chargeyard.store.errors import NotFoundError
from chargeyard.store.models import Connector, ConnectorStatusChange, Station
from chargeyard.store.repositories._base import Repository, page, station_pk
from chargeyard.store.station_writer import StatusReport, write_now
from chargeyard.store.types import utc_now


class ConnectorRepository(Repository):
    async def update_status(
        self,
        charge_box_id: str,
        connector_id: int,
        status: str,
        *,
        evse_id: int = 0,
        error_code: str = "NoError",
        info: str | None = None,
        vendor_id: str | None = None,
        vendor_error_code: str | None = None,
        at: datetime | None = None,
    ) -> Connector:
        """Record a StatusNotification: upsert the connector's row, append a history row
        (with the statements of the central system's group commit, ``station_writer.py``).

        Raises:
            NotFoundError: no such station.
        """
        report = StatusReport(
            charge_box_id,
            connector_id,
            status,
            evse_id=evse_id,
            error_code=error_code,
            info=info,
            vendor_id=vendor_id,
            vendor_error_code=vendor_error_code,
            at=at or utc_now(),
        )
        await write_now(self._sessions.engine, [report])
        connector = await self.get(charge_box_id, connector_id, evse_id=evse_id)
        if connector is None:  # the station was deleted in between
            raise NotFoundError("station", charge_box_id)
        return connector

    async def forget(self, charge_box_id: str) -> int:
        """Drop the station's connector set (the latest status of each connector), keeping
        the history of status changes; returns how many connectors it had.

        Raises:
            NotFoundError: no such station.
        """
        async with self._write() as session:
            pk = await station_pk(session, charge_box_id)
            connection = await session.connection()
            result = await connection.execute(delete(Connector).where(Connector.station_id == pk))
            return result.rowcount

    async def get(
        self, charge_box_id: str, connector_id: int, *, evse_id: int = 0
    ) -> Connector | None:
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            return await session.scalar(
                select(Connector).where(
                    Connector.station_id == pk,
                    Connector.evse_id == evse_id,
                    Connector.connector_id == connector_id,
                )
            )

    async def list(self, charge_box_id: str) -> Sequence[Connector]:
        """The station's connectors by (evse, connector).

        Raises:
            NotFoundError: no such station.
        """
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            statement = (
                select(Connector)
                .where(Connector.station_id == pk)
                .order_by(Connector.evse_id, Connector.connector_id)
            )
            return (await session.scalars(statement)).all()

    async def list_by_station(
        self, charge_box_ids: Collection[str]
    ) -> dict[str, builtins.list[Connector]]:
        """The connectors of several stations in one query (a page of the API's list), each
        station's by (evse, connector); an unknown or connector-less station maps to ``[]``."""
        found: dict[str, builtins.list[Connector]] = {identity: [] for identity in charge_box_ids}
        if not found:
            return found
        statement = (
            select(Station.charge_box_id, Connector)
            .join(Station, Station.id == Connector.station_id)
            .where(Station.charge_box_id.in_(list(found)))
            .order_by(Connector.evse_id, Connector.connector_id)
        )
        async with self._read() as session:
            for identity, connector in await session.execute(statement):
                found[identity].append(connector)
        return found

    async def history(
        self, charge_box_id: str, connector_id: int, *, evse_id: int = 0, limit: int = 100
    ) -> Sequence[ConnectorStatusChange]:
        """The connector's status changes, newest first."""
        limit, _ = page(limit)
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            statement = (
                select(ConnectorStatusChange)
                .where(
                    ConnectorStatusChange.station_id == pk,
                    ConnectorStatusChange.evse_id == evse_id,
                    ConnectorStatusChange.connector_id == connector_id,
                )
                .order_by(ConnectorStatusChange.at.desc(), ConnectorStatusChange.id.desc())
                .limit(limit)
            )
            return (await session.scalars(statement)).all()
