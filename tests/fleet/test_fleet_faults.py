"""A fleet whose central system breaks its connections at every moment of the boot (a CSMS
that restarts, a load balancer that resets, a node that dies mid-frame) ends with every
station connected and booted: no station is left waiting for a connection it will never
dial. On both event loops: the fleets of ``benchmarks/scale.py`` run on uvloop."""

from __future__ import annotations

import asyncio
import contextlib
import random

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from chargeyard.fleet.fleet import Fleet
from chargeyard.fleet.runtime import ReconnectPolicy
from tests.polling import until
from tests.station.wire_csms import WireCsms

TEMPLATE = "alfen-eve-single-pro-line"
STATIONS = 200
FAULTS = (
    "reset in the handshake",
    "reset once open",
    "close once open",
    "reset after a message arrived",
    "close after a message was answered",
    "reset in the middle of a frame",
)


class BreakingCsms(WireCsms):
    """Breaks each station's first connections, each in a way drawn from :data:`FAULTS`, and
    serves the later ones as a CSMS should."""

    def __init__(self, faults_per_station: int, seed: int) -> None:
        super().__init__(interval=300)
        self.faults_per_station = faults_per_station
        self.rng = random.Random(seed)
        self.faults: dict[str, list[str]] = {}
        self.pending: dict[ServerConnection, str | None] = {}  # a handshake's fault, for _serve

    def _fault(self, identity: str) -> str | None:
        done = self.faults.setdefault(identity, [])
        if len(done) >= self.faults_per_station:
            return None
        fault = self.rng.choice(FAULTS)
        done.append(fault)
        return fault

    async def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        identity = request.path.rsplit("/", 1)[-1]
        fault = self._fault(identity)
        if fault == "reset in the handshake":
            connection.transport.abort()
            return None
        self.pending[connection] = fault
        return await super()._process_request(connection, request)

    async def _serve(self, websocket: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):  # (the station stopped at the test's end)
            await self._serve_breaking(websocket)

    async def _serve_breaking(self, websocket: ServerConnection) -> None:
        fault = self.pending.pop(websocket, None)
        if fault == "reset once open":
            websocket.transport.abort()
        elif fault == "close once open":
            await websocket.close(1012, "service restart")
        elif fault == "reset after a message arrived":
            await self._first_message(websocket)
            websocket.transport.abort()
        elif fault == "close after a message was answered":
            identity = self._identity(websocket)
            before = len(self.actions(identity))
            serving = asyncio.ensure_future(super()._serve(websocket))
            with contextlib.suppress(TimeoutError):  # (a station booted before may say nothing)
                await until(lambda: len(self.actions(identity)) > before, within=0.5)
            await websocket.close(1012, "service restart")
            await serving
        elif fault == "reset in the middle of a frame":
            await self._first_message(websocket)
            websocket.transport.write(b"\x81\x7e\x01\x00[3,")  # a 256-byte frame, cut short
            websocket.transport.abort()
        else:
            await super()._serve(websocket)

    @staticmethod
    async def _first_message(websocket: ServerConnection) -> None:
        """The station's first message, or half a second (a station booted on an earlier
        connection may say nothing for minutes)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(websocket.recv(), 0.5)

    @staticmethod
    def _identity(websocket: ServerConnection) -> str:
        assert websocket.request is not None
        return websocket.request.path.rsplit("/", 1)[-1]


async def test_every_station_boots_through_a_csms_that_breaks_connections_in_the_boot() -> None:
    async with BreakingCsms(faults_per_station=3, seed=7) as csms:
        fleet = Fleet(
            connect_limit=20, reconnect=ReconnectPolicy(initial=0.01, ceiling=0.05), seed=3
        )
        fleet.add(TEMPLATE, STATIONS, csms_url=csms.url("").rstrip("/"))
        fleet.start_all()
        try:
            async with asyncio.timeout(60):
                await fleet.wait_booted()
            # Every station had its three breaks, and is connected after the last.
            await until(lambda: self_healed(csms, fleet), within=30)
        finally:
            status = fleet.status()
            stuck = [
                (identity, fleet.station_status(identity).connection)
                for identity in fleet.identities()
                if fleet.station_status(identity).connection != "open"
            ]
            await fleet.stop_all()
        assert stuck == []
        assert status.booted == STATIONS
        faults = [fault for done in csms.faults.values() for fault in done]
        assert set(faults) == set(FAULTS)  # each kind of break happened


def self_healed(csms: BreakingCsms, fleet: Fleet) -> bool:
    broken = sum(len(done) for done in csms.faults.values())
    return broken == 3 * STATIONS and fleet.status().connected == STATIONS
