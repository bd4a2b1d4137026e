"""/id-tags: the tags the central system authorizes. A tag written here is what the real CSMS
answers a simulated station's Authorize with (OCPP 1.6 section 4.2, 2.0.1 C01)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V16, V201, Payload
from chargeyard.station.model.authorization import IdToken
from tests.polling import until
from tests.stack_lab import StackLab

MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def without_times(body: dict[str, Any]) -> dict[str, Any]:
    rest = dict(body)
    for name in ("createdAt", "updatedAt"):
        assert MILLIS.match(rest.pop(name)), name
    return rest


def tag(id_tag: str, **fields: Any) -> dict[str, Any]:
    """A tag as the API answers it (times left out)."""
    return {
        "idTag": id_tag,
        "status": "Accepted",
        "expiryDate": None,
        "parentIdTag": None,
        "tokenType": None,
        "policy": None,
        **fields,
    }


async def create(lab: StackLab, id_tag: str, **fields: Any) -> httpx.Response:
    return await lab.client.post("/api/v1/id-tags", json={"idTag": id_tag, **fields})


async def authorize(runtime: StationRuntime, request: Payload) -> Payload:
    """What the CSMS answers the station's Authorize.req, sent through its sans-I/O API."""
    answers: list[Payload] = []
    assert runtime.station.call("Authorize", request, answers.append)
    await until(lambda: bool(answers))
    return answers[0]


# -- POST -------------------------------------------------------------------------------------


async def test_create_answers_the_tag(csms_lab: StackLab) -> None:
    response = await create(
        csms_lab,
        "04A1B2C3D4",
        status="Blocked",
        expiryDate="2027-01-01T12:00:00+01:00",
        parentIdTag="FLEET-1",
        tokenType="ISO14443",
        policy="single-session",
    )
    assert (response.status_code, without_times(response.json())) == (
        201,
        tag(
            "04A1B2C3D4",
            status="Blocked",
            expiryDate="2027-01-01T11:00:00.000Z",
            parentIdTag="FLEET-1",
            tokenType="ISO14443",
            policy="single-session",
        ),
    )


async def test_an_expiry_before_year_1000_keeps_four_digits(csms_lab: StackLab) -> None:
    """Found by the fuzz test: strftime wrote year 9 as "9-09-22T...", not a date-time."""
    response = await create(csms_lab, "OLD", expiryDate="0009-09-22T17:08:10.89Z")
    assert response.json()["expiryDate"] == "0009-09-22T17:08:10.890Z"


async def test_a_tag_defaults_to_accepted(csms_lab: StackLab) -> None:
    response = await create(csms_lab, "TAG-1")
    assert (response.status_code, without_times(response.json())) == (201, tag("TAG-1"))


async def test_a_2_0_1_token_may_have_36_characters(csms_lab: StackLab) -> None:
    emaid = "DE-ABC-C12345678-X-0123456789-ABCDEF"
    assert len(emaid) == 36
    response = await create(csms_lab, emaid, tokenType="eMAID")
    assert response.status_code == 201


async def test_409_for_an_existing_tag(csms_lab: StackLab) -> None:
    await create(csms_lab, "TAG-1")
    response = await create(csms_lab, "TAG-1", status="Blocked")
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "id tag TAG-1 already exists"},
    )


async def test_422_names_each_problem(csms_lab: StackLab) -> None:
    response = await create(
        csms_lab,
        "X" * 37,
        status="Stolen",
        expiryDate="2027-01-01T12:00:00",
        tokenType="RFID",
        policy="unlimited",
        colour="red",
    )
    assert response.status_code == 422
    assert [(p["loc"], p["msg"]) for p in response.json()["detail"]] == [
        (["body", "idTag"], "String should have at most 36 characters"),
        (
            ["body", "status"],
            "Input should be 'Accepted', 'Blocked', 'Expired', 'Invalid' or 'ConcurrentTx'",
        ),
        (["body", "expiryDate"], "Input should have timezone info"),
        (
            ["body", "tokenType"],
            "Input should be 'Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local',"
            " 'MacAddress' or 'NoAuthorization'",
        ),
        (["body", "policy"], "Input should be 'single-session'"),
        (["body", "colour"], "Extra inputs are not permitted"),
    ]
    assert await csms_lab.store.id_tags.count() == 0


async def test_422_for_an_empty_or_unprintable_tag(csms_lab: StackLab) -> None:
    empty = await create(csms_lab, "")
    assert [p["msg"] for p in empty.json()["detail"]] == ["String should have at least 1 character"]
    unprintable = await create(csms_lab, "TAG\n1")
    assert [p["msg"] for p in unprintable.json()["detail"]] == [
        "Value error, must not contain control characters"
    ]


