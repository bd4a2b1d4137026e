"""Every command endpoint of ``/api/v1/chargers/{chargeBoxId}`` through chargeyard's real CSMS
listener (``csms/server.py``) to a simulated station of each OCPP version, 1.6 and 2.0.1.

``test_commands_v16.py`` / ``test_commands_v201.py`` check the call each endpoint sends,
against a stand-in listener; here the station's answer crosses the real listener (its
registry, its handlers and store) and the API answers in the shape of the CSMS API
reference's "Charger Commands". Where the station then does something the API can show
(a connector goes Unavailable, a changed key reads back, a triggered or follow-up
notification is kept), that is checked too. Remote start and stop run end to end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V16, V201
from chargeyard.station.model.ev import LARGE_CAR
from chargeyard.store.models import MeterSample, Station
from tests.polling import polled
from tests.ports import free_port
from tests.stack_lab import StackLab

IDENTITY = "CHARGER-001"
MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
TAG = "TAG-REMOTE"

# Two configuration keys of each version (2.0.1: "Component.Variable", commands/v201.py) as
# configuration/get answers them. GetVariables reports no mutability: keys read by name are
# never readonly in 2.0.1 (commands/v201.py). The 2.0.1 station's heartbeat interval is the
# one this CSMS's BootNotification answer set (B01, CsmsSettings heartbeat_interval=60).
NAMED = {
    "1.6": [
        {"key": "MeterValueSampleInterval", "readonly": False, "value": "60"},
        {"key": "NumberOfConnectors", "readonly": True, "value": "1"},
    ],
    "2.0.1": [
        {"key": "OCPPCommCtrlr.HeartbeatInterval", "readonly": False, "value": "60"},
        {"key": "SampledDataCtrlr.TxUpdatedInterval", "readonly": False, "value": "60"},
    ],
}
BOOT_INTERVAL = 60
HEARTBEAT_KEY = {"1.6": "HeartbeatInterval", "2.0.1": "OCPPCommCtrlr.HeartbeatInterval"}
# A writable key that has nothing to do with heartbeats.
OTHER_KEY = {"1.6": "MeterValueSampleInterval", "2.0.1": "SampledDataCtrlr.TxUpdatedInterval"}
READ_ONLY = {
    "1.6": {"key": "NumberOfConnectors", "readonly": True, "value": "1"},
    "2.0.1": {"key": "SecurityCtrlr.Identity", "readonly": True, "value": IDENTITY},
}
# 1.6 connector N is 2.0.1 EVSE N (connector 1): the evseId the API lists it under.
EVSE = {"1.6": None, "2.0.1": 1}
DIAGNOSTICS_FILE = {
    "1.6": rf"{IDENTITY}-diagnostics-\d{{8}}T\d{{6}}Z\.log",
    "2.0.1": rf"{IDENTITY}-DiagnosticsLog-\d{{8}}T\d{{6}}Z\.log",
}


@dataclass
class Booted:
    """A simulated station of ``version``, booted at the real CSMS, and the API's client."""

    lab: StackLab
    version: str
    runtime: StationRuntime

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.lab.client.post(f"/api/v1/chargers/{IDENTITY}/{path}", json=body)

    async def get(self, path: str = "", **params: Any) -> dict[str, Any]:
        response = await self.lab.client.get(f"/api/v1/chargers/{IDENTITY}{path}", params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(params=[V16, V201], ids=["1.6", "2.0.1"])
async def charger(csms_lab: StackLab, request: pytest.FixtureRequest) -> Booted:
    runtime = await csms_lab.station(IDENTITY, request.param)
    booted = Booted(csms_lab, request.param.name, runtime)
    # Its StatusNotifications after the boot are kept before commands observe connectors.
    await polled(booted.get, reports("Available"))
    return booted


def connector_status(charger: dict[str, Any], connector_id: int = 1) -> str | None:
    """The status GET /chargers/{id} shows for ``connector_id`` (None before it reported)."""
    found = [c["status"] for c in charger["connectors"] if c["connectorId"] == connector_id]
    return found[0] if found else None


def reports(status: str) -> Callable[[dict[str, Any]], bool]:
    """Whether a GET /chargers/{id} body shows connector 1 in ``status``."""
    return lambda charger: connector_status(charger) == status


def closed_url(path: str) -> str:
    """An http URL on a local port nobody listens on: a transfer to it fails at once, and no
    test reaches the network."""
    return f"http://127.0.0.1:{free_port()}{path}"


def without_at(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Notifications with their server-chosen ``at`` checked for format and left out."""
    for item in items:
        assert MILLIS.match(item["at"]), item
    return [{k: v for k, v in item.items() if k != "at"} for item in items]


# -- reset, unlock, cache ---------------------------------------------------------------------


# The station keeps its connection a second after answering, for the CSMS to close it first
# (power.CLOSE_WAIT_AFTER_RESET_S): on the virtual-time loop that second passes at once, every
# peer (the listener, the station, the API, SQLite) running on the test's loop. There a poll
# costs only its request, so the test polls four times a second of that clock, not fifty.
@pytest.mark.virtual_time
@pytest.mark.parametrize("kind", ["Soft", "Hard"])
async def test_reset_is_accepted_and_the_charger_reboots(charger: Booted, kind: str) -> None:
    response = await charger.post("reset", {"type": kind})
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": f"{kind} reset accepted by charger",
            "chargeBoxId": IDENTITY,
            "type": kind,
            "status": "accepted",
        },
    )
    # Nothing runs, so both kinds reboot at once (1.6 section 5.14, 2.0.1 B11/B12): the
    # connection drops and the CSMS shows the charger offline.
    await polled(charger.get, lambda body: body["isOnline"] is False, every=0.25)


async def test_unlock_connector(charger: Booted) -> None:
    response = await charger.post("unlock", {"connectorId": 1})
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Connector unlocked successfully",
            "chargeBoxId": IDENTITY,
            "connectorId": 1,
            "status": "unlocked",
        },
    )


async def test_clear_cache(charger: Booted) -> None:
    response = await charger.post("cache/clear")
    assert (response.status_code, response.json()) == (
        200,
        {"message": "Cache cleared successfully", "chargeBoxId": IDENTITY, "status": "accepted"},
    )


# -- trigger ----------------------------------------------------------------------------------


async def trigger(charger: Booted, message: str, connector_id: int | None = None) -> str:
    """POST trigger; checks the API reference's shape and returns the status."""
    body: dict[str, Any] = {"requestedMessage": message}
    if connector_id is not None:
        body["connectorId"] = connector_id
    response = await charger.post("trigger", body)
    answer = response.json()
    assert (response.status_code, answer) == (
        200,
        {
            "message": f"{message} trigger {answer['status']} by charger",
            "chargeBoxId": IDENTITY,
            "requestedMessage": message,
            "connectorId": connector_id,
            "status": answer["status"],
        },
    )
    return str(answer["status"])


@pytest.mark.parametrize(
    ("message", "kind", "actions"),
    [
        (
            "FirmwareStatusNotification",
            "firmware",
            {"1.6": "FirmwareStatusNotification", "2.0.1": "FirmwareStatusNotification"},
        ),
        # 2.0.1 has no DiagnosticsStatusNotification: the API asks for LogStatusNotification.
        (
            "DiagnosticsStatusNotification",
            "diagnostics",
            {"1.6": "DiagnosticsStatusNotification", "2.0.1": "LogStatusNotification"},
        ),
    ],
)
async def test_trigger_a_status_notification_the_csms_keeps(
    charger: Booted, message: str, kind: str, actions: dict[str, str]
) -> None:
    action = actions[charger.version]
    assert (await charger.get("/notifications", kind=kind))["notifications"] == []

    assert await trigger(charger, message) == "accepted"

    kept = await polled(
        lambda: charger.get("/notifications", kind=kind), lambda body: body["count"] == 1
    )
    # 1.6 sections 4.4/4.5, 2.0.1 L01.FR.25/N01.FR.12: nothing under way is Idle, no requestId.
    assert without_at(kept["notifications"]) == [
        {
            "kind": kind,
            "action": action,
            "status": "Idle",
            "requestId": None,
            "evseId": None,
            "detail": None,
        }
    ]
    body = await charger.get()
    assert body[f"{kind}Status"] == "Idle"
    assert MILLIS.match(body[f"{kind}StatusAt"])


async def test_trigger_status_notification_adds_to_the_connectors_history(
    charger: Booted,
) -> None:
    path = "/connectors/1/history"
    evse = EVSE[charger.version]
    params = {} if evse is None else {"evseId": evse}
    before = (await charger.get(path, **params))["count"]

    assert await trigger(charger, "StatusNotification", 1) == "accepted"

    history = await polled(
        lambda: charger.get(path, **params), lambda body: body["count"] == before + 1
    )
    assert history["history"][0]["status"] == "Available"


async def test_trigger_heartbeat_is_kept_as_the_last_heartbeat(charger: Booted) -> None:
    before = (await charger.get())["lastHeartbeat"]

    assert await trigger(charger, "Heartbeat") == "accepted"

    body = await polled(charger.get, lambda body: body["lastHeartbeat"] != before)
    assert MILLIS.match(body["lastHeartbeat"])


async def test_trigger_meter_values_outside_a_transaction_are_stored(charger: Booted) -> None:
    # 1.6 section 4.7 / 2.0.1 J01: MeterValues with no transaction, kept with the station.
    assert await samples_outside_transactions(charger.lab) == []

    assert await trigger(charger, "MeterValues", 1) == "accepted"

    async def stored() -> dict[str, Any]:
        return {"rows": await samples_outside_transactions(charger.lab)}

    rows = (await polled(stored, lambda found: bool(found["rows"])))["rows"]
    # 1.6 names the connector, 2.0.1 the EVSE (its MeterValues has no connectorId).
    where = {"1.6": (0, 1), "2.0.1": (1, 0)}[charger.version]
    assert {(row.evse_id, row.connector_id, row.context) for row in rows} == {(*where, "Trigger")}
    assert "Energy.Active.Import.Register" in {row.measurand for row in rows}


async def test_trigger_boot_notification(charger: Booted) -> None:
    # 1.6 section 5.17: the charge point boots again when asked; 2.0.1 F06.FR.17: a station
    # whose boot was Accepted answers Rejected.
    expected = {"1.6": "accepted", "2.0.1": "rejected"}[charger.version]
    assert await trigger(charger, "BootNotification") == expected
    body = await charger.get()
    assert (body["registrationStatus"], body["isOnline"]) == ("Accepted", True)


async def samples_outside_transactions(lab: StackLab) -> list[MeterSample]:
    """The station's meter samples that belong to no transaction. The store has no reader for
    them (``TransactionRepository.samples`` reads one transaction's): asked in SQL."""
    async with lab.store.sessions.read() as session:
        statement = (
            select(MeterSample)
            .join(Station, MeterSample.station_id == Station.id)
            .where(Station.charge_box_id == IDENTITY, MeterSample.transaction_pk.is_(None))
            .order_by(MeterSample.id)
        )
        return list((await session.scalars(statement)).all())


# -- availability -----------------------------------------------------------------------------


async def test_availability_inoperative_then_operative(charger: Booted) -> None:
    for kind, status in (("Inoperative", "Unavailable"), ("Operative", "Available")):
        response = await charger.post("availability", {"connectorId": 1, "type": kind})
        assert (response.status_code, response.json()) == (
            200,
            {
                "message": f"Availability change to {kind} accepted by charger",
                "chargeBoxId": IDENTITY,
                "connectorId": 1,
                "type": kind,
                "status": "accepted",
            },
        )
        # 1.6 section 5.2 / 2.0.1 G03: the connector reports its new status.
        body = await polled(charger.get, reports(status))
        [connector] = [c for c in body["connectors"] if c["connectorId"] == 1]
        assert connector["evseId"] == EVSE[charger.version]


async def test_availability_of_the_whole_charger(charger: Booted) -> None:
    response = await charger.post("availability", {"connectorId": 0, "type": "Inoperative"})
    assert response.json() == {
        "message": "Availability change to Inoperative accepted by charger",
        "chargeBoxId": IDENTITY,
        "connectorId": 0,
        "type": "Inoperative",
        "status": "accepted",
    }
    # 1.6 connector 0 (the charge point itself) goes Unavailable with its connectors.
    await polled(
        charger.get,
        lambda body: all(c["status"] == "Unavailable" for c in body["connectors"]),
    )


# -- configuration ----------------------------------------------------------------------------


async def test_get_configuration_of_named_keys(charger: Booted) -> None:
    named = NAMED[charger.version]
    unknown = {"1.6": "NoSuchKey", "2.0.1": "NoSuch.Variable"}[charger.version]
    body = {"key": [item["key"] for item in named] + [unknown]}
    response = await charger.post("configuration/get", body)
    assert (response.status_code, response.json()) == (
        200,
        {"chargeBoxId": IDENTITY, "configurationKey": named, "unknownKey": [unknown]},
    )


async def test_get_configuration_of_every_key(charger: Booted) -> None:
    # 1.6: GetConfiguration without keys; 2.0.1: GetBaseReport FullInventory and the
    # NotifyReport parts the CSMS's handler hands to the waiting command (B07).
    response = await charger.post("configuration/get", {})
    body = response.json()
    assert (response.status_code, body["chargeBoxId"], body["unknownKey"]) == (
        200,
        IDENTITY,
        [],
    )
    assert set(body) == {"chargeBoxId", "configurationKey", "unknownKey"}
    for item in body["configurationKey"]:
        assert set(item) == {"key", "readonly", "value"}, item
        assert isinstance(item["key"], str)
        assert isinstance(item["readonly"], bool)
        assert item["value"] is None or isinstance(item["value"], str)
    found = {item["key"]: item for item in body["configurationKey"]}
    assert len(found) == len(body["configurationKey"]) > 20  # one entry per key
    for item in [*NAMED[charger.version], READ_ONLY[charger.version]]:
        assert found[item["key"]] == item


async def test_change_configuration_reads_back(charger: Booted) -> None:
    key = HEARTBEAT_KEY[charger.version]
    response = await charger.post("configuration/change", {"key": key, "value": "600"})
    assert (response.status_code, response.json()) == (
        200,
        {
            "chargeBoxId": IDENTITY,
            "key": key,
            "value": "600",
            "status": "Accepted",
            "message": "Configuration changed successfully",
        },
    )
    read = await charger.post("configuration/get", {"key": [key]})
    assert read.json()["configurationKey"] == [{"key": key, "readonly": False, "value": "600"}]
    assert charger.runtime.station.heartbeat_interval == 600


async def test_change_configuration_of_a_read_only_key_is_rejected(charger: Booted) -> None:
    key = READ_ONLY[charger.version]["key"]
    response = await charger.post("configuration/change", {"key": key, "value": "4"})
    assert (response.status_code, response.json()) == (
        200,
        {
            "chargeBoxId": IDENTITY,
            "key": key,
            "value": "4",
            "status": "Rejected",
            "message": "Configuration change rejected by charger",
        },
    )
    read = await charger.post("configuration/get", {"key": [key]})
    assert read.json()["configurationKey"][0]["value"] == READ_ONLY[charger.version]["value"]


async def test_the_heartbeat_key_reads_the_interval_the_boot_answer_set(charger: Booted) -> None:
    # 1.6 section 4.2 / 2.0.1 B01: the station heartbeats at the interval of the boot answer;
    # the key that names that interval says so.
    assert charger.runtime.station.heartbeat_interval == BOOT_INTERVAL
    key = HEARTBEAT_KEY[charger.version]
    response = await charger.post("configuration/get", {"key": [key]})
    assert response.json()["configurationKey"] == [
        {"key": key, "readonly": False, "value": str(BOOT_INTERVAL)}
    ]


async def test_changing_another_key_keeps_the_heartbeat_interval(charger: Booted) -> None:
    key = OTHER_KEY[charger.version]
    response = await charger.post("configuration/change", {"key": key, "value": "30"})
    assert response.json()["status"] == "Accepted"
    read = await charger.post("configuration/get", {"key": [key]})
    assert read.json()["configurationKey"] == [{"key": key, "readonly": False, "value": "30"}]
    assert charger.runtime.station.heartbeat_interval == BOOT_INTERVAL


# -- firmware and diagnostics -----------------------------------------------------------------


async def test_update_firmware_then_the_download_is_reported(charger: Booted) -> None:
    location = closed_url("/v2.0.0/firmware.bin")
    body = {
        "location": location,
        "retrieveDate": "2026-02-10T14:00:00Z",  # past: the download starts at once
        "retries": 0,
        "retryInterval": 60,
    }
    response = await charger.post("firmware/update", body)
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Firmware update accepted by charger",
            "chargeBoxId": IDENTITY,
            "location": location,
            "retrieveDate": "2026-02-10T14:00:00Z",
            "status": "accepted",
        },
    )
    # 1.6 section 4.5 / 2.0.1 L01: Downloading, then (one try, nobody listening) DownloadFailed.
    kept = await polled(
        lambda: charger.get("/notifications", kind="firmware"), lambda body: body["count"] == 2
    )
    items = without_at(kept["notifications"])
    assert [(n["action"], n["status"]) for n in items] == [
        ("FirmwareStatusNotification", "DownloadFailed"),
        ("FirmwareStatusNotification", "Downloading"),
    ]
    request_ids = {n["requestId"] for n in items}
    if charger.version == "1.6":
        assert request_ids == {None}
    else:  # L01.FR.01: each carries the UpdateFirmware's requestId
        [request_id] = request_ids
        assert isinstance(request_id, int)
    assert (await charger.get())["firmwareStatus"] == "DownloadFailed"


