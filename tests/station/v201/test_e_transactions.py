"""OCPP 2.0.1 E: whole TransactionEvents of the common flows, on a simulated clock."""

from __future__ import annotations

from datetime import datetime

import pytest

from chargeyard.protocol import ErrorKind, OcppError, Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.authorization import AuthorizationStatus, IdToken, IdTokenInfo
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import energy, events, set_variable, statuses, tag, ts


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _charging(link: Link, token: str = "TAG-1") -> tuple[StationV201, str]:
    """Cable first, then the tag (E02); returns the station and the transactionId."""
    station = _station(link)
    station.plug(1, 1)
    station.present_id_token(token)
    link.pump()
    transaction_id: str = events(link)[0]["transactionInfo"]["transactionId"]
    return station, transaction_id


def test_e02_cable_plugin_first(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)
    online.pump()
    assert online.csms.actions() == ["StatusNotification"]  # Occupied; no transaction yet
    station.present_id_token("TAG-1")
    online.pump()
    assert online.csms.actions()[1:] == ["Authorize", "TransactionEvent", "TransactionEvent"]
    assert online.csms.payloads("Authorize") == [{"idToken": tag()}]
    started, charging = events(online)
    tx = started["transactionInfo"]["transactionId"]
    assert started == {
        "eventType": "Started",
        "timestamp": ts(),
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": tx, "chargingState": "EVConnected"},
        "evse": {"id": 1, "connectorId": 1},
        "idToken": tag(),
        "meterValue": [energy(1000.0, "Transaction.Begin")],
    }
    assert charging == {
        "eventType": "Updated",
        "timestamp": ts(),
        "triggerReason": "ChargingStateChanged",
        "seqNo": 1,
        "transactionInfo": {
            "transactionId": tx,
            "chargingState": "Charging",
            "timeSpentCharging": 0,
        },
    }
    assert station.model.evses[1].transaction is not None
    assert station.model.evses[1].transaction.local_id == tx


def test_e03_id_token_first_then_the_cable(online: Link) -> None:
    station = _station(online)
    station.present_id_token("TAG-1")
    online.pump()
    assert online.csms.actions() == ["Authorize"]  # the connector stays Available
    online.run_for(30)
    station.plug(1, 1)
    online.pump()
    assert statuses(online) == [(1, 1, "Occupied")]
    started = events(online)[0]
    assert started == {
        "eventType": "Started",
        "timestamp": ts(30),
        "triggerReason": "CablePluggedIn",
        "seqNo": 0,
        "transactionInfo": {
            "transactionId": started["transactionInfo"]["transactionId"],
            "chargingState": "EVConnected",
        },
        "evse": {"id": 1, "connectorId": 1},
        "idToken": tag(),
        "meterValue": [energy(1000.0, "Transaction.Begin", 30)],
    }


def test_e03_ev_connection_timeout_cancels_a_waiting_authorization(online: Link) -> None:
    station = _station(online)
    station.present_id_token("TAG-1")
    online.pump()
    online.run_for(119)
    assert station.transaction_events.sessions[1].authorized
    online.run_for(1)  # TxCtrlr.EVConnectionTimeOut: 120 s on this template
    assert 1 not in station.transaction_events.sessions
    station.plug(1, 1)
    online.pump()
    assert events(online) == []  # a new tag is needed


def test_e03_ev_connection_timeout_ends_a_transaction_started_on_authorization(
    online: Link,
) -> None:
    set_variable(online, "TxCtrlr", "TxStartPoint", "Authorized")
    station = _station(online)
    station.present_id_token("TAG-1")
    online.pump()
    online.run_for(120)
    started, periodic, ended = events(online)  # J02 samples even without a cable
    assert periodic["triggerReason"] == "MeterValuePeriodic"
    assert (ended["eventType"], ended["triggerReason"]) == ("Ended", "EVConnectTimeout")
    assert ended["transactionInfo"] == {
        "transactionId": started["transactionInfo"]["transactionId"],
        "chargingState": "Idle",
        "timeSpentCharging": 0,
        "stoppedReason": "Timeout",
    }


def test_e07_transaction_locally_stopped_by_the_same_id_token(online: Link) -> None:
    station, tx = _charging(online)
    online.run_for(130)
    online.csms.clear()
    station.present_id_token("tag-1")  # id tokens compare case-insensitively
    online.pump()
    assert events(online) == [
        {
            "eventType": "Ended",
            "timestamp": ts(130),
            "triggerReason": "StopAuthorized",
            "seqNo": 4,  # Started, ChargingStateChanged, 2 x MeterValuePeriodic
            "transactionInfo": {
                "transactionId": tx,
                "chargingState": "EVConnected",
                "timeSpentCharging": 130,
                "stoppedReason": "Local",
            },
            "idToken": tag("tag-1"),
            # TxEndedMeasurands at the start and the end; 130 s at 7.36 kW is 265.8 Wh.
            "meterValue": [
                energy(1000.0, "Transaction.Begin"),
                energy(1265.8, "Transaction.End", 130),
            ],
        }
    ]
    assert statuses(online) == []  # still Occupied: the cable is in
    station.unplug(1, 1)
    online.pump()
    assert statuses(online) == [(1, 1, "Available")]
    assert events(online)[1:] == []


