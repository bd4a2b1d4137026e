"""End to end against a central system written with the ``ocpp`` library (a third party).

Our stations (``StationRuntime``, system clock) connect over real WebSockets on 127.0.0.1 to a
CSMS built from ``ocpp.v16.ChargePoint`` / ``ocpp.v201.ChargePoint`` and ``ocpp.routing.on``, in
this process. Every frame a station sends is checked against the official schemas on arrival
(CALLs against the request schema, CALLRESULTs against the response schema of the CALL they
answer), and a station's CALLERROR fails the test unless the test asked for one.

The drive: boot and status reports; a driver plugs and badges (Authorize, StartTransaction or
TransactionEvent, MeterValues while charging), then unplugs; the CSMS reads and changes the
configuration, starts and stops remotely, and resets the station, which boots again.

Every peer (the station's runtime, the library's central system, the sockets between them) runs
on the test's event loop, so the drives run on virtual time (``tests/virtual_time.py``): the
station's system clock is the loop's (``loop_clock``), and what it waits for, the meter value
interval, the power staying off after a Reset, the reconnect back-off, passes at once.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as LibChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v16.enums import ResetType
from ocpp.v201 import ChargePoint as LibChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.protocol import V16, V201, OcppError, VersionSpec
from chargeyard.station.model.states import Registration
from chargeyard.station.v16 import StationV16
from tests.polling import until
from tests.station.wall_clock import wall_clock_station

TEMPLATE = "alfen-eve-single-pro-line"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- what the station sent, checked against the official schemas ----------------------------------


@dataclass
class Wire:
    """Every frame a station sent, checked as it arrives."""

    version: VersionSpec
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (action, payload)
    answers: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # to our CALLs
    sends: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # 2.1 SENDs
    errors: list[list[Any]] = field(default_factory=list)  # CALLERRORs the station sent
    violations: list[str] = field(default_factory=list)
    _asked: dict[str, str] = field(default_factory=dict)  # our CALL ids -> action

    def sent_by_csms(self, text: str) -> None:
        message = orjson.loads(text)
        if message[0] == 2:
            self._asked[message[1]] = message[2]

    def sent_by_station(self, text: str | bytes) -> None:
        message = orjson.loads(text)
        try:
            if message[0] == 2:
                self.version.schemas.check_request(message[2], message[3])
                self.calls.append((message[2], message[3]))
            elif message[0] == 3:
                action = self._asked.pop(message[1])
                self.version.schemas.check_response(action, message[2])
                self.answers.append((action, message[2]))
            elif message[0] == 6:
                # 2.1 part 4 section 4.2.6: a SEND is never answered, and the library's
                # ChargePoint does not route it, so the wire checks it on the way past.
                self.version.schemas.check_request(message[2], message[3])
                self.sends.append((message[2], message[3]))
            else:
                self.errors.append(message)
        except OcppError as error:
            self.violations.append(f"{message!r}: {error}")

    def actions(self) -> list[str]:
        return [action for action, _ in self.calls]

    def payloads(self, action: str) -> list[dict[str, Any]]:
        return [payload for name, payload in self.calls if name == action]


class Recorded:
    """The server's websocket as the library sees it, with every frame going past the wire."""

    def __init__(self, websocket: ServerConnection, wire: Wire) -> None:
        self._websocket = websocket
        self._wire = wire

    async def recv(self) -> str | bytes:
        message = await self._websocket.recv()
        self._wire.sent_by_station(message)
        return message

    async def send(self, message: str) -> None:
        self._wire.sent_by_csms(message)
        await self._websocket.send(message)


# -- the central systems, written with the ocpp library -------------------------------------------


