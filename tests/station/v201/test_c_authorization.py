"""OCPP 2.0.1 C: authorization of a presented token, the cache, offline authorization."""

from __future__ import annotations

import pytest

from chargeyard.protocol import OcppError, Payload
from chargeyard.station.model.authorization import AuthorizationStatus, IdToken
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.conftest import accept_token
from tests.station.v201.support import events, set_variable, statuses, tag


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def test_c01_a_refused_token_starts_nothing_and_is_cached(online: Link) -> None:
    online.csms.answers["Authorize"] = lambda p: {"idTokenInfo": {"status": "Invalid"}}
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-X", type="ISO15693")
    online.pump()
    assert online.csms.payloads("Authorize") == [{"idToken": tag("TAG-X", "ISO15693")}]
    assert events(online) == []
    assert statuses(online) == [(1, 1, "Occupied")]
    cached = station.model.cache.get(IdToken("TAG-X", "ISO15693"), station.clock.now())
    assert cached is not None
    assert cached.status is AuthorizationStatus.INVALID
    # The EVSE is free for the next driver.
    online.csms.answers["Authorize"] = accept_token
    station.present_id_token("TAG-1")
    online.pump()
    assert [e["eventType"] for e in events(online)] == ["Started", "Updated"]


def test_c12_cached_token_with_local_pre_authorize_needs_no_authorize(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")  # Authorize, answer cached
    online.pump()
    station.present_id_token("TAG-1")  # stop
    station.unplug(1, 1)
    set_variable(online, "AuthCtrlr", "LocalPreAuthorize", "true")
    online.csms.clear()
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    assert online.csms.actions() == ["StatusNotification", "TransactionEvent", "TransactionEvent"]
    assert events(online)[0]["idToken"] == tag()


def test_c13_offline_a_cached_token_starts_with_local_authorize_offline(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    station.present_id_token("TAG-1")
    online.pump()
    online.drop()
    online.auto_reconnect = False
    online.csms.clear()
    station.present_id_token("TAG-1")  # the cable is still in: a new session
    assert station.model.evses[1].transaction is not None
    online.connect()
    started = events(online)[0]
    assert (started["eventType"], started["offline"], started["idToken"]) == (
        "Started",
        True,
        tag(),
    )


@pytest.mark.parametrize("allowed", [False, True])
def test_c15_offline_an_unknown_token_starts_only_if_allowed(online: Link, allowed: bool) -> None:
    set_variable(online, "AuthCtrlr", "OfflineTxForUnknownIdEnabled", str(allowed).lower())
    station = _station(online)
    station.plug(1, 1)
    online.drop()
    online.auto_reconnect = False
    station.present_id_token("NEVER-SEEN")
    assert (station.model.evses[1].transaction is not None) is allowed


def test_c_auth_ctrlr_disabled_charges_without_authorization(online: Link) -> None:
    set_variable(online, "AuthCtrlr", "Enabled", "false")
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("ANYONE")
    online.pump()
    assert "Authorize" not in online.csms.actions()
    assert events(online)[0]["idToken"] == tag("ANYONE")


def test_c_no_free_evse_is_an_error_for_the_gateway(online: Link) -> None:
    station = _station(online)
    station.present_id_token("TAG-1")  # authorized, waiting for its cable: no transaction
    online.pump()
    with pytest.raises(OcppError):
        station.present_id_token("TAG-2")


def _groups(online: Link, answers: dict[str, dict[str, object]]) -> None:
    def authorize(payload: Payload) -> Payload:
        return {"idTokenInfo": answers[payload["idToken"]["idToken"]]}

    online.csms.answers["Authorize"] = authorize


GROUP = {"idToken": "GROUP-1", "type": "Central"}


def test_c09_an_unknown_token_of_the_starters_group_is_asked_then_stops(online: Link) -> None:
    _groups(
        online,
        {
            "TAG-1": {"status": "Accepted", "groupIdToken": GROUP},
            "TAG-2": {"status": "Accepted", "groupIdToken": GROUP},
        },
    )
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    online.csms.clear()
    station.present_id_token("TAG-2")  # C09.FR.05: not in the cache or list: asked first
    online.pump()
    assert online.csms.actions() == ["Authorize", "TransactionEvent"]
    [ended] = events(online)
    assert (ended["eventType"], ended["triggerReason"], ended["idToken"]) == (
        "Ended",
        "StopAuthorized",
        tag("TAG-2"),
    )
    assert ended["transactionInfo"]["stoppedReason"] == "Local"


@pytest.mark.parametrize(
    "answer",
    [
        {"status": "Accepted"},  # of no group (C01.FR.03)
        {"status": "Invalid", "groupIdToken": GROUP},  # C09.FR.11
    ],
)
def test_c09_fr_11_another_token_is_asked_and_changes_nothing(
    online: Link, answer: dict[str, object]
) -> None:
    _groups(online, {"TAG-1": {"status": "Accepted", "groupIdToken": GROUP}, "TAG-2": answer})
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    online.csms.clear()
    station.present_id_token("TAG-2")
    online.pump()
    assert online.csms.actions() == ["Authorize"]
    assert station.model.evses[1].transaction is not None


def test_c11_clear_cache(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    assert len(station.model.cache) == 1
    assert online.call_station("ClearCache", {}) == {"status": "Accepted"}
    assert len(station.model.cache) == 0
    set_variable(online, "AuthCacheCtrlr", "Enabled", "false")
    assert online.call_station("ClearCache", {}) == {"status": "Rejected"}
