"""Queued gateway commands (``QueuedCommandResponse``) and charger logs.

The bus carries a command to the fleet; this table is its durable record: ``queued`` when the
API accepted it, then ``running`` / ``succeeded`` / ``failed`` as the worker reports. Logs are
append-only lines a charger's runtime writes, optionally tied to the command they served.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from chargeyard.protocol import VersionSpec
from chargeyard.store.engine import Sessions
from chargeyard.store.errors import NotFoundError
from chargeyard.store.ids import new_id
from chargeyard.store.models import ChargerLog, Command, CommandStatus, Frame, SimulatedCharger
from chargeyard.store.repositories._base import Repository, page
from chargeyard.store.repositories.chargers import require_charger
from chargeyard.store.repositories.frames import FrameRepository, ListedFrame
from chargeyard.store.types import utc_now


@dataclass(frozen=True, slots=True)
class QueuedCommand:
    """A command as :meth:`CommandRepository.enqueue_many` stored it (status ``queued``)."""

    id: str
    charger_id: str
    event_type: str
    ocpp_version: VersionSpec
    payload: dict[str, Any]
    created_at: datetime


class CommandRepository(Repository):
    async def enqueue(
        self,
        organization_id: str,
        charger_id: str,
        *,
        event_type: str,
        ocpp_version: VersionSpec,
        payload: dict[str, Any],
        command_id: str | None = None,
    ) -> Command:
        """Record a command as queued (ids: 12 hex digits, as the gateway's examples show).

        Raises:
            NotFoundError: no such charger in this organization.
        """
        command = Command(
            id=command_id or new_id(),
            organization_id=organization_id,
            charger_id=charger_id,
            event_type=event_type,
            ocpp_version=ocpp_version,
            payload=payload,
            status=CommandStatus.QUEUED,
        )
        async with self._write() as session:
            await require_charger(session, organization_id, charger_id)
            session.add(command)
        return command

    async def enqueue_many(
        self,
        organization_id: str,
        commands: Sequence[tuple[str, str, VersionSpec, dict[str, Any]]],
    ) -> list[QueuedCommand]:
        """Record many commands as queued in one transaction (a location command fanned out
        to its chargers): each item is ``(charger_id, event_type, ocpp_version, payload)``.

        Returns what was stored as plain records, not ORM objects: building a thousand
        mapped instances took as long as the insert itself, and a location command of 1,000
        chargers answers its 202 after this.

        Raises:
            NotFoundError: a charger is not one of this organization's.
        """
        now = utc_now()
        rows = [
            QueuedCommand(new_id(), charger_id, event_type, ocpp_version, payload, now)
            for charger_id, event_type, ocpp_version, payload in commands
        ]
        if not rows:
            return rows
        wanted = {row.charger_id for row in rows}
        async with self._write() as session:
            found: set[str] = set()
            ids = sorted(wanted)
            for start in range(0, len(ids), 500):  # bound the IN list (SQLite's variables)
                found.update(
                    await session.scalars(
                        select(SimulatedCharger.id).where(
                            SimulatedCharger.organization_id == organization_id,
                            SimulatedCharger.id.in_(ids[start : start + 500]),
                        )
                    )
                )
            if missing := wanted - found:
                raise NotFoundError("charger", sorted(missing)[0])
            # One multi-row INSERT (Core), not the unit of work's per-object bookkeeping.
            await session.execute(
                insert(Command),
                [
                    {
                        "id": row.id,
                        "organization_id": organization_id,
                        "charger_id": row.charger_id,
                        "event_type": row.event_type,
                        "ocpp_version": row.ocpp_version,
                        "payload": row.payload,
                        "status": CommandStatus.QUEUED,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for row in rows
                ],
            )
        return rows

    async def record_outcomes(
        self,
        outcomes: Sequence[tuple[str, str, CommandStatus, dict[str, Any] | None, str | None]],
    ) -> int:
        """What the fleet made of many commands, in one transaction: each item is
        ``(organization_id, command_id, status, result, error)``. Commands deleted meanwhile
        (with their charger) are skipped; returns how many were updated."""
        if not outcomes:
            return 0
        now = utc_now()
        by_key = {
            (org, command_id): (status, result, error)
            for org, command_id, status, result, error in outcomes
        }
        async with self._write() as session:
            # Which still exist (a charger deleted meanwhile took its commands), in bounded IN
            # lists; then one executemany UPDATE by primary key instead of a SELECT per command.
            ids = sorted({command_id for _, command_id in by_key})
            existing: set[tuple[str, str]] = set()
            for start in range(0, len(ids), 500):
                rows = await session.execute(
                    select(Command.organization_id, Command.id).where(
                        Command.id.in_(ids[start : start + 500])
                    )
                )
                existing.update((org, command_id) for org, command_id in rows)
            changes = [
                {
                    "id": command_id,
                    "status": status,
                    "result": result,
                    "error": error,
                    "updated_at": now,
                }
                for (org, command_id), (status, result, error) in by_key.items()
                if (org, command_id) in existing
            ]
            if changes:
                # ORM bulk UPDATE by primary key: one executemany statement.
                await session.execute(update(Command), changes)
        return len(changes)

    async def get(self, organization_id: str, command_id: str) -> Command | None:
        async with self._read() as session:
            return await session.scalar(
                select(Command).where(
                    Command.organization_id == organization_id, Command.id == command_id
                )
            )

    async def list(
        self,
        organization_id: str,
        *,
        charger_id: str | None = None,
        status: CommandStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Sequence[Command]:
        """Commands, newest first."""
        limit, offset = page(limit, offset)
        statement = select(Command).where(Command.organization_id == organization_id)
        if charger_id is not None:
            statement = statement.where(Command.charger_id == charger_id)
        if status is not None:
            statement = statement.where(Command.status == status)
        statement = (
            statement.order_by(Command.created_at.desc(), Command.id).limit(limit).offset(offset)
        )
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def set_status(
        self,
        organization_id: str,
        command_id: str,
        status: CommandStatus,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Command:
        """Raises: NotFoundError: no such command in this organization."""
        async with self._write() as session:
            command = await session.scalar(
                select(Command).where(
                    Command.organization_id == organization_id, Command.id == command_id
                )
            )
            if command is None:
                raise NotFoundError("command", command_id)
            command.status = status
            command.result = result
            command.error = error
        return command


class ChargerLogRepository(Repository):
    """A hosted charger's log lines, and its frames (read from ``frames``, which may be on
    an engine of its own: see ``chargeyard.store.frame_file``)."""

    def __init__(self, sessions: Sessions, frames: FrameRepository) -> None:
        super().__init__(sessions)
        self._frames = frames

    async def append(
        self,
        organization_id: str,
        charger_id: str,
        message: str,
        *,
        level: str = "info",
        command_id: str | None = None,
        data: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> ChargerLog:
        """Raises: NotFoundError: no such charger in this organization."""
        log = ChargerLog(
            organization_id=organization_id,
            charger_id=charger_id,
            command_id=command_id,
            level=level,
            message=message,
            data=data,
            at=at or utc_now(),
        )
        async with self._write() as session:
            await require_charger(session, organization_id, charger_id)
            session.add(log)
        return log

    async def list(
        self,
        organization_id: str,
        charger_id: str,
        *,
        command_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[ChargerLog]:
        """A charger's log lines, newest first."""
        limit, offset = page(limit, offset)
        statement = select(ChargerLog).where(
            ChargerLog.organization_id == organization_id, ChargerLog.charger_id == charger_id
        )
        if command_id is not None:
            statement = statement.where(ChargerLog.command_id == command_id)
        statement = (
            statement.order_by(ChargerLog.at.desc(), ChargerLog.id.desc())
            .limit(limit)
            .offset(offset)
        )
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def frames(
        self,
        organization_id: str,
        charger_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> tuple[Sequence[Frame], int]:
        """The OCPP frames a hosted charger exchanged (``GET /ocpp/chargers/{id}/logs``), in
        the order they were recorded, and how many match in all.

        The gateway writes them to the frame log keyed by the charger id (see
        ``chargeyard.gateway.frames``); ``since`` inclusive, ``until`` exclusive.

        Raises:
            NotFoundError: no such charger in this organization.
        """
        async with self._read() as session:
            await require_charger(session, organization_id, charger_id)
        return await self._frames.matching(
            charger_id, since=since, until=until, action=action, limit=limit, offset=offset
        )

    async def listing(
        self,
        organization_id: str,
        charger_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        newest_first: bool = False,
        limit: int = 1000,
        offset: int = 0,
        cut_at: int | None = None,
    ) -> tuple[Sequence[ListedFrame], int]:
        """:meth:`frames` for a list (``GET /ocpp/chargers/{id}/logs``): oldest first unless
        ``newest_first``, each frame cut to ``cut_at`` characters when longer.

        Raises:
            NotFoundError: no such charger in this organization.
        """
        async with self._read() as session:
            await require_charger(session, organization_id, charger_id)
        return await self._frames.listing(
            charger_id,
            since=since,
            until=until,
            action=action,
            newest_first=newest_first,
            limit=limit,
            offset=offset,
            cut_at=cut_at,
        )

    async def frame(self, organization_id: str, charger_id: str, frame_id: int) -> Frame:
        """One frame of a hosted charger, whole.

        Raises:
            NotFoundError: no such charger in this organization, or no such frame of it.
        """
        async with self._read() as session:
            await require_charger(session, organization_id, charger_id)
        frame = await self._frames.get(charger_id, frame_id)
        if frame is None:
            raise NotFoundError("log entry", frame_id, f"of charger {charger_id}")
        return frame