async def test_get_diagnostics_then_the_upload_is_reported(charger: Booted) -> None:
    location = closed_url("/diagnostics/")
    body = {
        "location": location,
        "startTime": "2026-02-09T00:00:00Z",
        "stopTime": "2026-02-10T00:00:00Z",
        "retries": 0,
        "retryInterval": 60,
    }
    response = await charger.post("diagnostics", body)
    answer = response.json()
    assert (response.status_code, answer) == (
        200,
        {
            "message": "Diagnostics upload accepted by charger",
            "chargeBoxId": IDENTITY,
            "location": location,
            "fileName": answer["fileName"],
            "status": "accepted",
        },
    )
    assert re.fullmatch(DIAGNOSTICS_FILE[charger.version], answer["fileName"])
    # 1.6 section 4.4: Uploading, UploadFailed; 2.0.1 N01.FR.08/10: Uploading, UploadFailure.
    action, failed = {
        "1.6": ("DiagnosticsStatusNotification", "UploadFailed"),
        "2.0.1": ("LogStatusNotification", "UploadFailure"),
    }[charger.version]
    kept = await polled(
        lambda: charger.get("/notifications", kind="diagnostics"),
        lambda body: body["count"] == 2,
    )
    items = without_at(kept["notifications"])
    assert [(n["action"], n["status"]) for n in items] == [
        (action, failed),
        (action, "Uploading"),
    ]
    assert (await charger.get())["diagnosticsStatus"] == failed


