"""Fleets of two OCPP 2.x versions booting against chargeyard's central system, in one run:
the machinery of ``fleet_versions.py`` (2.1 against 2.0.1) and of ``fleet.py --ocpp 2.0.1`` or
``--ocpp 2.1`` (that version against the other).

Both fleets are chargeyard's :class:`Fleet` of N stations of the same template
(``chargeyard-ac-wallbox-21``: one EVSE, one connector), built with ``Fleet.add(...,
version=...)``: the version is the only difference. Each boots against chargeyard's own central
system (:class:`~chargeyard.csms.server.CsmsServer`, ``auto_register``, validation on, a fresh
SQLite file), in a process of its own, with the fleet in another; a fresh pair per fleet, never
two fleets at once. The rounds alternate the order (the baseline first, then the version
measured first), so that whatever the machine does over time falls on both.

Figures, per fleet and averaged over the rounds:

* boot: wall time from starting the fleet to every station's BootNotification Accepted
  (``Fleet.wait_booted``);
* CPU a station: the fleet process's CPU time during the boot / N, and the central system's;
* RSS a station: (VmRSS once all are Accepted - VmRSS before building the fleet) / N, after one
  warm-up station has booted and gone (imports, compiled schemas: not per station).

Target: 2.1 boots no slower than 2.0.1 (ratio of the boot times <= 1.10), printed as PASS/FAIL.
Linux only (/proc, prctl).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from _children import (
    Sample,
    become_child,
    process_cpu_seconds,
    receive,
    sample_self,
    start_child,
    stop_child,
)

from chargeyard.fleet.fleet import Fleet, freeze_gc
from chargeyard.protocol import parse_version

HOST = "127.0.0.1"
TEMPLATE = "chargeyard-ac-wallbox-21"
BOOT_TIMEOUT_S = 600.0
RATIO_TARGET = 1.10


# -- the central system ------------------------------------------------------------------------


def _server_main(database: Path, pipe: Connection) -> None:
    become_child()
    logging.disable(logging.INFO)  # a line per station's boot is not what is measured
    asyncio.run(_serve(database, pipe))


async def _serve(database: Path, pipe: Connection) -> None:
    from chargeyard.csms.events import EventHub
    from chargeyard.csms.registry import Registry
    from chargeyard.csms.server import CsmsServer, CsmsSettings
    from chargeyard.store import Store

    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    store = await Store.open(f"sqlite:///{database}")
    async with store:
        settings = CsmsSettings(host=HOST, port=0, auto_register=True, accept_unknown_tags=True)
        async with CsmsServer(store, settings, Registry(), EventHub()) as csms:
            pipe.send(csms.port)
            loop.add_reader(pipe.fileno(), stopped.set)  # any word, or EOF, stops it
            try:
                await stopped.wait()
            finally:
                loop.remove_reader(pipe.fileno())


# -- the fleet ---------------------------------------------------------------------------------


def _fleet_main(version: str, port: int, count: int, connects: int, pipe: Connection) -> None:
    become_child()
    pipe.send(asyncio.run(_boot(version, f"ws://{HOST}:{port}/ocpp", count, connects, pipe)))
    pipe.close()
    os._exit(0)  # the sockets close with the process: tearing down is not measured


async def _boot(
    version: str, url: str, count: int, connects: int, pipe: Connection
) -> tuple[Sample, Sample, Sample]:
    spec = parse_version(version)
    async with Fleet() as warm:  # imports, compiled schemas: not per station
        warm.add(TEMPLATE, csms_url=url, ids=["WARM-UP"], version=spec)
        warm.start_all()
        async with asyncio.timeout(30):
            await warm.wait_booted()
    gc.collect()
    before = sample_self()
    fleet = Fleet(connect_limit=connects, seed=1)
    fleet.add(TEMPLATE, count, csms_url=url, version=spec)
    freeze_gc()
    pipe.send("start")  # the coordinator reads the central system's CPU now and at the end
    pipe.recv()
    started = sample_self()
    fleet.start_all()
    async with asyncio.timeout(BOOT_TIMEOUT_S):
        await fleet.wait_booted()
    booted = sample_self()
    return before, started, booted


# -- the coordinator ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    version: str
    stations: int
    boot_seconds: float
    fleet_cpu_ms_per_station: float
    csms_cpu_ms_per_station: float
    rss_kib_per_station: float


def measure(version: str, count: int, connects: int) -> Result:
    """Boot one fleet of ``version`` against a fresh central system; collect the figures."""
    context = multiprocessing.get_context("spawn")
    processes: list[BaseProcess] = []
    with tempfile.TemporaryDirectory() as scratch:
        try:
            server, server_pipe = start_child(
                context, _server_main, (Path(scratch) / "csms.db",), f"{version}-csms"
            )
            processes.append(server)
            port = receive(server_pipe, server, 60)
            fleet, fleet_pipe = start_child(
                context, _fleet_main, (version, port, count, connects), f"{version}-fleet"
            )
            processes.append(fleet)
            assert receive(fleet_pipe, fleet, 120) == "start"
            csms_start = process_cpu_seconds(server.pid)
            fleet_pipe.send("go")
            before, started, booted = receive(fleet_pipe, fleet, BOOT_TIMEOUT_S + 60)
            csms_cpu = process_cpu_seconds(server.pid) - csms_start
            server_pipe.send("stop")
        except BaseException:
            for process in processes:
                process.terminate()
            raise
        finally:
            for process in reversed(processes):
                stop_child(process)
    return Result(
        version=version,
        stations=count,
        boot_seconds=booted.wall - started.wall,
        fleet_cpu_ms_per_station=(booted.cpu_seconds - started.cpu_seconds) * 1000 / count,
        csms_cpu_ms_per_station=csms_cpu * 1000 / count,
        rss_kib_per_station=(booted.rss_kib - before.rss_kib) / count,
    )


def _mean(results: Sequence[Result]) -> Result:
    n = len(results)
    return Result(
        version=results[0].version,
        stations=results[0].stations,
        boot_seconds=sum(r.boot_seconds for r in results) / n,
        fleet_cpu_ms_per_station=sum(r.fleet_cpu_ms_per_station for r in results) / n,
        csms_cpu_ms_per_station=sum(r.csms_cpu_ms_per_station for r in results) / n,
        rss_kib_per_station=sum(r.rss_kib_per_station for r in results) / n,
    )


def _row(label: str, r: Result) -> str:
    return (
        f"{label:<14}{r.stations:>9}{r.boot_seconds:>9.2f} s{r.fleet_cpu_ms_per_station:>10.2f} ms"
        f"{r.csms_cpu_ms_per_station:>10.2f} ms{r.rss_kib_per_station:>10.1f} KiB"
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """The fleets of one run: each round's, the means, the ratios of ``version`` to
    ``baseline``, and the report's lines."""

    version: str
    baseline: str
    runs: list[Result]
    lines: list[str]
    ratio: float

    def document(self) -> dict[str, Any]:
        """The run as JSON: the fleets measured and the ratio of the boot times."""
        return {
            "version": self.version,
            "baseline": self.baseline,
            "runs": [asdict(r) for r in self.runs],
            "ratio": self.ratio,
        }


