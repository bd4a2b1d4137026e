"""The webhook sender against a real HTTP receiver on 127.0.0.1: events become signed posts to
their subscribers, failures are retried on the (fast, injected) schedule until delivered or
given up, every attempt is in the delivery log, and pending rows survive a restart."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from chargeyard.csms.events import EventHub, EventType
from chargeyard.csms.webhooks import RetrySchedule, WebhookSender, encode, sign
from chargeyard.outbound import OutboundPolicy
from chargeyard.store import Store
from chargeyard.store.models import DeliveryStatus, Webhook, WebhookDelivery
from tests.csms.webhook_receiver import receiving
from tests.polling import eventually, until

SECRET = "s3cret-s3cret-s3cret"
FAST = RetrySchedule(delays=(0.05, 0.1), max_attempts=6, jitter=0.0)

# The tests marked virtual_time run on tests/virtual_time.py's loop: the sender, the receiver
# (uvicorn, serving on the test's loop) and SQLite are all there is, so the receiver's delays,
# the retry schedules, the poll intervals and the server's stop pass at once. The back-off test
# measures the gaps between posts on the wall clock, so it runs on the usual loops.


async def _only_delivery(store: Store, webhook_id: str) -> WebhookDelivery:
    [delivery] = await store.webhooks.deliveries(webhook_id)
    return delivery


async def _settled(store: Store, webhook_id: str) -> WebhookDelivery:
    """The webhook's single delivery once it is delivered or failed."""

    async def done() -> bool:
        deliveries = await store.webhooks.deliveries(webhook_id)
        return bool(deliveries) and deliveries[0].status != DeliveryStatus.PENDING

    await eventually(done)
    return await _only_delivery(store, webhook_id)


def test_retry_schedule_backs_off_with_jitter_then_gives_up() -> None:
    schedule = RetrySchedule(delays=(10, 30, 120), max_attempts=5, jitter=0.1, rng=lambda: 1.0)
    assert [schedule.delay_after(n) for n in range(1, 6)] == [11.0, 33.0, 132.0, 132.0, None]
    low = RetrySchedule(delays=(10,), jitter=0.1, rng=lambda: 0.0)
    assert low.delay_after(1) == 9.0
    default = RetrySchedule()
    assert default.max_attempts == 6
    assert default.delay_after(6) is None
    with pytest.raises(ValueError, match="positive"):
        RetrySchedule(delays=())
    with pytest.raises(ValueError, match="max_attempts"):
        RetrySchedule(max_attempts=0)


async def test_a_sender_refuses_intervals_that_break_the_redelivery_minute(store: Store) -> None:
    """A claim lasts the minute less the poll interval; it must outlast a whole post (twice
    the step timeout) and leave time to record it, or a live sender's post would be taken
    by another node."""
    with pytest.raises(ValueError, match="within 60 s"):
        WebhookSender(store, EventHub(), poll_interval=30.0)
    with pytest.raises(ValueError, match="within 60 s"):
        WebhookSender(store, EventHub(), timeout=15.0)
    assert WebhookSender(store, EventHub()).claim_hold == 55.0


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = encode({"event": "charger.boot", "data": {"é": 1}})
    assert body == '{"event":"charger.boot","data":{"é":1}}'.encode()
    # Known answer: `printf '1770732000.{}' | openssl dgst -sha256 -hmac key`.
    assert sign("key", 1770732000, b"{}") == (
        "sha256=3e707598d8303b0470efceb93170e4c7cf42a8a9f1c0f1d73a598c0c4d31942d"
    )


