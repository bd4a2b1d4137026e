"""The OpenAPI document lists every command with its documented error answers."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from chargeyard.api.tokens import Role
from chargeyard.api.v1.schemas import RawCallRequest
from chargeyard.api.v1.schemas.certificates import (
    DeleteCertificateRequest,
    InstallCertificateRequest,
    InstalledCertificatesRequest,
)
from chargeyard.api.v1.schemas.operations import (
    CancelReservationRequest,
    ClearChargingProfileRequest,
    CompositeScheduleRequest,
    ReservationRequest,
    SendLocalListRequest,
    SetChargingProfileRequest,
)
from chargeyard.csms.commands.device_model import OPERATIONS, Operation
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.metrics import Metrics
from chargeyard.store import Store
from tests.api.apps import api_app
from tests.api.conftest import ApiLab
from tests.api.gateway_lab import bearer, gateway_settings, token

COMMANDS = [
    "reset",
    "unlock",
    "cache/clear",
    "trigger",
    "availability",
    "configuration/get",
    "configuration/change",
    "firmware/update",
    "diagnostics",
    "data-transfer",
    "call",
    "reservation",
    "reservation/cancel",
    "local-list",
    "local-list/version",
    "charging-profile",
    "charging-profile/clear",
    "composite-schedule",
    "certificates/install",
    "certificates/installed",
    "certificates/delete",
]


async def test_openapi_lists_every_command(lab: ApiLab) -> None:
    response = await lab.client.get("/openapi.json", headers={"X-API-Key": ""})
    document = response.json()
    assert document["info"]["title"] == "chargeyard CSMS API"
    paths = document["paths"]
    commands = {path for path in paths if path.startswith("/api/v1/chargers/{chargeBoxId}/")}
    expected = {f"/api/v1/chargers/{{chargeBoxId}}/{c}" for c in COMMANDS}
    assert expected <= commands
    assert set(paths["/api/v1/chargers/{chargeBoxId}/data-transfer"]) == {"get", "post"}
    reset = paths["/api/v1/chargers/{chargeBoxId}/reset"]["post"]
    assert set(reset["responses"]) == {
        "200",
        "401",
        "403",
        "404",
        "409",
        "422",
        "502",
        "503",
        "504",
    }
    assert reset["security"] == [{"APIKeyHeader": []}]


async def test_every_api_v1_operation_is_documented_with_its_errors(lab: ApiLab) -> None:
    """Each /api/v1 operation has a summary, a tag, the API-key requirement and its 401."""
    document = (await lab.client.get("/openapi.json")).json()
    tags = {tag["name"] for tag in document["tags"]}
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
    ]
    assert len(operations) > len(COMMANDS)
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert set(operation["tags"]) <= tags, where
        assert operation["security"] == [{"APIKeyHeader": []}], where
        assert {"401", "403", "404"} <= set(operation["responses"]), where


# -- declared security against what each route enforces ------------------------------------

# A credential of each scheme the document declares.
SCHEMES = ("APIKeyHeader", "HTTPBearer")


def _headers(scheme: str, key: str) -> dict[str, str]:
    if scheme == "APIKeyHeader":
        return {"X-API-Key": key}
    return bearer(token(roles=[Role.ADMIN]))


def _declared(operation: dict[str, Any]) -> set[str]:
    """The schemes an operation requires (one requirement object at most here)."""
    requirements = operation.get("security") or []
    assert len(requirements) <= 1, requirements
    return set(requirements[0]) if requirements else set()


async def _walk(client: httpx.AsyncClient, key: str) -> list[tuple[str, set[str], str]]:
    """Every documented operation called without a credential and with each scheme's; returns
    (operation, declared schemes, problem) for each disagreement."""
    document = (await client.get("/openapi.json")).json()
    assert set(document["components"]["securitySchemes"]) == set(SCHEMES)
    problems: list[tuple[str, set[str], str]] = []
    for path, item in document["paths"].items():
        # Any id: authentication is checked before the path's parameters are looked up.
        url = re.sub(r"\{[^}]+\}", "x", path)
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            declared = _declared(operation)
            bare = await client.request(method, url, json={})
            if declared and bare.status_code != 401:
                problems.append((where, declared, f"{bare.status_code} without a credential"))
            if not declared and bare.status_code in (401, 403):
                problems.append((where, declared, f"{bare.status_code}: needs a credential"))
            for scheme in declared and SCHEMES:
                answer = await client.request(method, url, json={}, headers=_headers(scheme, key))
                refused = answer.status_code in (401, 403)
                if refused == (scheme in declared):
                    problems.append((where, declared, f"{answer.status_code} with {scheme}"))
    return problems


@pytest.mark.slow  # asks every route with every credential: the full run's
@pytest.mark.parametrize("metrics_key", [False, True])
async def test_every_operation_declares_the_credential_its_route_enforces(
    store: Store, metrics_key: bool
) -> None:
    # /api/v1 takes X-API-Key, /ocpp a bearer token, /metrics what the server was told.
    _, key = await store.api_keys.create("tests")
    with api_app(store, in_process_link(Registry()), gateway_settings()) as app:
        Metrics(require_api_key=metrics_key).attach_app(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            assert await _walk(client, key) == []
            document = (await client.get("/openapi.json")).json()
    metrics = document["paths"]["/metrics"]["get"]
    assert metrics["security"] == ([{"APIKeyHeader": []}] if metrics_key else [])
    assert ("401" in metrics["responses"]) == metrics_key
    by_prefix = {
        prefix: {
            json.dumps(operation.get("security"))
            for path, item in document["paths"].items()
            if path.startswith(prefix)
            for operation in item.values()
        }
        for prefix in ("/api/v1/", "/ocpp/")
    }
    assert by_prefix == {
        "/api/v1/": {'[{"APIKeyHeader": []}]'},
        "/ocpp/": {'[{"HTTPBearer": []}]'},
    }


async def test_the_description_names_each_part_of_the_api_and_its_credential(lab: ApiLab) -> None:
    document = (await lab.client.get("/openapi.json")).json()
    description = " ".join(document["info"]["description"].split())
    assert "Every endpoint requires the `X-API-Key`" not in description
    for text in (
        "`/api/v1`",
        "`X-API-Key`",
        "`chargeyard apikey create`",
        "`/ocpp`",
        "`Authorization: Bearer",
        "`chargeyard token create`",
        "`/metrics`",
        "`/dashboard/`",
    ):
        assert text in description, text
    schemes = document["components"]["securitySchemes"]
    assert "chargeyard apikey create" in schemes["APIKeyHeader"]["description"]
    assert "chargeyard token create" in schemes["HTTPBearer"]["description"]


# The commands of the central system's complete operations: each body has an example.
EXAMPLED = [
    "call",
    "reservation",
    "reservation/cancel",
    "local-list",
    "charging-profile",
    "charging-profile/clear",
    "composite-schedule",
    "certificates/install",
    "certificates/installed",
    "certificates/delete",
]


@pytest.mark.parametrize("command", EXAMPLED)
async def test_each_new_command_body_has_an_example(lab: ApiLab, command: str) -> None:
    document = (await lab.client.get("/openapi.json")).json()
    operation = document["paths"][f"/api/v1/chargers/{{chargeBoxId}}/{command}"]["post"]
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    assert schema["examples"], command


@pytest.mark.parametrize(
    "model",
    [
        RawCallRequest,
        ReservationRequest,
        CancelReservationRequest,
        SendLocalListRequest,
        SetChargingProfileRequest,
        ClearChargingProfileRequest,
        CompositeScheduleRequest,
        InstallCertificateRequest,
        InstalledCertificatesRequest,
        DeleteCertificateRequest,
    ],
)
def test_each_example_is_a_valid_body(model: type[BaseModel]) -> None:
    examples = model.model_json_schema()["examples"]
    for example in examples:
        model.model_validate(example)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.path)
async def test_each_2_0_1_operation_body_has_its_example(lab: ApiLab, operation: Operation) -> None:
    document = (await lab.client.get("/openapi.json")).json()
    route = document["paths"][f"/api/v1/chargers/{{chargeBoxId}}/{operation.path}"]["post"]
    examples = route["requestBody"]["content"]["application/json"]["examples"]
    assert [example["value"] for example in examples.values()] == [operation.example]
    assert set(route["responses"]) >= {"200", "401", "404", "409", "422", "502", "503", "504"}


@pytest.mark.parametrize(
    "model",
    [
        RawCallRequest,
        ReservationRequest,
        CancelReservationRequest,
        SendLocalListRequest,
        SetChargingProfileRequest,
        ClearChargingProfileRequest,
        CompositeScheduleRequest,
        InstallCertificateRequest,
        InstalledCertificatesRequest,
        DeleteCertificateRequest,
    ],
)
def test_each_new_body_refuses_a_field_it_does_not_have(model: type[BaseModel]) -> None:
    example = model.model_json_schema()["examples"][0]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate({**example, "misspelt": 1})
