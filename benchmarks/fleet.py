"""A fleet of OCPP 1.6 stations against one central system: chargeyard's :class:`Fleet` next to a
fleet of the ``ocpp`` library's ChargePoints, in one run; with ``--ocpp 2.0.1`` or ``--ocpp
2.1``, a fleet of that version next to a fleet of the other 2.x version.

Usage::

    python benchmarks/fleet.py [--count 10000] [--steady-seconds 60] [--settle-seconds 5]
                               [--only chargeyard,ocpp-lib] [--connects 100] [--json PATH]
    python benchmarks/fleet.py --ocpp 2.1 [--count 10000] [--rounds 2] [--connects 100]
                               [--json PATH]

OCPP 2.0.1 and 2.1
------------------
The ``ocpp`` library's fleet and the minimal central system below speak 1.6 only. A 2.x fleet's
baseline is the other 2.x version's, in the same run: ``--ocpp 2.1`` boots fleets of 2.1 and of
2.0.1 stations of the same template in turn, ``--rounds`` of each, against chargeyard's own
central system, and prints each fleet's boot time, CPU and RSS a station, the ratios of the
version asked for to the other, and whether 2.1 boots no slower than 2.0.1 (ratio <= 1.10);
``_version_fleets.py`` says how (``fleet_versions.py`` is the same run). ``--steady-seconds``,
``--settle-seconds`` and ``--only`` are the 1.6 run's.

Method
------
Both fleets carry the same traffic against the same minimal central system, a separate process:
``websockets``' sans-I/O server protocol over an asyncio protocol, orjson, no validation. It
answers BootNotification Accepted with interval 60 s, Heartbeat, StatusNotification, Authorize,
StartTransaction, MeterValues and StopTransaction. Each fleet runs in its own process, with a
fresh server process; the fleets take turns, never run together.

* ``chargeyard``: ``Fleet.add(template, N)`` of ``StationV16`` (template
  ``alfen-eve-single-pro-line``, MeterValueSampleInterval set to 10 and
  ClockAlignedDataInterval to 0), ``start_all()``; for the
  transactions, the first tenth get ``plug()`` and ``present_id_token()`` (Authorize,
  StartTransaction); every station validates what it sends and receives against the official
  schemas, as always.
* ``ocpp-lib``: per station, the library's documented pattern: a ``websockets`` client
  connection, a ``ChargePoint`` with ``start()`` in a task, BootNotification, then a task that
  sends Heartbeat every interval; for the tenth, Authorize and StartTransaction and a task that
  sends MeterValues every 10 s (both loops keep their period exactly, whatever a call takes).
  The library validates with jsonschema, in a thread pool.

Same traffic: BootNotification; StatusNotification for connectors 0 and 1 (Available); for the
tenth, StatusNotification Preparing, Authorize, StartTransaction, StatusNotification Charging and
every 10 s a MeterValues of four sampled values (the chargeyard stations' own, copied in shape);
everyone a Heartbeat every 60 s. Connections: at most ``--connects`` TCP connects + handshakes
at a time in both fleets, ``compression=None``, no pings.

Figures, measured inside the fleet process:

* boot: wall time from starting the fleet to every station Accepted (and the process's CPU time
  meanwhile, which shows whether it was the bottleneck);
* RSS per station: (VmRSS once all are Accepted - VmRSS before building the fleet) / N, after one
  warm-up station has booted and gone (one-off costs: imports, compiled schemas); "(later)" is
  the same at the end of the steady window, the tenth charging;
* steady-state CPU: process CPU time (all threads) / wall time over ``--steady-seconds`` (default
  60: one heartbeat per station), with the tenth charging, after ``--settle-seconds``; as a share
  of one core. Messages/s counts what the stations sent in that window;
* server CPU, and "other CPU": what the rest of the machine used (``/proc/stat``) during the
  steady window and during the boot. A boot whose wall time is well above its CPU time, with
  other CPU high, was slowed by something else on the machine.

Both fleet processes get the same garbage-collector treatment: ``gc.freeze()`` after building
(a no-op for the library's fleet, which builds while it connects) and after boot; a long-lived
fleet without it pays for full collections over every station again and again.

Targets: 10,000 booted in 10 s or less (scaled for other counts); steady
state 25 % of one core or less; 40 KB RSS per station or less; boot time and steady CPU each at
least 3x better than the library's fleet, RSS no worse. They are printed as PASS/FAIL; the exit
code is 0 regardless (a report, not a test). This process only coordinates; the children ignore
Ctrl-C, are stopped on every exit path and die with it (PR_SET_PDEATHSIG). Linux only.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import orjson
from _central import SUBPROTOCOL, MinimalCentral
from _children import (
    Sample,
    become_child,
    machine_busy_seconds,
    receive,
    sample_self,
    start_child,
    stop_child,
)
from _version_fleets import TEMPLATE as TEMPLATE_2X
from _version_fleets import compare
from ocpp.v16 import ChargePoint as OcppLibChargePoint
from ocpp.v16 import call as ocpp_call
from ocpp.v16.datatypes import MeterValue, SampledValue
from ocpp.v16.enums import (
    ChargePointErrorCode,
    ChargePointStatus,
    Location,
    Measurand,
    ReadingContext,
    RegistrationStatus,
    UnitOfMeasure,
    ValueFormat,
)
from websockets.asyncio.client import connect

from chargeyard.fleet.fleet import Fleet, freeze_gc
from chargeyard.station.catalog import load_catalog
from chargeyard.station.core import SimulatedStation
from chargeyard.station.v16 import StationV16

HOST = "127.0.0.1"
TEMPLATE = "alfen-eve-single-pro-line"
HEARTBEAT_S = 60
METER_S = 10
BOOT_TIMEOUT_S = 600.0
OTHER_CPU_WARNING = 0.10

# The targets.
BOOT_TARGET_S_PER_10K = 10.0
STEADY_CPU_TARGET = 0.25
RSS_TARGET_BYTES = 40_000
RATIO_TARGET = 3.0


# -- the minimal central system ---------------------------------------------------------------


class _Central(MinimalCentral):
    heartbeat_interval = HEARTBEAT_S


def _server_main(pipe: Connection) -> None:
    become_child()
    asyncio.run(_serve(pipe))


async def _serve(pipe: Connection) -> None:
    stopped = asyncio.Event()

    def on_request() -> None:
        try:
            request = pipe.recv()
        except EOFError:
            request = "stop"
        if request == "sample":
            pipe.send(sample_self())
        else:
            stopped.set()

    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Central, HOST, 0, backlog=4096)
    async with server:
        pipe.send(server.sockets[0].getsockname()[1])
        loop.add_reader(pipe.fileno(), on_request)
        try:
            await stopped.wait()
        finally:
            loop.remove_reader(pipe.fileno())


# -- measuring a process ----------------------------------------------------------------------


def _mark(pipe: Connection) -> Sample:
    """Sample this process, and have the coordinator sample the server and the machine now."""
    sample = sample_self()
    pipe.send("mark")
    pipe.recv()
    return sample


# -- the two fleets ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    count: int
    steady_seconds: float
    settle_seconds: float
    connects: int


@dataclass(frozen=True, slots=True)
class FleetReport:
    booted: int
    charging: int
    frames_in_window: int
    # before building, started, all booted, window start, window end
    samples: tuple[Sample, Sample, Sample, Sample, Sample]


def _charging_count(plan: Plan) -> int:
    return plan.count // 10


async def _chargeyard_fleet(url: str, plan: Plan, pipe: Connection) -> FleetReport:
    template = load_catalog().template(TEMPLATE)

    def sample_every_10_s(station: SimulatedStation) -> None:
        assert isinstance(station, StationV16)
        station.config.change("MeterValueSampleInterval", str(METER_S))
        # No clock-aligned readings (every 15 min by default): the other fleet sends none.
        station.config.change("ClockAlignedDataInterval", "0")

    async with Fleet() as warm:  # imports, compiled schemas: not per station
        warm.add(template, csms_url=url, ids=["WARM-UP"], setup=sample_every_10_s)
        warm.start_all()
        async with asyncio.timeout(30):
            await warm.wait_booted()
    gc.collect()
    before = _mark(pipe)
    fleet = Fleet(connect_limit=plan.connects, seed=1)
    fleet.add(template, plan.count, csms_url=url, setup=sample_every_10_s)
    freeze_gc()
    started = _mark(pipe)
    fleet.start_all()
    async with asyncio.timeout(BOOT_TIMEOUT_S):
        await fleet.wait_booted()
    booted = _mark(pipe)
    freeze_gc()
    charging = fleet.stations()[: _charging_count(plan)]
    for number, station in enumerate(charging):
        assert isinstance(station, StationV16)
        station.plug(1, 1)
        station.present_id_token(f"BENCH{number:05d}")
    await fleet.wait_until(lambda: fleet.status().charging >= len(charging))
    await asyncio.sleep(plan.settle_seconds)
    window_start, frames = _mark(pipe), fleet.stats.frames_sent
    await asyncio.sleep(plan.steady_seconds)
    window_end, frames = _mark(pipe), fleet.stats.frames_sent - frames
    status = fleet.status()
    return FleetReport(
        status.booted, status.charging, frames, (before, started, booted, window_start, window_end)
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _OcppLibFleet:
    """The stations of the library's fleet, one task each (plus the library's own tasks)."""

    def __init__(self, url: str, plan: Plan) -> None:
        self.url = url
        self.plan = plan
        template = load_catalog().template(TEMPLATE)
        self.vendor, self.model = template.vendor, template.model
        self.firmware = template.firmware_version
        self._connects = asyncio.Semaphore(plan.connects)
        self.booted = 0
        self.charging = 0
        self.frames = 0
        self.all_booted = asyncio.Event()
        self.all_charging = asyncio.Event()
        self.go_charge = asyncio.Event()

    async def run_station(self, identity: str, charges: bool) -> None:
        async with self._connects:
            websocket = await connect(
                f"{self.url}/{identity}",
                subprotocols=[SUBPROTOCOL],
                compression=None,
                ping_interval=None,
            )
        async with websocket:
            charge_point = OcppLibChargePoint(identity, websocket)
            reader = asyncio.create_task(charge_point.start())
            try:
                await self._serve(charge_point, identity, charges)
            finally:
                reader.cancel()

    async def _call(self, charge_point: OcppLibChargePoint, request: Any) -> Any:
        self.frames += 1
        return await charge_point.call(request)

    async def _serve(self, cp: OcppLibChargePoint, identity: str, charges: bool) -> None:
        boot = await self._call(
            cp,
            ocpp_call.BootNotification(
                charge_point_model=self.model,
                charge_point_vendor=self.vendor,
                firmware_version=self.firmware,
            ),
        )
        if boot.status != RegistrationStatus.accepted:
            return
        self.booted += 1
        if self.booted == self.plan.count:
            self.all_booted.set()
        for connector in (0, 1):
            await self._status(cp, connector, ChargePointStatus.available)
        heartbeats = asyncio.create_task(self._heartbeats(cp, boot.interval))
        try:
            if charges:
                await self.go_charge.wait()
                await self._charge(cp, identity)
            await heartbeats
        finally:
            heartbeats.cancel()

    async def _status(self, cp: OcppLibChargePoint, connector: int, status: str) -> None:
        await self._call(
            cp,
            ocpp_call.StatusNotification(
                connector_id=connector,
                error_code=ChargePointErrorCode.no_error,
                status=status,
                timestamp=_now(),
            ),
        )

    async def _heartbeats(self, cp: OcppLibChargePoint, interval: int) -> None:
        async for _ in _every(interval):
            await self._call(cp, ocpp_call.Heartbeat())

    async def _charge(self, cp: OcppLibChargePoint, identity: str) -> None:
        tag = f"BENCH{identity[-5:]}"
        await self._status(cp, 1, ChargePointStatus.preparing)
        await self._call(cp, ocpp_call.Authorize(id_tag=tag))
        started = await self._call(
            cp,
            ocpp_call.StartTransaction(connector_id=1, id_tag=tag, meter_start=0, timestamp=_now()),
        )
        await self._status(cp, 1, ChargePointStatus.charging)
        self.charging += 1
        if self.charging == _charging_count(self.plan):
            self.all_charging.set()
        energy = 0.0
        async for _ in _every(METER_S):
            energy += 7360 * METER_S / 3600
            await self._call(cp, _meter_values(started.transaction_id, energy))


async def _every(interval: float) -> AsyncIterator[None]:
    """Ticks every ``interval`` seconds without drift (a sleep after each call would stretch
    the period by the call's latency, and the library's fleet would send less)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time()
    while True:
        deadline += interval
        await asyncio.sleep(max(0.0, deadline - loop.time()))
        yield


