"""chargeyard as a cluster of processes under a fleet of OCPP 1.6 stations (100,000 by default),
with the one-process lab as the baseline in the same run.

Usage::

    python benchmarks/scale.py [--stations 100000] [--csms-nodes N] [--fleets N]
                               [--baseline-stations 5000] [--baseline-runs 3]
                               [--steady-seconds 60]
                               [--rest-rate 20] [--postgres postgresql://postgres@127.0.0.1/postgres]
                               [--only cluster,baseline] [--boot-only] [--json PATH]
                               [--charging-share 0.1] [--keep-logs DIR]

Method
------
**The cluster**, on the machine's PostgreSQL (a database of the run's own, dropped at the end)
and a ``redis-server`` of the run's own on a free port (the machine's Redis is left alone):

* ``--csms-nodes`` ``chargeyard csms`` processes (by default one per 16,667 stations: 6 for
  100,000, the fewest the open-file limit allows with room to spare), as a user starts them
  (``--database-url``, ``--redis-url``, ``--node-name``, ``--auto-register``,
  ``--accept-unknown-tags``, ``--heartbeat-interval 300``, validation and the frame log on,
  ``--api-port 0``), node *k* listening on 127.0.0.(k+2): each loopback address is a
  destination of its own, so the stations' ephemeral ports do not run out;
* one ``chargeyard api`` node (the REST API over Redis), with an API key;
* ``--fleets`` station processes (by default, like the nodes, one per 16,667 stations), each
  a :class:`~chargeyard.fleet.fleet.Fleet` of
  ``StationV16`` (template ``alfen-eve-single-pro-line``; MeterValueSampleInterval 60,
  no clock-aligned readings), the engine a ``chargeyard worker`` runs its chargers on, connected
  directly to one CSMS node each (no load balancer on this path), at most 100 connects at a
  time per fleet. Every process holds at most one end of ``stations / processes`` connections,
  well under the 20,000 open files a process may have here.

All fleets start at once. Once every station is Accepted, the first tenth of each fleet
(``--charging-share``) plugs in at once and presents an id token (Authorize,
StartTransaction); those send MeterValues every 60 s, everyone a Heartbeat every 300 s.
After ``--settle-seconds``, a window of ``--steady-seconds`` is measured, while a REST
client in a process of its own sends ``--rest-rate`` commands per second (open loop) to
random stations through the API node: ``POST /api/v1/chargers/{id}/configuration/get``
(API node -> Redis -> the station's CSMS node -> station -> back).

**The baseline** is today's lab in one process, as ``chargeyard up`` runs it: the CSMS, its
REST API and the stations on one event loop, on SQLite, with the in-memory bus
(``stack.assemble``). It holds both ends of every connection, so about 9,900 stations fit in
its 20,000 open files, but a boot storm of that size swamps its one event loop (boots time out
and are retried a minute later, for many minutes): ``--baseline-stations`` is 5,000. The same
traffic and the same REST client. Its boot's CPU a station moves by up to a half from one run
to the next on a shared 2-core machine (the order in which 5,000 handshakes and boots reach one
loop decides how full its batches are), so it runs ``--baseline-runs`` times (3 by default),
one after the other, after the cluster: each run's figure is printed, and the cluster is
compared with the run of the median.

Figures:

* boot: wall time from the fleets' start to every station Accepted (the processes are up
  before; their start-up is printed apart);
* CPU over the window, per kind of process, as a share of one core: fleets, CSMS nodes, API
  node, PostgreSQL (every ``postgres`` process), Redis;
* RSS per station: each fleet's (VmRSS once booted - VmRSS before building) / its stations;
  each CSMS node's (VmRSS once booted - VmRSS once listening) / the stations it holds; for the
  baseline, both sides in its one process;
* rows/s: rows inserted into PostgreSQL over the window (``pg_stat_user_tables.n_tup_ins``; for
  the baseline, the growth of every SQLite table);
* REST p50 / p99 and errors (any answer but 200, or none in 10 s);
* stored: stations of the fleet present in the central system's ``stations`` table.

``--boot-only`` ends the cluster's run once every station is Accepted (no charging, no steady
window): the boot's figures, a few minutes sooner. ``--keep-logs DIR`` keeps every process's
log and the run's Redis files in ``DIR`` (by default a temporary directory, removed); ``kill
-USR1`` on a fleet prints where each of its tasks waits.

Targets (on a 2-core machine): 100,000 booted in <= 150 s; REST p99 <= 250 ms with no
errors; <= 25 KiB a station on the fleets' side, <= 30 KiB on the CSMS side; every booted
station stored. Printed as met / NOT met; the exit code is 0 regardless (a report, not a
test). Children ignore Ctrl-C and die with this process; every process and the database are
removed on every exit path. Linux only (/proc, prctl).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from _children import (
    become_child,
    machine_busy_seconds,
    process_cpu_seconds,
    receive,
    start_child,
    stop_child,
)

if TYPE_CHECKING:
    from chargeyard.fleet.fleet import Fleet

TEMPLATE = "alfen-eve-single-pro-line"
HEARTBEAT_S = 300
METER_S = 60
CONNECTS = 100
BOOT_TIMEOUT_S = 1_200.0
REST_TIMEOUT_S = 10.0
READY_TIMEOUT_S = 120.0
PROGRESS_EVERY_S = 10.0
CHARGING_WAIT_S = 300.0
# How much longer than that a fleet may take to say how many charge: a fleet of 12,500 on a
# machine shared with fifteen other processes answers late (a fleet said nothing for 360 s).
CHARGING_GRACE_S = 300.0
"""How long the tenth get to be charging before the window starts with those that are."""
STATIONS_PER_PROCESS = 16_667
"""Connections a process holds at most by default: under its 20,000 open files with room for
its database, Redis and log files. Fewer, larger processes boot a fleet sooner on two cores
(docs/benchmarks-scale.md has 6 and 6 against 8 and 8): each process has its fixed costs, and
each turn on a core is shared among fewer of them."""

BOOT_TARGET_S_PER_100K = 150.0
P99_TARGET_MS = 250.0
FLEET_RSS_TARGET_KIB = 25.0
CSMS_RSS_TARGET_KIB = 30.0


@dataclass(frozen=True, slots=True)
class Plan:
    stations: int
    csms_nodes: int
    fleets: int
    baseline_stations: int
    steady_seconds: float
    settle_seconds: float
    rest_rate: float
    postgres: str
    boot_only: bool = False
    charging_share: float = 0.1
    baseline_runs: int = 3


# -- processes and their figures --------------------------------------------------------------


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1])


def postgres_pids() -> list[int]:
    """Every process of the machine's PostgreSQL server (its backends come and go)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            comm_path = f"/proc/{entry}/comm"
            with contextlib.suppress(OSError), open(comm_path, encoding="ascii") as comm:
                if comm.read().strip() in {"postgres", "postmaster"}:
                    pids.append(int(entry))
    return pids