class LibCentralSystem16(LibChargePoint16):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each central system numbers its own transactions from 1: a count on the class was
        # shared by every test that ran before in the same process.
        self.transaction_ids = itertools.count(1)

    @on(Action16.boot_notification)  # type: ignore[untyped-decorator]
    def on_boot_notification(self, **payload: Any) -> result16.BootNotification:
        return result16.BootNotification(current_time=now(), interval=60, status="Accepted")

    @on(Action16.heartbeat)  # type: ignore[untyped-decorator]
    def on_heartbeat(self, **payload: Any) -> result16.Heartbeat:
        return result16.Heartbeat(current_time=now())

    @on(Action16.status_notification)  # type: ignore[untyped-decorator]
    def on_status_notification(self, **payload: Any) -> result16.StatusNotification:
        return result16.StatusNotification()

    @on(Action16.authorize)  # type: ignore[untyped-decorator]
    def on_authorize(self, **payload: Any) -> result16.Authorize:
        return result16.Authorize(id_tag_info={"status": "Accepted"})

    @on(Action16.start_transaction)  # type: ignore[untyped-decorator]
    def on_start_transaction(self, **payload: Any) -> result16.StartTransaction:
        return result16.StartTransaction(
            transaction_id=next(self.transaction_ids), id_tag_info={"status": "Accepted"}
        )

    @on(Action16.stop_transaction)  # type: ignore[untyped-decorator]
    def on_stop_transaction(self, **payload: Any) -> result16.StopTransaction:
        if "id_tag" in payload:
            return result16.StopTransaction(id_tag_info={"status": "Accepted"})
        return result16.StopTransaction()

    @on(Action16.meter_values)  # type: ignore[untyped-decorator]
    def on_meter_values(self, **payload: Any) -> result16.MeterValues:
        return result16.MeterValues()


class LibCentralSystem201(LibChargePoint201):  # type: ignore[misc]
    @on(Action201.boot_notification)  # type: ignore[untyped-decorator]
    def on_boot_notification(self, **payload: Any) -> result201.BootNotification:
        return result201.BootNotification(current_time=now(), interval=60, status="Accepted")

    @on(Action201.heartbeat)  # type: ignore[untyped-decorator]
    def on_heartbeat(self, **payload: Any) -> result201.Heartbeat:
        return result201.Heartbeat(current_time=now())

    @on(Action201.status_notification)  # type: ignore[untyped-decorator]
    def on_status_notification(self, **payload: Any) -> result201.StatusNotification:
        return result201.StatusNotification()

    @on(Action201.authorize)  # type: ignore[untyped-decorator]
    def on_authorize(self, **payload: Any) -> result201.Authorize:
        return result201.Authorize(id_token_info={"status": "Accepted"})

    @on(Action201.transaction_event)  # type: ignore[untyped-decorator]
    def on_transaction_event(self, **payload: Any) -> result201.TransactionEvent:
        if "id_token" in payload:
            return result201.TransactionEvent(id_token_info={"status": "Accepted"})
        return result201.TransactionEvent()

    @on(Action201.meter_values)  # type: ignore[untyped-decorator]
    def on_meter_values(self, **payload: Any) -> result201.MeterValues:
        return result201.MeterValues()

    @on(Action201.notify_report)  # type: ignore[untyped-decorator]
    def on_notify_report(self, **payload: Any) -> result201.NotifyReport:
        return result201.NotifyReport()

    @on(Action201.notify_event)  # type: ignore[untyped-decorator]
    def on_notify_event(self, **payload: Any) -> result201.NotifyEvent:
        return result201.NotifyEvent()

    @on(Action201.security_event_notification)  # type: ignore[untyped-decorator]
    def on_security_event(self, **payload: Any) -> result201.SecurityEventNotification:
        return result201.SecurityEventNotification()


CENTRAL_SYSTEMS: dict[VersionSpec, type[Any]] = {V16: LibCentralSystem16, V201: LibCentralSystem201}


@dataclass
class LibCsms:
    """The library's central system on 127.0.0.1: the latest ChargePoint per identity."""

    version: VersionSpec
    central_system: type[Any] | None = None  # else the one of CENTRAL_SYSTEMS for the version
    port: int = 0
    wire: Wire = field(init=False)
    charge_points: dict[str, Any] = field(default_factory=dict)
    connections: int = 0

    def __post_init__(self) -> None:
        self.wire = Wire(self.version)

    async def serve(self, websocket: ServerConnection) -> None:
        assert websocket.request is not None
        identity = websocket.request.path.rsplit("/", 1)[-1]
        kind = self.central_system or CENTRAL_SYSTEMS[self.version]
        charge_point = kind(identity, Recorded(websocket, self.wire))
        self.charge_points[identity] = charge_point
        self.connections += 1
        with contextlib.suppress(ConnectionClosed):
            await charge_point.start()

    async def call(self, request: Any, identity: str = "CP-1") -> Any:
        return await self.charge_points[identity].call(request, suppress=False)


