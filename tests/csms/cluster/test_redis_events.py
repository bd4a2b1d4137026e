"""Events across nodes over Redis pub/sub (``csms/cluster/redis_events.py``): each node's hub
gets the other nodes' events, marked relayed, and never its own back; a node that does not
receive (no API, so no live stream) still sends its own; deployments on other Redis databases
do not hear them."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import make_url

from chargeyard.csms.cluster.redis_events import RedisEvents
from chargeyard.csms.events import Event, EventHub, EventType
from tests.bus.buses import redis_url


def _on_database(url: str, number: int) -> str:
    return make_url(url).set(database=str(number)).render_as_string()


def _boot(identity: str) -> Event:
    return Event(EventType.CHARGER_BOOT, identity, {"chargePointVendor": "Relay"})


async def test_each_node_gets_the_other_s_events_relayed_and_not_its_own_back() -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    hub_a, hub_b = EventHub(), EventHub()
    seen_a, seen_b = hub_a.subscribe(), hub_b.subscribe()
    async with (
        RedisEvents(redis_url(), hub_a, node="a", prefix=prefix),
        RedisEvents(redis_url(), hub_b, node="b", prefix=prefix),
    ):
        hub_a.publish(_boot("ON-A"))
        assert (await seen_a.get()).charge_box_id == "ON-A"  # its own, published locally
        relayed = await asyncio.wait_for(seen_b.get(), 5)
        assert (relayed.charge_box_id, relayed.relayed) == ("ON-A", True)
        assert relayed.data == {"chargePointVendor": "Relay"}
        hub_b.publish(_boot("ON-B"))
        assert (await seen_b.get()).charge_box_id == "ON-B"
        assert (await asyncio.wait_for(seen_a.get(), 5)).charge_box_id == "ON-B"
        await asyncio.sleep(0.2)  # room for a wrong echo of a node's own event
        assert seen_a.take() == []
        assert seen_b.take() == []


async def test_a_node_that_does_not_receive_still_sends() -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    hub_api, hub_listener = EventHub(), EventHub()
    seen_api, seen_listener = hub_api.subscribe(), hub_listener.subscribe()
    async with (
        RedisEvents(redis_url(), hub_api, node="api", prefix=prefix),
        RedisEvents(redis_url(), hub_listener, node="csms", prefix=prefix, receive=False),
    ):
        hub_listener.publish(_boot("ON-LISTENER"))
        assert (await seen_listener.get()).charge_box_id == "ON-LISTENER"
        assert (await asyncio.wait_for(seen_api.get(), 5)).charge_box_id == "ON-LISTENER"
        hub_api.publish(_boot("ON-API"))
        assert (await seen_api.get()).charge_box_id == "ON-API"
        await asyncio.sleep(0.2)  # room for a wrong delivery to the node that does not receive
        assert seen_listener.take() == []


async def test_nodes_on_another_redis_database_do_not_hear_the_events() -> None:
    # Redis has one set of pub/sub channels for all its numbered databases: the channel's
    # name carries the database, or a deployment on redis://host/2 would show the events of
    # one on redis://host/3 in its live stream.
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    here, there = _on_database(redis_url(), 2), _on_database(redis_url(), 3)
    hubs = {name: EventHub() for name in ("a", "b", "c", "d")}
    seen_b, seen_c = hubs["b"].subscribe(), hubs["c"].subscribe()
    async with (
        RedisEvents(here, hubs["a"], node="a", prefix=prefix),
        RedisEvents(here, hubs["b"], node="b", prefix=prefix),
        RedisEvents(there, hubs["c"], node="c", prefix=prefix),
        RedisEvents(there, hubs["d"], node="d", prefix=prefix),
    ):
        hubs["a"].publish(_boot("ON-A"))
        assert (await asyncio.wait_for(seen_b.get(), 5)).charge_box_id == "ON-A"
        # Published after ON-A reached b: had ON-A reached c too, it would come first.
        hubs["d"].publish(_boot("ON-D"))
        assert (await asyncio.wait_for(seen_c.get(), 5)).charge_box_id == "ON-D"


async def test_a_burst_is_relayed_in_order_in_a_few_messages() -> None:
    """A storm's events ride many to a message: the other node gets all of them, in the order
    they were published, and Redis carries a handful of messages, not one per event."""
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    hub_a, hub_b = EventHub(), EventHub()
    seen_b = hub_b.subscribe()
    async with (
        RedisEvents(redis_url(), hub_a, node="a", prefix=prefix) as sender,
        RedisEvents(redis_url(), hub_b, node="b", prefix=prefix),
    ):
        spy = sender._redis.pubsub()
        await spy.subscribe(sender._channel)
        await spy.get_message(timeout=1)  # the subscription's confirmation
        for wave in range(3):
            for n in range(400):
                hub_a.publish(_boot(f"CP-{wave}-{n:03d}"))
            await asyncio.sleep(0)  # the relay runs between the waves
        relayed = [await asyncio.wait_for(seen_b.get(), 5) for _ in range(1200)]
        messages = []
        while (message := await spy.get_message(timeout=0.2)) is not None:
            messages.append(message)
        await spy.aclose()
    expected = [f"CP-{wave}-{n:03d}" for wave in range(3) for n in range(400)]
    assert [event.charge_box_id for event in relayed] == expected
    assert all(event.relayed for event in relayed)
    assert 3 <= len(messages) <= 6  # 500 events a message at most


async def test_a_relayed_event_keeps_its_id_so_every_channel_tells_the_same_event() -> None:
    """The live stream of another node shows the event with the id its own node gave it, the
    id its webhook body carries: a consumer of both de-duplicates on it."""
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    hub_a, hub_b = EventHub(), EventHub()
    seen_b = hub_b.subscribe()
    async with (
        RedisEvents(redis_url(), hub_a, node="a", prefix=prefix),
        RedisEvents(redis_url(), hub_b, node="b", prefix=prefix),
    ):
        published = [_boot(f"ON-A-{n}") for n in range(3)]
        for event in published:
            hub_a.publish(event)
        relayed = [await asyncio.wait_for(seen_b.get(), 5) for _ in published]
    assert [event.as_json() for event in relayed] == [event.as_json() for event in published]
