"""What the process log says of the webhook endpoints the sender posts to: one line when an
endpoint starts failing, then a summary at most once per :data:`SUMMARY_INTERVAL`
(``endpoint X: 212 deliveries failing, oldest 4 min``), then one line when it delivers again.

Why not a line per attempt: an endpoint that is down fails every delivery and every retry of
each; with ten demo chargers that was some 250 lines a minute, most of a lab's log. Each
attempt stays in the delivery log (``GET /api/v1/webhooks/{id}/deliveries``) and in this
process's log at DEBUG.

A flapping endpoint (failing, delivering, failing again within the interval) does not get a
line per change either: a failure within the interval of the last line is told by the next
summary, and its recovery is told only if its failure was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chargeyard.store.models import DeliveryStatus, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

SUMMARY_INTERVAL = timedelta(minutes=1)
"""At most one line per failing endpoint per this interval (besides its recovery)."""


@dataclass(slots=True)
class _Endpoint:
    """One webhook's state, as the log has told it."""

    url: str
    failing_since: datetime | None = None  # None: delivering
    told_failing: bool = False  # a line said this run of failures
    last_line_at: datetime | None = None
    pending: dict[int, datetime] = field(default_factory=dict)  # failing delivery -> created
    given_up: int = 0  # deliveries given up since the last line
    last_error: str | None = None


class EndpointHealth:
    """Follows each webhook's delivery attempts and logs its endpoint's changes of health.

    Args:
        clock: the sender's clock (aware datetimes).
        interval: the least time between two lines of one endpoint (but its recovery).
    """

    def __init__(
        self, clock: Callable[[], datetime], interval: timedelta = SUMMARY_INTERVAL
    ) -> None:
        self._clock = clock
        self._interval = interval
        self._endpoints: dict[str, _Endpoint] = {}

    def attempted(self, webhook: Webhook, delivery: WebhookDelivery) -> None:
        """Note the outcome of one attempt, ``delivery`` as recorded after it."""
        endpoint = self._endpoints.get(webhook.id)
        if delivery.status == DeliveryStatus.DELIVERED:
            if endpoint is not None:
                self._delivered(webhook, endpoint, delivery)
            return
        if endpoint is None:
            endpoint = self._endpoints[webhook.id] = _Endpoint(webhook.url)
        endpoint.url = webhook.url
        endpoint.last_error = delivery.last_error
        if delivery.status == DeliveryStatus.FAILED:  # given up
            endpoint.pending.pop(delivery.id, None)
            endpoint.given_up += 1
        else:
            endpoint.pending.setdefault(delivery.id, delivery.created_at)
        now = self._clock()
        if endpoint.failing_since is None:
            endpoint.failing_since = now
            endpoint.told_failing = False
        if not self._due(endpoint, now):
            return
        if endpoint.told_failing:
            logger.warning(
                "webhook %s endpoint %s: %s (last error: %s)",
                webhook.id,
                endpoint.url,
                _summary(endpoint, now),
                endpoint.last_error,
            )
        else:
            logger.warning(
                "webhook %s endpoint %s is failing (%s); its deliveries are retried with"
                " back-off (GET /api/v1/webhooks/%s/deliveries)",
                webhook.id,
                endpoint.url,
                endpoint.last_error,
                webhook.id,
            )
            endpoint.told_failing = True
        endpoint.given_up = 0
        endpoint.last_line_at = now

    def _due(self, endpoint: _Endpoint, now: datetime) -> bool:
        return endpoint.last_line_at is None or now - endpoint.last_line_at >= self._interval

    def _delivered(self, webhook: Webhook, endpoint: _Endpoint, delivery: WebhookDelivery) -> None:
        endpoint.pending.pop(delivery.id, None)
        since = endpoint.failing_since
        if since is None:
            return
        now = self._clock()
        if endpoint.told_failing:
            still = len(endpoint.pending)
            logger.info(
                "webhook %s endpoint %s delivers again, after failing for %s%s",
                webhook.id,
                endpoint.url,
                _duration(now - since),
                f" ({_deliveries(still)} still to retry)" if still else "",
            )
            endpoint.last_line_at = now
        endpoint.failing_since = None
        endpoint.told_failing = False
        endpoint.given_up = 0


def _summary(endpoint: _Endpoint, now: datetime) -> str:
    parts = [f"{_deliveries(len(endpoint.pending))} failing"]
    if endpoint.pending:
        parts.append(f"oldest {_duration(now - min(endpoint.pending.values()))}")
    if endpoint.given_up:
        parts.append(f"{endpoint.given_up} given up since the last line")
    return ", ".join(parts)


def _deliveries(count: int) -> str:
    return f"{count} delivery" if count == 1 else f"{count} deliveries"


def _duration(span: timedelta) -> str:
    seconds = max(0, int(span.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


__all__ = ["SUMMARY_INTERVAL", "EndpointHealth"]