def _meter_values(transaction_id: int, energy_wh: float) -> ocpp_call.MeterValues:
    """What a chargeyard station in the benchmark sends, with the library's dataclasses."""

    def sampled(value: str, measurand: str, unit: str) -> SampledValue:
        return SampledValue(
            value,
            context=ReadingContext.sample_periodic,
            format=ValueFormat.raw,
            measurand=Measurand(measurand),
            location=Location.outlet,
            unit=UnitOfMeasure(unit),
        )

    reading = MeterValue(
        timestamp=_now(),
        sampled_value=[
            sampled(f"{energy_wh:.1f}", "Energy.Active.Import.Register", "Wh"),
            sampled("7360.0", "Power.Active.Import", "W"),
            sampled("32.00", "Current.Import", "A"),
            sampled("230.0", "Voltage", "V"),
        ],
    )
    return ocpp_call.MeterValues(
        connector_id=1, meter_value=[reading], transaction_id=transaction_id
    )


async def _ocpp_lib_fleet(url: str, plan: Plan, pipe: Connection) -> FleetReport:
    warm = _OcppLibFleet(url, Plan(1, 0, 0, 1))
    task = asyncio.create_task(warm.run_station("WARM-UP", charges=False))
    async with asyncio.timeout(30):
        await warm.all_booted.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    gc.collect()
    before = _mark(pipe)
    fleet = _OcppLibFleet(url, plan)
    freeze_gc()
    started = _mark(pipe)
    width = len(str(plan.count))
    tasks = [
        asyncio.create_task(
            fleet.run_station(f"CP-{number:0{width}d}", charges=number <= _charging_count(plan))
        )
        for number in range(1, plan.count + 1)
    ]
    async with asyncio.timeout(BOOT_TIMEOUT_S):
        await fleet.all_booted.wait()
    booted = _mark(pipe)
    freeze_gc()
    fleet.go_charge.set()
    if _charging_count(plan):
        await fleet.all_charging.wait()
    await asyncio.sleep(plan.settle_seconds)
    window_start, frames = _mark(pipe), fleet.frames
    await asyncio.sleep(plan.steady_seconds)
    window_end, frames = _mark(pipe), fleet.frames - frames
    failed = [task for task in tasks if task.done() and not task.cancelled() and task.exception()]
    if failed:
        raise RuntimeError(f"{len(failed)} library stations failed: {failed[0].exception()!r}")
    return FleetReport(
        fleet.booted,
        fleet.charging,
        frames,
        (before, started, booted, window_start, window_end),
    )


