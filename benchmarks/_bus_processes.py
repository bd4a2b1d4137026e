"""The processes of ``benchmarks/bus.py``: a node that holds chargers and answers their requests
(the holder, the survivor, the doomed node) and the asker that keeps requests in flight, each
driven by the coordinator over a pipe; and the buses they run, by design name."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from _children import become_child
from _streams_bus import RedisStreamsBus

from chargeyard.bus.redis_bus import RedisBus
from chargeyard.bus.redis_scripts import ALIVE_TTL_S
from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest

DESIGNS: dict[str, type[RedisBus]] = {"lists": RedisBus, "streams": RedisStreamsBus}
HOLDER, SURVIVOR, DOOMED = "holder", "survivor", "doomed"
CHARGERS = 1_024
ORGANIZATION = "org-bench"
WARM_ROUND_TRIPS = 3
"""Round trips every slot makes before the warm-up's seconds start: the Redis clients' pools
have opened the connections the level needs (a thousand, at 1,024 in flight) by then."""


ASKER_WATCH_S = 3_600.0
"""How often the asker's lists bus looks after its requests not yet answered: in effect never.
The takeover measures how each design hands a dead node's queue on when a message is routed to
it; the lists bus's own watch of waiting requests (``bus/request_watch.py``), which the streams
design does not have, would move them itself a second after the ``alive`` key lapsed, and answer
the one the frozen reader took ``node_gone``."""


def make_bus(
    design: str,
    url: str,
    prefix: str,
    alive_ttl_s: int = ALIVE_TTL_S,
    read_batch: int = 0,
    watch_s: float | None = None,
) -> RedisBus:
    """A bus of ``design``; ``read_batch``: entries a streams reader reads at once (0: its
    default); ``watch_s``: how often the lists bus looks after waiting requests (its
    default)."""
    if design == "streams" and read_batch:
        return RedisStreamsBus(url, prefix=prefix, alive_ttl_s=alive_ttl_s, read_batch=read_batch)
    if design == "lists" and watch_s is not None:
        return RedisBus(url, prefix=prefix, alive_ttl_s=alive_ttl_s, watch_s=watch_s)
    return DESIGNS[design](url, prefix=prefix, alive_ttl_s=alive_ttl_s)


def charger_ids(count: int = CHARGERS) -> list[str]:
    return [f"dep-{n}" for n in range(count)]


def queue_key(prefix: str, node: str) -> str:
    return f"{prefix}requests:{node}"


# -- the holding processes (holder, survivor, doomed) ------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    design: str
    url: str
    prefix: str
    name: str
    chargers: tuple[str, ...]
    alive_ttl_s: int
    read_batch: int = 0


def node_main(node: Node, pipe: Connection) -> None:
    become_child()
    asyncio.run(_serve(node, pipe))


async def _serve(node: Node, pipe: Connection) -> None:
    """Hold the chargers and answer every request (a task each, as the runtime service does)
    until told to stop."""
    bus = make_bus(node.design, node.url, node.prefix, node.alive_ttl_s, node.read_batch)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_reader(pipe.fileno(), stopped.set)  # "stop", or the coordinator went away
    answering: set[asyncio.Task[None]] = set()

    async def answer(request: RuntimeRequest) -> None:
        result = {charger_id: node.name for charger_id in request.charger_ids}
        await bus.answer(RuntimeAnswer(request.request_id, True, result))

    async def read() -> None:
        async for request in bus.requests(node.name):
            task = loop.create_task(answer(request))
            answering.add(task)
            task.add_done_callback(answering.discard)

    await bus.hold(node.name, node.chargers)
    reader = loop.create_task(read())
    reader.add_done_callback(lambda _: stopped.set())  # (it ends only on an error)
    pipe.send("ready")
    await stopped.wait()
    if reader.done() and not reader.cancelled() and reader.exception() is not None:
        raise RuntimeError(f"{node.name} stopped reading") from reader.exception()
    loop.remove_reader(pipe.fileno())
    reader.cancel()
    await asyncio.gather(reader, *answering, return_exceptions=True)
    await bus.close()


# -- the asking process ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Level:
    concurrency: int
    round_trips: int
    seconds: float
    p50_ms: float
    p99_ms: float


def asker_main(design: str, url: str, prefix: str, pipe: Connection) -> None:
    become_child()
    asyncio.run(_ask(design, url, prefix, pipe))


async def _ask(design: str, url: str, prefix: str, pipe: Connection) -> None:
    """Do what the coordinator says: ("level", concurrency, warmup, duration) -> a Level;
    ("queue", chargers, count) -> requests left waiting; ("trigger", charger, limit) -> the
    takeover's figures; ("stop",)."""
    bus = make_bus(design, url, prefix, watch_s=ASKER_WATCH_S)
    ids = itertools.count(1)
    waiting: list[asyncio.Task[RuntimeAnswer]] = []
    finished: dict[asyncio.Task[RuntimeAnswer], float] = {}
    # (the next order is awaited off the loop: the requests of a "queue" order run meanwhile)
    while (order := await asyncio.to_thread(pipe.recv))[0] != "stop":
        if order[0] == "level":
            pipe.send(await _level(bus, ids, pipe, *order[1:]))
        elif order[0] == "queue":
            _, chargers, count = order
            waiting += [
                _timed(bus.request(status_request(ids, chargers[n % len(chargers)])), finished)
                for n in range(count)
            ]
            await asyncio.sleep(0)  # (each has started: routed and pushed on its own time)
            pipe.send("queued")
        elif order[0] == "trigger":
            _, charger, limit = order
            pipe.send(await _takeover(bus, ids, charger, waiting, finished, limit))
            waiting = []
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    await bus.close()


