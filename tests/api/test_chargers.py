"""/chargers: register, list, read, change and delete chargers, against the real CSMS listener
(presence, boot facts and connectors come from simulated stations that really connect)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest

from chargeyard.api import ApiSettings
from chargeyard.api.gateway.chargers_shared import built_in_csms
from chargeyard.csms.registration import RegistrationGate
from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V16, V201
from tests.polling import eventually, until
from tests.stack_lab import FAST, TEMPLATE, StackLab
from tests.station.wall_clock import wall_clock_station

MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DEFAULT_OCPP_URL = "ws://127.0.0.1:9000/ocpp"


def without_times(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with its server-chosen timestamps checked for format and left out."""
    rest = dict(body)
    for name in (
        "createdAt",
        "connectedAt",
        "lastHeartbeat",
        "firmwareStatusAt",
        "diagnosticsStatusAt",
    ):
        if rest.get(name) is not None:
            assert MILLIS.match(rest.pop(name)), name
        else:
            rest.pop(name, None)
    return rest


def unbooted(charge_box_id: str, **fields: Any) -> dict[str, Any]:
    """A registered charger that never connected, as the API answers it (times left out)."""
    return {
        "chargeBoxId": charge_box_id,
        "name": None,
        "location": None,
        "vendor": None,
        "model": None,
        "serialNumber": None,
        "firmwareVersion": None,
        "ocppVersion": None,
        "registrationStatus": None,
        "registration": None,
        "pendingCalls": [],
        "firmwareStatus": None,
        "diagnosticsStatus": None,
        "isOnline": False,
        "hasPassword": False,
        "connectionUrl": f"{DEFAULT_OCPP_URL}/{charge_box_id}",
        "connectors": [],
        **fields,
    }


async def register(lab: StackLab, charge_box_id: str, **fields: Any) -> httpx.Response:
    return await lab.client.post("/api/v1/chargers", json={"chargeBoxId": charge_box_id, **fields})


# -- POST -------------------------------------------------------------------------------------


async def test_register_answers_the_charger_and_where_it_connects(csms_lab: StackLab) -> None:
    response = await register(csms_lab, "CHARGER-001", name="Bay 1", location="Depot north")
    assert response.status_code == 201
    assert without_times(response.json()) == unbooted(
        "CHARGER-001", name="Bay 1", location="Depot north"
    )
    station = await csms_lab.store.stations.get("CHARGER-001")
    assert station is not None
    assert (station.name, station.location, station.password_hash) == (
        "Bay 1",
        "Depot north",
        None,
    )


async def test_the_password_is_stored_hashed_and_never_answered(csms_lab: StackLab) -> None:
    response = await register(csms_lab, "CP-SEC", password="correct horse")
    body = response.json()
    assert (response.status_code, body["hasPassword"]) == (201, True)
    assert "correct horse" not in response.text
    assert "scrypt" not in response.text
    assert await csms_lab.store.stations.verify_password("CP-SEC", "correct horse")


async def test_a_registered_charger_connects_at_its_connection_url(csms_lab: StackLab) -> None:
    """The identity is quoted in the URL and the listener unquotes it; the password is the
    charger's HTTP Basic password (security profile 1)."""
    identity = "EVB*P1|A@1=x+y"
    response = await register(csms_lab, identity, password="s3cret-pw")
    url = response.json()["connectionUrl"]
    assert url == f"{DEFAULT_OCPP_URL}/EVB%2AP1%7CA%401%3Dx%2By"
    # The app's settings name port 9000; the test listener has its own.
    runtime = await connect(csms_lab, url, identity, password="s3cret-pw")
    await until(lambda: runtime.connected and csms_lab.registry.is_connected(identity))
    await until_online(csms_lab, identity, True)


async def test_409_for_a_taken_charge_box_id(csms_lab: StackLab) -> None:
    await register(csms_lab, "CP-1")
    response = await register(csms_lab, "CP-1", name="again")
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "charger CP-1 already exists"},
    )


