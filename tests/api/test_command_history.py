"""The command history: every OCPP call the API sends is kept with who sent it, the request,
the answer or the error and how long it took, and listed newest first, filtered and paged."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chargeyard.api import ApiSettings
from chargeyard.api.v1.schemas.command_history import Outcome
from chargeyard.csms import command_journal
from chargeyard.csms.command_journal import Caller, EntryKeeper, JournaledLink
from chargeyard.csms.local_calls import in_process_link
from chargeyard.store.models import CallOutcome
from chargeyard.store.repositories import NewSentCommand
from tests.api.conftest import ApiLab

TIMEOUT = 0.3


@pytest.fixture
def settings() -> ApiSettings:
    return ApiSettings(command_timeout=TIMEOUT)


async def _history(lab: ApiLab, path: str = "/commands", **params: Any) -> tuple[int, Any]:
    response = await lab.client.get(f"/api/v1{path}", params=params)
    return response.status_code, response.json()


def _refusing(call: list[Any]) -> list[Any]:
    return [4, call[1], "NotSupported", "not on this firmware", {}]


async def test_a_command_is_kept_with_its_request_answer_sender_and_duration(
    lab: ApiLab,
) -> None:
    await lab.station("CP-1")
    assert (await lab.post("CP-1", "reset", {"type": "Soft"})).status_code == 200

    status, page = await _history(lab, "/chargers/CP-1/commands")
    assert status == 200
    [entry] = page["data"]
    assert (page["total"], page["limit"], page["offset"]) == (1, 20, 0)
    sent_at = datetime.fromisoformat(entry.pop("sentAt"))
    assert abs(sent_at - datetime.now(UTC)) < timedelta(seconds=10)
    assert 0 <= entry.pop("durationMs") < TIMEOUT * 1000
    command_id = entry.pop("id")
    assert command_id.startswith("cmd_")
    assert entry == {
        "chargeBoxId": "CP-1",
        "endpoint": "POST /api/v1/chargers/{chargeBoxId}/reset",
        "action": "Reset",
        "request": {"type": "Soft"},
        "response": {"status": "Accepted"},
        "outcome": "answered",
        "status": "Accepted",
        "error": None,
        "sentBy": {"apiKeyId": entry["sentBy"]["apiKeyId"], "name": "tests"},
        "truncated": False,
    }
    assert entry["sentBy"]["apiKeyId"] is not None
    status, one = await _history(lab, f"/commands/{command_id}")
    assert (status, one["action"], one["response"]) == (200, "Reset", {"status": "Accepted"})


async def test_each_way_a_command_can_end_is_kept(lab: ApiLab) -> None:
    await lab.raw_peer("CP-ERR", _refusing)
    await lab.raw_peer("CP-MUTE", lambda call: None)
    await lab.raw_peer("CP-BAD", lambda call: [3, call[1], {"status": "Maybe"}])
    for identity in ("CP-ERR", "CP-MUTE", "CP-BAD"):
        await lab.post(identity, "cache/clear")

    _, page = await _history(lab)
    ended = {
        entry["chargeBoxId"]: (entry["outcome"], entry["status"], entry["response"])
        for entry in page["data"]
    }
    assert ended == {
        "CP-ERR": ("callError", "NotSupported", None),
        "CP-MUTE": ("timeout", None, None),
        "CP-BAD": ("invalidAnswer", None, None),
    }
    errors = {entry["chargeBoxId"]: entry["error"] for entry in page["data"]}
    assert errors["CP-ERR"] == (
        "charger CP-ERR answered ClearCache with NotSupported: not on this firmware"
    )
    assert errors["CP-MUTE"] == f"charger CP-MUTE did not answer ClearCache within {TIMEOUT:g} s"


async def test_a_command_to_a_station_connected_nowhere_is_answered_503_and_not_kept(
    lab: ApiLab,
) -> None:
    # Nothing was sent, and the call it would have been depends on a version not known.
    await lab.store.stations.register("CP-OFF")
    assert (await lab.post("CP-OFF", "cache/clear")).status_code == 503
    assert (await _history(lab))[1]["total"] == 0


async def test_a_request_refused_as_invalid_is_no_command_sent(lab: ApiLab) -> None:
    await lab.station("CP-1")
    response = await lab.post("CP-1", "call", {"action": "Reset", "payload": {"type": "Medium"}})
    assert response.status_code == 422
    assert await _history(lab) == (200, {"data": [], "total": 0, "limit": 20, "offset": 0})


async def test_each_call_of_a_command_is_an_entry(lab: ApiLab) -> None:
    # 2.0.1 configuration/get asks for a report; a station without reports is asked by name.
    def no_reports(call: list[Any]) -> list[Any]:
        _, unique_id, action, payload = call
        if action == "GetReport":
            return [4, unique_id, "NotImplemented", "no reports", {}]
        results = [
            {**item, "attributeStatus": "Accepted", "attributeValue": "300"}
            for item in payload["getVariableData"]
        ]
        return [3, unique_id, {"getVariableResult": results}]

    await lab.raw_peer("CS-OLD", no_reports, "ocpp2.0.1")
    await lab.post("CS-OLD", "configuration/get", {"key": ["HeartbeatInterval"]})

    _, page = await _history(lab, "/chargers/CS-OLD/commands")
    assert [(e["action"], e["outcome"], e["status"]) for e in page["data"]] == [
        ("GetVariables", "answered", None),
        ("GetReport", "callError", "NotImplemented"),
    ]
    assert {e["endpoint"] for e in page["data"]} == {
        "POST /api/v1/chargers/{chargeBoxId}/configuration/get"
    }


async def test_newest_first_filtered_and_paged(lab: ApiLab) -> None:
    await lab.station("CP-1")
    await lab.station("CP-2")
    await lab.post("CP-1", "trigger", {"requestedMessage": "Heartbeat"})
    await lab.post("CP-2", "cache/clear")
    await lab.post("CP-1", "configuration/change", {"key": "NumberOfConnectors", "value": "2"})
    await lab.post("CP-1", "unlock", {"connectorId": 1})

    _, actions_page = await _history(lab)
    actions = [entry["action"] for entry in actions_page["data"]]
    assert actions == ["UnlockConnector", "ChangeConfiguration", "ClearCache", "TriggerMessage"]
    assert actions_page["total"] == 4

    _, page = await _history(lab, limit=2, offset=1)
    assert [e["action"] for e in page["data"]] == ["ChangeConfiguration", "ClearCache"]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)

    _, page = await _history(lab, chargeBoxId="CP-2")
    assert [e["action"] for e in page["data"]] == ["ClearCache"]
    _, page = await _history(lab, action="TriggerMessage")
    assert [e["chargeBoxId"] for e in page["data"]] == ["CP-1"]
    _, page = await _history(lab, "/chargers/CP-1/commands", status="Rejected")
    assert [e["action"] for e in page["data"]] == ["ChangeConfiguration"]  # read-only key
    _, page = await _history(lab, outcome="answered", action="UnlockConnector")
    assert page["total"] == 1

    newest = datetime.fromisoformat(page["data"][0]["sentAt"])
    # sentAt is to the millisecond, and two commands may be sent within one: ``from`` takes
    # every entry shown at or after it, ``to`` every one shown before it.
    shown = [(e["action"], datetime.fromisoformat(e["sentAt"])) for e in actions_page["data"]]
    since_newest = [action for action, sent in shown if sent >= newest]
    _, page = await _history(lab, **{"from": newest.isoformat()})
    assert [e["action"] for e in page["data"]] == since_newest
    assert since_newest[0] == "UnlockConnector"
    _, page = await _history(lab, to=newest.isoformat())
    assert page["total"] == 4 - len(since_newest)
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert (await _history(lab, **{"from": later}))[1]["total"] == 0


async def test_remote_start_and_stop_are_kept_too(lab: ApiLab) -> None:
    await lab.station("CP-1")
    assert (
        await lab.post("CP-1", "remote-start", {"connectorId": 1, "idTag": "T1"})
    ).status_code == 200
    _, page = await _history(lab)
    [entry] = page["data"]
    assert (entry["action"], entry["endpoint"]) == (
        "RemoteStartTransaction",
        "POST /api/v1/chargers/{chargeBoxId}/remote-start",
    )
    assert entry["request"] == {"connectorId": 1, "idTag": "T1"}


@pytest.mark.parametrize(
    ("path", "params", "answer"),
    [
        ("/chargers/NOPE/commands", {}, (404, {"detail": "charger NOPE not found"})),
        ("/commands", {"chargeBoxId": "NOPE"}, (404, {"detail": "charger NOPE not found"})),
        ("/commands/cmd_nope", {}, (404, {"detail": "command 'cmd_nope' not found"})),
    ],
)
async def test_404s(lab: ApiLab, path: str, params: dict[str, str], answer: Any) -> None:
    assert await _history(lab, path, **params) == answer


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"outcome": "fine"}, "outcome"),
        ({"from": "2026-01-01T00:00:00"}, "from"),  # no zone
        ({"limit": "101"}, "limit"),
    ],
)
async def test_bad_filters_are_422(lab: ApiLab, params: dict[str, str], field: str) -> None:
    status, body = await _history(lab, **params)
    assert status == 422
    assert [problem["loc"] for problem in body["detail"]] == [["query", field]]


async def test_the_history_needs_a_key(lab: ApiLab) -> None:
    response = await lab.client.get("/api/v1/commands", headers={"X-API-Key": ""})
    assert response.status_code == 401


def test_the_api_lists_every_outcome() -> None:
    assert set(Outcome.__args__) == {outcome.value for outcome in CallOutcome}


class _BrokenJournal:
    async def record(self, entry: NewSentCommand) -> str:
        raise ConnectionError("database gone")


async def test_a_history_that_cannot_be_written_leaves_the_answer_as_it_was(
    lab: ApiLab, caplog: pytest.LogCaptureFixture
) -> None:
    await lab.station("CP-1")
    keeper = EntryKeeper(_BrokenJournal())
    link = JournaledLink(
        in_process_link(lab.registry), keeper, caller=Caller(None, None), endpoint="POST /x"
    )
    with caplog.at_level(logging.WARNING, "chargeyard.csms.command_journal"):
        answer = await asyncio.wait_for(link.call("CP-1", "ClearCache", {}), 5)
        await keeper.settled()
    assert answer == {"status": "Accepted"}
    assert caplog.messages == [
        "command ClearCache to CP-1 not kept in the command history: ConnectionError"
    ]


class _StuckJournal:
    async def record(self, entry: NewSentCommand) -> str:
        await asyncio.Event().wait()  # a database that went away: the write waits
        raise AssertionError("unreachable")


async def test_an_entry_that_cannot_be_written_in_time_is_given_up_and_never_held_the_answer(
    lab: ApiLab, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(command_journal, "KEEP_WAIT_S", 0.05)
    await lab.station("CP-1")
    keeper = EntryKeeper(_StuckJournal())
    link = JournaledLink(
        in_process_link(lab.registry), keeper, caller=Caller(None, None), endpoint="POST /x"
    )
    with caplog.at_level(logging.WARNING, "chargeyard.csms.command_journal"):
        # The answer does not wait for the entry at all...
        answer = await asyncio.wait_for(link.call("CP-1", "ClearCache", {}), 5)
        assert caplog.messages == []
        # ... which is given up after KEEP_WAIT_S.
        await asyncio.wait_for(keeper.settled(), 5)
    assert answer == {"status": "Accepted"}
    assert caplog.messages == [
        "command ClearCache to CP-1 not kept in the command history: TimeoutError"
    ]


async def test_one_command_is_read_as_soon_as_its_answer_came(lab: ApiLab) -> None:
    await lab.station("CP-1")
    await lab.post("CP-1", "cache/clear")
    [entry] = (await _history(lab))[1]["data"]
    status, one = await _history(lab, f"/commands/{entry['id']}")
    assert (status, one) == (200, entry)
