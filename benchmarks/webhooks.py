"""Webhook delivery keeping up with a node's events: the sender as configured by default (32
posts at a time to one endpoint, 128 in all) next to the same sender held to 8 posts at a time
in all, on the same database, receiver and events, in one run.

Usage::

    python benchmarks/webhooks.py [--rates 45,120] [--duration 15] [--latency-ms 200]
                                  [--database-url URL] [--json PATH]

Method
------
A receiver runs in a process of its own: an HTTP/1.1 server on 127.0.0.1 (keep-alive, as a
real endpoint's) that answers each POST 204 after ``--latency-ms`` (a receiver that does some
work, or is far away), and notes for each event its lag, the time from the event's
``timestamp`` to the post's arrival.

This process runs a :class:`~chargeyard.csms.webhooks.WebhookSender` on the store
(``--database-url``, default a fresh SQLite file; on PostgreSQL give an empty database of its
own) with one webhook subscribed to every event, and publishes ``connector.status_changed``
events on its hub at each rate of ``--rates`` (events a second, evenly spaced) for
``--duration`` seconds, as a node's stations would. Then it waits for the backlog to drain, at
most ``--drain`` seconds. Each rate runs with each sender in turn, on a new webhook:

* ``8 at a time``: ``WebhookSender(concurrency=8, per_endpoint=8)``, one bound of 8 posts for
  every endpoint together;
* ``default``: ``WebhookSender()``, its default bounds.

Figures per run: deliveries a second over the run (delivered while events were published,
over its duration), the lag at p50, p99 and worst, how many deliveries were still waiting when
the events stopped, how long the backlog took to drain, and this process's CPU time per
delivery (the sender's, with the events' publishing and the store's work; the receiver's is
not counted). The ratios compare the default with
8 at a time. Target: at 45 events a second (a busy node) and a 200 ms receiver, the default's
p99 lag stays under 2 s (the events are told as they come, not a backlog behind).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _children import become_child, machine_busy_seconds, receive, start_child, stop_child

from chargeyard.csms.events import EventHub, EventType
from chargeyard.csms.webhooks import WebhookSender
from chargeyard.store import Store
from chargeyard.store.models import DeliveryStatus, WebhookDelivery

HOST = "127.0.0.1"
TARGET_RATE = 45
TARGET_P99_S = 2.0
SENDERS = {"8 at a time": {"concurrency": 8, "per_endpoint": 8}, "default": {}}


# -- the receiver (a child process) -------------------------------------------------------


class _Receiver:
    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.lags: dict[str, float] = {}  # event id -> lag of its first post
        self.posts = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                arrived = time.time()
                event = json.loads(body)
                at = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
                self.lags.setdefault(event["id"], arrived - at.timestamp())
                self.posts += 1
                await asyncio.sleep(self.latency)
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        writer.close()


def _receiver_main(latency: float, pipe: Connection) -> None:
    become_child()

    async def run() -> None:
        receiver = _Receiver(latency)
        server = await asyncio.start_server(receiver.serve, HOST, 0, backlog=1024)
        pipe.send(server.sockets[0].getsockname()[1])
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, pipe.recv)
            if command == "stop":
                break
            # "lags": hand over those noted since the last time, and forget them
            pipe.send((receiver.lags, receiver.posts))
            receiver.lags, receiver.posts = {}, 0
        server.close()

    asyncio.run(run())


# -- the sender under test (this process) -------------------------------------------------


@dataclass(slots=True)
class Run:
    sender: str
    rate: int
    per_second: float
    p50_s: float
    p99_s: float
    worst_s: float
    waiting_at_end: int
    drained_s: float | None
    cpu_ms_per_post: float
    other_cpu_s: float


async def _pending(store: Store, webhook_id: str) -> int:
    statement = select(func.count()).where(
        WebhookDelivery.webhook_id == webhook_id,
        WebhookDelivery.status == DeliveryStatus.PENDING,
    )
    async with store.engine.connect() as connection:
        return int(await connection.scalar(statement) or 0)


async def _run(
    store: Store,
    url: str,
    pipe: Connection,
    receiver: multiprocessing.process.BaseProcess,
    sender_name: str,
    rate: int,
    args: argparse.Namespace,
) -> Run:
    hub = EventHub()
    hook = await store.webhooks.create(url, ["*"])
    busy_before = machine_busy_seconds()
    cpu_before = time.process_time()
    async with WebhookSender(store, hub, **SENDERS[sender_name]):
        start = time.monotonic()
        count = int(rate * args.duration)
        for n in range(count):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            hub.emit(
                EventType.CONNECTOR_STATUS_CHANGED,
                f"CP-{n % 500}",
                organization_id="default",
                connectorId=1,
                status="Charging",
            )
        elapsed = time.monotonic() - start
        waiting = await _pending(store, hook.id)
        delivered_in_run = count - waiting
        drained: float | None = None
        drain_start = time.monotonic()
        while time.monotonic() - drain_start < args.drain:
            if await _pending(store, hook.id) == 0:
                drained = time.monotonic() - drain_start
                break
            await asyncio.sleep(0.1)
    pipe.send("lags")
    lags, _posts = receive(pipe, receiver, 30)
    await store.webhooks.delete(hook.id)
    cpu = time.process_time() - cpu_before
    other = machine_busy_seconds() - busy_before - cpu
    ordered = sorted(lags.values()) or [float("nan")]
    return Run(
        sender=sender_name,
        rate=rate,
        per_second=delivered_in_run / elapsed,
        p50_s=statistics.median(ordered),
        p99_s=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        worst_s=ordered[-1],
        waiting_at_end=waiting,
        drained_s=drained,
        cpu_ms_per_post=1000 * cpu / max(1, len(lags)),
        other_cpu_s=other,
    )


async def _main(args: argparse.Namespace) -> list[Run]:
    context = multiprocessing.get_context("spawn")
    receiver, pipe = start_child(
        context, _receiver_main, (args.latency_ms / 1000,), name="webhook-receiver"
    )
    port = receive(pipe, receiver, 30)
    url = f"http://{HOST}:{port}/hook"
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as directory:
        database = args.database_url or f"sqlite:///{Path(directory) / 'bench.db'}"
        store = await Store.open(database)
        try:
            for rate in args.rates:
                for name in SENDERS:
                    run = await _run(store, url, pipe, receiver, name, rate, args)
                    runs.append(run)
                    print(_row(run), flush=True)
        finally:
            await store.close()
            pipe.send("stop")
            stop_child(receiver, grace=5)
    return runs


def _row(run: Run) -> str:
    drained = "-" if run.drained_s is None else f"{run.drained_s:.1f}"
    return (
        f"{run.sender:>12} {run.rate:>6} {run.per_second:>10.1f} {run.p50_s:>8.2f}"
        f" {run.p99_s:>8.2f} {run.worst_s:>8.2f} {run.waiting_at_end:>8} {drained:>8}"
        f" {run.cpu_ms_per_post:>8.2f} {run.other_cpu_s:>10.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rates",
        type=lambda text: [int(rate) for rate in text.split(",")],
        default=[TARGET_RATE, 120],
        help="events a second, comma-separated (default 45,120)",
    )
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of events a run")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait for the rest")
    parser.add_argument("--latency-ms", type=float, default=200.0, help="the receiver's answer")
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--json", type=Path, help="write every run here")
    args = parser.parse_args()
    print(
        f"receiver answers in {args.latency_ms:.0f} ms; {args.duration:.0f} s of events a run\n"
        f"{'sender':>12} {'ev/s':>6} {'posts/s':>10} {'p50 s':>8} {'p99 s':>8} {'worst s':>8}"
        f" {'waiting':>8} {'drain s':>8} {'CPU ms':>8} {'other CPU':>10}"
    )
    runs = asyncio.run(_main(args))
    print()
    for rate in args.rates:
        base, new = (
            next(run for run in runs if run.rate == rate and run.sender == name) for name in SENDERS
        )
        print(
            f"{rate} events/s: default / 8 at a time:"
            f" posts/s x{new.per_second / base.per_second:.2f},"
            f" p99 lag x{new.p99_s / base.p99_s:.3f}"
        )
    target = next(run for run in runs if run.rate == TARGET_RATE and run.sender == "default")
    if target is not None:
        met = "met" if target.p99_s < TARGET_P99_S else "NOT met"
        print(
            f"target: p99 lag < {TARGET_P99_S:.0f} s at {TARGET_RATE} events/s:"
            f" {target.p99_s:.2f} s, {met}"
        )
    if args.json:
        args.json.write_text(json.dumps([asdict(run) for run in runs], indent=2))


if __name__ == "__main__":
    main()