@pytest.mark.parametrize(
    ("charge_box_id", "msg"),
    [
        ("", "String should have at least 1 character"),
        ("X" * 49, "String should have at most 48 characters"),
        *(
            (
                identity,
                "Value error, the identity may hold only letters, digits and * - _ = + | @ ."
                " (an OCPP identifierString without ':') (it is the last segment of the"
                " charger's URL)",
            )
            for identity in ("site/1", "site:1", "CP 1", "CP\x001", "Zürich#1", "CP\n1")
        ),
        (
            "..",
            "Value error, the identity is a dot-segment ('.' or '..'), which a URL cannot"
            " carry (it is the last segment of the charger's URL)",
        ),
    ],
)
async def test_422_for_a_charge_box_id_that_cannot_be_an_identity(
    csms_lab: StackLab, charge_box_id: str, msg: str
) -> None:
    response = await register(csms_lab, charge_box_id)
    assert response.status_code == 422
    ((problem),) = response.json()["detail"]
    assert (problem["loc"], problem["msg"]) == (["body", "chargeBoxId"], msg)
    assert await csms_lab.store.stations.count() == 0


async def test_422_lists_every_problem_of_a_registration(csms_lab: StackLab) -> None:
    response = await csms_lab.client.post(
        "/api/v1/chargers", json={"password": "short", "colour": "red"}
    )
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {"loc": ["body", "chargeBoxId"], "msg": "Field required", "type": "missing"},
                {
                    "loc": ["body", "password"],
                    "msg": "String should have at least 8 characters",
                    "type": "string_too_short",
                },
                {
                    "loc": ["body", "colour"],
                    "msg": "Extra inputs are not permitted",
                    "type": "extra_forbidden",
                },
            ]
        },
    )


# -- GET one ----------------------------------------------------------------------------------


async def test_a_connected_1_6_charger_shows_what_it_reported(csms_lab: StackLab) -> None:
    runtime = await csms_lab.station("CP-1", V16)
    await until_connectors(csms_lab, "CP-1")
    body = (await csms_lab.client.get("/api/v1/chargers/CP-1")).json()
    boot = runtime.station.boot_notification_payload()
    assert without_times(body) | {"connectors": []} == unbooted(
        "CP-1",
        vendor=boot["chargePointVendor"],
        model=boot["chargePointModel"],
        serialNumber=boot.get("chargePointSerialNumber"),
        firmwareVersion=boot["firmwareVersion"],
        ocppVersion="1.6",
        registrationStatus="Accepted",
        isOnline=True,
    )
    assert MILLIS.match(body["connectedAt"])
    # 1.6 has no EVSE level: connector 0 is the charge point itself (section 4.9).
    assert [(c["evseId"], c["connectorId"], c["status"]) for c in body["connectors"]] == [
        (None, 0, "Available"),
        (None, 1, "Available"),
    ]
    (_, connector) = body["connectors"]
    assert without_times(connector | {"createdAt": connector.pop("updatedAt")}) == {
        "connectorId": 1,
        "evseId": None,
        "status": "Available",
        "errorCode": "NoError",
        "info": None,
        "vendorErrorCode": None,
    }


async def test_a_2_0_1_charger_names_the_evse_of_each_connector(csms_lab: StackLab) -> None:
    await csms_lab.station("CS-1", V201)
    await until_connectors(csms_lab, "CS-1")
    body = (await csms_lab.client.get("/api/v1/chargers/CS-1")).json()
    assert body["ocppVersion"] == "2.0.1"
    assert [(c["evseId"], c["connectorId"]) for c in body["connectors"]] == [(1, 1)]


async def test_is_online_follows_the_connection(csms_lab: StackLab) -> None:
    runtime = await csms_lab.station("CP-1")
    await until_online(csms_lab, "CP-1", True)
    await runtime.stop()
    await until_online(csms_lab, "CP-1", False)


async def test_404_for_an_unknown_charger(csms_lab: StackLab) -> None:
    response = await csms_lab.client.get("/api/v1/chargers/NOPE")
    assert (response.status_code, response.json()) == (404, {"detail": "charger NOPE not found"})


