"""What the process log says of a webhook endpoint that is down (webhook_health.py): one line
when it starts failing, a summary at most once a minute, one line when it delivers again, on an
injected clock."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.csms.webhook_health import EndpointHealth
from chargeyard.store.models import DeliveryStatus, Webhook, WebhookDelivery

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
HOOK = Webhook(id="wh_1", url="https://receiver.example/hook")
DOWN = "HTTP 503: down for maintenance"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def at(self, seconds: float) -> None:
        self.now = T0 + timedelta(seconds=seconds)


def _delivery(
    delivery_id: int, status: DeliveryStatus = DeliveryStatus.PENDING, created_s: float = 0
) -> WebhookDelivery:
    return WebhookDelivery(
        id=delivery_id,
        webhook_id=HOOK.id,
        status=status,
        last_error=DOWN,
        created_at=T0 + timedelta(seconds=created_s),
    )


def _told(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.name == "chargeyard.csms.webhook_health"
    ]


def test_a_failing_endpoint_is_told_once_then_summarised_each_minute_then_recovered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="chargeyard.csms.webhook_health")
    clock = Clock()
    health = EndpointHealth(clock)
    health.attempted(HOOK, _delivery(1))
    clock.at(10)
    health.attempted(HOOK, _delivery(2, created_s=10))
    health.attempted(HOOK, _delivery(1))
    clock.at(30)
    health.attempted(HOOK, _delivery(1, DeliveryStatus.FAILED))  # given up
    clock.at(59)
    health.attempted(HOOK, _delivery(3, created_s=59))
    assert len(_told(caplog)) == 1  # a minute of failures, one line
    clock.at(61)
    health.attempted(HOOK, _delivery(2, created_s=10))
    clock.at(90)
    health.attempted(HOOK, _delivery(3, created_s=59))
    clock.at(240)
    health.attempted(HOOK, _delivery(2, DeliveryStatus.DELIVERED))

    assert _told(caplog) == [
        (
            "WARNING",
            "webhook wh_1 endpoint https://receiver.example/hook is failing (HTTP 503: down for"
            " maintenance); its deliveries are retried with back-off"
            " (GET /api/v1/webhooks/wh_1/deliveries)",
        ),
        (
            "WARNING",
            "webhook wh_1 endpoint https://receiver.example/hook: 2 deliveries failing,"
            " oldest 51 s, 1 given up since the last line"
            " (last error: HTTP 503: down for maintenance)",
        ),
        (
            "INFO",
            "webhook wh_1 endpoint https://receiver.example/hook delivers again, after failing"
            " for 4 min (1 delivery still to retry)",
        ),
    ]


def test_a_flapping_endpoint_is_not_told_at_each_change(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="chargeyard.csms.webhook_health")
    clock = Clock()
    health = EndpointHealth(clock)
    health.attempted(HOOK, _delivery(1))
    clock.at(1)
    health.attempted(HOOK, _delivery(1, DeliveryStatus.DELIVERED))
    for second in range(2, 60, 2):  # failing and delivering by turns within the minute
        clock.at(second)
        health.attempted(HOOK, _delivery(second))
        clock.at(second + 1)
        health.attempted(HOOK, _delivery(second, DeliveryStatus.DELIVERED))
    clock.at(70)
    health.attempted(HOOK, _delivery(70, created_s=65))

    assert [level for level, _ in _told(caplog)] == ["WARNING", "INFO", "WARNING"]
    assert "is failing" in _told(caplog)[2][1]


def test_a_delivering_endpoint_is_not_told(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="chargeyard.csms.webhook_health")
    health = EndpointHealth(Clock())
    for delivery_id in range(5):
        health.attempted(HOOK, _delivery(delivery_id, DeliveryStatus.DELIVERED))
    assert _told(caplog) == []
