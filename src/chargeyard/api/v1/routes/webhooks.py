"""``/webhooks``: subscribers to the central system's events, and their delivery log.

Thin: the store keeps the subscriptions and the log, ``chargeyard.csms.webhooks`` sends (the
sender runs beside the CSMS listener; the test ping is sent from here, by the same code).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, status

from chargeyard.api.deps import OutboundDep, StoreDep, TenantDep, require_tenant
from chargeyard.api.error_answers import error_answer
from chargeyard.api.shapes import LOOKUP_TEXT, Limit, Offset, Page
from chargeyard.api.tenant import Tenant
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.schemas.commands import ErrorResponse
from chargeyard.api.v1.schemas.webhooks import (
    DeliveryLog,
    DeliveryOut,
    WebhookCreate,
    WebhookCreated,
    WebhookDeleted,
    WebhookOut,
    WebhookUpdate,
)
from chargeyard.csms.webhook_delivery import ping
from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import Webhook

router = APIRouter(
    prefix=API_PREFIX + "/webhooks",
    tags=["Webhooks"],
    dependencies=[Depends(require_tenant)],
    responses={401: error_answer(ErrorResponse, "Missing or invalid API key")},
)
_UNKNOWN: dict[int | str, dict[str, Any]] = {404: error_answer(ErrorResponse, "Unknown webhook id")}

WebhookId = Annotated[str, Path(alias="webhookId", pattern=LOOKUP_TEXT)]


async def _webhook(store: Store, tenant: Tenant, webhook_id: str) -> Webhook:
    webhook = await store.webhooks.get(webhook_id, organization_id=tenant.organization_id)
    if webhook is None:
        raise NotFoundError("webhook", webhook_id)
    return webhook


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create webhook")
async def create_webhook(store: StoreDep, tenant: TenantDep, body: WebhookCreate) -> WebhookCreated:
    """Subscribe a URL to the events of the organization's chargers. Each event is `POST`ed
    to it as JSON (`id`, `event`,
    `chargeBoxId`, `timestamp`, `data`; `id` is the event's UUIDv7, unique in the cluster and
    the same on the live stream) with these headers:

    - `X-Chargeyard-Event`: the event name
    - `X-Chargeyard-Delivery`: the delivery id (the same on each retry: de-duplicate on it)
    - `X-Chargeyard-Timestamp`: Unix seconds when this attempt was signed
    - `X-Chargeyard-Signature`: `sha256=` + hex HMAC-SHA256, keyed with the webhook's secret
      (UTF-8), of the timestamp, a `.`, and the raw body bytes:
      `HMAC_SHA256(secret, timestamp + "." + body)`

    Verify by recomputing over the body exactly as received, comparing in constant time, and
    refusing old timestamps (replays). A 2xx answer delivers; anything else, a connection
    error or no answer within 10 s is retried after about 10 s, 30 s, 2 min, 10 min and 1 h,
    then the delivery fails (6 attempts).

    `events`: any of `charger.connected`, `charger.disconnected`, `charger.boot`,
    `connector.status_changed`, `transaction.started`, `transaction.updated`,
    `transaction.stopped`, `charger.notification` (what a charger reported on its own:
    firmware and log status, security events, reservation updates, charging limits, 2.0.1
    events and reports; its `data.kind` says which), or `"*"` for every event (including ones
    added later). Without a
    `secret` one is generated; this answer is the only time it is shown.
    """
    webhook = await store.webhooks.create(
        body.url,
        body.events,
        secret=body.secret,
        active=body.active,
        organization_id=tenant.organization_id,
    )
    return WebhookCreated(**WebhookOut.of(webhook).model_dump(), secret=webhook.secret)


@router.get("", summary="List webhooks")
async def list_webhooks(
    store: StoreDep, tenant: TenantDep, limit: Limit = 50, offset: Offset = 0
) -> Page[WebhookOut]:
    """The organization's webhooks, oldest first (secrets are never shown again)."""
    webhooks = await store.webhooks.list(organization_id=tenant.organization_id)
    return Page(
        data=[WebhookOut.of(webhook) for webhook in webhooks[offset : offset + limit]],
        total=len(webhooks),
        limit=limit,
        offset=offset,
    )


@router.get("/{webhookId}", summary="Get webhook", responses=_UNKNOWN)
async def get_webhook(store: StoreDep, tenant: TenantDep, webhook_id: WebhookId) -> WebhookOut:
    return WebhookOut.of(await _webhook(store, tenant, webhook_id))


@router.patch("/{webhookId}", summary="Update webhook", responses=_UNKNOWN)
async def update_webhook(
    store: StoreDep, tenant: TenantDep, webhook_id: WebhookId, body: WebhookUpdate
) -> WebhookOut:
    """Change the URL, events, secret or active flag; fields left out stay. A deactivated
    webhook receives no new events, and its pending deliveries fail."""
    values = body.model_dump(exclude_unset=True)
    webhook = await store.webhooks.update(
        webhook_id, organization_id=tenant.organization_id, **values
    )
    return WebhookOut.of(webhook)


@router.delete("/{webhookId}", summary="Delete webhook", responses=_UNKNOWN)
async def delete_webhook(
    store: StoreDep, tenant: TenantDep, webhook_id: WebhookId
) -> WebhookDeleted:
    """Remove a webhook and its delivery log."""
    await store.webhooks.delete(webhook_id, organization_id=tenant.organization_id)
    return WebhookDeleted(message="Webhook deleted", id=webhook_id)


@router.get("/{webhookId}/deliveries", summary="Delivery log", responses=_UNKNOWN)
async def list_deliveries(
    store: StoreDep,
    tenant: TenantDep,
    webhook_id: WebhookId,
    limit: Limit = 50,
) -> DeliveryLog:
    """The webhook's deliveries, newest first: status, attempts, the last HTTP status or
    error, and when the next attempt is due."""
    await _webhook(store, tenant, webhook_id)
    deliveries = await store.webhooks.deliveries(webhook_id, limit)
    return DeliveryLog(
        webhookId=webhook_id,
        data=[DeliveryOut.of(delivery) for delivery in deliveries],
        count=len(deliveries),
    )


@router.post(
    "/{webhookId}/test",
    summary="Send test event",
    responses={
        **_UNKNOWN,
        502: error_answer(ErrorResponse, "The receiver could not be reached"),
    },
)
async def send_test_event(
    store: StoreDep, outbound: OutboundDep, tenant: TenantDep, webhook_id: WebhookId
) -> DeliveryOut:
    """Post a signed `webhook.test` event now, once, and answer with its delivery (also in the
    log): `delivered`, or `failed` with the receiver's status code. When no HTTP answer came
    (the host does not resolve, its address is outside the server's allowed outbound networks,
    the connection was refused or timed out), 502 with the reason in `detail`; the failed
    delivery is in the log too."""
    webhook = await _webhook(store, tenant, webhook_id)
    return DeliveryOut.of(await ping(store, webhook, outbound=outbound))
