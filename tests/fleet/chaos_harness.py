"""One harness for the chaos tests: a station of ours run on a real socket against a central
system on 127.0.0.1, the frames that central system received (its own log: what crossed the
wire), and the times on the loop's clock (the tests run on the virtual-time loop)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson

from chargeyard.csms.server import CsmsServer
from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.protocol import V16, VersionSpec
from chargeyard.station.model.states import Registration
from tests.polling import until
from tests.station.wall_clock import wall_clock_station

TEMPLATE = "alfen-eve-single-pro-line"
FAST = ReconnectPolicy(initial=0.5, factor=2.0, ceiling=2.0)


def now() -> float:
    return asyncio.get_running_loop().time()


def accepted(runtime: StationRuntime) -> bool:
    return runtime.station.registration is Registration.ACCEPTED and runtime.connected


def quiet(runtime: StationRuntime) -> bool:
    """Nothing of the station's waits for an answer or its turn."""
    station = runtime.station
    return station.awaiting_answers == 0 and len(station.transaction_queue) == 0


@contextlib.asynccontextmanager
async def station_on(
    port: int,
    identity: str = "CP-1",
    version: VersionSpec = V16,
    *,
    boot: bool = True,
    **options: Any,
) -> AsyncIterator[StationRuntime]:
    """A station connected to ``ws://127.0.0.1:{port}/ocpp/{identity}``, booted when ``boot``."""
    station = wall_clock_station(identity, TEMPLATE, version)
    runtime = StationRuntime(
        station, f"ws://127.0.0.1:{port}/ocpp/{identity}", reconnect=FAST, **options
    )
    if boot:
        runtime.start()
        await until(lambda: accepted(runtime), within=60)
        await until(lambda: quiet(runtime), within=60)  # the boot's reports answered
    try:
        yield runtime
    finally:
        await runtime.stop()


async def received(csms: CsmsServer, identity: str = "CP-1") -> list[list[Any]]:
    """The OCPP messages the central system received from the station, in order (its frame
    log: what reached it over the wire)."""
    await csms.frame_log.flush()
    frames = await csms.store.frames.list(identity, limit=1000)
    return [orjson.loads(frame.text) for frame in frames if frame.direction == "incoming"]


def calls(messages: list[list[Any]], action: str | None = None) -> list[list[Any]]:
    return [m for m in messages if m[0] == 2 and (action is None or m[2] == action)]


def exchanges(runtime: StationRuntime, action: str) -> list[tuple[float, float | None]]:
    """Each CALL of ``action`` the station sent (its own log, on the loop's clock): when it
    was written, and when its answer was read (None: not yet)."""
    sent: dict[str, float] = {}
    answered: dict[str, float] = {}
    for at, marker, text in runtime.station.frame_log.entries():
        if marker not in (">>", "<<"):
            continue  # an event the station noted, not a frame
        message = orjson.loads(text)
        if marker == ">>" and message[0] == 2 and message[2] == action:
            sent[message[1]] = at.timestamp()
        elif marker == "<<" and message[0] in (3, 4) and message[1] in sent:
            answered.setdefault(message[1], at.timestamp())
    return [(at, None if i not in answered else answered[i] - at) for i, at in sent.items()]


async def round_trip(runtime: StationRuntime, action: str = "Heartbeat") -> float:
    """Seconds from a Heartbeat the station sends now to its answer, on the loop's clock."""
    before = len(exchanges(runtime, action))
    runtime.station.trigger_here(action)  # type: ignore[attr-defined]

    def answered() -> bool:
        done = exchanges(runtime, action)
        return len(done) > before and done[-1][1] is not None

    await until(answered, within=300)
    took = exchanges(runtime, action)[-1][1]
    assert took is not None
    return took
