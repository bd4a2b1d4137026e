"""A conformance hook for a CSMS built on the `ocpp` library (contract version 1 of
docs/conformance-hooks.md), with a tiny OCPP 1.6 CSMS to drive. Copy it and keep the hook.

Run it as it is::

    pip install ocpp websockets
    python conformance_hook_ocpp_lib.py --ocpp-port 9000 --hook-port 8080

and judge the CSMS, the hook making it act and setting up the id tags the cases need::

    chargeyard conformance csms --url ws://127.0.0.1:9000/ocpp --identity CP-TEST \\
        --trigger-url http://127.0.0.1:8080 --profile Core

Into your own CSMS, take :class:`ConformanceHook` and :func:`serve_hook`: give the hook the
registry of connected charge points (identity -> your ``ocpp`` ChargePoint), and, for the
set-up requests, a place where your CSMS reads id tags (:class:`TagBook`) and the answer to
a station's boot (:class:`Registrations`), or None for either (the hook then says it cannot
set them up, and you give the tags with ``--id-tag`` and the like). The hook's HTTP server
runs in a thread of its own (only the standard library), and hands every request to your
event loop, where your charge points live.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import threading
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import websockets
from ocpp.charge_point import ChargePoint as LibraryChargePoint
from ocpp.charge_point import camel_to_snake_case
from ocpp.exceptions import OCPPError
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result

CONTRACT = 1  # the version of docs/conformance-hooks.md this hook speaks

# What a central system sends in OCPP 1.6 (section 4 lists who sends what), with the
# security extension's messages.
ACTIONS_16 = [
    "CancelReservation", "CertificateSigned", "ChangeAvailability", "ChangeConfiguration",
    "ClearCache", "ClearChargingProfile", "DataTransfer", "DeleteCertificate",
    "ExtendedTriggerMessage", "GetCompositeSchedule", "GetConfiguration", "GetDiagnostics",
    "GetInstalledCertificateIds", "GetLocalListVersion", "GetLog", "InstallCertificate",
    "RemoteStartTransaction", "RemoteStopTransaction", "ReserveNow", "Reset", "SendLocalList",
    "SetChargingProfile", "SignedUpdateFirmware", "TriggerMessage", "UnlockConnector",
    "UpdateFirmware",
]  # fmt: skip


class TagBook:
    """The id tags the CSMS knows: tag -> status, expiry date and parent (group)."""

    def __init__(self) -> None:
        self._tags: dict[str, dict[str, str]] = {}

    def put(self, tag: str, status: str, expiry: str | None, group: str | None) -> None:
        self._tags[tag] = {"status": status, "expiryDate": expiry or "", "parentIdTag": group or ""}

    def forget(self, tag: str) -> None:
        self._tags.pop(tag, None)

    def info(self, tag: str) -> dict[str, str]:
        """OCPP 1.6 IdTagInfo of ``tag``: Invalid when unknown, Expired past its date."""
        known = self._tags.get(tag)
        if known is None:
            return {"status": "Invalid"}
        info = {"status": known["status"]}
        expiry = known["expiryDate"]
        if expiry:
            info["expiryDate"] = expiry
            if datetime.fromisoformat(expiry.replace("Z", "+00:00")) <= datetime.now(UTC):
                info["status"] = "Expired"
        if known["parentIdTag"]:
            info["parentIdTag"] = known["parentIdTag"]
        return info


class Registrations:
    """How the CSMS answers each station's next BootNotification (Accepted unless told)."""

    def __init__(self) -> None:
        self._next: dict[str, str] = {}

    def put(self, station: str, status: str) -> None:
        self._next[station] = status

    def boot(self, station: str) -> str:
        """The answer to this boot; a Pending station is Accepted at the boot after (B02)."""
        status = self._next.pop(station, "Accepted")
        if status == "Rejected":
            self._next[station] = status  # Rejected until told otherwise
        return status