@pytest.mark.virtual_time
async def test_an_event_is_posted_signed_to_each_subscriber_only(store: Store) -> None:
    hub = EventHub()
    async with receiving() as receiver:
        started = await store.webhooks.create(
            receiver.url, [EventType.TRANSACTION_STARTED], secret=SECRET
        )
        everything = await store.webhooks.create(receiver.url, ["*"], secret=SECRET + "2")
        stopped = await store.webhooks.create(receiver.url, [EventType.TRANSACTION_STOPPED])
        inactive = await store.webhooks.create(receiver.url, ["*"], active=False)
        async with WebhookSender(store, hub, schedule=FAST):
            event = hub.emit(
                EventType.TRANSACTION_STARTED, "CP-1", organization_id="default", transactionId=7
            )
            first = await _settled(store, started.id)
            second = await _settled(store, everything.id)

        assert await store.webhooks.deliveries(stopped.id) == []
        assert await store.webhooks.deliveries(inactive.id) == []
        assert len(receiver.requests) == 2
        for delivery, secret in ((first, SECRET), (second, SECRET + "2")):
            assert (delivery.status, delivery.status_code, delivery.attempts) == (
                "delivered",
                204,
                1,
            )
            assert delivery.delivered_at is not None
            [request] = [
                r
                for r in receiver.requests
                if r.headers["x-chargeyard-delivery"] == str(delivery.id)
            ]
            assert request.signed_by(secret)
            assert not request.signed_by(SECRET + "wrong")
            assert request.headers["content-type"] == "application/json"
            assert request.headers["x-chargeyard-event"] == "transaction.started"
            sent_at = int(request.headers["x-chargeyard-timestamp"])
            assert abs(sent_at - datetime.now(UTC).timestamp()) < 5
            assert request.json == event.as_json()
            assert request.json["data"] == {"transactionId": 7}


async def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(store: Store) -> None:
    hub = EventHub()
    async with receiving(failures=2) as receiver:
        hook = await store.webhooks.create(receiver.url, ["*"], secret=SECRET)
        async with WebhookSender(store, hub, schedule=FAST):
            hub.emit(EventType.CHARGER_BOOT, "CP-1", organization_id="default")
            delivery = await _settled(store, hook.id)

        assert (delivery.status, delivery.status_code, delivery.attempts) == ("delivered", 204, 3)
        assert delivery.next_attempt_at is None
        assert delivery.last_error == "HTTP 500: receiver is down"  # the last failure, kept
        first, second, third = receiver.requests
        # One delivery, the same id and body each time, freshly signed each time.
        assert {r.headers["x-chargeyard-delivery"] for r in receiver.requests} == {str(delivery.id)}
        assert first.body == second.body == third.body
        assert all(r.signed_by(SECRET) for r in receiver.requests)
        assert second.at - first.at >= 0.05
        assert third.at - second.at >= 0.1


@pytest.mark.virtual_time
async def test_the_sender_gives_up_after_max_attempts(store: Store) -> None:
    hub = EventHub()
    schedule = RetrySchedule(delays=(0.02,), max_attempts=3, jitter=0.0)
    async with receiving(failures=100) as receiver:
        hook = await store.webhooks.create(receiver.url, ["charger.boot"], secret=SECRET)
        async with WebhookSender(store, hub, schedule=schedule):
            hub.emit(EventType.CHARGER_BOOT, "CP-1", organization_id="default")
            delivery = await _settled(store, hook.id)
            assert await store.webhooks.due() == []

        assert (delivery.status, delivery.status_code, delivery.attempts) == ("failed", 500, 3)
        assert (delivery.next_attempt_at, delivery.delivered_at) == (None, None)
        assert delivery.last_error == "HTTP 500: receiver is down"
        assert len(receiver.requests) == 3


