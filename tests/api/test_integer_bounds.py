"""Every integer a request of either API takes is bounded: OCPP's integers (connector and EVSE
ids, list versions, periods, retries) as the official schemas type them, 32-bit signed, and
the rest (pages, offsets, frame ids) within what the store holds. A number beyond is a 422
naming the field, never a 500 from the JSON encoder or the database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from chargeyard.gateway.commands import COMMANDS
from chargeyard.protocol import V16
from chargeyard.protocol.schemas import INT32_MAX
from chargeyard.store.models import SimulatedCharger
from tests.api.conftest import ApiLab
from tests.api.gateway_fleet import ORG, fleet_lab
from tests.polling import until
from tests.stack_lab import TEMPLATE, StackLab

SQL_BIGINT_MAX = 2**63 - 1


def _integers(schema: dict[str, Any], components: dict[str, Any], where: str) -> Iterator[Any]:
    """(where, schema) of every integer in ``schema``, following ``$ref``s."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        yield from _integers(components[name], components, where)
        return
    kinds = schema.get("type")
    if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
        yield where, schema
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            yield from _integers(branch, components, where)
    for name, field in schema.get("properties", {}).items():
        yield from _integers(field, components, f"{where}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from _integers(schema["items"], components, f"{where}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _integers(schema["additionalProperties"], components, f"{where}{{}}")


def _request_integers(document: dict[str, Any]) -> Iterator[Any]:
    components = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['in']} {parameter['name']}"
                yield from _integers(parameter.get("schema", {}), components, where)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                where = f"{method.upper()} {path} body"
                yield from _integers(content.get("schema", {}), components, where)


async def test_every_integer_a_request_takes_is_bounded_both_ways(lab: ApiLab) -> None:
    document = (await lab.client.get("/openapi.json")).json()
    unbounded = [
        where
        for where, schema in _request_integers(document)
        if "minimum" not in schema or schema.get("maximum", SQL_BIGINT_MAX + 1) > SQL_BIGINT_MAX
    ]
    assert unbounded == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("unlock", {"connectorId": None}, "connectorId"),
        ("availability", {"connectorId": None, "type": "Operative"}, "connectorId"),
        ("trigger", {"requestedMessage": "StatusNotification", "connectorId": None}, "connectorId"),
        ("remote-start", {"connectorId": None, "idTag": "TAG-1"}, "connectorId"),
        ("composite-schedule", {"connectorId": None, "duration": 60}, "connectorId"),
    ],
)
@pytest.mark.parametrize("value", [2**31, 2**64])
async def test_an_ocpp_integer_beyond_32_bits_is_422_in_the_csms_api(
    lab: ApiLab, path: str, body: dict[str, Any], field: str, value: int
) -> None:
    await lab.station("CP-1")
    response = await lab.client.post(f"/api/v1/chargers/CP-1/{path}", json={**body, field: value})
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", field]
    assert problem["type"] == "less_than_equal"
    assert lab.registry.sent == []  # nothing went to the station


async def test_the_largest_ocpp_integer_reaches_the_station(lab: ApiLab) -> None:
    await lab.station("CP-1")
    response = await lab.client.post(
        "/api/v1/chargers/CP-1/unlock", json={"connectorId": INT32_MAX}
    )
    assert response.status_code == 200, response.text  # the station's own answer to it
    assert lab.registry.sent == [("CP-1", "UnlockConnector", {"connectorId": INT32_MAX})]


# -- the simulator gateway's commands: each integer of each command at its edges ----------------


def _integer_fields(model: type[BaseModel]) -> list[str]:
    properties = model.model_json_schema()["properties"]
    return [name for name, schema in properties.items() if '"integer"' in json.dumps(schema)]


GATEWAY_INTEGERS = [
    (spec.path, field) for spec in COMMANDS.values() for field in _integer_fields(spec.payload)
]
# What else each command's event needs to be valid.
REQUIRED: dict[str, dict[str, Any]] = {
    "start-session": {"id_tag": "TAG-1"},
    "authorize": {"id_tag": "TAG-1"},
    "start-transaction": {"id_tag": "TAG-1"},
    "power-update": {"power_w": 1000},
    "update-soc": {"soc": 50},
    "update-meter-values": {"energy_wh": 1_000_000},
    "reboot": {"type": "Soft"},
    "add-local-list-entry": {"id_tag": "TAG-1"},
    "remove-local-list-entry": {"id_tag": "TAG-1"},
    "trigger-message": {"message": "Heartbeat"},
    "enter-vat-number": {"vat_number": "NL123456789B01"},
}


def test_every_integer_of_every_command_is_under_test() -> None:
    # evse_id and connector_id of the 12 connector commands, authorize's evse_id, a list's
    # list_version; of the simulator's controls, evse_id and connector_id of the 12 with a
    # connector, reboot's evse_id, each local list entry's list_version, and the evse_id of
    # the 2.1 driver's pay-by-card, enter-vat-number, payment-state and priority-charging.
    assert len(GATEWAY_INTEGERS) == 26 + 31
    assert ("local-auth-list", "list_version") in GATEWAY_INTEGERS
    assert ("authorize", "evse_id") in GATEWAY_INTEGERS
    assert ("reboot", "evse_id") in GATEWAY_INTEGERS
    assert ("remove-local-list-entry", "list_version") in GATEWAY_INTEGERS


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[tuple[StackLab, SimulatedCharger]]:
    async with fleet_lab(tmp_path) as lab:
        await lab.store.organizations.create(ORG, organization_id=ORG)
        charger = await lab.store.chargers.create(
            ORG, identity="CP-1", ocpp_version=V16, csms_url=lab.csms_url, template=TEMPLATE
        )
        await lab.host.start_charger(ORG, charger.id)
        await until(lambda: lab.host.station(charger.id) is not None)
        yield lab, charger


async def test_each_gateway_integer_takes_2_31_minus_1_and_refuses_2_31_and_2_64(
    gateway: tuple[StackLab, SimulatedCharger],
) -> None:
    lab, charger = gateway
    for path, field in GATEWAY_INTEGERS:
        event = {**REQUIRED.get(path, {}), field: INT32_MAX}
        body = {"target": {"charger_id": charger.id}, "event": event}
        largest = await lab.client.post(f"/ocpp/commands/{path}", json=body)
        # Taken as a number: queued, or listed in `failed` with the station's reason (no such
        # EVSE), never refused as a body.
        assert largest.status_code == 202, (path, field, largest.text)
        queued = len(await lab.store.commands.list(ORG, limit=100))
        for value in (INT32_MAX + 1, 2**64):
            body["event"] = {**event, field: value}
            response = await lab.client.post(f"/ocpp/commands/{path}", json=body)
            assert response.status_code == 422, (path, field, value, response.text)
            [problem] = response.json()["detail"]
            assert problem["loc"] == ["body", "event", field], (path, problem)
            assert problem["type"] == "less_than_equal"
        assert len(await lab.store.commands.list(ORG, limit=100)) == queued  # nothing queued