FLEETS: dict[str, Callable[[str, Plan, Connection], Coroutine[Any, Any, FleetReport]]] = {
    "chargeyard": _chargeyard_fleet,
    "ocpp-lib": _ocpp_lib_fleet,
}


def _fleet_main(name: str, port: int, plan: Plan, pipe: Connection) -> None:
    become_child()
    url = f"ws://{HOST}:{port}/ocpp"
    report = asyncio.run(FLEETS[name](url, plan, pipe))
    pipe.send(report)
    pipe.close()
    os._exit(0)  # the sockets close with the process: tearing down is not measured


# -- the coordinator --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    fleet: str
    stations: int
    booted: int
    charging: int
    boot_seconds: float
    boot_cpu_seconds: float
    rss_kib_per_station: float
    rss_kib_per_station_after_window: float  # with the tenth charging, after the window
    steady_seconds: float
    steady_cpu: float  # share of one core
    messages_per_second: float
    server_cpu_steady: float
    other_cpu_steady: float  # the rest of the machine during the window
    other_cpu_boot: float  # the rest of the machine during the boot


def measure(name: str, plan: Plan) -> Result:
    """Run the central system and one fleet in two processes; collect the figures."""
    context = multiprocessing.get_context("spawn")
    timeout = BOOT_TIMEOUT_S + plan.steady_seconds + plan.settle_seconds + 120.0
    processes: list[BaseProcess] = []
    try:
        server, server_pipe = start_child(context, _server_main, (), f"{name}-central")
        processes.append(server)
        port = receive(server_pipe, server, 60)
        fleet, fleet_pipe = start_child(context, _fleet_main, (name, port, plan), f"{name}-fleet")
        processes.append(fleet)
        server_samples: list[Sample] = []
        machine: list[float] = []
        while (message := receive(fleet_pipe, fleet, timeout)) == "mark":
            server_pipe.send("sample")
            server_samples.append(receive(server_pipe, server, 60))
            machine.append(machine_busy_seconds())
            fleet_pipe.send("ok")
        server_pipe.send("stop")
        return _result(name, plan, message, server_samples, machine)
    except BaseException:
        for process in processes:
            process.terminate()
        raise
    finally:
        for process in reversed(processes):
            stop_child(process)