def status_request(ids: Iterator[int], charger: str) -> RuntimeRequest:
    return RuntimeRequest(f"r{next(ids)}", ORGANIZATION, "status", (charger,))


def _mark(pipe: Connection) -> None:
    """Have the coordinator sample every process now (blocks the loop for the pipe's round
    trip, on purpose: the moment is the same for all)."""
    pipe.send("mark")
    pipe.recv()


async def _level(
    bus: RedisBus,
    ids: Iterator[int],
    pipe: Connection,
    concurrency: int,
    warmup: float,
    duration: float,
) -> Level:
    counting, stopping = False, False
    latencies: list[float] = []
    warm = 0  # slots that made their warm-up round trips

    async def slot(charger: str) -> None:
        nonlocal warm
        made = 0
        while not stopping:
            began = time.perf_counter()
            answer = await bus.request(status_request(ids, charger))
            if not answer.ok or answer.result != {charger: HOLDER}:
                raise RuntimeError(f"unexpected answer {answer!r}")
            if counting:
                latencies.append(time.perf_counter() - began)
            made += 1
            warm += made == WARM_ROUND_TRIPS

    loop = asyncio.get_running_loop()
    async with asyncio.TaskGroup() as group:
        for charger in charger_ids(concurrency):
            group.create_task(slot(charger))
        while warm < concurrency:  # noqa: ASYNC110 - the slots' own count
            await asyncio.sleep(0.05)
        await asyncio.sleep(warmup)
        _mark(pipe)
        counting, started = True, loop.time()
        await asyncio.sleep(duration)
        counting, seconds = False, loop.time() - started
        _mark(pipe)
        stopping = True
    latencies.sort()
    return Level(
        concurrency,
        len(latencies),
        seconds,
        1000 * _percentile(latencies, 0.50),
        1000 * _percentile(latencies, 0.99),
    )


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass(frozen=True, slots=True)
class Takeover:
    requests: int  # the queued ones and the one that found the node dead
    answered: int
    by_survivor: int
    seconds: float  # from the request that found the node dead to the last answer


def _timed(
    request: Any, finished: dict[asyncio.Task[RuntimeAnswer], float]
) -> asyncio.Task[RuntimeAnswer]:
    """``request`` as a task whose end is noted in ``finished``."""
    task = asyncio.create_task(request)
    task.add_done_callback(lambda done: finished.__setitem__(done, time.perf_counter()))
    return task


LAST_ONE_GRACE_S = 2.0
"""Once all but one request are answered, how much longer the last one is waited for: the
lists design loses the one request the frozen reader's blocked BLPOP took (it is never
answered), and waiting out the whole limit for it tells nothing more."""


async def _answered(
    tasks: list[asyncio.Task[RuntimeAnswer]], limit: float
) -> set[asyncio.Task[RuntimeAnswer]]:
    """The tasks done within ``limit`` seconds, or :data:`LAST_ONE_GRACE_S` after all but one
    were."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    pending: set[asyncio.Task[RuntimeAnswer]] = set(tasks)
    while pending and (left := deadline - loop.time()) > 0:
        last_one = len(pending) == 1
        _, pending = await asyncio.wait(
            pending,
            timeout=min(left, LAST_ONE_GRACE_S) if last_one else left,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if last_one:
            break
    return {task for task in tasks if task.done()}


async def _takeover(
    bus: RedisBus,
    ids: Iterator[int],
    charger: str,
    waiting: list[asyncio.Task[RuntimeAnswer]],
    finished: dict[asyncio.Task[RuntimeAnswer], float],
    limit: float,
) -> Takeover:
    began = time.perf_counter()
    tasks = [*waiting, _timed(bus.request(status_request(ids, charger)), finished)]
    done = await _answered(tasks, limit)
    answered = [task for task in done if not task.cancelled() and task.exception() is None]
    return Takeover(
        requests=len(tasks),
        answered=len(answered),
        by_survivor=sum(
            1 for task in answered if set((task.result().result or {}).values()) == {SURVIVOR}
        ),
        seconds=max((finished[task] for task in answered), default=began) - began,
    )
