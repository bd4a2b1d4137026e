"""Reading the frame log (writing is :class:`chargeyard.store.frame_log.FrameLog`'s job) and
trimming it: the log grows by every frame, so a deployment purges what it no longer needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select

from chargeyard.store.models import Frame
from chargeyard.store.repositories._base import Repository, page


class FrameRepository(Repository):
    async def list(
        self,
        identity: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[Frame]:
        """One station's frames in the order they were recorded (``since`` inclusive,
        ``until`` exclusive)."""
        limit, offset = page(limit, offset)
        condition = _matching(identity, since, until, None)
        statement = select(Frame).where(*condition).order_by(Frame.id).limit(limit).offset(offset)
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def matching(
        self,
        identity: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> tuple[Sequence[Frame], int]:
        """A page of one station's frames in the order they were recorded (``since``
        inclusive, ``until`` exclusive, only ``action``'s when given), and how many match in
        all."""
        limit, offset = page(limit, offset)
        condition = _matching(identity, since, until, action)
        async with self._read() as session:
            total = await session.scalar(select(func.count()).select_from(Frame).where(*condition))
            rows = (
                await session.scalars(
                    select(Frame).where(*condition).order_by(Frame.id).limit(limit).offset(offset)
                )
            ).all()
        return rows, total or 0

    async def newest(
        self,
        identity: str,
        *,
        action: str | None = None,
        after_id: int | None = None,
        limit: int = 100,
    ) -> Sequence[Frame]:
        """One station's latest frames, newest first: only ``action``'s (a CALL and its
        answer carry the same action) and only those recorded after the frame ``after_id``
        when given, so that a reader polling the log fetches just what is new."""
        limit, _ = page(limit)
        statement = select(Frame).where(Frame.identity == identity)
        if action is not None:
            statement = statement.where(Frame.action == action)
        if after_id is not None:
            statement = statement.where(Frame.id > after_id)
        statement = statement.order_by(Frame.id.desc()).limit(limit)
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def count(self, identity: str | None = None) -> int:
        statement = select(func.count()).select_from(Frame)
        if identity is not None:
            statement = statement.where(Frame.identity == identity)
        async with self._read() as session:
            return (await session.execute(statement)).scalar_one()

    async def purge(self, before: datetime) -> int:
        """Delete frames older than ``before``; returns how many."""
        async with self._write() as session:
            connection = await session.connection()
            result = await connection.execute(delete(Frame).where(Frame.at < before))
            return result.rowcount


def _matching(
    identity: str, since: datetime | None, until: datetime | None, action: str | None
) -> list[ColumnElement[bool]]:
    condition = [Frame.identity == identity]
    if since is not None:
        condition.append(Frame.at >= since)
    if until is not None:
        condition.append(Frame.at < until)
    if action is not None:
        condition.append(Frame.action == action)
    return condition