# -- data transfer ----------------------------------------------------------------------------

SEND = {"vendorId": "MyVendor", "messageId": "GetDisplayMessage", "data": '{"screen": 1}'}


async def test_data_transfer_and_its_history(charger: Booted) -> None:
    empty = await charger.get("/data-transfer")
    assert empty == {"chargeBoxId": IDENTITY, "dataTransfers": [], "count": 0}

    response = await charger.post("data-transfer", SEND)
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "DataTransfer vendorId unknown to charger",
            "chargeBoxId": IDENTITY,
            "vendorId": "MyVendor",
            "messageId": "GetDisplayMessage",
            "status": "UnknownVendorId",
            "responseData": None,
        },
    )

    history = await charger.get("/data-transfer")
    [item] = history["dataTransfers"]
    assert re.fullmatch(r"dt_\w+", item["id"])
    assert MILLIS.match(item["createdAt"])
    assert history == {
        "chargeBoxId": IDENTITY,
        "dataTransfers": [
            {
                "id": item["id"],
                "direction": "outgoing",
                "vendorId": "MyVendor",
                "messageId": "GetDisplayMessage",
                "data": '{"screen": 1}',
                "responseStatus": "UnknownVendorId",
                "responseData": None,
                "createdAt": item["createdAt"],
                "truncated": False,
            }
        ],
        "count": 1,
    }


