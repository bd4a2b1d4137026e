"""What happened in the central system, told to whoever listens: the webhook sender and the
live event stream of the API.

The OCPP handlers and the listener :meth:`EventHub.publish` an :class:`Event` after the fact it
reports is committed to the store, so a listener that reads the store on an event finds it.
Publishing never waits and never fails: each subscriber has its own bounded queue, and a
subscriber that falls behind loses its oldest events (and is told how many) rather than slowing
the stations down.

An event is one organization's: its station's, stamped by the node that holds the station's
connection (:class:`StationEvents`). The webhooks and the live stream of an organization are
told only its events; an event no organization was stamped on is told to nobody.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from chargeyard import loop_clock
from chargeyard.csms.event_ids import new_event_id


class EventType(StrEnum):
    """The event names of the API (webhook ``events[]`` and the live stream)."""

    CHARGER_CONNECTED = "charger.connected"
    CHARGER_DISCONNECTED = "charger.disconnected"
    CHARGER_BOOT = "charger.boot"
    CONNECTOR_STATUS_CHANGED = "connector.status_changed"
    TRANSACTION_STARTED = "transaction.started"
    TRANSACTION_UPDATED = "transaction.updated"
    TRANSACTION_STOPPED = "transaction.stopped"
    # What a station reported on its own beyond status and transactions, once kept (its
    # notifications: firmware and log status, security events, reports, ...).
    CHARGER_NOTIFICATION = "charger.notification"


def _now() -> datetime:
    return loop_clock.now()  # the lab's clock: wall time unless it runs fast-forwarded


@dataclass(frozen=True, slots=True)
class Event:
    """One event. ``data`` is JSON-ready (camelCase keys, as the API writes them)."""

    type: EventType
    charge_box_id: str
    data: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=_now)
    # Unique in the cluster and the same in every channel that tells the event (webhook body,
    # every node's live stream): lets a consumer de-duplicate, and order (event_ids.py).
    id: str = field(default_factory=new_event_id)
    # Published by another node of the cluster and relayed here (cluster/redis_events.py): this
    # node's live stream shows it; its webhook sender leaves it to the node that saw it.
    relayed: bool = False
    # The organization of the event's station (StationEvents stamps it).
    organization_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The event as the webhook body and the stream carry it."""
        return {
            "id": self.id,
            "event": self.type.value,
            "chargeBoxId": self.charge_box_id,
            "timestamp": self.at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "data": self.data,
        }


class Subscription:
    """A subscriber's queue of events; iterate it (``async for event in subscription``) and
    close it (or leave its ``async with`` block) when done."""

    def __init__(
        self, hub: EventHub, maxsize: int, accept: Callable[[Event], bool] | None = None
    ) -> None:
        self._hub = hub
        self.accept = accept
        self._events: deque[Event] = deque()
        self._maxsize = maxsize
        self._ready = asyncio.Event()
        self.dropped = 0  # events lost because this subscriber fell behind

    def _put(self, event: Event) -> None:
        if len(self._events) >= self._maxsize:
            self._events.popleft()
            self.dropped += 1
        self._events.append(event)
        self._ready.set()

    async def get(self) -> Event:
        while not self._events:
            self._ready.clear()
            await self._ready.wait()
        return self._events.popleft()

    def take(self, most: int | None = None) -> list[Event]:
        """The events already waiting (at most ``most``), without waiting."""
        count = len(self._events) if most is None else min(most, len(self._events))
        return [self._events.popleft() for _ in range(count)]

    async def gather(self, events: list[Event], most: int, burst_s: float) -> None:
        """Append to ``events`` those already waiting, up to ``most`` in all. If that makes
        more than one, a burst is under way (a fleet booting, a site losing power): wait
        ``burst_s`` once and append what came meanwhile, so that a consumer that writes per
        batch writes a few times per burst, not once per handful of events. A lone event is
        not held up."""
        events += self.take(most - len(events))
        if 1 < len(events) < most and burst_s > 0:
            await asyncio.sleep(burst_s)
            events += self.take(most - len(events))

    def close(self) -> None:
        self._hub._subscribers.discard(self)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            yield await self.get()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class EventHub:
    """In-process publish/subscribe of :class:`Event`. Not thread-safe: one event loop."""

    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()

    def subscribe(
        self, maxsize: int = 10_000, accept: Callable[[Event], bool] | None = None
    ) -> Subscription:
        """A new subscription to every event published from now on, or only to those
        ``accept`` says yes to (filtered on publish, so the ones skipped neither take room in
        its queue nor count as dropped)."""
        subscription = Subscription(self, maxsize, accept)
        self._subscribers.add(subscription)
        return subscription

    def publish(self, event: Event) -> None:
        for subscription in self._subscribers:
            if subscription.accept is None or subscription.accept(event):
                subscription._put(event)

    def emit(
        self, type: EventType, charge_box_id: str, *, organization_id: str, **data: Any
    ) -> Event:
        """Build and publish an event of ``organization_id``'s station; returns it."""
        event = Event(type, charge_box_id, data, organization_id=organization_id)
        self.publish(event)
        return event

    def __len__(self) -> int:
        return len(self._subscribers)


class EventSink(Protocol):
    """Where a station's handlers publish (an :class:`EventHub`, or its
    :class:`StationEvents`); its length is how many listen (none: an event need not be
    built)."""

    def publish(self, event: Event) -> None: ...
    def __len__(self) -> int: ...


class StationEvents:
    """Publishes one station's events on ``hub``, stamped with the station's organization
    (read when its connection was admitted: a station's organization is fixed while it is
    registered, and deleting it closes its connection)."""

    def __init__(self, hub: EventHub, organization_id: str) -> None:
        self._hub = hub
        self.organization_id = organization_id

    def publish(self, event: Event) -> None:
        self._hub.publish(replace(event, organization_id=self.organization_id))

    def __len__(self) -> int:
        return len(self._hub)


__all__ = ["Event", "EventHub", "EventSink", "EventType", "StationEvents", "Subscription"]