# -- GET list ---------------------------------------------------------------------------------


async def test_list_pages_through_every_charger(csms_lab: StackLab) -> None:
    for identity in ("CP-3", "CP-1", "CP-2"):
        await register(csms_lab, identity)
    first = (await csms_lab.client.get("/api/v1/chargers", params={"limit": 2})).json()
    assert [c["chargeBoxId"] for c in first["data"]] == ["CP-1", "CP-2"]
    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    rest = (await csms_lab.client.get("/api/v1/chargers?limit=2&offset=2")).json()
    assert [without_times(c) for c in rest["data"]] == [unbooted("CP-3")]
    assert (rest["total"], rest["limit"], rest["offset"]) == (3, 2, 2)


async def test_list_filters_by_presence_and_counts_the_filtered(csms_lab: StackLab) -> None:
    await register(csms_lab, "CP-OFF")
    await csms_lab.station("CP-ON")
    await until_connectors(csms_lab, "CP-ON")

    online = (await csms_lab.client.get("/api/v1/chargers?status=online")).json()
    assert [c["chargeBoxId"] for c in online["data"]] == ["CP-ON"]
    assert online["total"] == 1
    assert [c["connectorId"] for c in online["data"][0]["connectors"]] == [0, 1]
    offline = (await csms_lab.client.get("/api/v1/chargers?status=offline")).json()
    assert ([c["chargeBoxId"] for c in offline["data"]], offline["total"]) == (["CP-OFF"], 1)
    everyone = (await csms_lab.client.get("/api/v1/chargers")).json()
    assert (everyone["total"], everyone["limit"], everyone["offset"]) == (2, 20, 0)


@pytest.mark.parametrize(
    ("query", "loc", "msg"),
    [
        ("limit=0", "limit", "Input should be greater than or equal to 1"),
        ("limit=101", "limit", "Input should be less than or equal to 100"),
        ("offset=-1", "offset", "Input should be greater than or equal to 0"),
        ("status=sleeping", "status", "Input should be 'online' or 'offline'"),
    ],
)
async def test_422_for_a_bad_list_query(csms_lab: StackLab, query: str, loc: str, msg: str) -> None:
    response = await csms_lab.client.get(f"/api/v1/chargers?{query}")
    assert response.status_code == 422
    ((problem),) = response.json()["detail"]
    assert (problem["loc"], problem["msg"]) == (["query", loc], msg)


# -- PATCH ------------------------------------------------------------------------------------


async def test_patch_changes_only_the_fields_given(csms_lab: StackLab) -> None:
    await register(csms_lab, "CP-1", name="Bay 1", location="Depot")
    response = await csms_lab.client.patch("/api/v1/chargers/CP-1", json={"name": "Bay 7"})
    assert (response.status_code, without_times(response.json())) == (
        200,
        unbooted("CP-1", name="Bay 7", location="Depot"),
    )
    response = await csms_lab.client.patch(
        "/api/v1/chargers/CP-1", json={"location": None, "password": "new-password"}
    )
    assert without_times(response.json()) == unbooted("CP-1", name="Bay 7", hasPassword=True)
    assert await csms_lab.store.stations.verify_password("CP-1", "new-password")


async def test_patch_with_a_null_password_removes_basic_auth(csms_lab: StackLab) -> None:
    await register(csms_lab, "CP-1", password="old-password")
    response = await csms_lab.client.patch("/api/v1/chargers/CP-1", json={"password": None})
    assert response.json()["hasPassword"] is False
    station = await csms_lab.store.stations.get("CP-1")
    assert station is not None
    assert station.password_hash is None


