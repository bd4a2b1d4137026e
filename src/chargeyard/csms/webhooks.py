"""The webhook sender: every event of the :class:`~chargeyard.csms.events.EventHub` is posted,
signed, to each active webhook subscribed to its name, and retried with back-off until the
receiver answers 2xx or the sender gives up (the signing and one attempt:
``webhook_delivery.py``, whose docstring a receiver's author reads).

Durability. An event becomes one ``pending`` row per subscribing webhook (batched: one write
per burst of events) before anything is sent, so a restart loses no delivery: at start the
sender posts the pending rows that fell due while it was down, and at stop it enqueues the
events already published. Delivery is at least once; a receiver de-duplicates on
``X-Chargeyard-Delivery``. Every attempt is recorded on the row (status code, error, attempts,
next attempt, delivered at), which is the API's delivery log; the process log tells an
endpoint's health, not each attempt (``webhook_health.py``).

In a cluster every node runs a sender on the one database. A node enqueues the deliveries of
its own stations' events only (those relayed from other nodes are theirs), and a sender claims
the due rows it posts (``WebhookRepository.claim_due``: ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so each delivery is posted by one node. A node that dies with a claim leaves the
row due again when the claim ends, and another node posts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections.abc import Coroutine, Sequence
from datetime import timedelta
from typing import Any

import httpx

from chargeyard.csms.events import Event, EventHub, Subscription
from chargeyard.csms.webhook_delivery import (
    SIGNATURE_SCHEME,
    TEST_EVENT,
    Clock,
    RetrySchedule,
    attempt,
    encode,
    http_client,
    ping,
    ping_payload,
    sign,
)
from chargeyard.csms.webhook_health import EndpointHealth
from chargeyard.outbound import OutboundPolicy
from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import Webhook, WebhookDelivery
from chargeyard.store.repositories.webhooks import Outgoing
from chargeyard.store.types import utc_now

logger = logging.getLogger(__name__)

_WAKE_MARGIN = 0.005  # seconds
BURST_GATHER_S = 0.05
"""How long the intake waits for the rest of a burst of events before enqueuing it
(``Subscription.gather``): a burst costs a few writes and subscriber reads, not one per handful
of events."""
CLAIM_MARGIN_S = 50.0
"""A claimed delivery is held for the post's timeout and this much more: the attempt's record
ends the claim long before; only a sender that died with it waits this out."""


class WebhookSender:
    """Turns events into deliveries and posts them. ``async with WebhookSender(store, hub):``
    (or :meth:`start`/:meth:`stop`) owns its tasks: the intake (events -> pending rows) and
    the worker (due rows -> at most ``concurrency`` posts at a time).

    The worker sleeps until woken by an enqueue or by the soonest retry it scheduled, and at
    most ``poll_interval`` seconds (rows enqueued by another process, a retry from before a
    restart).
    """

    def __init__(
        self,
        store: Store,
        events: EventHub,
        *,
        client: httpx.AsyncClient | None = None,
        schedule: RetrySchedule | None = None,
        clock: Clock = utc_now,
        concurrency: int = 8,
        poll_interval: float = 5.0,
        timeout: float = 10.0,
        outbound: OutboundPolicy | None = None,
        burst_gather: float = BURST_GATHER_S,
    ) -> None:
        self.store = store
        self._burst_gather = burst_gather
        self._outbound = outbound
        self.events = events
        self.schedule = schedule or RetrySchedule()
        self._client = client
        self._owns_client = client is None
        self._clock = clock
        self._health = EndpointHealth(clock)  # what the log says of failing endpoints
        self._timeout = timeout
        self._poll_interval = poll_interval
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._retries: list[float] = []  # heap of the loop times of scheduled retries
        self._in_flight: set[int] = set()
        self._settled_meanwhile: set[int] = set()  # posts ended during the worker's read
        self._subscription: Subscription | None = None
        self._intake_task: asyncio.Task[None] | None = None
        self._enqueuing = False  # the intake is writing a batch: let it finish on stop
        self._stopping = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        if self._subscription is not None:
            raise RuntimeError("the webhook sender is already started")
        # Subscribed before the worker's first look at the table: no event falls in between.
        # Only this node's events: each is enqueued once, by the node whose station it is.
        self._subscription = self.events.subscribe(accept=_seen_here)
        self._stopping = False
        self._intake_task = self._spawn(self._intake(self._subscription))
        self._spawn(self._work())

    async def stop(self) -> None:
        """Stop taking events, after enqueuing those already published (so they are sent by
        the next start), and cancel posts in flight: their rows stay pending and are retried
        by the next start (at least once)."""
        if self._subscription is not None:
            subscription, self._subscription = self._subscription, None
            subscription.close()
            self._stopping = True
            if self._intake_task is not None:
                if not self._enqueuing:
                    self._intake_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._intake_task
                self._intake_task = None
            await self._enqueue(subscription.take())
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._in_flight.clear()
        self._settled_meanwhile.clear()
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> WebhookSender:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _intake(self, subscription: Subscription, batch: int = 500) -> None:
        dropped = 0
        while not self._stopping:
            self._enqueuing = False
            events = [await subscription.get()]  # where stop() cancels it
            self._enqueuing = True
            await subscription.gather(events, batch, self._burst_gather)
            if subscription.dropped > dropped:
                logger.warning(
                    "webhook sender fell behind: %d events lost", subscription.dropped - dropped
                )
                dropped = subscription.dropped
            await self._enqueue(events)
        self._enqueuing = False

    async def _enqueue(self, events: Sequence[Event]) -> None:
        if not events:
            return
        outgoing = [
            Outgoing(event.type.value, event.organization_id, event.as_json())
            for event in events
            if event.organization_id is not None
        ]
        try:
            count = await self.store.webhooks.fan_out(outgoing, at=self._clock())
        except Exception:
            logger.exception("could not enqueue webhook deliveries for %d events", len(events))
            return
        if count:
            self._wake.set()

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            try:
                await self._dispatch_due()
            except Exception:
                logger.exception("could not read due webhook deliveries")
            timeout = self._poll_interval
            if self._retries:
                timeout = min(timeout, max(0.0, self._retries[0] - loop.time()))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            while self._retries and self._retries[0] <= loop.time():
                heapq.heappop(self._retries)

    async def _dispatch_due(self) -> None:
        # A post that ends while the due rows are read leaves a stale row in what the read
        # returns (still due, its attempt not yet counted): posting it again sent one delivery
        # more than max_attempts. Such rows wait for the next read, which sees them as stored.
        self._settled_meanwhile.clear()
        now = self._clock()
        rows = await self.store.webhooks.claim_due(
            now, hold_until=now + timedelta(seconds=self._timeout + CLAIM_MARGIN_S)
        )
        skip = self._in_flight | self._settled_meanwhile
        due = [delivery for delivery in rows if delivery.id not in skip]
        if not due:
            return
        webhooks = {webhook.id: webhook for webhook in await self.store.webhooks.list()}
        for delivery in due:
            webhook = webhooks.get(delivery.webhook_id)
            if webhook is None:
                continue  # deleted meanwhile, and its deliveries with it
            await self._slots.acquire()
            self._in_flight.add(delivery.id)
            self._spawn(self._post(webhook, delivery))

    def _http(self) -> httpx.AsyncClient:
        # Made at the first post, not at start: loading the CA bundle costs tens of
        # milliseconds of CPU, which a central system without webhooks never needs.
        if self._client is None:
            self._client = http_client(self._timeout, self._outbound)
        return self._client

    async def _post(self, webhook: Webhook, delivery: WebhookDelivery) -> None:
        try:
            if not webhook.active:
                # Deactivated after the event: its backlog is dropped, visibly, in the log.
                await self.store.webhooks.record_attempt(
                    delivery.id, status_code=None, error="webhook is inactive", at=self._clock()
                )
                return
            recorded, delay = await attempt(
                self.store,
                self._http(),
                webhook,
                delivery,
                schedule=self.schedule,
                clock=self._clock,
            )
            self._health.attempted(webhook, recorded)
            if delay is not None:
                self._retry_in(delay)
        except NotFoundError:
            pass  # the webhook was deleted while we posted
        except Exception:
            logger.exception("webhook delivery %d to %s failed", delivery.id, webhook.url)
        finally:
            self._in_flight.discard(delivery.id)
            self._settled_meanwhile.add(delivery.id)
            self._slots.release()

    def _retry_in(self, delay: float) -> None:
        # A little late rather than early: a wake before the row is due finds nothing.
        at = asyncio.get_running_loop().time() + delay + _WAKE_MARGIN
        heapq.heappush(self._retries, at)
        if self._retries[0] == at:
            self._wake.set()  # sooner than the worker planned: let it recompute its sleep


def _seen_here(event: Event) -> bool:
    return not event.relayed


__all__ = [
    "SIGNATURE_SCHEME",
    "TEST_EVENT",
    "RetrySchedule",
    "WebhookSender",
    "attempt",
    "encode",
    "ping",
    "ping_payload",
    "sign",
]