# -- GET --------------------------------------------------------------------------------------


async def test_get_one(csms_lab: StackLab) -> None:
    await create(csms_lab, "TAG-1", parentIdTag="FLEET")
    response = await csms_lab.client.get("/api/v1/id-tags/TAG-1")
    assert (response.status_code, without_times(response.json())) == (
        200,
        tag("TAG-1", parentIdTag="FLEET"),
    )


async def test_a_tag_with_a_slash_is_reachable(csms_lab: StackLab) -> None:
    await create(csms_lab, "A/B")
    response = await csms_lab.client.get("/api/v1/id-tags/A%2FB")
    assert response.json()["idTag"] == "A/B"
    deleted = await csms_lab.client.delete("/api/v1/id-tags/A%2FB")
    assert deleted.json() == {"message": "Id tag deleted", "idTag": "A/B"}


async def test_404_for_an_unknown_tag(csms_lab: StackLab) -> None:
    response = await csms_lab.client.get("/api/v1/id-tags/NOPE")
    assert (response.status_code, response.json()) == (404, {"detail": "id tag 'NOPE' not found"})


async def test_list_pages_and_filters_by_status(csms_lab: StackLab) -> None:
    for id_tag, status in (("C", "Accepted"), ("A", "Accepted"), ("B", "Blocked")):
        await create(csms_lab, id_tag, status=status)
    page = (await csms_lab.client.get("/api/v1/id-tags?limit=2")).json()
    assert ([t["idTag"] for t in page["data"]], page["total"], page["limit"], page["offset"]) == (
        ["A", "B"],
        3,
        2,
        0,
    )
    accepted = (await csms_lab.client.get("/api/v1/id-tags?status=Accepted&offset=1")).json()
    assert [without_times(t) for t in accepted["data"]] == [tag("C")]
    assert (accepted["total"], accepted["limit"], accepted["offset"]) == (2, 20, 1)


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("status=Lost", "status"),
        # Found by the fuzz test: past SQLite's INTEGER it was a 500 (OverflowError).
        ("offset=9223372036854775808", "offset"),
    ],
)
async def test_422_for_a_bad_list_query(csms_lab: StackLab, query: str, loc: str) -> None:
    response = await csms_lab.client.get(f"/api/v1/id-tags?{query}")
    assert response.status_code == 422
    assert [p["loc"] for p in response.json()["detail"]] == [["query", loc]]


# -- PATCH ------------------------------------------------------------------------------------


async def test_patch_changes_only_the_fields_given(csms_lab: StackLab) -> None:
    await create(csms_lab, "TAG-1", parentIdTag="FLEET", expiryDate="2027-01-01T00:00:00Z")
    response = await csms_lab.client.patch("/api/v1/id-tags/TAG-1", json={"status": "Blocked"})
    assert (response.status_code, without_times(response.json())) == (
        200,
        tag("TAG-1", status="Blocked", parentIdTag="FLEET", expiryDate="2027-01-01T00:00:00.000Z"),
    )
    cleared = await csms_lab.client.patch(
        "/api/v1/id-tags/TAG-1", json={"expiryDate": None, "tokenType": "Local"}
    )
    assert without_times(cleared.json()) == tag(
        "TAG-1", status="Blocked", parentIdTag="FLEET", tokenType="Local"
    )


async def test_patch_422_for_a_null_status_or_an_unknown_field(csms_lab: StackLab) -> None:
    await create(csms_lab, "TAG-1")
    response = await csms_lab.client.patch(
        "/api/v1/id-tags/TAG-1", json={"status": None, "idTag": "TAG-2"}
    )
    assert response.status_code == 422
    assert [(p["loc"], p["type"]) for p in response.json()["detail"]] == [
        (["body", "status"], "literal_error"),
        (["body", "idTag"], "extra_forbidden"),
    ]


async def test_patch_404_for_an_unknown_tag(csms_lab: StackLab) -> None:
    response = await csms_lab.client.patch("/api/v1/id-tags/NOPE", json={"status": "Blocked"})
    assert (response.status_code, response.json()) == (404, {"detail": "id tag 'NOPE' not found"})


# -- DELETE -----------------------------------------------------------------------------------


async def test_delete(csms_lab: StackLab) -> None:
    await create(csms_lab, "TAG-1")
    response = await csms_lab.client.delete("/api/v1/id-tags/TAG-1")
    assert (response.status_code, response.json()) == (
        200,
        {"message": "Id tag deleted", "idTag": "TAG-1"},
    )
    assert await csms_lab.store.id_tags.get("TAG-1") is None
    again = await csms_lab.client.delete("/api/v1/id-tags/TAG-1")
    assert (again.status_code, again.json()) == (404, {"detail": "id tag 'TAG-1' not found"})


