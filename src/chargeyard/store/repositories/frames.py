"""Reading the frame log (writing is :class:`chargeyard.store.frame_log.FrameLog`'s job) and
trimming it: the log grows by every frame, so a deployment purges what it no longer needs.

Lists for people (the API's frame log and a charger's logs) read :class:`ListedFrame` rows:
a frame longer than ``cut_at`` characters is cut by the database, so a page never carries
(or reads out of the database) a frame of megabytes; :meth:`FrameRepository.get` reads one
frame whole. A frame stored cut (longer than the store's payload cap, ``payload_cap.py``)
lists as ``truncated`` with its original ``length``, read whole or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, Row, Select, Text, delete, func, select

from chargeyard.store.models import Frame
from chargeyard.store.payload_cap import capped_length, stored_tail
from chargeyard.store.repositories._base import Repository, page

_ListedRow = Row[int, str, str, str | None, str | None, str, int, datetime, str, str | None]


@dataclass(frozen=True, slots=True)
class ListedFrame:
    """A frame as a list shows it: ``text`` is its first ``cut_at`` characters when it is
    longer (``truncated``); ``length`` is the whole text's, in characters (as received, when
    the store kept only its beginning: ``stored_cut``)."""

    id: int
    identity: str
    direction: str
    action: str | None
    unique_id: str | None
    text: str
    length: int
    at: datetime
    stored_cut: bool = False
    fault: str | None = None  # what a network fault did to it (simulators' logs)

    @property
    def truncated(self) -> bool:
        return self.stored_cut or len(self.text) < self.length

    @classmethod
    def of(cls, row: _ListedRow) -> ListedFrame:
        """From a row of :func:`_listed`'s columns."""
        id_, identity, direction, action, unique_id, text, length, at, tail, fault = row
        original = capped_length(tail)
        return cls(
            id_,
            identity,
            direction,
            action,
            unique_id,
            text,
            length if original is None else original,
            at,
            stored_cut=original is not None,
            fault=fault,
        )


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

    async def listing(
        self,
        identity: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        newest_first: bool = False,
        limit: int = 1000,
        offset: int = 0,
        cut_at: int | None = None,
    ) -> tuple[Sequence[ListedFrame], int]:
        """:meth:`matching` for a list: a page of :class:`ListedFrame` rows, each cut to
        ``cut_at`` characters when longer (None: whole), oldest first unless
        ``newest_first``, and how many match in all."""
        limit, offset = page(limit, offset)
        condition = _matching(identity, since, until, action)
        order = Frame.id.desc() if newest_first else Frame.id
        statement = _listed(cut_at).where(*condition).order_by(order).limit(limit).offset(offset)
        async with self._read() as session:
            total = await session.scalar(select(func.count()).select_from(Frame).where(*condition))
            rows = (await session.execute(statement)).all()
        return [ListedFrame.of(row) for row in rows], total or 0

    async def across(
        self,
        identities: Sequence[str],
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        actions: Sequence[str] = (),
        limit: int = 100,
        offset: int = 0,
        cut_at: int | None = None,
    ) -> tuple[Sequence[ListedFrame], int]:
        """A page of the frames of several identities (the gateway's charger ids), oldest
        first, only ``actions``' when some are given (``since`` inclusive, ``until``
        exclusive), each cut to ``cut_at`` characters; and how many match in all."""
        if not identities:
            return [], 0
        limit, offset = page(limit, offset)
        condition = _across(identities, since, until, actions)
        statement = _listed(cut_at).where(*condition).order_by(Frame.id).limit(limit)
        async with self._read() as session:
            total = await session.scalar(select(func.count()).select_from(Frame).where(*condition))
            rows = (await session.execute(statement.offset(offset))).all()
        return [ListedFrame.of(row) for row in rows], total or 0

    async def delete_across(
        self,
        identities: Sequence[str],
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        actions: Sequence[str] = (),
    ) -> int:
        """Delete the frames :meth:`across` would list; returns how many."""
        if not identities:
            return 0
        async with self._write() as session:
            connection = await session.connection()
            result = await connection.execute(
                delete(Frame).where(*_across(identities, since, until, actions))
            )
            return result.rowcount

    async def newest(
        self,
        identity: str,
        *,
        action: str | None = None,
        after_id: int | None = None,
        limit: int = 100,
        cut_at: int | None = None,
    ) -> Sequence[ListedFrame]:
        """One station's latest frames, newest first: only ``action``'s (a CALL and its
        answer carry the same action) and only those recorded after the frame ``after_id``
        when given, so that a reader polling the log fetches just what is new; each cut to
        ``cut_at`` characters when longer (None: whole)."""
        limit, _ = page(limit)
        statement = _listed(cut_at).where(Frame.identity == identity)
        if action is not None:
            statement = statement.where(Frame.action == action)
        if after_id is not None:
            statement = statement.where(Frame.id > after_id)
        statement = statement.order_by(Frame.id.desc()).limit(limit)
        async with self._read() as session:
            rows = (await session.execute(statement)).all()
        return [ListedFrame.of(row) for row in rows]

    async def get(self, identity: str, frame_id: int) -> Frame | None:
        """One of ``identity``'s frames, whole; None when it has no frame ``frame_id``."""
        async with self._read() as session:
            frame = await session.get(Frame, frame_id)
        return frame if frame is not None and frame.identity == identity else None

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


def _listed(
    cut_at: int | None,
) -> Select[int, str, str, str | None, str | None, str, int, datetime, str, str | None]:
    """A SELECT of :class:`ListedFrame`'s columns, the text cut to ``cut_at`` characters
    (SQLite and PostgreSQL both count characters in ``substr`` and ``length``), and the
    text's tail, where a payload stored cut names its original length."""
    text = Frame.text if cut_at is None else func.substr(Frame.text, 1, cut_at, type_=Text())
    return select(
        Frame.id,
        Frame.identity,
        Frame.direction,
        Frame.action,
        Frame.unique_id,
        text,
        func.length(Frame.text, type_=Integer()),
        Frame.at,
        stored_tail(Frame.text),
        Frame.fault,
    )


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


def _across(
    identities: Sequence[str],
    since: datetime | None,
    until: datetime | None,
    actions: Sequence[str],
) -> list[ColumnElement[bool]]:
    condition: list[ColumnElement[bool]] = [Frame.identity.in_(list(identities))]
    if since is not None:
        condition.append(Frame.at >= since)
    if until is not None:
        condition.append(Frame.at < until)
    if actions:
        condition.append(Frame.action.in_(list(actions)))
    return condition
