"""OCPP 2.0.1 F (remote control) and P (data transfer)."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import OcppError, Payload
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import energy, events, set_variable, statuses, tag, ts

CENTRAL = tag("REMOTE-7", "Central")


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _start(link: Link, **extra: Any) -> Payload:
    return link.call_station(
        "RequestStartTransaction", {"remoteStartId": 42, "idToken": CENTRAL, **extra}
    )


def test_f01_remote_start_with_the_cable_plugged_in_first(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)
    online.pump()
    online.csms.clear()
    assert _start(online, evseId=1) == {"status": "Accepted"}
    assert online.csms.actions() == ["TransactionEvent", "TransactionEvent"]  # C05: no Authorize
    started = events(online)[0]
    assert started == {
        "eventType": "Started",
        "timestamp": ts(),
        "triggerReason": "RemoteStart",
        "seqNo": 0,
        "transactionInfo": {
            "transactionId": started["transactionInfo"]["transactionId"],
            "chargingState": "EVConnected",
            "remoteStartId": 42,
        },
        "evse": {"id": 1, "connectorId": 1},
        "idToken": CENTRAL,
        "meterValue": [energy(1000.0, "Transaction.Begin")],
    }
    assert "remoteStartId" not in events(online)[1]["transactionInfo"]


def test_f01_remote_start_joins_a_transaction_started_on_plug_in(online: Link) -> None:
    set_variable(online, "TxCtrlr", "TxStartPoint", "EVConnected")
    station = _station(online)
    station.plug(1, 1)
    online.pump()
    tx = events(online)[0]["transactionInfo"]["transactionId"]
    online.csms.clear()
    assert _start(online) == {"status": "Accepted", "transactionId": tx}
    [updated] = events(online)
    assert updated == {
        "eventType": "Updated",
        "timestamp": ts(),
        "triggerReason": "RemoteStart",
        "seqNo": 1,
        "transactionInfo": {
            "transactionId": tx,
            "chargingState": "Charging",
            "timeSpentCharging": 0,
            "remoteStartId": 42,
        },
        "idToken": CENTRAL,
    }


def test_f02_remote_start_first_waits_for_the_cable(online: Link) -> None:
    station = _station(online)
    assert _start(online) == {"status": "Accepted"}
    assert events(online) == []
    online.run_for(60)
    station.plug(1, 1)
    online.pump()
    started = events(online)[0]
    assert (started["triggerReason"], started["transactionInfo"]["remoteStartId"]) == (
        "CablePluggedIn",
        42,
    )


def test_f02_remote_start_is_authorized_first_when_the_station_must(online: Link) -> None:
    set_variable(online, "AuthCtrlr", "AuthorizeRemoteStart", "true")
    online.csms.answers["Authorize"] = lambda p: {"idTokenInfo": {"status": "Blocked"}}
    station = _station(online)
    station.plug(1, 1)
    online.pump()
    online.csms.clear()
    assert _start(online) == {"status": "Accepted"}
    assert online.csms.actions() == ["Authorize"]
    assert station.model.evses[1].transaction is None
    assert station.transactions.evse_for_new_session(1) is not None  # free again


def test_f01_remote_start_refusals(online: Link) -> None:
    station = _station(online)
    profile = {
        "id": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": [
            {
                "id": 1,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
            }
        ],
    }
    assert _start(online, evseId=5) == {"status": "Rejected"}
    assert _start(online, chargingProfile=profile) == {"status": "Rejected"}
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    assert _start(online) == {"status": "Rejected"}  # the only EVSE is taken


def test_f01_a_tx_profile_of_the_remote_start_limits_the_transaction(online: Link) -> None:
    station = _station(online)
    profile = {
        "id": 9,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": [
            {
                "id": 1,
                # SmartChargingCtrlr.RateUnit of this wallbox is A only (K01.FR.26): 16 A x 230 V
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
            }
        ],
    }
    station.plug(1, 1)
    assert _start(online, evseId=1, chargingProfile=profile) == {"status": "Accepted"}
    online.run_for(3600)
    evse = station.model.evses[1]
    assert abs(evse.meter.energy_register_wh - 1000 - 3680) < 1
    [(evse_id, installed)] = station.model.profiles.profiles()
    assert (evse_id, installed.id) == (1, 9)
    assert evse.transaction is not None
    assert installed.transaction_id == evse.transaction.local_id


def test_f03_remote_stop(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    tx = events(online)[0]["transactionInfo"]["transactionId"]
    online.csms.clear()
    assert online.call_station("RequestStopTransaction", {"transactionId": "nope"}) == {
        "status": "Rejected"
    }
    assert online.call_station("RequestStopTransaction", {"transactionId": tx}) == {
        "status": "Accepted"
    }
    [ended] = events(online)
    assert (ended["triggerReason"], ended["transactionInfo"]["stoppedReason"]) == (
        "RemoteStop",
        "Remote",
    )


def test_f05_unlock_connector(online: Link) -> None:
    station = _station(online)

    def unlock(evse_id: int = 1, connector_id: int = 1) -> str:
        answer = online.call_station(
            "UnlockConnector", {"evseId": evse_id, "connectorId": connector_id}
        )
        status: str = answer["status"]
        return status

    assert unlock(1, 2) == "UnknownConnector"
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    assert unlock() == "OngoingAuthorizedTransaction"
    station.present_id_token("TAG-1")  # stopped; the cable stays locked in
    assert station.model.connector(1, 1).locked
    station.control.set_unlock_fails(1, 1)
    assert unlock() == "UnlockFailed"
    with pytest.raises(OcppError):
        station.unlock(1, 1)
    station.control.set_unlock_fails(1, 1, fails=False)
    assert unlock() == "Unlocked"
    assert not station.model.connector(1, 1).locked


def _trigger(link: Link, message: str, **extra: Any) -> str:
    link.csms.clear()
    answer = link.call_station("TriggerMessage", {"requestedMessage": message, **extra})
    status: str = answer["status"]
    return status


def test_f06_trigger_message_sends_after_its_answer(online: Link) -> None:
    station = _station(online)
    online.run_for(10)
    assert _trigger(online, "Heartbeat") == "Accepted"
    assert online.csms.actions() == ["Heartbeat"]
    assert _trigger(online, "StatusNotification", evse={"id": 1, "connectorId": 1}) == "Accepted"
    assert statuses(online) == [(1, 1, "Available")]
    assert _trigger(online, "MeterValues") == "Accepted"
    assert online.csms.payloads("MeterValues") == [
        {"evseId": 1, "meterValue": [energy(1000.0, "Trigger", 10)]}
    ]
    assert _trigger(online, "FirmwareStatusNotification") == "Accepted"
    assert online.csms.payloads("FirmwareStatusNotification") == [{"status": "Idle"}]
    assert _trigger(online, "LogStatusNotification") == "Accepted"
    assert online.csms.payloads("LogStatusNotification") == [{"status": "Idle"}]
    assert _trigger(online, "TransactionEvent") == "Rejected"  # none runs
    assert _trigger(online, "StatusNotification", evse={"id": 3}) == "Rejected"
    assert _trigger(online, "SignV2GCertificate") == "NotImplemented"
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    assert _trigger(online, "TransactionEvent", evse={"id": 1}) == "Accepted"
    [triggered] = events(online)
    assert (triggered["eventType"], triggered["triggerReason"]) == ("Updated", "Trigger")
    contexts = {v["context"] for v in triggered["meterValue"][0]["sampledValue"]}
    assert contexts == {"Trigger"}


def test_p01_data_transfer_to_the_station(online: Link) -> None:
    station = _station(online)
    request = {"vendorId": "com.example", "messageId": "ping", "data": {"n": 1}}
    assert online.call_station("DataTransfer", request) == {"status": "UnknownVendorId"}

    def pong(message_id: str | None, data: Any) -> tuple[str, Any]:
        if message_id != "ping":
            return "UnknownMessageId", None
        return "Accepted", {"n": data["n"] + 1}

    station.control.data_transfer_handlers["com.example"] = pong
    assert online.call_station("DataTransfer", request) == {
        "status": "Accepted",
        "data": {"n": 2},
    }
    assert online.call_station("DataTransfer", {**request, "messageId": "x"}) == {
        "status": "UnknownMessageId"
    }


def test_p02_data_transfer_to_the_csms(online: Link) -> None:
    station = _station(online)
    answers: list[Payload] = []
    assert station.control.send_data_transfer("com.example", "hello", {"a": 1}, answers.append)
    online.pump()
    assert online.csms.payloads("DataTransfer") == [
        {"vendorId": "com.example", "messageId": "hello", "data": {"a": 1}}
    ]
    assert answers == [{"status": "Accepted"}]