def cpu_seconds(pids: Sequence[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):  # a backend that just ended
            total += process_cpu_seconds(pid)
    return total


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_listening(host: str, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} ended:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port} after {READY_TIMEOUT_S:.0f} s")


class Processes:
    """Child processes of the run (the CLI's, redis-server), each in a session of its own, all
    stopped at the end: SIGTERM, then SIGKILL."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *command: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.directory / f"{name}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                start_new_session=True,
                env={k: v for k, v in os.environ.items() if not k.startswith("CHARGEYARD_")},
            )
        self.running.append(process)
        return process, log

    def stop_all(self) -> None:
        for process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.running):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def chargeyard(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "chargeyard.cli", *arguments]


# -- PostgreSQL -------------------------------------------------------------------------------


def _asyncpg_url(url: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _admin(url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    async def run() -> None:
        connection = await asyncpg.connect(_asyncpg_url(url))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def _query(url: str, statement: str) -> Any:
    import asyncpg

    async def run() -> Any:
        connection = await asyncpg.connect(_asyncpg_url(url))
        try:
            return await connection.fetchval(statement)
        finally:
            await connection.close()

    return asyncio.run(run())


@contextlib.contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    name = f"chargeyard_scale_{uuid.uuid4().hex[:10]}"
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield _asyncpg_url(admin_url, name)
    finally:
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


INSERTED_ROWS = "SELECT coalesce(sum(n_tup_ins), 0)::bigint FROM pg_stat_user_tables"


# -- the fleets -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FleetSample:
    rss_kib: int
    cpu_seconds: float
    wall: float
    # The fleet's failed attempts so far (dials that failed, connections dropped before the
    # station was Accepted) and what its latest connection problems were.
    failed_attempts: int = 0
    problems: tuple[str, ...] = ()
    # Connections lost once open (a station Accepted, then dropped, dials again): none in a
    # healthy boot.
    dropped: int = 0


def _fleet_sample(fleet: Fleet | None = None) -> FleetSample:
    sample = FleetSample(rss_kib(os.getpid()), time.process_time(), time.monotonic())
    if fleet is None:
        return sample
    status = fleet.status()
    problems = tuple(what for _, _, what in status.errors)
    return replace(
        sample, failed_attempts=status.failures, problems=problems, dropped=status.disconnects
    )


class LateAnswers(logging.Handler):
    """Counts the answers a station got after its call had timed out (the session logs each
    as "dropped: CALLRESULT for unknown id ..."), instead of printing thousands of lines: a
    sign of an overloaded CSMS. The session's other warnings are counted by kind."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.other: dict[str, int] = {}
        session = logging.getLogger("chargeyard.protocol.session")
        session.addHandler(self)
        session.propagate = False

    def emit(self, record: logging.LogRecord) -> None:
        # The kind is the log call's format (ids and payloads left out); a drop's reason is
        # kept to its first words.
        kind = str(record.msg)
        if kind == "dropped: %s" and record.args:
            reason = str(record.args[0])  # type: ignore[index]
            if reason.startswith(("CALLRESULT for unknown id", "CALLERROR for unknown id")):
                self.count += 1
                return
            kind = "dropped: " + " ".join(reason.split()[:3])
        self.other[kind] = self.other.get(kind, 0) + 1


def sample_every_minute(station: Any) -> None:
    """A ``StationV16``'s setup: MeterValues every minute while charging, no clock-aligned
    readings (every 15 min by default)."""
    station.config.change("MeterValueSampleInterval", str(METER_S))
    station.config.change("ClockAlignedDataInterval", "0")


async def warm_up(template: Any, url: str, identity: str) -> None:
    """One station booted and gone before the fleet is measured: imports and compiled schemas
    are not a station's cost."""
    from chargeyard.fleet.fleet import Fleet

    async with Fleet() as warm:
        warm.add(template, csms_url=url, ids=[identity], setup=sample_every_minute)
        warm.start_all()
        async with asyncio.timeout(60):
            await warm.wait_booted()
    gc.collect()


async def start_charging(fleet: Any, tag_prefix: str, share: float) -> tuple[int, int, float]:
    """The first ``share`` of ``fleet`` plug in at once and present an id token; returns how
    many are charging once all are, or after :data:`CHARGING_WAIT_S`, how many plugged in, and
    the seconds that took."""
    started = time.monotonic()
    charging = fleet.stations()[: int(len(fleet.stations()) * share)]
    for n, station in enumerate(charging):
        station.plug(1, 1)
        station.present_id_token(f"{tag_prefix}{n:06d}")
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(CHARGING_WAIT_S):
            # Counted over the tenth only, twice a second: the fleet's whole status every
            # 50 ms would be most of the fleet's CPU while it waits.
            await fleet.wait_until(lambda: _charging(charging) >= len(charging), interval=0.5)
    return _charging(charging), len(charging), time.monotonic() - started


