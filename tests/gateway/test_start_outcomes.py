"""What start-session, authorize and start-transaction report, in OCPP terms: the station wired
to a scripted central system over an in-memory link, on a manual clock.

A start-session succeeds only when its transaction started with the tag accepted; otherwise it
fails with the OCPP reason and leaves the station as it found it (no transaction, the cable
out). It never plugs a cable into an EVSE held for someone else's start or reservation."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from chargeyard.gateway import starts
from chargeyard.gateway.commands import StartSessionPayload
from chargeyard.gateway.executor import Executor, Outcome
from chargeyard.gateway.starts import StartSettings
from chargeyard.protocol import Payload
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.terms import Setting
from chargeyard.station.v16 import StationV16
from chargeyard.station.v201 import StationV201
from chargeyard.station.verbs import verbs_of
from tests.station.harness import Link

GRACE_S = 10.0
VERSIONS = pytest.mark.parametrize("version", ["1.6", "2.0.1"])
OFFLINE_UNKNOWN_KEY = {
    "1.6": "AllowOfflineTxForUnknownId",
    "2.0.1": "AuthCtrlr.OfflineTxForUnknownIdEnabled",
}
STOP_ON_INVALID_KEY = {"1.6": "StopTransactionOnInvalidId", "2.0.1": "TxCtrlr.StopTxOnInvalidId"}
START_MESSAGE = {"1.6": "StartTransaction", "2.0.1": "TransactionEvent"}


def station_of(version: str, clock: ManualClock) -> SimulatedStation:
    ids = itertools.count(1)
    kind = StationV16 if version == "1.6" else StationV201
    return kind(
        "CP-1",
        load_catalog().template("alfen-eve-single-pro-line"),
        clock=clock,
        new_id=lambda: f"m{next(ids)}",
        energy_wh=1000.0,
    )


def authorize_answer(version: str, status: str, **extra: Any) -> Payload:
    """The central system's AuthorizeResponse (1.6 idTagInfo, 2.0.1 idTokenInfo)."""
    if version == "1.6":
        return {"idTagInfo": {"status": status, **extra}}
    return {"idTokenInfo": {"status": status, **extra}}


def online(version: str) -> Link:
    clock = ManualClock()
    link = Link(station_of(version, clock), clock)
    link.csms.answers["Authorize"] = lambda p: authorize_answer(version, "Accepted")
    link.connect()
    link.csms.clear()
    return link


def configure(link: Link, key: str, value: str) -> None:
    results = verbs_of(link.station).set_configuration([Setting(key, value)])
    assert results == {key: "Accepted"}


async def applied(
    link: Link, command: str, payload: dict[str, Any], *, run_for: float = 0.0
) -> Outcome:
    """Apply the command while the link carries the frames and ``run_for`` seconds pass."""
    executor = Executor(start_grace_s=GRACE_S)
    pending = asyncio.ensure_future(executor.apply(link.station, command, payload))
    await asyncio.sleep(0)  # it acts (plug, present the tag) and waits for the answers
    link.pump()
    link.run_for(run_for)
    async with asyncio.timeout(1):  # answered on the manual clock: nothing left to wait for
        return await pending


def evse(link: Link) -> Any:
    station: Any = link.station
    return station.model.evses[1]


def given_back(link: Link) -> bool:
    """No transaction runs on EVSE 1 and its cable is out."""
    return evse(link).transaction is None and not evse(link).connectors[1].cable_plugged


# -- start-session --------------------------------------------------------------------------------


@VERSIONS
async def test_an_accepted_tag_succeeds_with_its_transaction_id(version: str) -> None:
    link = online(version)
    outcome = await applied(link, "start_session", {"id_tag": "TAG1"})
    assert (outcome.ok, outcome.error) == (True, None)
    transaction = evse(link).transaction
    expected_id = "1" if version == "1.6" else transaction.local_id  # the CSMS's / the station's
    assert outcome.result == {
        "evse_id": 1,
        "connector_id": 1,
        "id_tag": "TAG1",
        "plugged": True,
        "authorization": {"status": "Accepted", "source": "CentralSystem"},
        "transaction_id": expected_id,
        "duration_seconds": None,
        "target_energy_kwh": None,
    }
    assert evse(link).connectors[1].status.value == "Charging"