# -- the CSMS authorizes from this table ------------------------------------------------------


async def test_c01_a_tag_created_here_authorizes_a_1_6_station(csms_lab: StackLab) -> None:
    runtime = await csms_lab.station("CP-1", V16)
    assert await authorize(runtime, {"idTag": "TAG-1"}) == {"idTagInfo": {"status": "Invalid"}}
    await create(csms_lab, "TAG-1", parentIdTag="FLEET", expiryDate="2030-01-01T00:00:00Z")
    assert await authorize(runtime, {"idTag": "TAG-1"}) == {
        "idTagInfo": {
            "status": "Accepted",
            "expiryDate": "2030-01-01T00:00:00.000Z",
            "parentIdTag": "FLEET",
        }
    }


async def test_c01_a_blocked_tag_is_refused_until_unblocked(csms_lab: StackLab) -> None:
    runtime = await csms_lab.station("CP-1", V16)
    await create(csms_lab, "TAG-1", status="Blocked")
    assert await authorize(runtime, {"idTag": "TAG-1"}) == {"idTagInfo": {"status": "Blocked"}}
    await csms_lab.client.patch("/api/v1/id-tags/TAG-1", json={"status": "Accepted"})
    assert await authorize(runtime, {"idTag": "TAG-1"}) == {"idTagInfo": {"status": "Accepted"}}
    await csms_lab.client.delete("/api/v1/id-tags/TAG-1")
    assert await authorize(runtime, {"idTag": "TAG-1"}) == {"idTagInfo": {"status": "Invalid"}}


async def test_c01_a_tag_past_its_expiry_date_is_expired(csms_lab: StackLab) -> None:
    runtime = await csms_lab.station("CP-1", V16)
    await create(csms_lab, "OLD", expiryDate="2020-01-01T00:00:00Z")
    answer = await authorize(runtime, {"idTag": "OLD"})
    assert answer["idTagInfo"]["status"] == "Expired"


async def test_c01_a_2_0_1_station_gets_the_tags_status(csms_lab: StackLab) -> None:
    runtime = await csms_lab.station("CS-1", V201)
    await create(csms_lab, "04A1B2C3D4", tokenType="ISO14443")
    await create(csms_lab, "STOLEN", status="Blocked", tokenType="ISO14443")
    accepted = await authorize(runtime, {"idToken": {"idToken": "04A1B2C3D4", "type": "ISO14443"}})
    blocked = await authorize(runtime, {"idToken": {"idToken": "STOLEN", "type": "ISO14443"}})
    assert (accepted["idTokenInfo"]["status"], blocked["idTokenInfo"]["status"]) == (
        "Accepted",
        "Blocked",
    )


async def test_a_presented_card_is_answered_from_this_table(csms_lab: StackLab) -> None:
    """The whole path: a driver's card at a 1.6 station. A blocked card leaves the connector
    Available (the answer lands in the station's authorization cache); an accepted one
    prepares it for the cable (1.6 section 3.5, 4.2)."""
    runtime = await csms_lab.station("CP-1", V16)
    await create(csms_lab, "GOOD")
    await create(csms_lab, "BAD", status="Blocked")
    station = runtime.station
    connector = station.model.connector(1, 1)

    station.present_id_token("BAD")
    await until(lambda: cached(runtime, "BAD") is not None)
    assert (cached(runtime, "BAD"), connector.status.value) == ("Blocked", "Available")

    station.present_id_token("GOOD")
    await until(lambda: connector.status.value == "Preparing")
    assert cached(runtime, "GOOD") == "Accepted"


def cached(runtime: StationRuntime, id_tag: str) -> str | None:
    """The status the station's authorization cache holds for ``id_tag``."""
    station = runtime.station
    info = station.model.cache.get(IdToken(id_tag), station.clock.now())
    return None if info is None else str(info.status.value)


# -- 401 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/id-tags"),
        ("GET", "/api/v1/id-tags"),
        ("GET", "/api/v1/id-tags/TAG-1"),
        ("PATCH", "/api/v1/id-tags/TAG-1"),
        ("DELETE", "/api/v1/id-tags/TAG-1"),
    ],
)
async def test_401_without_a_key(csms_lab: StackLab, method: str, path: str) -> None:
    await create(csms_lab, "TAG-1")
    response = await csms_lab.client.request(
        method, path, json={"idTag": "TAG-2", "status": "Blocked"}, headers={"X-API-Key": ""}
    )
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "missing or invalid API key"},
    )
    assert [(t.id_tag, t.status) for t in await csms_lab.store.id_tags.list()] == [
        ("TAG-1", "Accepted")
    ]
