"""The cluster's bus on Redis lists against the same bus on Redis Streams, in one run: request and
answer round trips between two processes, their latency, CPU and Redis memory, and how long a
live node takes to serve a dead node's queued work.

Usage::

    python benchmarks/bus.py [--concurrency 1,64,1024] [--duration 3] [--warmup 1]
                             [--rounds 5] [--queued 10000] [--takeover 1000]
                             [--alive-ttl 3] [--streams-read-batch 100]
                             [--only lists,streams] [--json PATH]

Method
------
Both designs are whole implementations of the bus seam (``chargeyard.bus.CommandBus``), each
passing the bus contract tests (``tests/bus/``):

* ``lists``: :class:`~chargeyard.bus.redis_bus.RedisBus`, what the cluster's processes run: a
  list per node (``RPUSH`` from a routing script, ``BLPOP``);
* ``streams``: ``RedisStreamsBus`` of ``benchmarks/_streams_bus.py``, a stream and a consumer
  group per node (``XADD`` from the routing script, ``XREADGROUP`` of up to
  ``--streams-read-batch`` entries, 100 by default, then a script that acknowledges and
  deletes what it takes; a dead node's read and untaken entries are handed on to a live node,
  and none reaches two live nodes). With ``--streams-read-batch 1`` it reads one entry at a
  time, as the lists' ``BLPOP`` takes one: what the batch is worth.

Both route with the same Lua (the holders hash, the nodes in join order) and answer on the
asker's own list, so what differs is the node queue. The run starts a ``redis-server`` of its
own on a free port (``--save ''``, no append-only file; the machine's Redis is left alone),
and each design gets a key prefix of its own.

**Round trips.** For each design, a holding process (a worker, or a CSMS node) holds 1,024
chargers and serves
its node's runtime requests as ``gateway/runtime_service.py`` does: a task per request that
answers with a small result. An asking process (an API node) keeps N requests in flight
(``bus.request`` of a ``status`` request about one charger each, N = 1, 64 and 1,024); each
slot sends its next request when its answer comes. Once every slot has made 3 round trips (the
clients' connection pools are as large as the level needs: opening a thousand connections is
not what is measured) and ``--warmup`` seconds more have passed, the answers in
``--duration`` seconds are counted, and each one's latency (from the call to ``request`` to its
return) kept: p50 and p99. CPU seconds per 1,000 round trips, from ``/proc/<pid>/stat``, of the
asker, the holder and ``redis-server`` over the window; "other" is the share of a core the rest
of the machine used meanwhile (if it is high, every figure is low). The four processes start
together; at each level the designs take turns, a window each, ``--rounds`` times (the other
design's processes idle meanwhile), so that both meet the same load from the rest of the
machine. The table shows each figure's median over a design's windows; a ratio is the median
of the rounds' own ratios (two windows back to back). The asker does the same work in both
designs (two routing scripts and a ``BLPOP`` per round trip): its CPU per round trip tells how
much the machine's load moved the figures of a window.

**Memory.** ``--queued`` requests are queued for a node that holds their chargers and does not
read (each design in this process, in batches of 100; the node's ``alive`` key is given an
hour): ``MEMORY USAGE`` of the node's queue (``SAMPLES 0``: every element) over their number
is the Redis memory per request in flight. Then the node reads and answers them all. (It
depends on the contents only, not on the machine: measured once per design.)

**Takeover.** A survivor joins first (the placement node: a dead node's chargers go to it) and
serves; a doomed node holds 64 chargers. The doomed node is frozen (SIGSTOP) and the asker sends
``--takeover`` requests for its chargers: they wait in its queue (its reader, blocked in
``BLPOP`` or ``XREADGROUP`` when it froze, has the first ones delivered to it); meanwhile this
process renews the frozen node's ``alive`` key, as its last renewal would have, so that the
requests reach its queue however long sending them takes on a busy machine. Then the node is
killed (SIGKILL). Once its ``alive`` key has expired (``--alive-ttl`` seconds later: the bus's
``alive_ttl_s``, the same for both designs, 15 s by default in the cluster), the asker sends
one more request for the doomed node's chargers: routing it finds the node dead and hands its
queue on. Printed: the time from that request to the last answer, and how many of the requests
were answered by the survivor (the others never are), the median of ``--rounds`` runs. The
lists bus's watch of the requests it waits for (``bus/request_watch.py``: in chargeyard it moves
them a second after the key lapsed, and answers the one the frozen reader took ``node_gone``)
is off in the asker (``_bus_processes.ASKER_WATCH_S``), so that both designs hand the queue on
the same way.

This process only coordinates and samples: the holder, the survivor, the doomed node and the
asker are processes of their own (``_bus_processes.py``), which ignore Ctrl-C, are stopped on
every exit path and die with this one (PR_SET_PDEATHSIG); redis-server is stopped at the end.
Linux only (/proc, prctl). A report, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import itertools
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import orjson
from _bus_processes import (
    CHARGERS,
    DESIGNS,
    DOOMED,
    HOLDER,
    SURVIVOR,
    Level,
    Node,
    Takeover,
    asker_main,
    charger_ids,
    make_bus,
    node_main,
    queue_key,
    status_request,
)
from _children import (
    machine_busy_seconds,
    process_cpu_seconds,
    receive,
    start_child,
    stop_child,
)
from _streams_bus import READ_BATCH
from redis import Redis

from chargeyard.bus.requests import RuntimeAnswer

BASELINE = "lists"
QUEUE_BATCH = 100
OTHER_CPU_WARNING = 0.10
TIMEOUT_S = 120.0


# -- the coordinator -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    concurrency: tuple[int, ...]
    duration: float
    warmup: float
    rounds: int
    queued: int
    takeover: int
    alive_ttl_s: int
    streams_read_batch: int


@dataclass(frozen=True, slots=True)
class Window:
    """One design's figures at one level in one round."""

    design: str
    concurrency: int
    round: int
    round_trips_per_second: float
    p50_ms: float
    p99_ms: float
    asker_cpu_s_per_1000: float
    holder_cpu_s_per_1000: float
    redis_cpu_s_per_1000: float
    other_cpu: float  # share of one core used by the rest of the machine

    @property
    def cpu_s_per_1000(self) -> float:
        return self.asker_cpu_s_per_1000 + self.holder_cpu_s_per_1000 + self.redis_cpu_s_per_1000


