"""The user's projects the plugin's tests run: a central system written with the ``ocpp``
library (its module, as a user's project has it) and the settings of each async plugin."""

from __future__ import annotations

# A user's central system on the ocpp library: 1.6, each connection a ChargePoint, the
# meter values it receives put in a queue, its connections told by a condition.
LIBRARY_CSMS = '''
import asyncio
import itertools
from datetime import UTC, datetime

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action


def now():
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CentralSystem(ChargePoint):
    def __init__(self, identity, connection):
        super().__init__(identity, connection)
        self.meter_values = asyncio.Queue()
        self.transaction_ids = itertools.count(1)

    @on(Action.boot_notification)
    def on_boot(self, **payload):
        return call_result.BootNotification(current_time=now(), interval=300, status="Accepted")

    @on(Action.heartbeat)
    def on_heartbeat(self, **payload):
        return call_result.Heartbeat(current_time=now())

    @on(Action.status_notification)
    def on_status(self, **payload):
        return call_result.StatusNotification()

    @on(Action.authorize)
    def on_authorize(self, **payload):
        return call_result.Authorize(id_tag_info={"status": "Accepted"})

    @on(Action.start_transaction)
    def on_start(self, **payload):
        return call_result.StartTransaction(
            transaction_id=next(self.transaction_ids), id_tag_info={"status": "Accepted"}
        )

    @on(Action.stop_transaction)
    def on_stop(self, **payload):
        return call_result.StopTransaction()

    @on(Action.meter_values)
    def on_meter_values(self, **payload):
        self.meter_values.put_nowait(payload)
        return call_result.MeterValues()


class Csms:
    """The listener: every connection by identity, newest last."""

    def __init__(self):
        self.connections = {}
        self.changed = asyncio.Condition()
        self.server = None

    @property
    def url(self):
        host, port = next(iter(self.server.sockets)).getsockname()[:2]
        return f"ws://{host}:{port}/ocpp"

    async def start(self):
        self.server = await websockets.serve(
            self.handle, "127.0.0.1", 0, subprotocols=["ocpp1.6"]
        )

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, websocket):
        identity = websocket.request.path.rsplit("/", 1)[-1]
        charge_point = CentralSystem(identity, websocket)
        async with self.changed:
            self.connections.setdefault(identity, []).append(charge_point)
            self.changed.notify_all()
        try:
            await charge_point.start()
        except websockets.ConnectionClosed:
            pass

    async def connection(self, identity, number=1):
        """The station's connection ``number`` (2: after one reconnect)."""
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(
                    lambda: len(self.connections.get(identity, [])) >= number
                ),
                10,
            )
            return self.connections[identity][number - 1]
'''

# The tests of that central system, as its project writes them (the fixture decorator and the
# test mark are each async plugin's: filled in by the test).
LIBRARY_CSMS_TESTS = """
import asyncio

import pytest
from ocpp.v16 import call

from my_csms import Csms

{imports}


@{fixture}
async def csms():
    server = Csms()
    await server.start()
    yield server
    await server.stop()


{mark}
async def test_remote_start_charges_and_meters(csms, ocpp_station):
    station = await ocpp_station(
        csms.url, "1.6", identity="CP-7", configuration={{"MeterValueSampleInterval": "1"}}
    )
    charge_point = await csms.connection("CP-7")
    await station.plug()

    answer = await charge_point.call(call.RemoteStartTransaction(id_tag="TAG-1", connector_id=1))

    assert answer.status == "Accepted"
    request = await station.expect_call("RemoteStartTransaction")
    assert request.payload == {{"idTag": "TAG-1", "connectorId": 1}}
    await station.wait_for_status(1, "Charging")
    await station.send_meter_values(1)
    meter = await asyncio.wait_for(charge_point.meter_values.get(), 5)
    assert meter["connector_id"] == 1
    assert meter["transaction_id"] == 1
    [sample] = meter["meter_value"][0]["sampled_value"][:1]
    assert float(sample["value"]) >= 0


{mark}
async def test_a_reconnected_station_takes_commands_again(csms, ocpp_station):
    station = await ocpp_station(csms.url, identity="CP-8")
    await csms.connection("CP-8")

    await station.reconnect()

    again = await csms.connection("CP-8", number=2)
    answer = await again.call(call.ChangeAvailability(connector_id=1, type="Inoperative"))
    assert answer.status == "Accepted"
    await station.wait_for_status(1, "Unavailable")
    assert [frame.direction for frame in station.frames if frame.action == "BootNotification"] == [
        "sent",
        "received",
    ]
"""

# Each async plugin's spelling of a fixture, a test mark and the imports they need.
PYTEST_ASYNCIO_STRICT = {
    "imports": "import pytest_asyncio",
    "fixture": "pytest_asyncio.fixture",
    "mark": "@pytest.mark.asyncio",
}
PYTEST_ASYNCIO_AUTO = {"imports": "", "fixture": "pytest.fixture", "mark": ""}
ANYIO = {
    "imports": """
@pytest.fixture
def anyio_backend():
    return "asyncio"
""",
    "fixture": "pytest.fixture",
    "mark": "@pytest.mark.anyio",
}

# How the tests run a project: in this process, without the plugins of this repository's own
# tests that a user's project would not have (the browser's keeps a scope of its own per
# process, which an inner run cannot open again).
RUN_ARGS = ("-p", "no:cacheprovider", "-p", "no:playwright", "-W", "error::DeprecationWarning")
INI = "[pytest]\nasyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\n"
