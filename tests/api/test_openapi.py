"""The OpenAPI document lists every command with its documented error answers."""

from __future__ import annotations

from tests.api.conftest import Lab

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
]


async def test_openapi_lists_every_command(lab: Lab) -> None:
    response = await lab.client.get("/openapi.json", headers={"X-API-Key": ""})
    document = response.json()
    assert document["info"]["title"] == "chargeyard CSMS API"
    paths = document["paths"]
    assert sorted(paths) == sorted(f"/api/v1/chargers/{{chargeBoxId}}/{c}" for c in COMMANDS)
    assert set(paths["/api/v1/chargers/{chargeBoxId}/data-transfer"]) == {"get", "post"}
    reset = paths["/api/v1/chargers/{chargeBoxId}/reset"]["post"]
    assert set(reset["responses"]) == {"200", "401", "404", "422", "502", "503", "504"}
    assert reset["security"] == [{"APIKeyHeader": []}]