def _charging(stations: Sequence[Any]) -> int:
    """How many of ``stations`` have a connector Charging."""
    from chargeyard.fleet.fleet_status import model_of
    from chargeyard.station.model.states import ConnectorStatus

    return sum(
        any(
            connector.status is ConnectorStatus.CHARGING
            for evse in model.evses.values()
            for connector in evse.connectors.values()
        )
        for model in map(model_of, stations)
        if model is not None
    )


def identities(fleet: int, count: int) -> list[str]:
    return [f"SC{fleet:02d}-{n:06d}" for n in range(count)]


def _fleet_main(number: int, url: str, count: int, charge: float, pipe: Connection) -> None:
    become_child()
    from chargeyard import event_loop

    event_loop.run(_run_fleet(number, url, count, charge, pipe))


async def _run_fleet(number: int, url: str, count: int, charge: float, pipe: Connection) -> None:
    """``charge``: the share of the fleet that plugs in once all are booted (0: none)."""
    from chargeyard.fleet.fleet import Fleet, freeze_gc
    from chargeyard.station.catalog import load_catalog

    template = load_catalog().template(TEMPLATE)
    late = LateAnswers()
    # `kill -USR1 <fleet>` prints where each of its tasks waits: what a fleet that stopped
    # reporting is doing.
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, _print_tasks, number)

    await warm_up(template, url, f"SCWARM-{number:02d}")
    before = _fleet_sample()
    fleet = Fleet(connect_limit=CONNECTS, seed=number)
    fleet.add(template, csms_url=url, ids=identities(number, count), setup=sample_every_minute)
    freeze_gc()
    pipe.send(("built", before))
    assert pipe.recv() == "go"
    fleet.start_all()
    async with asyncio.timeout(BOOT_TIMEOUT_S):
        while True:
            try:
                async with asyncio.timeout(PROGRESS_EVERY_S):
                    await fleet.wait_booted()
                break
            except TimeoutError:
                status = fleet.status()
                latest = status.errors[-1][1:] if status.errors else None
                pipe.send(("progress", (status.booted, status.stations - status.connected, latest)))
    booted = _fleet_sample(fleet)
    freeze_gc()
    pipe.send(("booted", booted))
    charging = await start_charging(fleet, f"SCALE{number:02d}", charge) if charge else (0, 0, 0.0)
    pipe.send(("charging", charging))
    loop = asyncio.get_running_loop()
    while True:
        request = await loop.run_in_executor(None, pipe.recv)
        if request == "sample":
            pipe.send(("sample", _fleet_sample(), fleet.status().booted, late.count, late.other))
        else:
            break


def _print_tasks(number: int) -> None:
    tasks = asyncio.all_tasks()
    print(f"fleet {number}: {len(tasks)} tasks", file=sys.stderr)
    for task in tasks:
        if task.get_name().startswith("Task-"):  # (the stations' own are named)
            task.print_stack(limit=8, file=sys.stderr)
    sys.stderr.flush()


# -- the REST client --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestReport:
    sent: int
    latencies_ms: list[float]
    errors: list[str]


def _rest_main(
    base: str, key: str, ids: list[str], rate: float, seconds: float, pipe: Connection
) -> None:
    become_child()
    from chargeyard import event_loop

    pipe.send(event_loop.run(_rest(base, key, ids, rate, seconds)))


async def _rest(base: str, key: str, ids: list[str], rate: float, seconds: float) -> RestReport:
    import httpx

    chooser = random.Random(7)
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(
        base_url=base, headers={"X-API-Key": key}, timeout=REST_TIMEOUT_S, limits=limits
    ) as client:

        async def one(identity: str) -> None:
            began = time.perf_counter()
            try:
                response = await client.post(
                    f"/api/v1/chargers/{identity}/configuration/get",
                    json={"key": ["HeartbeatInterval"]},
                )
            except httpx.HTTPError as error:
                errors.append(f"{identity}: {type(error).__name__}")
                return
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                errors.append(f"{identity}: {response.status_code} {response.text[:200]}")

        count = int(rate * seconds)
        start = time.perf_counter()
        tasks = []
        for n in range(count):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(chooser.choice(ids))))
        await asyncio.gather(*tasks)
    return RestReport(count, latencies, errors)


def run_rest(context: Any, base: str, key: str, ids: list[str], plan: Plan) -> RestReport:
    process, pipe = start_child(
        context, _rest_main, (base, key, ids, plan.rest_rate, plan.steady_seconds), "rest"
    )
    try:
        report: RestReport = receive(pipe, process, plan.steady_seconds + 120)
        return report
    finally:
        stop_child(process, 10)


# -- the cluster ------------------------------------------------------------------------------


