"""The catalogue of gateway commands and the names of versions."""

from __future__ import annotations

import pytest

from chargeyard.gateway.commands import (
    COMMANDS,
    COMMANDS_BY_PATH,
    ConnectorPayload,
    InvalidPayload,
    parse_payload,
)
from chargeyard.gateway.executor import _TABLE
from chargeyard.gateway.version_labels import runtime_version_label
from chargeyard.protocol import V21
from chargeyard.station.versions import fleet_version, named_version


def test_every_command_has_a_path_an_event_type_and_an_executor() -> None:
    assert set(COMMANDS) == set(_TABLE)
    assert sorted(COMMANDS_BY_PATH) == sorted(
        [
            "plug-connector",
            "unplug-connector",
            "unlock-connector",
            "ev-requests-energy",
            "ev-stops-energy",
            "start-session",
            "stop-session",
            "authorize",
            "start-transaction",
            "stop-transaction",
            "power-update",
            "inject-fault",
            "clear-fault",
            "set-configuration",
            "cache/reset",
            "local-auth-list",
            "clear-local-list",
            "proxy-message",
            # The simulator's controls (gateway/controls/).
            "set-ev",
            "update-soc",
            "ev-state",
            "suspend-ev",
            "resume-ev",
            "suspend-evse",
            "resume-evse",
            "update-meter-values",
            "send-meter-values",
            "fault-status",
            "jam-lock",
            "power-cut",
            "reboot",
            "get-configuration",
            "get-authorization-cache",
            "get-local-list",
            "get-certificates",
            "add-local-list-entry",
            "remove-local-list-entry",
            "trigger-message",
            "priority-charging",
            "swap-battery",
            "pay-by-card",
            "enter-vat-number",
            "payment-state",
            "check-certificate-chain",
        ]
    )
    # The API reference: unplug-connector is queued as "unplug" with ConnectorCommandEvent's
    # defaults.
    assert COMMANDS_BY_PATH["unplug-connector"].event_type == "unplug"
    assert parse_payload("unplug", {"evse_id": 2}).model_dump() == {
        "evse_id": 2,
        "connector_id": 1,
    }
    assert [spec.event_type for spec in COMMANDS.values() if spec.waits] == [
        "start_session",
        "authorize",
        "start_transaction",
        "proxy_message",
    ]


def test_payloads_are_validated() -> None:
    assert isinstance(parse_payload("plug", {}), ConnectorPayload)
    with pytest.raises(InvalidPayload, match="unknown command"):
        parse_payload("dance", {})
    with pytest.raises(InvalidPayload, match="extra"):
        parse_payload("plug", {"evse_id": 1, "volts": 230})
    with pytest.raises(InvalidPayload, match="duration_seconds"):
        parse_payload("start_session", {"id_tag": "T", "duration_seconds": 0})
    with pytest.raises(InvalidPayload, match="unsupported OCPP version"):
        parse_payload("proxy_message", {"action": "Heartbeat", "ocpp_version": "ocpp9"})
    with pytest.raises(InvalidPayload, match="list_version"):
        parse_payload("local_auth_list", {"list_version": 0})


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("1.6", "1.6"),
        ("ocpp1.6", "1.6"),
        ("OCPP1.6", "1.6"),
        ("OCPP 2.0.1", "2.0.1"),
        ("ocpp2.0.1", "2.0.1"),
        ("v201", "2.0.1"),
        ("ocpp2.1", "2.1"),
        ("OCPP 2.1", "2.1"),
    ],
)
def test_versions_are_named_as_the_seeds_show(spelling: str, key: str) -> None:
    version = named_version(spelling)
    assert version.name == key
    assert version.subprotocol == f"ocpp{key}"  # a queued command's ocpp_version
    assert runtime_version_label(version) == f"OCPP{key}"


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unsupported OCPP version '1\.5'"):
        named_version("1.5")


def test_every_version_of_the_protocol_has_a_station() -> None:
    # 2.1's station is StationV21 (station/v21): the gateway takes ocpp2.1 like the others.
    assert fleet_version(V21) is V21
    assert named_version("ocpp2.1") is V21
