"""The listener's keepalive over the wire (``transport/keepalive.py``): a station that
answers its pings stays connected; one that stops reading is closed and goes offline."""

from __future__ import annotations

from websockets.asyncio.client import connect

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from tests.csms.wire import url
from tests.polling import until

QUICK = CsmsSettings(port=0, ping_interval=0.05, ping_timeout=0.1)


async def test_a_station_that_answers_its_pings_stays_connected(store: Store) -> None:
    await store.stations.register("CP-1")
    async with (
        CsmsServer(store, QUICK) as csms,
        connect(url(csms), subprotocols=["ocpp1.6"], ping_interval=None),  # type: ignore[list-item]
    ):
        keepalive = csms.keepalive
        assert keepalive is not None
        await until(lambda: keepalive.pings_sent >= 5)

        assert csms.registry.is_connected("CP-1")
        assert keepalive.closed == 0


async def test_a_station_that_answers_nothing_is_closed_and_goes_offline(store: Store) -> None:
    await store.stations.register("CP-1")
    async with (
        CsmsServer(store, QUICK) as csms,
        connect(url(csms), subprotocols=["ocpp1.6"], ping_interval=None) as websocket,  # type: ignore[list-item]
    ):
        await until(lambda: csms.registry.is_connected("CP-1"))
        websocket.transport.pause_reading()  # as a station that lost power: no pong comes

        await until(lambda: not csms.registry.is_connected("CP-1"))
        assert csms.keepalive is not None
        assert csms.keepalive.closed == 1
        websocket.transport.resume_reading()


async def test_without_pings_the_listener_has_no_keepalive(store: Store) -> None:
    async with CsmsServer(store, CsmsSettings(port=0, ping_interval=None)) as csms:
        assert csms.keepalive is None
