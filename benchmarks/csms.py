"""A central system under load, with persistence on: chargeyard's CSMS next to one built the usual
way on the ``ocpp`` library, in one run.

Usage::

    python benchmarks/csms.py [--stations 1000] [--seconds 20] [--warmup 5] [--rest-rate 20]
                              [--only chargeyard,ocpp-lib] [--loop auto|uvloop|asyncio]
                              [--baseline-loop asyncio|uvloop] [--json PATH]

Method
------
Two central systems carry the same traffic, each in a fresh process on a fresh SQLite file, one
after the other:

* ``chargeyard``: :class:`~chargeyard.csms.server.CsmsServer` (``auto_register``,
  ``accept_unknown_tags``, validation on, the frame log on) and the REST API
  (:func:`~chargeyard.api.app.create_app` served by uvicorn through ``api/serve.py``) with an API
  key, on one event loop, as ``chargeyard csms`` runs them: uvloop when it is installed
  (``chargeyard/event_loop.py``; ``--loop asyncio`` for asyncio's own loop).
* ``ocpp-lib``: what a Python user writes today: an ``ocpp.v16.ChargePoint`` subclass per
  connection with ``@on`` handlers for BootNotification, StatusNotification, Heartbeat,
  StartTransaction, StopTransaction and MeterValues, served with ``websockets``; one shared
  ``aiosqlite`` connection (WAL, ``synchronous=NORMAL``: the same durability as chargeyard's)
  into which each MeterValues inserts its sampled values (one ``executemany``) and commits before
  answering; transactions are rows too. Its REST endpoint is a FastAPI route that checks an
  ``X-API-Key`` header, sends GetConfiguration with ``cp.call(...)`` and returns the answer. The
  library validates with jsonschema, in a thread pool, as it does by default. It runs on
  asyncio's own loop, as the library's users do (``--baseline-loop uvloop`` to compare loops).

The load is a third process, the same for both, on uvloop when installed: N OCPP 1.6 stations
on raw ``websockets`` clients (orjson, no validation, ``compression=None``; at most 100
handshakes at a time) whose sockets push each frame to the station's callback (``_PushClient``),
which matches answers by id and answers the central system's CALLs (GetConfiguration,
ChangeConfiguration with valid answers; anything else NotImplemented). Callbacks rather than a
task reading with ``recv()`` per station keep the load at about 37 % of a core (55-64 % with
tasks on asyncio's loop) of the two the central system runs on. Each station sends
BootNotification, StatusNotification and StartTransaction, then, once all are ready,
MeterValues (its transactionId, one meterValue of four sampled values stamped with the time of
sending) in a loop: send, and send the next as its CALLRESULT arrives. After ``--warmup``
seconds a window of ``--seconds`` is counted:

* answered msgs/s: MeterValues CALLRESULTs received in the window / window;
* persisted msgs/s: not trusted from the answers: after the run, the rows in the central
  system's database whose sample time falls in the window, / 4 values per message / window;
* REST: meanwhile, from the start of the traffic, one HTTP client (``httpx``) in a fourth
  process sends ``--rest-rate`` commands per second (open loop, to random stations): ``POST
  /api/v1/chargers/{id}/configuration/get`` with one key, a round trip REST -> station -> REST.
  Latency percentiles are of the commands sent in the window (the stations stay connected until
  the last of them is answered); an error is any answer but 200. The client has a process of
  its own so that its timings do not carry the load generator's delays: that loop, shared
  with a thousand stations, lagged 12-13 ms at p99;
* CPU of the central system's process (all threads) over the window, as a share of one core;
  "load" is the stations' process and the REST client's; "other" is what the rest of the
  machine used meanwhile (if it is high, the figures are low).

Targets: chargeyard persists >= 5,000 station messages/s; its REST p99 is
<= 50 ms under that load; its persisted rate is >= 4x the ocpp-lib CSMS's. They are printed as
met / NOT met; the exit code is 0 regardless (a report, not a test). This process only
coordinates: the children ignore Ctrl-C, are stopped on every exit path and die with it
(PR_SET_PDEATHSIG). Linux only (/proc, prctl).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import orjson
from _children import (
    become_child,
    machine_busy_seconds,
    process_cpu_seconds,
    receive,
    start_child,
    stop_child,
)
from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode

from chargeyard import event_loop

HOST = "127.0.0.1"
SUBPROTOCOL = "ocpp1.6"
HANDSHAKES_AT_ONCE = 100
SAMPLES_PER_MESSAGE = 4
CONFIG_KEY = "MeterValueSampleInterval"
CSMS_NAMES = ("chargeyard", "ocpp-lib")
TARGET_PERSISTED = 5_000.0  # persisted station messages/s
TARGET_P99_MS = 50.0
TARGET_RATIO = 4.0
OTHER_CPU_WARNING = 0.10
# The stations' and the REST client's loop: uvloop when installed, the cheaper loop for the load
# that shares the two cores with the central system under test (with _PushClient, see there).
LOAD_LOOP = "auto"


# -- what the processes share ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    stations: int
    seconds: float
    warmup: float
    rest_rate: float


@dataclass(frozen=True, slots=True)
class Endpoints:
    ocpp_url: str  # the identity is appended
    api_url: str
    api_key: str


# -- the chargeyard CSMS ---------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _chargeyard(database: Path) -> Any:
    from chargeyard.api.app import create_app
    from chargeyard.api.serve import serving
    from chargeyard.csms.events import EventHub
    from chargeyard.csms.registry import Registry
    from chargeyard.csms.server import CsmsServer, CsmsSettings
    from chargeyard.store import Store

    store = await Store.open(f"sqlite:///{database}")
    async with store:
        _key, api_key = await store.api_keys.create("benchmark")
        registry, events = Registry(), EventHub()
        settings = CsmsSettings(host=HOST, port=0, auto_register=True, accept_unknown_tags=True)
        async with CsmsServer(store, settings, registry, events) as csms:
            app = create_app(store, csms.link, events=events)
            async with serving(app, HOST, 0) as api_port:
                yield Endpoints(
                    f"ws://{HOST}:{csms.port}/ocpp/", f"http://{HOST}:{api_port}", api_key
                )


# -- the ocpp-lib CSMS -----------------------------------------------------------------------

_LIB_SCHEMA = """
CREATE TABLE transactions (
    id INTEGER PRIMARY KEY, station TEXT NOT NULL, connector_id INTEGER NOT NULL,
    id_tag TEXT NOT NULL, meter_start INTEGER NOT NULL, started_at TEXT NOT NULL,
    meter_stop INTEGER, stopped_at TEXT);
