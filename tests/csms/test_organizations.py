"""The central system serves each station in its organization: Authorize is answered from the
organization's id tags (1.6 section 4.2, 2.0.1 C01), a single-session tag's ConcurrentTx counts
that organization's transactions only, the station's events carry its organization (to its
webhooks and live stream, ``csms/events.py``), and a station registered as it connects joins
the listener's ``register_into`` organization."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect

from chargeyard.csms.events import Event, EventType
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from chargeyard.store.repositories.webhooks import Outgoing
from tests.csms.wire import exchange, url
from tests.polling import until


@pytest.fixture
async def csms(store: Store) -> AsyncIterator[CsmsServer]:
    await store.organizations.ensure("org-a")
    await store.organizations.ensure("org-b")
    await store.stations.register("CP-A", organization_id="org-a")
    await store.stations.register("CP-B", organization_id="org-b")
    # The same card number, issued by each organization to a different driver.
    await store.id_tags.create("CARD-1", status="Accepted", organization_id="org-a")
    await store.id_tags.create("CARD-1", status="Blocked", organization_id="org-b")
    await store.id_tags.create("ONLY-A", organization_id="org-a")
    async with CsmsServer(store, CsmsSettings(port=0, heartbeat_interval=60)) as server:
        yield server


async def _authorize(csms: CsmsServer, identity: str, id_tag: str) -> str:
    async with connect(url(csms, identity), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "a1", "Authorize", {"idTag": id_tag}])
    status: str = answer[2]["idTagInfo"]["status"]
    return status


async def test_c01_authorize_reads_the_station_s_organization_s_tags(csms: CsmsServer) -> None:
    assert await _authorize(csms, "CP-A", "CARD-1") == "Accepted"
    assert await _authorize(csms, "CP-B", "CARD-1") == "Blocked"
    assert await _authorize(csms, "CP-A", "ONLY-A") == "Accepted"
    assert await _authorize(csms, "CP-B", "ONLY-A") == "Invalid"


async def test_c01_authorize_201_reads_the_station_s_organization_s_tags(csms: CsmsServer) -> None:
    token = {"idToken": {"idToken": "ONLY-A", "type": "ISO14443"}}
    for identity, status in (("CP-A", "Accepted"), ("CP-B", "Invalid")):
        async with connect(url(csms, identity), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
            answer = await exchange(websocket, [2, "a1", "Authorize", token])
        assert answer[2]["idTokenInfo"]["status"] == status


async def test_a_station_s_events_carry_its_organization(csms: CsmsServer) -> None:
    with csms.events.subscribe() as subscription:
        for identity in ("CP-A", "CP-B"):
            async with connect(url(csms, identity), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
                await exchange(websocket, [2, "h1", "Heartbeat", {}])
        seen: list[Event] = []

        def four_seen() -> bool:
            seen.extend(subscription.take())
            return len(seen) >= 4

        await until(four_seen)
    owners = {(e.type, e.charge_box_id, e.organization_id) for e in seen}
    assert owners >= {
        (EventType.CHARGER_CONNECTED, "CP-A", "org-a"),
        (EventType.CHARGER_DISCONNECTED, "CP-A", "org-a"),
        (EventType.CHARGER_CONNECTED, "CP-B", "org-b"),
        (EventType.CHARGER_DISCONNECTED, "CP-B", "org-b"),
    }


async def test_a_webhook_is_told_its_organization_s_events_only(store: Store) -> None:
    await store.organizations.ensure("org-b")
    ours = await store.webhooks.create("http://127.0.0.1:9/a", ["*"])
    theirs = await store.webhooks.create("http://127.0.0.1:9/b", ["*"], organization_id="org-b")
    count = await store.webhooks.fan_out(
        [
            Outgoing("charger.connected", "default", {"chargeBoxId": "CP-1"}),
            Outgoing("charger.connected", "org-b", {"chargeBoxId": "CP-B"}),
            Outgoing("charger.connected", "org-c", {"chargeBoxId": "CP-C"}),
        ]
    )
    assert count == 2
    assert [d.payload for d in await store.webhooks.deliveries(ours.id)] == [
        {"chargeBoxId": "CP-1"}
    ]
    assert [d.payload for d in await store.webhooks.deliveries(theirs.id)] == [
        {"chargeBoxId": "CP-B"}
    ]


async def test_an_unknown_station_joins_the_listener_s_organization(store: Store) -> None:
    settings = CsmsSettings(port=0, auto_register=True, register_into="org-open")
    async with CsmsServer(store, settings) as csms:
        assert await store.organizations.get("org-open") is not None
        with csms.events.subscribe() as subscription:
            async with connect(url(csms, "CP-NEW"), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
                await exchange(websocket, [2, "h1", "Heartbeat", {}])
            connected = await subscription.get()
    station = await store.stations.get("CP-NEW")
    assert station is not None
    assert station.organization_id == "org-open"
    assert (connected.type, connected.organization_id) == (EventType.CHARGER_CONNECTED, "org-open")


async def test_a_station_registered_before_it_connects_stays_in_its_organization(
    store: Store,
) -> None:
    # What the gateway does for a simulated charger pointed at the built-in central system:
    # its station is registered in the charger's organization before it ever dials in.
    await store.organizations.ensure("org-b")
    await store.stations.register("CP-B", organization_id="org-b")
    settings = CsmsSettings(port=0, auto_register=True, register_into="org-open")
    async with CsmsServer(store, settings) as csms:
        with csms.events.subscribe() as subscription:
            async with connect(url(csms, "CP-B"), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
                await exchange(websocket, [2, "h1", "Heartbeat", {}])
            connected = await subscription.get()
    station = await store.stations.get("CP-B")
    assert station is not None
    assert station.organization_id == "org-b"
    assert (connected.type, connected.organization_id) == (EventType.CHARGER_CONNECTED, "org-b")