def test_j02_the_begin_reading_has_one_time_in_started_and_ended(
    online: Link, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # TxStartedMeasurands and TxEndedMeasurands share the Transaction.Begin reading: stamped
    # at the transaction's start in both events, so a central system sees one reading, even
    # when the clock moves between two looks at it (here a millisecond each).
    manual_now = clock.now

    def ticking() -> datetime:
        clock.advance(0.001)
        return manual_now()

    monkeypatch.setattr(clock, "now", ticking)
    station, _ = _charging(online)
    online.run_for(10)
    station.unplug(1, 1)
    online.pump()
    started, *_, ended = events(online)
    assert (started["eventType"], ended["eventType"]) == ("Started", "Ended")
    [begin] = started["meterValue"]
    assert begin["sampledValue"][0]["context"] == "Transaction.Begin"
    assert ended["meterValue"][0] == begin


def test_c09_a_token_of_the_same_group_may_stop(online: Link) -> None:
    group = IdToken("FLEET", "Central")
    online.csms.answers["Authorize"] = lambda p: {
        "idTokenInfo": {
            "status": "Accepted",
            "groupIdToken": {"idToken": "FLEET", "type": "Central"},
        }
    }
    station, _ = _charging(online)
    station.model.cache.store(
        IdToken("TAG-2"),
        IdTokenInfo(AuthorizationStatus.ACCEPTED, group_id_token=group),
        station.clock.now(),
    )
    online.csms.clear()
    station.present_id_token("TAG-2")
    online.pump()
    [ended] = events(online)
    assert (ended["triggerReason"], ended["idToken"]) == ("StopAuthorized", tag("TAG-2"))


def test_e09_unplugging_ends_the_transaction(online: Link) -> None:
    station, tx = _charging(online)
    online.run_for(10)
    online.csms.clear()
    station.unplug(1, 1)
    online.pump()
    assert online.csms.actions() == ["StatusNotification", "TransactionEvent"]
    assert statuses(online) == [(1, 1, "Available")]
    assert events(online) == [
        {
            "eventType": "Ended",
            "timestamp": ts(10),
            "triggerReason": "EVCommunicationLost",
            "seqNo": 2,
            "transactionInfo": {
                "transactionId": tx,
                "chargingState": "Idle",
                "timeSpentCharging": 10,
                "stoppedReason": "EVDisconnected",
            },
            "meterValue": [
                energy(1000.0, "Transaction.Begin"),
                energy(1020.4, "Transaction.End", 10),
            ],
        }
    ]


def test_e10_unplugging_suspends_when_stop_tx_on_ev_side_disconnect_is_false(
    online: Link,
) -> None:
    set_variable(online, "TxCtrlr", "StopTxOnEVSideDisconnect", "false")
    set_variable(online, "TxCtrlr", "TxStopPoint", "Authorized")
    station, _ = _charging(online)
    online.csms.clear()
    station.unplug(1, 1)
    station.plug(1, 1)
    online.pump()
    rows = [
        (e["eventType"], e["triggerReason"], e["transactionInfo"]["chargingState"])
        for e in events(online)
    ]
    assert rows == [
        ("Updated", "EVCommunicationLost", "Idle"),
        ("Updated", "CablePluggedIn", "Charging"),
    ]


def test_e05_the_csms_refuses_the_token_of_a_started_transaction(online: Link) -> None:
    station = _station(online)
    set_variable(online, "AuthCtrlr", "LocalPreAuthorize", "true")
    station.model.cache.store(
        IdToken("TAG-1"), IdTokenInfo(AuthorizationStatus.ACCEPTED), station.clock.now()
    )
    online.csms.answers["TransactionEvent"] = lambda p: (
        {"idTokenInfo": {"status": "Blocked"}} if "idToken" in p else {}
    )
    online.csms.clear()
    station.plug(1, 1)
    station.present_id_token("TAG-1")  # cached and LocalPreAuthorize: no Authorize (C12)
    online.pump()
    assert "Authorize" not in online.csms.actions()
    rows = [
        (e["eventType"], e["triggerReason"], e["transactionInfo"].get("stoppedReason"))
        for e in events(online)
    ]
    assert rows == [
        ("Started", "Authorized", None),
        ("Updated", "ChargingStateChanged", None),
        ("Ended", "Deauthorized", "DeAuthorized"),  # TxCtrlr.StopTxOnInvalidId
    ]
    cached = station.model.cache.get(IdToken("TAG-1"), station.clock.now())
    assert cached is not None
    assert cached.status is AuthorizationStatus.BLOCKED


def test_e05_without_stop_tx_on_invalid_id_energy_stops_but_not_the_transaction(
    online: Link,
) -> None:
    set_variable(online, "TxCtrlr", "StopTxOnInvalidId", "false")
    online.csms.answers["TransactionEvent"] = lambda p: (
        {"idTokenInfo": {"status": "Invalid"}} if "idToken" in p else {}
    )
    station, _ = _charging(online)
    last = events(online)[-1]
    # E05.FR.02: the transaction is not deauthorized; its charging state changed.
    assert (last["eventType"], last["triggerReason"]) == ("Updated", "ChargingStateChanged")
    assert last["transactionInfo"]["chargingState"] == "SuspendedEVSE"
    assert station.model.evses[1].transaction is not None


def test_j02_meter_values_every_tx_updated_interval(online: Link) -> None:
    _, tx = _charging(online)
    online.csms.clear()
    online.run_for(600)
    periodic = [e for e in events(online) if e["triggerReason"] == "MeterValuePeriodic"]
    assert len(periodic) == 10  # SampledDataCtrlr.TxUpdatedInterval: 60 s
    assert [e["seqNo"] for e in periodic] == list(range(2, 12))
    first = periodic[0]
    assert first["timestamp"] == ts(60)
    assert first["transactionInfo"] == {
        "transactionId": tx,
        "chargingState": "Charging",
        "timeSpentCharging": 60,
    }
    [value] = first["meterValue"]
    assert [(v["measurand"], v["value"], v["context"]) for v in value["sampledValue"]] == [
        ("Energy.Active.Import.Register", 1122.7, "Sample.Periodic"),
        ("Power.Active.Import", 7360.0, "Sample.Periodic"),
        ("Current.Import", 32.0, "Sample.Periodic"),
        ("Voltage", 230.0, "Sample.Periodic"),
    ]
    online.csms.clear()
    assert set_variable(online, "SampledDataCtrlr", "TxUpdatedInterval", "300") == "Accepted"
    online.run_for(600)
    periodic = [e for e in events(online) if e["triggerReason"] == "MeterValuePeriodic"]
    assert [e["timestamp"] for e in periodic] == [ts(900), ts(1200)]


def test_e04_events_of_an_offline_transaction_arrive_in_order_after_reconnect(
    online: Link,
) -> None:
    station = _station(online)
    set_variable(online, "AuthCtrlr", "OfflineTxForUnknownIdEnabled", "true")
    station.plug(1, 1)
    online.pump()
    online.drop()
    online.auto_reconnect = False
    station.present_id_token("TAG-9")  # unknown, offline: C15
    online.run_for(300)
    station.unplug(1, 1)
    online.csms.clear()
    online.connect()
    assert online.csms.actions()[0] != "BootNotification"  # no reboot, no boot
    sent = events(online)
    assert [(e["seqNo"], e["eventType"], e["triggerReason"]) for e in sent] == [
        (0, "Started", "Authorized"),
        (1, "Updated", "ChargingStateChanged"),
        *[(n, "Updated", "MeterValuePeriodic") for n in range(2, 7)],
        (7, "Ended", "EVCommunicationLost"),
    ]
    assert all(e["offline"] is True for e in sent)
    assert [e["timestamp"] for e in sent] == [
        ts(),
        ts(),
        *[ts(60 * n) for n in range(1, 6)],
        ts(300),
    ]
    assert {e["transactionInfo"]["transactionId"] for e in sent} == {
        sent[0]["transactionInfo"]["transactionId"]
    }
    assert statuses(online) == [(1, 1, "Available")]  # changed while offline (B04)


def test_e11_connection_lost_during_a_transaction(online: Link) -> None:
    station, _ = _charging(online)
    online.drop()
    online.auto_reconnect = False
    online.run_for(120)
    online.csms.clear()
    online.connect()
    station.present_id_token("TAG-1")  # decided locally: the tag started this transaction
    online.pump()
    rows = [(e["seqNo"], e["triggerReason"], e.get("offline", False)) for e in events(online)]
    assert rows == [
        (2, "MeterValuePeriodic", True),
        (3, "MeterValuePeriodic", True),
        (4, "StopAuthorized", False),
    ]


def test_e13_a_refused_transaction_event_is_retried_then_dropped(online: Link) -> None:
    interval = set_variable(
        online, "OCPPCommCtrlr", "MessageAttemptInterval", "10", instance="TransactionEvent"
    )
    assert interval == "Accepted"

    def refuse(payload: Payload) -> Payload:
        raise OcppError(ErrorKind.INTERNAL_ERROR, "down for maintenance")

    online.csms.answers["TransactionEvent"] = refuse
    online.csms.clear()
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    assert [e["seqNo"] for e in events(online)] == [0]
    online.run_for(10)  # MessageAttemptIntervalTransactionEvent x attempts so far
    online.run_for(20)
    # MessageAttemptsTransactionEvent (3) spent on Started, the next event goes out.
    assert [e["seqNo"] for e in events(online)] == [0, 0, 0, 1]