CREATE TABLE meter_values (
    id INTEGER PRIMARY KEY, station TEXT NOT NULL, connector_id INTEGER NOT NULL,
    transaction_id INTEGER, timestamp TEXT NOT NULL, measurand TEXT, value REAL NOT NULL,
    unit TEXT);
"""


@contextlib.asynccontextmanager
async def _ocpp_lib(database: Path) -> Any:
    import aiosqlite
    from fastapi import FastAPI, Header, HTTPException
    from ocpp.routing import on
    from ocpp.v16 import ChargePoint, call, call_result
    from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus
    from websockets.asyncio.server import ServerConnection, serve
    from websockets.exceptions import ConnectionClosed
    from websockets.typing import Subprotocol

    from chargeyard.api.serve import serving

    api_key = "benchmark-key"
    charge_points: dict[str, ChargePoint] = {}

    def now() -> str:
        return datetime.now(UTC).isoformat().replace("+00:00", "Z")

    db = await aiosqlite.connect(database)
    await db.execute("PRAGMA journal_mode=WAL")
    await db.execute("PRAGMA synchronous=NORMAL")
    await db.executescript(_LIB_SCHEMA)
    await db.commit()

    class CentralSystem(ChargePoint):  # the library's documented pattern
        @on(Action.boot_notification)
        async def on_boot_notification(self, **kwargs: Any) -> Any:
            return call_result.BootNotification(
                current_time=now(), interval=300, status=RegistrationStatus.accepted
            )

        @on(Action.heartbeat)
        async def on_heartbeat(self) -> Any:
            return call_result.Heartbeat(current_time=now())

        @on(Action.status_notification)
        async def on_status_notification(self, **kwargs: Any) -> Any:
            return call_result.StatusNotification()

        @on(Action.start_transaction)
        async def on_start_transaction(
            self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **kwargs: Any
        ) -> Any:
            cursor = await db.execute(
                "INSERT INTO transactions (station, connector_id, id_tag, meter_start,"
                " started_at) VALUES (?, ?, ?, ?, ?)",
                (self.id, connector_id, id_tag, meter_start, timestamp),
            )
            await cursor.close()  # in aiosqlite's thread: see on_meter_values
            await db.commit()
            return call_result.StartTransaction(
                transaction_id=cursor.lastrowid or 0,
                id_tag_info={"status": AuthorizationStatus.accepted},
            )

        @on(Action.stop_transaction)
        async def on_stop_transaction(
            self, meter_stop: int, timestamp: str, transaction_id: int, **kwargs: Any
        ) -> Any:
            cursor = await db.execute(
                "UPDATE transactions SET meter_stop = ?, stopped_at = ? WHERE id = ?",
                (meter_stop, timestamp, transaction_id),
            )
            await cursor.close()
            await db.commit()
            return call_result.StopTransaction()

        @on(Action.meter_values)
        async def on_meter_values(
            self, connector_id: int, meter_value: list[dict[str, Any]], **kwargs: Any
        ) -> Any:
            rows = [
                (
                    self.id,
                    connector_id,
                    kwargs.get("transaction_id"),
                    reading["timestamp"],
                    sampled.get("measurand", "Energy.Active.Import.Register"),
                    float(sampled["value"]),
                    sampled.get("unit", "Wh"),
                )
                for reading in meter_value
                for sampled in reading["sampled_value"]
            ]
            # Closed in aiosqlite's thread: a cursor left to the garbage collector is
            # finalized in this one, beside a statement running there ("bad parameter or
            # other API misuse").
            cursor = await db.executemany(
                "INSERT INTO meter_values (station, connector_id, transaction_id, timestamp,"
                " measurand, value, unit) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            await cursor.close()
            await db.commit()
            return call_result.MeterValues()

    async def on_connect(websocket: ServerConnection) -> None:
        identity = (websocket.request.path if websocket.request else "").rsplit("/", 1)[-1]
        charge_point = CentralSystem(identity, websocket)
        charge_points[identity] = charge_point
        try:
            with contextlib.suppress(ConnectionClosed):
                await charge_point.start()
        finally:
            charge_points.pop(identity, None)

    app = FastAPI()

    @app.post("/api/v1/chargers/{charge_box_id}/configuration/get")
    async def get_configuration(
        charge_box_id: str, body: dict[str, Any], x_api_key: str = Header("")
    ) -> dict[str, Any]:
        if x_api_key != api_key:
            raise HTTPException(401, "Missing or invalid API key")
        charge_point = charge_points.get(charge_box_id)
        if charge_point is None:
            raise HTTPException(404, "Unknown chargeBoxId")
        answer = await charge_point.call(call.GetConfiguration(key=body.get("key")))
        return {"configurationKey": answer.configuration_key, "unknownKey": answer.unknown_key}

    try:
        async with serve(
            on_connect, HOST, 0, subprotocols=[Subprotocol(SUBPROTOCOL)], backlog=1024
        ) as server:
            ws_port = server.sockets[0].getsockname()[1]
            async with serving(app, HOST, 0) as api_port:
                yield Endpoints(
                    f"ws://{HOST}:{ws_port}/ocpp/", f"http://{HOST}:{api_port}", api_key
                )
    finally:
        await db.close()


# -- the server process ----------------------------------------------------------------------

CSMS_FACTORIES: dict[str, Callable[[Path], Any]] = {
    "chargeyard": _chargeyard,
    "ocpp-lib": _ocpp_lib,
}


def _server_main(name: str, database: Path, loop: str, pipe: Connection) -> None:
    become_child()
    event_loop.run(_serve(name, database, pipe), loop)


async def _serve(name: str, database: Path, pipe: Connection) -> None:
    """Serve until told to stop (or the coordinator goes away); answer "sample" requests."""
    stopped = asyncio.Event()

    def on_request() -> None:
        try:
            request = pipe.recv()
        except EOFError:
            request = "stop"
        if request == "sample":
            pipe.send(time.process_time())
        else:
            stopped.set()

    loop = asyncio.get_running_loop()
    async with CSMS_FACTORIES[name](database) as endpoints:
        pipe.send(endpoints)
        loop.add_reader(pipe.fileno(), on_request)
        try:
            await stopped.wait()
        finally:
            loop.remove_reader(pipe.fileno())


# -- the load process ------------------------------------------------------------------------


@dataclass(slots=True)
class LoadReport:
    answered: int = 0
    window_start: float = 0.0  # wall clock (time.time())
    window_end: float = 0.0
    load_cpu: float = 0.0  # share of one core over the window


def _load_main(endpoints: Endpoints, plan: Plan, pipe: Connection) -> None:
    become_child()
    pipe.send(event_loop.run(_Load(endpoints, plan, pipe).run(), LOAD_LOOP))


def _stamp() -> str:
    # Fixed width, so that the stored text sorts (and is counted) chronologically.
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class CallFailed(Exception):
    pass


class _PushClient(ClientConnection):
    """A ``websockets`` client connection that hands each text message to ``listener`` from
    ``data_received`` (the handshake, ping/pong and the closing handshake stay the library's).

    The stations are callbacks, not tasks that ``recv()``: a task wake-up and a future a frame
    for a thousand stations made the load take 55-64 % of a core at 2,400-3,000 msgs/s, CPU the
    central system under test shares. The central systems never fragment a frame.
    """

    listener: Callable[[Any], None] | None = None  # the frame's data: bytes-like
    on_lost: Callable[[], None] | None = None

    def process_event(self, event: Any) -> None:
        if self.listener is not None and isinstance(event, Frame) and event.opcode is Opcode.TEXT:
            self.listener(event.data)
        else:
            super().process_event(event)

    def send_now(self, text: bytes) -> None:
        self.protocol.send_text(text)
        self.send_data()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self.on_lost is not None:
            self.on_lost()


class _Station:
    """A raw OCPP 1.6 station with one CALL in flight: its socket pushes each frame to
    :meth:`_received`, which answers the central system's CALLs and completes the station's own
    CALL; while metering, each MeterValues answer sends the next one at once."""

    def __init__(self, websocket: _PushClient, load: _Load) -> None:
        self.websocket = websocket
        self._load = load
        self._ids = itertools.count(1)
        self._future: asyncio.Future[dict[str, Any]] | None = None
        self._waiting: tuple[str, str] | None = None  # (unique id, action) of our CALL
        self._transaction_id = 0
        self._energy = 0
        websocket.listener = self._received
        websocket.on_lost = self._lost

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._future = asyncio.get_running_loop().create_future()
        self._send(action, payload)
        return await self._future

    async def meter(self, transaction_id: int) -> None:
        """Send MeterValues back to back until the load stops."""
        self._transaction_id = transaction_id
        self._future = asyncio.get_running_loop().create_future()
        self._next_meter_values()
        await self._future

    def _send(self, action: str, payload: dict[str, Any]) -> None:
        unique_id = str(next(self._ids))
        self._waiting = (unique_id, action)
        self.websocket.send_now(orjson.dumps([2, unique_id, action, payload]))

    def _next_meter_values(self) -> None:
        if self._load.stopping:
            self._settle(None)
            return
        self._energy += 10
        self._send("MeterValues", _meter_values(self._transaction_id, self._energy))

    def _received(self, data: Any) -> None:
        frame = orjson.loads(data)
        if frame[0] == 2:
            self.websocket.send_now(self._answer(frame))
            return
        if self._waiting is None or frame[1] != self._waiting[0]:
            return  # an answer to nothing we asked: not ours to count
        _, action = self._waiting
        self._waiting = None
        if frame[0] != 3:
            self._settle(CallFailed(f"{action} answered {frame!r}"))
        elif action == "MeterValues":
            self._load.report.answered += 1
            self._next_meter_values()
        else:
            self._settle(frame[2])

    def _lost(self) -> None:
        self._settle(CallFailed("the central system closed the connection"))

    def _settle(self, outcome: Any) -> None:
        future, self._future = self._future, None
        if future is None or future.done():
            return
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    @staticmethod
    def _answer(frame: list[Any]) -> bytes:
        _type, unique_id, action, payload = frame
        if action == "GetConfiguration":
            keys = payload.get("key") or [CONFIG_KEY]
            known = [{"key": key, "readonly": False, "value": "10"} for key in keys]
            return orjson.dumps([3, unique_id, {"configurationKey": known}])
        if action == "ChangeConfiguration":
            return orjson.dumps([3, unique_id, {"status": "Accepted"}])
        return orjson.dumps([4, unique_id, "NotImplemented", f"{action} is not supported", {}])


class _Load:
    def __init__(self, endpoints: Endpoints, plan: Plan, pipe: Connection) -> None:
        self.endpoints = endpoints
        self.plan = plan
        self.pipe = pipe
        self.report = LoadReport()
        self.ready: list[str] = []
        self.all_ready = asyncio.Event()
        self.go = asyncio.Event()
        self.stopping = False
        self._handshakes = asyncio.Semaphore(HANDSHAKES_AT_ONCE)

    async def run(self) -> LoadReport:
        async with asyncio.TaskGroup() as group:
            stations = [
                group.create_task(self._station(identity)) for identity in _identities(self.plan)
            ]
            await self.all_ready.wait()
            self._ask("go")  # the REST client starts
            self.go.set()
            await asyncio.sleep(self.plan.warmup)
            start_cpu = self._ask("mark")
            self.report.window_start, first = time.time(), self.report.answered
            await asyncio.sleep(self.plan.seconds)
            self.report.window_end, last = time.time(), self.report.answered
            end_cpu = self._ask("mark")
            # The commands still in flight get their answers before the stations go; the
            # stations answer them meanwhile, so this loop must not block on the pipe.
            await asyncio.to_thread(self._ask, "drain")
            self.stopping = True
            await asyncio.wait(stations)
        report = self.report
        report.answered = last - first
        report.load_cpu = (end_cpu - start_cpu) / (report.window_end - report.window_start)
        return report

    def _ask(self, request: str) -> float:
        """Have the coordinator act (start the REST client, sample the central system, stop
        the REST client) and wait until it has; returns our CPU time then. A "mark" blocks the
        loop for the pipe's round trip, on purpose: the moment is the same for all processes."""
        self.pipe.send(request)
        self.pipe.recv()
        return time.process_time()

    async def _station(self, identity: str) -> None:
        from websockets.asyncio.client import connect
        from websockets.typing import Subprotocol

        async with self._handshakes:
            websocket = await connect(
                self.endpoints.ocpp_url + identity,
                subprotocols=[Subprotocol(SUBPROTOCOL)],
                compression=None,
                create_connection=_PushClient,
                ping_interval=None,
                open_timeout=60,
            )
        assert isinstance(websocket, _PushClient)
        async with websocket:
            station = _Station(websocket, self)
            await station.call(
                "BootNotification", {"chargePointVendor": "Bench", "chargePointModel": "Raw"}
            )
            await station.call(
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Charging"},
            )
            started = await station.call(
                "StartTransaction",
                {"connectorId": 1, "idTag": "BENCH", "meterStart": 0, "timestamp": _stamp()},
            )
            transaction_id = started["transactionId"]
            self.ready.append(identity)
            if len(self.ready) == self.plan.stations:
                self.all_ready.set()
            await self.go.wait()
            await station.meter(transaction_id)


def _identities(plan: Plan) -> list[str]:
    return [f"BENCH-{index:05d}" for index in range(plan.stations)]


# -- the REST client process -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    sent_at: float  # wall clock (time.time())
    seconds: float
    problem: str | None  # None: answered 200 with the key


def _rest_main(endpoints: Endpoints, plan: Plan, pipe: Connection) -> None:
    become_child()
    pipe.send(event_loop.run(_rest(endpoints, plan, pipe), LOAD_LOOP))


async def _rest(endpoints: Endpoints, plan: Plan, pipe: Connection) -> list[Command]:
    """Send commands, open loop, from "go" until "stop"; return every command once all are
    answered."""
    import httpx

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    identities = _identities(plan)
    commands: list[Command] = []
    pending: set[asyncio.Task[None]] = set()
    headers = {"X-API-Key": endpoints.api_key}
    async with httpx.AsyncClient(
        base_url=endpoints.api_url, headers=headers, timeout=30.0
    ) as client:
        await client.get("/api/v1/chargers", params={"limit": 1})  # connect before "go"
        pipe.send("ready")
        pipe.recv()  # "go": every station is connected and in its transaction
        loop.add_reader(pipe.fileno(), stop.set)  # "stop" (read below)
        interval = 1.0 / plan.rest_rate
        next_at = loop.time()
        while not stop.is_set():
            task = loop.create_task(_command(client, random.choice(identities), commands))
            pending.add(task)
            task.add_done_callback(pending.discard)
            next_at += interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, next_at - loop.time()))
        loop.remove_reader(pipe.fileno())
        pipe.recv()
        if pending:
            await asyncio.wait(pending)
    return commands


