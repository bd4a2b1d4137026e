"""The central system's events across processes: every node's live stream shows the events of
every node's stations, over one Redis channel.

Each node relays the events its own listener publishes (``csms/events.py``) to the channel
``{prefix}db{n}:events`` (``n``: the Redis database), with its name, and publishes into its own
hub, marked ``relayed``, the events other nodes sent. A message carries every event the node
had waiting, up to :data:`RELAY_BATCH`, in order: a boot storm's thousands of events a second
are a few dozen messages, each encoded, published and decoded once (an event a message cost a
node a tenth of its CPU in a storm, and every receiving node as much again).

Pub/sub, not a stream: the live stream is a view of now (a client that falls behind loses its
oldest events already), and Redis keeps nothing for it. Webhooks do not ride on it: a node
enqueues the deliveries of its own events only, in the database, and the nodes claim them from
there (``store/repositories/webhooks.py``), so each is posted once.

While Redis cannot be reached, the events of that time are not relayed (logged once, retried
with back-off); each node's own stream and its webhooks go on.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

import orjson

from chargeyard.bus.redis_connection import (
    LOST,
    Outage,
    OwnedTasks,
    channel_scope,
    redis_client,
    where,
)
from chargeyard.csms.event_ids import new_event_id
from chargeyard.csms.events import Event, EventHub, EventType, Subscription

RELAY_BATCH = 500
"""Events a message at most."""
RELAY_GATHER_S = 0.02
"""How long the relay waits for the rest of a burst before it publishes
(``Subscription.gather``): a live stream shows a storm's events that much later."""


class RedisEvents:
    """Relays ``hub``'s own events to the other nodes and theirs into ``hub``.

    Args:
        url: the Redis server.
        hub: this node's events.
        node: this node's name (events it sent are not taken back).
        prefix: the start of the channel's name, shared by the nodes of one deployment.
        receive: take the other nodes' events into ``hub``; False on a node that only sends
            (no API, so no live stream to show them on: every event of the cluster would be
            decoded there for nobody).
    """

    def __init__(
        self,
        url: str,
        hub: EventHub,
        *,
        node: str,
        prefix: str = "chargeyard:events:",
        receive: bool = True,
    ) -> None:
        self.node = node
        self.receives = receive
        self._redis = redis_client(url)
        self._channel = f"{prefix}{channel_scope(self._redis)}events"
        self._hub = hub
        self._outage = Outage(where(url))
        self._subscribed = asyncio.Event()
        self._tasks = OwnedTasks()
        self._subscription: Subscription | None = None
        self._closed = False

    async def start(self) -> None:
        """Start relaying, once subscribed to the other nodes' events.

        Raises: ConnectionError (one of ``LOST``) when Redis does not answer now."""
        await self._redis.ping()
        self._subscription = self._hub.subscribe(accept=_own)
        self._tasks.own(self._send(self._subscription))
        if self.receives:
            self._tasks.own(self._receive())
            await self._subscribed.wait()

    async def close(self) -> None:
        self._closed = True
        if self._subscription is not None:
            self._subscription.close()
        await self._tasks.cancel()
        await self._redis.aclose()

    async def __aenter__(self) -> RedisEvents:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _send(self, subscription: Subscription) -> None:
        while not self._closed:
            events = [await subscription.get()]
            await subscription.gather(events, RELAY_BATCH, RELAY_GATHER_S)
            try:
                await self._redis.publish(self._channel, self._message(events))
            except LOST as error:
                await self._outage.back_off(error)  # (those events are not relayed)
                continue
            self._outage.ok()

    def _message(self, events: list[Event]) -> bytes:
        return orjson.dumps(
            {
                "node": self.node,
                "events": [
                    {
                        "id": event.id,
                        "type": event.type.value,
                        "chargeBoxId": event.charge_box_id,
                        "organizationId": event.organization_id,
                        "data": event.data,
                        "at": event.at.isoformat(),
                    }
                    for event in events
                ],
            }
        )

    async def _receive(self) -> None:
        while not self._closed:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._channel)
                async for notice in pubsub.listen():
                    if notice["type"] == "subscribe":
                        self._outage.ok()
                        self._subscribed.set()
                    elif notice["type"] == "message":
                        self._relay(orjson.loads(notice["data"]))
            except LOST as error:
                await self._outage.back_off(error)
            finally:
                with contextlib.suppress(*LOST):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _relay(self, message: dict[str, Any]) -> None:
        if message["node"] == self.node:
            return
        for event in message["events"]:
            self._hub.publish(
                Event(
                    EventType(event["type"]),
                    str(event["chargeBoxId"]),
                    dict(event["data"]),
                    at=datetime.fromisoformat(event["at"]),
                    # The id the node that published it gave it, which its webhooks carry.
                    # A node of an older release sends none: the event gets one here.
                    id=str(event.get("id") or new_event_id()),
                    relayed=True,
                    # A node of an older release relays none: its events reach no organization.
                    organization_id=event.get("organizationId"),
                )
            )


def _own(event: Event) -> bool:
    return not event.relayed