@contextlib.asynccontextmanager
async def lib_csms(
    version: VersionSpec, central_system: type[Any] | None = None
) -> AsyncIterator[LibCsms]:
    csms = LibCsms(version, central_system)
    subprotocol = Subprotocol(version.subprotocol)
    async with serve(csms.serve, "127.0.0.1", 0, subprotocols=[subprotocol]) as server:
        csms.port = server.sockets[0].getsockname()[1]
        yield csms
    assert csms.wire.violations == []
    assert csms.wire.errors == []


@contextlib.asynccontextmanager
async def running(station: Any, csms: LibCsms) -> AsyncIterator[StationRuntime]:
    runtime = StationRuntime(
        station,
        f"ws://127.0.0.1:{csms.port}/ocpp/{station.identity}",
        reconnect=ReconnectPolicy(initial=0.05, ceiling=0.2),
    )
    runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


def accepted(station: Any) -> bool:
    return bool(station.registration is Registration.ACCEPTED)


# -- OCPP 1.6 -------------------------------------------------------------------------------------


@pytest.mark.virtual_time
async def test_ocpp16_station_against_the_ocpp_library() -> None:
    station = wall_clock_station("CP-1", TEMPLATE)
    assert isinstance(station, StationV16)
    station.config.change("MeterValueSampleInterval", "1")
    async with lib_csms(V16) as csms, running(station, csms):
        wire = csms.wire
        # Boot, then the status of connector 0 and connector 1 (4.2, 4.9).
        await until(lambda: accepted(station) and len(wire.payloads("StatusNotification")) == 2)
        assert wire.payloads("BootNotification")[0]["chargePointVendor"] == "Alfen BV"
        assert [(p["connectorId"], p["status"]) for p in wire.payloads("StatusNotification")] == [
            (0, "Available"),
            (1, "Available"),
        ]

        # A driver plugs in and badges: Authorize, StartTransaction, MeterValues while charging.
        station.plug(1, 1)
        station.present_id_token("TAG-E2E")
        await until(lambda: len(wire.payloads("MeterValues")) >= 1, within=5)
        (start,) = wire.payloads("StartTransaction")
        assert (start["connectorId"], start["idTag"]) == (1, "TAG-E2E")
        assert wire.payloads("Authorize") == [{"idTag": "TAG-E2E"}]
        meter = wire.payloads("MeterValues")[0]
        assert meter["transactionId"] == 1
        assert meter["meterValue"][0]["sampledValue"][0]["context"] == "Sample.Periodic"
        station.unplug(1, 1)
        await until(lambda: len(wire.payloads("StopTransaction")) == 1)
        assert wire.payloads("StopTransaction")[0]["reason"] == "EVDisconnected"

        # The CSMS reads and changes the configuration (5.8, 5.3).
        read = await csms.call(call16.GetConfiguration(key=["MeterValueSampleInterval", "Nope"]))
        assert read.configuration_key == [
            {"key": "MeterValueSampleInterval", "readonly": False, "value": "1"}
        ]
        assert read.unknown_key == ["Nope"]
        changed = await csms.call(call16.ChangeConfiguration(key="HeartbeatInterval", value="30"))
        assert changed.status == "Accepted"
        assert station.heartbeat_interval == 30

        # Remote start (5.11): accepted, then the cable; remote stop (5.12).
        remote = await csms.call(call16.RemoteStartTransaction(id_tag="REMOTE-1", connector_id=1))
        assert remote.status == "Accepted"
        station.plug(1, 1)
        await until(lambda: len(wire.payloads("StartTransaction")) == 2)
        assert wire.payloads("StartTransaction")[1]["idTag"] == "REMOTE-1"
        # Stopped once the station holds the id StartTransaction.conf gave it (the CSMS saw
        # the request before its answer reached the station).
        await until(lambda: station.model.transaction_by_csms_id(2) is not None)
        stop = await csms.call(call16.RemoteStopTransaction(transaction_id=2))
        assert stop.status == "Accepted"
        await until(lambda: len(wire.payloads("StopTransaction")) == 2)
        assert wire.payloads("StopTransaction")[1]["reason"] == "Remote"
        station.unplug(1, 1)
        await until(
            lambda: wire.payloads("StatusNotification")[-1]["status"] == "Available", every=0.02
        )
        # Its answer back first: a reboot drops calls in flight (see report).
        await until(lambda: station.awaiting_answers == 0)

        # Reset (5.14): accepted; the station reboots and boots again on a new connection.
        reset = await csms.call(call16.Reset(type=ResetType.soft))
        assert reset.status == "Accepted"
        await until(lambda: len(wire.payloads("BootNotification")) == 2, within=15)
        await until(lambda: accepted(station), every=0.02)
        assert csms.connections == 2

    assert {action for action, _ in wire.answers} == {
        "GetConfiguration",
        "ChangeConfiguration",
        "RemoteStartTransaction",
        "RemoteStopTransaction",
        "Reset",
    }


