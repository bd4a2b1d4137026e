"""MeterValues round trips per second and memory per connection, over real WebSockets: chargeyard's
core next to its ceiling and next to the ``ocpp`` library, in one run.

Usage::

    python benchmarks/roundtrips.py [--connections 1000] [--duration 10] [--warmup 2]
                                    [--rounds 1] [--only raw,chargeyard,ocpp-lib] [--json PATH]

Method
------
Three implementations carry the same traffic:

* ``raw``, the ceiling: websockets + orjson and no validation. The client sends
  ``[2, "<counter>", "MeterValues", {...}]``, the server answers ``[3, id, {}]``, the client
  checks the id.
* ``chargeyard``: :class:`~chargeyard.transport.OcppConnection` at both ends, validation on: each
  side checks the request and the answer against the official 1.6 schemas.
* ``ocpp-lib``: the ``ocpp`` package's 1.6 ``ChargePoint`` at both ends with its default
  validation (jsonschema, in a thread pool): what a Python user picks today.

For each, a server process listens on 127.0.0.1 and a client process opens N connections, at most
100 handshakes at a time. Every connection in all three uses the same ``websockets`` options:
subprotocol ``ocpp1.6`` and ``compression=None`` (permessage-deflate is on by default and would
dominate the cost). The payload is the same MeterValues.req for all three. When every connection
is open, each loops: send a CALL, await its CALLRESULT. After the warm-up, the round trips
completed in the window are counted on the client and divided by the window's length. With
``--rounds``, the implementations take turns that many times and each one's median run is shown.

RSS per connection, per process: (VmRSS at the end of the window, N connections open and busy)
minus (VmRSS before connecting), over N. Before the "before" reading, one connection makes one
round trip and closes, so one-off costs (compiling schemas, a pool's first thread) are not charged
per connection. CPU is each process's CPU time over the window, as a share of one core; "other"
is what the rest of the machine used meanwhile (if it is high, the figures are low).

This process only coordinates: it starts the two processes, samples the server whenever the client
marks a moment, and prints. The children ignore Ctrl-C, are stopped by this process on every exit
path, and die with it if it is killed (PR_SET_PDEATHSIG). Linux only (/proc, prctl).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import multiprocessing
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol

import orjson
from _children import become_child, machine_busy_seconds, receive, start_child, stop_child
from ocpp import routing as ocpp_routing
from ocpp.v16 import ChargePoint as OcppLibChargePoint
from ocpp.v16 import call as ocpp_call
from ocpp.v16 import call_result as ocpp_call_result
from ocpp.v16.datatypes import MeterValue, SampledValue
from ocpp.v16.enums import Action, Measurand, UnitOfMeasure
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from chargeyard.protocol import V16, ActionHandlers, Payload, Role, on
from chargeyard.transport import OcppConnection

HOST = "127.0.0.1"
SUBPROTOCOL = Subprotocol("ocpp1.6")
HANDSHAKES_AT_ONCE = 100
TARGETS = {"raw": 0.5, "ocpp-lib": 4.0}  # chargeyard's round trips/s over theirs
OTHER_CPU_WARNING = 0.10  # share of one core used by other processes while counting

# A station in a transaction reporting one sample of the four usual measurands.
PAYLOAD: Payload = {
    "connectorId": 1,
    "transactionId": 4242,
    "meterValue": [
        {
            "timestamp": "2025-06-01T12:00:00Z",
            "sampledValue": [
                {"value": "12345.6", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "7360.0", "measurand": "Power.Active.Import", "unit": "W"},
                {"value": "32.0", "measurand": "Current.Import", "unit": "A"},
                {"value": "230.0", "measurand": "Voltage", "unit": "V"},
            ],
        }
    ],
}


# -- the three implementations ---------------------------------------------------------------


class Station(Protocol):
    """One client connection's side of the traffic."""

    async def round_trip(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class Implementation:
    name: str
    central: Callable[[ServerConnection], Awaitable[None]]  # the server's connection handler
    station: Callable[[ClientConnection], Station]


async def _raw_central(websocket: ServerConnection) -> None:
    async for message in websocket:
        unique_id = orjson.loads(message)[1]
        await websocket.send(orjson.dumps([3, unique_id, {}]), text=True)


class _RawStation:
    """Takes the next frame as the answer: right only for a ceiling with one call in flight and a
    server that only answers (a real station matches answers by id)."""

    def __init__(self, websocket: ClientConnection) -> None:
        self._websocket = websocket
        self._ids = itertools.count(1)

    async def round_trip(self) -> None:
        unique_id = str(next(self._ids))
        await self._websocket.send(orjson.dumps([2, unique_id, "MeterValues", PAYLOAD]), text=True)
        answer = orjson.loads(await self._websocket.recv())
        if answer[1] != unique_id:
            raise RuntimeError(f"answer {answer!r} does not match CALL {unique_id}")

    async def stop(self) -> None:
        pass


class _ChargeyardCentral(ActionHandlers):
    @on("MeterValues")
    def meter_values(self, payload: Payload) -> Payload:
        return {}  # MeterValues.conf has no fields in OCPP 1.6


async def _chargeyard_central(websocket: ServerConnection) -> None:
    handlers = _ChargeyardCentral().handlers()
    await OcppConnection(websocket, V16, Role.CENTRAL_SYSTEM, handlers).run()


class _ChargeyardStation:
    def __init__(self, websocket: ClientConnection) -> None:
        self._connection = OcppConnection(websocket, V16, Role.STATION)
        self._reader = asyncio.create_task(self._connection.run())

    async def round_trip(self) -> None:
        await self._connection.call("MeterValues", PAYLOAD)

    async def stop(self) -> None:
        await self._connection.close()
        await self._reader


class _OcppLibCentral(OcppLibChargePoint):
    @ocpp_routing.on(Action.meter_values)
    def on_meter_values(self, **payload: Any) -> ocpp_call_result.MeterValues:
        return ocpp_call_result.MeterValues()


async def _ocpp_lib_central(websocket: ServerConnection) -> None:
    with contextlib.suppress(ConnectionClosed):  # start() reads until the socket closes
        await _OcppLibCentral("central", websocket).start()


def _ocpp_lib_request() -> ocpp_call.MeterValues:
    """PAYLOAD as the library's dataclasses; it puts the same JSON on the wire."""
    meter_values = [
        MeterValue(
            timestamp=reading["timestamp"],
            sampled_value=[
                SampledValue(
                    s["value"], measurand=Measurand(s["measurand"]), unit=UnitOfMeasure(s["unit"])
                )
                for s in reading["sampledValue"]
            ],
        )
        for reading in PAYLOAD["meterValue"]
    ]
    return ocpp_call.MeterValues(PAYLOAD["connectorId"], meter_values, PAYLOAD["transactionId"])


class _OcppLibStation:
    def __init__(self, websocket: ClientConnection) -> None:
        self._charge_point = OcppLibChargePoint("station", websocket)
        self._reader = asyncio.create_task(self._charge_point.start())
        self._request = _ocpp_lib_request()

    async def round_trip(self) -> None:
        answer = await self._charge_point.call(self._request)
        # call() returns None for a CALLERROR: it must not count as a round trip.
        if not isinstance(answer, ocpp_call_result.MeterValues):
            raise RuntimeError(f"MeterValues answered {answer!r}")

    async def stop(self) -> None:
        self._reader.cancel()
        await asyncio.wait([self._reader])


IMPLEMENTATIONS = {
    impl.name: impl
    for impl in (
        Implementation("raw", _raw_central, _RawStation),
        Implementation("chargeyard", _chargeyard_central, _ChargeyardStation),
        Implementation("ocpp-lib", _ocpp_lib_central, _OcppLibStation),
    )
}


# -- what each child process measures about itself -------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    rss_kib: int
    cpu_seconds: float


def _sample() -> Sample:
    with open("/proc/self/status", encoding="ascii") as status:
        rss = next(line for line in status if line.startswith("VmRSS:"))
    return Sample(int(rss.split()[1]), time.process_time())


# -- the server process ----------------------------------------------------------------------


def _server_main(name: str, pipe: Connection) -> None:
    become_child()
    asyncio.run(_serve(IMPLEMENTATIONS[name], pipe))


async def _serve(impl: Implementation, pipe: Connection) -> None:
    """Serve until told to stop (or the coordinator goes away); answer "sample" requests."""
    stopped = asyncio.Event()

    def on_request() -> None:
        try:
            request = pipe.recv()
        except EOFError:
            request = "stop"
        if request == "sample":
            pipe.send(_sample())
        else:
            stopped.set()

    loop = asyncio.get_running_loop()
    async with serve(
        impl.central, HOST, 0, subprotocols=[SUBPROTOCOL], compression=None, backlog=1024
    ) as server:
        pipe.send(server.sockets[0].getsockname()[1])
        loop.add_reader(pipe.fileno(), on_request)
        try:
            await stopped.wait()
        finally:
            loop.remove_reader(pipe.fileno())


# -- the client process ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    connections: int
    duration: float
    warmup: float


@dataclass(frozen=True, slots=True)
class ClientReport:
    round_trips: int
    seconds: float
    samples: tuple[Sample, Sample, Sample]  # before connecting, window start, window end


def _client_main(name: str, port: int, plan: Plan, pipe: Connection) -> None:
    become_child()
    url = f"ws://{HOST}:{port}/bench"
    pipe.send(asyncio.run(_drive(IMPLEMENTATIONS[name], url, plan, pipe)))


def _connect(url: str) -> connect:
    return connect(url, subprotocols=[SUBPROTOCOL], compression=None)


def _mark(pipe: Connection) -> Sample:
    """Sample this process, and have the coordinator sample the server now.

    Blocks the event loop for the pipe's round trip (well under a millisecond), on purpose: the
    moment is the same for both processes.
    """
    sample = _sample()
    pipe.send("mark")
    pipe.recv()
    return sample


async def _drive(impl: Implementation, url: str, plan: Plan, pipe: Connection) -> ClientReport:
    async with _connect(url) as websocket:  # warm one-off caches before the first reading
        station = impl.station(websocket)
        await station.round_trip()
        await station.stop()
    before = _mark(pipe)
    fleet = _Fleet(plan.connections)
    loop = asyncio.get_running_loop()
    async with asyncio.TaskGroup() as group:
        for _ in range(plan.connections):
            group.create_task(fleet.run_station(impl, url))
        await fleet.all_open.wait()
        fleet.go.set()
        await asyncio.sleep(plan.warmup)
        start = _mark(pipe)
        first_count, first_time = fleet.round_trips, loop.time()
        await asyncio.sleep(plan.duration)
        last_count, last_time = fleet.round_trips, loop.time()
        end = _mark(pipe)
        fleet.stopping = True
    return ClientReport(last_count - first_count, last_time - first_time, (before, start, end))


class _Fleet:
    """What the client's stations share: when to start and stop, and the round trips so far."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._open = 0
        self._handshakes = asyncio.Semaphore(HANDSHAKES_AT_ONCE)
        self.all_open = asyncio.Event()
        self.go = asyncio.Event()
        self.stopping = False
        self.round_trips = 0

    async def run_station(self, impl: Implementation, url: str) -> None:
        async with self._handshakes:
            websocket = await _connect(url)
        async with websocket:
            station = impl.station(websocket)
            self._open += 1
            if self._open == self._size:
                self.all_open.set()
            await self.go.wait()
            while not self.stopping:
                await station.round_trip()
                self.round_trips += 1
            await station.stop()


# -- the coordinator -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    implementation: str
    connections: int
    round_trips: int
    seconds: float
    round_trips_per_second: float
    server_rss_kib_per_connection: float
    client_rss_kib_per_connection: float
    server_cpu: float  # share of one core over the window
    client_cpu: float
    other_cpu: float  # the rest of the machine


def measure(name: str, plan: Plan) -> Result:
    """Run one implementation's server and client processes and collect their figures."""
    context = multiprocessing.get_context("spawn")
    timeout = plan.warmup + plan.duration + 120.0
    processes: list[BaseProcess] = []
    try:
        server, server_pipe = start_child(context, _server_main, (name,), f"{name}-server")
        processes.append(server)
        port = receive(server_pipe, server, timeout)
        client, client_pipe = start_child(
            context, _client_main, (name, port, plan), f"{name}-client"
        )
        processes.append(client)
        server_samples: list[Sample] = []
        machine_busy: list[float] = []
        while (message := receive(client_pipe, client, timeout)) == "mark":
            server_pipe.send("sample")
            server_samples.append(receive(server_pipe, server, timeout))
            machine_busy.append(machine_busy_seconds())
            client_pipe.send("ok")
        server_pipe.send("stop")
        return _result(name, plan, message, server_samples, machine_busy)
    except BaseException:  # an error or Ctrl-C: no grace period for the children
        for process in processes:
            process.terminate()
        raise
    finally:
        for process in reversed(processes):
            stop_child(process)


def _result(
    name: str, plan: Plan, report: ClientReport, server: list[Sample], machine_busy: list[float]
) -> Result:
    """Figures from the three marks: before connecting, window start, window end."""
    client, seconds = report.samples, report.seconds

    def rss_per_connection(samples: Sequence[Sample]) -> float:
        return (samples[2].rss_kib - samples[0].rss_kib) / plan.connections

    def cpu(samples: Sequence[Sample]) -> float:
        return (samples[2].cpu_seconds - samples[1].cpu_seconds) / seconds

    machine_cpu = (machine_busy[2] - machine_busy[1]) / seconds
    return Result(
        implementation=name,
        connections=plan.connections,
        round_trips=report.round_trips,
        seconds=seconds,
        round_trips_per_second=report.round_trips / seconds,
        server_rss_kib_per_connection=rss_per_connection(server),
        client_rss_kib_per_connection=rss_per_connection(client),
        server_cpu=cpu(server),
        client_cpu=cpu(client),
        other_cpu=max(0.0, machine_cpu - cpu(server) - cpu(client)),
    )


# -- reporting -------------------------------------------------------------------------------


def _environment() -> dict[str, str]:
    packages = ("websockets", "orjson", "ocpp", "jsonschema", "jsonschema-rs")
    return {
        "cores": str(len(os.sched_getaffinity(0))),
        "python": sys.version.split()[0],
        **{package: version(package) for package in packages},
    }


def _median(runs: Sequence[Result]) -> Result:
    """The run with the median rate (the lower middle one of an even number)."""
    return sorted(runs, key=lambda run: run.round_trips_per_second)[(len(runs) - 1) // 2]


def _table(runs: dict[str, list[Result]]) -> list[str]:
    lines = [
        f"{'impl':<12}{'round trips/s':>15}{'server RSS/conn':>18}{'client RSS/conn':>18}"
        f"{'server CPU':>12}{'client CPU':>12}{'other CPU':>11}"
    ]
    for name, results in runs.items():
        r = _median(results)
        lines.append(
            f"{name:<12}{r.round_trips_per_second:>15.0f}"
            f"{r.server_rss_kib_per_connection:>14.1f} KiB"
            f"{r.client_rss_kib_per_connection:>14.1f} KiB"
            f"{r.server_cpu:>12.0%}{r.client_cpu:>12.0%}{r.other_cpu:>11.0%}"
        )
    if any(len(results) > 1 for results in runs.values()):
        lines += ["", "round trips/s in each round (the table shows each one's median run):"]
        for name, results in runs.items():
            rates = "".join(f"{r.round_trips_per_second:>8.0f}" for r in results)
            lines.append(f"{name:<12}{rates}")
    return lines


def _ratios(runs: dict[str, list[Result]]) -> dict[str, float | None]:
    """chargeyard's median rate over each baseline's; None where a column was not measured."""
    rate = {name: _median(results).round_trips_per_second for name, results in runs.items()}
    measured = set(rate)
    return {
        f"chargeyard/{base}": rate["chargeyard"] / rate[base]
        if {"chargeyard", base} <= measured
        else None
        for base in TARGETS
    }


def _ratio_lines(ratios: dict[str, float | None]) -> list[str]:
    lines = []
    for (label, value), target in zip(ratios.items(), TARGETS.values(), strict=True):
        if value is None:
            lines.append(f"{label:<20}= n/a (needs both columns)")
        else:
            verdict = "met" if value >= target else "MISSED"
            lines.append(f"{label:<20}= {value:.2f} (target >= {target:g}: {verdict})")
    return lines


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds counted")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before counting")
    parser.add_argument("--rounds", type=int, default=1, help="turns each implementation takes")
    parser.add_argument("--only", default=",".join(IMPLEMENTATIONS), help="comma-separated")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write results as JSON")
    args = parser.parse_args(argv)
    if min(args.connections, args.rounds) < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("need --connections, --rounds >= 1, --duration > 0 and --warmup >= 0")
    chosen = set(args.only.split(","))
    if unknown := chosen - set(IMPLEMENTATIONS):
        parser.error(f"unknown implementation(s): {', '.join(sorted(unknown))}")
    args.only = [name for name in IMPLEMENTATIONS if name in chosen]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    plan = Plan(args.connections, args.duration, args.warmup)
    environment = _environment()
    print(
        f"MeterValues (OCPP 1.6) round trips: {plan.connections} connections, "
        f"{plan.warmup:g} s warm-up, {plan.duration:g} s counted, {args.rounds} round(s)\n"
        + ", ".join(f"{key} {value}" for key, value in environment.items()),
        flush=True,
    )
    runs: dict[str, list[Result]] = {name: [] for name in args.only}
    for round_number, name in itertools.product(range(1, args.rounds + 1), args.only):
        print(f"  round {round_number}: {name} ...", file=sys.stderr, flush=True)
        runs[name].append(measure(name, plan))
    ratios = _ratios(runs)
    print("\n".join(["", *_table(runs), "", *_ratio_lines(ratios)]))
    busiest = max(result.other_cpu for results in runs.values() for result in results)
    if busiest > OTHER_CPU_WARNING:
        print(
            f"warning: other processes used up to {busiest:.0%} of a core while counting; "
            "the figures are low. Measure on a quiet machine."
        )
    if args.json:
        document = {
            "plan": asdict(plan),
            "environment": environment,
            "results": [asdict(_median(results)) for results in runs.values()],
            "ratios": ratios,
            "runs": {name: [asdict(r) for r in results] for name, results in runs.items()},
        }
        args.json.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return 0  # a report, not a test: missed targets are printed, not failed


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the children are already stopped (see measure)
        sys.exit(130)
