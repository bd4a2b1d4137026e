"""The reports a station sends on its own are kept before they are answered: firmware (1.6
section 4.5, 2.0.1 L01), diagnostics (1.6 section 4.4) and log upload status (2.0.1 N01),
security events (2.0.1 A04) and device-model report parts (2.0.1 B07/B08)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from websockets.asyncio.client import connect

from chargeyard.csms.server import CsmsServer
from chargeyard.store import Store
from chargeyard.store.models import NotificationKind
from tests.csms.wire import exchange, url


async def test_l_firmware_and_diagnostics_status_16_are_kept_and_current(
    csms: CsmsServer, store: Store
) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        for n, status in enumerate(("Downloading", "Downloaded", "Installing", "Installed")):
            call = [2, f"f{n}", "FirmwareStatusNotification", {"status": status}]
            assert await exchange(websocket, call) == [3, f"f{n}", {}]
        call = [2, "d1", "DiagnosticsStatusNotification", {"status": "Uploaded"}]
        assert await exchange(websocket, call) == [3, "d1", {}]
    # Answered only once kept: readable as soon as the answers came back.
    current = (await store.notifications.current(["CP-1"]))["CP-1"]
    assert (
        current[NotificationKind.FIRMWARE].status,
        current[NotificationKind.DIAGNOSTICS].status,
    ) == (
        "Installed",
        "Uploaded",
    )
    firmware = await store.notifications.history("CP-1", kind=NotificationKind.FIRMWARE)
    assert [(n.action, n.status) for n in firmware] == [
        ("FirmwareStatusNotification", "Installed"),
        ("FirmwareStatusNotification", "Installing"),
        ("FirmwareStatusNotification", "Downloaded"),
        ("FirmwareStatusNotification", "Downloading"),
    ]
    [diagnostics] = await store.notifications.history("CP-1", kind=NotificationKind.DIAGNOSTICS)
    assert (diagnostics.action, diagnostics.status) == ("DiagnosticsStatusNotification", "Uploaded")


async def test_l01_n01_firmware_and_log_status_201_keep_their_request_id(
    csms: CsmsServer, store: Store
) -> None:
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        firmware = {"status": "InstallationFailed", "requestId": 7}
        call = [2, "f1", "FirmwareStatusNotification", firmware]
        assert await exchange(websocket, call) == [3, "f1", {}]
        log = {"status": "UploadFailure", "requestId": 8}
        assert await exchange(websocket, [2, "l1", "LogStatusNotification", log]) == [3, "l1", {}]
    rows = await store.notifications.history("CP-1")
    assert {(n.kind, n.action, n.status, n.request_id) for n in rows} == {
        ("firmware", "FirmwareStatusNotification", "InstallationFailed", 7),
        ("diagnostics", "LogStatusNotification", "UploadFailure", 8),
    }


async def test_a04_security_events_are_kept_at_the_station_time(
    csms: CsmsServer, store: Store
) -> None:
    event = {
        "type": "InvalidCsmsCertificate",
        "timestamp": "2026-11-21T10:00:00+02:00",
        "techInfo": "chain incomplete",
    }
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        call = [2, "e1", "SecurityEventNotification", event]
        assert await exchange(websocket, call) == [3, "e1", {}]
    [kept] = await store.notifications.history("CP-1", kind=NotificationKind.SECURITY)
    assert (kept.status, kept.detail) == ("InvalidCsmsCertificate", "chain incomplete")
    assert kept.at == datetime(2026, 11, 21, 8, tzinfo=UTC)
    # A security event is not a firmware or diagnostics status.
    assert await store.notifications.current(["CP-1"]) == {}


async def test_b07_every_report_part_is_kept_with_its_data(csms: CsmsServer, store: Store) -> None:
    variable = {
        "component": {"name": "OCPPCommCtrlr"},
        "variable": {"name": "HeartbeatInterval"},
        "variableAttribute": [{"type": "Actual", "value": "300", "mutability": "ReadWrite"}],
    }
    parts = [
        {"requestId": 3, "generatedAt": "2026-11-21T10:00:00Z", "seqNo": 0, "tbc": True},
        {
            "requestId": 3,
            "generatedAt": "2026-11-21T10:00:01Z",
            "seqNo": 1,
            "reportData": [variable],
        },
    ]
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        for n, part in enumerate(parts):
            assert await exchange(websocket, [2, f"r{n}", "NotifyReport", part]) == [
                3,
                f"r{n}",
                {},
            ]
    last, first = await store.notifications.history("CP-1", kind=NotificationKind.REPORT)
    assert (first.request_id, first.status, orjson.loads(first.detail or "")) == (
        3,
        "part 0, more to come",
        [],
    )
    assert (last.status, orjson.loads(last.detail or "")) == ("part 1, last part", [variable])
    assert last.at == datetime(2026, 11, 21, 10, 0, 1, tzinfo=UTC)
