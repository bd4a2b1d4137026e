"""How the outside world talks to the CSMS: webhooks it calls (with their delivery attempts)
and the API keys that may call it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chargeyard.store.models.base import Base
from chargeyard.store.types import utc_now


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Webhook(Base):
    """A subscriber URL for a set of event names. ``secret`` signs each delivery (HMAC), so it
    must be kept readable, unlike an API key's."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # It is told the events of this organization's stations only.
    organization_id: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]]
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class WebhookDelivery(Base):
    """One event for one webhook and its attempts so far. A sender picks ``pending`` rows whose
    ``next_attempt_at`` has passed (the index below), posts, and records the outcome."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index(None, "status", "next_attempt_at"),
        Index(None, "webhook_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    status_code: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    delivered_at: Mapped[datetime | None]


class ApiKeyRole(StrEnum):
    """What an API key may do on ``/api/v1``, in its organization: a viewer reads; an operator
    also sends commands and writes (chargers, id tags, webhooks); an admin also manages the
    organization's API keys. A platform key is an admin in every organization: it acts in its
    own unless a request names another in ``X-Organization-Id`` (as the gateway's platform
    tokens do)."""

    PLATFORM = "platform"
    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


class ApiKey(Base):
    """An API key, stored as a salted hash; ``prefix`` (shown in listings, part of the key)
    finds the row without scanning every hash."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    # Keys made before roles existed could do everything: they are admin keys.
    role: Mapped[str] = mapped_column(String(16), default=ApiKeyRole.ADMIN.value)
    prefix: Mapped[str] = mapped_column(String(16), index=True, unique=True)
    key_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_used_at: Mapped[datetime | None]