# -- remote start and stop --------------------------------------------------------------------


async def transactions(lab: StackLab, status: str) -> dict[str, Any]:
    response = await lab.client.get(
        "/api/v1/transactions", params={"chargeBoxId": IDENTITY, "status": status}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_remote_start_and_stop_end_to_end(charger: Booted) -> None:
    lab = charger.lab
    await lab.store.id_tags.create(TAG)
    charger.runtime.station.plug(1, 1, ev=LARGE_CAR)

    response = await lab.client.post(
        f"/api/v1/chargers/{IDENTITY}/remote-start", json={"connectorId": 1, "idTag": TAG}
    )
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Remote start accepted by charger",
            "chargeBoxId": IDENTITY,
            "connectorId": 1,
            "idTag": TAG,
            "status": "accepted",
        },
    )
    active = await polled(lambda: transactions(lab, "active"), lambda body: body["total"] == 1)
    [started] = active["data"]
    assert (
        started["chargeBoxId"],
        started["connectorId"],
        started["evseId"],
        started["idTag"],
        started["status"],
        started["remoteStarted"],
    ) == (IDENTITY, 1, EVSE[charger.version], TAG, "active", True)
    transaction_id = started["transactionId"]
    # A string for every version: 1.6 ids (the CSMS's integers) in decimal.
    assert isinstance(transaction_id, str)
    assert transaction_id.isdecimal() == (charger.version == "1.6")

    stop = await lab.client.post(f"/api/v1/transactions/{transaction_id}/stop")
    assert (stop.status_code, stop.json()) == (
        200,
        {
            "message": "Remote stop accepted by charger",
            "chargeBoxId": IDENTITY,
            "transactionId": transaction_id,
            "status": "accepted",
        },
    )
    completed = await polled(
        lambda: transactions(lab, "completed"), lambda body: body["total"] == 1
    )
    [done] = completed["data"]
    assert (done["transactionId"], done["status"], done["stopReason"], done["remoteStarted"]) == (
        transaction_id,
        "completed",
        "Remote",
        True,
    )
    assert (await transactions(lab, "active"))["data"] == []
    assert done["stoppedAt"].endswith("Z")
    assert len(lab.registry.remote_starts) == 0  # claimed by the transaction's start