async def _command(client: Any, identity: str, commands: list[Command]) -> None:
    body = {"key": [CONFIG_KEY]}
    sent_at, started = time.time(), time.perf_counter()
    problem: str | None
    try:
        response = await client.post(f"/api/v1/chargers/{identity}/configuration/get", json=body)
        ok = response.status_code == 200 and response.json()["configurationKey"]
        problem = None if ok else f"{response.status_code} {response.text[:200]}"
    except Exception as error:  # a transport error is an error like any other
        problem = repr(error)
    commands.append(Command(sent_at, time.perf_counter() - started, problem))


def _meter_values(transaction_id: int, energy: int) -> dict[str, Any]:
    return {
        "connectorId": 1,
        "transactionId": transaction_id,
        "meterValue": [
            {
                "timestamp": _stamp(),
                "sampledValue": [
                    {
                        "value": str(energy),
                        "measurand": "Energy.Active.Import.Register",
                        "unit": "Wh",
                    },
                    {"value": "7360.0", "measurand": "Power.Active.Import", "unit": "W"},
                    {"value": "32.0", "measurand": "Current.Import", "unit": "A"},
                    {"value": "230.0", "measurand": "Voltage", "unit": "V"},
                ],
            }
        ],
    }


# -- counting what was persisted -------------------------------------------------------------

