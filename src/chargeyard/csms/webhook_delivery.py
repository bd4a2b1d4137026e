"""One webhook delivery attempt: the body, its signature, the post, and the record of the
outcome with the next attempt's time from the :class:`RetrySchedule`.

What a receiver gets (``POST``, the body the JSON of :meth:`Event.as_json`)::

    Content-Type: application/json
    X-Chargeyard-Event: transaction.started
    X-Chargeyard-Delivery: 42                  (the delivery id, the same on each retry)
    X-Chargeyard-Timestamp: 1770732000         (Unix seconds of this attempt)
    X-Chargeyard-Signature: sha256=<hex>

    <hex> = HMAC-SHA256(key=secret as UTF-8, message=timestamp + "." + raw body bytes)

To verify: recompute the HMAC over the header's timestamp, a ``.`` and the body exactly as
received (before any JSON parsing), compare with :func:`hmac.compare_digest`, and refuse a
timestamp more than a few minutes old, which stops replays of a captured request.

A 2xx answer delivers; anything else (another status, a connection error, a timeout) is a
failed attempt, retried after the schedule's next delay until its last attempt, after which
the delivery is ``failed``.

Each attempt is recorded in the delivery's row (the delivery log of the API), and named in the
process log at DEBUG only: a line per POST, or per failed one when a receiver is down, would
fill a busy lab's log (httpx's own request lines are held to WARNING, ``chargeyard/logs.py``).
What the log says at INFO and above is each endpoint's health (``webhook_health.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from chargeyard.outbound import OutboundPolicy
from chargeyard.store import Store
from chargeyard.store.models import DeliveryStatus, Webhook, WebhookDelivery
from chargeyard.store.repositories.webhooks import Attempt
from chargeyard.store.types import utc_now
from chargeyard.trust_store import http_verify

logger = logging.getLogger(__name__)

SIGNATURE_SCHEME = "sha256"
TEST_EVENT = "webhook.test"

Clock = Callable[[], datetime]


class ReceiverUnreachable(Exception):
    """A test ping that got no HTTP answer: the receiver's name does not resolve, its address
    is outside the allowed outbound networks, the connection was refused or timed out. The
    message says why; the attempt is in the delivery log all the same."""

    def __init__(self, delivery: WebhookDelivery) -> None:
        super().__init__(
            f"the webhook's receiver could not be reached: {delivery.last_error}"
            f" (delivery {delivery.id}, in the delivery log)"
        )
        self.delivery = delivery


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """When to try again: after the n-th failed attempt wait ``delays[n-1]`` seconds (the last
    delay repeats), give or take ``jitter`` (a fraction) so that receivers coming back after
    an outage are not hit by every sender at once; give up after ``max_attempts`` attempts."""

    delays: Sequence[float] = (10.0, 30.0, 120.0, 600.0, 3600.0)
    max_attempts: int = 6
    jitter: float = 0.1
    rng: Callable[[], float] = random.random

    def __post_init__(self) -> None:
        if not self.delays or any(delay <= 0 for delay in self.delays):
            raise ValueError("retry delays must be positive")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def delay_after(self, attempts: int) -> float | None:
        """Seconds until the next attempt after ``attempts`` failed ones; None: give up."""
        if attempts >= self.max_attempts:
            return None
        base = self.delays[min(attempts, len(self.delays)) - 1]
        return base * (1 + self.jitter * (2 * self.rng() - 1))


def encode(payload: dict[str, Any]) -> bytes:
    """The body bytes of a delivery (compact JSON, UTF-8): what is signed is what is sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Chargeyard-Signature`` value of ``body`` sent at ``timestamp``."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_SCHEME}={digest}"


