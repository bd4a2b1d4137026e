"""``/events``: the live event stream over WebSocket, for the dashboard and scripts.

``ws://host/api/v1/events`` sends every event the CSMS publishes (``Event.as_json()``, one JSON
text message each: ``id``, ``event``, ``chargeBoxId``, ``timestamp``, ``data``; ``id`` is the
event's, as its webhooks carry it) from the moment the subscription is live, which the first
message tells::

    {"event": "stream.ready", "events": [...], "chargeBoxIds": [...] | null}

Query parameters:

* ``apiKey``: the API key, for clients that cannot set the ``X-API-Key`` header (browsers
  cannot on a WebSocket). The header wins when both are given. A key in the URL can end up in
  access logs: prefer the header where the client allows it.
* ``events``: comma-separated event names (or the parameter repeated); default all.
* ``chargeBoxId``: only this station's events (repeat it for several).
* ``organizationId``: a platform key's organization to watch, for clients that cannot set
  ``X-Organization-Id`` (the header wins). Any other key watches its own organization's
  stations, and only those (``api/tenant.py``).

Refusals:

* Missing or wrong key: the handshake is refused with HTTP 401 and ``{"detail": ...}``, as the
  REST endpoints answer (on a server without the ASGI WebSocket denial-response extension, the
  socket is accepted and closed with 1008 instead); another organization named by a key that
  may not leave its own: 403; an organization that does not exist: 404.
* Unknown event names: the socket is accepted, sends ``{"event": "stream.error", "detail":
  ..., "validEvents": [...]}`` and closes with 1008 (policy violation), since a close reason is
  limited to 123 bytes and a browser cannot read a refused handshake's body.

A client that falls behind loses its oldest events rather than slowing the CSMS down; it is
then told ``{"event": "stream.lagged", "dropped": n}`` before the next event it gets.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect, status
from fastapi.responses import JSONResponse

from chargeyard.api.organization_header import ORGANIZATION_HEADER
from chargeyard.api.tenant import acting_tenant
from chargeyard.api.v1 import API_PREFIX
from chargeyard.csms.events import Event, EventHub, EventType, Subscription
from chargeyard.store import Store

router = APIRouter(prefix=API_PREFIX)

API_KEY_HEADER = "x-api-key"
API_KEY_QUERY = "apiKey"
ORGANIZATION_QUERY = "organizationId"
VALID_EVENTS = tuple(event_type.value for event_type in EventType)
# Events a client may be behind by before it loses the oldest (read when it subscribes).
SUBSCRIPTION_SIZE = 1_000
# RFC 6455 section 5.5: a control frame carries at most 125 bytes, 2 of them the close code.
_MAX_CLOSE_REASON = 123


class StreamFilter:
    """Which events a stream wants: some event names, some stations, or all of them, of one
    organization's stations (None: of any, for code that is not a tenant's)."""

    def __init__(
        self,
        events: frozenset[str] | None,
        stations: frozenset[str] | None,
        organization_id: str | None = None,
    ) -> None:
        self.events = events
        self.stations = stations
        self.organization_id = organization_id

    def __call__(self, event: Event) -> bool:
        return (
            (self.events is None or event.type.value in self.events)
            and (self.stations is None or event.charge_box_id in self.stations)
            and (self.organization_id is None or event.organization_id == self.organization_id)
        )

    def describe(self) -> dict[str, Any]:
        return {
            "events": sorted(self.events) if self.events is not None else list(VALID_EVENTS),
            "chargeBoxIds": sorted(self.stations) if self.stations is not None else None,
        }


class UnknownEvents(ValueError):
    def __init__(self, names: list[str]) -> None:
        super().__init__(f"unknown event names: {', '.join(names)}")
        self.names = names


def parse_filter(
    events: list[str], stations: list[str], organization_id: str | None = None
) -> StreamFilter:
    """The filter of the query's ``events`` and ``chargeBoxId`` values, for the events of
    ``organization_id``'s stations.

    Raises:
        UnknownEvents: a name that is no :class:`EventType`.
    """
    names = {name.strip() for value in events for name in value.split(",") if name.strip()}
    unknown = sorted(names - set(VALID_EVENTS))
    if unknown:
        raise UnknownEvents(unknown)
    wanted = {station for station in stations if station}
    return StreamFilter(frozenset(names) or None, frozenset(wanted) or None, organization_id)


@router.websocket("/events", name="event_stream")
async def event_stream(websocket: WebSocket) -> None:
    """The live event stream (see the module docstring for the protocol)."""
    store: Store = websocket.app.state.store
    hub: EventHub = websocket.app.state.events
    key = websocket.headers.get(API_KEY_HEADER) or websocket.query_params.get(API_KEY_QUERY)
    api_key = await store.api_keys.verify(key) if key else None
    if api_key is None:
        await _refuse(websocket, status.HTTP_401_UNAUTHORIZED, "missing or invalid API key")
        return
    requested = websocket.headers.get(ORGANIZATION_HEADER) or websocket.query_params.get(
        ORGANIZATION_QUERY
    )
    try:
        tenant = await acting_tenant(store, api_key, requested)
    except HTTPException as refusal:
        await _refuse(websocket, refusal.status_code, refusal.detail)
        return
    try:
        wanted = parse_filter(
            websocket.query_params.getlist("events"),
            websocket.query_params.getlist("chargeBoxId"),
            tenant.organization_id,
        )
    except UnknownEvents as error:
        await websocket.accept()
        await _send(
            websocket,
            {"event": "stream.error", "detail": str(error), "validEvents": list(VALID_EVENTS)},
        )
        await websocket.close(status.WS_1008_POLICY_VIOLATION, _close_reason(str(error)))
        return
    await websocket.accept()
    with hub.subscribe(SUBSCRIPTION_SIZE, accept=wanted) as subscription:
        try:
            await _send(websocket, {"event": "stream.ready", **wanted.describe()})
            async with asyncio.TaskGroup() as tasks:
                forwarding = tasks.create_task(_forward(websocket, subscription))
                await _until_client_leaves(websocket)
                forwarding.cancel()
        except* (WebSocketDisconnect, OSError):
            pass  # the client left while we were sending


async def _forward(websocket: WebSocket, subscription: Subscription) -> None:
    """Send the subscription's events as they come, telling the client what it lost."""
    told = 0
    while True:
        event = await subscription.get()
        if subscription.dropped > told:
            await _send(
                websocket, {"event": "stream.lagged", "dropped": subscription.dropped - told}
            )
            told = subscription.dropped
        await _send(websocket, event.as_json())


async def _until_client_leaves(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends until it closes; the server's shutdown closes
    it too."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _send(websocket: WebSocket, message: dict[str, Any]) -> None:
    await websocket.send_text(orjson.dumps(message).decode())


async def _refuse(websocket: WebSocket, code: int, detail: str) -> None:
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        challenge = {"WWW-Authenticate": "X-API-Key"} if code == 401 else None
        await websocket.send_denial_response(
            JSONResponse({"detail": detail}, status_code=code, headers=challenge)
        )
        return
    await websocket.accept()
    await websocket.close(status.WS_1008_POLICY_VIOLATION, detail)


def _close_reason(text: str, limit: int = _MAX_CLOSE_REASON) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode(errors="ignore") + "..."