# Per central system: the query counting sampled values stamped in [start, end), and how its
# store writes a UTC time (chargeyard: SQLAlchemy's naive UTC text; ocpp-lib: the station's text).
_COUNT_QUERIES = {
    "chargeyard": (
        "SELECT count(*) FROM meter_samples WHERE sampled_at >= ? AND sampled_at < ?",
        "%Y-%m-%d %H:%M:%S.%f",
    ),
    "ocpp-lib": (
        "SELECT count(*) FROM meter_values WHERE timestamp >= ? AND timestamp < ?",
        "%Y-%m-%dT%H:%M:%S.%fZ",
    ),
}


def _persisted_values(name: str, database: Path, start: float, end: float) -> int:
    query, layout = _COUNT_QUERIES[name]
    bounds = [datetime.fromtimestamp(moment, UTC).strftime(layout) for moment in (start, end)]
    with contextlib.closing(sqlite3.connect(database)) as connection:
        count: int = connection.execute(query, bounds).fetchone()[0]
    return count


# -- the coordinator -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    csms: str
    stations: int
    seconds: float
    answered_per_second: float
    persisted_per_second: float
    persisted_values: int
    rest_commands: int
    rest_p50_ms: float | None
    rest_p95_ms: float | None
    rest_p99_ms: float | None
    rest_errors: int
    rest_error_examples: list[str]
    csms_cpu: float  # share of one core over the window
    load_cpu: float
    other_cpu: float