@dataclass(slots=True)
class Result:
    setup: str
    stations: int
    booted: int = 0
    stored: int = 0
    processes_ready_seconds: float = 0.0
    boot_seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # kind -> share of one core
    fleet_rss_kib_per_station: float = 0.0
    csms_rss_kib_per_station: float = 0.0
    csms_rss_kib_per_node: list[float] = field(default_factory=list)
    rows_per_second: float = 0.0
    rest_sent: int = 0
    rest_p50_ms: float = 0.0
    rest_p99_ms: float = 0.0
    rest_errors: list[str] = field(default_factory=list)
    other_cpu: float = 0.0
    boot_cpu: dict[str, float] = field(default_factory=dict)  # kind -> CPU seconds in the boot
    boot_machine_cpu: float = 0.0  # CPU seconds of the whole machine during the boot
    late_answers: int = 0  # answers a station got after its call had timed out
    fleet_boot_seconds: list[float] = field(default_factory=list)  # each fleet's all booted
    boot_failed_attempts: int = 0  # the fleets' failed attempts until all were booted
    boot_problems: dict[str, int] = field(default_factory=dict)  # their latest, by kind
    boot_dropped: int = 0  # the fleets' connections lost once open, until all were booted
    other_warnings: dict[str, int] = field(default_factory=dict)  # the fleets' sessions' others
    charging: int = 0
    charging_asked: int = 0  # how many plugged in and presented a token
    charging_seconds: float = 0.0  # from the plug-in to the last of them charging
    # The one process's CPU a booted station in each of its runs, lowest first (ms).
    boot_cpu_ms_per_run: list[float] = field(default_factory=list)


