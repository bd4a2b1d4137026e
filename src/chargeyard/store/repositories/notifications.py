"""The reports a station sends on its own beyond status and transactions, as received:
firmware, diagnostics and log upload progress, security events, report parts, reservation
updates, charging profiles and limits, events
(:class:`~chargeyard.store.models.StationNotification`). A station's current firmware and
diagnostics status is its newest notification of that kind (:meth:`current`): one source, so
the history and the current status never disagree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select

from chargeyard.store.engine import Sessions
from chargeyard.store.models import NotificationKind, Station, StationNotification
from chargeyard.store.payload_cap import DEFAULT_MAX_PAYLOAD_CHARS, cap_optional
from chargeyard.store.repositories._base import Repository, station_pk
from chargeyard.store.types import utc_now

MAX_NOTIFICATIONS = 100

# The kinds whose newest notification is a station's current status.
STATUS_KINDS = (NotificationKind.FIRMWARE, NotificationKind.DIAGNOSTICS)


class NewNotification(NamedTuple):
    """One notification to keep (:meth:`NotificationRepository.record_all`); the fields are
    those of :class:`~chargeyard.store.models.StationNotification`."""

    kind: NotificationKind
    action: str
    status: str | None = None
    request_id: int | None = None
    detail: str | None = None
    at: datetime | None = None  # None: now
    evse_id: int | None = None


class NotificationRepository(Repository):
    """A ``detail`` longer than ``max_payload_chars`` is stored cut, with a marker naming its
    length (``payload_cap.py``)."""

    def __init__(
        self, sessions: Sessions, *, max_payload_chars: int = DEFAULT_MAX_PAYLOAD_CHARS
    ) -> None:
        super().__init__(sessions)
        self._max_chars = max_payload_chars

    async def record(
        self,
        charge_box_id: str,
        kind: NotificationKind,
        action: str,
        *,
        status: str | None = None,
        request_id: int | None = None,
        detail: str | None = None,
        at: datetime | None = None,
        evse_id: int | None = None,
    ) -> StationNotification:
        """Keep one notification; committed when this returns.

        Raises:
            NotFoundError: no such station.
        """
        new = NewNotification(kind, action, status, request_id, detail, at, evse_id)
        [notification] = await self.record_all(charge_box_id, [new])
        return notification

    async def record_all(
        self, charge_box_id: str, notifications: Sequence[NewNotification]
    ) -> list[StationNotification]:
        """Keep several notifications of one message at once (the events of one NotifyEvent);
        committed together when this returns.

        Raises:
            NotFoundError: no such station.
        """
        now = utc_now()
        async with self._write() as session:
            pk = await station_pk(session, charge_box_id)
            rows = [
                StationNotification(
                    station_id=pk,
                    kind=new.kind,
                    action=new.action,
                    status=new.status,
                    request_id=new.request_id,
                    evse_id=new.evse_id,
                    detail=cap_optional(new.detail, self._max_chars),
                    at=new.at or now,
                )
                for new in notifications
            ]
            session.add_all(rows)
        return rows

    async def current(
        self, charge_box_ids: Collection[str]
    ) -> dict[str, dict[NotificationKind, StationNotification]]:
        """Each station's newest firmware and diagnostics notification, by kind; stations and
        kinds without one are left out. Newest by row id: these messages carry no timestamp,
        so arrival order is their order."""
        if not charge_box_ids:
            return {}
        newest = (
            select(func.max(StationNotification.id))
            .join(Station, Station.id == StationNotification.station_id)
            .where(
                Station.charge_box_id.in_(list(charge_box_ids)),
                StationNotification.kind.in_(list(STATUS_KINDS)),
            )
            .group_by(StationNotification.station_id, StationNotification.kind)
        )
        statement = (
            select(Station.charge_box_id, StationNotification)
            .join(Station, Station.id == StationNotification.station_id)
            .where(StationNotification.id.in_(newest))
        )
        found: dict[str, dict[NotificationKind, StationNotification]] = defaultdict(dict)
        async with self._read() as session:
            for charge_box_id, notification in (await session.execute(statement)).all():
                found[charge_box_id][NotificationKind(notification.kind)] = notification
        return dict(found)

    async def naming(
        self, charge_box_id: str, kind: NotificationKind, text: str, limit: int
    ) -> list[tuple[datetime, str | None]]:
        """The time and detail of the station's newest ``limit`` notifications of ``kind``
        whose detail holds ``text``, newest first (a report part that names a variable).

        Raises:
            NotFoundError: no such station.
        """
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            statement = (
                select(StationNotification.at, StationNotification.detail)
                .where(
                    StationNotification.station_id == pk,
                    StationNotification.kind == kind,
                    StationNotification.detail.contains(text, autoescape=True),
                )
                .order_by(StationNotification.at.desc(), StationNotification.id.desc())
                .limit(limit)
            )
            return [(at, detail) for at, detail in (await session.execute(statement)).all()]

    async def history(
        self,
        charge_box_id: str,
        *,
        kind: NotificationKind | None = None,
        evse_id: int | None = None,
        limit: int = 20,
    ) -> Sequence[StationNotification]:
        """The station's notifications (of ``kind``, about ``evse_id``, or all), newest first;
        ``limit`` is capped at :data:`MAX_NOTIFICATIONS`.

        Raises:
            NotFoundError: no such station.
        """
        limit = max(0, min(limit, MAX_NOTIFICATIONS))
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            statement = select(StationNotification).where(StationNotification.station_id == pk)
            if kind is not None:
                statement = statement.where(StationNotification.kind == kind)
            if evse_id is not None:
                statement = statement.where(StationNotification.evse_id == evse_id)
            statement = statement.order_by(
                StationNotification.at.desc(), StationNotification.id.desc()
            ).limit(limit)
            return (await session.scalars(statement)).all()
