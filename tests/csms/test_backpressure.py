"""Backpressure on new connections: while the oldest station message in the listener's work
queue has waited longer than the gate allows, new handshakes are held until it catches up, and
refused with 503 and Retry-After if it does not within the hold."""

from __future__ import annotations

import asyncio
import functools

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from chargeyard.csms import server as server_module
from chargeyard.csms.backpressure import ConnectionGate
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from chargeyard.transport.scheduler import WorkQueue
from tests.csms.wire import url
from tests.protocol.support import FakeClock


async def _behind(clock: FakeClock, seconds: float) -> tuple[WorkQueue, asyncio.Event]:
    """A running queue whose one slot is taken, with a message that has waited ``seconds``;
    setting the event frees the slot, and the message starts."""
    queue = WorkQueue(max_active=1, clock=clock)
    await queue.start()
    release = asyncio.Event()
    queue.submit(lambda: asyncio.create_task(release.wait()))
    queue.submit(lambda: None)
    await asyncio.sleep(0)  # the queue starts the first; the second waits for its slot
    clock.advance(seconds)
    return queue, release


async def test_a_connection_goes_on_at_once_while_the_queue_keeps_up() -> None:
    clock = FakeClock()
    queue, release = await _behind(clock, 2.0)
    gate = ConnectionGate(queue, backlog_s=5.0, hold_s=10.0, clock=clock)
    assert queue.backlog_s == 2.0
    assert await gate.admit() is None
    assert (gate.held, gate.refused) == (0, 0)
    release.set()
    await queue.stop()


async def test_a_connection_is_held_until_the_queue_catches_up() -> None:
    clock = FakeClock()
    queue, release = await _behind(clock, 8.0)
    gate = ConnectionGate(queue, backlog_s=5.0, hold_s=10.0, tick_s=0.001, clock=clock)
    admission = asyncio.create_task(gate.admit())
    for _ in range(5):
        await asyncio.sleep(0.002)
    assert not admission.done()  # held: the queue is 8 s behind
    release.set()  # the waiting message starts: nothing has waited since
    assert await asyncio.wait_for(admission, 5) is None
    assert (gate.held, gate.refused, queue.backlog_s) == (1, 0, 0.0)
    await gate.close()
    await queue.stop()


async def test_a_connection_held_past_the_hold_is_refused_with_when_to_come_back() -> None:
    clock = FakeClock()
    queue, release = await _behind(clock, 7.5)
    gate = ConnectionGate(queue, backlog_s=5.0, hold_s=0.02, tick_s=0.001, clock=clock)
    held = [asyncio.create_task(gate.admit()) for _ in range(3)]
    assert await asyncio.gather(*held) == [8, 8, 8]  # seconds: the backlog, rounded up
    assert (gate.held, gate.refused) == (3, 3)
    release.set()
    await gate.close()
    await queue.stop()


async def test_the_listener_answers_503_with_retry_after_while_behind(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A node always behind (no backlog is under -1 s), whose gate holds for 20 ms: a real
    # backlog needs hundreds of stations' messages waiting at once.
    monkeypatch.setattr(
        server_module, "ConnectionGate", functools.partial(ConnectionGate, hold_s=0.02)
    )
    await store.stations.register("CP-1")
    async with CsmsServer(store, CsmsSettings(port=0, backlog_s=-1.0)) as csms:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url(csms), subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
                pass
    assert refused.value.response.status_code == 503
    assert refused.value.response.headers["Retry-After"] == "1"
    assert b"behind" in refused.value.response.body


async def test_a_listener_without_backpressure_lets_every_handshake_in(store: Store) -> None:
    await store.stations.register("CP-1")
    settings = CsmsSettings(port=0, backlog_s=None)
    async with (
        CsmsServer(store, settings) as csms,
        connect(
            url(csms),
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        ) as websocket,
    ):
        assert websocket.subprotocol == "ocpp1.6"
