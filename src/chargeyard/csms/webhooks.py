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

Throughput. A sender posts up to ``per_endpoint`` deliveries to one webhook at a time, and
``concurrency`` in all, so that a receiver taking a fifth of a second per post is still told a
busy node's events as they come (``benchmarks/webhooks.py``), while one slow endpoint cannot
take every post from the others. What a post costs beyond the request is shared: the attempts
that end together are recorded in one write, a look for due rows comes once per several posts
ending, and a webhook's connections are spread over small pools (``webhook_clients.py``).

In a cluster every node runs a sender on the one database. A node enqueues the deliveries of
its own stations' events only (those relayed from other nodes are theirs), and a sender claims
the due rows it posts (``WebhookRepository.claim_due``: ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), so each delivery is posted by one node. It claims only as many as it has room to
post at once, so a claim is never spent waiting for room. A node that dies with a claim leaves
the row due again when the claim ends, and another node, looking for due rows at least every
``poll_interval``, posts it: within :data:`REDELIVERY_S` of the death, as
docs/configuration.md says.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections import Counter
from collections.abc import Coroutine, Sequence
from datetime import timedelta
from typing import Any

import httpx

from chargeyard.csms.events import Event, EventHub, Subscription
from chargeyard.csms.webhook_clients import WebhookClients
from chargeyard.csms.webhook_delivery import (
    SIGNATURE_SCHEME,
    TEST_EVENT,
    Clock,
    Outcome,
    RetrySchedule,
    attempt,
    encode,
    log_attempt,
    outcome_attempt,
    ping,
    ping_payload,
    post,
    sign,
)
from chargeyard.csms.webhook_health import EndpointHealth
from chargeyard.outbound import OutboundPolicy
from chargeyard.store import Store
from chargeyard.store.models import Webhook, WebhookDelivery
from chargeyard.store.repositories.webhooks import Attempt, Outgoing
from chargeyard.store.types import utc_now

logger = logging.getLogger(__name__)

_WAKE_MARGIN = 0.005  # seconds
BURST_GATHER_S = 0.05
"""How long the intake waits for the rest of a burst of events before enqueuing it
(``Subscription.gather``): a burst costs a few writes and subscriber reads, not one per handful
of events."""
REDELIVERY_S = 60.0
"""A delivery being posted by a sender that dies is posted by another sender within this long:
its claim's hold (``REDELIVERY_S - poll_interval``) and the longest wait for the next look at
the due rows add up to it."""
RECORD_MARGIN_S = 30.0
"""What a claim leaves, beyond the post's own timeout, to record the attempt (which ends the
claim) on a busy database."""
PER_ENDPOINT = 32
"""Posts to one webhook at a time, by default."""
CONCURRENCY = 128
"""Posts at a time in all, by default."""


