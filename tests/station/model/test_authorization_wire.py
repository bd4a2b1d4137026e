"""IdToken and IdTokenInfo, and their wire shapes: 1.6 IdTagInfo (section 7.27), 2.0.1
IdTokenType and IdTokenInfoType, checked against the official schemas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chargeyard.protocol import V16, V201, OcppError
from chargeyard.station.model.authorization import (
    AuthorizationStatus,
    IdToken,
    IdTokenInfo,
    id_tag_info_from_ocpp16,
    id_tag_info_to_ocpp16,
    id_token_from_ocpp201,
    id_token_info_from_ocpp201,
    id_token_info_to_ocpp201,
    id_token_to_ocpp201,
)

A = AuthorizationStatus
NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_7_28_id_tokens_compare_case_insensitively_and_by_type() -> None:
    assert IdToken("04a2b3c4") == IdToken("04A2B3C4")
    assert hash(IdToken("04a2b3c4")) == hash(IdToken("04A2B3C4"))
    assert IdToken("04A2B3C4", "ISO14443") != IdToken("04A2B3C4", "Central")
    assert {IdToken("abc"), IdToken("ABC"), IdToken("abc", "KeyCode")} == {
        IdToken("ABC"),
        IdToken("abc", "KeyCode"),
    }
    assert IdToken("abc") != "abc"


def test_id_token_info_is_valid_until_its_expiry_is_reached() -> None:
    info = IdTokenInfo(A.ACCEPTED, NOON)
    assert info.is_valid_at(NOON - timedelta(microseconds=1))
    assert not info.is_valid_at(NOON)  # at the instant of expiry it is expired
    assert info.as_seen_at(NOON) == IdTokenInfo(A.EXPIRED, NOON)
    assert info.as_seen_at(NOON - timedelta(seconds=1)) is info
    already = IdTokenInfo(A.EXPIRED, NOON)
    assert already.as_seen_at(NOON) is already
    assert IdTokenInfo(A.ACCEPTED).is_valid_at(NOON)  # no expiry: no end date (7.27)
    assert not IdTokenInfo(A.BLOCKED).is_valid_at(NOON)
    assert not IdTokenInfo(A.CONCURRENT_TX).is_valid_at(NOON)


def test_id_token_info_takes_status_strings_and_refuses_naive_times() -> None:
    assert IdTokenInfo("Accepted").status is A.ACCEPTED  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Accepted!"):
        IdTokenInfo("Accepted!")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone-aware"):
        IdTokenInfo(A.ACCEPTED, datetime(2026, 3, 1, 12, 0))


def test_group_id_is_the_parent_id_or_the_group_token_value() -> None:
    assert IdTokenInfo(A.ACCEPTED, parent_id="FLEET").group_id == "FLEET"
    grouped = IdTokenInfo(A.ACCEPTED, group_id_token=IdToken("FLEET", "Central"))
    assert grouped.group_id == "FLEET"
    assert IdTokenInfo(A.ACCEPTED).group_id is None


def test_7_27_id_tag_info_from_ocpp16() -> None:
    payload = {"status": "Accepted", "expiryDate": "2026-03-01T13:00:00+01:00", "parentIdTag": "P"}
    info = id_tag_info_from_ocpp16(payload)
    assert info == IdTokenInfo(A.ACCEPTED, NOON, "P")
    assert info.expires_at is not None
    assert info.expires_at.tzinfo is UTC
    assert id_tag_info_from_ocpp16({"status": "Blocked"}) == IdTokenInfo(A.BLOCKED)


def test_7_27_id_tag_info_to_ocpp16_validates_as_authorize_conf() -> None:
    info = IdTokenInfo(A.ACCEPTED, NOON.astimezone(timezone(timedelta(hours=2))), "FLEET")
    payload = id_tag_info_to_ocpp16(info)
    assert payload == {
        "status": "Accepted",
        "expiryDate": "2026-03-01T12:00:00.000Z",
        "parentIdTag": "FLEET",
    }
    V16.schemas.check_response("Authorize", {"idTagInfo": payload})
    V16.schemas.check_response("StartTransaction", {"idTagInfo": payload, "transactionId": 7})
    assert id_tag_info_from_ocpp16(payload) == IdTokenInfo(A.ACCEPTED, NOON, "FLEET")


@pytest.mark.parametrize(
    ("status", "wire"),
    [
        (A.UNKNOWN, "Invalid"),
        (A.NO_CREDIT, "Blocked"),
        (A.NOT_ALLOWED_TYPE_EVSE, "Blocked"),
        (A.NOT_AT_THIS_LOCATION, "Blocked"),
        (A.NOT_AT_THIS_TIME, "Blocked"),
        (A.CONCURRENT_TX, "ConcurrentTx"),
        (A.EXPIRED, "Expired"),
    ],
)
def test_7_2_statuses_without_a_16_word_take_the_nearest(status: A, wire: str) -> None:
    payload = id_tag_info_to_ocpp16(IdTokenInfo(status))
    assert payload == {"status": wire}
    V16.schemas.check_response("Authorize", {"idTagInfo": payload})


def test_2_0_1_group_token_becomes_the_16_parent_id() -> None:
    info = IdTokenInfo(A.ACCEPTED, group_id_token=IdToken("FLEET", "Central"))
    assert id_tag_info_to_ocpp16(info) == {"status": "Accepted", "parentIdTag": "FLEET"}


def test_16_send_local_list_built_from_infos_validates() -> None:
    entries = [
        (IdToken("AA11"), IdTokenInfo(A.ACCEPTED, NOON, "FLEET")),
        (IdToken("BB22"), IdTokenInfo(A.BLOCKED)),
    ]
    V16.schemas.check_request(
        "SendLocalList",
        {
            "listVersion": 3,
            "updateType": "Full",
            "localAuthorizationList": [
                {"idTag": token.value, "idTagInfo": id_tag_info_to_ocpp16(info)}
                for token, info in entries
            ],
        },
    )


def test_16_schema_catches_a_parent_id_too_long_for_16() -> None:
    info = IdTokenInfo(A.ACCEPTED, parent_id="X" * 21)
    with pytest.raises(OcppError):
        V16.schemas.check_response("Authorize", {"idTagInfo": id_tag_info_to_ocpp16(info)})


def test_2_0_1_id_token_round_trip() -> None:
    payload = {"idToken": "04A2B3C4", "type": "ISO14443"}
    assert id_token_from_ocpp201(payload) == IdToken("04A2B3C4", "ISO14443")
    assert id_token_to_ocpp201(IdToken("EMP77", "KeyCode")) == {
        "idToken": "EMP77",
        "type": "KeyCode",
    }
    V201.schemas.check_request("Authorize", {"idToken": id_token_to_ocpp201(IdToken("EMP77"))})


def test_2_0_1_id_token_info_from_ocpp201() -> None:
    payload = {
        "status": "NotAtThisTime",
        "cacheExpiryDateTime": "2026-03-01T12:00:00Z",
        "groupIdToken": {"idToken": "FLEET", "type": "Central"},
        "chargingPriority": 3,
    }
    assert id_token_info_from_ocpp201(payload) == IdTokenInfo(
        A.NOT_AT_THIS_TIME, NOON, group_id_token=IdToken("FLEET", "Central")
    )


def test_2_0_1_id_token_info_to_ocpp201_validates_as_authorize_response() -> None:
    info = IdTokenInfo(A.NO_CREDIT, NOON, group_id_token=IdToken("FLEET", "Central"))
    payload = id_token_info_to_ocpp201(info)
    assert payload == {
        "status": "NoCredit",
        "cacheExpiryDateTime": "2026-03-01T12:00:00.000Z",
        "groupIdToken": {"idToken": "FLEET", "type": "Central"},
    }
    V201.schemas.check_response("Authorize", {"idTokenInfo": payload})
    assert id_token_info_from_ocpp201(payload) == info


def test_2_0_1_bare_parent_id_becomes_a_central_group_token() -> None:
    payload = id_token_info_to_ocpp201(IdTokenInfo(A.ACCEPTED, parent_id="FLEET"))
    assert payload == {
        "status": "Accepted",
        "groupIdToken": {"idToken": "FLEET", "type": "Central"},
    }
    V201.schemas.check_response("Authorize", {"idTokenInfo": payload})


def test_d01_send_local_list_built_from_infos_validates() -> None:
    token = IdToken("AA11", "ISO14443")
    V201.schemas.check_request(
        "SendLocalList",
        {
            "versionNumber": 4,
            "updateType": "Differential",
            "localAuthorizationList": [
                {
                    "idToken": id_token_to_ocpp201(token),
                    "idTokenInfo": id_token_info_to_ocpp201(IdTokenInfo(A.ACCEPTED, NOON)),
                },
                {"idToken": id_token_to_ocpp201(IdToken("BB22", "ISO14443"))},
            ],
        },
    )


def test_wire_times_without_an_offset_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        id_tag_info_from_ocpp16({"status": "Accepted", "expiryDate": "2026-03-01T12:00:00"})