async def test_patch_422_for_an_unknown_field_or_a_short_password(csms_lab: StackLab) -> None:
    await register(csms_lab, "CP-1", name="Bay 1")
    response = await csms_lab.client.patch(
        "/api/v1/chargers/CP-1", json={"nmae": "typo", "password": "1234"}
    )
    assert response.status_code == 422
    assert [(p["loc"], p["type"]) for p in response.json()["detail"]] == [
        (["body", "password"], "string_too_short"),
        (["body", "nmae"], "extra_forbidden"),
    ]
    assert (await csms_lab.client.get("/api/v1/chargers/CP-1")).json()["name"] == "Bay 1"


async def test_patch_404_for_an_unknown_charger(csms_lab: StackLab) -> None:
    response = await csms_lab.client.patch("/api/v1/chargers/NOPE", json={"name": "x"})
    assert (response.status_code, response.json()) == (404, {"detail": "charger NOPE not found"})


# -- registration -----------------------------------------------------------------------------

PENDING_16 = {
    "status": "Pending",
    "pendingCalls": [
        {"action": "ChangeConfiguration", "payload": {"key": "HeartbeatInterval", "value": "90"}}
    ],
}


async def test_put_registration_is_kept_and_shown_with_the_charger(csms_lab: StackLab) -> None:
    await csms_lab.store.stations.register("CP-1", ocpp_version=V16)
    put = await csms_lab.client.put("/api/v1/chargers/CP-1/registration", json=PENDING_16)
    shown = await csms_lab.client.get("/api/v1/chargers/CP-1")
    cleared = await csms_lab.client.put("/api/v1/chargers/CP-1/registration", json={})
    assert (put.status_code, put.json()) == (
        200,
        {
            "chargeBoxId": "CP-1",
            "status": "Pending",
            "pendingCalls": PENDING_16["pendingCalls"],
            "lastBootStatus": None,
        },
    )
    body = shown.json()
    assert (body["registration"], body["pendingCalls"]) == ("Pending", PENDING_16["pendingCalls"])
    assert cleared.json()["status"] is None
    assert await csms_lab.store.stations.registration_of("CP-1") == (None, None)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"status": "Accepted", "pendingCalls": PENDING_16["pendingCalls"]},
            "pendingCalls are sent only after a boot answered Pending",
        ),
        (
            {"status": "Pending", "pendingCalls": [{"action": "BootNotification"}]},
            "BootNotification is not an action a central system sends in OCPP 1.6",
        ),
        (
            {"status": "Pending", "pendingCalls": [{"action": "SetVariables", "payload": {}}]},
            "SetVariables is not an action a central system sends in OCPP 1.6",
        ),
    ],
)
async def test_put_registration_refuses_calls_the_charger_cannot_take(
    csms_lab: StackLab, body: dict[str, Any], detail: str
) -> None:
    await csms_lab.store.stations.register("CP-1", ocpp_version=V16)
    refused = await csms_lab.client.put("/api/v1/chargers/CP-1/registration", json=body)
    assert (refused.status_code, refused.json()) == (422, {"detail": detail})
    assert await csms_lab.store.stations.registration_of("CP-1") == (None, None)


async def test_put_registration_checks_the_payload_against_the_schema(
    csms_lab: StackLab,
) -> None:
    await csms_lab.store.stations.register("CP-1", ocpp_version=V16)
    body = {"status": "Pending", "pendingCalls": [{"action": "ChangeConfiguration"}]}
    refused = await csms_lab.client.put("/api/v1/chargers/CP-1/registration", json=body)
    assert refused.status_code == 422
    assert "key" in refused.json()["detail"]


async def test_put_registration_404_for_an_unknown_charger(csms_lab: StackLab) -> None:
    response = await csms_lab.client.put("/api/v1/chargers/NOPE/registration", json=PENDING_16)
    assert (response.status_code, response.json()) == (404, {"detail": "charger NOPE not found"})


# -- DELETE -----------------------------------------------------------------------------------


