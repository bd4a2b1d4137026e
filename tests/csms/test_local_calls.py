"""The in-process path: the API's link sends each CALL as a request that the Registry serves,
and the answer comes back through to_dict, JSON and from_dict; the state a command shares with
the station's handlers is reached through its protocols (command_state.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from chargeyard.csms.command_state import AwaitedReports, PendingStarts
from chargeyard.csms.commands import Charger, get_configuration
from chargeyard.csms.commands.transactions import remote_start
from chargeyard.csms.link import LinkedStations, request_ids
from chargeyard.csms.local_calls import InProcessCalls, LocalDirectory, in_process_link, serve
from chargeyard.csms.registration import RegistrationGate
from chargeyard.csms.registry import Registry
from chargeyard.csms.station_calls import (
    AnswerKind,
    StationAnswer,
    StationDidNotAnswer,
    StationNodeGone,
    StationNotConnected,
    StationRefused,
    StationRejected,
    StationRequest,
)
from chargeyard.protocol import V16, V201, CallErrorReply, CallTimeout, Payload, VersionSpec
from tests.polling import until


class FakeConnection:
    """The registry's side of one station: answers each CALL with ``answer(action, payload)``
    and keeps what it was sent."""

    def __init__(
        self, version: VersionSpec, answer: Callable[[str, Payload], Payload] | None = None
    ) -> None:
        self.version = version
        self.answer = answer or (lambda _action, _payload: {"status": "Accepted"})
        self.sent: list[tuple[str, Payload]] = []

    async def call(self, action: str, payload: Payload) -> Payload:
        self.sent.append((action, payload))
        return self.answer(action, payload)


def registry_with(connection: FakeConnection, identity: str = "CP-1") -> Registry:
    registry = Registry(command_timeout=5.0)
    registry.add(identity, connection)  # type: ignore[arg-type]  # the CALL side is enough here
    return registry


async def test_a_call_is_served_and_its_answer_crosses_to_dict_and_from_dict() -> None:
    answered: Payload = {"status": "Accepted", "nested": {"list": [1, 2]}}
    station = FakeConnection(V16, lambda _action, _payload: answered)
    link = in_process_link(registry_with(station))
    sent: Payload = {"type": "Hard"}

    result = await link.call("CP-1", "Reset", sent)

    assert result == {"status": "Accepted", "nested": {"list": [1, 2]}}
    assert station.sent == [("Reset", {"type": "Hard"})]
    # Data crossed, not objects: neither side holds the other's.
    assert result is not answered
    assert result["nested"] is not answered["nested"]
    assert station.sent[0][1] is not sent


class RecordingCalls:
    """A path that keeps each request and its answer as the dicts a stream would carry."""

    def __init__(self, inner: InProcessCalls) -> None:
        self.inner = inner
        self.carried: list[tuple[dict[str, Any], dict[str, Any]]] = []

    async def request(self, request: StationRequest) -> StationAnswer:
        answer = await self.inner.request(request)
        self.carried.append((request.to_dict(), answer.to_dict()))
        return answer


async def test_the_link_names_each_request_and_its_deadline() -> None:
    registry = registry_with(FakeConnection(V16))
    calls = RecordingCalls(InProcessCalls(registry))
    ids = iter(["r-1", "r-2"])
    link = LinkedStations(
        LocalDirectory(registry),
        calls,
        remote_starts=registry.remote_starts,
        reports=registry.reports,
        command_timeout=5.0,
        asker="api-7",
        new_id=lambda: next(ids),
        clock=lambda: 1_800_000_000.0,
    )

    await link.call("CP-1", "ClearCache", {})
    await link.call("CP-1", "ClearCache", {}, timeout=0.5)

    assert calls.carried == [
        (
            {
                "request_id": "r-1",
                "asker": "api-7",
                "identity": "CP-1",
                "action": "ClearCache",
                "payload": {},
                "timeout": 5.0,
                "deadline": 1_800_000_005.0,
            },
            {
                "request_id": "r-1",
                "kind": "result",
                "payload": {"status": "Accepted"},
                "code": "",
                "description": "",
                "details": {},
            },
        ),
        (
            {
                "request_id": "r-2",
                "asker": "api-7",
                "identity": "CP-1",
                "action": "ClearCache",
                "payload": {},
                "timeout": 0.5,
                "deadline": 1_800_000_000.5,
            },
            {
                "request_id": "r-2",
                "kind": "result",
                "payload": {"status": "Accepted"},
                "code": "",
                "description": "",
                "details": {},
            },
        ),
    ]


def test_request_ids_are_distinct_within_a_link_and_across_links() -> None:
    first, second = request_ids(), request_ids()
    ids = [first(), first(), second(), second()]
    assert len(set(ids)) == 4


async def test_a_request_taken_after_its_deadline_is_answered_timeout_unsent() -> None:
    station = FakeConnection(V16)
    request = StationRequest("r-1", "api", "CP-1", "ClearCache", {}, 5.0, deadline=100.0)

    answer = await serve(registry_with(station), request, clock=lambda: 100.5)

    assert answer == StationAnswer("r-1", AnswerKind.TIMEOUT)
    assert station.sent == []


def refuse(_action: str, _payload: Payload) -> Payload:
    raise CallErrorReply("Reset", "u-1", "NotSupported", "no resets here", {})


def stay_silent(_action: str, _payload: Payload) -> Payload:
    raise CallTimeout("Reset", "u-1", "no answer")


async def test_a_station_s_errors_come_back_as_the_api_maps_them() -> None:
    link = in_process_link(registry_with(FakeConnection(V16, refuse), "CP-NO"))
    with pytest.raises(StationRefused) as refused:
        await link.call("CP-NO", "Reset", {"type": "Hard"})
    assert str(refused.value) == "charger CP-NO answered Reset with NotSupported: no resets here"

    link = in_process_link(registry_with(FakeConnection(V16, stay_silent), "CP-MUTE"))
    with pytest.raises(StationDidNotAnswer) as silent:
        await link.call("CP-MUTE", "Reset", {"type": "Hard"}, timeout=0.3)
    assert str(silent.value) == "charger CP-MUTE did not answer Reset within 0.3 s"

    with pytest.raises(StationNotConnected):
        await link.call("CP-GONE", "Reset", {"type": "Hard"})


async def test_a_station_rejected_at_boot_is_refused_by_the_serving_node() -> None:
    station = FakeConnection(V16)
    registry = registry_with(station)
    registry.gates["CP-1"] = RegistrationGate("CP-1", "Rejected")  # as the boot leaves it

    with pytest.raises(StationRejected):
        await in_process_link(registry).call("CP-1", "ClearCache", {})
    assert station.sent == []


# -- the state a command shares with the station's handlers ---------------------------------


class StationNode:
    """The node holding a 2.0.1 station, seen from the asking side: it serves the requests the
    path brings and, as its NotifyReport handler does, hands each part of a report it was asked
    for to the shared ``reports``, each part carried as JSON (B07)."""

    def __init__(self, reports: AwaitedReports, parts: list[Payload]) -> None:
        self.reports = reports
        self.parts = parts
        self.sent: list[StationRequest] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def request(self, request: StationRequest) -> StationAnswer:
        self.sent.append(request)
        task = asyncio.get_running_loop().create_task(self._report(request.payload["requestId"]))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return StationAnswer(request.request_id, AnswerKind.RESULT, {"status": "Accepted"})

    async def _report(self, request_id: int) -> None:
        for part in self.parts:
            self.reports.add_part("CS-1", json.loads(json.dumps({**part, "requestId": request_id})))


class Directory:
    """One 2.0.1 station connected elsewhere."""

    async def is_connected(self, identity: str) -> bool:
        return identity == "CS-1"

    async def version_of(self, identity: str) -> VersionSpec:
        if identity != "CS-1":
            raise StationNotConnected(identity)
        return V201

    async def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
        return False

    def versions(self) -> list[VersionSpec]:
        return []


def variable(component: str, name: str, value: str, mutability: str) -> Payload:
    return {
        "component": {"name": component},
        "variable": {"name": name},
        "variableAttribute": [{"type": "Actual", "value": value, "mutability": mutability}],
    }


async def test_b07_a_command_is_completed_by_a_report_handed_to_the_shared_state() -> None:
    registry = Registry()  # only its shared state: the station is not connected here
    reports: AwaitedReports = registry.reports
    parts: list[Payload] = [  # in seqNo order, as OCPP-J's one CALL at a time brings them
        {"seqNo": 0, "tbc": True, "reportData": [variable("OCPPCommCtrlr", "X", "1", "ReadWrite")]},
        {"seqNo": 1, "tbc": False, "reportData": [variable("Bank", "Name", "B", "ReadOnly")]},
    ]
    node = StationNode(reports, parts)
    link = LinkedStations(
        Directory(),
        node,
        remote_starts=registry.remote_starts,
        reports=reports,
        command_timeout=5.0,
    )

    result = await get_configuration(Charger(link, "CS-1"), [])

    [request] = node.sent
    assert request.action == "GetBaseReport"
    assert request.payload == {
        "requestId": request.payload["requestId"],
        "reportBase": "FullInventory",
    }
    assert result == {
        "chargeBoxId": "CS-1",
        "configurationKey": [
            {"key": "OCPPCommCtrlr.X", "readonly": False, "value": "1"},
            {"key": "Bank.Name", "readonly": True, "value": "B"},
        ],
        "unknownKey": [],
    }
    assert len(registry.reports) == 0  # nothing left waiting


class NoTags:
    """An id-tag table without the tag: the idToken goes out as Central."""

    async def get(self, id_tag: str, *, organization_id: str = "default") -> None:
        return None


class AcceptingNode:
    """The node holding the station: every request is answered Accepted."""

    def __init__(self) -> None:
        self.sent: list[StationRequest] = []

    async def request(self, request: StationRequest) -> StationAnswer:
        self.sent.append(request)
        return StationAnswer(request.request_id, AnswerKind.RESULT, {"status": "Accepted"})


async def test_f02_a_remote_start_is_claimed_through_the_shared_state() -> None:
    registry = Registry()  # only its shared state: the station is not connected here
    starts: PendingStarts = registry.remote_starts
    node = AcceptingNode()
    link = LinkedStations(
        Directory(), node, remote_starts=starts, reports=registry.reports, command_timeout=5.0
    )

    result = await remote_start(
        Charger(link, "CS-1"),
        1,
        "TAG-1",
        id_tags=NoTags(),  # type: ignore[arg-type]  # the one method the command reads
        transactions=None,  # type: ignore[arg-type]  # read only for a transaction running
    )

    assert result["status"] == "accepted"
    [request] = node.sent
    assert request.action == "RequestStartTransaction"
    # The station's node hears the TransactionEvent Started naming this remoteStartId (F02):
    remote_start_id = request.payload["remoteStartId"]
    assert starts.claim("CS-1", connector_id=1, id_tag="TAG-1", remote_start_id=remote_start_id)
    assert len(registry.remote_starts) == 0


class SilentConnection(FakeConnection):
    """A station that holds every CALL without answering."""

    async def call(self, action: str, payload: Payload) -> Payload:
        self.sent.append((action, payload))
        await asyncio.Event().wait()
        raise AssertionError("never answered")


async def test_a_stopping_link_answers_the_call_in_flight_at_once_and_sends_no_more() -> None:
    # As the process stops, its API answers instead of holding the stop for the timeout.
    station = SilentConnection(V16)
    link = in_process_link(registry_with(station))
    waiting = asyncio.create_task(link.call("CP-1", "Reset", {"type": "Hard"}))
    await until(lambda: station.sent != [])

    link.abandon()

    async with asyncio.timeout(1):
        with pytest.raises(StationNodeGone) as in_flight:
            await waiting
    with pytest.raises(StationNodeGone) as after:
        await link.call("CP-1", "Reset", {"type": "Hard"})
    stopping = "this node is stopping before charger CP-1 answered; retry"
    assert str(in_flight.value) == f"{stopping} (the command may have reached the charger)"
    assert str(after.value) == f"{stopping} (nothing was sent)"
    assert len(station.sent) == 1
