"""``/api/v1/events``: the live event stream, served by uvicorn and read with the
``websockets`` client on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from chargeyard.api import ApiSettings
from chargeyard.api.serve import serving
from chargeyard.api.v1.routes import stream
from chargeyard.csms.events import EventHub, EventType
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.protocol import V16, V201
from chargeyard.store import Store
from chargeyard.store.models import ApiKeyRole
from tests.api.apps import api_app
from tests.polling import until
from tests.stack_lab import StackLab

ALL_EVENTS = [event_type.value for event_type in EventType]


class StreamServer:
    """The app over ``store`` and ``hub``, served on a free port."""

    def __init__(self, hub: EventHub, key: str, port: int) -> None:
        self.hub = hub
        self.key = key
        self.port = port

    def url(self, query: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/events" + (f"?{query}" if query else "")

    async def open(self, query: str = "", *, header: bool = True) -> ClientConnection:
        """A connected stream (its first message is the ready notice)."""
        headers = {"X-API-Key": self.key} if header else {}
        return await connect(self.url(query), additional_headers=headers)


async def receive(websocket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(websocket.recv(), 5))
    return message


@pytest.fixture
async def served(store: Store, settings: ApiSettings) -> AsyncIterator[StreamServer]:
    _, key = await store.api_keys.create("tests")
    hub = EventHub()
    with api_app(store, in_process_link(Registry()), settings, events=hub) as app:
        async with serving(app, "127.0.0.1", 0) as port:
            yield StreamServer(hub, key, port)


async def test_stream_with_the_header_key_says_ready_then_sends_each_event(
    served: StreamServer,
) -> None:
    async with await served.open() as websocket:
        assert await receive(websocket) == {
            "event": "stream.ready",
            "events": ALL_EVENTS,
            "chargeBoxIds": None,
        }
        first = served.hub.emit(
            EventType.CHARGER_CONNECTED, "CP-1", organization_id="default", ocppVersion="1.6"
        )
        second = served.hub.emit(EventType.CHARGER_DISCONNECTED, "CP-1", organization_id="default")
        assert await receive(websocket) == first.as_json()
        assert await receive(websocket) == {
            "id": second.id,
            "event": "charger.disconnected",
            "chargeBoxId": "CP-1",
            "timestamp": second.as_json()["timestamp"],
            "data": {},
        }


async def test_stream_takes_the_key_from_the_query_for_browsers(served: StreamServer) -> None:
    async with await served.open(f"apiKey={served.key}", header=False) as websocket:
        assert (await receive(websocket))["event"] == "stream.ready"
        event = served.hub.emit(
            EventType.CHARGER_BOOT, "CP-9", organization_id="default", vendor="V", model="M"
        )
        assert await receive(websocket) == event.as_json()


@pytest.mark.parametrize("query", ["", "apiKey=cy_wrong"])
async def test_stream_without_a_valid_key_is_refused_with_401(
    served: StreamServer, query: str
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await connect(served.url(query))
    response = refused.value.response
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "X-API-Key"
    assert json.loads(response.body or b"") == {"detail": "missing or invalid API key"}
    assert len(served.hub) == 0


async def test_stream_with_a_wrong_header_key_is_refused_even_with_a_query_key(
    served: StreamServer,
) -> None:
    # The header wins: a wrong header is not rescued by a right query parameter.
    with pytest.raises(InvalidStatus) as refused:
        await connect(
            served.url(f"apiKey={served.key}"), additional_headers={"X-API-Key": "cy_wrong"}
        )
    assert refused.value.response.status_code == 401


async def test_stream_filters_by_event_names(served: StreamServer) -> None:
    query = "events=transaction.started,transaction.stopped"
    async with await served.open(query) as websocket:
        ready = await receive(websocket)
        assert ready["events"] == ["transaction.started", "transaction.stopped"]
        served.hub.emit(
            EventType.CHARGER_CONNECTED, "CP-1", organization_id="default", ocppVersion="1.6"
        )
        started = served.hub.emit(
            EventType.TRANSACTION_STARTED, "CP-1", organization_id="default", transactionId="1"
        )
        served.hub.emit(
            EventType.TRANSACTION_UPDATED, "CP-1", organization_id="default", transactionId="1"
        )
        stopped = served.hub.emit(
            EventType.TRANSACTION_STOPPED, "CP-1", organization_id="default", transactionId="1"
        )
        assert await receive(websocket) == started.as_json()
        assert await receive(websocket) == stopped.as_json()


async def test_stream_filters_by_repeated_events_and_by_station(served: StreamServer) -> None:
    query = "events=charger.boot&events=charger.connected&chargeBoxId=CP-2"
    async with await served.open(query) as websocket:
        ready = await receive(websocket)
        assert (ready["events"], ready["chargeBoxIds"]) == (
            ["charger.boot", "charger.connected"],
            ["CP-2"],
        )
        served.hub.emit(
            EventType.CHARGER_CONNECTED, "CP-1", organization_id="default", ocppVersion="1.6"
        )
        served.hub.emit(EventType.CHARGER_DISCONNECTED, "CP-2", organization_id="default")
        wanted = served.hub.emit(
            EventType.CHARGER_CONNECTED, "CP-2", organization_id="default", ocppVersion="2.0.1"
        )
        assert await receive(websocket) == wanted.as_json()


async def test_stream_with_unknown_event_names_explains_and_closes_1008(
    served: StreamServer,
) -> None:
    async with await served.open("events=transaction.started,charger.exploded") as websocket:
        assert await receive(websocket) == {
            "event": "stream.error",
            "detail": "unknown event names: charger.exploded",
            "validEvents": ALL_EVENTS,
        }
        with pytest.raises(ConnectionClosed):
            await websocket.recv()
    assert websocket.close_code == 1008
    assert websocket.close_reason == "unknown event names: charger.exploded"
    assert len(served.hub) == 0


async def test_stream_that_falls_behind_is_told_how_many_it_lost(
    served: StreamServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "SUBSCRIPTION_SIZE", 2)
    async with await served.open() as websocket:
        await receive(websocket)
        # Published in one go (no await between): the stream's queue holds the last two.
        published = [
            served.hub.emit(EventType.CHARGER_BOOT, f"CP-{n}", organization_id="default")
            for n in range(5)
        ]
        assert await receive(websocket) == {"event": "stream.lagged", "dropped": 3}
        assert await receive(websocket) == published[3].as_json()
        assert await receive(websocket) == published[4].as_json()


async def test_stream_ends_its_subscription_when_the_client_leaves(served: StreamServer) -> None:
    websocket = await served.open()
    await receive(websocket)
    assert len(served.hub) == 1
    await websocket.close()
    await until(lambda: len(served.hub) == 0)
    # Publishing afterwards reaches nobody and fails nothing.
    served.hub.emit(EventType.CHARGER_DISCONNECTED, "CP-1", organization_id="default")


async def test_stream_carries_what_a_real_station_does(
    csms_lab: StackLab, settings: ApiSettings
) -> None:
    link, events = csms_lab.csms.link, csms_lab.events
    with api_app(csms_lab.store, link, settings, events=events) as app:
        async with serving(app, "127.0.0.1", 0) as port:
            served = StreamServer(csms_lab.events, csms_lab.key, port)
            async with await served.open("chargeBoxId=CP-1") as websocket:
                await receive(websocket)
                await csms_lab.station("CP-2", V201)  # filtered out
                await csms_lab.station("CP-1", V16)
                messages = [await receive(websocket) for _ in range(4)]
                assert [(m["event"], m["chargeBoxId"]) for m in messages] == [
                    ("charger.connected", "CP-1"),
                    ("charger.boot", "CP-1"),
                    ("connector.status_changed", "CP-1"),
                    ("connector.status_changed", "CP-1"),
                ]
                assert messages[0]["data"] == {"ocppVersion": "1.6"}
                assert messages[1]["data"]["status"] == "Accepted"
                assert [m["data"]["connectorId"] for m in messages[2:]] == [0, 1]
                assert messages[0]["id"] < messages[1]["id"] < messages[2]["id"]


async def test_stream_is_closed_when_the_server_stops(store: Store, settings: ApiSettings) -> None:
    _, key = await store.api_keys.create("tests")
    hub = EventHub()
    with api_app(store, in_process_link(Registry()), settings, events=hub) as app:
        async with serving(app, "127.0.0.1", 0) as port:
            websocket = await StreamServer(hub, key, port).open()
            await receive(websocket)
    # uvicorn's shutdown closes the socket (1012, service restart): the stream ends with it.
    await asyncio.wait_for(websocket.wait_closed(), 5)
    assert websocket.close_code == 1012
    assert len(hub) == 0


async def test_a_stream_shows_its_organization_s_stations_only(
    served: StreamServer, store: Store
) -> None:
    await store.organizations.ensure("org-b")
    _, b_key = await store.api_keys.create("b", organization_id="org-b")
    _, platform_key = await store.api_keys.create("ops", ApiKeyRole.PLATFORM, organization_id="ops")
    as_b = StreamServer(served.hub, b_key, served.port)
    as_platform = StreamServer(served.hub, platform_key, served.port)
    async with (
        await as_b.open() as b_stream,
        await as_platform.open("organizationId=default") as platform_stream,
        await served.open() as default_stream,
    ):
        for websocket in (b_stream, platform_stream, default_stream):
            await receive(websocket)
        ours = served.hub.emit(EventType.CHARGER_BOOT, "CP-A", organization_id="default")
        theirs = served.hub.emit(EventType.CHARGER_BOOT, "CP-B", organization_id="org-b")
        assert await receive(default_stream) == ours.as_json()
        assert await receive(platform_stream) == ours.as_json()
        assert await receive(b_stream) == theirs.as_json()  # and not CP-A's before it


async def test_a_stream_of_another_organization_is_refused(
    served: StreamServer, store: Store
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await served.open("organizationId=org-b")
    assert refused.value.response.status_code == 403
    _, platform_key = await store.api_keys.create("ops", ApiKeyRole.PLATFORM, organization_id="ops")
    with pytest.raises(InvalidStatus) as missing:
        await StreamServer(served.hub, platform_key, served.port).open("organizationId=org-none")
    assert missing.value.response.status_code == 404
    assert json.loads(missing.value.response.body) == {
        "detail": "organization 'org-none' not found"
    }