async def test_delete_closes_the_connection_and_refuses_the_charger(csms_lab: StackLab) -> None:
    runtime = await csms_lab.station("CP-1")
    response = await csms_lab.client.delete("/api/v1/chargers/CP-1")
    assert (response.status_code, response.json()) == (
        200,
        {"message": "Charger deleted", "chargeBoxId": "CP-1"},
    )
    await until(lambda: not csms_lab.registry.is_connected("CP-1"))
    # It dials again (FAST backoff) and the listener answers 404 in the handshake.
    await until(lambda: runtime.stats.failures >= 1)
    assert "404" in (runtime.last_error or "")
    assert not csms_lab.registry.is_connected("CP-1")
    assert await csms_lab.store.stations.get("CP-1") is None
    gone = await csms_lab.client.get("/api/v1/chargers/CP-1")
    assert (gone.status_code, gone.json()) == (404, {"detail": "charger CP-1 not found"})


async def test_delete_404_for_an_unknown_charger(csms_lab: StackLab) -> None:
    response = await csms_lab.client.delete("/api/v1/chargers/NOPE")
    assert (response.status_code, response.json()) == (404, {"detail": "charger NOPE not found"})


# -- connector history ------------------------------------------------------------------------


async def test_connector_history_is_newest_first(csms_lab: StackLab) -> None:
    runtime = await csms_lab.station("CP-1")
    await until_connectors(csms_lab, "CP-1")
    runtime.station.plug()
    await until_history(csms_lab, "CP-1", 1, ["Preparing", "Available"])
    body = (await csms_lab.client.get("/api/v1/chargers/CP-1/connectors/1/history")).json()
    assert {key: value for key, value in body.items() if key != "history"} == {
        "chargeBoxId": "CP-1",
        "connectorId": 1,
        "evseId": None,
        "count": 2,
    }
    newest = body["history"][0]
    assert MILLIS.match(newest.pop("at"))
    assert newest == {"status": "Preparing", "errorCode": "NoError", "info": None}
    limited = await csms_lab.client.get("/api/v1/chargers/CP-1/connectors/1/history?limit=1")
    assert [change["status"] for change in limited.json()["history"]] == ["Preparing"]


async def test_connector_history_of_a_2_0_1_evse(csms_lab: StackLab) -> None:
    await csms_lab.station("CS-1", V201)
    await until_connectors(csms_lab, "CS-1")
    body = (await csms_lab.client.get("/api/v1/chargers/CS-1/connectors/1/history?evseId=1")).json()
    assert (body["evseId"], [c["status"] for c in body["history"]]) == (1, ["Available"])
    elsewhere = await csms_lab.client.get("/api/v1/chargers/CS-1/connectors/1/history?evseId=2")
    assert elsewhere.json()["history"] == []


async def test_connector_history_404_for_an_unknown_charger(csms_lab: StackLab) -> None:
    response = await csms_lab.client.get("/api/v1/chargers/NOPE/connectors/1/history")
    assert (response.status_code, response.json()) == (404, {"detail": "charger NOPE not found"})


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        (f"connectors/{2**31}/history", ["path", "connectorId"]),
        (f"connectors/1/history?evseId={2**31}", ["query", "evseId"]),
    ],
)
async def test_connector_history_422_past_a_32_bit_id(
    csms_lab: StackLab, path: str, loc: list[str]
) -> None:
    """Found by the fuzz test on PostgreSQL: ids past its INTEGER column were a 500."""
    await csms_lab.store.stations.register("CP-1")
    response = await csms_lab.client.get(f"/api/v1/chargers/CP-1/{path}")
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [loc]


# -- 401 --------------------------------------------------------------------------------------


# -- notifications ----------------------------------------------------------------------------


async def trigger(lab: StackLab, charge_box_id: str, message: str) -> None:
    response = await lab.client.post(
        f"/api/v1/chargers/{charge_box_id}/trigger", json={"requestedMessage": message}
    )
    assert response.json()["status"] == "accepted", response.json()


async def notifications(lab: StackLab, charge_box_id: str, query: str = "") -> list[Any]:
    response = await lab.client.get(f"/api/v1/chargers/{charge_box_id}/notifications{query}")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["chargeBoxId"], body["count"]) == (charge_box_id, len(body["notifications"]))
    found: list[Any] = body["notifications"]
    return found


