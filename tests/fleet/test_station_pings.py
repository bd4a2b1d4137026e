"""A simulated station keeps its connection alive as a charger does (OCPP-J 1.6 section 5.3,
OCPP 2.0.1 part 4 section 5.3): after WebSocketPingInterval seconds without a byte from the
central system it pings it, and a central system that sends nothing back by the next interval
is taken for gone: the station drops the connection and dials again (``fleet/link.py``).

The central system here is a raw one on 127.0.0.1 that answers the BootNotification and
either answers pings (as every WebSocket server does) or, once the boot is answered, goes
silent: a link dead without a FIN."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import MappingProxyType

import orjson
import pytest
from websockets.frames import Opcode
from websockets.protocol import Protocol, Side, State
from websockets.utils import accept_key

from chargeyard.fleet.chaos.faults import HalfOpen
from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import SystemClock
from chargeyard.station.model.states import Registration
from chargeyard.station.v16 import StationV16
from chargeyard.station.v201 import StationV201
from tests.polling import until
from tests.station.wire_csms import NOW

FAST = ReconnectPolicy(initial=0.05, factor=2.0, ceiling=0.2)
TEMPLATE = "alfen-eve-single-pro-line"


@dataclass
class RawCsms:
    """Answers the upgrade and the BootNotification (Accepted, heartbeats every 300 s), every
    other CALL with ``{}``; with ``answers_pings`` False, nothing after the boot's answer."""

    answers_pings: bool
    connections: int = 0
    pings: int = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        request = await reader.readuntil(b"\r\n\r\n")
        key = next(
            line.split(b":", 1)[1].strip().decode()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept_key(key)}\r\n".encode()
            + b"Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n"
        )
        ws = Protocol(Side.SERVER, state=State.OPEN)
        booted = False
        while data := await reader.read(4096):
            ws.receive_data(data)
            answers = []
            for event in ws.events_received():
                if event.opcode is Opcode.PING:
                    self.pings += 1
                elif event.opcode is Opcode.TEXT:
                    message = orjson.loads(event.data)
                    if message[0] != 2:
                        continue
                    answer = (
                        {}
                        if message[2] != "BootNotification"
                        else {
                            "status": "Accepted",
                            "currentTime": NOW,
                            "interval": 300,
                        }
                    )
                    answers.append(orjson.dumps([3, message[1], answer]))
            queued = b"".join(ws.data_to_send())  # the protocol's own pongs
            if self.answers_pings:
                writer.write(queued)
            if self.answers_pings or not booted:
                for answer in answers:
                    ws.send_text(answer)
                    booted = booted or b'"Accepted"' in answer
                writer.write(b"".join(ws.data_to_send()))
        writer.close()


def pinging_station(seconds: int) -> StationV16:
    template = load_catalog().template(TEMPLATE)
    configuration = {**template.default_configuration, "WebSocketPingInterval": str(seconds)}
    template = dataclasses.replace(template, default_configuration=MappingProxyType(configuration))
    return StationV16("CP-1", template, clock=SystemClock())


@contextlib.asynccontextmanager
async def pinging(csms: RawCsms, seconds: int) -> AsyncIterator[StationRuntime]:
    """A station pinging after ``seconds`` of silence, running against ``csms``. Where the
    pongs must come in time, 2 s: a pong is late only if this process stalls that long."""
    server = await asyncio.start_server(csms.serve, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        url = f"ws://127.0.0.1:{port}/CP-1"
        runtime = StationRuntime(pinging_station(seconds), url, reconnect=FAST, close_timeout=0.1)
        runtime.start()
        try:
            yield runtime
        finally:
            await runtime.stop()


async def test_a_silent_connection_is_pinged_and_kept_while_the_pongs_come() -> None:
    csms = RawCsms(answers_pings=True)
    async with pinging(csms, 2) as runtime:
        await until(lambda: csms.pings >= 2, within=15)
        # Nothing but pongs came since the boot's answers: the station stayed connected.
        assert (csms.connections, runtime.stats.disconnects) == (1, 0)
        assert runtime.station.connected


async def test_a_central_system_that_answers_no_ping_is_dropped_and_dialled_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="chargeyard.fleet.link")
    csms = RawCsms(answers_pings=False)
    async with pinging(csms, 1) as runtime:
        # Pinged after a second of silence, dropped a second later, then dialled again.
        await until(lambda: csms.connections >= 2, within=10)
        assert csms.pings >= 1
        assert runtime.stats.disconnects >= 1
    assert "CP-1: no answer to its WebSocket ping within 1 s" in caplog.text


async def test_a_half_open_fault_is_left_for_the_central_system_to_find() -> None:
    """While the station reads nothing (chaos half_open), no pong can reach it: its keepalive
    waits for the fault's end instead of dropping the connection (docs/chaos.md)."""
    csms = RawCsms(answers_pings=True)
    async with pinging(csms, 2) as runtime:
        await until(lambda: runtime.station.registration is Registration.ACCEPTED)
        chaos = runtime.apply_chaos([HalfOpen(for_s=5)], seed=1)
        await until(lambda: not chaos.half_open, within=10)
        pinged = csms.pings
        await until(lambda: csms.pings > pinged, within=15)  # pinging again after it
        assert (csms.connections, runtime.stats.disconnects) == (1, 0)


def test_the_interval_is_the_key_or_the_variable_and_zero_sends_none() -> None:
    assert pinging_station(0).websocket_ping_interval() == 0
    assert pinging_station(45).websocket_ping_interval() == 45
    template = load_catalog().template(TEMPLATE)
    clock = SystemClock()
    assert StationV16("CP-1", template, clock=clock).websocket_ping_interval() == 60  # catalog
    station = StationV201("CP-2", template, clock=clock)
    assert station.websocket_ping_interval() == 60  # OCPPCommCtrlr's default
    variable = station.device_model.variable("OCPPCommCtrlr", "WebSocketPingInterval")
    assert variable is not None
    variable.value = "0"
    assert station.websocket_ping_interval() == 0
