"""The command panel's forms (web/js/views/forms-*.js) read in Node, without a browser: every
charger command of /api/v1 has a form, and the body each form makes of its values is one the
API takes (a 2.0.1 operation's by the official schema, the others by the API's request
models) and says what was typed, no more.

The browser tests (test_command_forms.py) fill the same forms on a page; these check the
cases a page would take long to go through.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from chargeyard.api.v1.routes import (
    certificates,
    charger_operations,
    chargers_commands,
    device_model,
    transactions,
)
from chargeyard.api.v1.schemas import certificates as certificate_bodies
from chargeyard.api.v1.schemas import commands, operations
from chargeyard.api.v1.schemas.certificates import EXAMPLE_HASH_DATA, EXAMPLE_ROOT
from chargeyard.csms.commands.device_model import OPERATIONS
from chargeyard.protocol import V201
from tests.web.node_script import run_node

pytestmark = pytest.mark.slow

VIEWS = Path(__file__).resolve().parents[2] / "src" / "chargeyard" / "web" / "js" / "views"
PREFIX = "/api/v1/chargers/{chargeBoxId}/"

# Each form's spec by name; for each case, its body (or the error that stops it).
SCRIPT = """
const [views, cases] = [process.argv[1], JSON.parse(process.argv[2])];
const { FORMS } = await import(`${views}/commands.js`);
const { compact } = await import(`${views}/formkit.js`);
const named = Object.fromEntries(FORMS.map((spec) => [spec.name, spec]));
const bodies = cases.map(([name, values]) => {
  const spec = named[name];
  try {
    return { body: spec.body ? spec.body(values) : compact(values) };
  } catch (error) {
    return { error: error.message };
  }
});
const forms = FORMS.map(({ name, path = null, only = null }) => ({ name, path, only }));
console.log(JSON.stringify({ forms, bodies }));
"""

CHECKSUM = "9e107d9d372bb6826bd81d3542a419d6"
PUBLISHED = {"location": "https://firmware.example.com/v2.bin", "checksum": CHECKSUM}
ROW = {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"}
EVSE_ROW = {
    "component": "EVSE",
    "evse": 1,
    "connector": 2,
    "componentInstance": "Main",
    "variable": "Power",
    "variableInstance": "L1",
}
EVSE_COMPONENT = {"name": "EVSE", "instance": "Main", "evse": {"id": 1, "connectorId": 2}}
PROFILE = {
    "connectorId": 1,
    "id": 7,
    "stackLevel": 1,
    "purpose": "TxDefaultProfile",
    "kind": "Recurring",
    "recurrency": "Daily",
    "startSchedule": "2030-01-01T06:00:00.000Z",
    "chargingRateUnit": "W",
    "duration": 86400,
    "minChargingRate": 1000,
    "validFrom": "2030-01-01T00:00:00.000Z",
    "periods": [
        {"startPeriod": 0, "limit": 11000, "numberPhases": 3},
        {"startPeriod": 3600, "limit": 7400},
    ],
}

# (form, values as its fields read them, the body it sends: a dict, or the error's words).
CASES: list[tuple[str, dict[str, Any], dict[str, Any] | str]] = [
    (
        "variables-get",
        {"variables": [ROW, {**EVSE_ROW, "attributeType": "MaxSet"}]},
        {
            "getVariableData": [
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
                {
                    "component": EVSE_COMPONENT,
                    "variable": {"name": "Power", "instance": "L1"},
                    "attributeType": "MaxSet",
                },
            ]
        },
    ),
    ("variables-get", {"variables": []}, "name one variable at least"),
    (
        "variables-set",
        {"variables": [{**ROW, "attributeValue": "60"}]},
        {
            "setVariableData": [
                {
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "attributeValue": "60",
                }
            ]
        },
    ),
    ("report-base", {"reportBase": "FullInventory"}, {"reportBase": "FullInventory"}),
    ("report", {"componentVariable": []}, {}),  # every component
    (
        "report",
        {"componentCriteria": ["Problem"], "componentVariable": [{"component": "EVSE", "evse": 2}]},
        {
            "componentCriteria": ["Problem"],
            "componentVariable": [{"component": {"name": "EVSE", "evse": {"id": 2}}}],
        },
    ),
    (
        "network-profile",
        {
            "configurationSlot": 1,
            "ocppCsmsUrl": "wss://csms.example.com/ocpp",
            "ocppVersion": "OCPP20",
            "ocppTransport": "JSON",
            "ocppInterface": "Wired0",
            "securityProfile": 2,
            "messageTimeout": 30,
        },
        {
            "configurationSlot": 1,
            "connectionData": {
                "ocppCsmsUrl": "wss://csms.example.com/ocpp",
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppInterface": "Wired0",
                "securityProfile": 2,
                "messageTimeout": 30,
            },
        },
    ),
    (
        "monitoring-set",
        {
            "monitors": [
                {**EVSE_ROW, "type": "Periodic", "value": 60, "severity": "9", "transaction": False}
            ]
        },
        {
            "setMonitoringData": [
                {
                    "component": EVSE_COMPONENT,
                    "variable": {"name": "Power", "instance": "L1"},
                    "type": "Periodic",
                    "value": 60,
                    "severity": 9,
                }
            ]
        },
    ),
    ("monitoring-base", {"monitoringBase": "HardWiredOnly"}, {"monitoringBase": "HardWiredOnly"}),
    ("monitoring-level", {"severity": "0"}, {"severity": 0}),
    ("monitoring-clear", {"id": "3 4,5"}, {"id": [3, 4, 5]}),
    ("monitoring-clear", {"id": "3, x"}, 'monitor ids are whole numbers, not "3, x"'),
    ("monitoring-report", {"componentVariable": []}, {}),
    (
        "customer-information",
        {"report": False, "clear": True, "customerIdentifier": "contract-17"},
        {"report": False, "clear": True, "customerIdentifier": "contract-17"},
    ),
    (
        "display-message-set",
        {
            "id": 2,
            "priority": "AlwaysFront",
            "format": "URI",
            "content": "https://example.com/welcome",
            "startDateTime": "2030-01-01T00:00:00.000Z",
        },
        {
            "message": {
                "id": 2,
                "priority": "AlwaysFront",
                "startDateTime": "2030-01-01T00:00:00.000Z",
                "message": {"format": "URI", "content": "https://example.com/welcome"},
            }
        },
    ),
    ("display-messages-get", {}, {}),  # every message
    (
        "display-messages-get",
        {"id": "1 2", "state": "Charging"},
        {"id": [1, 2], "state": "Charging"},
    ),
    ("display-message-clear", {"id": 2}, {"id": 2}),
    (
        "cost-updated",
        {"totalCost": 3.2, "transactionId": "tx-1"},
        {"totalCost": 3.2, "transactionId": "tx-1"},
    ),
    ("transaction-status", {}, {}),
    ("firmware-publish", PUBLISHED, PUBLISHED),
    (
        "firmware-unpublish",
        {"checksum": PUBLISHED["checksum"]},
        {"checksum": PUBLISHED["checksum"]},
    ),
    ("charging-profiles-get", {}, {"chargingProfile": {}}),  # every profile (K09)
    (
        "charging-profiles-get",
        {"evseId": 0, "chargingProfileId": "4, 5", "chargingLimitSource": ["EMS", "CSO"]},
        {
            "evseId": 0,
            "chargingProfile": {"chargingProfileId": [4, 5], "chargingLimitSource": ["EMS", "CSO"]},
        },
    ),
    (
        "charging-profile",
        PROFILE,
        {
            "connectorId": 1,
            "chargingProfile": {
                "id": 7,
                "stackLevel": 1,
                "purpose": "TxDefaultProfile",
                "kind": "Recurring",
                "recurrency": "Daily",
                "validFrom": "2030-01-01T00:00:00.000Z",
                "schedule": {
                    "chargingRateUnit": "W",
                    "periods": PROFILE["periods"],
                    "duration": 86400,
                    "startSchedule": "2030-01-01T06:00:00.000Z",
                    "minChargingRate": 1000,
                },
            },
        },
    ),
    ("charging-profile-clear", {}, {}),  # every profile
    (
        "charging-profile-clear",
        {"connectorId": 0, "purpose": "ChargePointMaxProfile"},
        {"connectorId": 0, "purpose": "ChargePointMaxProfile"},
    ),
    (
        "local-list",
        {
            "listVersion": 4,
            "updateType": "Differential",
            "entries": [
                {"idTag": "LOST-1"},
                {"idTag": "NEW-1", "status": "Accepted", "expiryDate": "2030-01-01T00:00:00.000Z"},
            ],
        },
        {
            "listVersion": 4,
            "updateType": "Differential",
            "entries": [
                {"idTag": "LOST-1"},
                {"idTag": "NEW-1", "status": "Accepted", "expiryDate": "2030-01-01T00:00:00.000Z"},
            ],
        },
    ),
    (
        "local-list",
        {"listVersion": 1, "updateType": "Full", "entries": []},
        {"listVersion": 1, "updateType": "Full"},
    ),
    (
        "certificates-install",
        {"certificateType": "ManufacturerRootCertificate", "certificate": EXAMPLE_ROOT},
        {"certificateType": "ManufacturerRootCertificate", "certificate": EXAMPLE_ROOT},
    ),
    ("certificates-installed", {"certificateTypes": []}, {}),  # every use
    (
        "certificates-installed",
        {"certificateTypes": ["CSMSRootCertificate", "V2GCertificateChain"]},
        {"certificateTypes": ["CSMSRootCertificate", "V2GCertificateChain"]},
    ),
    ("certificates-delete", EXAMPLE_HASH_DATA, {"certificateHashData": EXAMPLE_HASH_DATA}),
    (
        "firmware-update",
        {
            "location": "https://firmware.example.com/v2.bin",
            "retrieveDate": "2030-01-01T00:00:00.000Z",
        },
        {
            "location": "https://firmware.example.com/v2.bin",
            "retrieveDate": "2030-01-01T00:00:00.000Z",
        },
    ),
    (
        "firmware-update",
        {
            "location": "https://firmware.example.com/v2.bin",
            "retrieveDate": "2030-01-01T00:00:00.000Z",
            "signingCertificate": EXAMPLE_ROOT,
            "signature": "c2lnbmVk",
        },
        {
            "location": "https://firmware.example.com/v2.bin",
            "retrieveDate": "2030-01-01T00:00:00.000Z",
            "signingCertificate": EXAMPLE_ROOT,
            "signature": "c2lnbmVk",
        },
    ),
]

# The API's request model of each shared command a case sends.
MODELS: dict[str, type[BaseModel]] = {
    "charging-profile": operations.SetChargingProfileRequest,
    "charging-profile/clear": operations.ClearChargingProfileRequest,
    "local-list": operations.SendLocalListRequest,
    "firmware/update": commands.UpdateFirmwareRequest,
    "certificates/install": certificate_bodies.InstallCertificateRequest,
    "certificates/installed": certificate_bodies.InstalledCertificatesRequest,
    "certificates/delete": certificate_bodies.DeleteCertificateRequest,
}


@pytest.fixture(scope="module")
def specs() -> dict[str, Any]:
    cases = json.dumps([[name, values] for name, values, _ in CASES])
    result: dict[str, Any] = json.loads(run_node(SCRIPT, VIEWS.as_uri(), cases))
    return result


def test_every_charger_command_of_the_api_has_a_form(specs: dict[str, Any]) -> None:
    routers = (chargers_commands, charger_operations, certificates, device_model, transactions)
    routes = {
        route.path.removeprefix(PREFIX)
        for module in routers
        for route in module.router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods and route.path.startswith(PREFIX)
    }
    paths = [form["path"] for form in specs["forms"] if form["path"] is not None]
    assert sorted(set(paths)) == sorted(routes)
    assert len(paths) == len(set(paths))  # one form each
    # The 2.0.1 operations' forms are offered to the versions that have them only.
    only = {form["path"]: form["only"] for form in specs["forms"] if form["path"]}
    assert {path: only[path] for path in (o.path for o in OPERATIONS)} == {
        o.path: "operations201" for o in OPERATIONS
    }
    # The 2.1 operations go by one form that lists them from the OpenAPI document, offered to
    # 2.1 chargers only.
    generic = {form["name"]: form["only"] for form in specs["forms"] if form["path"] is None}
    assert (generic["operation-201"], generic["operation-21"]) == ("operations201", "operations21")


@pytest.mark.parametrize(
    "index", range(len(CASES)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_a_form_sends_what_was_typed_as_the_api_takes_it(specs: dict[str, Any], index: int) -> None:
    name, _, expected = CASES[index]
    made = specs["bodies"][index]
    if isinstance(expected, str):
        assert made == {"error": expected}
        return
    assert made == {"body": expected}
    path = next(form["path"] for form in specs["forms"] if form["name"] == name)
    operation = next((o for o in OPERATIONS if o.path == path), None)
    if operation is not None:
        # As the API sends it: with the requestId it picks when a report follows or the
        # operation is numbered (PublishFirmware's status notifications name it).
        numbered = operation.parts or operation.numbered
        payload = {**expected, "requestId": 1} if numbered else expected
        V201.schemas.check_request(operation.action, payload)
    elif path in MODELS:
        MODELS[path].model_validate(expected)