async def test_firmware_and_diagnostics_status_reach_the_charger_and_its_notifications(
    csms_lab: StackLab,
) -> None:
    # REST -> TriggerMessage -> the station's status notification -> kept by the CSMS -> REST.
    await csms_lab.station("CP-1", V16)
    assert await notifications(csms_lab, "CP-1") == []
    await trigger(csms_lab, "CP-1", "FirmwareStatusNotification")
    await trigger(csms_lab, "CP-1", "DiagnosticsStatusNotification")

    async def both_kept() -> bool:
        return len(await notifications(csms_lab, "CP-1")) == 2

    await eventually(both_kept)
    body = (await csms_lab.client.get("/api/v1/chargers/CP-1")).json()
    # 4.4 / 4.5: a station with nothing under way reports Idle when asked.
    assert (body["firmwareStatus"], body["diagnosticsStatus"]) == ("Idle", "Idle")
    assert MILLIS.match(body["firmwareStatusAt"])
    assert MILLIS.match(body["diagnosticsStatusAt"])
    [listed] = (await csms_lab.client.get("/api/v1/chargers")).json()["data"]
    assert (listed["firmwareStatus"], listed["diagnosticsStatus"]) == ("Idle", "Idle")

    [firmware] = await notifications(csms_lab, "CP-1", "?kind=firmware")
    assert MILLIS.match(firmware.pop("at"))
    assert firmware == {
        "kind": "firmware",
        "action": "FirmwareStatusNotification",
        "status": "Idle",
        "requestId": None,
        "evseId": None,
        "detail": None,
    }
    newest = await notifications(csms_lab, "CP-1", "?limit=1")
    assert [n["action"] for n in newest] == ["DiagnosticsStatusNotification"]


async def test_b07_a_2_0_1_chargers_full_configuration_comes_through_the_csms(
    csms_lab: StackLab,
) -> None:
    # configuration/get {} -> GetBaseReport -> NotifyReport parts at the CSMS's handler, which
    # keeps each part and hands it to the waiting command.
    await csms_lab.station("CS-1", V201)
    response = await csms_lab.client.post("/api/v1/chargers/CS-1/configuration/get", json={})
    assert response.status_code == 200, response.json()
    found = {item["key"]: item for item in response.json()["configurationKey"]}
    assert found["OCPPCommCtrlr.HeartbeatInterval"]["readonly"] is False
    assert found["SecurityCtrlr.Identity"] == {
        "key": "SecurityCtrlr.Identity",
        "readonly": True,
        "value": "CS-1",
    }
    parts = await notifications(csms_lab, "CS-1", "?kind=report&limit=100")
    kept = [item for part in parts for item in orjson.loads(part["detail"])]
    assert len(kept) == len(found)


async def test_k09_the_charging_profiles_a_2_0_1_charger_reports_are_listed_per_evse(
    csms_lab: StackLab,
) -> None:
    # GetChargingProfiles -> the station's ReportChargingProfiles -> kept by the CSMS -> REST.
    await csms_lab.station("CS-1", V201)
    profile = {
        "id": 31,
        "stackLevel": 1,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": [
            {
                "id": 1,
                "chargingRateUnit": "A",  # the template's SmartChargingCtrlr.RateUnit
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
            }
        ],
    }
    set_profile = {"evseId": 1, "chargingProfile": profile}
    answer = await csms_lab.registry.call("CS-1", "SetChargingProfile", set_profile)
    assert answer["status"] == "Accepted", answer
    get_profiles = {"requestId": 41, "chargingProfile": {"chargingProfileId": [31]}}
    answer = await csms_lab.registry.call("CS-1", "GetChargingProfiles", get_profiles)
    assert answer["status"] == "Accepted", answer

    async def reported() -> bool:
        return bool(await notifications(csms_lab, "CS-1", "?kind=charging_profile"))

    await eventually(reported)
    [kept] = await notifications(csms_lab, "CS-1", "?kind=charging_profile&evseId=1")
    assert (kept["action"], kept["status"], kept["requestId"], kept["evseId"]) == (
        "ReportChargingProfiles",
        "CSO, last part",
        41,
        1,
    )
    [reported_profile] = orjson.loads(kept["detail"])
    assert (reported_profile["id"], reported_profile["stackLevel"]) == (31, 1)
    assert await notifications(csms_lab, "CS-1", "?kind=charging_profile&evseId=2") == []


