"""The :class:`Store`: one object holding the engine and every repository, for the CSMS, the
API (a lifespan dependency) and the fleet to share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import URL, text
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store.engine import DEFAULT_URL, Sessions, create_engine
from chargeyard.store.frame_file import open_frame_engine
from chargeyard.store.frame_log import FrameLog
from chargeyard.store.migrations import migrate
from chargeyard.store.payload_cap import DEFAULT_MAX_PAYLOAD_CHARS
from chargeyard.store.repositories import (
    ApiKeyRepository,
    ChargerLogRepository,
    CommandRepository,
    ConnectorRepository,
    DataTransferRepository,
    FrameRepository,
    IdTagRepository,
    JobRepository,
    LeaseRepository,
    LocationRepository,
    NotificationRepository,
    OrganizationRepository,
    SentCommandRepository,
    SimulatedChargerRepository,
    StationRepository,
    TransactionRepository,
    WebhookRepository,
)


class Store:
    """Every repository over one engine. ``Store.open(url)`` creates the engine and brings the
    schema to the latest migration; ``close()`` (or ``async with``) disposes of the engine.

    The frame log may live on an engine of its own (``frames_engine``): on SQLite,
    ``Store.open`` keeps it in a file beside the main one (``frame_file.py``). Otherwise it is
    ``engine``.

    ``max_payload_chars`` caps one stored payload (frame text, DataTransfer data, a
    notification's detail): a longer one is stored cut, with a marker naming its length
    (``payload_cap.py``).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        frames_engine: AsyncEngine | None = None,
        *,
        max_payload_chars: int = DEFAULT_MAX_PAYLOAD_CHARS,
    ) -> None:
        self.engine = engine
        self.max_payload_chars = max_payload_chars
        self.frames_engine = frames_engine or engine
        sessions = Sessions.on(engine)
        self.sessions = sessions
        frame_sessions = sessions if frames_engine is None else Sessions.on(frames_engine)
        # CSMS
        self.stations = StationRepository(sessions)
        self.connectors = ConnectorRepository(sessions)
        self.transactions = TransactionRepository(sessions)
        self.id_tags = IdTagRepository(sessions)
        self.data_transfers = DataTransferRepository(sessions, max_payload_chars=max_payload_chars)
        self.notifications = NotificationRepository(sessions, max_payload_chars=max_payload_chars)
        self.frames = FrameRepository(frame_sessions)
        self.webhooks = WebhookRepository(sessions)
        self.api_keys = ApiKeyRepository(sessions)
        self.sent_commands = SentCommandRepository(sessions, max_payload_chars=max_payload_chars)
        # Simulator gateway
        self.organizations = OrganizationRepository(sessions)
        self.locations = LocationRepository(sessions)
        self.chargers = SimulatedChargerRepository(sessions)
        self.commands = CommandRepository(sessions)
        self.charger_logs = ChargerLogRepository(sessions, self.frames)
        self.jobs = JobRepository(sessions)
        self.leases = LeaseRepository(sessions)

    @classmethod
    async def open(
        cls,
        url: str | URL = DEFAULT_URL,
        *,
        upgrade: bool = True,
        max_payload_chars: int = DEFAULT_MAX_PAYLOAD_CHARS,
        **engine_options: Any,
    ) -> Store:
        """Open ``url`` (``sqlite:///path`` or ``postgresql://...``); with ``upgrade``,
        apply pending migrations first. On SQLite the frame log gets its file (see
        ``frame_file.py``)."""
        engine = create_engine(url, **engine_options)
        try:
            if upgrade:
                await migrate(engine)
            frames_engine = await open_frame_engine(engine)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine, frames_engine, max_payload_chars=max_payload_chars)

    def frame_log(self, **options: Any) -> FrameLog:
        """A :class:`FrameLog` on this store's frame engine (start it, or use ``async with``)."""
        options.setdefault("max_payload_chars", self.max_payload_chars)
        return FrameLog(self.frames_engine, **options)

    async def ping(self) -> None:
        """One round trip to the database (``SELECT 1``): the API's readiness check.

        Raises:
            errors.DatabaseError: the database cannot be reached or did not answer.
        """
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
        if self.frames_engine is not self.engine:
            await self.frames_engine.dispose()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
