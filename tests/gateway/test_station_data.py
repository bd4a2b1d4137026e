"""Configuration, the authorization cache and local list, and proxied messages: applied to the
station's own stores (1.6 configuration keys, the 2.0.1 device model) and seen by the CSMS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chargeyard.gateway.commands import InvalidPayload
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.station.model.authorization import IdToken
from chargeyard.store.models import CommandStatus
from tests.gateway.conftest import VERSIONS
from tests.polling import eventually
from tests.stack_lab import StackLab

HEARTBEAT_KEY = {V16: "HeartbeatInterval", V201: "OCPPCommCtrlr.HeartbeatInterval"}


async def test_set_configuration_answers_per_key_on_1_6(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    command = await lab.run(
        charger,
        "set_configuration",
        {
            "configuration": [
                {"key": "HeartbeatInterval", "value": "42"},
                {"key": "ConnectorPhaseRotation", "value": "1.RST"},
                {"key": "GetConfigurationMaxKeys", "value": "1"},
                {"key": "NoSuchKey", "value": "1"},
            ]
        },
    )
    assert command.status == CommandStatus.SUCCEEDED
    assert command.result == {
        "results": {
            "HeartbeatInterval": "Accepted",
            "ConnectorPhaseRotation": "RebootRequired",
            "GetConfigurationMaxKeys": "Rejected",
            "NoSuchKey": "NotSupported",
        }
    }
    station = lab.hosted(charger.id)
    assert station.heartbeat_interval == 42  # applied at once, as from a central system
    assert station.config.get("ConnectorPhaseRotation") == "1.RST"


async def test_set_configuration_answers_per_variable_on_2_0_1(lab: StackLab) -> None:
    charger = await lab.running("CP-1", V201)
    command = await lab.run(
        charger,
        "set_configuration",
        {
            "configuration": [
                {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "42"},
                {"key": "OCPPCommCtrlr.WebSocketPingInterval", "value": "30"},
                {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "soon"},
                {"key": "SampledDataCtrlr.TxUpdatedInterval", "value": "5"},
                {"key": "NoSuchCtrlr.Enabled", "value": "true"},
                {"key": "NoDot", "value": "1"},
            ]
        },
    )
    assert command.result == {
        "results": {
            # The key's last item wins in the map: "soon" is not an integer.
            "OCPPCommCtrlr.HeartbeatInterval": "Rejected",
            "OCPPCommCtrlr.WebSocketPingInterval": "RebootRequired",
            "SampledDataCtrlr.TxUpdatedInterval": "Accepted",
            "NoSuchCtrlr.Enabled": "UnknownComponent",
            "NoDot": "Rejected",
        }
    }
    station = lab.hosted(charger.id)
    assert station.heartbeat_interval == 42  # the first item was Accepted and applied
    assert station.device_model.get_int("SampledDataCtrlr", "TxUpdatedInterval") == 5


@VERSIONS
async def test_configuration_stored_with_the_charger_applies_before_it_connects(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.charger(
        "CP-1", version, config={"configuration": {HEARTBEAT_KEY[version]: "77"}}
    )
    await lab.host.start_charger("org-acme", charger.id)
    station = lab.hosted(charger.id)
    assert station.heartbeat_interval == 77
    await eventually(lambda: _true(lab.booted(charger.id)))


@VERSIONS
async def test_reset_cache_empties_the_authorization_cache(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    await lab.run(charger, "authorize", {"id_tag": "TAG1"})
    station = lab.hosted(charger.id)
    now = datetime.now(UTC)
    await eventually(lambda: _true(station.model.cache.get(IdToken("TAG1"), now) is not None))
    command = await lab.run(charger, "reset_cache")
    assert command.result == {"cleared": 1}
    assert len(station.model.cache) == 0


@VERSIONS
async def test_local_auth_list_installs_and_must_increase(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    if version is V201:  # the 2.0.1 templates ship with the list disabled
        await lab.run(
            charger,
            "set_configuration",
            {"configuration": [{"key": "LocalAuthListCtrlr.Enabled", "value": "true"}]},
        )
    command = await lab.run(
        charger,
        "local_auth_list",
        {
            "list_version": 3,
            "entries": [
                {"id_tag": "LOCAL1"},
                {"id_tag": "LOCAL2", "expiry_date": "2030-01-01T00:00:00Z"},
            ],
        },
    )
    assert (command.status, command.error) == (CommandStatus.SUCCEEDED, None)
    assert command.result == {"list_version": 3, "entries": 2}
    station = lab.hosted(charger.id)
    assert station.model.local_list.version == 3
    assert IdToken("LOCAL2") in station.model.local_list
    assert await lab.refused(charger, "local_auth_list", {"list_version": 3}) == (
        "list_version must be greater than the installed 3"
    )
    cleared = await lab.run(charger, "clear_local_list")
    assert cleared.result == {"list_version": 4, "entries": 0}
    assert len(station.model.local_list) == 0


@VERSIONS
async def test_proxy_message_sends_it_as_is_and_keeps_the_answer(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    command = await lab.run(
        charger,
        "proxy_message",
        {"action": "Heartbeat", "ocpp_version": version.subprotocol, "payload": {}},
    )
    assert command.status == CommandStatus.SUCCEEDED
    assert command.result is not None
    assert command.result["action"] == "Heartbeat"
    assert set(command.result["response"]) == {"currentTime"}

    # Checked against the version's request schema before it is queued.
    invalid = {
        "action": "Heartbeat",
        "ocpp_version": version.subprotocol,
        "payload": {"unexpected": 1},
    }
    reason = await lab.refused(charger, "proxy_message", invalid)
    assert reason.startswith(f"OCPP {version.name}: Heartbeat")
    assert "unexpected" in reason

    other = V201 if version is V16 else V16
    assert await lab.refused(
        charger, "proxy_message", {"action": "Heartbeat", "ocpp_version": other.subprotocol}
    ) == (f"the station speaks OCPP {version.name}, not {other.name}")


async def test_an_invalid_payload_queues_nothing(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    with pytest.raises(InvalidPayload, match="invalid plug payload"):
        await lab.send(charger, "plug", {"evse_id": 0})
    with pytest.raises(InvalidPayload, match="unknown command 'dance'"):
        await lab.send(charger, "dance", {})
    assert await lab.store.commands.list("org-acme") == []
    # Arriving on the bus anyway (another producer), it is a reason, not a crash.
    reason = lab.host.precheck("org-acme", charger.id, "plug", {"evse_id": 0})
    assert reason is not None
    assert reason.startswith("invalid plug payload")


async def _true(value: bool) -> bool:
    return value