def _result(
    name: str, plan: Plan, report: FleetReport, server: list[Sample], machine: list[float]
) -> Result:
    before, started, booted, window_start, window_end = report.samples
    window = window_end.wall - window_start.wall
    steady_cpu = (window_end.cpu_seconds - window_start.cpu_seconds) / window
    server_cpu = (server[4].cpu_seconds - server[3].cpu_seconds) / window
    machine_cpu = (machine[4] - machine[3]) / window
    boot = booted.wall - started.wall
    fleet_boot = booted.cpu_seconds - started.cpu_seconds
    server_boot = server[2].cpu_seconds - server[1].cpu_seconds
    other_boot = (machine[2] - machine[1] - fleet_boot - server_boot) / boot
    return Result(
        fleet=name,
        stations=plan.count,
        booted=report.booted,
        charging=report.charging,
        boot_seconds=booted.wall - started.wall,
        boot_cpu_seconds=booted.cpu_seconds - started.cpu_seconds,
        rss_kib_per_station=(booted.rss_kib - before.rss_kib) / plan.count,
        rss_kib_per_station_after_window=(window_end.rss_kib - before.rss_kib) / plan.count,
        steady_seconds=window,
        steady_cpu=steady_cpu,
        messages_per_second=report.frames_in_window / window,
        server_cpu_steady=server_cpu,
        other_cpu_steady=max(0.0, machine_cpu - steady_cpu - server_cpu),
        other_cpu_boot=max(0.0, other_boot),
    )


