"""Both request dialects on the gateway's commands (``api/gateway/dialects.py``): the API
reference's ``{target: {charger_id}, event}`` and OCPPLab SDK's ``{target: {deployment_id |
identity}, payload}``, its command names and parameter names, and the gateway again under
``/evcharger``. The SDK itself drives the same routes in ``tests/sdk``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chargeyard.protocol import V16, V201
from tests.api.gateway_fleet import ORG, fleet_lab
from tests.api.test_gateway_commands import _charger, _outcome, _plugged, _running
from tests.stack_lab import StackLab


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with fleet_lab(tmp_path) as lab:
        await lab.store.organizations.create(ORG, organization_id=ORG)
        yield lab


async def _sent(lab: StackLab, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await lab.client.post(path, json=body)
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    assert answer["failed"] == [], answer
    return await _outcome(lab, answer["results"][0]["command"]["id"])


async def test_payload_and_deployment_id_are_event_and_charger_id(lab: StackLab) -> None:
    charger = await _running(lab, await _charger(lab, "CP-1"))
    body = {"target": {"deployment_id": charger.id}, "payload": {"evse_id": 1}}
    outcome = await _sent(lab, "/ocpp/commands/plug-connector", body)
    assert (outcome["status"], outcome["payload"]) == (
        "applied",
        {"evse_id": 1, "connector_id": 1},
    )
    assert _plugged(lab, charger)


async def test_a_charger_named_by_its_identity(lab: StackLab) -> None:
    charger = await _running(lab, await _charger(lab, "CP-BY-NAME"))
    outcome = await _sent(
        lab, "/ocpp/commands/plug-connector", {"target": {"identity": "CP-BY-NAME"}}
    )
    assert outcome["charger_id"] == charger.id
    assert _plugged(lab, charger)
    unknown = await lab.client.post(
        "/ocpp/commands/plug-connector", json={"target": {"identity": "CP-NOPE"}}
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": "charger with identity 'CP-NOPE' not found"},
    )


async def test_no_payload_is_the_commands_defaults(lab: StackLab) -> None:
    """OCPPLab's SDK sends no payload when none is given (``plug_connector(target=...)``)."""
    charger = await _running(lab, await _charger(lab, "CP-1"))
    outcome = await _sent(
        lab, "/ocpp/commands/plug-connector", {"target": {"charger_id": charger.id}}
    )
    assert outcome["payload"] == {"evse_id": 1, "connector_id": 1}
    missing = await lab.client.post(
        "/ocpp/commands/start-session", json={"target": {"charger_id": charger.id}}
    )
    assert missing.status_code == 422
    assert [p["loc"] for p in missing.json()["detail"]] == [["body", "event", "id_tag"]]


@pytest.mark.parametrize(
    ("target", "body", "message"),
    [
        ({"deployment_id": "dep-1", "charger_id": "dep-2"}, None, "name one charger"),
        ({"identity": "CP-1", "location_id": "loc-1"}, None, "provide either charger_id"),
        ({"charger_id": "dep-1"}, {"event": {}, "payload": {}}, "as event or as payload"),
    ],
)
async def test_a_body_in_both_dialects_at_once_is_422(
    lab: StackLab, target: dict[str, Any], body: dict[str, Any] | None, message: str
) -> None:
    response = await lab.client.post(
        "/ocpp/commands/plug-connector", json={"target": target, **(body or {})}
    )
    assert response.status_code == 422, response.text
    assert message in str(response.json()["detail"])


async def test_the_sdks_command_and_parameter_names(lab: StackLab) -> None:
    charger = await _running(lab, await _charger(lab, "CP-1"))
    target = {"deployment_id": charger.id}
    configured = await _sent(
        lab,
        "/ocpp/commands/configuration",
        {"target": target, "payload": {"key": "HeartbeatInterval", "value": "120"}},
    )
    assert configured["event_type"] == "set_configuration"
    assert configured["payload"]["configuration"] == [{"key": "HeartbeatInterval", "value": "120"}]
    faulted = await _sent(
        lab,
        "/ocpp/commands/inject-fault",
        {"target": target, "payload": {"fault_type": "GroundFailure"}},
    )
    assert (faulted["event_type"], faulted["payload"]["error_code"]) == (
        "inject_fault",
        "GroundFailure",
    )
    authorized = await _sent(
        lab,
        "/ocpp/commands/authorize-id-tag",
        {"target": target, "payload": {"id_tag": "TAG-1", "connector_id": 1}},
    )
    assert (authorized["event_type"], authorized["payload"]) == (
        "authorize",
        {"id_tag": "TAG-1", "evse_id": 1},
    )
    cleared = await _sent(lab, "/ocpp/commands/clear-local-auth-list", {"target": target})
    assert (cleared["event_type"], cleared["status"]) == ("clear_local_list", "applied")
    listed = await _sent(
        lab,
        "/ocpp/commands/local-auth-list",
        {
            "target": target,
            "payload": {"list_version": 3, "update_type": "Full", "entries": [{"id_tag": "A"}]},
        },
    )
    assert listed["status"] == "applied", listed


async def test_proxy_message_without_a_version_speaks_the_stations(lab: StackLab) -> None:
    old = await _running(lab, await _charger(lab, "CP-16", version=V16))
    new = await _running(lab, await _charger(lab, "CP-201", version=V201))
    for charger in (old, new):
        outcome = await _sent(
            lab,
            "/ocpp/commands/proxy-message",
            {"target": {"deployment_id": charger.id}, "payload": {"action": "Heartbeat"}},
        )
        assert outcome["status"] == "applied", outcome
        assert "currentTime" in outcome["result"]["response"]


async def test_the_gateway_answers_under_evcharger_too(lab: StackLab) -> None:
    charger = await _running(lab, await _charger(lab, "CP-1"))
    response = await lab.client.post(
        "/evcharger/commands/plug-connector", json={"target": {"deployment_id": charger.id}}
    )
    assert response.status_code == 202, response.text
    command_id = response.json()["results"][0]["command"]["id"]
    await _outcome(lab, command_id)
    read = await lab.client.get(f"/evcharger/commands/{command_id}")
    assert (read.status_code, read.json()["status"]) == (200, "applied")
    assert (await lab.client.get("/evcharger/nothing-here")).status_code == 404
    assert (await lab.client.get("/evchargers/commands")).status_code == 404


async def test_a_connector_id_with_a_null_evse_id_is_the_1_6_connector_of_that_number(
    lab: StackLab,
) -> None:
    # OCPPLab's ConnectorPayload may carry evse_id null: the connector number alone, which a
    # 1.6 station counts across its EVSEs (connector 2 is EVSE 2's on a two-EVSE station).
    charger = await _running(
        lab, await _charger(lab, "CP-TWO", template="alfen-eve-double-pro-line")
    )
    body = {"target": {"identity": "CP-TWO"}, "payload": {"evse_id": None, "connector_id": 2}}
    outcome = await _sent(lab, "/ocpp/commands/plug-connector", body)
    assert (outcome["status"], outcome["payload"]) == ("applied", {"evse_id": 2, "connector_id": 1})
    assert _plugged(lab, charger, 2)
