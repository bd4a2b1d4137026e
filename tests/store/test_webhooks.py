"""Webhooks and their deliveries: subscribe, enqueue, attempt, retry, give up."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import DeliveryStatus
from chargeyard.store.repositories.webhooks import Attempt

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def test_create_update_list_delete(store: Store) -> None:
    hook = await store.webhooks.create("https://example.com/hook", ["transaction.started"])
    assert hook.id.startswith("wh_")
    assert len(hook.secret) >= 32
    assert hook.active
    quiet = await store.webhooks.create("https://example.com/q", ["*"], secret="s", active=False)

    updated = await store.webhooks.update(
        hook.id, events=["transaction.started", "transaction.stopped"], url="https://e.com/h2"
    )
    assert (updated.url, updated.events, updated.secret) == (
        "https://e.com/h2",
        ["transaction.started", "transaction.stopped"],
        hook.secret,
    )
    fetched = await store.webhooks.get(hook.id)
    assert fetched is not None
    assert fetched.events == updated.events
    assert [w.id for w in await store.webhooks.list()] == [hook.id, quiet.id]
    assert [w.id for w in await store.webhooks.list(active=True)] == [hook.id]

    await store.webhooks.delete(quiet.id)
    assert await store.webhooks.get(quiet.id) is None
    with pytest.raises(NotFoundError):
        await store.webhooks.delete(quiet.id)
    with pytest.raises(NotFoundError):
        await store.webhooks.update(quiet.id, active=True)


async def test_subscribers_are_the_active_hooks_for_the_event_or_all(store: Store) -> None:
    started = await store.webhooks.create("https://a", ["transaction.started"])
    everything = await store.webhooks.create("https://b", ["*"])
    await store.webhooks.create("https://c", ["transaction.started"], active=False)
    await store.webhooks.create("https://d", ["station.online"])
    await store.webhooks.create("https://e", ["*"], organization_id="org-b")
    subscribers = await store.webhooks.subscribers("transaction.started", "default")
    assert {w.id for w in subscribers} == {started.id, everything.id}


async def test_a_delivery_is_retried_then_delivered(store: Store) -> None:
    hook = await store.webhooks.create("https://a", ["*"])
    delivery = await store.webhooks.enqueue(hook.id, "transaction.started", {"id": 1}, at=T0)
    assert [d.id for d in await store.webhooks.due(T0)] == [delivery.id]

    retry_at = T0 + timedelta(seconds=30)
    failed_once = await store.webhooks.record_attempt(
        delivery.id, status_code=503, next_attempt_at=retry_at
    )
    assert (failed_once.status, failed_once.attempts, failed_once.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "HTTP 503",
    )
    assert await store.webhooks.due(T0 + timedelta(seconds=29)) == []
    assert len(await store.webhooks.due(retry_at)) == 1

    delivered = await store.webhooks.record_attempt(delivery.id, status_code=204, at=retry_at)
    assert (delivered.status, delivered.attempts, delivered.status_code) == ("delivered", 2, 204)
    assert (delivered.delivered_at, delivered.next_attempt_at) == (retry_at, None)
    assert await store.webhooks.due(T0 + timedelta(days=1)) == []

    [listed] = await store.webhooks.deliveries(hook.id)
    assert (listed.event, listed.payload) == ("transaction.started", {"id": 1})


async def test_senders_claiming_at_once_each_take_other_deliveries(store: Store) -> None:
    # The nodes of a cluster share the table: every due delivery is claimed by one of them.
    hook = await store.webhooks.create("https://a", ["*"])
    enqueued = [(await store.webhooks.enqueue(hook.id, "e", {"n": n}, at=T0)).id for n in range(40)]
    hold = T0 + timedelta(seconds=60)

    claims = await asyncio.gather(
        *(store.webhooks.claim_due(T0, hold_until=hold, limit=15) for _ in range(4))
    )

    claimed = [delivery.id for claim in claims for delivery in claim]
    assert sorted(claimed) == enqueued
    assert await store.webhooks.claim_due(T0 + timedelta(seconds=59), hold_until=hold) == []
    # A claim its sender never ended (it died): the delivery is due again when it runs out.
    again = await store.webhooks.claim_due(hold, hold_until=hold + timedelta(seconds=60))
    assert [delivery.id for delivery in again] == enqueued[:40]
    # Recording the attempt ends the claim.
    await store.webhooks.record_attempt(enqueued[0], status_code=204, at=hold)
    [delivered] = [d for d in await store.webhooks.deliveries(hook.id) if d.id == enqueued[0]]
    assert (delivered.status, delivered.next_attempt_at) == ("delivered", None)


async def test_a_sender_claims_one_webhook_s_due_deliveries_where_it_has_room(
    store: Store,
) -> None:
    """A sender posts at most so many deliveries to one endpoint at a time: it asks which
    webhooks have deliveries due, then claims of each only as many as it can post at once, so
    that no claim runs out while its delivery waits for room."""
    busy = await store.webhooks.create("https://busy", ["*"])
    quiet = await store.webhooks.create("https://quiet", ["*"])
    idle = await store.webhooks.create("https://idle", ["*"])
    for n in range(5):
        await store.webhooks.enqueue(busy.id, "e", {"n": n}, at=T0)
    later = await store.webhooks.enqueue(quiet.id, "e", {"n": 9}, at=T0 + timedelta(seconds=5))
    await store.webhooks.enqueue(idle.id, "e", {"n": 0}, at=T0, due=False)
    hold = T0 + timedelta(seconds=50)

    assert [hook.id for hook in await store.webhooks.due_webhooks(T0)] == [busy.id]
    due = await store.webhooks.due_webhooks(T0 + timedelta(seconds=5))
    assert [hook.id for hook in due] == [busy.id, quiet.id]
    claimed = await store.webhooks.claim_due(
        T0 + timedelta(seconds=5), hold_until=hold, limit=2, webhook_id=busy.id
    )
    assert [(d.webhook_id, d.payload) for d in claimed] == [
        (busy.id, {"n": 0}),
        (busy.id, {"n": 1}),
    ]
    [other] = await store.webhooks.claim_due(
        T0 + timedelta(seconds=5), hold_until=hold, webhook_id=quiet.id
    )
    assert other.id == later.id
    due = await store.webhooks.due_webhooks(T0 + timedelta(seconds=5))
    assert [hook.id for hook in due] == [busy.id]


async def test_attempts_ending_together_are_recorded_in_one_write(store: Store) -> None:
    hook = await store.webhooks.create("https://a", ["*"])
    ok, retried, given_up = [
        (await store.webhooks.enqueue(hook.id, "e", {"n": n}, at=T0)).id for n in range(3)
    ]
    later = T0 + timedelta(seconds=10)
    rows = await store.webhooks.record_attempts(
        [
            Attempt(ok, 204, at=T0),
            Attempt(retried, 500, "HTTP 500", next_attempt_at=later, at=T0),
            Attempt(given_up, None, "timeout: ReadTimeout", at=T0),
            Attempt(10_000, 204, at=T0),  # deleted meanwhile, with its webhook
        ]
    )
    assert [(row.status, row.attempts) if row else None for row in rows] == [
        ("delivered", 1),
        ("pending", 1),
        ("failed", 1),
        None,
    ]
    assert rows[1] is not None
    assert rows[1].next_attempt_at == later
    assert [d.id for d in await store.webhooks.due(later)] == [retried]


async def test_a_delivery_fails_when_the_sender_gives_up(store: Store) -> None:
    hook = await store.webhooks.create("https://a", ["*"])
    delivery = await store.webhooks.enqueue(hook.id, "e", {}, at=T0)
    failed = await store.webhooks.record_attempt(delivery.id, status_code=None, error="timeout")
    assert (failed.status, failed.last_error) == ("failed", "timeout")
    assert await store.webhooks.due(T0 + timedelta(days=1)) == []
    with pytest.raises(NotFoundError):
        await store.webhooks.record_attempt(10**9, status_code=200)


async def test_deleting_a_webhook_removes_its_deliveries(store: Store) -> None:
    hook = await store.webhooks.create("https://a", ["*"])
    await store.webhooks.enqueue(hook.id, "e", {}, at=T0)
    await store.webhooks.delete(hook.id)
    assert await store.webhooks.due(T0) == []
