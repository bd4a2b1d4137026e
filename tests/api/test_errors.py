"""Every error answers {"detail": ...} with the status the API documents."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from chargeyard.api import ApiSettings
from chargeyard.protocol import V201
from tests.api.conftest import ApiLab


@pytest.fixture
def settings() -> ApiSettings:
    return ApiSettings(command_timeout=0.3)


ANY_TYPE = {"description": "Any type"}


def call_error(code: str, description: str) -> Any:
    def answer(call: list[Any]) -> list[Any]:
        return [4, call[1], code, description, {}]

    return answer


# -- 401 --------------------------------------------------------------------------------------


async def test_401_without_a_key(lab: ApiLab) -> None:
    await lab.station("CP-1")
    response = await lab.client.post(
        "/api/v1/chargers/CP-1/reset", json={"type": "Soft"}, headers={"X-API-Key": ""}
    )
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "missing or invalid API key"},
    )
    assert lab.registry.sent == []


@pytest.mark.parametrize("key", ["cy_00000000_wrong", "not-a-key"])
async def test_401_with_a_wrong_key(lab: ApiLab, key: str) -> None:
    await lab.store.stations.register("CP-1")
    response = await lab.client.get(
        "/api/v1/chargers/CP-1/data-transfer", headers={"X-API-Key": key}
    )
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "missing or invalid API key"},
    )


async def test_401_comes_before_404_and_422(lab: ApiLab) -> None:
    response = await lab.client.post(
        "/api/v1/chargers/NOPE/reset", json={"type": "Medium"}, headers={"X-API-Key": "x"}
    )
    assert response.status_code == 401


async def test_a_revoked_key_is_refused(lab: ApiLab) -> None:
    api_key, plaintext = await lab.store.api_keys.create("short-lived")
    await lab.store.api_keys.delete(api_key.id)
    await lab.store.stations.register("CP-1")
    response = await lab.client.post(
        "/api/v1/chargers/CP-1/cache/clear", headers={"X-API-Key": plaintext}
    )
    assert response.status_code == 401


# -- 404 --------------------------------------------------------------------------------------


async def test_404_for_an_unknown_charge_box_id(lab: ApiLab) -> None:
    response = await lab.post("NOPE", "reset", {"type": "Soft"})
    assert (response.status_code, response.json()) == (404, {"detail": "charger NOPE not found"})


async def test_404_for_the_history_of_an_unknown_charge_box_id(lab: ApiLab) -> None:
    response = await lab.client.get("/api/v1/chargers/NOPE/data-transfer")
    assert (response.status_code, response.json()) == (404, {"detail": "charger NOPE not found"})


# -- 422 --------------------------------------------------------------------------------------


async def test_422_names_the_allowed_values(lab: ApiLab) -> None:
    await lab.station("CP-1")
    response = await lab.post("CP-1", "reset", {"type": "Medium"})
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {
                    "loc": ["body", "type"],
                    "msg": "Input should be 'Soft' or 'Hard'",
                    "type": "literal_error",
                }
            ]
        },
    )
    assert lab.registry.sent == []


async def test_422_lists_every_problem(lab: ApiLab) -> None:
    await lab.station("CP-1")
    response = await lab.post("CP-1", "availability", {"connectorId": -1, "typ": "Operative"})
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {
                    "loc": ["body", "connectorId"],
                    "msg": "Input should be greater than or equal to 0",
                    "type": "greater_than_equal",
                },
                {"loc": ["body", "type"], "msg": "Field required", "type": "missing"},
                {
                    "loc": ["body", "typ"],
                    "msg": "Extra inputs are not permitted",
                    "type": "extra_forbidden",
                },
            ]
        },
    )


async def test_422_for_a_missing_body(lab: ApiLab) -> None:
    await lab.station("CP-1")
    response = await lab.post("CP-1", "unlock")
    assert (response.status_code, response.json()) == (
        422,
        {"detail": [{"loc": ["body"], "msg": "Field required", "type": "missing"}]},
    )


async def test_422_for_a_date_without_time_zone(lab: ApiLab) -> None:
    await lab.station("CP-1")
    body = {"location": "https://fw.example.com/a.bin", "retrieveDate": "2026-02-10T14:00:00"}
    response = await lab.post("CP-1", "firmware/update", body)
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {
                    "loc": ["body", "retrieveDate"],
                    "msg": "Input should have timezone info",
                    "type": "timezone_aware",
                }
            ]
        },
    )


async def test_422_for_a_history_limit_above_100(lab: ApiLab) -> None:
    await lab.store.stations.register("CP-1")
    response = await lab.client.get("/api/v1/chargers/CP-1/data-transfer", params={"limit": 101})
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {
                    "loc": ["query", "limit"],
                    "msg": "Input should be less than or equal to 100",
                    "type": "less_than_equal",
                }
            ]
        },
    )


async def test_422_when_the_station_version_cannot_carry_the_request(lab: ApiLab) -> None:
    await lab.station("CS-1", V201)
    long_name = "C" * 51  # ComponentType.name is at most 50 characters (2.0.1 part 3)
    response = await lab.post("CS-1", "configuration/get", {"key": [f"{long_name}.Variable"]})
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": "not valid for the charger's OCPP version: GetReportRequest: "
            f'"{long_name}" is longer than 50 characters at /componentVariable/0/component/name'
        },
    )
    assert lab.registry.sent[-1][1] == "GetReport"  # refused before it went out


async def test_422_for_a_body_that_is_not_json(lab: ApiLab) -> None:
    await lab.store.stations.register("CP-1")
    response = await lab.client.post(
        "/api/v1/chargers/CP-1/reset",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()) == (
        422,
        {"detail": [{"loc": ["body", 1], "msg": "JSON decode error", "type": "json_invalid"}]},
    )


async def test_422_for_a_body_that_is_not_utf_8(lab: ApiLab) -> None:
    """Found by the fuzz test: FastAPI answered an undocumented 400 to bytes that do not
    decode; an invalid body is 422 like the others, and other HTTP errors keep their status
    and headers."""
    await lab.store.stations.register("CP-1")
    response = await lab.client.post(
        "/api/v1/chargers/CP-1/reset",
        content=b"6\xff\x01",
        headers={"Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()) == (
        422,
        {"detail": [{"loc": ["body"], "msg": "body is not UTF-8 JSON", "type": "json_invalid"}]},
    )
    refused = await lab.client.get("/api/v1/chargers/CP-1", headers={"X-API-Key": "x"})
    assert (refused.status_code, refused.headers["WWW-Authenticate"]) == (401, "X-API-Key")


@pytest.mark.parametrize(
    ("method", "path", "loc"),
    [
        ("GET", "/api/v1/chargers/CP%001", ["path", "chargeBoxId"]),
        ("POST", "/api/v1/chargers/CP%001/cache/clear", ["path", "chargeBoxId"]),
        ("GET", "/api/v1/chargers/CP%001/data-transfer", ["path", "chargeBoxId"]),
        ("GET", "/api/v1/id-tags/TAG%00", ["path", "idTag"]),
        ("GET", "/api/v1/webhooks/wh_%00", ["path", "webhookId"]),
        ("GET", "/api/v1/transactions/1%00", ["path", "transactionId"]),
        ("GET", "/api/v1/transactions?chargeBoxId=CP%001", ["query", "chargeBoxId"]),
        ("GET", "/api/v1/transactions/1/meter-values?measurand=%00", ["query", "measurand"]),
    ],
)
async def test_422_for_a_control_character_in_a_looked_up_id(
    lab: ApiLab, method: str, path: str, loc: list[str]
) -> None:
    """Found by the fuzz test on PostgreSQL, which refuses any query carrying a NUL byte (a
    500): no stored id has a control character, so such an id is invalid, not unknown."""
    await lab.store.stations.register("CP-1")
    response = await lab.client.request(method, path)
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [loc]


# -- 503, 504, 502 ----------------------------------------------------------------------------


async def test_503_when_registered_but_not_connected(lab: ApiLab) -> None:
    await lab.store.stations.register("CP-1")
    response = await lab.post("CP-1", "reset", {"type": "Soft"})
    assert (response.status_code, response.json()) == (
        503,
        {"detail": "charger CP-1 is not connected"},
    )


async def test_503_after_the_station_went_away(lab: ApiLab) -> None:
    runtime = await lab.station("CP-1")
    await runtime.stop()
    response = await lab.post("CP-1", "cache/clear")
    assert (response.status_code, response.json()) == (
        503,
        {"detail": "charger CP-1 is not connected"},
    )


async def test_504_when_the_station_does_not_answer(lab: ApiLab) -> None:
    await lab.raw_peer("CP-MUTE", lambda call: None)
    response = await lab.post("CP-MUTE", "reset", {"type": "Hard"})
    assert (response.status_code, response.json()) == (
        504,
        {"detail": "charger CP-MUTE did not answer Reset within 0.3 s"},
    )


async def test_502_when_the_station_answers_a_call_error(lab: ApiLab) -> None:
    await lab.raw_peer("CP-ERR", call_error("InternalError", "relay stuck"))
    response = await lab.post("CP-ERR", "unlock", {"connectorId": 1})
    assert (response.status_code, response.json()) == (
        502,
        {
            "detail": "charger CP-ERR answered UnlockConnector with InternalError: relay stuck",
            "errorCode": "InternalError",
            "errorDescription": "relay stuck",
        },
    )


async def test_502_when_the_station_answers_against_its_schema(lab: ApiLab) -> None:
    await lab.raw_peer("CP-BAD", lambda call: [3, call[1], {"status": "Maybe"}])
    response = await lab.post("CP-BAD", "reset", {"type": "Soft"})
    assert (response.status_code, response.json()) == (
        502,
        {
            "detail": "charger CP-BAD answered Reset with an invalid payload: ResetResponse: "
            '"Maybe" is not one of "Accepted" or "Rejected" at /status'
        },
    )


async def test_a_2_1_station_speaks_like_2_0_1(lab: ApiLab) -> None:
    await lab.raw_peer("CS-21", lambda call: [3, call[1], {"status": "Accepted"}], "ocpp2.1")
    response = await lab.post("CS-21", "reset", {"type": "Hard"})
    assert response.json() == {
        "message": "Hard reset accepted by charger",
        "chargeBoxId": "CS-21",
        "type": "Hard",
        "status": "accepted",
    }
    assert lab.last_call() == ("Reset", {"type": "Immediate"})


@pytest.mark.parametrize("location", ["0", "firmware.bin", "file:///etc/passwd", "https://"])
async def test_422_for_a_location_a_station_cannot_reach(lab: ApiLab, location: str) -> None:
    # A firmware or diagnostics location is a URL the station downloads from or uploads to
    # (1.6 sections 5.16 and 5.9, 2.0.1 L01 / N01): anything else is refused, nothing sent.
    await lab.station("CP-1")
    firmware = {"location": location, "retrieveDate": "2026-02-10T14:00:00Z"}
    for path, body in (("firmware/update", firmware), ("diagnostics", {"location": location})):
        response = await lab.post("CP-1", path, body)
        assert response.status_code == 422, path
        [problem] = response.json()["detail"]
        assert problem["loc"] == ["body", "location"]
        assert "absolute URL with a host" in problem["msg"]
    assert lab.registry.sent == []


# -- 405 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/webhooks", "GET, POST"),
        ("DELETE", "/api/v1/chargers", "GET, POST"),
        ("POST", "/api/v1/transactions", "GET"),
        ("PATCH", "/ocpp/chargers/any-id", "DELETE, GET, PUT"),
    ],
)
async def test_405_names_every_method_the_path_is_served_with(
    lab: ApiLab, method: str, path: str, allowed: str
) -> None:
    # RFC 9110 section 15.5.6: Allow lists the target resource's methods, not those of the
    # first of its routes.
    response = await lab.client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json() == {"detail": f"{method} is not allowed here; allowed: {allowed}"}


# -- the document's word on 422 ---------------------------------------------------------------


def test_the_document_declares_both_shapes_of_a_422(lab: ApiLab) -> None:
    """A request the charger's version cannot express answers a text ``detail`` (the error
    table of app.py), an invalid one a list: every operation's 422 admits both."""
    document = lab.client._transport.app.openapi()  # type: ignore[attr-defined]
    declared = [
        operation["responses"]["422"]["content"]["application/json"]["schema"]
        for item in document["paths"].values()
        for operation in item.values()
        if "422" in operation.get("responses", {})
    ]
    assert declared
    for schema in declared:
        # Ours, or the gateway reference's "Any type" where its seed says so.
        assert schema in ({"$ref": "#/components/schemas/UnprocessableResponse"}, ANY_TYPE)
    validator = Draft202012Validator(
        {"$ref": "#/components/schemas/UnprocessableResponse", "components": document["components"]}
    )
    validator.validate({"detail": "not valid for the charger's OCPP version: too long"})
    validator.validate(
        {"detail": [{"loc": ["body", "type"], "msg": "bad", "type": "literal_error"}]}
    )
    assert not validator.is_valid({"detail": 42})
