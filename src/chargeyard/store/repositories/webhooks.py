"""Webhooks and their deliveries: the store side of "tell my system when X happens".

A delivery is enqueued per (event, subscribing webhook) as ``pending`` and due at once. A
sender claims due deliveries (:meth:`WebhookRepository.claim_due`, so that each is posted by
one sender of the cluster), posts them, and reports each attempt:
a 2xx answer marks it ``delivered``; otherwise it stays ``pending`` until the given
``next_attempt_at`` (the sender's backoff), or becomes ``failed`` when the sender gives up
(no next attempt). A webhook subscribed to ``"*"`` receives every event.

A webhook is one organization's, and is told the events of that organization's stations only
(:meth:`WebhookRepository.fan_out`).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store.engine import reading
from chargeyard.store.errors import NotFoundError
from chargeyard.store.ids import new_id
from chargeyard.store.models import (
    DEFAULT_ORGANIZATION_ID,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
)
from chargeyard.store.repositories._base import UNSET, Repository, Unset, changes, page
from chargeyard.store.types import UtcDateTime, utc_now

ALL_EVENTS = "*"

# The statements the sender runs for every burst of events and every few seconds, built once:
# building one costs more than SQLite takes to answer it while nobody subscribes.
_SUBSCRIBED = select(Webhook.organization_id, Webhook.events).where(Webhook.active)
_DUE_WEBHOOKS = (
    select(Webhook)
    .where(
        Webhook.id.in_(
            select(WebhookDelivery.webhook_id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= bindparam("now", type_=UtcDateTime()),
            )
            .distinct()
        )
    )
    .order_by(Webhook.created_at, Webhook.id)
)


class Outgoing(NamedTuple):
    """An event to tell the webhooks of ``organization_id`` subscribed to ``name``; its
    ``payload``, or what makes it (called only if some webhook is told)."""

    name: str
    organization_id: str
    payload: dict[str, Any] | Callable[[], dict[str, Any]]

    def body(self) -> dict[str, Any]:
        return self.payload() if callable(self.payload) else self.payload


class Attempt(NamedTuple):
    """One attempt to record (:meth:`WebhookRepository.record_attempts`)."""

    delivery_id: int
    status_code: int | None
    error: str | None = None
    next_attempt_at: datetime | None = None
    at: datetime | None = None


class WebhookRepository(Repository):
    @functools.cached_property
    def _reader(self) -> AsyncEngine:
        """The engine's form for lookups (``engine.reading``), made once."""
        return reading(self._sessions.engine)

    async def create(
        self,
        url: str,
        events: Sequence[str],
        *,
        secret: str | None = None,
        active: bool = True,
        organization_id: str = DEFAULT_ORGANIZATION_ID,
    ) -> Webhook:
        """Subscribe ``url`` to ``events`` of ``organization_id``'s stations; a signing secret
        is generated unless given."""
        webhook = Webhook(
            id=new_id("wh_"),
            organization_id=organization_id,
            url=url,
            events=list(events),
            secret=secret or secrets.token_urlsafe(32),
            active=active,
        )
        async with self._write() as session:
            session.add(webhook)
        return webhook

    async def get(self, webhook_id: str, *, organization_id: str | None = None) -> Webhook | None:
        """The webhook ``webhook_id`` (of ``organization_id``, when given)."""
        async with self._read() as session:
            webhook = await session.get(Webhook, webhook_id)
        if webhook is None or organization_id not in (None, webhook.organization_id):
            return None
        return webhook

    async def list(
        self, *, active: bool | None = None, organization_id: str | None = None
    ) -> Sequence[Webhook]:
        """The webhooks (of ``organization_id``, when given), oldest first."""
        statement = select(Webhook).order_by(Webhook.created_at, Webhook.id)
        if active is not None:
            statement = statement.where(Webhook.active == active)
        if organization_id is not None:
            statement = statement.where(Webhook.organization_id == organization_id)
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def update(
        self,
        webhook_id: str,
        *,
        url: str | Unset = UNSET,
        events: Sequence[str] | Unset = UNSET,
        secret: str | Unset = UNSET,
        active: bool | Unset = UNSET,
        organization_id: str | None = None,
    ) -> Webhook:
        """Raises: NotFoundError: no such webhook (of ``organization_id``, when given)."""
        values = changes(url=url, secret=secret, active=active)
        if not isinstance(events, Unset):
            values["events"] = list(events)
        async with self._write() as session:
            webhook = await session.get(Webhook, webhook_id)
            if webhook is None or organization_id not in (None, webhook.organization_id):
                raise NotFoundError("webhook", webhook_id)
            for name, value in values.items():
                setattr(webhook, name, value)
        return webhook

    async def delete(self, webhook_id: str, *, organization_id: str | None = None) -> None:
        """Remove a webhook and its deliveries.

        Raises:
            NotFoundError: no such webhook (of ``organization_id``, when given).
        """
        statement = delete(Webhook).where(Webhook.id == webhook_id)
        if organization_id is not None:
            statement = statement.where(Webhook.organization_id == organization_id)
        async with self._write() as session:
            deleted = await session.scalar(statement.returning(Webhook.id))
        if deleted is None:
            raise NotFoundError("webhook", webhook_id)

    async def subscribers(self, event: str, organization_id: str) -> Sequence[Webhook]:
        """Active webhooks of ``organization_id`` subscribed to ``event`` (filtered here: the
        table is small and JSON containment is spelled differently on each database)."""
        webhooks = await self.list(active=True, organization_id=organization_id)
        return [webhook for webhook in webhooks if _wants(webhook, event)]

    async def fan_out(self, events: Sequence[Outgoing], at: datetime | None = None) -> int:
        """One pending delivery per (event, active subscriber of the event's organization),
        due at ``at`` (default now), for a batch of events in one transaction. Returns how
        many."""
        now = at or utc_now()
        # Every burst of station events comes here; most central systems subscribe to few of
        # them, or none. A read settles that without queueing for SQLite's one write lock,
        # which the stations' own messages wait for: of the two columns that decide, without
        # the ORM's session and objects (which were most of what a boot storm's bursts cost
        # here when nobody subscribes).
        async with self._reader.connect() as connection:
            listening = (await connection.execute(_SUBSCRIBED)).all()
        if not any(
            organization == event.organization_id and _wants_event(names, event.name)
            for event in events
            for organization, names in listening
        ):
            return 0
        async with self._write() as session:
            webhooks = (await session.scalars(select(Webhook).where(Webhook.active))).all()
            deliveries = [
                WebhookDelivery(
                    webhook_id=webhook.id,
                    event=event.name,
                    payload=event.body(),
                    status=DeliveryStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
                for event in events
                for webhook in webhooks
                if _told(webhook, event)
            ]
            session.add_all(deliveries)
        return len(deliveries)

    async def enqueue(
        self,
        webhook_id: str,
        event: str,
        payload: dict[str, Any],
        at: datetime | None = None,
        *,
        due: bool = True,
    ) -> WebhookDelivery:
        """A pending delivery of ``event`` to ``webhook_id``, due at ``at`` (default now).

        ``due=False``: never handed out by :meth:`due` (no ``next_attempt_at``), for a caller
        that attempts it itself at once (the API's test ping) without racing a sender.
        """
        now = at or utc_now()
        delivery = WebhookDelivery(
            webhook_id=webhook_id,
            event=event,
            payload=payload,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now if due else None,
            created_at=now,
        )
        async with self._write() as session:
            session.add(delivery)
        return delivery

    async def due(self, now: datetime | None = None, limit: int = 100) -> Sequence[WebhookDelivery]:
        """Pending deliveries whose next attempt is due, oldest due first."""
        limit, _ = page(limit)
        statement = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= (now or utc_now()),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def due_webhooks(self, now: datetime) -> Sequence[Webhook]:
        """The webhooks, active or not, that have pending deliveries due at ``now``, oldest
        first (a read: a sender asks this before it claims, and claims only where it has room
        to post)."""
        async with self._read() as session:
            return (await session.scalars(_DUE_WEBHOOKS, {"now": now})).all()

    async def claim_due(
        self,
        now: datetime,
        *,
        hold_until: datetime,
        limit: int = 100,
        webhook_id: str | None = None,
    ) -> Sequence[WebhookDelivery]:
        """The pending deliveries due at ``now`` (of ``webhook_id``, when given), oldest due
        first, at most ``limit``, each claimed by the caller until ``hold_until``: no other
        sender, in this process or another node of the cluster, takes it meanwhile; recording
        its attempt ends the claim. A sender that dies with a claim leaves its delivery due
        again at ``hold_until``, to be posted by another (at least once: it may have been
        posted before the sender died).

        On PostgreSQL the rows are chosen ``FOR UPDATE SKIP LOCKED``: senders claiming at the
        same time take different rows, none waits for another. On SQLite the write
        transaction itself is the lock.
        """
        limit, _ = page(limit)
        chosen = (
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if webhook_id is not None:
            chosen = chosen.where(WebhookDelivery.webhook_id == webhook_id)
        statement = (
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(chosen.scalar_subquery()))
            .values(next_attempt_at=hold_until)
            .returning(WebhookDelivery)
            .execution_options(synchronize_session=False)
        )
        async with self._write() as session:
            claimed = (await session.scalars(statement)).all()
        return sorted(claimed, key=lambda delivery: delivery.id)

    async def record_attempt(
        self,
        delivery_id: int,
        *,
        status_code: int | None,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
        at: datetime | None = None,
    ) -> WebhookDelivery:
        """Note one attempt (``status_code`` None: no HTTP answer, e.g. a timeout).

        Raises:
            NotFoundError: no such delivery.
        """
        [recorded] = await self.record_attempts(
            [Attempt(delivery_id, status_code, error, next_attempt_at, at)]
        )
        if recorded is None:
            raise NotFoundError("webhook delivery", delivery_id)
        return recorded

    async def record_attempts(
        self, attempts: Sequence[Attempt]
    ) -> Sequence[WebhookDelivery | None]:
        """Note several attempts in one transaction (a sender posting many at once records
        them together); each as :meth:`record_attempt`. Returns the rows in the same order,
        None for a delivery that no longer exists (deleted with its webhook)."""
        ids = [attempt.delivery_id for attempt in attempts]
        async with self._write() as session:
            statement = select(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
            rows = {row.id: row for row in (await session.scalars(statement)).all()}
            for attempt in attempts:
                delivery = rows.get(attempt.delivery_id)
                if delivery is not None:
                    _note(delivery, attempt)
        return [rows.get(delivery_id) for delivery_id in ids]

    async def deliveries(self, webhook_id: str, limit: int = 50) -> Sequence[WebhookDelivery]:
        """A webhook's deliveries, newest first."""
        limit, _ = page(limit)
        statement = (
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        )
        async with self._read() as session:
            return (await session.scalars(statement)).all()


def _note(delivery: WebhookDelivery, attempt: Attempt) -> None:
    delivery.attempts += 1
    delivery.status_code = attempt.status_code
    if attempt.status_code is not None and 200 <= attempt.status_code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = attempt.at or utc_now()
        delivery.next_attempt_at = None
    else:
        delivery.last_error = attempt.error or f"HTTP {attempt.status_code}"
        delivery.next_attempt_at = attempt.next_attempt_at
        if attempt.next_attempt_at is None:
            delivery.status = DeliveryStatus.FAILED


def _wants(webhook: Webhook, event: str) -> bool:
    return _wants_event(webhook.events, event)


def _wants_event(events: Sequence[str], event: str) -> bool:
    """Whether a webhook subscribed to ``events`` is told ``event``."""
    return event in events or ALL_EVENTS in events


def _told(webhook: Webhook, event: Outgoing) -> bool:
    """Whether ``webhook`` is told ``event``: its organization's, and subscribed to."""
    return webhook.organization_id == event.organization_id and _wants(webhook, event.name)
