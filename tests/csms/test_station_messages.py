"""What a station reports is kept in the store: boot facts, connector status and its history,
id-tag answers, DataTransfer, and every frame in the frame log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from websockets.asyncio.client import connect

from chargeyard.csms.boot import BootReport, boot
from chargeyard.csms.context import DataTransferAnswer, DataTransferRequest, StationContext
from chargeyard.csms.events import EventHub, EventType
from chargeyard.csms.policy import BootPolicy
from chargeyard.csms.registration import RegistrationGate
from chargeyard.csms.registry import StationRejected
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.protocol import V201
from chargeyard.store import Store
from tests.csms.wire import exchange, url


async def test_b01_boot_notification_201_is_kept(csms: CsmsServer, store: Store) -> None:
    boot = {
        "reason": "PowerUp",
        "chargingStation": {
            "vendorName": "ABB",
            "model": "Terra AC",
            "serialNumber": "T-42",
            "firmwareVersion": "1.8.0",
        },
    }
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "b1", "BootNotification", boot])
    assert (answer[2]["status"], answer[2]["interval"]) == ("Accepted", 60)
    station = await store.stations.get("CP-1")
    assert station is not None
    assert (station.vendor, station.model, station.serial_number, station.firmware_version) == (
        "ABB",
        "Terra AC",
        "T-42",
        "1.8.0",
    )
    assert (station.ocpp_version, station.registration_status) == (V201, "Accepted")


async def test_b02_boot_policy_pending_is_answered_and_kept(store: Store) -> None:
    await store.stations.register("CP-1")
    settings = CsmsSettings(port=0, boot_status="Pending", heartbeat_interval=30)
    async with CsmsServer(store, settings) as csms:
        boot = {"chargePointVendor": "Keba", "chargePointModel": "P30"}
        async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
            answer = await exchange(websocket, [2, "b1", "BootNotification", boot])
    assert (answer[2]["status"], answer[2]["interval"]) == ("Pending", 30)
    station = await store.stations.get("CP-1")
    assert station is not None
    assert station.registration_status == "Pending"


BOOT_16 = {"chargePointVendor": "Keba", "chargePointModel": "P30"}
BOOT_201 = {"reason": "PowerUp", "chargingStation": {"vendorName": "ABB", "model": "Terra AC"}}
STATUS_16 = {"connectorId": 1, "status": "Available", "errorCode": "NoError"}
STATUS_201 = {
    "timestamp": "2026-11-21T10:00:00Z",
    "connectorStatus": "Available",
    "evseId": 1,
    "connectorId": 1,
}


@pytest.mark.parametrize(
    ("subprotocol", "boot", "status", "evse_id"),
    [("ocpp1.6", BOOT_16, STATUS_16, 0), ("ocpp2.0.1", BOOT_201, STATUS_201, 1)],
)
async def test_b03_boot_policy_rejected_is_answered_and_kept_and_nothing_else_changes(
    store: Store, subprotocol: str, boot: dict[str, object], status: dict[str, object], evse_id: int
) -> None:
    await store.stations.register("CP-1")
    settings = CsmsSettings(port=0, boot_status="Rejected", heartbeat_interval=90)
    async with (
        CsmsServer(store, settings) as csms,
        connect(url(csms), subprotocols=[subprotocol]) as websocket,  # type: ignore[list-item]
    ):
        answer = await exchange(websocket, [2, "b1", "BootNotification", boot])
        # A rejected station SHALL NOT send anything before the interval has passed (OCPP 1.6
        # section 4.2; 2.0.1 B03): what it sends anyway is a CALLERROR SecurityError
        # (B03.FR.07), nothing of it is kept, and the connection stays open.
        heartbeat = await exchange(websocket, [2, "h1", "Heartbeat", {}])
        reported = await exchange(websocket, [2, "s1", "StatusNotification", status])
        # "the Central System SHOULD NOT initiate any" (1.6 section 4.2): nothing is sent.
        with pytest.raises(StationRejected, match="rejected at boot"):
            await csms.registry.call("CP-1", "ClearCache", {})
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(websocket.recv(), 0.2)
    assert answer == [
        3,
        "b1",
        {"status": "Rejected", "currentTime": answer[2]["currentTime"], "interval": 90},
    ]
    assert answer[2]["currentTime"].endswith("Z")
    assert [heartbeat[:3], reported[:3]] == [[4, "h1", "SecurityError"], [4, "s1", "SecurityError"]]
    station = await store.stations.get("CP-1")
    assert station is not None
    assert station.registration_status == "Rejected"
    assert station.last_heartbeat is None
    assert await store.connectors.get("CP-1", 1, evse_id=evse_id) is None


async def test_b01_a_boot_accepted_again_lets_commands_through_again(store: Store) -> None:
    await store.stations.register("CP-1")
    gate = RegistrationGate("CP-1", None)
    report = BootReport(vendor="Keba", model="P30", serial_number=None, firmware_version=None)
    for status, refused in (("Rejected", True), ("Pending", False), ("Rejected", True)):
        context = StationContext("CP-1", store, BootPolicy(status), registration=gate)
        await boot(context, report)
        assert (gate.status, gate.refusal("ClearCache") is not None) == (status, refused)
    await boot(StationContext("CP-1", store, BootPolicy("Accepted"), registration=gate), report)
    assert (gate.status, gate.refusal("ClearCache")) == ("Accepted", None)


async def test_b01_a_registration_status_ocpp_has_not_is_no_answer(store: Store) -> None:
    # The API and --boot-status store only Accepted, Pending and Rejected; another is our
    # bug, answered as such (InternalError), not sent for the station's schema to reject.
    await store.stations.register("CP-1")
    report = BootReport(vendor="Keba", model="P30", serial_number=None, firmware_version=None)
    with pytest.raises(ValueError, match="CP-1's registration status 'Maybe' is not OCPP's"):
        await boot(StationContext("CP-1", store, BootPolicy("Maybe")), report)
    station = await store.stations.get("CP-1")
    assert station is not None
    assert station.vendor is None  # nothing kept of a boot that was not answered


async def test_b01_a_boot_is_answered_and_told_once_the_station_is_announced(store: Store) -> None:
    # In a cluster the announcer writes the station's presence key, without which another node
    # answers a command to it 503 (csms/cluster/redis_stations.py).
    await store.stations.register("CP-1")
    events = EventHub()
    seen = events.subscribe()
    heard: list[object] = []
    asked: list[str] = []

    async def announced(identity: str) -> None:
        asked.append(identity)
        heard.extend(seen.take())

    report = BootReport(vendor="Keba", model="P30", serial_number=None, firmware_version=None)
    context = StationContext("CP-1", store, events=events, announced=announced)
    await boot(context, report)

    assert asked == ["CP-1"]
    assert heard == []  # (announced before the boot event is told)
    event = seen.take(1)[0]
    assert event.type == EventType.CHARGER_BOOT


async def test_status_notifications_keep_the_latest_status_and_the_history(
    csms: CsmsServer, store: Store
) -> None:
    def status(state: str, error: str = "NoError", minute: int = 0) -> dict[str, object]:
        return {
            "connectorId": 1,
            "status": state,
            "errorCode": error,
            "timestamp": f"2026-11-21T10:{minute:02d}:00Z",
        }

    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        for number, frame in enumerate(
            [
                status("Available"),
                status("Preparing", minute=1),
                status("Faulted", "GroundFailure", 2),
            ]
        ):
            answer = await exchange(websocket, [2, f"s{number}", "StatusNotification", frame])
            assert answer == [3, f"s{number}", {}]
    connector = await store.connectors.get("CP-1", 1)
    assert connector is not None
    assert (connector.status, connector.error_code) == ("Faulted", "GroundFailure")
    history = await store.connectors.history("CP-1", 1)
    assert [(change.status, change.at.minute) for change in history] == [
        ("Faulted", 2),
        ("Preparing", 1),
        ("Available", 0),
    ]


async def test_g01_status_notification_201_is_kept_per_evse(csms: CsmsServer, store: Store) -> None:
    frame = {
        "timestamp": "2026-11-21T10:00:00Z",
        "connectorStatus": "Occupied",
        "evseId": 2,
        "connectorId": 1,
    }
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        assert await exchange(websocket, [2, "s1", "StatusNotification", frame]) == [3, "s1", {}]
    connector = await store.connectors.get("CP-1", 1, evse_id=2)
    assert connector is not None
    assert connector.status == "Occupied"


@pytest.fixture
async def tags(store: Store) -> None:
    await store.id_tags.create("GOOD", parent_id_tag="FLEET")
    await store.id_tags.create("STOLEN", status="Blocked")
    await store.id_tags.create("OLD", expiry_date=datetime.now(UTC) - timedelta(days=1))


@pytest.mark.usefixtures("tags")
@pytest.mark.parametrize(
    ("id_tag", "info"),
    [
        ("GOOD", {"status": "Accepted", "parentIdTag": "FLEET"}),
        ("STOLEN", {"status": "Blocked"}),
        ("UNKNOWN", {"status": "Invalid"}),
    ],
)
async def test_c_authorize_16_answers_from_the_id_tag_table(
    csms: CsmsServer, id_tag: str, info: dict[str, str]
) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "a1", "Authorize", {"idTag": id_tag}])
    assert answer == [3, "a1", {"idTagInfo": info}]


@pytest.mark.usefixtures("tags")
async def test_c_authorize_16_an_expired_tag_is_expired(csms: CsmsServer) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "a1", "Authorize", {"idTag": "OLD"}])
    assert answer[2]["idTagInfo"]["status"] == "Expired"
    assert answer[2]["idTagInfo"]["expiryDate"].endswith("Z")


@pytest.mark.usefixtures("tags")
@pytest.mark.parametrize(
    ("id_token", "status"),
    [("GOOD", "Accepted"), ("STOLEN", "Blocked"), ("OLD", "Expired"), ("UNKNOWN", "Invalid")],
)
async def test_c01_authorize_201_answers_from_the_id_tag_table(
    csms: CsmsServer, id_token: str, status: str
) -> None:
    request = {"idToken": {"idToken": id_token, "type": "ISO14443"}}
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "a1", "Authorize", request])
    assert answer[2]["idTokenInfo"]["status"] == status
    if id_token == "GOOD":
        assert answer[2]["idTokenInfo"]["groupIdToken"] == {"idToken": "FLEET", "type": "Central"}


async def test_p_data_transfer_without_a_vendor_handler_is_unknown_vendor_and_kept(
    csms: CsmsServer, store: Store
) -> None:
    request = {"vendorId": "com.example", "messageId": "Ping", "data": "hello"}
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "d1", "DataTransfer", request])
    assert answer == [3, "d1", {"status": "UnknownVendorId"}]
    [transfer] = await store.data_transfers.history("CP-1")
    assert (transfer.direction, transfer.vendor_id, transfer.message_id, transfer.data) == (
        "incoming",
        "com.example",
        "Ping",
        "hello",
    )
    assert transfer.response_status == "UnknownVendorId"


async def test_p01_data_transfer_is_answered_by_its_vendor_handler(store: Store) -> None:
    seen: list[DataTransferRequest] = []

    async def pong(request: DataTransferRequest) -> DataTransferAnswer:
        seen.append(request)
        return DataTransferAnswer("Accepted", {"pong": request.data})

    await store.stations.register("CP-1")
    settings = CsmsSettings(port=0, data_transfer_handlers={"com.example": pong})
    async with CsmsServer(store, settings) as csms:
        request = {"vendorId": "com.example", "messageId": "Ping", "data": {"n": 1}}
        async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
            answer = await exchange(websocket, [2, "d1", "DataTransfer", request])
    assert answer == [3, "d1", {"status": "Accepted", "data": {"pong": {"n": 1}}}]
    assert [(r.identity, r.message_id) for r in seen] == [("CP-1", "Ping")]
    [transfer] = await store.data_transfers.history("CP-1")
    assert (transfer.data, transfer.response_status, transfer.response_data) == (
        '{"n":1}',
        "Accepted",
        '{"pong":{"n":1}}',
    )


async def test_p_data_transfer_16_is_answered_by_its_vendor_handler(store: Store) -> None:
    # The same vendor handler as 2.0.1's; 1.6's answer carries its data as a string.
    async def pong(request: DataTransferRequest) -> DataTransferAnswer:
        return DataTransferAnswer("Accepted", f"pong {request.data}")

    async def silent(request: DataTransferRequest) -> DataTransferAnswer:
        return DataTransferAnswer("UnknownMessageId")

    await store.stations.register("CP-1")
    handlers = {"com.example": pong, "com.quiet": silent}
    settings = CsmsSettings(port=0, data_transfer_handlers=handlers)
    request = {"vendorId": "com.example", "messageId": "Ping", "data": "hello"}
    async with (
        CsmsServer(store, settings) as csms,
        connect(url(csms), subprotocols=["ocpp1.6"]) as websocket,  # type: ignore[list-item]
    ):
        answered = await exchange(websocket, [2, "d1", "DataTransfer", request])
        unanswered = await exchange(websocket, [2, "d2", "DataTransfer", {"vendorId": "com.quiet"}])
    assert answered == [3, "d1", {"status": "Accepted", "data": "pong hello"}]
    assert unanswered == [3, "d2", {"status": "UnknownMessageId"}]


async def test_every_frame_in_and_out_is_in_the_frame_log(csms: CsmsServer, store: Store) -> None:
    # It booted on an earlier connection: commands reach it.
    await store.stations.update_boot_info(
        "CP-1", vendor="ABB", model="Terra AC", registration_status="Accepted"
    )
    event = {
        "type": "SettingSystemTime",
        "timestamp": "2026-11-21T10:00:00Z",
        "techInfo": "clock set",
    }
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        await exchange(websocket, [2, "h1", "Heartbeat", {}])
        await exchange(websocket, [2, "e1", "SecurityEventNotification", event])
        await exchange(websocket, [2, "x1", "StatusNotification", {"evseId": 1}])
        # A CALL from the CSMS and its answer.
        call = asyncio.create_task(csms.registry.call("CP-1", "ClearCache", {}))
        request = orjson.loads(await asyncio.wait_for(websocket.recv(), 5))
        assert request[2] == "ClearCache"
        await websocket.send(orjson.dumps([3, request[1], {"status": "Accepted"}]).decode())
        assert await call == {"status": "Accepted"}
    await csms.frame_log.flush()
    frames = await store.frames.list("CP-1")
    assert [(f.direction, f.action, f.unique_id) for f in frames] == [
        ("incoming", "Heartbeat", "h1"),
        ("outgoing", "Heartbeat", "h1"),
        ("incoming", "SecurityEventNotification", "e1"),
        ("outgoing", "SecurityEventNotification", "e1"),
        ("incoming", "StatusNotification", "x1"),
        ("outgoing", "StatusNotification", "x1"),
        ("outgoing", "ClearCache", request[1]),
        ("incoming", "ClearCache", request[1]),
    ]
    assert orjson.loads(frames[2].text) == [2, "e1", "SecurityEventNotification", event]
    assert orjson.loads(frames[5].text)[0] == 4  # the invalid payload's CALLERROR
    assert all(f.at.tzinfo is not None for f in frames)


@pytest.mark.usefixtures("tags")
async def test_a_lab_accepting_unknown_tags_still_honours_the_tags_it_knows(
    store: Store,
) -> None:
    await store.stations.register("CP-1")
    await store.id_tags.create("VOID", status="Invalid")  # stored as Invalid: not unknown
    settings = CsmsSettings(port=0, accept_unknown_tags=True)
    async with (
        CsmsServer(store, settings) as server,
        connect(url(server), subprotocols=["ocpp1.6"]) as websocket,  # type: ignore[list-item]
    ):
        unknown = await exchange(websocket, [2, "a1", "Authorize", {"idTag": "NEW"}])
        stolen = await exchange(websocket, [2, "a2", "Authorize", {"idTag": "STOLEN"}])
        void = await exchange(websocket, [2, "a3", "Authorize", {"idTag": "VOID"}])
    assert unknown == [3, "a1", {"idTagInfo": {"status": "Accepted"}}]
    assert stolen == [3, "a2", {"idTagInfo": {"status": "Blocked"}}]
    assert void == [3, "a3", {"idTagInfo": {"status": "Invalid"}}]