@VERSIONS
async def test_a_tag_that_ended_a_transaction_begun_meanwhile_fails_saying_so(
    version: str,
) -> None:
    # The check found EVSE 1 free; before the tag was presented, a transaction of the same
    # tag began there (the driver at the station, an automatic session): the tag presented
    # again ends it (1.6 section 5.11, 2.0.1 E07), and the command says so.
    link = online(version)
    assert (await applied(link, "start_session", {"id_tag": "TAG1"})).ok
    running = evse(link).transaction
    pending = asyncio.ensure_future(
        starts.start_session(
            link.station, StartSessionPayload(id_tag="TAG1"), StartSettings(GRACE_S, 1.0), None
        )
    )
    await asyncio.sleep(0)
    link.pump()
    async with asyncio.timeout(1):
        reported = await pending
    stopped = "1" if version == "1.6" else running.local_id
    assert (reported.ok, reported.error) == (
        False,
        f"the tag ended transaction {stopped} on EVSE 1, begun meanwhile",
    )
    assert evse(link).transaction is None or evse(link).transaction is not running


@VERSIONS
@pytest.mark.parametrize(
    ("status", "extra"),
    [("Blocked", {}), ("Expired", {}), ("Blocked", {"parent": "FLEET-1"})],
    ids=["blocked", "expired", "blocked-parent"],
)
async def test_a_refused_tag_fails_with_the_status_and_the_cable_comes_out(
    version: str, status: str, extra: dict[str, str]
) -> None:
    link = online(version)
    parent: dict[str, Any] = {}
    if "parent" in extra:  # the central system refuses a tag whose group is blocked
        parent = (
            {"parentIdTag": extra["parent"]}
            if version == "1.6"
            else {"groupIdToken": {"idToken": extra["parent"], "type": "Central"}}
        )
    link.csms.answers["Authorize"] = lambda p: authorize_answer(version, status, **parent)
    outcome = await applied(link, "start_session", {"id_tag": "TAG1"})
    assert (outcome.ok, outcome.error) == (
        False,
        f"the central system answered Authorize with {status}",
    )
    assert outcome.result is not None
    assert outcome.result["authorization"] == {"status": status, "source": "CentralSystem"}
    assert (outcome.result["plugged"], outcome.result["transaction_id"]) == (True, None)
    assert given_back(link)
    assert START_MESSAGE[version] not in link.csms.actions()
    assert evse(link).connectors[1].status.value == "Available"


@VERSIONS
async def test_a_transaction_the_central_system_refuses_is_stopped_and_unplugged(
    version: str,
) -> None:
    # The station is told not to stop it itself (StopTransactionOnInvalidId false: it only
    # suspends), so the session's own undo is what ends it.
    link = online(version)
    configure(link, STOP_ON_INVALID_KEY[version], "false")
    if version == "1.6":
        link.csms.answers["StartTransaction"] = lambda p: {
            "transactionId": 41,
            "idTagInfo": {"status": "Invalid"},
        }
    else:
        link.csms.answers["TransactionEvent"] = lambda p: (
            {"idTokenInfo": {"status": "Invalid"}} if "idToken" in p else {}
        )
    outcome = await applied(link, "start_session", {"id_tag": "TAG1"})
    assert outcome.ok is False
    assert outcome.error == (
        f"the central system answered {START_MESSAGE[version]} with Invalid and the station "
        + {"1.6": "suspended it (StopTransactionOnInvalidId is false)"}.get(
            version, "suspended it (StopTxOnInvalidId is false)"
        )
    )
    assert outcome.result is not None
    assert outcome.result["authorization"] == {"status": "Invalid", "source": "CentralSystem"}
    started = link.csms.payloads("TransactionEvent")[:1]
    expected_id = "41" if version == "1.6" else started[0]["transactionInfo"]["transactionId"]
    assert outcome.result["transaction_id"] == expected_id
    link.pump()
    assert given_back(link)
    if version == "1.6":
        assert link.csms.payloads("StopTransaction")[-1]["reason"] == "DeAuthorized"
    else:
        ended = link.csms.payloads("TransactionEvent")[-1]
        assert (ended["eventType"], ended["transactionInfo"]["stoppedReason"]) == (
            "Ended",
            "DeAuthorized",
        )


