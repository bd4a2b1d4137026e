"""OCPP 1.6 Local Auth List Management profile (sections 3.5, 5.10, 5.15), and the list at work
when a driver presents a tag."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link

ACCEPTED = {"status": "Accepted"}


def entry(id_tag: str, status: str | None = "Accepted", **info: str) -> dict[str, Any]:
    """An AuthorizationData; ``status`` None leaves idTagInfo out (a Differential removal)."""
    if status is None:
        return {"idTag": id_tag}
    return {"idTag": id_tag, "idTagInfo": {"status": status, **info}}


def send_list(link: Link, version: int, update: str, *entries: dict[str, Any]) -> Any:
    payload: dict[str, Any] = {"listVersion": version, "updateType": update}
    if entries:
        payload["localAuthorizationList"] = list(entries)
    return link.call_station("SendLocalList", payload)


def list_version(link: Link) -> Any:
    return link.call_station("GetLocalListVersion", {})["listVersion"]


def station_with(clock: ManualClock, **configuration: str) -> StationV16:
    template = load_catalog().template("alfen-eve-single-pro-line")
    template = dataclasses.replace(
        template, default_configuration={**template.default_configuration, **configuration}
    )
    ids = itertools.count(1)
    return StationV16(
        "CP-1", template, clock=clock, new_id=lambda: f"m{next(ids)}", energy_wh=1000.0
    )


# -- SendLocalList and GetLocalListVersion ------------------------------------------------------


def test_5_10_a_new_station_has_version_0(online: Link) -> None:
    assert online.call_station("GetLocalListVersion", {}) == {"listVersion": 0}


def test_5_15_full_update_replaces_the_list(online: Link, station: StationV16) -> None:
    assert send_list(online, 1, "Full", entry("TAG-1"), entry("TAG-2", "Blocked")) == ACCEPTED
    assert list_version(online) == 1
    assert send_list(online, 2, "Full", entry("TAG-3", parentIdTag="FLEET")) == ACCEPTED
    assert list_version(online) == 2
    assert sorted(token.value for token in station.model.local_list.entries()) == ["TAG-3"]


def test_5_15_differential_update_adds_changes_and_removes(
    online: Link, station: StationV16
) -> None:
    send_list(online, 1, "Full", entry("TAG-1"), entry("TAG-2"))
    answer = send_list(online, 2, "Differential", entry("TAG-1", None), entry("TAG-2", "Blocked"))
    assert answer == ACCEPTED
    listed = {
        token.value: info.status.value for token, info in station.model.local_list.entries().items()
    }
    assert listed == {"TAG-2": "Blocked"}
    assert list_version(online) == 2


def test_5_15_differential_update_with_an_old_version_is_a_mismatch(
    online: Link, station: StationV16
) -> None:
    send_list(online, 5, "Full", entry("TAG-1"))
    assert send_list(online, 5, "Differential", entry("TAG-2")) == {"status": "VersionMismatch"}
    assert send_list(online, 4, "Differential", entry("TAG-2")) == {"status": "VersionMismatch"}
    assert list_version(online) == 5
    assert len(station.model.local_list) == 1


def test_7_1_full_update_entry_without_id_tag_info_fails(online: Link) -> None:
    send_list(online, 1, "Full", entry("TAG-1"))
    assert send_list(online, 2, "Full", entry("TAG-2"), entry("TAG-3", None)) == {
        "status": "Failed"
    }
    assert list_version(online) == 1  # all or nothing


def test_6_41_update_longer_than_send_local_list_max_length_fails(online: Link) -> None:
    # SendLocalListMaxLength is 100.
    too_many = [entry(f"TAG-{i}") for i in range(101)]
    assert send_list(online, 1, "Full", *too_many) == {"status": "Failed"}
    assert send_list(online, 1, "Full", *too_many[:100]) == ACCEPTED
    assert list_version(online) == 1


def test_9_2_list_cannot_grow_beyond_local_auth_list_max_length(clock: ManualClock) -> None:
    link = Link(station_with(clock, LocalAuthListMaxLength="3"), clock)
    link.connect()
    tags = [entry(f"TAG-{i}") for i in range(4)]
    assert send_list(link, 1, "Full", *tags) == {"status": "Failed"}
    assert send_list(link, 1, "Full", *tags[:3]) == ACCEPTED
    assert send_list(link, 2, "Differential", tags[3]) == {"status": "Failed"}
    # Replacing an entry does not grow the list.
    assert send_list(link, 2, "Differential", entry("TAG-0", "Blocked")) == ACCEPTED
    assert list_version(link) == 2


def test_5_15_not_supported_without_the_profile(clock: ManualClock) -> None:
    link = Link(station_with(clock, SupportedFeatureProfiles="Core,SmartCharging"), clock)
    link.connect()
    assert send_list(link, 1, "Full", entry("TAG-1")) == {"status": "NotSupported"}
    assert link.call_station("GetLocalListVersion", {}) == {"listVersion": -1}


def test_5_15_not_supported_while_local_auth_list_disabled(
    online: Link, station: StationV16
) -> None:
    send_list(online, 3, "Full", entry("TAG-1"))
    assert station.config.change("LocalAuthListEnabled", "false") == "Accepted"
    assert send_list(online, 4, "Full", entry("TAG-2")) == {"status": "NotSupported"}
    assert online.call_station("GetLocalListVersion", {}) == {"listVersion": -1}
    station.config.change("LocalAuthListEnabled", "true")
    assert list_version(online) == 3  # kept, untouched, while disabled


# -- the list at work ---------------------------------------------------------------------------


def test_3_5_local_pre_authorize_starts_without_authorize(
    online: Link, station: StationV16
) -> None:
    send_list(online, 1, "Full", entry("TAG-1"))
    station.config.change("LocalPreAuthorize", "true")
    online.csms.clear()
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    station.present_id_token("tag-1")  # idTags compare case-insensitively (section 7.28)
    online.pump()
    assert online.csms.actions() == ["StatusNotification", "StartTransaction", "StatusNotification"]
    assert online.csms.payloads("StartTransaction")[0]["idTag"] == "tag-1"


def test_3_5_without_local_pre_authorize_a_listed_tag_is_still_authorized_online(
    online: Link, station: StationV16
) -> None:
    send_list(online, 1, "Full", entry("TAG-1"))
    online.csms.clear()
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    assert online.csms.actions()[:3] == ["StatusNotification", "Authorize", "StartTransaction"]


def test_3_5_local_list_accepts_offline(online: Link, station: StationV16) -> None:
    send_list(online, 1, "Full", entry("TAG-1"))
    online.auto_reconnect = False
    online.drop()
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    station.present_id_token("TAG-1")  # LocalAuthorizeOffline is true
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    assert transaction.offline
    assert station.model.evses[1].connectors[1].status.value == "Charging"
    online.run_for(120)
    online.csms.clear()
    online.connect()
    start = online.csms.payloads("StartTransaction")
    assert start == [
        {
            "connectorId": 1,
            "idTag": "TAG-1",
            "meterStart": 1000,
            "timestamp": "2026-01-01T00:00:00.000Z",
        }
    ]


def test_3_5_4_a_blocked_list_entry_is_refused_offline_even_for_unknown_ids(
    online: Link, station: StationV16
) -> None:
    send_list(online, 1, "Full", entry("TAG-1", "Blocked"))
    station.config.change("AllowOfflineTxForUnknownId", "true")
    online.auto_reconnect = False
    online.drop()
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    assert station.model.evses[1].transaction is None
    station.present_id_token("TAG-UNKNOWN")  # unknown: let in by AllowOfflineTxForUnknownId
    assert station.model.evses[1].transaction is not None


def test_3_5_an_unlisted_tag_is_refused_offline(online: Link, station: StationV16) -> None:
    send_list(online, 1, "Full", entry("TAG-1"))
    online.auto_reconnect = False
    online.drop()
    station.plug(1, 1)
    station.present_id_token("TAG-2")
    assert station.model.evses[1].transaction is None
