"""One location command fanned out to a location of running chargers, through the simulator
gateway's HTTP API, timed from the client's request to the last resulting StatusNotification
the central system receives.

Usage::

    python benchmarks/gateway_fanout.py [--count 1000] [--json PATH]

Method
------
Three processes on 127.0.0.1:

* a minimal OCPP 1.6 central system (``websockets``' sans-I/O server protocol, orjson, no
  validation) that answers every CALL and, for the status it is told to watch, counts the
  StatusNotification frames of connector 1 and stamps the first and the last with
  ``time.monotonic()`` (CLOCK_MONOTONIC: one clock for every process of the machine). It
  counts frames as they arrive on its sockets, so the figure is the gateway's alone, not a
  database's: chargeyard's own CSMS would add its writes;
* the gateway, as it runs in production: a SQLite store, the in-memory command bus, the
  :class:`~chargeyard.gateway.host.FleetHost` running ``--count`` durable chargers (template
  ``alfen-eve-single-pro-line``, OCPP 1.6, the frame log on) of one location, and the API
  (:func:`~chargeyard.api.app.create_app` served by uvicorn through ``api/serve.py``) on one
  event loop. Once every charger has booted, it freezes its garbage collector
  (``freeze_gc``, as ``chargeyard sim`` does for a fleet: without it, full collections walk
  every station's objects again and again);
* this process, the client: once every charger has reported Available, it warms the route up
  (one ``unplug-connector`` to the location that every charger refuses: nothing plugged), then
  sends ``POST /ocpp/commands/plug-connector`` for the whole location (``{"target":
  {"location_id": ...}, "event": {"evse_id": 1, "connector_id": 1}}``) with an operator's
  Bearer token over a kept-alive connection, and times it:

  * 202 in: from sending the request to the whole answer received (every charger's queued
    command in it);
  * first / all: from sending the request to the central system's receipt of the first and
    of the last StatusNotification(Preparing) of connector 1 (one per charger);
  * stored: until ``GET /ocpp/commands/{id}`` of the last queued command no longer says
    ``state: queued`` (the fleet host records outcomes in order, in batches): what became of every
    command is known.

  Then, once those outcomes are stored, ``unplug-connector`` the same way (StatusNotification
  Available): each command is sent to a gateway that finished the previous one, and each has
  its row.

Targets: the 202 in <= 200 ms, every charger's StatusNotification received in
<= 2 s, for 1,000 chargers. They are printed as PASS/FAIL; the exit code is 0 regardless (a
report, not a test). The load average before the run is printed: on a busy machine, the
figures are worse than the code. The children ignore Ctrl-C, are stopped on every exit path
and die with this process (PR_SET_PDEATHSIG). Linux only.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import httpx
import orjson
from _central import MinimalCentral
from _children import become_child, receive, start_child, stop_child

from chargeyard.protocol import V16

HOST = "127.0.0.1"
TEMPLATE = "alfen-eve-single-pro-line"
ORG = "org-bench"
SECRET = "gateway-fanout-benchmark-" + "0123456789abcdef" * 3
READY_TIMEOUT_S = 300.0
STATUS_TIMEOUT_S = 30.0
POLL_S = 0.02

# The targets.
ACCEPTED_TARGET_S = 0.200
STATUS_TARGET_S = 2.0

# The measured commands: path, the status each charger then reports.
COMMANDS = (("plug-connector", "Preparing"), ("unplug-connector", "Available"))


# -- the central system: answers everything, counts one status ---------------------------------


class _Counter:
    """StatusNotifications of connector 1 with the watched status, since it was armed."""

    def __init__(self) -> None:
        self.status = "Available"
        self.count = 0
        self.first = 0.0
        self.last = 0.0

    def arm(self, status: str) -> None:
        self.status, self.count, self.first, self.last = status, 0, 0.0, 0.0

    def saw(self, payload: dict[str, Any]) -> None:
        if payload.get("connectorId") == 1 and payload.get("status") == self.status:
            now = time.monotonic()
            self.count += 1
            self.first = self.first or now
            self.last = now


class _Central(MinimalCentral):
    heartbeat_interval = 300
    counter = _Counter()

    def saw_call(self, action: str, payload: dict[str, Any]) -> None:
        if action == "StatusNotification":
            self.counter.saw(payload)


def _central_main(pipe: Connection) -> None:
    become_child()
    asyncio.run(_central(pipe))


async def _central(pipe: Connection) -> None:
    stopped = asyncio.Event()
    counter = _Central.counter

    def on_request() -> None:
        try:
            request = pipe.recv()
        except EOFError:
            request = ("stop",)
        if request[0] == "arm":
            counter.arm(request[1])
            pipe.send("armed")
        elif request[0] == "read":
            pipe.send((counter.count, counter.first, counter.last))
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


# -- the gateway: store, bus, fleet host and API on one loop ---------------------------------------


def _gateway_main(csms_port: int, count: int, directory: str, pipe: Connection) -> None:
    become_child()
    asyncio.run(_gateway(csms_port, count, Path(directory), pipe))


async def _gateway(csms_port: int, count: int, directory: Path, pipe: Connection) -> None:
    from chargeyard.api import ApiSettings, create_app
    from chargeyard.api.serve import serving
    from chargeyard.bus import InMemoryBus
    from chargeyard.csms.registry import Registry
    from chargeyard.fleet.fleet import freeze_gc
    from chargeyard.gateway.host import FleetHost
    from chargeyard.store import Store

    csms_url = f"ws://{HOST}:{csms_port}/ocpp"
    async with await Store.open(f"sqlite:///{directory / 'gateway.db'}") as store:
        await store.organizations.create("Bench", organization_id=ORG)
        location = await store.locations.create(ORG, "Bench depot")
        ids = [
            (
                await store.chargers.create(
                    ORG,
                    identity=f"CP-{n:05d}",
                    ocpp_version=V16,
                    csms_url=csms_url,
                    template=TEMPLATE,
                    location_id=location.id,
                )
            ).id
            for n in range(count)
        ]
        bus = InMemoryBus()
        async with FleetHost(store, bus) as host:
            settings = ApiSettings(jwt_secret=SECRET)
            app = create_app(store, Registry(), settings, host=host, bus=bus)
            async with serving(app, HOST, 0) as api_port:
                await host.start_chargers(ORG, ids)
                # Polling the stations' state (no event says "all booted").
                while not all(_booted(host.station(c)) for c in ids):  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
                freeze_gc()  # as a process hosting a fleet does once it has booted
                pipe.send((api_port, location.id))
                loop = asyncio.get_running_loop()
                stopped = asyncio.Event()
                loop.add_reader(pipe.fileno(), stopped.set)
                try:
                    await stopped.wait()
                finally:
                    loop.remove_reader(pipe.fileno())
        await bus.close()


def _booted(station: Any) -> bool:
    from chargeyard.station.model.states import Registration

    return station is not None and station.registration is Registration.ACCEPTED


# -- the client ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    command: str
    chargers: int
    queued: int
    failed: int
    accepted_seconds: float
    statuses: int
    status: str
    first_status_seconds: float | None
    all_statuses_seconds: float | None
    outcomes_seconds: float | None


def measure(count: int) -> tuple[list[Result], dict[str, Any]]:
    """Start the central system and the gateway, time each command of :data:`COMMANDS`."""
    context = multiprocessing.get_context("spawn")
    processes: list[BaseProcess] = []
    try:
        central, central_pipe = start_child(context, _central_main, (), "central")
        processes.append(central)
        csms_port = receive(central_pipe, central, 30)
        _ask(central_pipe, central, ("arm", "Available"))
        with tempfile.TemporaryDirectory(prefix="gateway-fanout-") as directory:
            started = time.monotonic()
            gateway, gateway_pipe = start_child(
                context, _gateway_main, (csms_port, count, directory), "gateway"
            )
            processes.append(gateway)
            api_port, location_id = receive(gateway_pipe, gateway, READY_TIMEOUT_S)
            _wait_for(central_pipe, central, count, READY_TIMEOUT_S)
            setup = {"ready_seconds": time.monotonic() - started}
            with httpx.Client(
                base_url=f"http://{HOST}:{api_port}", headers=_bearer(), timeout=60
            ) as client:
                warm = _post(client, "unplug-connector", location_id)  # all refuse: no cable
                if warm.status_code != 202 or warm.json()["failed_count"] != count:
                    raise RuntimeError(f"warm-up: {warm.status_code} {warm.text[:300]}")
                results = [
                    _command(client, central_pipe, central, path, status, location_id, count)
                    for path, status in COMMANDS
                ]
            gateway_pipe.send("stop")
            stop_child(gateway)
        central_pipe.send(("stop",))
        return results, setup
    finally:
        for process in reversed(processes):
            stop_child(process)


def _command(
    client: httpx.Client,
    central_pipe: Connection,
    central: BaseProcess,
    path: str,
    status: str,
    location_id: str,
    count: int,
) -> Result:
    _ask(central_pipe, central, ("arm", status))
    sent = time.monotonic()
    response = _post(client, path, location_id)
    accepted = time.monotonic() - sent
    if response.status_code != 202:
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    body = response.json()
    seen, first, last = _wait_for(central_pipe, central, body["queued_count"], STATUS_TIMEOUT_S)
    stored = _outcomes_stored(client, body["results"])
    return Result(
        command=path,
        chargers=count,
        queued=body["queued_count"],
        failed=body["failed_count"],
        accepted_seconds=accepted,
        statuses=seen,
        status=status,
        first_status_seconds=first - sent if first else None,
        all_statuses_seconds=last - sent if seen >= body["queued_count"] and last else None,
        outcomes_seconds=stored - sent if stored is not None else None,
    )


def _outcomes_stored(client: httpx.Client, results: list[dict[str, Any]]) -> float | None:
    """When GET /ocpp/commands/{id} of the last queued command stopped saying it is queued (the
    fleet host records outcomes in order, in batches), or None if it never did."""
    if not results:
        return None
    last = results[-1]["command"]["id"]
    deadline = time.monotonic() + STATUS_TIMEOUT_S
    while time.monotonic() < deadline:
        if client.get(f"/ocpp/commands/{last}").json()["state"] != "queued":
            return time.monotonic()
        time.sleep(POLL_S)
    return None


def _post(client: httpx.Client, path: str, location_id: str) -> httpx.Response:
    body = {"target": {"location_id": location_id}, "event": {"evse_id": 1, "connector_id": 1}}
    return client.post(f"/ocpp/commands/{path}", json=body)


def _bearer() -> dict[str, str]:
    from chargeyard.api.tokens import Role, issue_token

    token = issue_token(
        subject="bench",
        organization_id=ORG,
        roles=[Role.OPERATOR],
        key=SECRET,
        algorithm="HS256",
        ttl=timedelta(hours=1),
    )
    return {"Authorization": f"Bearer {token}"}


def _wait_for(
    pipe: Connection, process: BaseProcess, count: int, timeout: float
) -> tuple[int, float, float]:
    """Ask the central system until it counted ``count`` watched statuses (or time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        seen, first, last = _ask(pipe, process, ("read",))
        if seen >= count or time.monotonic() > deadline:
            return seen, first, last
        time.sleep(POLL_S)


# -- processes -----------------------------------------------------------------------------------


def _ask(pipe: Connection, process: BaseProcess, request: tuple[Any, ...]) -> Any:
    pipe.send(request)
    return receive(pipe, process, 30)


# -- reporting ----------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f} ms"


def _table(results: Sequence[Result]) -> list[str]:
    lines = [
        f"{'command':<18}{'chargers':>9}{'queued':>8}{'failed':>8}{'202 in':>10}"
        f"{'statuses':>10}{'first':>10}{'all':>10}{'stored':>10}"
    ]
    for r in results:
        lines.append(
            f"{r.command:<18}{r.chargers:>9}{r.queued:>8}{r.failed:>8}"
            f"{_seconds(r.accepted_seconds):>10}{r.statuses:>10}"
            f"{_seconds(r.first_status_seconds):>10}{_seconds(r.all_statuses_seconds):>10}"
            f"{_seconds(r.outcomes_seconds):>10}"
        )
    return lines


def _checks(results: Sequence[Result]) -> list[str]:
    lines: list[str] = []
    for r in results:
        every = r.queued == r.chargers and r.statuses >= r.chargers
        checks = [
            (
                f"{r.command}: 202 in <= {ACCEPTED_TARGET_S * 1000:.0f} ms",
                r.accepted_seconds <= ACCEPTED_TARGET_S and r.queued == r.chargers,
                _seconds(r.accepted_seconds),
            ),
            (
                f"{r.command}: {r.chargers} StatusNotification({r.status}) in "
                f"<= {STATUS_TARGET_S:g} s",
                every
                and r.all_statuses_seconds is not None
                and r.all_statuses_seconds <= STATUS_TARGET_S,
                f"{_seconds(r.all_statuses_seconds)} ({r.statuses} received)",
            ),
        ]
        for label, ok, detail in checks:
            lines.append(f"{'PASS' if ok else 'FAIL'}  {label:<62} {detail}")
    return lines


def _environment() -> dict[str, str]:
    load = os.getloadavg()
    return {
        "cores": str(len(os.sched_getaffinity(0))),
        "python": sys.version.split()[0],
        "load average": " ".join(f"{value:.2f}" for value in load),
    }


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="chargers in the location")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write results as JSON")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("need --count >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    environment = _environment()
    print(
        f"A location of {args.count} running OCPP 1.6 chargers; commands, each to the whole"
        f" location: POST /ocpp/commands/{{{','.join(path for path, _ in COMMANDS)}}}"
        ' {"target": {"location_id": ...}, "event": {"evse_id": 1, "connector_id": 1}}\n'
        + ", ".join(f"{key} {value}" for key, value in environment.items()),
        flush=True,
    )
    results, setup = measure(args.count)
    print(f"(chargers created, started and Available in {setup['ready_seconds']:.1f} s)")
    print("\n".join(["", *_table(results), "", *_checks(results)]))
    if args.json:
        document = {
            "count": args.count,
            "environment": environment,
            "setup": setup,
            "results": [asdict(result) for result in results],
        }
        args.json.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return 0  # a report, not a test: missed targets are printed, not failed


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