async def test_409_for_a_command_to_a_charger_rejected_at_boot(csms_lab: StackLab) -> None:
    await csms_lab.station("CP-1", V16)
    # as a boot answered Rejected leaves it
    csms_lab.registry.gates["CP-1"] = RegistrationGate("CP-1", "Rejected")
    response = await csms_lab.client.post("/api/v1/chargers/CP-1/reset", json={"type": "Soft"})
    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "charger CP-1 was rejected at boot (BootNotification answered Rejected):"
            " no command is sent to it until a boot is accepted"
        },
    )


async def test_notifications_404_for_an_unknown_charger(csms_lab: StackLab) -> None:
    response = await csms_lab.client.get("/api/v1/chargers/NOPE/notifications")
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "charger NOPE not found"},
    )


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("?kind=boot", ["query", "kind"]),
        ("?limit=101", ["query", "limit"]),
        ("?limit=0", ["query", "limit"]),
        ("?evseId=-1", ["query", "evseId"]),
    ],
)
async def test_notifications_422_for_a_bad_query(
    csms_lab: StackLab, query: str, loc: list[str]
) -> None:
    await register(csms_lab, "CP-1")
    response = await csms_lab.client.get(f"/api/v1/chargers/CP-1/notifications{query}")
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/chargers"),
        ("GET", "/api/v1/chargers"),
        ("GET", "/api/v1/chargers/CP-1"),
        ("PATCH", "/api/v1/chargers/CP-1"),
        ("DELETE", "/api/v1/chargers/CP-1"),
        ("GET", "/api/v1/chargers/CP-1/connectors/1/history"),
        ("GET", "/api/v1/chargers/CP-1/notifications"),
    ],
)
async def test_401_without_a_key(csms_lab: StackLab, method: str, path: str) -> None:
    await register(csms_lab, "CP-1")
    response = await csms_lab.client.request(
        method, path, json={"chargeBoxId": "CP-2"}, headers={"X-API-Key": ""}
    )
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "missing or invalid API key"},
    )
    assert [s.charge_box_id for s in await csms_lab.store.stations.list()] == ["CP-1"]


# -- settings ---------------------------------------------------------------------------------