@VERSIONS
async def test_no_answer_within_the_grace_fails_and_gives_the_cable_back(version: str) -> None:
    link = online(version)
    link.up = link.auto_reconnect = False  # the central system falls silent
    outcome = await applied(link, "start_session", {"id_tag": "TAG1"}, run_for=GRACE_S)
    assert (outcome.ok, outcome.error) == (False, "no authorization within 10 s")
    assert given_back(link)


@VERSIONS
async def test_offline_an_unknown_tag_is_refused_by_the_offline_rule(version: str) -> None:
    link = online(version)
    link.station.go_offline()
    link.follow_station()
    outcome = await applied(link, "start_session", {"id_tag": "NOBODY"})
    assert (outcome.ok, outcome.error) == (
        False,
        f"offline and the tag is unknown: the station's {OFFLINE_UNKNOWN_KEY[version]} is false",
    )
    assert outcome.result is not None
    assert outcome.result["authorization"] == {"status": "Unknown", "source": "OfflineUnknownId"}
    assert given_back(link)


@VERSIONS
async def test_offline_an_unknown_tag_charges_where_the_offline_rule_allows(version: str) -> None:
    link = online(version)
    configure(link, OFFLINE_UNKNOWN_KEY[version], "true")
    link.station.go_offline()
    link.follow_station()
    outcome = await applied(link, "start_session", {"id_tag": "NOBODY"})
    assert (outcome.ok, outcome.error) == (True, None)
    assert outcome.result is not None
    assert outcome.result["authorization"] == {"status": None, "source": "OfflineUnknownId"}
    assert outcome.result["offline"] is True
    transaction = evse(link).transaction
    # 1.6: the central system gives the id once the station is back; 2.0.1: the station's own.
    assert outcome.result["transaction_id"] == (None if version == "1.6" else transaction.local_id)


@VERSIONS
async def test_an_evse_a_remote_start_waits_on_is_refused_and_left_alone(version: str) -> None:
    link = online(version)
    if version == "1.6":
        answer = link.call_station("RemoteStartTransaction", {"idTag": "REMOTE", "connectorId": 1})
    else:
        answer = link.call_station(
            "RequestStartTransaction",
            {"idToken": {"idToken": "REMOTE", "type": "Central"}, "remoteStartId": 7, "evseId": 1},
        )
    assert answer["status"] == "Accepted"
    link.pump()
    executor = Executor()
    reason = executor.precheck(link.station, "start_session", {"id_tag": "TAG1"})
    assert (
        reason
        == {
            "1.6": "EVSE 1 is held: a remote start for REMOTE waits for a cable on EVSE 1",
            "2.0.1": "EVSE 1 is held: a remote start for REMOTE is authorized on EVSE 1 and waits "
            "for a cable",
        }[version]
    )
    outcome = await applied(link, "start_session", {"id_tag": "TAG1"})
    assert (outcome.ok, outcome.error) == (False, reason)
    # Nothing was plugged and nothing started: the remote start still waits for its driver.
    assert given_back(link)
    assert START_MESSAGE[version] not in link.csms.actions()
    station: Any = link.station
    assert station.pending_start(1) is not None


