"""The CSMS publishes what stations do, after it is kept: presence (connected, disconnected),
B01 boot, StatusNotification, and the transaction lifecycle (1.6 sections 4.7, 4.8, 4.10;
2.0.1 E01-E15), the same facts in the same shape for both versions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from websockets.asyncio.client import connect

from chargeyard.csms.events import Event, EventHub, EventType
from chargeyard.csms.server import CsmsServer
from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.station.model.states import Registration
from chargeyard.station.v16 import StationV16
from chargeyard.station.v201 import StationV201
from chargeyard.store import Store
from tests.csms.wire import exchange, url
from tests.station.wall_clock import wall_clock_station

TEMPLATE = "alfen-eve-single-pro-line"
FAST = ReconnectPolicy(initial=0.05, factor=2.0, ceiling=0.2)


class Recorder:
    """What a subscriber of the hub has seen so far, read on demand."""

    def __init__(self, hub: EventHub) -> None:
        self.subscription = hub.subscribe()
        self.events: list[Event] = []

    async def until(self, done: Callable[[list[Event]], bool], within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            while not done(self.events):
                self.events.append(await self.subscription.get())

    async def until_event(self, kind: EventType, within: float = 5.0) -> Event:
        """Read up to the next ``kind`` event (after those already seen); returns it."""
        start = len(self.events)
        await self.until(lambda seen: any(e.type is kind for e in seen[start:]), within)
        return next(e for e in self.events[start:] if e.type is kind)

    def since(self, index: int) -> list[tuple[str, dict[str, Any]]]:
        return [(event.type.value, event.data) for event in self.events[index:]]


@pytest.fixture
def recorder(csms: CsmsServer) -> Iterator[Recorder]:
    recorder = Recorder(csms.events)
    with recorder.subscription:
        yield recorder


@pytest.fixture
async def stations(csms: CsmsServer) -> AsyncIterator[Callable[[VersionSpec], StationRuntime]]:
    """Starts simulated stations (CP-1, registered by the ``csms`` fixture) of a version."""
    runtimes: list[StationRuntime] = []

    def start(version: VersionSpec, identity: str = "CP-1") -> StationRuntime:
        station = wall_clock_station(identity, TEMPLATE, version)
        runtime = StationRuntime(station, url(csms, identity), reconnect=FAST)
        runtimes.append(runtime)
        runtime.start()
        return runtime

    yield start
    for runtime in runtimes:
        await runtime.stop()


def not_volatile(data: dict[str, Any]) -> dict[str, Any]:
    """The data without times and ids the test cannot know."""
    return {
        key: value
        for key, value in data.items()
        if key not in {"transactionId", "startedAt", "stoppedAt", "timestamp", "durationMinutes"}
    }


async def test_b01_connect_and_boot_16_publish_connected_boot_and_statuses(
    csms: CsmsServer, recorder: Recorder, stations: Callable[[VersionSpec], StationRuntime]
) -> None:
    runtime = stations(V16)
    await recorder.until(lambda seen: len(seen) >= 4)
    assert recorder.since(0)[:4] == [
        ("charger.connected", {"ocppVersion": "1.6"}),
        (
            "charger.boot",
            {
                "vendor": "Alfen BV",
                "model": "NG910-60003",
                "serialNumber": None,
                "firmwareVersion": "6.4.0-4206",
                "status": "Accepted",
            },
        ),
        (
            "connector.status_changed",
            {"connectorId": 0, "status": "Available", "errorCode": "NoError"},
        ),
        (
            "connector.status_changed",
            {"connectorId": 1, "status": "Available", "errorCode": "NoError"},
        ),
    ]
    assert all(event.charge_box_id == "CP-1" for event in recorder.events)
    assert runtime.station.registration is Registration.ACCEPTED
    # The boot event follows the store write: a listener reading the store finds it.
    station = await csms.store.stations.get("CP-1")
    assert station is not None
    assert station.vendor == "Alfen BV"


async def test_b01_connect_and_boot_201_publish_connected_boot_and_statuses(
    recorder: Recorder, stations: Callable[[VersionSpec], StationRuntime]
) -> None:
    stations(V201)
    await recorder.until(lambda seen: len(seen) >= 3)
    assert recorder.since(0)[:3] == [
        ("charger.connected", {"ocppVersion": "2.0.1"}),
        (
            "charger.boot",
            {
                "vendor": "Alfen BV",
                "model": "NG910-60003",
                "serialNumber": None,
                "firmwareVersion": "6.4.0-4206",
                "status": "Accepted",
            },
        ),
        ("connector.status_changed", {"connectorId": 1, "evseId": 1, "status": "Available"}),
    ]


async def _booted(recorder: Recorder, runtime: StationRuntime) -> int:
    """Wait until the station's boot statuses are in (and, 2.0.1, the security event of its
    start, A04.FR.01); returns how many events were seen."""
    v16 = runtime.station.version is V16
    connectors = 2 if v16 else 1
    await recorder.until(
        lambda seen: (
            sum(e.type is EventType.CONNECTOR_STATUS_CHANGED for e in seen) >= connectors
            and (v16 or any(e.type is EventType.CHARGER_NOTIFICATION for e in seen))
        )
    )
    return len(recorder.events)


async def test_e_session_16_publishes_its_whole_lifecycle_in_order(
    csms: CsmsServer,
    store: Store,
    recorder: Recorder,
    stations: Callable[[VersionSpec], StationRuntime],
) -> None:
    await store.id_tags.create("TAG1")
    runtime = stations(V16)
    station = runtime.station
    assert isinstance(station, StationV16)
    mark = await _booted(recorder, runtime)

    station.plug(1, 1)
    station.present_id_token("TAG1", 1)
    await recorder.until_event(EventType.TRANSACTION_STARTED)
    await recorder.until(lambda seen: seen[-1].data.get("status") == "Charging")
    trigger = {"requestedMessage": "MeterValues", "connectorId": 1}
    assert await csms.registry.call("CP-1", "TriggerMessage", trigger) == {"status": "Accepted"}
    updated = await recorder.until_event(EventType.TRANSACTION_UPDATED)
    station.stop_transaction(1)
    stopped = await recorder.until_event(EventType.TRANSACTION_STOPPED)
    await recorder.until(lambda seen: seen[-1].data.get("status") == "Finishing")

    status_16 = {"connectorId": 1, "errorCode": "NoError"}
    assert [(kind, not_volatile(data)) for kind, data in recorder.since(mark)] == [
        (
            "connector.status_changed",
            {**status_16, "status": "Preparing", "previousStatus": "Available"},
        ),
        (
            "transaction.started",
            {"connectorId": 1, "idTag": "TAG1", "meterStart": 0.0, "remoteStarted": False},
        ),
        (
            "connector.status_changed",
            {**status_16, "status": "Charging", "previousStatus": "Preparing"},
        ),
        (
            "transaction.updated",
            {
                "connectorId": 1,
                "energyWh": updated.data["energyWh"],
                "powerW": 7360.0,
                "context": "Trigger",
            },
        ),
        (
            "transaction.stopped",
            {
                "connectorId": 1,
                "meterStop": stopped.data["meterStop"],
                "energyDelivered": stopped.data["meterStop"],
                "stopReason": "Local",
                "registerWentBackwards": False,
                "closedByCsms": False,
                "csmsCloseReason": None,
            },
        ),
        (
            "connector.status_changed",
            {**status_16, "status": "Finishing", "previousStatus": "Charging"},
        ),
    ]
    # One transaction throughout, as the store keeps it.
    record = await store.transactions.get("CP-1", stopped.data["transactionId"])
    assert record is not None
    ids = {
        e.data["transactionId"] for e in recorder.events if e.type.value.startswith("transaction.")
    }
    assert ids == {record.transaction_id}
    assert stopped.data["stoppedAt"] is not None
    assert stopped.data["durationMinutes"] == round(record.duration.total_seconds() / 60, 2)  # type: ignore[union-attr]
    assert updated.data["energyWh"] >= 0
    # (meterStop is whole Wh in 1.6, the sampled register may have decimals)
    assert stopped.data["meterStop"] > updated.data["energyWh"] - 1


async def test_e_session_201_publishes_its_whole_lifecycle_in_order(
    csms: CsmsServer,
    store: Store,
    recorder: Recorder,
    stations: Callable[[VersionSpec], StationRuntime],
) -> None:
    await store.id_tags.create("TAG1")
    runtime = stations(V201)
    station = runtime.station
    assert isinstance(station, StationV201)
    mark = await _booted(recorder, runtime)

    station.plug(1, 1)
    station.present_id_token("TAG1", 1)
    started = await recorder.until_event(EventType.TRANSACTION_STARTED)
    await recorder.until_event(EventType.TRANSACTION_UPDATED)  # chargingState Charging
    trigger = {"requestedMessage": "TransactionEvent", "evse": {"id": 1}}
    assert await csms.registry.call("CP-1", "TriggerMessage", trigger) == {"status": "Accepted"}
    metered = await recorder.until_event(EventType.TRANSACTION_UPDATED)
    station.stop_transaction(1)
    stopped = await recorder.until_event(EventType.TRANSACTION_STOPPED)

    assert [(kind, not_volatile(data)) for kind, data in recorder.since(mark)] == [
        (
            "connector.status_changed",
            {"connectorId": 1, "evseId": 1, "status": "Occupied", "previousStatus": "Available"},
        ),
        (
            "transaction.started",
            {
                "connectorId": 1,
                "evseId": 1,
                "idTag": "TAG1",
                "meterStart": 0.0,
                "remoteStarted": False,
                "chargingState": "EVConnected",
            },
        ),
        ("transaction.updated", {"connectorId": 1, "evseId": 1, "chargingState": "Charging"}),
        (
            "transaction.updated",
            {
                "connectorId": 1,
                "evseId": 1,
                "energyWh": metered.data["energyWh"],
                "powerW": 7360.0,
                "chargingState": "Charging",
                "context": "Trigger",
            },
        ),
        (
            "transaction.stopped",
            {
                "connectorId": 1,
                "evseId": 1,
                "meterStop": stopped.data["meterStop"],
                "energyDelivered": stopped.data["energyDelivered"],
                "stopReason": "Local",
                "registerWentBackwards": False,
                "closedByCsms": False,
                "csmsCloseReason": None,
            },
        ),
    ]
    transaction_id = started.data["transactionId"]
    assert {e.data["transactionId"] for e in recorder.events[mark + 1 :]} == {transaction_id}
    record = await store.transactions.get("CP-1", transaction_id)
    assert record is not None
    assert record.status == "completed"
    assert "timestamp" in metered.data


async def test_charger_disconnected_is_published_when_the_station_goes(
    csms: CsmsServer, recorder: Recorder, stations: Callable[[VersionSpec], StationRuntime]
) -> None:
    runtime = stations(V16)
    await _booted(recorder, runtime)
    await runtime.stop()
    event = await recorder.until_event(EventType.CHARGER_DISCONNECTED)
    assert event.data == {}
    # Published after the store marked it offline.
    station = await csms.store.stations.get("CP-1")
    assert station is not None
    assert not station.is_online


async def test_a_replaced_connection_publishes_no_disconnected(
    csms: CsmsServer, recorder: Recorder
) -> None:
    # OCPP 2.0.1 part 4 section 3.1.1: the newer connection replaces the older one.
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as first:  # type: ignore[list-item]
        await recorder.until_event(EventType.CHARGER_CONNECTED)
        async with connect(url(csms), subprotocols=["ocpp1.6"]) as second:  # type: ignore[list-item]
            await recorder.until_event(EventType.CHARGER_CONNECTED)
            await first.wait_closed()
            # The survivor still works, and is answered: its CSMS side is up.
            heartbeat = await exchange(second, [2, "h1", "Heartbeat", {}])
            assert heartbeat[0] == 3
            assert [e.type for e in recorder.events] == [
                EventType.CHARGER_CONNECTED,
                EventType.CHARGER_CONNECTED,
            ]
            assert recorder.subscription.take() == []
        await recorder.until_event(EventType.CHARGER_DISCONNECTED)
    assert [e.type for e in recorder.events] == [
        EventType.CHARGER_CONNECTED,
        EventType.CHARGER_CONNECTED,
        EventType.CHARGER_DISCONNECTED,
    ]
    assert recorder.subscription.take() == []


async def test_meter_values_outside_a_transaction_publish_nothing(
    csms: CsmsServer, recorder: Recorder
) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        await recorder.until_event(EventType.CHARGER_CONNECTED)
        values = {
            "connectorId": 1,
            "meterValue": [
                {"timestamp": "2026-11-21T10:00:00Z", "sampledValue": [{"value": "10"}]}
            ],
        }
        assert await exchange(websocket, [2, "m1", "MeterValues", values]) == [3, "m1", {}]
        assert await exchange(websocket, [2, "h1", "Heartbeat", {}]) != []
        assert recorder.subscription.take() == []


async def test_meter_values_16_report_the_register_in_wh_and_power_in_w(
    csms: CsmsServer, store: Store, recorder: Recorder
) -> None:
    await store.id_tags.create("TAG1")
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        start = {
            "connectorId": 2,
            "idTag": "TAG1",
            "meterStart": 1500,
            "timestamp": "2026-11-21T10:00:00Z",
        }
        started = await exchange(websocket, [2, "s1", "StartTransaction", start])
        transaction_id = started[2]["transactionId"]
        values = {
            "connectorId": 2,
            "transactionId": transaction_id,
            "meterValue": [
                {
                    "timestamp": "2026-11-21T10:15:00Z",
                    "sampledValue": [
                        {"value": "2.5", "unit": "kWh"},
                        {"value": "11", "measurand": "Power.Active.Import", "unit": "kW"},
                        {"value": "230", "measurand": "Voltage", "unit": "V"},
                    ],
                },
            ],
        }
        assert await exchange(websocket, [2, "m1", "MeterValues", values]) == [3, "m1", {}]
        stop = {
            "transactionId": transaction_id,
            "meterStop": 4000,
            "timestamp": "2026-11-21T10:45:00Z",
        }
        assert await exchange(websocket, [2, "s2", "StopTransaction", stop]) == [3, "s2", {}]
        await recorder.until_event(EventType.TRANSACTION_STOPPED)
    assert [(e.type.value, e.data) for e in recorder.events[1:]] == [
        (
            "transaction.started",
            {
                "transactionId": str(transaction_id),
                "connectorId": 2,
                "idTag": "TAG1",
                "meterStart": 1500.0,
                "startedAt": "2026-11-21T10:00:00.000Z",
                "remoteStarted": False,
            },
        ),
        (
            "transaction.updated",
            {
                "transactionId": str(transaction_id),
                "connectorId": 2,
                "energyWh": 2500.0,
                "powerW": 11000.0,
                "timestamp": "2026-11-21T10:15:00.000Z",
            },
        ),
        (
            "transaction.stopped",
            {
                "transactionId": str(transaction_id),
                "connectorId": 2,
                "meterStop": 4000,
                "energyDelivered": 2500,
                "stopReason": "Local",
                "stoppedAt": "2026-11-21T10:45:00.000Z",
                "durationMinutes": 45.0,
                "registerWentBackwards": False,
                "closedByCsms": False,
                "csmsCloseReason": None,
            },
        ),
    ]


async def test_e06_energy_and_power_are_published_to_the_meters_resolution(
    csms: CsmsServer, recorder: Recorder
) -> None:
    # Readings in kWh and kW taken to Wh and W, and a difference of two: no binary tails
    # (1.005 kWh * 1000 is 1004.9999999999999 in floats, 1234.7 - 1005.0 is 229.70000000000005).
    def event(event_type: str, seq: int, kwh: float, **info: Any) -> dict[str, Any]:
        at = f"2026-11-21T10:0{seq}:00Z"
        sampled = [
            {"value": kwh, "unitOfMeasure": {"unit": "kWh"}},
            {
                "value": 7.3601,
                "measurand": "Power.Active.Import",
                "unitOfMeasure": {"unit": "kW"},
            },
        ]
        return {
            "eventType": event_type,
            "timestamp": at,
            "triggerReason": "MeterValuePeriodic",
            "seqNo": seq,
            "transactionInfo": {"transactionId": "tx-1", **info},
            "evse": {"id": 1, "connectorId": 1},
            "meterValue": [{"timestamp": at, "sampledValue": sampled}],
        }

    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        for seq, (event_type, kwh) in enumerate(
            [("Started", 1.005), ("Updated", 1.2001), ("Ended", 1.2347)]
        ):
            frame = [2, f"t{seq}", "TransactionEvent", event(event_type, seq, kwh)]
            assert await exchange(websocket, frame) == [3, f"t{seq}", {}]
        await recorder.until_event(EventType.TRANSACTION_STOPPED)
    published = {e.type.value: e.data for e in recorder.events if e.data.get("transactionId")}
    assert published["transaction.started"]["meterStart"] == 1005.0
    updated = published["transaction.updated"]
    assert (updated["energyWh"], updated["powerW"]) == (1200.1, 7360.1)
    stopped = published["transaction.stopped"]
    assert (stopped["meterStop"], stopped["energyDelivered"]) == (1234.7, 229.7)


def _status(n: int) -> Event:
    return Event(EventType.CONNECTOR_STATUS_CHANGED, f"CP-{n}", {"connectorId": 1})


async def test_a_lone_event_is_not_held_up_by_a_gather() -> None:
    hub = EventHub()
    with hub.subscribe() as subscription:
        hub.publish(_status(0))
        events = [await subscription.get()]
        async with asyncio.timeout(0.5):  # far less than the 10 s a burst would wait
            await subscription.gather(events, 100, 10.0)
    assert [event.charge_box_id for event in events] == ["CP-0"]


async def test_a_burst_is_gathered_in_order_up_to_the_most_asked() -> None:
    hub = EventHub()
    with hub.subscribe() as subscription:
        for n in range(3):
            hub.publish(_status(n))
        events = [await subscription.get()]
        gathering = asyncio.create_task(subscription.gather(events, 5, 0.05))
        await asyncio.sleep(0)  # it took the two waiting, and waits for more
        for n in range(3, 7):
            hub.publish(_status(n))
        await gathering
        assert [event.charge_box_id for event in events] == [f"CP-{n}" for n in range(5)]
        assert [event.charge_box_id for event in subscription.take()] == ["CP-5", "CP-6"]
        assert subscription.take() == []
