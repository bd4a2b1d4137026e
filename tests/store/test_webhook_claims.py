"""The webhook sender's claims on each database (SQLite and PostgreSQL): a delivery whose
sender died mid-post is posted by another within the minute docs/configuration.md promises, a
retry that comes due while the due rows are read is posted at once, and an endpoint gets at
most so many posts at a time without keeping the others waiting. The senders' clocks are
injected: the minute passes in no time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chargeyard.csms.events import EventHub, EventType
from chargeyard.csms.webhooks import RetrySchedule, WebhookSender
from chargeyard.store import Store
from chargeyard.store.models import DeliveryStatus, WebhookDelivery
from chargeyard.store.repositories.webhooks import Attempt
from tests.csms.webhook_receiver import receiving
from tests.polling import eventually, until

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
DOCUMENTED_REDELIVERY_S = 60.0  # docs/configuration.md: "posts it again within a minute"
POLL_INTERVAL_S = 5.0


async def _delivered(store: Store, webhook_id: str, count: int = 1) -> list[WebhookDelivery]:
    async def done() -> bool:
        rows = await store.webhooks.deliveries(webhook_id)
        return len(rows) == count and all(row.status == DeliveryStatus.DELIVERED for row in rows)

    await eventually(done)
    return list(await store.webhooks.deliveries(webhook_id))


async def test_a_post_cut_off_by_its_sender_s_death_is_posted_by_another_within_a_minute(
    store: Store,
) -> None:
    """A node is killed while posting: its claim holds the delivery, then runs out early
    enough that a node looking for due rows every ``poll_interval`` posts it again within
    the documented minute of the claim (so of the kill, which came after it)."""
    async with receiving() as receiver:
        # Held long enough that the post is under way when its sender dies (a few
        # milliseconds after it arrives), no longer: the receiver's stop waits for the rest.
        receiver.delay = 0.3
        hook = await store.webhooks.create(receiver.url, ["charger.boot"])
        dying = WebhookSender(store, EventHub(), clock=lambda: T0, poll_interval=POLL_INTERVAL_S)
        await dying.start()
        dying.events.emit(EventType.CHARGER_BOOT, "CP-1", organization_id="default")
        await until(lambda: len(receiver.requests) == 1)
        await dying.stop()  # what its death leaves: the claim, and no record of the post
        receiver.delay = 0

        last_look = DOCUMENTED_REDELIVERY_S - POLL_INTERVAL_S
        assert await store.webhooks.due(T0 + timedelta(seconds=last_look - 1)) == []  # held
        survivor = WebhookSender(
            store,
            EventHub(),
            clock=lambda: T0 + timedelta(seconds=last_look),
            poll_interval=POLL_INTERVAL_S,
        )
        async with survivor:
            [delivered] = await _delivered(store, hook.id)

    first, again = receiver.requests
    assert again.headers["x-chargeyard-delivery"] == str(delivered.id)
    assert again.body == first.body
    assert delivered.attempts == 1  # the cut-off post was never recorded


async def test_a_retry_that_comes_due_while_the_due_rows_are_read_is_posted(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed post is recorded, its retry already due, while the worker reads the due rows:
    the read claims it with the rest, as stored, and it is posted, not left claimed and
    unposted for the length of the claim."""
    claim_due, record_attempts = store.webhooks.claim_due, store.webhooks.record_attempts
    reads = 0
    first_recorded = False

    async def recorded(attempts: Sequence[Attempt]) -> Sequence[WebhookDelivery | None]:
        nonlocal first_recorded
        rows = await record_attempts(attempts)
        first_recorded = True
        return rows

    async def read_while_the_first_post_ends(
        now: datetime, **kwargs: Any
    ) -> Sequence[WebhookDelivery]:
        nonlocal reads
        reads += 1
        if reads == 2:  # the look the second event wakes, during the first post
            await until(lambda: first_recorded)
            now += timedelta(seconds=2)  # the read happens after the retry came due
        return await claim_due(now, **kwargs)

    monkeypatch.setattr(store.webhooks, "record_attempts", recorded)
    monkeypatch.setattr(store.webhooks, "claim_due", read_while_the_first_post_ends)
    retry_in_a_second = RetrySchedule(delays=(1.0,), max_attempts=3, jitter=0.0)
    async with receiving(failures=1) as receiver:
        receiver.delay = 0.2
        hook = await store.webhooks.create(receiver.url, ["*"])
        async with WebhookSender(
            store, EventHub(), clock=lambda: T0, schedule=retry_in_a_second
        ) as sender:
            sender.events.emit(EventType.CHARGER_BOOT, "CP-1", organization_id="default")
            await until(lambda: len(receiver.requests) == 1)
            receiver.delay = 0  # the posts after the first (already held) answer at once
            sender.events.emit(EventType.CHARGER_CONNECTED, "CP-1", organization_id="default")
            rows = await _delivered(store, hook.id, count=2)

    assert sorted(row.attempts for row in rows) == [1, 2]
    assert len(receiver.requests) == 3


async def test_an_endpoint_gets_at_most_per_endpoint_posts_at_once_and_others_get_theirs(
    store: Store,
) -> None:
    async with receiving() as busy, receiving() as quiet:
        # The busy endpoint's first three posts are held until the quiet one's is made: the
        # endpoint's room is full, the sender's is not. Once that post is in, the rest of the
        # flood is answered at once.
        busy.hold = asyncio.Event()
        flooded = await store.webhooks.create(busy.url, ["connector.status_changed"])
        other = await store.webhooks.create(quiet.url, ["charger.boot"])
        async with WebhookSender(store, EventHub(), per_endpoint=3, concurrency=4) as sender:
            for n in range(12):
                sender.events.emit(
                    EventType.CONNECTOR_STATUS_CHANGED,
                    "CP-1",
                    organization_id="default",
                    connectorId=n,
                )
            await until(lambda: len(busy.requests) >= 3)
            sender.events.emit(EventType.CHARGER_BOOT, "CP-1", organization_id="default")
            await _delivered(store, other.id)
            busy.hold.set()
            await _delivered(store, flooded.id, count=12)

    assert busy.most_at_once == 3
    # Not kept waiting behind the flood: posted while the first three were held.
    assert quiet.requests[0].at < busy.requests[3].at