def _percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure_cluster(plan: Plan, directory: Path) -> Result:
    result = Result("cluster", plan.stations)
    directory.mkdir(parents=True, exist_ok=True)
    processes = Processes(directory)
    context = multiprocessing.get_context("spawn")
    fleets: list[tuple[BaseProcess, Connection]] = []
    try:
        with scratch_database(plan.postgres) as database:
            launched = time.monotonic()
            redis_port = free_port("127.0.0.1")
            redis, redis_log = processes.start(
                "redis",
                shutil.which("redis-server") or "redis-server",
                *("--bind", "127.0.0.1", "--port", str(redis_port), "--save", ""),
                *("--appendonly", "no", "--maxclients", "1000"),
            )
            wait_listening("127.0.0.1", redis_port, redis, redis_log)
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
            cluster = ("--database-url", database, "--redis-url", redis_url)
            key = subprocess.run(
                chargeyard("apikey", "create", "--name", "scale", "--database-url", database),
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()  # migrates the database first: the nodes find it ready
            nodes = []
            for k in range(plan.csms_nodes):
                host = f"127.0.0.{k + 2}"
                port = free_port(host)
                node, log = processes.start(
                    f"csms-{k}",
                    *chargeyard(
                        "csms",
                        *("--host", host, "--port", str(port), "--api-port", "0"),
                        *("--metrics-port", "0"),
                        *cluster,
                        *("--node-name", f"scale-csms-{k}", "--auto-register"),
                        *("--accept-unknown-tags", "--heartbeat-interval", str(HEARTBEAT_S)),
                        *("--data-dir", str(directory / f"csms-{k}"), "--log-level", "WARNING"),
                    ),
                )
                nodes.append((node, log, host, port))
            api_port = free_port("127.0.0.1")
            api, api_log = processes.start(
                "api",
                *chargeyard(
                    "api",
                    *("--host", "127.0.0.1", "--port", str(api_port), *cluster),
                    *("--metrics-port", "0"),
                    *("--node-name", "scale-api", "--data-dir", str(directory / "api")),
                    *("--log-level", "WARNING"),
                ),
            )
            for node, log, host, port in nodes:
                wait_listening(host, port, node, log)
            wait_listening("127.0.0.1", api_port, api, api_log)
            result.processes_ready_seconds = time.monotonic() - launched

            shares = [plan.stations // plan.fleets] * plan.fleets
            shares[-1] += plan.stations - sum(shares)
            for f, share in enumerate(shares):
                _, _, host, port = nodes[f % len(nodes)]
                url = f"ws://{host}:{port}/ocpp"
                fleets.append(
                    start_child(
                        context,
                        _fleet_main,
                        (f, url, share, 0.0 if plan.boot_only else plan.charging_share),
                        f"fleet-{f}",
                    )
                )
            built = [receive(pipe, process, 300)[1] for process, pipe in fleets]
            node_pids = [node.pid for node, _, _, _ in nodes]
            nodes_before = [rss_kib(pid) for pid in node_pids]
            kinds = {
                "CSMS nodes": node_pids,
                "API node": [api.pid],
                "Redis": [redis.pid],
            }

            meter = CpuMeter(kinds, fleets)
            started = time.monotonic()
            for _, pipe in fleets:
                pipe.send("go")
            booted = _boot(fleets, shares, started)
            result.fleet_boot_seconds = [sample.wall - started for sample in booted]
            result.boot_seconds = max(result.fleet_boot_seconds)
            result.boot_cpu, result.boot_machine_cpu = meter.spent()
            result.boot_failed_attempts = sum(sample.failed_attempts for sample in booted)
            result.boot_problems = dict(Counter(what for s in booted for what in s.problems))
            result.boot_dropped = sum(sample.dropped for sample in booted)
            nodes_booted = [rss_kib(pid) for pid in node_pids]
            per_node = [0] * len(nodes)
            for f, share in enumerate(shares):
                per_node[f % len(nodes)] += share + 1  # and its warm-up station
            result.fleet_rss_kib_per_station = max(
                (b.rss_kib - a.rss_kib) / share
                for a, b, share in zip(built, booted, shares, strict=True)
            )
            result.csms_rss_kib_per_node = [
                (after - before) / held
                for before, after, held in zip(nodes_before, nodes_booted, per_node, strict=True)
            ]
            result.csms_rss_kib_per_station = max(result.csms_rss_kib_per_node)
            charged = [  # its share charging, or as many as did in the time given
                receive(pipe, process, CHARGING_WAIT_S + CHARGING_GRACE_S)[1]
                for process, pipe in fleets
            ]
            result.charging = sum(count for count, _, _ in charged)
            result.charging_asked = sum(asked for _, asked, _ in charged)
            result.charging_seconds = max(seconds for _, _, seconds in charged)
            if not plan.boot_only:
                time.sleep(plan.settle_seconds)
                base = f"http://127.0.0.1:{api_port}"
                _steady_window(result, plan, context, database, base, key, kinds, fleets, shares)
            result.booted, result.late_answers, result.other_warnings = _booted_and_late(fleets)
            result.stored = _stored(database)
            for _, pipe in fleets:
                pipe.send("stop")
            processes.stop_all()  # before their database is dropped
    finally:
        for process, _ in fleets:
            stop_child(process, 10)
        processes.stop_all()
    return result


def _steady_window(
    result: Result,
    plan: Plan,
    context: Any,
    database: str,
    base: str,
    key: str,
    kinds: dict[str, list[int]],
    fleets: list[tuple[BaseProcess, Connection]],
    shares: list[int],
) -> None:
    """The window's figures: CPU of each kind, rows inserted, and the REST client's round
    trips to random stations, sent meanwhile."""
    rows_before = _query(database, INSERTED_ROWS)
    meter, window_start = CpuMeter(kinds, fleets), time.monotonic()
    all_ids = [i for f, share in enumerate(shares) for i in identities(f, share)]
    rest = run_rest(context, base, key, all_ids, plan)
    window = time.monotonic() - window_start
    spent, machine = meter.spent()
    time.sleep(1.0)  # PostgreSQL's statistics are flushed within a second
    rows = _query(database, INSERTED_ROWS) - rows_before
    result.cpu = {kind: seconds / window for kind, seconds in spent.items()}
    result.other_cpu = max(0.0, machine / window - sum(result.cpu.values()))
    result.rows_per_second = rows / window
    _rest_figures(result, rest)


def _boot(
    fleets: list[tuple[BaseProcess, Connection]], shares: list[int], started: float
) -> list[FleetSample]:
    """Each fleet's sample once all its stations are Accepted; prints the count meanwhile."""
    from multiprocessing.connection import wait

    pending = {pipe: process for process, pipe in fleets}
    share_of = {pipe: share for (_, pipe), share in zip(fleets, shares, strict=True)}
    counts: dict[Connection, int] = dict.fromkeys(pending, 0)
    # Stations not connected now, and the latest connection problem, of each fleet still
    # booting: what a stalled boot is waiting for.
    offline: dict[Connection, int] = dict.fromkeys(pending, 0)
    problems: dict[Connection, tuple[str, str] | None] = dict.fromkeys(pending)
    samples: dict[Connection, FleetSample] = {}
    printed = started
    while pending:
        ready = wait(list(pending), timeout=BOOT_TIMEOUT_S)
        if not ready:
            raise TimeoutError(f"not every station booted in {BOOT_TIMEOUT_S:.0f} s")
        for pipe in ready:
            assert isinstance(pipe, Connection)
            kind, value = receive(pipe, pending[pipe], 1)
            if kind == "booted":
                samples[pipe] = value
                counts[pipe], offline[pipe], problems[pipe] = share_of[pipe], 0, None
                del pending[pipe]
            else:
                counts[pipe], offline[pipe], problems[pipe] = value
        now = time.monotonic()
        if pending and now - printed >= PROGRESS_EVERY_S:
            printed, booted, apart = now, sum(counts.values()), sum(offline.values())
            latest = next((p for p in problems.values() if p is not None), None)
            print(
                f"  {now - started:5.0f} s: {booted:,} booted, {apart:,} not connected"
                + (f" (latest problem: {latest[0]}: {latest[1]})" if latest else ""),
                flush=True,
            )
    return [samples[pipe] for _, pipe in fleets]


def _stored(database: str) -> int:
    """Stations of the fleets in the central system's ``stations`` table."""
    count: int = _query(database, "SELECT count(*) FROM stations WHERE charge_box_id LIKE 'SC__-%'")
    return count


class CpuMeter:
    """CPU seconds each kind of process spent since the meter was made: ``kinds`` (name ->
    pids), the fleets, PostgreSQL (per backend: one that ended meanwhile cannot be read and is
    not counted, one that began is counted whole), and the whole machine."""

    def __init__(
        self, kinds: dict[str, list[int]], fleets: list[tuple[BaseProcess, Connection]]
    ) -> None:
        self._kinds, self._fleets = kinds, fleets
        self._before = {kind: cpu_seconds(pids) for kind, pids in kinds.items()}
        self._fleets_before = _fleet_cpu(fleets)
        self._postgres_before = {pid: cpu_seconds([pid]) for pid in postgres_pids()}
        self._machine_before = machine_busy_seconds()

    def spent(self) -> tuple[dict[str, float], float]:
        """(CPU seconds by kind, CPU seconds of the whole machine) so far."""
        spent = {kind: cpu_seconds(pids) - self._before[kind] for kind, pids in self._kinds.items()}
        spent["fleets"] = _fleet_cpu(self._fleets) - self._fleets_before
        spent["PostgreSQL"] = sum(
            cpu_seconds([pid]) - self._postgres_before.get(pid, 0.0) for pid in postgres_pids()
        )
        return spent, machine_busy_seconds() - self._machine_before


def _fleet_cpu(fleets: list[tuple[BaseProcess, Connection]]) -> float:
    return sum(process_cpu_seconds(process.pid) for process, _ in fleets)


def _booted_and_late(
    fleets: list[tuple[BaseProcess, Connection]],
) -> tuple[int, int, dict[str, int]]:
    """Stations booted, answers that came after the station's call had timed out, and the
    stations' sessions' other warnings by kind."""
    booted = late = 0
    other: dict[str, int] = {}
    for process, pipe in fleets:
        pipe.send("sample")
        _, _, fleet_booted, fleet_late, fleet_other = receive(pipe, process, 60)
        booted, late = booted + fleet_booted, late + fleet_late
        for kind, count in fleet_other.items():
            other[kind] = other.get(kind, 0) + count
    return booted, late, other


def _rest_figures(result: Result, rest: RestReport) -> None:
    result.rest_sent = rest.sent
    result.rest_p50_ms = _percentile(rest.latencies_ms, 0.50)
    result.rest_p99_ms = _percentile(rest.latencies_ms, 0.99)
    result.rest_errors = rest.errors


# -- the one-process baseline -----------------------------------------------------------------


def _baseline_main(plan: Plan, directory: str, pipe: Connection) -> None:
    become_child()
    from chargeyard import event_loop

    event_loop.run(_baseline(plan, Path(directory), pipe))


async def _baseline(plan: Plan, directory: Path, pipe: Connection) -> None:
    from chargeyard.api.settings import ApiSettings
    from chargeyard.csms.server import CsmsSettings
    from chargeyard.fleet.fleet import Fleet, freeze_gc
    from chargeyard.stack import ApiOptions, assemble
    from chargeyard.station.catalog import load_catalog

    database = f"sqlite+aiosqlite:///{directory / 'chargeyard.db'}"
    settings = CsmsSettings(
        host="127.0.0.1",
        port=0,
        heartbeat_interval=HEARTBEAT_S,
        auto_register=True,
        accept_unknown_tags=True,
    )
    template = load_catalog().template(TEMPLATE)
    late = LateAnswers()

    async with contextlib.AsyncExitStack() as running:
        stack = await assemble(
            running,
            database_url=database,
            settings=settings,
            max_payload_chars=8_192,
            webhook_outbound=None,
            api=ApiOptions(ApiSettings(), host="127.0.0.1", port=0),
        )
        _, key = await stack.store.api_keys.create("scale")
        url = f"ws://127.0.0.1:{stack.central.server.port}/ocpp"
        await warm_up(template, url, "SCWARM-BL")
        before = _fleet_sample()
        ids = identities(0, plan.baseline_stations)
        fleet = Fleet(connect_limit=CONNECTS, seed=0)
        fleet.add(template, csms_url=url, ids=ids, setup=sample_every_minute)
        freeze_gc()
        started, boot_began = time.monotonic(), _fleet_sample()
        fleet.start_all()
        async with asyncio.timeout(BOOT_TIMEOUT_S):
            await fleet.wait_booted()
        boot_seconds = time.monotonic() - started
        after = _fleet_sample()
        freeze_gc()
        _, asked, charging_seconds = await start_charging(fleet, "SCALE00", plan.charging_share)
        await asyncio.sleep(plan.settle_seconds)
        rows_before = await _sqlite_rows(stack.store)
        pipe.send(
            (
                f"http://127.0.0.1:{stack.api_port}",
                key,
                ids,
                boot_seconds,
                after.cpu_seconds - boot_began.cpu_seconds,
                (after.rss_kib - before.rss_kib) / len(ids),
                asked,
                charging_seconds,
            )
        )
        # The window: the coordinator runs the REST client and samples this process's CPU.
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, pipe.recv) == "window over"
        rows = await _sqlite_rows(stack.store) - rows_before
        stored = await _sqlite_count(stack.store, "SELECT count(*) FROM stations")
        status = fleet.status()  # (stored: not the warm-up station)
        pipe.send((rows, status.booted, status.charging, stored - 1, late.count))
        await fleet.__aexit__(None, None, None)


async def _sqlite_rows(store: Any) -> int:
    from sqlalchemy import text

    async with store.engine.connect() as connection:
        tables = (
            await connection.execute(
                text(
                    "SELECT name FROM sqlite_master"
                    " WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
                )
            )
        ).scalars()
        total = 0
        for table in list(tables):
            total += (
                await connection.execute(text(f'SELECT count(*) FROM "{table}"'))
            ).scalar_one()
        return total


async def _sqlite_count(store: Any, statement: str) -> int:
    from sqlalchemy import text

    async with store.engine.connect() as connection:
        count: int = (await connection.execute(text(statement))).scalar_one()
        return count


def measure_baseline(plan: Plan, directory: Path) -> Result:
    result = Result("one process", plan.baseline_stations)
    context = multiprocessing.get_context("spawn")
    directory.mkdir(parents=True, exist_ok=True)
    process, pipe = start_child(context, _baseline_main, (plan, str(directory)), "baseline")
    try:
        answer = receive(pipe, process, BOOT_TIMEOUT_S + 300)
        base, key, ids, result.boot_seconds, boot_cpu, per_station, asked, seconds = answer
        result.boot_cpu, result.charging_asked = {"one process": boot_cpu}, asked
        result.charging_seconds = seconds
        result.fleet_rss_kib_per_station = result.csms_rss_kib_per_station = per_station
        cpu_before, machine_before = process_cpu_seconds(process.pid), machine_busy_seconds()
        window_start = time.monotonic()
        rest = run_rest(context, base, key, ids, plan)
        window = time.monotonic() - window_start
        cpu = (process_cpu_seconds(process.pid) - cpu_before) / window
        result.cpu = {"one process": cpu}
        result.other_cpu = max(0.0, (machine_busy_seconds() - machine_before) / window - cpu)
        pipe.send("window over")
        rows, result.booted, result.charging, result.stored, result.late_answers = receive(
            pipe, process, 120
        )
        result.rows_per_second = rows / window
        _rest_figures(result, rest)
    finally:
        stop_child(process, 30)
    return result


def measure_baselines(plan: Plan, directory: Path) -> Result:
    """The one process ``plan.baseline_runs`` times, one after the other: the run of the median
    CPU a booted station, with every run's figure (the module docstring says why)."""
    runs = []
    for run in range(1, plan.baseline_runs + 1):
        result = measure_baseline(plan, directory / f"run-{run}")
        print(
            f"  one process, run {run} of {plan.baseline_runs}: all booted in "
            f"{result.boot_seconds:.1f} s, {1000 * boot_cpu_per_station(result):.2f} ms of CPU "
            "a booted station",
            flush=True,
        )
        runs.append(result)
    runs.sort(key=boot_cpu_per_station)
    median = runs[len(runs) // 2]
    median.boot_cpu_ms_per_run = [1000 * boot_cpu_per_station(run) for run in runs]
    return median


# -- reporting --------------------------------------------------------------------------------


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _boot_problems_lines(result: Result) -> list[str]:
    """When each fleet had all its stations booted (a fleet dials its node only, so the
    slowest pair of fleet and node ends the boot), and the fleets' failed attempts until then
    (each one a station's wait before it dials again, full jitter from 1 s up to 60 s) with
    what the latest of them were, by kind, and the connections lost once open (each a station
    that dials and boots again)."""
    if not result.fleet_boot_seconds:
        return []  # (the one process counts none)
    lines = []
    if len(result.fleet_boot_seconds) > 1:
        done = ", ".join(f"{seconds:.1f}" for seconds in sorted(result.fleet_boot_seconds))
        lines.append(f"  each fleet all booted at (s): {done}")
    if result.boot_failed_attempts:
        kinds = sorted(result.boot_problems.items(), key=lambda kv: -kv[1])[:3]
        lines.append(
            f"  failed attempts in the boot: {result.boot_failed_attempts:,}; the latest: "
            + "; ".join(f"{what} ({count})" for what, count in kinds)
        )
    else:
        lines.append("  failed attempts in the boot: none")
    lines.append(f"  connections lost once open in the boot: {result.boot_dropped:,}")
    return lines


def describe(result: Result) -> list[str]:
    lines = [
        f"{result.setup}: {result.stations:,} stations",
        f"  processes up in {result.processes_ready_seconds:.1f} s; all booted "
        f"{result.booted:,} in {result.boot_seconds:.1f} s; stored {result.stored:,}; "
        f"charging {result.charging:,} of {result.charging_asked:,} plugged in "
        f"(in {result.charging_seconds:.1f} s); "
        f"answers after the station's timeout: {result.late_answers:,}",
        *_boot_cpu_line(result),
        *_boot_problems_lines(result),
        *(
            f"  the stations' sessions warned {count:,} times: {kind}"
            for kind, count in sorted(result.other_warnings.items(), key=lambda kv: -kv[1])[:5]
        ),
    ]
    if result.cpu:  # (not with --boot-only)
        cpu = ", ".join(f"{kind} {share:.0%}" for kind, share in result.cpu.items())
        lines.append(
            f"  CPU over the window (of one core): {cpu}; rest of the machine"
            f" {result.other_cpu:.0%}"
        )
    lines.append(
        f"  RSS a station: fleet side {result.fleet_rss_kib_per_station:.1f} KiB, CSMS side "
        f"{result.csms_rss_kib_per_station:.1f} KiB"
        + (" (both in one process)" if result.setup == "one process" else _nodes_rss(result))
    )
    if result.cpu:
        lines += [
            f"  rows inserted/s: {result.rows_per_second:,.0f}",
            f"  REST configuration/get: {result.rest_sent} sent, p50 {result.rest_p50_ms:.1f} ms,"
            f" p99 {result.rest_p99_ms:.1f} ms, errors {len(result.rest_errors)}",
            *(f"    {error}" for error in result.rest_errors[:5]),
        ]
    return lines


def _nodes_rss(result: Result) -> str:
    """The worst node's figure is the one judged; the others say whether it is typical."""
    nodes = sorted(result.csms_rss_kib_per_node)
    spread = f", nodes {nodes[0]:.1f} to {nodes[-1]:.1f}" if len(nodes) > 1 else ""
    return f" (worst node{spread})"


def _boot_cpu_line(result: Result) -> list[str]:
    if not result.boot_cpu or result.boot_seconds <= 0:
        return []
    spent = ", ".join(f"{kind} {seconds:,.1f} s" for kind, seconds in result.boot_cpu.items())
    cores = os.cpu_count() or 1
    busy = (
        f"; the machine was busy "
        f"{result.boot_machine_cpu / (cores * result.boot_seconds):.0%} of its {cores} cores"
        if result.boot_machine_cpu
        else ""
    )
    stations = max(1, result.booted or result.stations)
    sides = ""
    if "fleets" in result.boot_cpu:
        fleet_side = result.boot_cpu["fleets"]
        central_side = sum(result.boot_cpu.values()) - fleet_side
        sides = (
            f" (stations' side {1000 * fleet_side / stations:.2f} ms, central system's side "
            f"{1000 * central_side / stations:.2f} ms: its nodes, PostgreSQL, Redis, API node)"
        )
    return [
        f"  CPU during the boot: {spent}{busy}",
        f"  CPU a booted station: {1000 * boot_cpu_per_station(result):.2f} ms{sides}",
    ]


def boot_cpu_per_station(result: Result) -> float:
    """CPU seconds every process of the setup spent in the boot, per station booted."""
    return sum(result.boot_cpu.values()) / max(1, result.booted or result.stations)


CPU_RATIO_TARGET = 1.5
"""The cluster's CPU a booted station, at most this many times the one process's."""


def compared(cluster: Result, baseline: Result) -> list[str]:
    """The cluster's CPU a booted station against the one process's, in the same run."""
    ours, theirs = boot_cpu_per_station(cluster), boot_cpu_per_station(baseline)
    if not ours or not theirs:
        return []
    ratio = ours / theirs
    runs = baseline.boot_cpu_ms_per_run
    median = (
        f" (the median of its {len(runs)} runs: "
        + ", ".join(f"{ms:.2f}" for ms in runs)
        + f" ms; against each, {ours * 1000 / runs[-1]:.2f}x to {ours * 1000 / runs[0]:.2f}x)"
        if len(runs) > 1
        else ""
    )
    return [
        f"CPU a booted station, cluster / one process: {1000 * ours:.2f} / {1000 * theirs:.2f} ms"
        f" = {ratio:.2f}x{median} (target <= {CPU_RATIO_TARGET}x): "
        + _verdict(ratio <= CPU_RATIO_TARGET)
    ]


def targets(cluster: Result, *, boot_only: bool = False) -> list[str]:
    boot_target = BOOT_TARGET_S_PER_100K * cluster.stations / 100_000
    if boot_only:
        return [
            "targets:",
            f"  all booted in <= {boot_target:.1f} s: {cluster.boot_seconds:.1f} s, "
            + _verdict(cluster.booted == cluster.stations and cluster.boot_seconds <= boot_target),
        ]
    return [
        "targets:",
        f"  all booted in <= {boot_target:.1f} s: {cluster.boot_seconds:.1f} s, "
        + _verdict(cluster.booted == cluster.stations and cluster.boot_seconds <= boot_target),
        f"  REST p99 <= {P99_TARGET_MS:.0f} ms, no errors: {cluster.rest_p99_ms:.1f} ms, "
        f"{len(cluster.rest_errors)} errors, "
        f"{_verdict(cluster.rest_p99_ms <= P99_TARGET_MS and not cluster.rest_errors)}",
        f"  <= {FLEET_RSS_TARGET_KIB:.0f} KiB a station, fleet side: "
        f"{cluster.fleet_rss_kib_per_station:.1f} KiB, "
        f"{_verdict(cluster.fleet_rss_kib_per_station <= FLEET_RSS_TARGET_KIB)}",
        f"  <= {CSMS_RSS_TARGET_KIB:.0f} KiB a station, CSMS side: "
        f"{cluster.csms_rss_kib_per_station:.1f} KiB, "
        f"{_verdict(cluster.csms_rss_kib_per_station <= CSMS_RSS_TARGET_KIB)}",
        f"  every booted station stored: {cluster.stored:,} of {cluster.booted:,}, "
        f"{_verdict(cluster.stored >= cluster.booted)}",
    ]


def processes_for(stations: int) -> int:
    return max(1, -(-stations // STATIONS_PER_PROCESS))


def main(argv: Sequence[str] | None = None) -> int:
    # SIGTERM (``timeout``, ``kill``) ends the run as Ctrl-C does: through the ``finally``
    # blocks that stop every process (the CLI's run in sessions of their own) and drop the
    # database. Left to its default, it ended this process alone and orphaned the nodes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=100_000)
    # As many processes of each kind as the open-file limit asks for (6 for 100,000): on two
    # cores, more processes than that only add their fixed costs.
    parser.add_argument("--csms-nodes", type=int)
    parser.add_argument("--fleets", type=int)
    parser.add_argument("--baseline-stations", type=int, default=5_000)
    # The one process's boot varies from run to run: compared at the median of this many.
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--steady-seconds", type=float, default=60.0)
    parser.add_argument("--settle-seconds", type=float, default=10.0)
    parser.add_argument("--rest-rate", type=float, default=20.0)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", default="cluster,baseline")
    parser.add_argument("--json", type=Path)
    # Where the processes' logs (and the run's Redis) go and stay; by default a temporary
    # directory, removed at the end.
    parser.add_argument("--keep-logs", type=Path)
    # Up to every station Accepted, then stop: the boot's figures in a few minutes less.
    parser.add_argument("--boot-only", action="store_true")
    # The share of each fleet that plugs in at once after the boot (a burst of Authorize,
    # StartTransaction and StatusNotification), then sends MeterValues every minute.
    parser.add_argument("--charging-share", type=float, default=0.1)
    arguments = parser.parse_args(argv)
    nodes = arguments.csms_nodes or processes_for(arguments.stations)
    fleets = arguments.fleets or processes_for(arguments.stations)
    if fleets < nodes:
        # Fleet k dials node k mod nodes: with fewer fleets, a node would hold no station
        # and stand idle, its figures per station meaningless.
        parser.error(f"--fleets ({fleets}) must be at least --csms-nodes ({nodes})")
    plan = Plan(
        stations=arguments.stations,
        csms_nodes=nodes,
        fleets=fleets,
        baseline_stations=arguments.baseline_stations,
        steady_seconds=arguments.steady_seconds,
        settle_seconds=arguments.settle_seconds,
        rest_rate=arguments.rest_rate,
        postgres=arguments.postgres,
        boot_only=arguments.boot_only,
        charging_share=arguments.charging_share,
        baseline_runs=max(1, arguments.baseline_runs),
    )
    chosen = set(arguments.only.split(","))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"benchmarks/scale.py, {stamp}, {os.cpu_count()} CPUs", flush=True)
    results = []
    # Each setup's figures are printed (and written) as soon as it is measured: the next one
    # takes minutes.
    scratch_directory = (
        tempfile.TemporaryDirectory(prefix="chargeyard-scale-")
        if arguments.keep_logs is None
        else contextlib.nullcontext(str(arguments.keep_logs))
    )
    with scratch_directory as scratch:
        for setup, measure in (("cluster", measure_cluster), ("baseline", measure_baselines)):
            if setup not in chosen:
                continue
            result = measure(plan, Path(scratch) / setup)
            results.append(result)
            lines = describe(result) + (
                targets(result, boot_only=plan.boot_only) if setup == "cluster" else []
            )
            print("\n".join(lines), flush=True)
            if len(results) == 2:
                print("\n".join(compared(*results)), flush=True)
            if arguments.json is not None:
                arguments.json.write_bytes(
                    orjson.dumps({"plan": asdict(plan), "results": [asdict(r) for r in results]})
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