@VERSIONS
async def test_start_session_after_authorize_with_the_same_tag_uses_that_authorization(
    version: str,
) -> None:
    # 1.6 section 5.11, 2.0.1 E03: a tag authorized before the cable is the driver's; the
    # cable alone starts the transaction (presenting the tag again would end it, E07).
    link = online(version)
    authorized = await applied(link, "authorize", {"id_tag": "TAG1", "evse_id": 1})
    assert authorized.ok
    assert Executor().precheck(link.station, "start_session", {"id_tag": "TAG1"}) is None
    outcome = await applied(link, "start_session", {"id_tag": "TAG1"})
    assert (outcome.ok, outcome.error) == (True, None)
    transaction = evse(link).transaction
    assert transaction is not None
    assert outcome.result["authorization"] == {"status": "Accepted", "source": "CentralSystem"}
    assert outcome.result["transaction_id"] == ("1" if version == "1.6" else transaction.local_id)
    assert link.csms.actions().count("Authorize") == 1
    assert evse(link).connectors[1].status.value == "Charging"


@VERSIONS
async def test_start_session_is_refused_on_an_evse_another_tag_authorized(version: str) -> None:
    link = online(version)
    assert (await applied(link, "authorize", {"id_tag": "OTHER", "evse_id": 1})).ok
    reason = Executor().precheck(link.station, "start_session", {"id_tag": "TAG1"})
    assert reason is not None
    assert reason.startswith("EVSE 1 is held:")


async def test_an_evse_reserved_for_another_tag_is_refused() -> None:
    link = online("1.6")
    answer = link.call_station(
        "ReserveNow",
        {
            "connectorId": 1,
            "expiryDate": "2026-01-01T01:00:00.000Z",
            "idTag": "OTHER",
            "reservationId": 3,
        },
    )
    assert answer["status"] == "Accepted"
    outcome = await applied(link, "start_session", {"id_tag": "TAG1"})
    assert (outcome.ok, outcome.error) == (False, "EVSE 1 is reserved for another id tag")
    assert given_back(link)
    assert evse(link).connectors[1].status.value == "Reserved"


# -- the siblings: authorize and start-transaction ------------------------------------------------


@VERSIONS
async def test_authorize_reports_a_refusal_with_its_status(version: str) -> None:
    link = online(version)
    link.csms.answers["Authorize"] = lambda p: authorize_answer(version, "Blocked")
    outcome = await applied(link, "authorize", {"id_tag": "TAG1", "evse_id": 1})
    assert (outcome.ok, outcome.error) == (
        False,
        "the central system answered Authorize with Blocked",
    )
    assert outcome.result == {
        "id_tag": "TAG1",
        "evse_id": 1,
        "authorization": {"status": "Blocked", "source": "CentralSystem"},
        "transaction_id": None,
    }


@VERSIONS
async def test_authorize_without_a_cable_succeeds_with_no_transaction_yet(version: str) -> None:
    link = online(version)
    outcome = await applied(link, "authorize", {"id_tag": "TAG1"})
    assert (outcome.ok, outcome.error) == (True, None)
    assert outcome.result == {
        "id_tag": "TAG1",
        "evse_id": 1,
        "authorization": {"status": "Accepted", "source": "CentralSystem"},
        "transaction_id": None,
    }


@VERSIONS
async def test_start_transaction_reports_the_central_systems_answer(version: str) -> None:
    link = online(version)
    station: Any = link.station
    assert Executor().precheck(station, "start_transaction", {"id_tag": "LOCAL1"}) == (
        "no cable is plugged in EVSE 1 connector 1"
    )
    station.plug(1, 1)
    link.pump()
    outcome = await applied(link, "start_transaction", {"id_tag": "LOCAL1"})
    assert (outcome.ok, outcome.error) == (True, None)
    transaction = evse(link).transaction
    assert outcome.result == {
        "evse_id": 1,
        "connector_id": 1,
        "id_tag": "LOCAL1",
        # 1.6: StartTransaction.conf's idTagInfo; the 2.0.1 double answers no idTokenInfo.
        "authorization": {"status": "Accepted" if version == "1.6" else None, "source": "Station"},
        "transaction_id": "1" if version == "1.6" else transaction.local_id,
    }