@pytest.mark.virtual_time
async def test_the_log_tells_an_endpoint_failing_and_delivering_again_not_each_attempt(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    # The delivery log keeps every attempt; the process log only what needs a look.
    hub = EventHub()
    schedule = RetrySchedule(delays=(0.02,), max_attempts=2, jitter=0.0)
    caplog.set_level(logging.DEBUG, logger="chargeyard.csms")
    async with receiving(failures=3) as receiver:
        flaky = await store.webhooks.create(receiver.url, ["charger.boot"], secret=SECRET)
        async with WebhookSender(store, hub, schedule=schedule):
            hub.emit(EventType.CHARGER_BOOT, "CP-1", organization_id="default")
            failed = await _settled(store, flaky.id)
            receiver.failures = 0
            hub.emit(EventType.CHARGER_BOOT, "CP-2", organization_id="default")

            def logged() -> list[tuple[str, str]]:
                return [
                    (record.levelname, record.getMessage())
                    for record in caplog.records
                    if record.name == "chargeyard.csms.webhook_delivery"
                ]

            async def both_settled_and_told() -> bool:
                # An attempt is stored, then logged: the store alone can say "delivered"
                # before the line is written (and leaving the sender would cancel it).
                deliveries = await store.webhooks.deliveries(flaky.id)
                settled = [d.status for d in deliveries] in (
                    ["delivered", "failed"],
                    ["failed", "delivered"],
                )
                return settled and any(text.endswith(" delivered") for _, text in logged())

            await eventually(both_settled_and_told)

    attempts = logged()
    assert [level for level, _ in attempts] == ["DEBUG", "DEBUG", "DEBUG"]
    assert attempts[1][1] == (
        f"webhook delivery {failed.id} (charger.boot) to {receiver.url} failed for good"
        " at attempt 2 (HTTP 500: receiver is down)"
    )
    told = [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.levelno >= logging.INFO
    ]
    assert told == [
        (
            "WARNING",
            f"webhook {flaky.id} endpoint {receiver.url} is failing (HTTP 500: receiver is"
            f" down); its deliveries are retried with back-off"
            f" (GET /api/v1/webhooks/{flaky.id}/deliveries)",
        ),
        (
            "INFO",
            f"webhook {flaky.id} endpoint {receiver.url} delivers again, after failing for 0 s",
        ),
    ]


@pytest.mark.virtual_time
async def test_an_endpoint_that_is_down_is_one_line_not_one_per_attempt(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    hook = await store.webhooks.create(f"http://127.0.0.1:{closed_port}/x", ["*"])
    hub = EventHub()
    schedule = RetrySchedule(delays=(0.2,), max_attempts=3, jitter=0.0)
    caplog.set_level(logging.INFO)
    async with WebhookSender(store, hub, schedule=schedule):
        for number in range(10):
            hub.emit(EventType.CHARGER_CONNECTED, f"CP-{number}", organization_id="default")

        async def all_given_up() -> bool:
            deliveries = await store.webhooks.deliveries(hook.id)
            return len(deliveries) == 10 and all(d.status == "failed" for d in deliveries)

        await eventually(all_given_up)

    deliveries = await store.webhooks.deliveries(hook.id)
    assert {d.attempts for d in deliveries} == {3}  # every attempt in the delivery log
    told = [r.getMessage() for r in caplog.records if r.name.startswith("chargeyard")]
    assert len(told) == 1, told  # 30 failed attempts within a minute: one line
    assert f"webhook {hook.id} endpoint http://127.0.0.1:{closed_port}/x is failing (" in told[0]


@pytest.mark.virtual_time
async def test_connection_errors_and_timeouts_are_failed_attempts(store: Store) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    hub = EventHub()
    once = RetrySchedule(delays=(0.02,), max_attempts=2, jitter=0.0)
    async with receiving() as receiver:
        receiver.delay = 0.3
        refused = await store.webhooks.create(f"http://127.0.0.1:{closed_port}/x", ["*"])
        slow = await store.webhooks.create(receiver.url, ["*"])
        async with WebhookSender(store, hub, schedule=once, timeout=0.05):
            hub.emit(EventType.CHARGER_CONNECTED, "CP-1", organization_id="default")
            no_answer = await _settled(store, refused.id)
            too_slow = await _settled(store, slow.id)

    assert (no_answer.status, no_answer.status_code, no_answer.attempts) == ("failed", None, 2)
    assert no_answer.last_error is not None
    assert no_answer.last_error.startswith("ConnectError")
    assert (too_slow.status, too_slow.status_code, too_slow.attempts) == ("failed", None, 2)
    assert too_slow.last_error == "timeout: ReadTimeout"


@pytest.mark.virtual_time
async def test_a_host_that_does_not_resolve_is_a_failed_attempt_backed_off_then_given_up(
    store: Store,
) -> None:
    # Under a policy that resolves names itself (outbound.py); .invalid never resolves.
    schedule = RetrySchedule(delays=(0.02, 0.04), max_attempts=3, jitter=0.0)
    hook = await store.webhooks.create("https://hook.invalid/x", ["*"])
    hub = EventHub()
    async with WebhookSender(store, hub, schedule=schedule, outbound=OutboundPolicy(public=True)):
        hub.emit(EventType.CHARGER_CONNECTED, "CP-1", organization_id="default")
        delivery = await _settled(store, hook.id)

    assert (delivery.status, delivery.status_code, delivery.attempts) == ("failed", None, 3)
    assert delivery.last_error is not None
    assert delivery.last_error.startswith("ConnectError: hook.invalid does not resolve (")
    assert delivery.next_attempt_at is None


@pytest.mark.virtual_time
async def test_pending_deliveries_are_resumed_after_a_restart(store: Store) -> None:
    slow = RetrySchedule(delays=(0.3,), jitter=0.0)
    async with receiving(failures=1) as receiver:
        retried = await store.webhooks.create(receiver.url, ["charger.boot"], secret=SECRET)
        async with WebhookSender(store, EventHub(), schedule=slow) as sender:
            sender.events.emit(EventType.CHARGER_BOOT, "CP-1", organization_id="default")
            await until(lambda: len(receiver.requests) == 1)

            async def failed_once() -> bool:
                return (await _only_delivery(store, retried.id)).attempts == 1

            await eventually(failed_once)
        # Down between a failure and its retry; meanwhile an event was enqueued, unsent.
        waiting = await store.webhooks.create(receiver.url, ["charger.connected"], secret=SECRET)
        await store.webhooks.enqueue(waiting.id, "charger.connected", {"id": 99})
        assert len(receiver.requests) == 1

        async with WebhookSender(store, EventHub(), schedule=slow, poll_interval=0.05):
            unsent = await _settled(store, waiting.id)
            resumed = await _settled(store, retried.id)

    assert (unsent.status, unsent.attempts) == ("delivered", 1)
    assert (resumed.status, resumed.attempts) == ("delivered", 2)
    # After the restart both are due (the retry's 0.3 s may have passed meanwhile on a busy
    # machine), in either order.
    delivered = [r.headers["x-chargeyard-delivery"] for r in receiver.requests]
    assert delivered[0] == str(resumed.id)
    assert sorted(delivered[1:]) == sorted([str(unsent.id), str(resumed.id)])
    assert [r.json for r in receiver.requests[1:] if r.json == {"id": 99}] == [{"id": 99}]


@pytest.mark.virtual_time
async def test_a_webhook_deactivated_with_a_backlog_drops_it_visibly(store: Store) -> None:
    async with receiving() as receiver:
        hook = await store.webhooks.create(receiver.url, ["*"])
        await store.webhooks.enqueue(hook.id, "charger.boot", {"id": 1})
        await store.webhooks.update(hook.id, active=False)
        async with WebhookSender(store, EventHub(), schedule=FAST):
            delivery = await _settled(store, hook.id)
    assert (delivery.status, delivery.last_error) == ("failed", "webhook is inactive")
    assert receiver.requests == []


@pytest.mark.virtual_time
async def test_a_burst_of_events_is_delivered_without_blocking_the_publisher(
    store: Store,
) -> None:
    hub = EventHub()
    async with receiving() as receiver:
        hook = await store.webhooks.create(receiver.url, ["connector.status_changed"])
        async with WebhookSender(store, hub, schedule=FAST, concurrency=4):
            published = [
                hub.emit(
                    EventType.CONNECTOR_STATUS_CHANGED,
                    "CP-1",
                    organization_id="default",
                    connectorId=n,
                )
                for n in range(40)
            ]

            async def all_delivered() -> bool:
                rows = await store.webhooks.deliveries(hook.id)
                return len(rows) == 40 and all(row.status == "delivered" for row in rows)

            await eventually(all_delivered)
    assert sorted(r.json["id"] for r in receiver.requests) == [e.id for e in published]


@pytest.mark.virtual_time
async def test_a_burst_arriving_over_time_is_enqueued_in_few_writes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events of a burst trickle in (a fleet booting): the intake, seeing more than one
    waiting, gathers the rest before it enqueues, instead of writing (and reading the
    subscribers) once per handful of events. A lone event is enqueued without waiting."""
    fan_out = store.webhooks.fan_out
    writes: list[int] = []

    async def counted(
        events: Sequence[tuple[str, dict[str, Any]]], at: datetime | None = None
    ) -> int:
        writes.append(len(events))
        return await fan_out(events, at=at)

    monkeypatch.setattr(store.webhooks, "fan_out", counted)
    hub = EventHub()
    hook = await store.webhooks.create("http://127.0.0.1:9/hook", ["connector.status_changed"])
    async with WebhookSender(store, hub, schedule=FAST, poll_interval=10, burst_gather=0.2):
        hub.emit(
            EventType.CONNECTOR_STATUS_CHANGED, "CP-0", organization_id="default", connectorId=1
        )
        await until(lambda: writes == [1])  # alone: written at once
        for wave in range(4):
            for n in range(2):
                hub.emit(
                    EventType.CONNECTOR_STATUS_CHANGED,
                    f"CP-{wave}",
                    organization_id="default",
                    connectorId=n,
                )
            await asyncio.sleep(0)  # the intake runs between the waves
        await until(lambda: sum(writes) == 9)
    assert writes == [1, 8]
    assert len(await store.webhooks.deliveries(hook.id)) == 9


@pytest.mark.virtual_time
async def test_events_published_before_stop_are_kept_for_the_next_start(store: Store) -> None:
    hub = EventHub()
    async with receiving() as receiver:
        hook = await store.webhooks.create(receiver.url, ["charger.disconnected"])
        sender = WebhookSender(store, hub, schedule=FAST)
        await sender.start()
        hub.emit(
            EventType.CHARGER_DISCONNECTED, "CP-1", organization_id="default"
        )  # the listener's last words
        await sender.stop()
        [kept] = await store.webhooks.deliveries(hook.id)
        assert (kept.status, kept.attempts, kept.event) == ("pending", 0, "charger.disconnected")
        assert len(hub) == 0  # unsubscribed

        async with WebhookSender(store, hub, schedule=FAST):
            delivered = await _settled(store, hook.id)
    assert (delivered.id, delivered.status) == (kept.id, "delivered")
    assert [r.json["event"] for r in receiver.requests] == ["charger.disconnected"]


@pytest.mark.virtual_time
async def test_a_delivery_in_flight_is_not_claimed_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker looks for due rows again and again while the first delivery is being posted
    (a slow receiver, a short poll): the row in flight is held by its claim, so no later look
    finds it and it is posted once; the second event's delivery is claimed meanwhile."""
    claim_due, due_webhooks = store.webhooks.claim_due, store.webhooks.due_webhooks
    claims: list[list[int]] = []
    looks: list[set[str]] = []

    async def recorded(
        now: datetime, *, hold_until: datetime, limit: int, webhook_id: str
    ) -> Sequence[WebhookDelivery]:
        claimed = await claim_due(now, hold_until=hold_until, limit=limit, webhook_id=webhook_id)
        claims.append([delivery.id for delivery in claimed])
        return claimed

    async def looked(now: datetime) -> Sequence[Webhook]:
        due = await due_webhooks(now)
        looks.append({webhook.id for webhook in due})
        return due

    monkeypatch.setattr(store.webhooks, "due_webhooks", looked)
    monkeypatch.setattr(store.webhooks, "claim_due", recorded)
    async with receiving() as receiver:
        receiver.delay = 0.3  # the second event's claim comes while the first post waits
        first = await store.webhooks.create(receiver.url, ["charger.connected"])
        second = await store.webhooks.create(receiver.url, ["charger.boot"])
        async with WebhookSender(store, EventHub(), poll_interval=0.05) as sender:
            sender.events.emit(EventType.CHARGER_CONNECTED, "CP-1", organization_id="default")
            await until(lambda: len(receiver.requests) == 1)  # the first post is in flight
            looks_before_second = len(looks)
            sender.events.emit(EventType.CHARGER_BOOT, "CP-1", organization_id="default")
            settled = await _settled(store, second.id)
            await asyncio.sleep(0.3)  # room for a wrong second post of the first delivery
    first_id = (await _only_delivery(store, first.id)).id
    assert len(looks) > looks_before_second + 1  # looks did come during the slow post
    assert [claim for claim in claims if first_id in claim] == [[first_id]]
    assert [look for look in looks if first.id in look] == [{first.id}]
    assert settled.status == "delivered"
    assert (await _only_delivery(store, first.id)).attempts == 1
    assert len(receiver.requests) == 2
