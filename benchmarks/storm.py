"""A reconnection storm: every station of a fleet of OCPP 1.6 stations loses its connection to
chargeyard's CSMS at once and comes back, all at the same instant or spread over a jitter window,
with the fleet's cold boot against the same CSMS as the baseline, in one run.

Usage::

    python benchmarks/storm.py [--count 10000] [--jitter-seconds 30] [--connects 100]
                               [--seed 1] [--json PATH]

Method
------
Two processes besides this one, which only coordinates:

* the central system: chargeyard's :class:`~chargeyard.csms.server.CsmsServer` as ``chargeyard
  csms`` runs it (``auto_register``, ``accept_unknown_tags``, validation and the frame log on,
  heartbeats every 300 s) on a fresh SQLite file;
* the stations: a :class:`~chargeyard.fleet.fleet.Fleet` of ``--count`` ``StationV16``
  (template ``alfen-eve-single-pro-line``, no clock-aligned readings), at most ``--connects``
  TCP connects and handshakes at a time, as every fleet runs them.

Three phases, one after the other, on the same fleet and central system:

* **cold boot** (the baseline): ``start_all()`` until every station is Accepted: a connection
  and a BootNotification each, and the reports of a boot (StatusNotification of connectors 0
  and 1);
* **storm**: a ``reconnect_storm`` crowd fault (docs/chaos.md) without jitter: every
  connection is aborted at the same instant and every station dials again at once, without
  its backoff; it comes back Accepted without a new boot (OCPP 2.0.1 B04, a 1.6 station's
  standing registration) once its WebSocket is open again;
* **storm + jitter**: the same with ``--jitter-seconds``: each station dials again after a
  wait drawn from the random seed and its identity, uniformly over the window.

Each figure is wall time from the start of the phase to every station Accepted again (its
connection open and its registration standing), the fleet process's and the central system's
CPU time over the phase, and the connection attempts that failed (timeouts, refusals) during
it. Ratios are to the cold boot. A storm's wall time with jitter cannot be below the longest
drawn wait; the point of the window is fewer failed attempts and a central system less
swamped. The exit code is 0 regardless (a report, not a test). The children ignore Ctrl-C, are
stopped on every exit path and die with this process (PR_SET_PDEATHSIG). Linux only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import orjson
from _children import (
    become_child,
    machine_busy_seconds,
    process_cpu_seconds,
    receive,
    start_child,
    stop_child,
)

HOST = "127.0.0.1"
TEMPLATE = "alfen-eve-single-pro-line"
PHASE_TIMEOUT_S = 900.0
PHASES = ("cold boot", "storm", "storm + jitter")


# -- the central system -------------------------------------------------------------------------


def _csms_main(database: str, pipe: Connection) -> None:
    become_child()
    asyncio.run(_serve(Path(database), pipe))


async def _serve(database: Path, pipe: Connection) -> None:
    from chargeyard.csms.events import EventHub
    from chargeyard.csms.registry import Registry
    from chargeyard.csms.server import CsmsServer, CsmsSettings
    from chargeyard.store import Store

    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_reader(pipe.fileno(), stopped.set)  # any word (or EOF) from the coordinator: stop
    store = await Store.open(f"sqlite:///{database}")
    async with store:
        settings = CsmsSettings(host=HOST, port=0, auto_register=True, accept_unknown_tags=True)
        async with CsmsServer(store, settings, Registry(), EventHub()) as csms:
            pipe.send(csms.port)
            await stopped.wait()
    loop.remove_reader(pipe.fileno())


# -- the fleet ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    count: int
    jitter_seconds: float
    connects: int
    seed: int


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    wall_seconds: float
    fleet_cpu_seconds: float
    failed_attempts: int
    booted: int


def _fleet_main(url: str, plan: Plan, pipe: Connection) -> None:
    become_child()
    asyncio.run(_run_fleet(url, plan, pipe))


async def _run_fleet(url: str, plan: Plan, pipe: Connection) -> None:
    from chargeyard.fleet.chaos.faults import ReconnectStorm
    from chargeyard.fleet.fleet import Fleet, freeze_gc
    from chargeyard.station.catalog import load_catalog
    from chargeyard.station.core import SimulatedStation
    from chargeyard.station.v16 import StationV16

    template = load_catalog().template(TEMPLATE)

    def quiet(station: SimulatedStation) -> None:
        assert isinstance(station, StationV16)
        station.config.change("ClockAlignedDataInterval", "0")

    fleet = Fleet(connect_limit=plan.connects, seed=plan.seed)
    fleet.add(template, plan.count, csms_url=url, setup=quiet)
    freeze_gc()

    @contextlib.asynccontextmanager
    async def phase(name: str) -> AsyncIterator[None]:
        pipe.send(("begin", name))
        pipe.recv()
        failures, cpu, started = fleet.stats.failures, time.process_time(), time.monotonic()
        async with asyncio.timeout(PHASE_TIMEOUT_S):
            yield
            await fleet.wait_booted()
        report = Phase(
            name,
            time.monotonic() - started,
            time.process_time() - cpu,
            fleet.stats.failures - failures,
            fleet.booted(),
        )
        pipe.send(("end", report))
        pipe.recv()

    async def storm(jitter_s: float) -> None:
        disconnects = fleet.stats.disconnects
        fleet.apply_chaos([ReconnectStorm(jitter_s=jitter_s)], plan.seed)
        # Accepted stays until each loss is seen: wait for every loss first.
        await fleet.wait_until(lambda: fleet.stats.disconnects - disconnects >= plan.count)

    try:
        async with phase(PHASES[0]):
            fleet.start_all()
        async with phase(PHASES[1]):
            await storm(0.0)
        async with phase(PHASES[2]):
            await storm(plan.jitter_seconds)
    finally:
        await fleet.stop_all()
    pipe.send(("done", None))


# -- the coordinator ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    phase: str
    stations: int
    booted: int
    wall_seconds: float
    fleet_cpu_seconds: float
    csms_cpu_seconds: float
    other_cpu_seconds: float
    failed_attempts: int


def run(plan: Plan) -> list[Row]:
    context = multiprocessing.get_context("spawn")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="chargeyard-storm-") as scratch:
        csms, csms_pipe = start_child(
            context, _csms_main, (str(Path(scratch) / "csms.db"),), "storm-csms"
        )
        fleet = None
        try:
            port = receive(csms_pipe, csms, 120)
            url = f"ws://{HOST}:{port}/ocpp"
            fleet, pipe = start_child(context, _fleet_main, (url, plan), "storm-fleet")
            marks: tuple[float, float, float] = (0.0, 0.0, 0.0)
            while True:
                word, data = receive(pipe, fleet, PHASE_TIMEOUT_S + 120)
                if word == "done":
                    break
                busy, csms_cpu = machine_busy_seconds(), process_cpu_seconds(csms.pid)
                fleet_cpu = process_cpu_seconds(fleet.pid)
                if word == "begin":
                    marks = (busy, csms_cpu, fleet_cpu)
                else:
                    report: Phase = data
                    rows.append(
                        Row(
                            report.name,
                            plan.count,
                            report.booted,
                            report.wall_seconds,
                            report.fleet_cpu_seconds,
                            csms_cpu - marks[1],
                            max(
                                0.0,
                                (busy - marks[0]) - (csms_cpu - marks[1]) - (fleet_cpu - marks[2]),
                            ),
                            report.failed_attempts,
                        )
                    )
                pipe.send("go")
        finally:
            if fleet is not None:
                stop_child(fleet)
            with contextlib.suppress(OSError):
                csms_pipe.send("stop")
            stop_child(csms)
    return rows


def _print(plan: Plan, rows: list[Row]) -> None:
    print(
        f"{plan.count} OCPP 1.6 stations against chargeyard's CSMS, at most {plan.connects}"
        f" connects at a time; jitter window {plan.jitter_seconds:g} s, seed {plan.seed}"
    )
    print()
    header = f"{'phase':<16}{'booted':>8}{'wall':>10}{'fleet CPU':>11}{'CSMS CPU':>10}"
    print(header + f"{'other CPU':>11}{'failed':>8}{'vs cold boot':>14}")
    base = rows[0].wall_seconds if rows else 0.0
    for row in rows:
        ratio = row.wall_seconds / base if base > 0 else float("nan")
        print(
            f"{row.phase:<16}{row.booted:>8}{row.wall_seconds:>9.2f}s"
            f"{row.fleet_cpu_seconds:>10.2f}s{row.csms_cpu_seconds:>9.2f}s"
            f"{row.other_cpu_seconds:>10.2f}s{row.failed_attempts:>8}{ratio:>13.2f}x"
        )
    print()
    for row in rows[1:]:
        print(f"time until every station is booted again after the {row.phase}:")
        print(f"  {row.wall_seconds:.2f} s ({row.booted}/{row.stations} Accepted)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--jitter-seconds", type=float, default=30.0)
    parser.add_argument("--connects", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    plan = Plan(args.count, args.jitter_seconds, args.connects, args.seed)
    rows = run(plan)
    _print(plan, rows)
    if args.json is not None:
        results = {"plan": asdict(plan), "results": [asdict(row) for row in rows]}
        args.json.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