def measure(name: str, plan: Plan, directory: Path, loop: str = "asyncio") -> Result:
    """Run one central system's process (on the event ``loop`` named), the load process and
    the REST client's; collect their figures."""
    context = multiprocessing.get_context("spawn")
    timeout = plan.warmup + plan.seconds + 180.0
    database = directory / f"{name}.db"
    processes: list[BaseProcess] = []
    try:
        server, server_pipe = start_child(
            context, _server_main, (name, database, loop), f"{name}-csms"
        )
        processes.append(server)
        endpoints = receive(server_pipe, server, timeout)
        rest, rest_pipe = start_child(context, _rest_main, (endpoints, plan), f"{name}-rest")
        processes.append(rest)
        receive(rest_pipe, rest, timeout)  # "ready"
        load, load_pipe = start_child(context, _load_main, (endpoints, plan), f"{name}-load")
        processes.append(load)
        server_cpu: list[float] = []
        rest_cpu: list[float] = []
        machine_busy: list[float] = []
        commands: list[Command] = []
        while isinstance(message := receive(load_pipe, load, timeout), str):
            if message == "go":
                rest_pipe.send("go")
            elif message == "mark":
                server_pipe.send("sample")
                server_cpu.append(receive(server_pipe, server, timeout))
                rest_cpu.append(process_cpu_seconds(rest.pid))
                machine_busy.append(machine_busy_seconds())
            elif message == "drain":
                rest_pipe.send("stop")
                commands = receive(rest_pipe, rest, timeout)
            load_pipe.send("ok")
        server_pipe.send("stop")
        stop_child(server)
        report: LoadReport = message
    except BaseException:  # an error or Ctrl-C: no grace period for the children
        for process in processes:
            process.terminate()
        raise
    finally:
        for process in reversed(processes):
            stop_child(process)
    seconds = report.window_end - report.window_start
    values = _persisted_values(name, database, report.window_start, report.window_end)
    csms_cpu = (server_cpu[1] - server_cpu[0]) / seconds
    machine_cpu = (machine_busy[1] - machine_busy[0]) / seconds
    load_cpu = report.load_cpu + (rest_cpu[1] - rest_cpu[0]) / seconds
    counted = [c for c in commands if report.window_start <= c.sent_at < report.window_end]
    latencies = sorted(c.seconds for c in counted if c.problem is None)
    problems = [c.problem for c in counted if c.problem is not None]
    return Result(
        csms=name,
        stations=plan.stations,
        seconds=seconds,
        answered_per_second=report.answered / seconds,
        persisted_per_second=values / SAMPLES_PER_MESSAGE / seconds,
        persisted_values=values,
        rest_commands=len(counted),
        rest_p50_ms=_percentile_ms(latencies, 0.50),
        rest_p95_ms=_percentile_ms(latencies, 0.95),
        rest_p99_ms=_percentile_ms(latencies, 0.99),
        rest_errors=len(problems),
        rest_error_examples=problems[:3],
        csms_cpu=csms_cpu,
        load_cpu=load_cpu,
        other_cpu=max(0.0, machine_cpu - csms_cpu - load_cpu),
    )


