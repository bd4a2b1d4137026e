"""OCPP 1.6 Core profile requests: configuration (5.3, 5.8), ClearCache (5.4), DataTransfer
(4.3, 5.6) and UnlockConnector (5.18), on the single-connector Alfen wallbox."""

from __future__ import annotations

import pytest

from chargeyard.protocol import CallFailure, ErrorKind, OcppError, Payload
from chargeyard.protocol.errors import CallErrorReply
from chargeyard.station.model.authorization import IdToken
from chargeyard.station.v16 import StationV16
from chargeyard.station.v16.core_profile import by_message_id
from tests.station.harness import Link
from tests.station.v16.core_support import start_charging, statuses

T0 = "2026-01-01T00:00:00.000Z"

# -- configuration ---------------------------------------------------------------------------------


def test_5_8_get_configuration_reports_the_keys_asked_and_the_unknown_ones(online: Link) -> None:
    answer = online.call_station(
        "GetConfiguration", {"key": ["HeartbeatInterval", "NumberOfConnectors", "Colour"]}
    )
    assert answer == {
        "configurationKey": [
            {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
            {"key": "NumberOfConnectors", "readonly": True, "value": "1"},
        ],
        "unknownKey": ["Colour"],
    }


def test_5_8_get_configuration_without_keys_reports_every_key(
    online: Link, station: StationV16
) -> None:
    answer = online.call_station("GetConfiguration", {})
    assert list(answer) == ["configurationKey"]
    reported = {item["key"]: item["value"] for item in answer["configurationKey"]}
    # The template's keys, and the security profile every station has (whitepaper 7.6).
    assert reported == {**station.template.configuration_16(), "SecurityProfile": "0"}


def test_9_1_get_configuration_refuses_more_keys_than_get_configuration_max_keys(
    online: Link,
) -> None:
    keys = [f"Key{n}" for n in range(101)]  # GetConfigurationMaxKeys is 100
    with pytest.raises(CallErrorReply) as refused:
        online.call_station("GetConfiguration", {"key": keys})
    assert refused.value.code == "OccurenceConstraintViolation"  # OCPP-J 1.6 4.2.3 spells it so
    assert online.call_station("GetConfiguration", {"key": keys[:100]}) == {
        "unknownKey": keys[:100]
    }


@pytest.mark.parametrize(
    ("key", "value", "status"),
    [
        ("HeartbeatInterval", "60", "Accepted"),
        ("HeartbeatInterval", "soon", "Rejected"),
        ("NumberOfConnectors", "2", "Rejected"),  # read-only
        ("WebSocketPingInterval", "30", "RebootRequired"),
        ("Colour", "blue", "NotSupported"),
    ],
)
def test_5_3_change_configuration_answers(online: Link, key: str, value: str, status: str) -> None:
    before = online.call_station("GetConfiguration", {"key": [key]})
    answer = online.call_station("ChangeConfiguration", {"key": key, "value": value})
    assert answer == {"status": status}
    after = online.call_station("GetConfiguration", {"key": [key]})
    if status in ("Accepted", "RebootRequired"):
        assert after == {"configurationKey": [{"key": key, "readonly": False, "value": value}]}
    else:
        assert after == before


def test_5_3_a_new_heartbeat_interval_applies_at_once(online: Link) -> None:
    online.run_for(100)
    online.call_station("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"})
    online.run_for(59)
    assert online.csms.actions() == []
    online.run_for(1)
    assert online.csms.actions() == ["Heartbeat"]