class ConformanceHook:
    """Makes the CSMS act on the suite's orders. ``stations``: identity -> the connected
    ChargePoint; ``calls``: by OCPP version, the library's module of requests (``ocpp.v16.call``);
    ``actions``: by OCPP version, the actions the hook says it takes."""

    def __init__(
        self,
        stations: Mapping[str, LibraryChargePoint],
        *,
        tags: TagBook | None = None,
        registrations: Registrations | None = None,
        calls: Mapping[str, ModuleType] | None = None,
        actions: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.stations = stations
        self.tags = tags
        self.registrations = registrations
        self.calls = dict(calls or {"1.6": call16})
        self.actions = dict(actions or {"1.6": ACTIONS_16})

    def capabilities(self) -> tuple[int, dict[str, Any]]:
        set_up = [
            name
            for name, on_ in (("idTags", self.tags), ("registration", self.registrations))
            if on_
        ]
        return 200, {"contract": [CONTRACT], "actions": self.actions, "setUp": set_up}

    async def order(
        self, version: str, station: str, action: str, payload: Any
    ) -> tuple[int, dict[str, Any]]:
        """Have the CSMS send ``action`` with ``payload`` to ``station``; answered once the
        station answered (a password the station takes is then the CSMS's too)."""
        request_type = getattr(self.calls.get(version), action, None)
        if action not in self.actions.get(version, []) or request_type is None:
            return _answer(
                501, "notSupported", f"this CSMS does not send {action} in OCPP {version}"
            )
        charge_point = self.stations.get(station)
        if charge_point is None:
            return _answer(409, "failed", f"station {station} is not connected to this CSMS")
        try:
            request = request_type(**camel_to_snake_case(payload or {}))
        except TypeError as error:
            return _answer(422, "failed", f"the library cannot hold this payload: {error}")
        try:
            await charge_point.call(request, suppress=False)
        except OCPPError as error:  # the CALL went out; the station refused it
            return _answer(
                200, "taken", f"the station answered CALLERROR {type(error).__name__}: {error}"
            )
        except TimeoutError:  # the CALL went out; no answer came
            return _answer(200, "taken", "the station did not answer in time")
        return _answer(200, "taken")

    async def put_tag(self, tag: str, body: Any) -> tuple[int, dict[str, Any]]:
        if self.tags is None:
            return _answer(501, "notSupported", "this hook does not set up id tags")
        if not isinstance(body, dict) or body.get("status") not in (
            "Accepted",
            "Blocked",
            "Expired",
        ):
            return _answer(
                400, "failed", 'the body must be {"status": "Accepted"|"Blocked"|"Expired"}'
            )
        self.tags.put(tag, body["status"], body.get("expiryDate"), body.get("groupId"))
        return _answer(200, "taken")

    async def forget_tag(self, tag: str) -> tuple[int, dict[str, Any]]:
        if self.tags is None:
            return _answer(501, "notSupported", "this hook does not set up id tags")
        self.tags.forget(tag)
        return _answer(200, "taken")

    async def put_registration(self, station: str, body: Any) -> tuple[int, dict[str, Any]]:
        if self.registrations is None:
            return _answer(501, "notSupported", "this hook does not set up registrations")
        if not isinstance(body, dict) or body.get("status") not in (
            "Accepted",
            "Pending",
            "Rejected",
        ):
            return _answer(
                400, "failed", 'the body must be {"status": "Accepted"|"Pending"|"Rejected"}'
            )
        self.registrations.put(station, body["status"])
        return _answer(200, "taken")

    async def handle(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        """Route one request of the contract (``path`` relative to the hook's base URL)."""
        parts = [unquote(part) for part in path.strip("/").split("/")]
        match method, parts:
            case "GET", ["capabilities"]:
                return self.capabilities()
            case "POST", [version, station, action]:
                return await self.order(version, station, action, body)
            case "PUT", ["id-tags", tag]:
                return await self.put_tag(tag, body)
            case "DELETE", ["id-tags", tag]:
                return await self.forget_tag(tag)
            case "PUT", ["stations", station, "registration"]:
                return await self.put_registration(station, body)
        return _answer(404, "notSupported", f"no such request: {method} {path}")


def _answer(status: int, result: str, reason: str | None = None) -> tuple[int, dict[str, Any]]:
    return status, {"result": result} | ({"reason": reason} if reason else {})


def serve_hook(
    hook: ConformanceHook, loop: asyncio.AbstractEventLoop, host: str, port: int
) -> ThreadingHTTPServer:
    """Serve ``hook`` over HTTP on ``host:port`` (0: any free port) in a thread of its own;
    each request runs on ``loop``. Stop it with ``server.shutdown()``."""

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length)) if length else None
            except ValueError:
                status, answer = _answer(400, "failed", "the body is not JSON")
            else:
                handled = hook.handle(self.command, self.path.split("?", 1)[0], body)
                status, answer = asyncio.run_coroutine_threadsafe(handled, loop).result()
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return None

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# -- a tiny OCPP 1.6 CSMS, the hook's to drive ------------------------------------------------


