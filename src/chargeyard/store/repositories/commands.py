"""Queued gateway commands (``QueuedCommandResponse``) and charger logs.

The bus carries a command to the fleet; this table is its durable record: ``queued`` when the
API accepted it, then ``running`` / ``succeeded`` / ``failed`` as the worker reports. Logs are
append-only lines a charger's runtime writes, optionally tied to the command they served.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from chargeyard.store.errors import NotFoundError
from chargeyard.store.ids import new_id
from chargeyard.store.models import ChargerLog, Command, CommandStatus
from chargeyard.store.repositories._base import Repository, page
from chargeyard.store.repositories.chargers import require_charger
from chargeyard.store.types import utc_now


class CommandRepository(Repository):
    async def enqueue(
        self,
        organization_id: str,
        charger_id: str,
        *,
        event_type: str,
        ocpp_version: str,
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