# -- OCPP 2.0.1 -----------------------------------------------------------------------------------


def _variable(component: str, variable: str, value: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"component": {"name": component}, "variable": {"name": variable}}
    if value is not None:
        data["attribute_value"] = value
    return data


@pytest.mark.virtual_time
async def test_ocpp201_station_against_the_ocpp_library() -> None:
    station = wall_clock_station("CP-1", TEMPLATE, V201)
    async with lib_csms(V201) as csms, running(station, csms):
        wire = csms.wire
        await until(lambda: accepted(station) and len(wire.payloads("StatusNotification")) == 1)
        boot = wire.payloads("BootNotification")[0]
        assert boot["chargingStation"]["vendorName"] == "Alfen BV"
        assert [
            (p["evseId"], p["connectorId"], p["connectorStatus"])
            for p in wire.payloads("StatusNotification")
        ] == [(1, 1, "Available")]

        # The CSMS reads and sets variables (B06, B05): meter values every second in a session.
        read = await csms.call(
            call201.GetVariables(
                get_variable_data=[_variable("OCPPCommCtrlr", "HeartbeatInterval")]
            )
        )
        assert read.get_variable_result[0]["attribute_status"] == "Accepted"
        assert read.get_variable_result[0]["attribute_value"] == "60"  # from the boot answer
        written = await csms.call(
            call201.SetVariables(
                set_variable_data=[_variable("SampledDataCtrlr", "TxUpdatedInterval", "1")]
            )
        )
        assert written.set_variable_result[0]["attribute_status"] == "Accepted"

        # A driver plugs in and badges (E02): Started, Updated with meter values; unplugs (E10).
        station.plug(1, 1)
        station.present_id_token("TAG-E2E")

        def events(kind: str) -> list[dict[str, Any]]:
            return [p for p in wire.payloads("TransactionEvent") if p["eventType"] == kind]

        await until(lambda: any("meterValue" in p for p in events("Updated")), within=5)
        (started,) = events("Started")
        transaction_id = started["transactionInfo"]["transactionId"]
        assert wire.payloads("Authorize")[0]["idToken"]["idToken"] == "TAG-E2E"
        station.unplug(1, 1)
        await until(lambda: len(events("Ended")) == 1)
        ended = events("Ended")[0]
        assert ended["transactionInfo"]["transactionId"] == transaction_id
        assert ended["transactionInfo"]["stoppedReason"] == "EVDisconnected"

        # Remote start (F01): accepted, then the cable.
        remote = await csms.call(
            call201.RequestStartTransaction(
                id_token={"id_token": "REMOTE-1", "type": "ISO14443"}, remote_start_id=7, evse_id=1
            )
        )
        assert remote.status == "Accepted"
        station.plug(1, 1)
        await until(lambda: len(events("Started")) == 2)
        assert events("Started")[1]["transactionInfo"]["remoteStartId"] == 7

        # Reset (B11): accepted; the station ends the transaction, reboots and boots again.
        reset = await csms.call(call201.Reset(type="Immediate"))
        assert reset.status == "Accepted"
        await until(lambda: len(wire.payloads("BootNotification")) == 2, within=15)
        await until(lambda: accepted(station), every=0.02)
        assert events("Ended")[1]["transactionInfo"]["stoppedReason"] == "ImmediateReset"

    assert {action for action, _ in wire.answers} == {
        "GetVariables",
        "SetVariables",
        "RequestStartTransaction",
        "Reset",
    }
