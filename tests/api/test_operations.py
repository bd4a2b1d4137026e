"""Reservations, the local list and smart charging against chargeyard's simulated stations of
both versions: one API body each, said in the station's version, the station's real answer
back; what breaks a rule of the specifications is a 422 and nothing is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chargeyard.protocol import V16, V21, V201
from tests.api.conftest import ApiLab

ID = {"1.6": "CP-16", "2.0.1": "CS-201"}


@pytest.fixture(params=[V16, V201], ids=["1.6", "2.0.1"])
async def version(lab: ApiLab, request: pytest.FixtureRequest) -> str:
    """The name of the version of the station the test drives."""
    await lab.station(ID[request.param.name], request.param)
    lab.registry.sent.clear()
    return str(request.param.name)


def _later(minutes: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _post(lab: ApiLab, version: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = await lab.post(ID[version], path, body)
    return response.status_code, response.json()


# -- reservations ------------------------------------------------------------------------------


async def test_h01_reserve_and_h02_cancel(lab: ApiLab, version: str) -> None:
    expiry = _later()
    body = {"connectorId": 1, "idTag": "TAG-1", "expiryDate": expiry, "reservationId": 7}
    assert await _post(lab, version, "reservation", body) == (
        200,
        {
            "message": "Reservation accepted by charger",
            "chargeBoxId": ID[version],
            "reservationId": 7,
            "connectorId": 1,
            "idTag": "TAG-1",
            "expiryDate": expiry,
            "status": "accepted",
        },
    )
    sent = {
        "1.6": {"connectorId": 1, "expiryDate": expiry, "idTag": "TAG-1", "reservationId": 7},
        "2.0.1": {
            "id": 7,
            "expiryDateTime": expiry,
            "idToken": {"idToken": "TAG-1", "type": "Central"},
            "evseId": 1,
        },
    }
    assert lab.last_call() == ("ReserveNow", sent[version])

    status, answer = await _post(lab, version, "reservation/cancel", {"reservationId": 7})
    assert (status, answer["status"]) == (200, "accepted")
    assert lab.last_call() == ("CancelReservation", {"reservationId": 7})
    status, answer = await _post(lab, version, "reservation/cancel", {"reservationId": 7})
    assert (status, answer["status"], answer["message"]) == (
        200,
        "rejected",
        "Reservation cancel rejected by charger",
    )


async def test_a_reservation_id_is_picked_when_none_is_given(lab: ApiLab, version: str) -> None:
    body = {"connectorId": 1, "idTag": "TAG-1", "expiryDate": _later()}
    status, answer = await _post(lab, version, "reservation", body)
    assert status == 200
    assert 1 <= answer["reservationId"] < 2**31
    _, sent = lab.last_call()
    assert sent.get("reservationId", sent.get("id")) == answer["reservationId"]


async def test_a_reservation_that_has_expired_is_refused_unsent(lab: ApiLab, version: str) -> None:
    body = {"connectorId": 1, "idTag": "TAG-1", "expiryDate": "2020-01-01T00:00:00Z"}
    assert await _post(lab, version, "reservation", body) == (
        422,
        {"detail": "expiryDate 2020-01-01T00:00:00Z has passed already"},
    )
    assert lab.registry.sent == []


async def test_a_connector_type_is_2_0_1_s(lab: ApiLab, version: str) -> None:
    body = {"connectorId": 0, "idTag": "T", "expiryDate": _later(), "connectorType": "cType2"}
    status, answer = await _post(lab, version, "reservation", body)
    if version == "1.6":
        assert (status, lab.registry.sent) == (422, [])
        assert answer["detail"].startswith("connectorType is an OCPP 2.0.1 field of ReserveNow")
    else:
        _, sent = lab.last_call()
        assert "evseId" not in sent  # connector 0: any EVSE
        assert sent["connectorType"] == "cType2"


# -- local authorization list ------------------------------------------------------------------


async def test_d01_a_full_list_then_a_differential_update(lab: ApiLab, version: str) -> None:
    full = {
        "listVersion": 3,
        "updateType": "Full",
        "entries": [
            {"idTag": "TAG-1", "status": "Accepted", "expiryDate": "2030-01-01T00:00:00Z"},
            {"idTag": "TAG-2", "status": "Blocked", "parentIdTag": "FLEET"},
        ],
    }
    assert await _post(lab, version, "local-list", full) == (
        200,
        {
            "message": "Full local list accepted by charger",
            "chargeBoxId": ID[version],
            "listVersion": 3,
            "updateType": "Full",
            "entries": 2,
            "status": "accepted",
        },
    )
    sent = {
        "1.6": {
            "listVersion": 3,
            "updateType": "Full",
            "localAuthorizationList": [
                {
                    "idTag": "TAG-1",
                    "idTagInfo": {"status": "Accepted", "expiryDate": "2030-01-01T00:00:00Z"},
                },
                {"idTag": "TAG-2", "idTagInfo": {"status": "Blocked", "parentIdTag": "FLEET"}},
            ],
        },
        "2.0.1": {
            "versionNumber": 3,
            "updateType": "Full",
            "localAuthorizationList": [
                {
                    "idToken": {"idToken": "TAG-1", "type": "Central"},
                    "idTokenInfo": {
                        "status": "Accepted",
                        "cacheExpiryDateTime": "2030-01-01T00:00:00Z",
                    },
                },
                {
                    "idToken": {"idToken": "TAG-2", "type": "Central"},
                    "idTokenInfo": {
                        "status": "Blocked",
                        "groupIdToken": {"idToken": "FLEET", "type": "Central"},
                    },
                },
            ],
        },
    }
    assert lab.last_call() == ("SendLocalList", sent[version])
    assert await _post(lab, version, "local-list/version") == (
        200,
        {"chargeBoxId": ID[version], "listVersion": 3},
    )

    removal = {"listVersion": 4, "updateType": "Differential", "entries": [{"idTag": "TAG-2"}]}
    status, answer = await _post(lab, version, "local-list", removal)
    assert (status, answer["status"]) == (200, "accepted")
    _, sent_removal = lab.last_call()
    [entry] = sent_removal["localAuthorizationList"]
    assert list(entry) == [{"1.6": "idTag", "2.0.1": "idToken"}[version]]  # no info: removed
    assert (await _post(lab, version, "local-list/version"))[1]["listVersion"] == 4


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"listVersion": 1, "updateType": "Full", "entries": [{"idTag": "A"}]},
            "a Full list gives every entry a status; without one: A",
        ),
        (
            {
                "listVersion": 1,
                "updateType": "Differential",
                "entries": [{"idTag": "A"}, {"idTag": "A", "status": "Accepted"}],
            },
            "an id tag appears once in a list; twice: A",
        ),
    ],
    ids=["full-without-status", "twice"],
)
async def test_a_list_that_breaks_a_rule_is_refused_unsent(
    lab: ApiLab, version: str, body: Any, detail: str
) -> None:
    assert await _post(lab, version, "local-list", body) == (422, {"detail": detail})
    assert lab.registry.sent == []


async def test_a_status_1_6_does_not_have_is_refused_by_its_schema(lab: ApiLab) -> None:
    await lab.station("CP-16", V16)
    lab.registry.sent.clear()
    body = {
        "listVersion": 1,
        "updateType": "Full",
        "entries": [{"idTag": "A", "status": "NoCredit"}],
    }
    status, answer = await _post(lab, "1.6", "local-list", body)
    assert status == 422
    assert answer["detail"].startswith("not valid for the charger's OCPP version: SendLocalList:")


# -- smart charging ----------------------------------------------------------------------------

START = "2026-01-01T00:00:00Z"


def _profile(**fields: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "id": 100,
        "stackLevel": 0,
        "purpose": "TxDefaultProfile",
        "kind": "Absolute",
        "schedule": {
            "chargingRateUnit": "A",
            "startSchedule": START,
            "periods": [{"startPeriod": 0, "limit": 16}, {"startPeriod": 3600, "limit": 8}],
        },
    }
    profile.update(fields)
    return profile


async def test_k01_a_profile_in_each_version_s_shape(lab: ApiLab, version: str) -> None:
    body = {"connectorId": 1, "chargingProfile": _profile()}
    assert await _post(lab, version, "charging-profile", body) == (
        200,
        {
            "message": "Charging profile accepted by charger",
            "chargeBoxId": ID[version],
            "connectorId": 1,
            "chargingProfileId": 100,
            "status": "accepted",
        },
    )
    schedule = {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16.0},
            {"startPeriod": 3600, "limit": 8.0},
        ],
        "startSchedule": START,
    }
    sent = {
        "1.6": {
            "connectorId": 1,
            "csChargingProfiles": {
                "chargingProfileId": 100,
                "chargingProfilePurpose": "TxDefaultProfile",
                "stackLevel": 0,
                "chargingProfileKind": "Absolute",
                "chargingSchedule": schedule,
            },
        },
        "2.0.1": {
            "evseId": 1,
            "chargingProfile": {
                "id": 100,
                "chargingProfilePurpose": "TxDefaultProfile",
                "stackLevel": 0,
                "chargingProfileKind": "Absolute",
                "chargingSchedule": [{"id": 100, **schedule}],
            },
        },
    }
    assert lab.last_call() == ("SetChargingProfile", sent[version])


async def test_k08_the_composite_schedule_in_one_shape(lab: ApiLab, version: str) -> None:
    profile = _profile(
        kind="Relative",
        schedule={"chargingRateUnit": "A", "periods": [{"startPeriod": 0, "limit": 10}]},
    )
    await _post(lab, version, "charging-profile", {"connectorId": 1, "chargingProfile": profile})
    body = {"connectorId": 1, "duration": 600, "chargingRateUnit": "A"}
    status, answer = await _post(lab, version, "composite-schedule", body)
    assert (status, answer["status"], answer["connectorId"]) == (200, "accepted", 1)
    assert answer["scheduleStart"] is not None
    schedule = answer["schedule"]
    assert (schedule["chargingRateUnit"], schedule["duration"]) == ("A", 600)
    assert schedule["periods"][0]["startPeriod"] == 0
    assert min(period["limit"] for period in schedule["periods"]) <= 10
    sent = {"1.6": {"connectorId": 1}, "2.0.1": {"evseId": 1}}[version]
    assert lab.last_call() == (
        "GetCompositeSchedule",
        {**sent, "duration": 600, "chargingRateUnit": "A"},
    )


async def test_k10_clear_by_id_then_nothing_left_to_clear(lab: ApiLab, version: str) -> None:
    await _post(lab, version, "charging-profile", {"connectorId": 1, "chargingProfile": _profile()})
    assert (await _post(lab, version, "charging-profile/clear", {"id": 100}))[1]["status"] == (
        "accepted"
    )
    sent = {"1.6": {"id": 100}, "2.0.1": {"chargingProfileId": 100}}[version]
    assert lab.last_call() == ("ClearChargingProfile", sent)
    status, answer = await _post(lab, version, "charging-profile/clear", {"id": 100})
    assert (status, answer["status"]) == (200, "unknown")


async def test_a_station_wide_profile_is_named_as_the_version_names_it(
    lab: ApiLab, version: str
) -> None:
    profile = _profile(purpose="ChargePointMaxProfile")
    body = {"connectorId": 0, "chargingProfile": profile}
    assert (await _post(lab, version, "charging-profile", body))[0] == 200
    _, sent = lab.last_call()
    purpose = {
        "1.6": sent.get("csChargingProfiles", {}).get("chargingProfilePurpose"),
        "2.0.1": sent.get("chargingProfile", {}).get("chargingProfilePurpose"),
    }[version]
    expected = {"1.6": "ChargePointMaxProfile", "2.0.1": "ChargingStationMaxProfile"}[version]
    assert purpose == expected


@pytest.mark.parametrize(
    ("connector", "profile", "detail"),
    [
        (
            1,
            _profile(
                schedule={
                    "chargingRateUnit": "A",
                    "startSchedule": START,
                    "periods": [{"startPeriod": 60, "limit": 1}],
                }
            ),
            "the first period of a schedule starts at 0",
        ),
        (
            1,
            _profile(
                schedule={
                    "chargingRateUnit": "A",
                    "startSchedule": START,
                    "periods": [
                        {"startPeriod": 0, "limit": 1},
                        {"startPeriod": 600, "limit": 1},
                        {"startPeriod": 300, "limit": 1},
                    ],
                }
            ),
            "periods start in increasing order, not [0, 600, 300]",
        ),
        (1, _profile(kind="Recurring"), "a Recurring profile, and only it, names its recurrency"),
        (1, _profile(recurrency="Daily"), "a Recurring profile, and only it, names its recurrency"),
        (
            1,
            _profile(
                schedule={"chargingRateUnit": "W", "periods": [{"startPeriod": 0, "limit": 1}]}
            ),
            "an Absolute profile needs a startSchedule",
        ),
        (
            1,
            _profile(kind="Relative"),
            "a Relative profile has no startSchedule: it starts with charging",
        ),
        (
            1,
            _profile(purpose="TxProfile"),
            "a TxProfile names the transaction it limits (transactionId)",
        ),
        (
            0,
            _profile(purpose="TxProfile", transactionId="1"),
            "a TxProfile is set on the connector of its transaction, not 0",
        ),
        (
            1,
            _profile(transactionId="1"),
            "only a TxProfile names a transaction, not a TxDefaultProfile",
        ),
        (
            1,
            _profile(purpose="ChargingStationMaxProfile"),
            "a ChargingStationMaxProfile is set on connector 0, the whole station",
        ),
        (
            1,
            _profile(validFrom="2026-02-01T00:00:00Z", validTo="2026-01-01T00:00:00Z"),
            "validFrom comes before validTo",
        ),
    ],
)
async def test_a_profile_that_breaks_a_rule_is_refused_unsent(
    lab: ApiLab, version: str, connector: int, profile: Any, detail: str
) -> None:
    body = {"connectorId": connector, "chargingProfile": profile}
    assert await _post(lab, version, "charging-profile", body) == (422, {"detail": detail})
    assert lab.registry.sent == []


async def test_a_1_6_tx_profile_names_an_integer_transaction(lab: ApiLab) -> None:
    await lab.station("CP-16", V16)
    lab.registry.sent.clear()
    profile = _profile(purpose="TxProfile", transactionId="abc")
    status, answer = await _post(
        lab, "1.6", "charging-profile", {"connectorId": 1, "chargingProfile": profile}
    )
    assert (status, answer) == (422, {"detail": "a 1.6 transactionId is an integer, not 'abc'"})
    assert lab.registry.sent == []


# -- OCPP 2.1's words ----------------------------------------------------------------------------

DYNAMIC = {
    "kind": "Dynamic",
    "schedule": {"chargingRateUnit": "W", "periods": [{"startPeriod": 0, "limit": 11000}]},
}


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"purpose": "PriorityCharging"}, "PriorityCharging"),
        ({"purpose": "LocalGeneration"}, "LocalGeneration"),
        (DYNAMIC, "kind Dynamic"),
        ({**DYNAMIC, "dynUpdateInterval": 60}, "kind Dynamic and dynUpdateInterval"),
    ],
)
async def test_a_profile_in_2_1_s_words_is_refused_unsent_to_an_older_station(
    lab: ApiLab, version: str, fields: dict[str, Any], words: str
) -> None:
    body = {"connectorId": 1, "chargingProfile": _profile(**fields)}
    assert await _post(lab, version, "charging-profile", body) == (
        422,
        {"detail": f"{words}: OCPP 2.1 only; this station speaks OCPP {version}"},
    )
    clear = await _post(lab, version, "charging-profile/clear", {"purpose": "PriorityCharging"})
    assert clear == (
        422,
        {"detail": f"PriorityCharging: OCPP 2.1 only; this station speaks OCPP {version}"},
    )
    assert lab.registry.sent == []


async def test_only_a_dynamic_profile_has_a_dyn_update_interval(lab: ApiLab) -> None:
    await lab.station("CS-21", V21)
    lab.registry.sent.clear()
    body = {"connectorId": 1, "chargingProfile": _profile(dynUpdateInterval=60)}
    response = await lab.post("CS-21", "charging-profile", body)
    assert (response.status_code, response.json()) == (
        422,
        {"detail": "only a Dynamic profile has a dynUpdateInterval: the others are never updated"},
    )
    assert lab.registry.sent == []


async def test_k28_a_dynamic_profile_goes_to_a_2_1_station_in_its_words(lab: ApiLab) -> None:
    await lab.station("CS-21", V21)
    lab.registry.sent.clear()
    profile = _profile(purpose="TxDefaultProfile", dynUpdateInterval=60, **DYNAMIC)
    response = await lab.post(
        "CS-21", "charging-profile", {"connectorId": 1, "chargingProfile": profile}
    )
    assert response.status_code == 200, response.text
    assert lab.last_call() == (
        "SetChargingProfile",
        {
            "evseId": 1,
            "chargingProfile": {
                "id": 100,
                "chargingProfilePurpose": "TxDefaultProfile",
                "stackLevel": 0,
                "chargingProfileKind": "Dynamic",
                "dynUpdateInterval": 60,
                "chargingSchedule": [
                    {
                        "id": 100,
                        "chargingRateUnit": "W",
                        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0}],
                    }
                ],
            },
        },
    )