class TinyCsms(ChargePoint16):
    """Boots (as ``registrations`` says), heartbeats, statuses, tags (as ``tags`` says) and
    transactions; it signs no certificate (SignCertificate is answered NotImplemented, as
    the library does for a message without a handler)."""

    transaction_ids = itertools.count(1)

    def __init__(
        self, identity: str, websocket: Any, tags: TagBook, registrations: Registrations
    ) -> None:
        super().__init__(identity, websocket)
        self.tags = tags
        self.registrations = registrations

    @on("BootNotification")
    def on_boot(self, **_: Any) -> call_result.BootNotification:
        status = self.registrations.boot(self.id)
        now = datetime.now(UTC).isoformat()
        return call_result.BootNotification(current_time=now, interval=60, status=status)

    @on("Heartbeat")
    def on_heartbeat(self, **_: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=datetime.now(UTC).isoformat())

    @on("StatusNotification")
    def on_status(self, **_: Any) -> call_result.StatusNotification:
        return call_result.StatusNotification()

    @on("MeterValues")
    def on_meter_values(self, **_: Any) -> call_result.MeterValues:
        return call_result.MeterValues()

    @on("FirmwareStatusNotification")
    def on_firmware_status(self, **_: Any) -> call_result.FirmwareStatusNotification:
        return call_result.FirmwareStatusNotification()

    @on("DiagnosticsStatusNotification")
    def on_diagnostics_status(self, **_: Any) -> call_result.DiagnosticsStatusNotification:
        return call_result.DiagnosticsStatusNotification()

    @on("LogStatusNotification")  # security extension
    def on_log_status(self, **_: Any) -> call_result.LogStatusNotification:
        return call_result.LogStatusNotification()

    @on("SignedFirmwareStatusNotification")  # security extension
    def on_signed_firmware_status(self, **_: Any) -> call_result.SignedFirmwareStatusNotification:
        return call_result.SignedFirmwareStatusNotification()

    @on("SecurityEventNotification")  # security extension
    def on_security_event(self, **_: Any) -> call_result.SecurityEventNotification:
        return call_result.SecurityEventNotification()

    @on("DataTransfer")
    def on_data_transfer(self, **_: Any) -> call_result.DataTransfer:
        return call_result.DataTransfer(status="UnknownVendorId")

    @on("Authorize")
    def on_authorize(self, id_tag: str, **_: Any) -> call_result.Authorize:
        return call_result.Authorize(id_tag_info=self.tags.info(id_tag))

    @on("StartTransaction")
    def on_start(self, id_tag: str, **_: Any) -> call_result.StartTransaction:
        info = self.tags.info(id_tag)
        return call_result.StartTransaction(
            transaction_id=next(self.transaction_ids), id_tag_info=info
        )

    @on("StopTransaction")
    def on_stop(self, id_tag: str | None = None, **_: Any) -> call_result.StopTransaction:
        if id_tag is None:
            return call_result.StopTransaction()
        return call_result.StopTransaction(id_tag_info=self.tags.info(id_tag))


@contextlib.asynccontextmanager
async def running(ocpp_port: int = 0, hook_port: int = 0) -> AsyncIterator[tuple[str, str]]:
    """The tiny CSMS and its hook on 127.0.0.1 (port 0: any free one): their URLs."""
    stations: dict[str, LibraryChargePoint] = {}
    tags, registrations = TagBook(), Registrations()

    async def connected(websocket: Any) -> None:
        identity = websocket.request.path.rstrip("/").rsplit("/", 1)[-1]
        charge_point = TinyCsms(identity, websocket, tags, registrations)
        stations[identity] = charge_point
        try:
            await charge_point.start()
        except websockets.ConnectionClosed:
            pass
        finally:
            if stations.get(identity) is charge_point:
                del stations[identity]

    hook = ConformanceHook(stations, tags=tags, registrations=registrations)
    server = serve_hook(hook, asyncio.get_running_loop(), "127.0.0.1", hook_port)
    try:
        async with websockets.serve(
            connected, "127.0.0.1", ocpp_port, subprotocols=["ocpp1.6"]
        ) as listener:
            port = listener.sockets[0].getsockname()[1]
            yield f"ws://127.0.0.1:{port}/ocpp", f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


async def main(ocpp_port: int, hook_port: int) -> None:
    async with running(ocpp_port, hook_port) as (csms_url, hook_url):
        print(f"CSMS on {csms_url}, hook on {hook_url}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--ocpp-port", type=int, default=9000)
    arguments.add_argument("--hook-port", type=int, default=8080)
    options = arguments.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(options.ocpp_port, options.hook_port))