class WebhookSender:
    """Turns events into deliveries and posts them. ``async with WebhookSender(store, hub):``
    (or :meth:`start`/:meth:`stop`) owns its tasks: the intake (events -> pending rows) and
    the worker (due rows -> at most ``per_endpoint`` posts at a time to one webhook,
    ``concurrency`` in all).

    The worker sleeps until woken by an enqueue, by the soonest retry it scheduled, or by a
    post ending while due rows wait for room, and at most ``poll_interval`` seconds (rows
    enqueued by another process, a retry from before a restart, a dead node's claim run out).

    Raises:
        ValueError: a ``poll_interval`` and ``timeout`` that leave a claim too short to post
            and record within :data:`REDELIVERY_S`.
    """

    def __init__(
        self,
        store: Store,
        events: EventHub,
        *,
        client: httpx.AsyncClient | None = None,
        schedule: RetrySchedule | None = None,
        clock: Clock = utc_now,
        concurrency: int = CONCURRENCY,
        per_endpoint: int = PER_ENDPOINT,
        poll_interval: float = 5.0,
        timeout: float = 10.0,
        outbound: OutboundPolicy | None = None,
        burst_gather: float = BURST_GATHER_S,
    ) -> None:
        if concurrency < 1 or per_endpoint < 1:
            raise ValueError("concurrency and per_endpoint must be at least 1")
        self.claim_hold = REDELIVERY_S - poll_interval
        # httpx's timeout bounds each step of a post (connect, write, each read): the whole
        # of it is held to twice that (and a second more than one step), which the claim
        # must outlast. A receiver that is merely slow fails on httpx's step timeout first.
        self._post_limit = max(2 * timeout, timeout + 1.0)
        if self.claim_hold < self._post_limit + RECORD_MARGIN_S:
            raise ValueError(
                f"poll_interval + 2 x timeout must leave {RECORD_MARGIN_S:g} s to record an"
                f" attempt within {REDELIVERY_S:g} s"
            )
        self.store = store
        self._burst_gather = burst_gather
        self.events = events
        self.schedule = schedule or RetrySchedule()
        self._client = client  # given: every post goes through it; else ours:
        self._clients = WebhookClients(timeout, outbound, per_endpoint, time.monotonic)
        self._clock = clock
        self._health = EndpointHealth(clock)  # what the log says of failing endpoints
        self._poll_interval = poll_interval
        self._concurrency = concurrency
        self._per_endpoint = per_endpoint
        self._wake = asyncio.Event()
        self._retries: list[float] = []  # heap of the loop times of scheduled retries
        self._in_flight: set[int] = set()  # the deliveries being posted
        self._posting: Counter[str] = Counter()  # posts under way per webhook
        self._waiting_for_room = False  # due rows were left for want of room at the last look
        self._ended_since_look = 0
        self._to_record: list[tuple[Attempt, asyncio.Future[WebhookDelivery | None]]] = []
        self._record_waiting = asyncio.Event()
        # Posts that end before the worker looks again, when due rows wait for room: a look
        # (a read and a claim) per post that ends would cost more than the posts.
        self._look_after = max(1, per_endpoint // 4)
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
        self._spawn(self._recorder())
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
        self._posting.clear()
        self._to_record.clear()
        await self._clients.aclose()

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
            Outgoing(event.type.value, event.organization_id, event.as_json)
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
        """Claim and post the due rows there is room for: per webhook, up to its free posts.
        A row a claim returns is as stored when claimed (under the claim's lock), so each is
        posted, whenever it came due."""
        self._waiting_for_room = False
        self._ended_since_look = 0
        now = self._clock()
        due = await self.store.webhooks.due_webhooks(now)
        for idle in self._clients.close_idle():
            self._spawn(idle.aclose())
        hold_until = now + timedelta(seconds=self.claim_hold)
        # The endpoints with the fewest posts under way first: room goes round.
        for webhook in sorted(due, key=lambda webhook: self._posting[webhook.id]):
            room = min(
                self._per_endpoint - self._posting[webhook.id],
                self._concurrency - len(self._in_flight),
            )
            if room <= 0:
                self._waiting_for_room = True
                continue
            rows = await self.store.webhooks.claim_due(
                now, hold_until=hold_until, limit=room, webhook_id=webhook.id
            )
            if len(rows) == room:
                self._waiting_for_room = True  # perhaps more: look again as posts end
            for delivery in rows:
                # Still being posted here after its claim ran out (a database slower than
                # RECORD_MARGIN_S): the post under way records it, which ends this claim too.
                if delivery.id not in self._in_flight:
                    self._in_flight.add(delivery.id)
                    self._posting[webhook.id] += 1
                    self._spawn(self._post(webhook, delivery))

    async def _post(self, webhook: Webhook, delivery: WebhookDelivery) -> None:
        try:
            if not webhook.active:
                # Deactivated after the event: its backlog is dropped, visibly, in the log.
                await self._record(
                    Attempt(delivery.id, None, "webhook is inactive", None, self._clock())
                )
                return
            outcome = await self._post_once(webhook, delivery)
            record, delay = outcome_attempt(delivery, outcome, self.schedule, self._clock())
            recorded = await self._record(record)
            if recorded is None:
                return  # the webhook was deleted while we posted
            log_attempt(webhook, recorded, outcome.error, delay)
            self._health.attempted(webhook, recorded)
            if delay is not None:
                self._retry_in(delay)
        except Exception:
            logger.exception("webhook delivery %d to %s failed", delivery.id, webhook.url)
        finally:
            self._in_flight.discard(delivery.id)
            self._posting[webhook.id] -= 1
            if self._posting[webhook.id] <= 0:
                del self._posting[webhook.id]
            self._ended_since_look += 1
            if self._waiting_for_room and (
                self._ended_since_look >= self._look_after or not self._in_flight
            ):
                self._wake.set()

    async def _post_once(self, webhook: Webhook, delivery: WebhookDelivery) -> Outcome:
        if self._client is not None:
            return await post(
                self._client, webhook, delivery, clock=self._clock, post_timeout=self._post_limit
            )
        borrowed = self._clients.borrow(webhook.id)
        try:
            return await post(
                borrowed, webhook, delivery, clock=self._clock, post_timeout=self._post_limit
            )
        finally:
            self._clients.give_back(webhook.id, borrowed)

    async def _record(self, attempt: Attempt) -> WebhookDelivery | None:
        """Record ``attempt`` with the others that end meanwhile, in one write."""
        recorded: asyncio.Future[WebhookDelivery | None] = (
            asyncio.get_running_loop().create_future()
        )
        self._to_record.append((attempt, recorded))
        self._record_waiting.set()
        return await recorded

    async def _recorder(self) -> None:
        """Writes the attempts that ended, all those waiting in one transaction: while one
        write is under way the next batch gathers, so posts ending together cost one write,
        not one each (SQLite has one write lock for the stations' messages and this)."""
        while True:
            await self._record_waiting.wait()
            self._record_waiting.clear()
            batch, self._to_record = self._to_record, []
            try:
                rows = await self.store.webhooks.record_attempts([item for item, _ in batch])
            except Exception as error:
                for _, recorded in batch:
                    if not recorded.done():
                        recorded.set_exception(error)
                continue
            for (_, recorded), row in zip(batch, rows, strict=True):
                if not recorded.done():
                    recorded.set_result(row)

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
