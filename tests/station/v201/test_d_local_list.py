"""OCPP 2.0.1 D: local authorization list management (D01 SendLocalList, D02
GetLocalListVersion), and the list at work in authorization (C12-C14)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chargeyard.station.model.authorization import AuthorizationStatus, IdToken
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import events, set_variable, tag


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _entry(token: str, status: str | None = "Accepted", **info: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"idToken": tag(token)}
    if status is not None:
        item["idTokenInfo"] = {"status": status, **info}
    return item


def _send(link: Link, version: int, update: str, *items: dict[str, Any]) -> Any:
    payload: dict[str, Any] = {"versionNumber": version, "updateType": update}
    if items:
        payload["localAuthorizationList"] = list(items)
    return link.call_station("SendLocalList", payload)


def _version(link: Link) -> Any:
    return link.call_station("GetLocalListVersion", {})


def _entries_variable(link: Link) -> str:
    answer = link.call_station(
        "GetVariables",
        {
            "getVariableData": [
                {"component": {"name": "LocalAuthListCtrlr"}, "variable": {"name": "Entries"}}
            ]
        },
    )
    value: str = answer["getVariableResult"][0]["attributeValue"]
    return value


def test_d02_get_local_list_version_is_0_without_a_list(online: Link) -> None:
    assert _version(online) == {"versionNumber": 0}
    assert _entries_variable(online) == "0"


def test_d01_full_update_replaces_the_list_and_counts_entries(online: Link) -> None:
    station = _station(online)
    assert _send(online, 3, "Full", _entry("TAG-1"), _entry("TAG-2", "Blocked")) == {
        "status": "Accepted"
    }
    assert _version(online) == {"versionNumber": 3}
    assert _entries_variable(online) == "2"  # LocalAuthListCtrlr.Entries, Actual
    assert _send(online, 4, "Full", _entry("TAG-3")) == {"status": "Accepted"}
    assert list(station.model.local_list.entries()) == [IdToken("TAG-3")]
    assert _version(online) == {"versionNumber": 4}
    assert online.csms.actions() == []  # nothing is sent for an update


def test_d01_full_update_keeps_the_group_and_expiry_of_each_token(online: Link) -> None:
    station = _station(online)
    item = _entry(
        "TAG-1",
        cacheExpiryDateTime="2026-02-01T00:00:00.000Z",
        groupIdToken=tag("FLEET-A", "Central"),
    )
    assert _send(online, 1, "Full", item) == {"status": "Accepted"}
    info = station.model.local_list.get(IdToken("TAG-1"))
    assert info is not None
    assert (info.status, info.group_id) == (AuthorizationStatus.ACCEPTED, "FLEET-A")
    assert info.expires_at == datetime(2026, 2, 1, tzinfo=UTC)


def test_d01_differential_update_adds_updates_and_removes(online: Link) -> None:
    station = _station(online)
    _send(online, 1, "Full", _entry("TAG-1"), _entry("TAG-2"))
    answer = _send(online, 2, "Differential", _entry("TAG-2", "Blocked"), _entry("TAG-1", None))
    assert answer == {"status": "Accepted"}
    listed = station.model.local_list.entries()
    assert list(listed) == [IdToken("TAG-2")]
    assert listed[IdToken("TAG-2")].status is AuthorizationStatus.BLOCKED
    # An empty differential update changes only the version (D01.FR.05).
    assert _send(online, 5, "Differential") == {"status": "Accepted"}
    assert _version(online) == {"versionNumber": 5}
    assert len(station.model.local_list) == 1


def test_d01_differential_update_not_above_the_version_is_a_mismatch(online: Link) -> None:
    _send(online, 4, "Full", _entry("TAG-1"))
    assert _send(online, 4, "Differential", _entry("TAG-2")) == {"status": "VersionMismatch"}
    assert _send(online, 3, "Differential", _entry("TAG-2")) == {"status": "VersionMismatch"}
    assert _version(online) == {"versionNumber": 4}
    assert _entries_variable(online) == "1"


def test_d01_malformed_or_too_long_updates_fail_and_change_nothing(online: Link) -> None:
    station = _station(online)
    _send(online, 1, "Full", _entry("TAG-1"))
    # A Full update entry needs its idTokenInfo; a token may appear once (D01.FR.06); a list
    # version is above 0 (D01.FR.18); LocalAuthListCtrlr.ItemsPerMessage is 100.
    assert _send(online, 2, "Full", _entry("TAG-2", None)) == {"status": "Failed"}
    assert _send(online, 2, "Full", _entry("TAG-2"), _entry("tag-2")) == {"status": "Failed"}
    assert _send(online, 0, "Full", _entry("TAG-2")) == {"status": "Failed"}
    many = [_entry(f"TAG-{n}") for n in range(101)]
    assert _send(online, 2, "Full", *many) == {"status": "Failed"}
    assert list(station.model.local_list.entries()) == [IdToken("TAG-1")]
    assert _version(online) == {"versionNumber": 1}
    assert _send(online, 2, "Full", *many[:100]) == {"status": "Accepted"}


def test_d01_a_full_update_without_entries_empties_the_list(online: Link) -> None:
    _send(online, 7, "Full", _entry("TAG-1"))
    assert _send(online, 0, "Full") == {"status": "Accepted"}
    assert _version(online) == {"versionNumber": 0}
    assert _entries_variable(online) == "0"


def test_d01_a_disabled_list_fails_updates_and_is_not_used(online: Link) -> None:
    station = _station(online)
    _send(online, 1, "Full", _entry("TAG-1"))
    assert set_variable(online, "LocalAuthListCtrlr", "Enabled", "false") == "Accepted"
    # 2.0.1 has no NotSupported: Failed, and the list stays as it was.
    assert _send(online, 2, "Full", _entry("TAG-2")) == {"status": "Failed"}
    assert _version(online) == {"versionNumber": 0}  # D02.FR.03: as if there were none
    set_variable(online, "AuthCtrlr", "LocalPreAuthorize", "true")
    online.csms.clear()
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    assert online.csms.payloads("Authorize") == [{"idToken": tag()}]  # the list is not asked


def test_d02_an_enabled_list_again_is_the_one_it_was(online: Link) -> None:
    _send(online, 5, "Full", _entry("TAG-1"))
    assert set_variable(online, "LocalAuthListCtrlr", "Enabled", "false") == "Accepted"
    assert _version(online) == {"versionNumber": 0}
    assert set_variable(online, "LocalAuthListCtrlr", "Enabled", "true") == "Accepted"
    assert _version(online) == {"versionNumber": 5}
    assert _entries_variable(online) == "1"


def test_d01_a_listed_token_starts_without_authorize_under_local_pre_authorize(
    online: Link,
) -> None:
    station = _station(online)
    _send(online, 1, "Full", _entry("TAG-1"))
    set_variable(online, "AuthCtrlr", "LocalPreAuthorize", "true")
    online.csms.clear()
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    assert "Authorize" not in online.csms.actions()
    assert [e["eventType"] for e in events(online)] == ["Started", "Updated"]
    assert events(online)[0]["idToken"] == tag()


def test_d01_a_listed_token_starts_offline(online: Link) -> None:
    station = _station(online)
    _send(online, 1, "Full", _entry("TAG-1"), _entry("TAG-2", "Blocked"))
    station.go_offline()
    online.follow_station()
    station.plug(1, 1)
    station.present_id_token("TAG-2")  # C13: a listed token that is not valid is refused
    assert station.model.evses[1].transaction is None
    station.present_id_token("TAG-1")  # C12 / LocalAuthorizeOffline
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    assert transaction.id_token == IdToken("TAG-1")