# -- reporting --------------------------------------------------------------------------------


def _table(results: Sequence[Result]) -> list[str]:
    lines = [
        f"{'fleet':<12}{'stations':>9}{'booted in':>11}{'boot CPU':>10}{'RSS/station':>13}"
        f"{'(later)':>11}{'steady CPU':>12}{'msgs/s':>8}{'server CPU':>12}{'other CPU':>11}"
        f"{'other CPU at boot':>19}"
    ]
    for r in results:
        lines.append(
            f"{r.fleet:<12}{r.stations:>9}{r.boot_seconds:>9.2f} s{r.boot_cpu_seconds:>8.2f} s"
            f"{r.rss_kib_per_station:>9.1f} KiB{r.rss_kib_per_station_after_window:>7.1f} KiB"
            f"{r.steady_cpu:>12.1%}{r.messages_per_second:>8.0f}"
            f"{r.server_cpu_steady:>12.1%}{r.other_cpu_steady:>11.1%}{r.other_cpu_boot:>19.1%}"
        )
    return lines


def _checks(results: dict[str, Result]) -> list[str]:
    lines: list[str] = []

    def check(label: str, ok: bool | None, detail: str) -> None:
        verdict = "n/a " if ok is None else ("PASS" if ok else "FAIL")
        lines.append(f"{verdict}  {label:<46} {detail}")

    ours, theirs = results.get("chargeyard"), results.get("ocpp-lib")
    if ours is not None:
        boot_target = BOOT_TARGET_S_PER_10K * ours.stations / 10_000
        check(
            f"{ours.stations} booted in <= {boot_target:g} s",
            ours.boot_seconds <= boot_target and ours.booted == ours.stations,
            f"{ours.boot_seconds:.2f} s",
        )
        check(
            "steady state <= 25% of one core",
            ours.steady_cpu <= STEADY_CPU_TARGET,
            f"{ours.steady_cpu:.1%}",
        )
        check(
            "RSS per station <= 40 KB",
            ours.rss_kib_per_station * 1024 <= RSS_TARGET_BYTES,
            f"{ours.rss_kib_per_station * 1.024:.1f} KB",
        )
    if ours is not None and theirs is not None:
        boot_ratio = theirs.boot_seconds / ours.boot_seconds
        cpu_ratio = theirs.steady_cpu / ours.steady_cpu if ours.steady_cpu > 0 else float("inf")
        check(
            "boot time >= 3x better than ocpp-lib", boot_ratio >= RATIO_TARGET, f"{boot_ratio:.2f}x"
        )
        check(
            "steady-state CPU >= 3x better than ocpp-lib",
            cpu_ratio >= RATIO_TARGET,
            f"{cpu_ratio:.2f}x",
        )
        check(
            "RSS per station no worse than ocpp-lib",
            ours.rss_kib_per_station <= theirs.rss_kib_per_station,
            f"{theirs.rss_kib_per_station / ours.rss_kib_per_station:.2f}x"
            f" ({ours.rss_kib_per_station:.1f} vs {theirs.rss_kib_per_station:.1f} KiB)",
        )
    else:
        for label in ("boot time", "steady-state CPU", "RSS per station"):
            check(f"{label} against ocpp-lib", None, "(needs both fleets)")
    return lines


