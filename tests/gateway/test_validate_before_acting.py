"""A command whose parameters the charger's OCPP version does not allow is refused before the
station changes anything, by the version's refusal (``gateway/refusals.py`` with the station
class's ``TERMS``) the executor asks before queuing and again on arrival.

The station is the sans-I/O one of ``tests/station``, wired to a central-system double whose
session validates every frame against the official schemas.
"""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.gateway.commands import (
    FaultPayload,
    InvalidPayload,
    LocalAuthListPayload,
    ProxyMessagePayload,
    SetConfigurationPayload,
    StartSessionPayload,
    StopTransactionPayload,
    parse_payload,
)
from chargeyard.gateway.executor import Executor
from chargeyard.gateway.refusals import refusal
from chargeyard.protocol import V16 as OCPP16
from chargeyard.protocol import V201 as OCPP201
from chargeyard.protocol import Payload
from chargeyard.station.terms import StationTerms
from chargeyard.station.versions import station_terms
from tests.gateway.stations import charging, running
from tests.station.harness import Link

V16, V201 = station_terms(OCPP16), station_terms(OCPP201)

REASONS_16 = (
    "EmergencyStop, EVDisconnected, HardReset, Local, Other, PowerLoss, Reboot, Remote, "
    "SoftReset, UnlockCommand, DeAuthorized"
)
REASONS_201 = (
    "DeAuthorized, EmergencyStop, EnergyLimitReached, EVDisconnected, GroundFault, "
    "ImmediateReset, Local, LocalOutOfCredit, MasterPass, Other, OvercurrentFault, PowerLoss, "
    "PowerQuality, Reboot, Remote, SOCLimitReached, StoppedByEV, TimeLimitReached, Timeout"
)


def ended_reports(link: Link) -> list[Payload]:
    """What the central system was told of the transaction's end."""
    stops = link.csms.payloads("StopTransaction")
    events = link.csms.payloads("TransactionEvent")
    return stops + [event for event in events if event["eventType"] == "Ended"]


@pytest.mark.parametrize(("version", "allowed"), [("1.6", REASONS_16), ("2.0.1", REASONS_201)])
async def test_a_stop_reason_outside_the_version_leaves_the_transaction_running(
    version: str, allowed: str
) -> None:
    link = charging(version)
    station = link.station
    executor = Executor()
    payload = {"reason": "NotARealReason"}
    expected_field = (
        "StopTransaction.reason"
        if version == "1.6"
        else ("TransactionEvent.transactionInfo.stoppedReason")
    )
    reason = (
        f"OCPP {version}: reason 'NotARealReason' is not allowed in {expected_field}: "
        f"one of {allowed}"
    )
    assert executor.precheck(station, "stop_transaction", payload) == reason
    # Arriving anyway (queued before the check, another producer): refused on arrival too.
    outcome = await executor.apply(station, "stop_transaction", payload)
    assert (outcome.ok, outcome.error) == (False, reason)
    link.run_for(60)
    assert running(station)
    assert ended_reports(link) == []
    assert station.model.evses[1].connectors[1].status.value in ("Charging", "Occupied")

    # The station is not wedged: a valid stop ends the transaction and the CSMS is told.
    stopped = await executor.apply(station, "stop_transaction", {"reason": "Remote"})
    assert stopped.ok, stopped.error
    link.run_for(1)
    assert not running(station)
    [report] = ended_reports(link)
    if version == "1.6":
        assert report["reason"] == "Remote"
    else:
        assert report["transactionInfo"]["stoppedReason"] == "Remote"


@pytest.mark.parametrize(
    ("reason", "refused_by", "allowed_by"),
    [
        ("TimeLimitReached", V16, V201),  # 2.0.1 ReasonEnumType only
        ("StoppedByEV", V16, V201),
        ("SoftReset", V201, V16),  # 1.6 Reason only
        ("UnlockCommand", V201, V16),
    ],
)
def test_a_stop_reason_of_one_version_is_refused_on_the_other(
    reason: str, refused_by: StationTerms, allowed_by: StationTerms
) -> None:
    command = StopTransactionPayload(reason=reason)
    refused = refusal(refused_by, command)
    assert refused is not None
    assert refused.startswith(
        f"OCPP {refused_by.version.name}: reason {reason!r} is not allowed in "
    )
    assert refusal(allowed_by, command) is None


def test_fault_codes_per_version() -> None:
    # 1.6: a ChargePointErrorCode other than NoError, or a fault type of OCPPLab's simulator.
    assert refusal(V16, FaultPayload(error_code="GroundFailure")) is None
    assert refusal(V16, FaultPayload(error_code="GroundFault")) is None
    overcurrent = refusal(V16, FaultPayload(error_code="OvercurrentFault"))
    assert overcurrent is not None
    assert overcurrent.startswith("OCPP 1.6: error_code 'OvercurrentFault' is not allowed: one of ")
    assert "GroundFailure" in overcurrent
    # 2.0.1: a fault ReasonEnumType, or a 1.6 code the station maps to one.
    assert refusal(V201, FaultPayload(error_code="GroundFault")) is None
    assert refusal(V201, FaultPayload(error_code="GroundFailure")) is None
    for code in ("NoError", "Local", "Meltdown"):
        refused = refusal(V201, FaultPayload(error_code=code))
        assert refused is not None
        assert refused.startswith(
            f"OCPP 2.0.1: error_code {code!r} is not allowed: one of GroundFault, "
            "OvercurrentFault, PowerQuality, EmergencyStop, Other, ConnectorLockFailure"
        )


