"""DataTransfer history per station, both directions (the ``data-transfer`` API, newest first,
at most 100 per page). An outgoing transfer may be recorded before its answer arrives and
completed with :meth:`DataTransferRepository.set_response`.

The API's list reads :class:`ListedTransfer` rows (:meth:`DataTransferRepository.listing`):
``data`` and ``responseData`` longer than ``cut_at`` characters are cut by the database, so a
page never carries megabytes; :meth:`DataTransferRepository.get` reads one transfer whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Text, func, select

from chargeyard.store.engine import Sessions
from chargeyard.store.errors import NotFoundError
from chargeyard.store.ids import new_id
from chargeyard.store.models import DataTransfer, Direction
from chargeyard.store.payload_cap import (
    DEFAULT_MAX_PAYLOAD_CHARS,
    cap_optional,
    capped_length,
    stored_tail,
)
from chargeyard.store.repositories._base import Repository, station_pk
from chargeyard.store.types import utc_now

MAX_HISTORY = 100


@dataclass(frozen=True, slots=True)
class ListedTransfer:
    """A transfer as a list shows it: ``data`` and ``response_data`` are their first
    ``cut_at`` characters when longer; the ``*_length`` fields are the whole texts'."""

    id: str
    direction: str
    vendor_id: str
    message_id: str | None
    data: str | None
    data_length: int | None
    response_status: str | None
    response_data: str | None
    response_data_length: int | None
    created_at: datetime
    data_tail: str | None = None
    response_data_tail: str | None = None

    @property
    def truncated(self) -> bool:
        """``data`` or ``response_data`` is cut, here or when stored (``payload_cap.py``)."""
        return (
            _cut(self.data, self.data_length)
            or _cut(self.response_data, self.response_data_length)
            or capped_length(self.data_tail) is not None
            or capped_length(self.response_data_tail) is not None
        )


def _cut(text: str | None, length: int | None) -> bool:
    return text is not None and length is not None and len(text) < length


class DataTransferRepository(Repository):
    """``data`` and ``response_data`` longer than ``max_payload_chars`` are stored cut, with a
    marker naming their length (``payload_cap.py``)."""

    def __init__(
        self, sessions: Sessions, *, max_payload_chars: int = DEFAULT_MAX_PAYLOAD_CHARS
    ) -> None:
        super().__init__(sessions)
        self._max_chars = max_payload_chars

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
                data=cap_optional(data, self._max_chars),
                response_status=response_status,
                response_data=cap_optional(response_data, self._max_chars),
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
            transfer.response_data = cap_optional(data, self._max_chars)
        return transfer

    async def listing(
        self, charge_box_id: str, limit: int = 20, *, cut_at: int | None = None
    ) -> Sequence[ListedTransfer]:
        """:meth:`history` for a list: ``data`` and ``response_data`` cut to ``cut_at``
        characters when longer (None: whole).

        Raises:
            NotFoundError: no such station.
        """
        limit = max(0, min(limit, MAX_HISTORY))
        data = DataTransfer.data.expression
        response_data = DataTransfer.response_data.expression
        if cut_at is not None:
            data = func.substr(data, 1, cut_at, type_=Text())
            response_data = func.substr(response_data, 1, cut_at, type_=Text())
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            statement = (
                select(
                    DataTransfer.id,
                    DataTransfer.direction,
                    DataTransfer.vendor_id,
                    DataTransfer.message_id,
                    data.label("data"),
                    func.length(DataTransfer.data, type_=Integer()).label("data_length"),
                    DataTransfer.response_status,
                    response_data.label("response_data"),
                    func.length(DataTransfer.response_data, type_=Integer()).label(
                        "response_data_length"
                    ),
                    DataTransfer.created_at,
                    stored_tail(DataTransfer.data).label("data_tail"),
                    stored_tail(DataTransfer.response_data).label("response_data_tail"),
                )
                .where(DataTransfer.station_id == pk)
                .order_by(DataTransfer.created_at.desc(), DataTransfer.id.desc())
                .limit(limit)
            )
            rows = (await session.execute(statement)).all()
        return [ListedTransfer(**row._asdict()) for row in rows]

    async def get(self, charge_box_id: str, transfer_id: str) -> DataTransfer | None:
        """One of the station's transfers, whole; None when it has no such transfer.

        Raises:
            NotFoundError: no such station.
        """
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            transfer = await session.get(DataTransfer, transfer_id)
        return transfer if transfer is not None and transfer.station_id == pk else None

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
