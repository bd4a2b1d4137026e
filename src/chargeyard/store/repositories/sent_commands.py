"""The command history: every OCPP call the API sent to a station on a user's behalf, with who
sent it, the request and the answer or the error, and how long it took.

Read newest first, per station or across stations, filtered by action, the answer's status,
the outcome and a time window, a page at a time with the total that matched. Request and
answer are JSON text capped like every stored payload (``payload_cap.py``): with the default
limits a command's frames are never cut, since a frame over the limit is never sent. Trimmed
by age and size like the other histories (``retention.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from chargeyard.store.engine import Sessions
from chargeyard.store.ids import new_id
from chargeyard.store.models import CallOutcome, SentCommand, Station
from chargeyard.store.payload_cap import (
    DEFAULT_MAX_PAYLOAD_CHARS,
    cap_optional,
    cap_payload,
)
from chargeyard.store.repositories._base import Repository, page, station_pk

MAX_COMMANDS_PAGE = 100


@dataclass(frozen=True, slots=True)
class CommandQuery:
    """Which commands to list; every field left None matches all. ``since`` is inclusive,
    ``until`` exclusive; ``organization_id``: only to that organization's stations."""

    organization_id: str | None = None
    charge_box_id: str | None = None
    action: str | None = None
    status: str | None = None
    outcome: CallOutcome | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewSentCommand:
    """One command to keep: the call as it went, JSON text for its payloads."""

    charge_box_id: str
    endpoint: str
    action: str
    request: str
    outcome: CallOutcome
    sent_at: datetime
    duration_ms: float
    response: str | None = None
    status: str | None = None
    error: str | None = None
    api_key_id: str | None = None
    api_key_name: str | None = None


@dataclass(frozen=True, slots=True)
class CommandRecord:
    """One command as the history shows it."""

    id: str
    charge_box_id: str
    api_key_id: str | None
    api_key_name: str | None
    endpoint: str
    action: str
    request: str
    response: str | None
    outcome: str
    status: str | None
    error: str | None
    sent_at: datetime
    duration_ms: float


_COLUMNS = (
    SentCommand.id,
    Station.charge_box_id,
    SentCommand.api_key_id,
    SentCommand.api_key_name,
    SentCommand.endpoint,
    SentCommand.action,
    SentCommand.request,
    SentCommand.response,
    SentCommand.outcome,
    SentCommand.status,
    SentCommand.error,
    SentCommand.sent_at,
    SentCommand.duration_ms,
)


class SentCommandRepository(Repository):
    def __init__(
        self, sessions: Sessions, *, max_payload_chars: int = DEFAULT_MAX_PAYLOAD_CHARS
    ) -> None:
        super().__init__(sessions)
        self._max_chars = max_payload_chars

    async def record(self, entry: NewSentCommand) -> str:
        """Keep one command; returns its id.

        Raises:
            NotFoundError: no such station.
        """
        command_id = new_id("cmd_")
        async with self._write() as session:
            session.add(
                SentCommand(
                    id=command_id,
                    station_id=await station_pk(session, entry.charge_box_id),
                    api_key_id=entry.api_key_id,
                    api_key_name=entry.api_key_name,
                    endpoint=entry.endpoint,
                    action=entry.action,
                    request=cap_payload(entry.request, self._max_chars),
                    response=cap_optional(entry.response, self._max_chars),
                    outcome=entry.outcome.value,
                    status=entry.status,
                    error=entry.error,
                    sent_at=entry.sent_at,
                    duration_ms=entry.duration_ms,
                )
            )
        return command_id

    async def listing(
        self, query: CommandQuery, limit: int = 20, offset: int = 0
    ) -> tuple[Sequence[CommandRecord], int]:
        """The commands ``query`` matches, newest first, and how many match in all.

        Raises:
            NotFoundError: ``query`` names a station that does not exist.
        """
        limit, offset = page(min(limit, MAX_COMMANDS_PAGE), offset)
        async with self._read() as session:
            conditions = _conditions(query)
            if query.charge_box_id is not None:
                conditions.append(
                    SentCommand.station_id == await station_pk(session, query.charge_box_id)
                )
            statement = (
                _selected()
                .where(*conditions)
                .order_by(SentCommand.sent_at.desc(), SentCommand.id.desc())
                .limit(limit)
                .offset(offset)
            )
            rows = (await session.execute(statement)).all()
            counting = select(func.count()).select_from(SentCommand).where(*conditions)
            total = (await session.execute(counting)).scalar_one()
        return [CommandRecord(**row._asdict()) for row in rows], total

    async def answers_naming(
        self, charge_box_id: str, action: str, text: str, limit: int
    ) -> list[tuple[datetime, str | None]]:
        """When the station's newest ``limit`` answered calls of ``action`` whose answer holds
        ``text`` were sent, and their answers, newest first (a GetVariables answer that names a
        variable).

        Raises:
            NotFoundError: no such station.
        """
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            statement = (
                select(SentCommand.sent_at, SentCommand.response)
                .where(
                    SentCommand.station_id == pk,
                    SentCommand.action == action,
                    SentCommand.outcome == CallOutcome.ANSWERED.value,
                    SentCommand.response.contains(text, autoescape=True),
                )
                .order_by(SentCommand.sent_at.desc(), SentCommand.id.desc())
                .limit(limit)
            )
            return [(at, answer) for at, answer in (await session.execute(statement)).all()]

    async def accepted_requests(
        self, charge_box_id: str, actions: Collection[str], limit: int
    ) -> list[tuple[str, str]]:
        """The action and request of the station's newest ``limit`` calls of ``actions`` that
        it answered Accepted, newest first (the charging profiles set and cleared on it).

        Raises:
            NotFoundError: no such station.
        """
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            statement = (
                select(SentCommand.action, SentCommand.request)
                .where(
                    SentCommand.station_id == pk,
                    SentCommand.action.in_(actions),
                    SentCommand.outcome == CallOutcome.ANSWERED.value,
                    SentCommand.status == "Accepted",
                )
                .order_by(SentCommand.sent_at.desc(), SentCommand.id.desc())
                .limit(limit)
            )
            return [(action, request) for action, request in (await session.execute(statement))]

    async def get(
        self, command_id: str, *, organization_id: str | None = None
    ) -> CommandRecord | None:
        """The command ``command_id`` (sent to a station of ``organization_id``, when given)."""
        statement = _selected().where(SentCommand.id == command_id)
        if organization_id is not None:
            statement = statement.where(Station.organization_id == organization_id)
        async with self._read() as session:
            row = (await session.execute(statement)).first()
        return None if row is None else CommandRecord(**row._asdict())


def _selected() -> Select[*tuple[Any, ...]]:
    """Every column of :class:`CommandRecord`, the station named by its chargeBoxId."""
    statement: Select[*tuple[Any, ...]] = (
        select(*_COLUMNS)
        .select_from(SentCommand)
        .join(Station, Station.id == SentCommand.station_id)
    )
    return statement


def _conditions(query: CommandQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.organization_id is not None:
        stations = select(Station.id).where(Station.organization_id == query.organization_id)
        conditions.append(SentCommand.station_id.in_(stations))
    if query.action is not None:
        conditions.append(SentCommand.action == query.action)
    if query.status is not None:
        conditions.append(SentCommand.status == query.status)
    if query.outcome is not None:
        conditions.append(SentCommand.outcome == query.outcome.value)
    if query.since is not None:
        conditions.append(SentCommand.sent_at >= query.since)
    if query.until is not None:
        conditions.append(SentCommand.sent_at < query.until)
    return conditions
