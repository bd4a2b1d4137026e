"""A bystander's latency while another station floods the CSMS: chargeyard's central system with
one station pipelining thousands of CALLs, next to the same bystander with no flood, in one run.

Usage::

    python benchmarks/flood.py [--flood 20000] [--calls 300] [--json PATH]

Method
------
The CSMS (:class:`~chargeyard.csms.server.CsmsServer` on SQLite, ``auto_register``) runs in a
process of its own. This process opens two OCPP 1.6 connections to it:

* the **bystander** sends ``--calls`` Heartbeats one after another, each once the previous one
  is answered, as OCPP-J has it, and times each round trip;
* the **flooder** sends ``--flood`` Heartbeats at once without waiting for any answer (OCPP-J
  allows one outstanding CALL; this station ignores that) and reads the answers as they come.

The bystander runs twice: alone (the baseline), then while the flood is under way (it starts
once the flooder has sent its first thousand). The figures are the bystander's p50 and p99
round trip in each run, their ratio, how many of its calls took longer than 10 s (a typical
station's call timeout), and how long the flood took to be answered in full.

Target: the bystander's p99 under the flood stays under 100 ms.
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
from multiprocessing.connection import Connection
from pathlib import Path

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _children import become_child, receive, start_child, stop_child

HOST = "127.0.0.1"
TARGET_P99_MS = 100.0
STATION_TIMEOUT_S = 10.0


@dataclass(slots=True)
class Run:
    name: str
    p50_ms: float
    p99_ms: float
    over_timeout: int
    flood_answered_s: float | None = None


def _server_main(database: Path, pipe: Connection) -> None:
    become_child()
    asyncio.run(_serve(database, pipe))


async def _serve(database: Path, pipe: Connection) -> None:
    from chargeyard.csms.server import CsmsServer, CsmsSettings
    from chargeyard.store import Store

    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_reader(pipe.fileno(), stopped.set)
    store = await Store.open(f"sqlite:///{database}")
    async with (
        store,
        CsmsServer(store, CsmsSettings(host=HOST, port=0, auto_register=True)) as csms,
    ):
        pipe.send(f"ws://{HOST}:{csms.port}/ocpp/")
        await stopped.wait()


async def _open(url: str) -> ClientConnection:
    websocket = await connect(url, subprotocols=[Subprotocol("ocpp1.6")], compression=None)
    await websocket.send(
        orjson.dumps(
            [2, "boot", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]
        ).decode()
    )
    await websocket.recv()
    return websocket


async def _bystander(websocket: ClientConnection, calls: int, name: str) -> Run:
    times: list[float] = []
    for n in range(calls):
        started = time.perf_counter()
        await websocket.send(f'[2,"b-{name}-{n}","Heartbeat",{{}}]')
        await websocket.recv()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return Run(
        name,
        p50_ms=statistics.median(times),
        p99_ms=times[min(len(times) - 1, int(len(times) * 0.99))],
        over_timeout=sum(t > STATION_TIMEOUT_S * 1000 for t in times),
    )


async def _measure(base: str, flood: int, calls: int) -> list[Run]:
    bystander = await _open(base + "BYSTANDER")
    flooder = await _open(base + "FLOODER")
    try:
        await _bystander(bystander, 20, "warm")
        alone = await _bystander(bystander, calls, "alone")

        sent_a_thousand = asyncio.Event()

        async def send_flood() -> None:
            for n in range(flood):
                await flooder.send(f'[2,"f-{n}","Heartbeat",{{}}]')
                if n == min(1000, flood - 1):
                    sent_a_thousand.set()

        async def read_flood() -> float:
            started = time.perf_counter()
            for _ in range(flood):
                await flooder.recv()
            return time.perf_counter() - started

        sending = asyncio.create_task(send_flood())
        reading = asyncio.create_task(read_flood())
        await sent_a_thousand.wait()
        flooded = await _bystander(bystander, calls, "flood")
        await sending
        flooded.flood_answered_s = await reading
        return [alone, flooded]
    finally:
        await bystander.close()
        await flooder.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flood", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        process, pipe = start_child(context, _server_main, (Path(folder) / "csms.db",), "csms")
        try:
            base = receive(pipe, process, 60)
            alone, flooded = asyncio.run(_measure(base, args.flood, args.calls))
        finally:
            with contextlib.suppress(OSError):
                pipe.send("stop")
            stop_child(process)
    print(f"bystander, {args.calls} Heartbeats one after another; flooder: {args.flood} pipelined")
    print(f"{'run':<22}{'p50 ms':>10}{'p99 ms':>10}{'> 10 s':>8}")
    for run in (alone, flooded):
        print(f"{run.name:<22}{run.p50_ms:>10.1f}{run.p99_ms:>10.1f}{run.over_timeout:>8}")
    print(f"the flood answered in full in {flooded.flood_answered_s:.1f} s")
    ratio = flooded.p99_ms / alone.p99_ms if alone.p99_ms else float("inf")
    verdict = "met" if flooded.p99_ms < TARGET_P99_MS else "not met"
    print(f"p99 under the flood / alone: {ratio:.2f}x; p99 < {TARGET_P99_MS:.0f} ms: {verdict}")
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(alone), asdict(flooded)], indent=2))


if __name__ == "__main__":
    main()