def _percentile_ms(ordered: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile, in milliseconds; None without data."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * share // 1))  # ceil(n * share), at least 1
    return ordered[int(rank) - 1] * 1000


# -- reporting -------------------------------------------------------------------------------


def _environment() -> dict[str, str]:
    packages = ("websockets", "orjson", "ocpp", "sqlalchemy", "aiosqlite", "fastapi", "uvicorn")
    return {
        "cores": str(len(os.sched_getaffinity(0))),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        **{package: version(package) for package in packages},
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _table(results: Sequence[Result]) -> list[str]:
    lines = [
        f"{'CSMS':<12}{'stations':>9}{'answered/s':>12}{'persisted/s':>13}"
        f"{'REST p50':>10}{'p95':>8}{'p99 ms':>8}{'REST err':>10}"
        f"{'CSMS CPU':>10}{'load CPU':>10}{'other CPU':>11}"
    ]
    for r in results:
        lines.append(
            f"{r.csms:<12}{r.stations:>9}{r.answered_per_second:>12.0f}"
            f"{r.persisted_per_second:>13.0f}{_ms(r.rest_p50_ms):>10}{_ms(r.rest_p95_ms):>8}"
            f"{_ms(r.rest_p99_ms):>8}{f'{r.rest_errors}/{r.rest_commands}':>10}"
            f"{r.csms_cpu:>10.0%}{r.load_cpu:>10.0%}{r.other_cpu:>11.0%}"
        )
    return lines


def _checks(results: Sequence[Result]) -> list[dict[str, Any]]:
    """The targets, judged on chargeyard's figures (None where not measured)."""
    by_name = {r.csms: r for r in results}
    ours, theirs = by_name.get("chargeyard"), by_name.get("ocpp-lib")
    ratio = None
    if ours is not None and theirs is not None and theirs.persisted_per_second > 0:
        ratio = ours.persisted_per_second / theirs.persisted_per_second
    p99 = None
    if ours is not None and ours.rest_p99_ms is not None and ours.rest_errors == 0:
        p99 = ours.rest_p99_ms
    return [
        {
            "check": f"persisted msgs/s >= {TARGET_PERSISTED:,.0f}",
            "value": None if ours is None else ours.persisted_per_second,
            "met": None if ours is None else ours.persisted_per_second >= TARGET_PERSISTED,
        },
        {
            "check": f"REST p99 <= {TARGET_P99_MS:g} ms, no errors",
            "value": p99,
            "met": None if ours is None else p99 is not None and p99 <= TARGET_P99_MS,
        },
        {
            "check": f"persisted msgs/s >= {TARGET_RATIO:g}x ocpp-lib",
            "value": ratio,
            "met": None if ratio is None else ratio >= TARGET_RATIO,
        },
    ]


def _check_lines(checks: Sequence[dict[str, Any]]) -> list[str]:
    lines = []
    for check in checks:
        value = "n/a" if check["value"] is None else f"{check['value']:,.2f}"
        verdict = {True: "met", False: "NOT met", None: "n/a"}[check["met"]]
        lines.append(f"{check['check']:<34} {value:>10}  {verdict}")
    return lines


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds counted")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before counting")
    parser.add_argument("--rest-rate", type=float, default=20.0, help="REST commands per second")
    parser.add_argument("--only", default=",".join(CSMS_NAMES), help="comma-separated")
    parser.add_argument(
        "--loop",
        choices=event_loop.CHOICES,
        default=None,
        help="chargeyard's event loop (default: as `chargeyard csms` picks it, uvloop if"
        f" installed; {event_loop.ENVIRONMENT_VARIABLE})",
    )
    parser.add_argument(
        "--baseline-loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="the ocpp-lib CSMS's event loop (default asyncio, as its users run it)",
    )
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write results as JSON")
    args = parser.parse_args(argv)
    if args.stations < 1 or args.seconds <= 0 or args.warmup < 0 or args.rest_rate <= 0:
        parser.error("need --stations >= 1, --seconds > 0, --warmup >= 0, --rest-rate > 0")
    chosen = set(args.only.split(","))
    if unknown := chosen - set(CSMS_NAMES):
        parser.error(f"unknown CSMS: {', '.join(sorted(unknown))}")
    args.only = [name for name in CSMS_NAMES if name in chosen]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    plan = Plan(args.stations, args.seconds, args.warmup, args.rest_rate)
    loops = {"chargeyard": event_loop.loop_factory(args.loop)[0], "ocpp-lib": args.baseline_loop}
    environment = _environment()
    environment["event loops"] = ", ".join(f"{name} {loops[name]}" for name in args.only)
    print(
        f"CSMS under MeterValues load with persistence (OCPP 1.6, SQLite): {plan.stations}"
        f" stations, {plan.warmup:g} s warm-up, {plan.seconds:g} s counted,"
        f" {plan.rest_rate:g} REST commands/s\n"
        + ", ".join(f"{key} {value}" for key, value in environment.items()),
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="chargeyard-csms-bench-") as directory:
        for name in args.only:
            print(f"  {name} ...", file=sys.stderr, flush=True)
            results.append(measure(name, plan, Path(directory), loops[name]))
    checks = _checks(results)
    print("\n".join(["", *_table(results), "", *_check_lines(checks)]))
    for result in results:
        for example in result.rest_error_examples:
            print(f"{result.csms} REST error, e.g.: {example}")
    busiest = max(result.other_cpu for result in results)
    if busiest > OTHER_CPU_WARNING:
        print(
            f"warning: other processes used up to {busiest:.0%} of a core while counting; "
            "the figures are low. Measure on a quiet machine."
        )
    if args.json:
        document = {
            "plan": asdict(plan),
            "environment": environment,
            "results": [asdict(result) for result in results],
            "checks": checks,
        }
        args.json.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return 0  # a report, not a test: missed targets are printed, not failed


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the children are already stopped (see measure)
        sys.exit(130)