def test_the_connection_url_follows_the_bound_listener(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHARGEYARD_API_OCPP_URL", raising=False)
    assert ApiSettings().for_listener("127.0.0.1", 9100).ocpp_url == "ws://127.0.0.1:9100/ocpp"
    assert ApiSettings().for_listener("::1", 9100).ocpp_url == "ws://[::1]:9100/ocpp"
    given = ApiSettings(ocpp_url="wss://csms.example.com/ocpp")
    assert given.for_listener("0.0.0.0", 9000).ocpp_url == "wss://csms.example.com/ocpp"
    monkeypatch.setenv("CHARGEYARD_API_OCPP_URL", "wss://proxy.example.com/ocpp")
    behind_a_proxy = ApiSettings().for_listener("0.0.0.0", 9000)
    assert behind_a_proxy.ocpp_url == "wss://proxy.example.com/ocpp"
    assert behind_a_proxy.listener_url == "ws://0.0.0.0:9000/ocpp"


async def test_behind_a_proxy_a_charger_dialing_the_listener_itself_is_the_built_in_csms_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # CHARGEYARD_API_OCPP_URL names the proxy stations reach; the gateway's own chargers may
    # dial the listener directly, and are registered in their organization there all the same
    # (how each URL is matched: tests/gateway/test_built_in_csms.py).
    monkeypatch.setenv("CHARGEYARD_API_OCPP_URL", "wss://proxy.example.com/ocpp")
    built_in = built_in_csms(ApiSettings().for_listener("127.0.0.1", 9000))
    assert built_in.urls == ("wss://proxy.example.com/ocpp", "ws://127.0.0.1:9000/ocpp")
    monkeypatch.delenv("CHARGEYARD_API_OCPP_URL")
    alone = built_in_csms(ApiSettings())
    assert alone.urls == ("ws://127.0.0.1:9000/ocpp",)
    assert await alone.serves("ws://localhost:9000/ocpp")
    assert not await alone.serves("ws://127.0.0.1:9001/ocpp")


# -- helpers ----------------------------------------------------------------------------------


async def connect(lab: StackLab, url: str, identity: str, password: str) -> StationRuntime:
    """A simulated 1.6 station dialling ``url`` (its port moved to the test listener's)."""
    url = url.replace(DEFAULT_OCPP_URL, f"ws://127.0.0.1:{lab.server.port}/ocpp")
    station = wall_clock_station(identity, TEMPLATE)
    runtime = StationRuntime(station, url, reconnect=FAST, password=password)
    lab.runtimes.append(runtime)
    runtime.start()
    return runtime


async def until_online(lab: StackLab, identity: str, online: bool) -> None:
    async def is_online() -> bool:
        body = (await lab.client.get(f"/api/v1/chargers/{quote(identity, safe='')}")).json()
        return bool(body["isOnline"] is online)

    await eventually(is_online)


async def until_connectors(lab: StackLab, identity: str) -> None:
    """Until the booted station's StatusNotifications are stored."""

    async def reported() -> bool:
        connectors = await lab.store.connectors.list(identity)
        return any(c.connector_id >= 1 for c in connectors) and all(
            c.status == "Available" for c in connectors
        )

    await eventually(reported)


async def until_history(lab: StackLab, identity: str, connector: int, statuses: list[str]) -> None:
    async def arrived() -> bool:
        rows = await lab.store.connectors.history(identity, connector)
        return [row.status for row in rows] == statuses

    await eventually(arrived)


async def test_openapi_documents_each_route_with_its_errors(csms_lab: StackLab) -> None:
    paths = (await csms_lab.client.get("/openapi.json")).json()["paths"]
    responses = {
        (method.upper(), path): sorted(operation["responses"])
        for path, operations in paths.items()
        if path.startswith("/api/v1/id-tags")
        or path in ("/api/v1/chargers", "/api/v1/chargers/{chargeBoxId}")
        or path.endswith("/connectors/{connectorId}/history")
        for method, operation in operations.items()
    }
    # Every operation may answer 403 (role, X-Organization-Id) and 404 (another
    # organization's row, or an organization that does not exist): api/openapi.py.
    assert responses == {
        ("POST", "/api/v1/chargers"): ["201", "401", "403", "404", "409", "422"],
        ("GET", "/api/v1/chargers"): ["200", "401", "403", "404", "422"],
        ("GET", "/api/v1/chargers/{chargeBoxId}"): ["200", "401", "403", "404", "422"],
        ("PATCH", "/api/v1/chargers/{chargeBoxId}"): ["200", "401", "403", "404", "422"],
        ("DELETE", "/api/v1/chargers/{chargeBoxId}"): ["200", "401", "403", "404", "422"],
        ("GET", "/api/v1/chargers/{chargeBoxId}/connectors/{connectorId}/history"): [
            "200",
            "401",
            "403",
            "404",
            "422",
        ],
        ("POST", "/api/v1/id-tags"): ["201", "401", "403", "404", "409", "422"],
        ("GET", "/api/v1/id-tags"): ["200", "401", "403", "404", "422"],
        ("GET", "/api/v1/id-tags/{idTag}"): ["200", "401", "403", "404", "422"],
        ("PATCH", "/api/v1/id-tags/{idTag}"): ["200", "401", "403", "404", "422"],
        ("DELETE", "/api/v1/id-tags/{idTag}"): ["200", "401", "403", "404", "422"],
    }
