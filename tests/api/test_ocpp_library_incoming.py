"""What stations written with the third-party ``ocpp`` library send the CSMS on their own, besides
boot, status and transactions (``test_ocpp_library_stations.py``): DataTransfer (1.6 section
4.3, 2.0.1 P02), a standalone 2.0.1 MeterValues (J01), and the firmware, diagnostics, log and
security notifications (1.6 sections 4.4/4.5; 2.0.1 L01, N01, A04), and the 2.0.1 reports kept
as notifications (H04, K11, K15, N07). Each is answered within
the official schemas (the library validates every answer) and kept where the API shows it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from sqlalchemy import select

from chargeyard.store.models import MeterSample, Station
from tests.api.ocpp_library_stations import LibraryStation, LibraryStation201, booted
from tests.stack_lab import StackLab

MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
START = "2026-02-10T14:00:00.000Z"


@pytest.fixture(params=["1.6", "2.0.1"])
async def station(
    csms_lab: StackLab, request: pytest.FixtureRequest
) -> AsyncIterator[LibraryStation]:
    async with booted(csms_lab, request.param, "LIB-1") as station:
        yield station


@pytest.fixture
async def station201(csms_lab: StackLab) -> AsyncIterator[LibraryStation201]:
    async with booted(csms_lab, "2.0.1", "LIB-201") as station:
        assert isinstance(station, LibraryStation201)
        yield station


async def get(lab: StackLab, path: str, **params: Any) -> dict[str, Any]:
    response = await lab.client.get(f"/api/v1/chargers/{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def without_times(items: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """``items`` with their server-chosen time ``name`` checked for format and left out."""
    for item in items:
        assert MILLIS.match(item[name]), item
    return [{k: v for k, v in item.items() if k != name} for item in items]


# -- DataTransfer -----------------------------------------------------------------------------


async def test_data_transfer_from_the_station_is_kept_as_incoming(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    # No vendor handler is configured (CsmsSettings' default): UnknownVendorId (1.6 section
    # 4.3, 2.0.1 P02.FR.06), and the transfer is kept all the same.
    if station.version == "1.6":
        answer = await station.send(
            call16.DataTransfer(vendor_id="MyVendor", message_id="Hello", data='{"screen": 1}')
        )
        assert answer == result16.DataTransfer(status="UnknownVendorId")
    else:
        # 2.0.1 data is any JSON value: the history keeps it as JSON text.
        answer = await station.send(
            call201.DataTransfer(vendor_id="MyVendor", message_id="Hello", data={"screen": 1})
        )
        assert answer == result201.DataTransfer(status="UnknownVendorId")
    data = {"1.6": '{"screen": 1}', "2.0.1": '{"screen":1}'}[station.version]

    history = await get(csms_lab, "LIB-1/data-transfer")

    assert (history["chargeBoxId"], history["count"]) == ("LIB-1", 1)
    [item] = history["dataTransfers"]
    assert item["id"].startswith("dt_")
    assert without_times(history["dataTransfers"], "createdAt") == [
        {
            "id": item["id"],
            "direction": "incoming",
            "vendorId": "MyVendor",
            "messageId": "Hello",
            "data": data,
            "responseStatus": "UnknownVendorId",
            "responseData": None,
            "truncated": False,
        }
    ]


async def test_data_transfer_without_message_id_or_data(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    call = (
        call16.DataTransfer(vendor_id="Other")
        if station.version == "1.6"
        else call201.DataTransfer(vendor_id="Other")
    )
    answer = await station.send(call)
    assert answer.status == "UnknownVendorId"
    [item] = (await get(csms_lab, "LIB-1/data-transfer"))["dataTransfers"]
    assert (item["direction"], item["vendorId"], item["messageId"], item["data"]) == (
        "incoming",
        "Other",
        None,
        None,
    )


# -- MeterValues outside a transaction (2.0.1 J01) --------------------------------------------


async def samples_outside_transactions(lab: StackLab, identity: str) -> list[MeterSample]:
    """The station's meter samples that belong to no transaction. The store has no reader for
    them (``TransactionRepository.samples`` reads one transaction's): asked in SQL."""
    async with lab.store.sessions.read() as session:
        statement = (
            select(MeterSample)
            .join(Station, MeterSample.station_id == Station.id)
            .where(Station.charge_box_id == identity, MeterSample.transaction_pk.is_(None))
            .order_by(MeterSample.id)
        )
        return list((await session.scalars(statement)).all())


async def test_j01_standalone_meter_values_are_stored_and_answered_empty(
    csms_lab: StackLab, station201: LibraryStation201
) -> None:
    meter_value = {
        "timestamp": START,
        "sampled_value": [
            {
                "value": 1.5,
                "context": "Sample.Clock",
                "measurand": "Energy.Active.Import.Register",
                "unit_of_measure": {"unit": "kWh"},
            },
            {
                "value": 230.1,
                "context": "Sample.Clock",
                "measurand": "Voltage",
                "phase": "L1-N",
                "unit_of_measure": {"unit": "V"},
            },
            {
                "value": 7.2,
                "context": "Sample.Clock",
                "measurand": "Power.Active.Import",
                "unit_of_measure": {"unit": "W", "multiplier": 3},
            },
        ],
    }

    answer = await station201.send(call201.MeterValues(evse_id=1, meter_value=[meter_value]))

    assert answer == result201.MeterValues()  # {}: MeterValuesResponse has no fields
    rows = await samples_outside_transactions(csms_lab, "LIB-201")
    at = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
    assert [
        (
            row.sampled_at.replace(tzinfo=UTC),  # SQLite hands back naive UTC
            row.evse_id,
            row.measurand,
            row.value,
            row.unit,
            row.phase,
            row.context,
        )
        for row in rows
    ] == [
        (at, 1, "Energy.Active.Import.Register", 1.5, "kWh", None, "Sample.Clock"),
        (at, 1, "Voltage", 230.1, "V", "L1-N", "Sample.Clock"),
        # The multiplier is applied: 7.2 x 10^3 W.
        (at, 1, "Power.Active.Import", 7200.0, "W", None, "Sample.Clock"),
    ]
    # No transaction came of it.
    listed = await csms_lab.client.get("/api/v1/transactions", params={"chargeBoxId": "LIB-201"})
    assert listed.json()["total"] == 0


# -- notifications ----------------------------------------------------------------------------


async def test_1_6_firmware_and_diagnostics_status_are_listed(csms_lab: StackLab) -> None:
    async with booted(csms_lab, "1.6", "LIB-16") as station:
        answers = [
            await station.send(call16.FirmwareStatusNotification(status="Downloading")),
            await station.send(call16.DiagnosticsStatusNotification(status="Uploading")),
        ]
        assert answers == [
            result16.FirmwareStatusNotification(),
            result16.DiagnosticsStatusNotification(),
        ]
        body = await get(csms_lab, "LIB-16/notifications")
        assert without_times(body["notifications"], "at") == [
            {
                "kind": "diagnostics",
                "action": "DiagnosticsStatusNotification",
                "status": "Uploading",
                "requestId": None,
                "evseId": None,
                "detail": None,
            },
            {
                "kind": "firmware",
                "action": "FirmwareStatusNotification",
                "status": "Downloading",
                "requestId": None,
                "evseId": None,
                "detail": None,
            },
        ]
        charger = await get(csms_lab, "LIB-16")
        assert (charger["firmwareStatus"], charger["diagnosticsStatus"]) == (
            "Downloading",
            "Uploading",
        )


async def test_l01_n01_a04_2_0_1_notifications_are_listed(
    csms_lab: StackLab, station201: LibraryStation201
) -> None:
    answers = [
        await station201.send(
            call201.FirmwareStatusNotification(status="Downloading", request_id=42)
        ),
        await station201.send(call201.LogStatusNotification(status="Uploading", request_id=7)),
        await station201.send(
            call201.SecurityEventNotification(
                type="FirmwareUpdated", timestamp=START, tech_info="image 2.1.0 installed"
            )
        ),
    ]
    assert answers == [
        result201.FirmwareStatusNotification(),
        result201.LogStatusNotification(),
        result201.SecurityEventNotification(),
    ]

    body = await get(csms_lab, "LIB-201/notifications")
    assert (body["chargeBoxId"], body["count"]) == ("LIB-201", 3)
    # Newest first: the security event carries the station's own (earlier) timestamp.
    [log, firmware, security] = body["notifications"]
    assert security == {
        "kind": "security",
        "action": "SecurityEventNotification",
        "status": "FirmwareUpdated",
        "requestId": None,
        "evseId": None,
        "detail": "image 2.1.0 installed",
        "at": START,
    }
    assert without_times([log, firmware], "at") == [
        {
            "kind": "diagnostics",
            "action": "LogStatusNotification",
            "status": "Uploading",
            "requestId": 7,
            "evseId": None,
            "detail": None,
        },
        {
            "kind": "firmware",
            "action": "FirmwareStatusNotification",
            "status": "Downloading",
            "requestId": 42,
            "evseId": None,
            "detail": None,
        },
    ]
    only_security = await get(csms_lab, "LIB-201/notifications", kind="security")
    assert only_security["notifications"] == [security]
    charger = await get(csms_lab, "LIB-201")
    assert (charger["firmwareStatus"], charger["diagnosticsStatus"]) == (
        "Downloading",
        "Uploading",
    )


async def test_h04_k11_k15_n07_2_0_1_reports_are_answered_and_listed(
    csms_lab: StackLab, station201: LibraryStation201
) -> None:
    # The library checks each answer against its own copy of the schemas.
    lock_failure = {
        "event_id": 1,
        "timestamp": START,
        "trigger": "Delta",
        "actual_value": "true",
        "component": {"name": "ConnectorPlugRetentionLock", "evse": {"id": 1}},
        "variable": {"name": "Problem"},
        "event_notification_type": "HardWiredNotification",
    }
    answers = [
        await station201.send(
            call201.ReservationStatusUpdate(reservation_id=3, reservation_update_status="Expired")
        ),
        await station201.send(
            call201.NotifyChargingLimit(charging_limit={"charging_limit_source": "EMS"}, evse_id=1)
        ),
        await station201.send(
            call201.NotifyEVChargingNeeds(
                evse_id=1, charging_needs={"requested_energy_transfer": "DC"}
            )
        ),
        await station201.send(
            call201.NotifyEvent(generated_at=START, seq_no=0, event_data=[lock_failure])
        ),
    ]
    assert answers == [
        result201.ReservationStatusUpdate(),
        result201.NotifyChargingLimit(),
        result201.NotifyEVChargingNeeds(status="Rejected"),
        result201.NotifyEvent(),
    ]
    body = await get(csms_lab, "LIB-201/notifications")
    listed = {n["action"]: n for n in body["notifications"]}
    assert {action: (n["kind"], n["status"], n["evseId"]) for action, n in listed.items()} == {
        "ReservationStatusUpdate": ("reservation", "Expired", None),
        "NotifyChargingLimit": ("charging_limit", "EMS", 1),
        "NotifyEVChargingNeeds": ("ev_charging", "DC", 1),
        "NotifyEvent": ("event", "Delta", 1),
    }
    assert listed["NotifyEvent"]["at"] == START
