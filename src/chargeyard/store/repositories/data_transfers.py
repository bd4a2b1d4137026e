"""DataTransfer history per station, both directions (the ``data-transfer`` API, newest first,
at most 100 per page). An outgoing transfer may be recorded before its answer arrives and
completed with :meth:`DataTransferRepository.set_response`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from chargeyard.store.errors import NotFoundError
from chargeyard.store.ids import new_id
from chargeyard.store.models import DataTransfer, Direction
from chargeyard.store.repositories._base import Repository, station_pk
from chargeyard.store.types import utc_now

MAX_HISTORY = 100


class DataTransferRepository(Repository):
    async def record(
        self,
        charge_box_id: str,
        *,
        direction: Direction,
        vendor_id: str,
        message_id: str | None = None,
        data: str | None = None,
        response_status: str | None = None,
        response_data: str | None = None,
        at: datetime | None = None,
    ) -> DataTransfer:
        """Raises: NotFoundError: no such station."""
        async with self._write() as session:
            transfer = DataTransfer(
                id=new_id("dt_"),
                station_id=await station_pk(session, charge_box_id),
                direction=direction,
                vendor_id=vendor_id,
                message_id=message_id,
                data=data,
                response_status=response_status,
                response_data=response_data,
                created_at=at or utc_now(),
            )
            session.add(transfer)
        return transfer

    async def set_response(
        self, transfer_id: str, status: str, data: str | None = None
    ) -> DataTransfer:
        """Complete a transfer with the answer's status and data.

        Raises:
            NotFoundError: no such transfer.
        """
        async with self._write() as session:
            transfer = await session.get(DataTransfer, transfer_id)
            if transfer is None:
                raise NotFoundError("data transfer", transfer_id)
            transfer.response_status = status
            transfer.response_data = data
        return transfer

    async def history(self, charge_box_id: str, limit: int = 20) -> Sequence[DataTransfer]:
        """The station's transfers, newest first; ``limit`` is capped at 100.

        Raises:
            NotFoundError: no such station.
        """
        limit = max(0, min(limit, MAX_HISTORY))
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            statement = (
                select(DataTransfer)
                .where(DataTransfer.station_id == pk)
                .order_by(DataTransfer.created_at.desc(), DataTransfer.id.desc())
                .limit(limit)
            )
            return (await session.scalars(statement)).all()