def ping_payload(webhook: Webhook, at: datetime) -> dict[str, Any]:
    """The body of the API's ping: shaped like an event, naming no station."""
    return {
        "id": None,
        "event": TEST_EVENT,
        "chargeBoxId": None,
        "timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "data": {"webhookId": webhook.id, "message": "chargeyard webhook test"},
    }


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one post got: the receiver's status code (None: no HTTP answer) and, unless it
    delivered, the error the delivery log shows."""

    status_code: int | None
    error: str | None = None


async def post(
    client: httpx.AsyncClient,
    webhook: Webhook,
    delivery: WebhookDelivery,
    *,
    clock: Clock = utc_now,
    post_timeout: float | None = None,
) -> Outcome:
    """Post ``delivery`` to ``webhook`` once, signed (not recorded: :func:`attempt` does both).

    ``post_timeout``: seconds the whole post may take (httpx's own timeout bounds each step,
    so a receiver answering a byte at a time holds a post longer); a sender's claim on the
    delivery must outlast it.
    """
    body = encode(delivery.payload)
    timestamp = int(clock().timestamp())
    headers = {
        "Content-Type": "application/json",
        "X-Chargeyard-Event": delivery.event,
        "X-Chargeyard-Delivery": str(delivery.id),
        "X-Chargeyard-Timestamp": str(timestamp),
        "X-Chargeyard-Signature": sign(webhook.secret, timestamp, body),
    }
    try:
        async with asyncio.timeout(post_timeout):
            response = await client.post(webhook.url, content=body, headers=headers)
    except httpx.TimeoutException as failure:
        return Outcome(None, f"timeout: {type(failure).__name__}")
    except TimeoutError:
        return Outcome(None, f"timeout: no whole answer within {post_timeout:g} s")
    except (httpx.HTTPError, OSError) as failure:
        # OSError: a client whose transport lets one through (a name that does not resolve)
        # fails this attempt like any connection error, and is retried with back-off.
        return Outcome(None, f"{type(failure).__name__}: {failure}"[:500])
    if response.is_success:
        return Outcome(response.status_code)
    excerpt = response.text[:200].strip()
    code = response.status_code
    return Outcome(code, f"HTTP {code}: {excerpt}" if excerpt else f"HTTP {code}")


def outcome_attempt(
    delivery: WebhookDelivery, outcome: Outcome, schedule: RetrySchedule, at: datetime
) -> tuple[Attempt, float | None]:
    """The record of ``outcome`` made ``at``, and the seconds until the next attempt (None:
    delivered or given up)."""
    delay = None if outcome.error is None else schedule.delay_after(delivery.attempts + 1)
    return Attempt(
        delivery.id,
        outcome.status_code,
        outcome.error,
        None if delay is None else at + timedelta(seconds=delay),
        at,
    ), delay


async def attempt(
    store: Store,
    client: httpx.AsyncClient,
    webhook: Webhook,
    delivery: WebhookDelivery,
    *,
    schedule: RetrySchedule,
    clock: Clock = utc_now,
    post_timeout: float | None = None,
) -> tuple[WebhookDelivery, float | None]:
    """Post ``delivery`` to ``webhook`` once, signed, and record the outcome.

    Returns:
        The updated row and the seconds until its next attempt (None: delivered or given up).

    Raises:
        NotFoundError: the delivery was deleted meanwhile (with its webhook).
    """
    outcome = await post(client, webhook, delivery, clock=clock, post_timeout=post_timeout)
    record, delay = outcome_attempt(delivery, outcome, schedule, clock())
    recorded = await store.webhooks.record_attempt(
        record.delivery_id,
        status_code=record.status_code,
        error=record.error,
        next_attempt_at=record.next_attempt_at,
        at=record.at,
    )
    log_attempt(webhook, recorded, outcome.error, delay)
    return recorded, delay


def log_attempt(
    webhook: Webhook, delivery: WebhookDelivery, error: str | None, delay: float | None
) -> None:
    """Name the attempt in the process log, at DEBUG (the module docstring says why)."""
    if error is None:
        logger.debug(
            "webhook delivery %d (%s) to %s delivered", delivery.id, delivery.event, webhook.url
        )
    elif delay is not None:
        logger.debug(
            "webhook delivery %d (%s) to %s failed (%s); next attempt in %.0f s",
            delivery.id,
            delivery.event,
            webhook.url,
            error,
            delay,
        )
    else:
        logger.debug(
            "webhook delivery %d (%s) to %s failed for good at attempt %d (%s)",
            delivery.id,
            delivery.event,
            webhook.url,
            delivery.attempts,
            error,
        )


def http_client(
    timeout: float,
    outbound: OutboundPolicy | None,
    connections: int | None = None,
    *,
    verify: ssl.SSLContext | bool = True,
) -> httpx.AsyncClient:
    """The client that posts deliveries: every connection it makes obeys ``outbound``
    (``outbound.py``; the receiver's name is resolved and checked at each connect, so the
    delivery log names a refused address as the attempt's error). No proxy from the
    environment under a policy that limits addresses: the proxy would connect for us.

    ``connections``: how many it holds open, and keeps open between posts (a sender posting
    that many at once would otherwise connect anew for most of them); None: httpx's default.
    ``verify``: as httpx takes it (True: the process's one loaded CA bundle, ``trust_store.py``).
    """
    verify = http_verify(verify)
    limits = (
        None
        if connections is None
        else httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    )
    if outbound is None or outbound.anything:
        if limits is None:
            return httpx.AsyncClient(timeout=timeout, verify=verify)
        return httpx.AsyncClient(timeout=timeout, limits=limits, verify=verify)
    return httpx.AsyncClient(
        timeout=timeout,
        transport=outbound.http_transport(verify=verify, limits=limits),
        trust_env=False,
    )


async def ping(
    store: Store,
    webhook: Webhook,
    *,
    client: httpx.AsyncClient | None = None,
    http_timeout: float = 10.0,
    clock: Clock = utc_now,
    outbound: OutboundPolicy | None = None,
) -> WebhookDelivery:
    """Send a :data:`TEST_EVENT` to ``webhook`` now, through the signed path of every
    delivery, once (no retry: the caller is waiting for the verdict), and log it.

    The row is enqueued never due, so a running sender does not post it a second time.

    Returns:
        The delivery, delivered or failed with the receiver's HTTP status.

    Raises:
        ReceiverUnreachable: no HTTP answer came (the failed delivery is its ``delivery``).
    """
    now = clock()
    delivery = await store.webhooks.enqueue(
        webhook.id, TEST_EVENT, ping_payload(webhook, now), at=now, due=False
    )
    once = RetrySchedule(max_attempts=1)
    if client is not None:
        recorded, _ = await attempt(store, client, webhook, delivery, schedule=once, clock=clock)
    else:
        async with http_client(http_timeout, outbound) as own:
            recorded, _ = await attempt(store, own, webhook, delivery, schedule=once, clock=clock)
    if recorded.status == DeliveryStatus.FAILED:
        logger.info(
            "webhook %s test event to %s failed (%s)", webhook.id, webhook.url, recorded.last_error
        )
        if recorded.status_code is None:
            raise ReceiverUnreachable(recorded)
    return recorded


__all__ = [
    "SIGNATURE_SCHEME",
    "TEST_EVENT",
    "Clock",
    "Outcome",
    "ReceiverUnreachable",
    "RetrySchedule",
    "attempt",
    "encode",
    "http_client",
    "log_attempt",
    "outcome_attempt",
    "ping",
    "ping_payload",
    "post",
    "sign",
]
