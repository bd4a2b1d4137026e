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
    commands = {path for path in paths if path.startswith("/api/v1/chargers/{chargeBoxId}/")}
    expected = {f"/api/v1/chargers/{{chargeBoxId}}/{c}" for c in COMMANDS}
    assert expected <= commands
    assert set(paths["/api/v1/chargers/{chargeBoxId}/data-transfer"]) == {"get", "post"}
    reset = paths["/api/v1/chargers/{chargeBoxId}/reset"]["post"]
    assert set(reset["responses"]) == {"200", "401", "404", "409", "422", "502", "503", "504"}
    assert reset["security"] == [{"APIKeyHeader": []}]


async def test_every_api_v1_operation_is_documented_with_its_errors(lab: Lab) -> None:
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
        assert "401" in operation["responses"], where