def _environment() -> dict[str, str]:
    packages = ("websockets", "orjson", "ocpp", "jsonschema", "jsonschema-rs")
    return {
        "cores": str(len(os.sched_getaffinity(0))),
        "python": sys.version.split()[0],
        **{package: version(package) for package in packages},
    }


# The baseline of a 2.x fleet: the other 2.x version, in the same run.
OTHER_2X = {"2.0.1": "2.1", "2.1": "2.0.1"}


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--ocpp",
        choices=("1.6", *OTHER_2X),
        default="1.6",
        help="the stations' version (2.x: against a fleet of the other 2.x version)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="2.x: fleets of each version")
    parser.add_argument("--count", type=int, default=10_000, help="stations per fleet")
    parser.add_argument("--steady-seconds", type=float, default=60.0, help="CPU window")
    parser.add_argument("--settle-seconds", type=float, default=5.0, help="before the window")
    parser.add_argument("--connects", type=int, default=100, help="handshakes at once")
    parser.add_argument("--only", default=",".join(FLEETS), help="comma-separated fleets")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write results as JSON")
    args = parser.parse_args(argv)
    if args.count < 10 or args.steady_seconds <= 0 or args.settle_seconds < 0:
        parser.error("need --count >= 10, --steady-seconds > 0 and --settle-seconds >= 0")
    if args.connects < 1 or args.rounds < 1:
        parser.error("need --connects and --rounds >= 1")
    chosen = set(args.only.split(","))
    if unknown := chosen - set(FLEETS):
        parser.error(f"unknown fleet(s): {', '.join(sorted(unknown))}")
    args.only = [name for name in FLEETS if name in chosen]
    return args


def _main_2x(args: argparse.Namespace) -> int:
    """``--ocpp 2.0.1`` or ``--ocpp 2.1``: that version's fleets against the other's."""
    baseline = OTHER_2X[args.ocpp]
    print(
        f"Fleets of {args.count} OCPP {args.ocpp} stations ({TEMPLATE_2X}) against fleets of"
        f" {baseline} stations, {args.rounds} round(s), the order alternating, against"
        " chargeyard's central system",
        flush=True,
    )
    comparison = compare(args.ocpp, baseline, args.count, args.rounds, args.connects)
    print("\n".join(comparison.lines))
    if args.json:
        args.json.write_bytes(orjson.dumps(comparison.document(), option=orjson.OPT_INDENT_2))
    return 0  # a report, not a test: a missed target is printed, not failed


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    if args.ocpp != "1.6":
        return _main_2x(args)
    plan = Plan(args.count, args.steady_seconds, args.settle_seconds, args.connects)
    environment = _environment()
    print(
        f"Fleet of {plan.count} OCPP 1.6 stations ({plan.count // 10} charging): heartbeat"
        f" every {HEARTBEAT_S} s, MeterValues every {METER_S} s, {plan.steady_seconds:g} s"
        f" steady window\n" + ", ".join(f"{key} {value}" for key, value in environment.items()),
        flush=True,
    )
    results: dict[str, Result] = {}
    for name in args.only:
        print(f"  {name} ...", file=sys.stderr, flush=True)
        results[name] = measure(name, plan)
    print("\n".join(["", *_table(list(results.values())), "", *_checks(results)]))
    busiest = max(max(r.other_cpu_steady, r.other_cpu_boot) for r in results.values())
    if busiest > OTHER_CPU_WARNING:
        print(
            f"warning: other processes used up to {busiest:.0%} of a core during a boot or a"
            " steady window; measure on a quiet machine."
        )
    if args.json:
        document = {
            "plan": asdict(plan),
            "environment": environment,
            "results": [asdict(result) for result in results.values()],
        }
        args.json.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return 0  # a report, not a test: missed targets are printed, not failed


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