async def test_a_2_0_1_fault_given_as_a_1_6_code_ends_with_the_reason_it_means() -> None:
    link = charging("2.0.1")
    outcome = await Executor().apply(link.station, "inject_fault", {"error_code": "GroundFailure"})
    assert outcome.ok, outcome.error
    link.run_for(1)
    [ended] = ended_reports(link)
    assert ended["transactionInfo"]["stoppedReason"] == "GroundFault"


def test_id_tags_fit_the_version() -> None:
    tag_36 = "T" * 36
    for command in (
        StartSessionPayload(id_tag=tag_36),
        LocalAuthListPayload(list_version=2, entries=[{"id_tag": "OK"}, {"id_tag": tag_36}]),
    ):
        assert refusal(V201, command) is None
        refused = refusal(V16, command)
        assert refused is not None
        assert "is too long for" in refused
        assert refused.endswith("at most 20 characters")
    assert refusal(V16, LocalAuthListPayload(list_version=2, entries=[{"id_tag": tag_36}])) == (
        f"OCPP 1.6: entries[0].id_tag '{'T' * 36}' is too long for "
        "SendLocalList.localAuthorizationList.idTag: at most 20 characters"
    )
    with pytest.raises(InvalidPayload, match="at most 36 characters"):
        parse_payload("authorize", {"id_tag": "T" * 37})


@pytest.mark.parametrize(
    ("version", "key", "value", "why"),
    [
        ("1.6", "K" * 51, "1", "key 'KKKK"),
        ("1.6", "HeartbeatInterval", "9" * 501, "at most 500 characters"),
        ("2.0.1", "C" * 51 + ".HeartbeatInterval", "1", "at most 50 characters"),
        ("2.0.1", "OCPPCommCtrlr.HeartbeatInterval:" + "i" * 51, "1", "instance"),
    ],
)
async def test_a_configuration_the_version_cannot_carry_changes_nothing(
    version: str, key: str, value: str, why: str
) -> None:
    link = charging(version)
    station: Any = link.station
    first = "HeartbeatInterval" if version == "1.6" else "OCPPCommCtrlr.HeartbeatInterval"
    payload = {"configuration": [{"key": first, "value": "77"}, {"key": key, "value": value}]}
    refused = Executor().precheck(station, "set_configuration", payload)
    assert refused is not None
    assert refused.startswith(f"OCPP {version}: ")
    assert why in refused
    outcome = await Executor().apply(station, "set_configuration", payload)
    assert not outcome.ok
    # Not even the valid first item was applied.
    if version == "1.6":
        assert station.config.get_int("HeartbeatInterval") != 77
    else:
        assert station.device_model.get_int("OCPPCommCtrlr", "HeartbeatInterval") != 77


def test_configuration_within_the_version_passes() -> None:
    long_value = SetConfigurationPayload(
        configuration=[{"key": "DeviceDataCtrlr.Custom", "value": "v" * 1000}]
    )
    assert refusal(V201, long_value) is None
    assert refusal(V16, long_value) is not None  # 1.6 values: CiString500


async def test_a_2_0_1_local_list_can_be_cleared() -> None:
    # An empty Full update leaves localAuthorizationList out (its minItems is 1).
    link = charging("2.0.1")
    station: Any = link.station
    installed = await Executor().apply(
        station, "local_auth_list", {"list_version": 3, "entries": [{"id_tag": "A" * 36}]}
    )
    assert installed.ok, installed.error
    cleared = await Executor().apply(station, "clear_local_list", {})
    assert cleared.ok, cleared.error
    assert station.model.local_list.version == 4


def test_a_proxied_message_is_checked_against_its_version() -> None:
    heartbeat = ProxyMessagePayload(action="Heartbeat", ocpp_version="1.6", payload={})
    assert refusal(V16, heartbeat) is None
    foreign = ProxyMessagePayload(action="TransactionEvent", ocpp_version="1.6", payload={})
    assert refusal(V16, foreign) == ("OCPP 1.6: TransactionEvent is not an action of this version")
    bad = ProxyMessagePayload(
        action="StatusNotification",
        ocpp_version="2.0.1",
        payload={
            "timestamp": "2026-01-01T00:00:00Z",
            "connectorStatus": "Charging",  # a 1.6 status
            "evseId": 1,
            "connectorId": 1,
        },
    )
    refused = refusal(V201, bad)
    assert refused is not None
    assert refused.startswith("OCPP 2.0.1: StatusNotificationRequest: ")
    assert "Charging" in refused


@pytest.mark.parametrize("number", ["Infinity", "NaN"])
def test_no_infinite_or_missing_numbers(number: str) -> None:
    # Python's JSON reader takes both; queued, they would have become null.
    with pytest.raises(InvalidPayload, match="finite number"):
        parse_payload("power_update", {"power_w": float(number)})
    with pytest.raises(InvalidPayload, match="finite number"):
        parse_payload("start_session", {"id_tag": "T", "duration_seconds": float(number)})
