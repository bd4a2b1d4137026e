"""Bodies of ``/webhooks``: subscriptions to the central system's events and their delivery
log (camelCase on the wire; unknown request fields are refused)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, model_validator

from chargeyard.api.shapes import Request, Timestamp
from chargeyard.csms.events import EventType
from chargeyard.store.models import Webhook, WebhookDelivery
from chargeyard.store.repositories import ALL_EVENTS

MIN_SECRET = 16


def _http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("the URL's scheme must be http or https")
    if not parts.hostname:
        raise ValueError("the URL must name a host")
    return url


_EVENT_NAMES = [event.value for event in EventType] + [ALL_EVENTS]


def _event_name(name: str) -> str:
    if name not in _EVENT_NAMES:
        raise ValueError(f"unknown event; expected one of {', '.join(map(repr, _EVENT_NAMES))}")
    return name


def _distinct(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


Url = Annotated[
    str,
    Field(min_length=1, max_length=2048, examples=["https://example.com/chargeyard"]),
    AfterValidator(_http_url),
]
EventNames = Annotated[
    list[Annotated[str, AfterValidator(_event_name)]],
    Field(
        min_length=1,
        description='Event names to receive, or "*" for every event (including ones added later)',
        examples=[["transaction.started", "transaction.stopped"]],
    ),
    AfterValidator(_distinct),
]
Secret = Annotated[
    str,
    Field(
        min_length=MIN_SECRET,
        max_length=128,
        description="The HMAC-SHA256 key that signs each delivery",
    ),
]


class WebhookCreate(Request):
    url: Url
    events: EventNames
    secret: Secret | None = Field(
        default=None, description="Omit to have one generated (returned once, in the answer)"
    )
    active: bool = True


class WebhookUpdate(Request):
    """Only the fields given change; none of them may be null."""

    url: Url | None = None
    events: EventNames | None = None
    secret: Secret | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> WebhookUpdate:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"may not be null: {', '.join(nulls)}")
        return self


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    active: bool
    createdAt: Timestamp
    updatedAt: Timestamp

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookOut:
        return cls(
            id=webhook.id,
            url=webhook.url,
            events=webhook.events,
            active=webhook.active,
            createdAt=webhook.created_at,
            updatedAt=webhook.updated_at,
        )


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The signing secret; shown only in this answer")


class WebhookDeleted(BaseModel):
    message: str
    id: str


class DeliveryOut(BaseModel):
    id: int
    event: str
    status: Literal["pending", "delivered", "failed"]
    statusCode: int | None
    attempts: int
    lastError: str | None
    nextAttemptAt: Timestamp | None
    createdAt: Timestamp
    deliveredAt: Timestamp | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        return cls(
            id=delivery.id,
            event=delivery.event,
            status=delivery.status,  # type: ignore[arg-type]  # a DeliveryStatus value
            statusCode=delivery.status_code,
            attempts=delivery.attempts,
            lastError=delivery.last_error,
            nextAttemptAt=delivery.next_attempt_at,
            createdAt=delivery.created_at,
            deliveredAt=delivery.delivered_at,
        )


class DeliveryLog(BaseModel):
    webhookId: str
    data: list[DeliveryOut]
    count: int


__all__ = [
    "MIN_SECRET",
    "DeliveryLog",
    "DeliveryOut",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookDeleted",
    "WebhookOut",
    "WebhookUpdate",
]