def compare(version: str, baseline: str, count: int, rounds: int, connects: int) -> Comparison:
    """Boot ``rounds`` fleets of ``count`` stations of each version, the order alternating,
    ``baseline`` first in the first round; the report compares ``version`` to ``baseline`` and
    judges the target (2.1 boots no slower than 2.0.1) when the two are those."""
    order = (baseline, version)
    runs: list[Result] = []
    for number in range(rounds):
        for measured in order if number % 2 == 0 else order[::-1]:
            print(f"  round {number + 1}: {measured} ...", file=sys.stderr, flush=True)
            runs.append(measure(measured, count, connects))
    header = (
        f"{'fleet':<14}{'stations':>9}{'booted in':>11}{'fleet CPU':>13}{'CSMS CPU':>13}"
        f"{'RSS':>14}\n{'':<34}{'a station':>13}{'a station':>13}{'a station':>14}"
    )
    lines = ["", header]
    lines += [_row(f"{r.version} (run {i + 1})", r) for i, r in enumerate(runs)]
    means = {v: _mean([r for r in runs if r.version == v]) for v in order}
    lines += [_row(f"{v} (mean)", means[v]) for v in order]
    new, old = means[version], means[baseline]
    ratio = new.boot_seconds / old.boot_seconds
    cpu_ratio = new.fleet_cpu_ms_per_station / old.fleet_cpu_ms_per_station
    rss_ratio = new.rss_kib_per_station / old.rss_kib_per_station
    lines += [
        "",
        f"ratio {version}/{baseline}: boot {ratio:.2f}, fleet CPU {cpu_ratio:.2f},"
        f" RSS {rss_ratio:.2f}",
    ]
    if {version, baseline} == {"2.0.1", "2.1"}:
        target = means["2.1"].boot_seconds / means["2.0.1"].boot_seconds
        lines.append(
            f"{'PASS' if target <= RATIO_TARGET else 'FAIL'}  2.1 boots no slower than 2.0.1"
            f" (ratio <= {RATIO_TARGET:.2f}) {target:.2f}"
        )
    return Comparison(version, baseline, runs, lines, ratio)