@dataclass(slots=True)
class Results:
    windows: list[Window] = field(default_factory=list)
    queued_bytes_per_request: dict[str, float] = field(default_factory=dict)
    takeovers: dict[str, list[Takeover]] = field(default_factory=dict)


def _dies_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class OwnRedis:
    """A redis-server of the run's own on a free port, stopped at the end."""

    def __init__(self, directory: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("needs redis-server (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                *(binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""),
                *("--appendonly", "no", "--dir", str(directory), "--maxclients", "10000"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_dies_with_parent,  # (this process killed: no Redis left behind)
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError, Exception):
                if self.client.ping():
                    break
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)
        self.version = str(self.client.info("server")["redis_version"])

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        self.process.wait(10)


def measure_round_trips(redis: OwnRedis, plan: Plan, designs: list[str]) -> list[Window]:
    """A holder and an asker per design, all started at once; at each level, the designs take
    turns, one window each per round (the other design's processes idle meanwhile), so that
    both meet the same load from the rest of the machine."""
    context = multiprocessing.get_context("spawn")
    windows: list[Window] = []
    with _children(context) as started:
        askers = {}
        for n, design in enumerate(designs):
            prefix = f"bench:trips:{n}:"
            node = Node(
                design,
                redis.url,
                prefix,
                HOLDER,
                tuple(charger_ids()),
                plan.alive_ttl_s,
                plan.streams_read_batch,
            )
            holder, holder_pipe = started(node_main, (node,), f"{design}-holder")
            receive(holder_pipe, holder, TIMEOUT_S)
            asker, asker_pipe = started(asker_main, (design, redis.url, prefix), f"{design}-asker")
            pids = {"asker": asker.pid, "holder": holder.pid, "redis": redis.process.pid}
            askers[design] = (asker, asker_pipe, pids, holder_pipe)
        for concurrency, round_number in itertools.product(
            plan.concurrency, range(1, plan.rounds + 1)
        ):
            for design in designs:
                print(f"  {concurrency} in flight, round {round_number}: {design}", file=sys.stderr)
                asker, asker_pipe, pids, _ = askers[design]
                asker_pipe.send(("level", concurrency, plan.warmup, plan.duration))
                samples = []
                while (message := receive(asker_pipe, asker, TIMEOUT_S)) == "mark":
                    samples.append(_sample(pids))
                    asker_pipe.send("ok")
                windows.append(_window(design, round_number, message, samples))
        for _asker, asker_pipe, _pids, holder_pipe in askers.values():
            asker_pipe.send(("stop",))
            holder_pipe.send("stop")
    return windows


def _sample(pids: dict[str, int | None]) -> dict[str, float]:
    return {
        **{name: process_cpu_seconds(pid) for name, pid in pids.items()},
        "machine": machine_busy_seconds(),
    }


def _window(
    design: str, round_number: int, level: Level, samples: list[dict[str, float]]
) -> Window:
    start, end = samples
    spent = {name: end[name] - start[name] for name in start}
    per_1000 = 1000 / max(level.round_trips, 1)
    ours = spent["asker"] + spent["holder"] + spent["redis"]
    return Window(
        design=design,
        concurrency=level.concurrency,
        round=round_number,
        round_trips_per_second=level.round_trips / level.seconds,
        p50_ms=level.p50_ms,
        p99_ms=level.p99_ms,
        asker_cpu_s_per_1000=spent["asker"] * per_1000,
        holder_cpu_s_per_1000=spent["holder"] * per_1000,
        redis_cpu_s_per_1000=spent["redis"] * per_1000,
        other_cpu=max(0.0, spent["machine"] - ours) / level.seconds,
    )


def measure_memory(design: str, redis: OwnRedis, queued: int, prefix: str) -> float:
    """Bytes of the node's queue per request waiting in it (see the module docstring)."""

    async def run() -> float:
        bus = make_bus(design, redis.url, prefix, alive_ttl_s=3_600)
        chargers = charger_ids()
        await bus.hold(HOLDER, chargers)  # (no reader to renew its alive key: everything waits)
        ids = itertools.count(1)
        tasks: list[asyncio.Task[RuntimeAnswer]] = []
        for start in range(0, queued, QUEUE_BATCH):
            count = min(QUEUE_BATCH, queued - start)
            tasks += [
                asyncio.create_task(bus.request(status_request(ids, chargers[n % len(chargers)])))
                for n in range(count)
            ]
            while _length(redis, queue_key(prefix, HOLDER)) < start + count:
                if failed := [t for t in tasks if t.done() and t.exception() is not None]:
                    raise RuntimeError(f"a request failed: {failed[0].exception()!r}")
                await asyncio.sleep(0.01)
        size = redis.client.memory_usage(queue_key(prefix, HOLDER), samples=0)

        # Then answered, rather than cancelled: a cancellation that meets redis-py's send
        # (asyncio.wait_for on Python 3.11) can be lost, and the request would wait forever.
        async def answer() -> None:
            async for request in bus.requests(HOLDER):
                await bus.answer(RuntimeAnswer(request.request_id, True, {}))

        reader = asyncio.create_task(answer())
        await asyncio.gather(*tasks)
        await bus.close()
        await reader
        return int(size or 0) / queued

    return asyncio.run(run())


def _length(redis: OwnRedis, key: str) -> int:
    kind = redis.client.type(key)
    if kind == b"list":
        return int(redis.client.llen(key))
    if kind == b"stream":
        return int(redis.client.xlen(key))
    return 0


def measure_takeover(design: str, redis: OwnRedis, plan: Plan, prefix: str) -> Takeover:
    """The survivor, the doomed node and the asker (see the module docstring)."""
    context = multiprocessing.get_context("spawn")
    chargers = tuple(charger_ids(64))
    with _children(context) as started:
        nodes = {}  # (a pipe closed here would read as "stop" there: every one is kept)
        for name, held in ((SURVIVOR, ()), (DOOMED, chargers)):
            node = Node(
                design, redis.url, prefix, name, held, plan.alive_ttl_s, plan.streams_read_batch
            )
            nodes[name] = started(node_main, (node,), f"{design}-{name}")
            receive(nodes[name][1], nodes[name][0], TIMEOUT_S)
        doomed = nodes[DOOMED][0]
        asker, asker_pipe = started(asker_main, (design, redis.url, prefix), f"{design}-asker")
        assert doomed.pid is not None
        alive = f"{prefix}alive:{DOOMED}"
        os.kill(doomed.pid, signal.SIGSTOP)
        with _kept_alive(redis, alive, plan.alive_ttl_s):  # (however long queueing takes)
            asker_pipe.send(("queue", chargers, plan.takeover))
            receive(asker_pipe, asker, TIMEOUT_S)
            # Every request pushed: in the queue, or (lists) at most one taken by the frozen
            # reader's blocked BLPOP.
            _wait_length(redis, queue_key(prefix, DOOMED), plan.takeover - 1)
        os.kill(doomed.pid, signal.SIGKILL)
        while redis.client.exists(alive):
            time.sleep(0.005)
        asker_pipe.send(("trigger", chargers[0], 10.0 + plan.takeover / 100))
        takeover: Takeover = receive(asker_pipe, asker, TIMEOUT_S)
        asker_pipe.send(("stop",))
        nodes[SURVIVOR][1].send("stop")  # (it would otherwise be waited for, then ended)
    return takeover


@contextlib.contextmanager
def _kept_alive(redis: OwnRedis, key: str, ttl_s: int) -> Iterator[None]:
    """The frozen node's ``alive`` key renewed (as its last renewal would have) for the length
    of the block, by a thread of this process."""
    done = threading.Event()

    def renew() -> None:
        while not done.wait(0.1):
            redis.client.set(key, 1, ex=ttl_s)

    thread = threading.Thread(target=renew, daemon=True)
    redis.client.set(key, 1, ex=ttl_s)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def _wait_length(redis: OwnRedis, key: str, length: int) -> None:
    """Until the queue ``key`` holds ``length`` messages or more, and no more come for 0.3 s."""
    deadline, last, since = time.monotonic() + TIMEOUT_S, -1, time.monotonic()
    while True:
        now = _length(redis, key)
        if now != last:
            last, since = now, time.monotonic()
        elif now >= length and time.monotonic() - since >= 0.3:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{key} holds {now} messages, not {length}")
        time.sleep(0.02)


@contextlib.contextmanager
def _children(context: Any) -> Iterator[Any]:
    """``started(target, args, name)`` starts a child; every child is stopped on the way out
    (at once on an error or Ctrl-C)."""
    processes: list[BaseProcess] = []

    def started(target: Any, args: tuple[Any, ...], name: str) -> tuple[BaseProcess, Connection]:
        process, pipe = start_child(context, target, args, name)
        processes.append(process)
        return process, pipe

    try:
        yield started
    except BaseException:
        for process in processes:
            process.terminate()
        raise
    finally:
        for process in reversed(processes):
            stop_child(process, grace=10)


# -- reporting -------------------------------------------------------------------------------


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _windows(results: Results, design: str, concurrency: int) -> list[Window]:
    return [w for w in results.windows if w.design == design and w.concurrency == concurrency]


def _table(results: Results, plan: Plan, designs: list[str]) -> list[str]:
    """Each figure is the median of the design's windows at the level."""
    lines = [
        f"{'design':<9}{'in flight':>10}{'round trips/s':>15}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'CPU s per 1,000: asker':>24}{'holder':>8}{'redis':>8}{'other CPU':>11}"
    ]
    for concurrency, design in itertools.product(plan.concurrency, designs):
        windows = _windows(results, design, concurrency)

        def median(figure: str, of: list[Window] = windows) -> float:
            return _median([getattr(w, figure) for w in of])

        lines.append(
            f"{design:<9}{concurrency:>10}{median('round_trips_per_second'):>15.0f}"
            f"{median('p50_ms'):>9.2f}{median('p99_ms'):>9.2f}"
            f"{median('asker_cpu_s_per_1000'):>24.3f}{median('holder_cpu_s_per_1000'):>8.3f}"
            f"{median('redis_cpu_s_per_1000'):>8.3f}{median('other_cpu'):>11.0%}"
        )
    if plan.rounds > 1:
        lines += ["", "round trips/s in each round:"]
        for concurrency, design in itertools.product(plan.concurrency, designs):
            rates = "".join(
                f"{w.round_trips_per_second:>8.0f}" for w in _windows(results, design, concurrency)
            )
            lines.append(f"{design:<9}{concurrency:>10}{rates}")
    return lines


def _other_lines(results: Results, designs: list[str]) -> list[str]:
    lines = [
        f"{'design':<9}{'Redis bytes per queued request':>32}"
        f"{'takeover: answered':>20}{'by survivor':>13}{'seconds':>9}"
    ]
    for design in designs:
        takeovers = sorted(results.takeovers[design], key=lambda t: t.seconds)
        median = takeovers[(len(takeovers) - 1) // 2]  # (the lower middle one of an even number)
        lines.append(
            f"{design:<9}{results.queued_bytes_per_request[design]:>32.1f}"
            f"{f'{median.answered} of {median.requests}':>20}{median.by_survivor:>13}"
            f"{median.seconds:>9.3f}"
        )
    return lines


def _ratios(results: Results, plan: Plan, designs: list[str]) -> dict[str, float]:
    """streams over lists, each the median of the rounds' own ratios (the two windows of a
    round ran back to back, under the same load): round trips/s and CPU per round trip (the
    asker, the holder and redis-server together) at each level; the takeover's seconds; and
    Redis bytes per queued request."""
    if BASELINE not in designs or "streams" not in designs:
        return {}

    def paired(figure: Any, lists: list[Any], streams: list[Any]) -> float:
        return _median([figure(s) / figure(b) for b, s in zip(lists, streams, strict=True)])

    ratios: dict[str, float] = {}
    for concurrency in plan.concurrency:
        lists, streams = (_windows(results, d, concurrency) for d in (BASELINE, "streams"))
        ratios[f"round trips/s at {concurrency}"] = paired(
            lambda w: w.round_trips_per_second, lists, streams
        )
        ratios[f"CPU per round trip at {concurrency}"] = paired(
            lambda w: w.cpu_s_per_1000, lists, streams
        )
    ratios["takeover seconds"] = paired(
        lambda t: max(t.seconds, 1e-6), results.takeovers[BASELINE], results.takeovers["streams"]
    )
    memory = results.queued_bytes_per_request
    ratios["Redis bytes per queued request"] = memory["streams"] / memory[BASELINE]
    return ratios


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", default="1,64,1024", help="requests in flight, comma")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds a window counts")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before counting")
    parser.add_argument("--rounds", type=int, default=5, help="windows each design takes")
    parser.add_argument("--queued", type=int, default=10_000, help="requests for the memory")
    parser.add_argument("--takeover", type=int, default=1_000, help="a dead node's requests")
    parser.add_argument("--alive-ttl", type=int, default=3, help="the bus's alive_ttl_s")
    parser.add_argument(
        "--streams-read-batch",
        type=int,
        default=READ_BATCH,
        help="entries a streams reader reads at once (1: one at a time, as BLPOP takes)",
    )
    parser.add_argument("--only", default=",".join(DESIGNS), help="comma-separated designs")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write results as JSON")
    args = parser.parse_args(argv)
    try:
        args.concurrency = tuple(int(n) for n in args.concurrency.split(","))
    except ValueError:
        parser.error("--concurrency takes whole numbers, comma-separated")
    if not all(1 <= n <= CHARGERS for n in args.concurrency):
        parser.error(f"--concurrency must be 1 to {CHARGERS}")
    if min(args.rounds, args.queued, args.takeover, args.alive_ttl, args.streams_read_batch) < 1:
        parser.error(
            "--rounds, --queued, --takeover, --alive-ttl and --streams-read-batch must be >= 1"
        )
    if args.duration <= 0 or args.warmup < 0:
        parser.error("need --duration > 0 and --warmup >= 0")
    chosen = set(args.only.split(","))
    if unknown := chosen - set(DESIGNS):
        parser.error(f"unknown design(s): {', '.join(sorted(unknown))}")
    args.only = [name for name in DESIGNS if name in chosen]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the children and Redis too
    plan = Plan(
        args.concurrency,
        args.duration,
        args.warmup,
        args.rounds,
        args.queued,
        args.takeover,
        args.alive_ttl,
        args.streams_read_batch,
    )
    designs: list[str] = args.only
    with tempfile.TemporaryDirectory(prefix="chargeyard-bus-") as directory:
        redis = OwnRedis(Path(directory))
        try:
            environment = {
                "cores": str(len(os.sched_getaffinity(0))),
                "python": sys.version.split()[0],
                "redis-server": redis.version,
                "redis-py": version("redis"),
            }
            print(
                f"Bus round trips between two processes: {', '.join(map(str, plan.concurrency))}"
                f" in flight; {plan.rounds} round(s) of a {plan.duration:g} s window per design"
                f" and level, {plan.warmup:g} s warm-up; streams read {plan.streams_read_batch}"
                " entries at most at once\n"
                + ", ".join(f"{key} {value}" for key, value in environment.items()),
                flush=True,
            )
            results = _measure_all(redis, plan, designs)
        finally:
            redis.stop()
    ratios = _ratios(results, plan, designs)
    lines = ["", *_table(results, plan, designs), "", *_other_lines(results, designs), ""]
    lines += [f"streams/lists {label:<36}= {value:.2f}" for label, value in ratios.items()]
    print("\n".join(lines))
    busiest = max((w.other_cpu for w in results.windows), default=0.0)
    if busiest > OTHER_CPU_WARNING:
        print(
            f"warning: other processes used up to {busiest:.0%} of a core while counting; "
            "the figures are low, and the ratios (each of two windows back to back) are what "
            "to compare. Measure on a quiet machine."
        )
    if args.json:
        document = {
            "plan": asdict(plan),
            "environment": environment,
            "results": asdict(results),
            "ratios": ratios,
        }
        args.json.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return 0  # a report, not a test


def _measure_all(redis: OwnRedis, plan: Plan, designs: list[str]) -> Results:
    results = Results(windows=measure_round_trips(redis, plan, designs))
    redis.client.flushall()
    for n, design in enumerate(designs):
        print(f"  memory: {design}", file=sys.stderr, flush=True)
        results.queued_bytes_per_request[design] = measure_memory(
            design, redis, plan.queued, f"bench:memory:{n}:"
        )
    redis.client.flushall()
    prefixes = (f"bench:takeover:{n}:" for n in itertools.count())
    for round_number, design in itertools.product(range(1, plan.rounds + 1), designs):
        print(f"  takeover, round {round_number}: {design}", file=sys.stderr, flush=True)
        takeover = measure_takeover(design, redis, plan, next(prefixes))
        results.takeovers.setdefault(design, []).append(takeover)
        redis.client.flushall()
    return results


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the children are stopped on the way out
        sys.exit(130)