def test_5_3_a_new_meter_value_sample_interval_reschedules_running_transactions(
    online: Link,
) -> None:
    start_charging(online)
    online.run_for(30)
    online.call_station("ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "10"})
    online.run_for(30)
    stamps = [p["meterValue"][0]["timestamp"] for p in online.csms.payloads("MeterValues")]
    assert stamps == [
        "2026-01-01T00:00:40.000Z",
        "2026-01-01T00:00:50.000Z",
        "2026-01-01T00:01:00.000Z",
    ]


# -- ClearCache ------------------------------------------------------------------------------------


def _cache_a_tag(online: Link, station: StationV16) -> None:
    station.present_id_token("TAG-1")  # no cable: Authorize.req, the answer is cached
    online.pump()
    assert IdToken("TAG-1") in station.model.cache


def test_5_4_clear_cache_empties_the_authorization_cache(online: Link, station: StationV16) -> None:
    _cache_a_tag(online, station)
    assert online.call_station("ClearCache", {}) == {"status": "Accepted"}
    assert len(station.model.cache) == 0


def test_5_4_clear_cache_is_rejected_while_the_cache_is_disabled(
    online: Link, station: StationV16
) -> None:
    _cache_a_tag(online, station)
    online.call_station(
        "ChangeConfiguration", {"key": "AuthorizationCacheEnabled", "value": "false"}
    )
    assert online.call_station("ClearCache", {}) == {"status": "Rejected"}
    assert IdToken("TAG-1") in station.model.cache


# -- DataTransfer ----------------------------------------------------------------------------------


def test_5_6_data_transfer_to_an_unknown_vendor(online: Link) -> None:
    answer = online.call_station("DataTransfer", {"vendorId": "com.example", "messageId": "Hi"})
    assert answer == {"status": "UnknownVendorId"}


def test_5_6_data_transfer_to_a_known_vendor_by_message_id(
    online: Link, station: StationV16
) -> None:
    station.data_transfer_handlers["com.example"] = by_message_id(
        {"Echo": lambda data: ("Accepted", data), None: lambda data: ("Rejected", None)}
    )
    echo = {"vendorId": "com.example", "messageId": "Echo", "data": "ping"}
    assert online.call_station("DataTransfer", echo) == {"status": "Accepted", "data": "ping"}
    nameless = {"vendorId": "com.example", "data": "ping"}
    assert online.call_station("DataTransfer", nameless) == {"status": "Rejected"}
    unknown = {"vendorId": "com.example", "messageId": "Reboot"}
    assert online.call_station("DataTransfer", unknown) == {"status": "UnknownMessageId"}


def test_5_6_a_vendor_handler_sees_message_id_and_data(online: Link, station: StationV16) -> None:
    seen: list[tuple[str | None, str | None]] = []

    def handler(message_id: str | None, data: str | None) -> tuple[str, str | None]:
        seen.append((message_id, data))
        return "Accepted", None

    station.data_transfer_handlers["com.example"] = handler
    answer = online.call_station("DataTransfer", {"vendorId": "com.example", "messageId": "M"})
    assert answer == {"status": "Accepted"}
    assert seen == [("M", None)]


def test_4_3_the_station_sends_data_transfer_and_hears_the_answer(
    online: Link, station: StationV16
) -> None:
    online.csms.answers["DataTransfer"] = lambda p: {"status": "Accepted", "data": "pong"}
    answers: list[Payload] = []
    assert station.send_data_transfer("com.example", "Ping", "ping", on_result=answers.append)
    online.pump()
    assert online.csms.payloads("DataTransfer") == [
        {"vendorId": "com.example", "messageId": "Ping", "data": "ping"}
    ]
    assert answers == [{"status": "Accepted", "data": "pong"}]


def test_4_3_a_data_transfer_refused_reaches_on_error(online: Link, station: StationV16) -> None:
    def refuse(payload: Payload) -> Payload:
        raise OcppError(ErrorKind.GENERIC_ERROR, "not now")

    errors: list[CallFailure] = []
    online.csms.answers["DataTransfer"] = refuse
    assert station.send_data_transfer("com.example", on_error=errors.append)
    online.pump()
    assert online.csms.payloads("DataTransfer") == [{"vendorId": "com.example"}]
    assert len(errors) == 1


def test_4_3_no_data_transfer_while_offline(online: Link, station: StationV16) -> None:
    online.drop()
    online.auto_reconnect = False
    assert station.send_data_transfer("com.example") is False


# -- UnlockConnector -------------------------------------------------------------------------------


@pytest.mark.parametrize("connector_id", [0, 2])
def test_5_18_unlock_of_a_connector_the_station_does_not_have(
    online: Link, connector_id: int
) -> None:
    answer = online.call_station("UnlockConnector", {"connectorId": connector_id})
    assert answer == {"status": "NotSupported"}
    assert online.csms.actions() == []


def test_5_18_unlock_without_a_transaction(online: Link, station: StationV16) -> None:
    station.plug(1, 1)
    online.pump()
    online.csms.clear()
    assert online.call_station("UnlockConnector", {"connectorId": 1}) == {"status": "Unlocked"}
    assert online.csms.actions() == []
    assert station.model.connector(1).locked is False


def test_5_18_unlock_ends_the_transaction_with_unlock_command_first(online: Link) -> None:
    station = start_charging(online)
    online.run_for(60)
    online.csms.clear()
    assert online.call_station("UnlockConnector", {"connectorId": 1}) == {"status": "Unlocked"}
    assert online.csms.actions() == ["StopTransaction", "StatusNotification"]
    stop = online.csms.payloads("StopTransaction")[0]
    assert (stop["transactionId"], stop["reason"]) == (1, "UnlockCommand")
    assert statuses(online) == [(1, "Finishing")]
    assert station.model.connector(1).locked is False
    assert station.model.evses[1].transaction is None


def test_5_18_a_jammed_lock_answers_unlock_failed(online: Link) -> None:
    station = start_charging(online)
    station.set_unlock_fails(1, 1)
    assert online.call_station("UnlockConnector", {"connectorId": 1}) == {"status": "UnlockFailed"}
    # The transaction is finished all the same ("SHALL finish the transaction first").
    assert online.csms.payloads("StopTransaction")[0]["reason"] == "UnlockCommand"
    assert station.model.connector(1).locked is True
    station.set_unlock_fails(1, 1, fails=False)
    assert online.call_station("UnlockConnector", {"connectorId": 1}) == {"status": "Unlocked"}


def test_the_driver_unlocks_by_hand_only_without_a_transaction(online: Link) -> None:
    station = start_charging(online)
    with pytest.raises(OcppError):
        station.unlock(1, 1)
    station.stop_transaction(1)
    station.set_unlock_fails(1, 1)
    with pytest.raises(OcppError):
        station.unlock(1, 1)
    assert station.model.connector(1).locked is True
    station.set_unlock_fails(1, 1, fails=False)
    station.unlock(1, 1)
    assert station.model.connector(1).locked is False
