"""The API's errors when the station is an ``ocpp``-library station that does not simply
answer: a CALLERROR (502, its code in the detail), no answer or no report after it (504), gone
(503), unknown (404).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from ocpp.exceptions import InternalError, NotSupportedError

from chargeyard.api import ApiSettings
from chargeyard.csms.commands.device_model import OPERATIONS, Operation
from tests.api.ocpp_library_stations import SILENT, LibraryStation, LibraryStation201, booted
from tests.polling import until
from tests.stack_lab import StackLab

ID = "LIB-1"

# Every peer runs on the test's loop: the stack lab on SQLite and the ``ocpp`` library's
# stations (tests/virtual_time.py). The 504s' command timeout passes at once.
pytestmark = pytest.mark.virtual_time


@pytest.fixture
def settings() -> ApiSettings:
    return ApiSettings(command_timeout=0.5)


@pytest.fixture(params=["1.6", "2.0.1"])
async def station(
    csms_lab: StackLab, request: pytest.FixtureRequest
) -> AsyncIterator[LibraryStation]:
    async with booted(csms_lab, request.param, ID) as station:
        yield station


async def post(lab: StackLab, path: str, body: Any = None, identity: str = ID) -> tuple[int, Any]:
    response = await lab.client.post(f"/api/v1/chargers/{identity}/{path}", json=body)
    return response.status_code, response.json()


# -- 502: the station answered a CALLERROR (OCPP-J 1.6 section 4.2.3; 2.0.1 part 4 4.2.3) -----


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (
            NotSupportedError(),
            "NotSupported: Requested Action is not known by receiver",
        ),
        (
            InternalError("relay stuck"),
            "InternalError: relay stuck",
        ),
        (
            RuntimeError("a bug in the station"),  # the library hides what went wrong
            "InternalError: An unexpected error occurred.",
        ),
    ],
)
async def test_502_when_the_handler_raises(
    csms_lab: StackLab, station: LibraryStation, error: Exception, detail: str
) -> None:
    station.answers["UnlockConnector"] = error
    code, _, description = detail.partition(": ")
    assert await post(csms_lab, "unlock", {"connectorId": 1}) == (
        502,
        {
            "detail": f"charger {ID} answered UnlockConnector with {detail}",
            "errorCode": code,
            "errorDescription": description,
        },
    )


async def test_502_when_the_station_has_no_handler(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    # The library answers an action of its version without a handler with NotImplemented.
    del station.route_map["Reset"]
    assert await post(csms_lab, "reset", {"type": "Soft"}) == (
        502,
        {
            "detail": f"charger {ID} answered Reset with NotImplemented: "
            "Request Action is recognized but not supported by the receiver",
            "errorCode": "NotImplemented",
            "errorDescription": "Request Action is recognized but not supported by the receiver",
        },
    )


async def test_502_when_the_station_refuses_to_send_an_answer_against_its_schema(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    # The library checks its own answers too: instead of the invalid answer the CSMS gets
    # a FormatViolation CALLERROR (which the library spells so for 1.6 as well, where the
    # 1.6 spec says FormationViolation; the CSMS takes the code as it comes).
    station.script("ClearCache", status="Maybe")
    assert await post(csms_lab, "cache/clear") == (
        502,
        {
            "detail": f"charger {ID} answered ClearCache with FormatViolation: "
            "Payload for Action is syntactically incorrect or structure for Action",
            "errorCode": "FormatViolation",
            "errorDescription": "Payload for Action is syntactically incorrect or structure"
            " for Action",
        },
    )


async def test_a_failed_data_transfer_stays_in_history_without_an_answer(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    station.answers["DataTransfer"] = NotSupportedError("no vendor extensions")
    status, _ = await post(csms_lab, "data-transfer", {"vendorId": "V", "messageId": "M"})
    assert status == 502
    response = await csms_lab.client.get(f"/api/v1/chargers/{ID}/data-transfer")
    assert [
        (t["direction"], t["vendorId"], t["messageId"], t["responseStatus"])
        for t in response.json()["dataTransfers"]
    ] == [("outgoing", "V", "M", None)]


# -- 504, 503, 404 ----------------------------------------------------------------------------


async def test_504_when_the_station_never_answers(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    station.answers["Reset"] = SILENT
    assert await post(csms_lab, "reset", {"type": "Hard"}) == (
        504,
        {"detail": f"charger {ID} did not answer Reset within 0.5 s"},
    )
    assert station.last_call()[0] == "Reset"  # it did get there


@pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op.parts is not None], ids=lambda op: op.path
)
async def test_504_when_the_promised_report_parts_never_come(
    csms_lab: StackLab, operation: Operation
) -> None:
    async with booted(csms_lab, "2.0.1", ID) as station:
        assert isinstance(station, LibraryStation201)
        station.withhold_parts = True  # it answers Accepted, and sends nothing after
        assert await post(csms_lab, operation.path, operation.example) == (
            504,
            {"detail": f"charger {ID} did not answer {operation.parts} within 0.5 s"},
        )
        assert [action for action, _ in station.received] == [operation.action]
        assert len(csms_lab.registry.reports) == 0  # nothing left waiting


async def test_503_after_the_station_disconnected(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    await station.websocket.close()
    await until(lambda: not csms_lab.registry.is_connected(ID))
    assert await post(csms_lab, "cache/clear") == (
        503,
        {"detail": f"charger {ID} is not connected"},
    )
    kept = await csms_lab.store.stations.get(ID)
    assert kept is not None
    assert kept.is_online is False


async def test_404_for_an_unknown_charger_beside_a_connected_one(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    assert await post(csms_lab, "reset", {"type": "Soft"}, identity="NOPE") == (
        404,
        {"detail": "charger NOPE not found"},
    )
    assert station.received == []
