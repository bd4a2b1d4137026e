"""The station's handlers take and answer their version's generated message types
(``protocol/messages``), and the type checker holds a handler to its messages' keys and words,
and a request the station builds to send to its message's."""

from __future__ import annotations

import inspect
import itertools
import typing
from pathlib import Path

import pytest

from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.protocol.messages import generate
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.firmware_update import FirmwareWords
from chargeyard.station.station_classes import STATION_CLASSES
from chargeyard.station.v16.firmware import WORDS_16
from chargeyard.station.v16.signed_firmware import SIGNED_WORDS
from chargeyard.station.v201.firmware import WORDS_201
from tests.message_types import check_types, message_types


@pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)
def test_every_handler_takes_and_answers_its_versions_messages(version: VersionSpec) -> None:
    ids = itertools.count(1)
    station = STATION_CLASSES[version](
        "CS-1",
        load_catalog().template("alfen-eve-single-pro-line"),
        clock=ManualClock(),
        new_id=lambda: f"m{next(ids)}",
    )
    module = f"chargeyard.protocol.messages.{generate.MODULES[version]}"
    handlers = station.handlers()
    untyped = []
    for action in sorted(handlers):
        # The table's own handler, past the 2.0.1 station's refusal after a Rejected boot.
        hints = typing.get_type_hints(inspect.unwrap(handlers[action]))
        if (module, f"{action}Request") not in message_types(hints["payload"]) or (
            module,
            f"{action}Response",
        ) not in message_types(hints["return"]):
            untyped.append(action)
    assert untyped == []
    assert len(handlers) == {V16: 26, V201: 38}[version]


@pytest.mark.parametrize(
    ("version", "words"),
    [(V16, WORDS_16), (V16, SIGNED_WORDS), (V201, WORDS_201)],
    ids=["1.6", "1.6 signed", "2.0.1"],
)
def test_every_firmware_status_an_update_reports_is_one_its_notification_carries(
    version: VersionSpec, words: FirmwareWords
) -> None:
    # The update machine's statuses are the version's table of words; its notification is
    # built in the generated type, which takes no other.
    statuses = set(words.moves).union(*words.moves.values())
    for status in sorted(statuses):
        version.schemas.check_request(words.notification, words.message(status, 7))
    with pytest.raises(ValueError, match="has no status 'Unpacking'"):
        words.message("Unpacking", 7)


# A copy of the 2.0.1 station's ClearVariableMonitoring (N06) and of the NotifyEvent it sends
# (N07) through the station's call(), with a request key read, an answer's key and word, and a
# sent key to plant.
HANDLER = """\
from collections.abc import Callable

from chargeyard.protocol import ActionHandlers, OutgoingPayload, on
from chargeyard.protocol.messages import v201


class Monitoring(ActionHandlers):
    @on("ClearVariableMonitoring")
    def clear_variable_monitoring(
        self, payload: v201.ClearVariableMonitoringRequest
    ) -> v201.ClearVariableMonitoringResponse:
        results: list[v201.ClearMonitoringResultType] = []
        for monitor_id in payload["{read}"]:
            results.append({{"status": "{status}", "{key}": monitor_id}})
        return {{"clearMonitoringResult": results}}


def notify_event(generated_at: str, events: list[v201.EventDataType]) -> v201.NotifyEventRequest:
    return {{"generatedAt": generated_at, "{sent}": 0, "eventData": events}}


def send(call: Callable[[str, OutgoingPayload], bool], generated_at: str) -> bool:
    return call("NotifyEvent", notify_event(generated_at, []))
"""


@pytest.mark.slow  # a run of mypy
def test_mypy_reports_a_misspelt_key_or_a_word_the_schema_lacks(tmp_path: Path) -> None:
    right = {"read": "id", "status": "NotFound", "key": "id", "sent": "seqNo"}
    wrong = {"read": "ids", "status": "Unknown", "key": "monitorId", "sent": "seqno"}
    reports = check_types(
        tmp_path, {"right": HANDLER.format(**right), "wrong": HANDLER.format(**wrong)}
    )
    assert reports["right"] == []
    assert reports["wrong"] == [
        'wrong.py:13: error: TypedDict "ClearVariableMonitoringRequest" has no key "ids"'
        "  [typeddict-item]",
        'wrong.py:13: note: Did you mean "id"?',
        'wrong.py:14: error: Missing key "id" for TypedDict "ClearMonitoringResultType"'
        "  [typeddict-item]",
        'wrong.py:14: error: Extra key "monitorId" for TypedDict "ClearMonitoringResultType"'
        "  [typeddict-unknown-key]",
        "wrong.py:14: error: Incompatible types (expression has type \"Literal['Unknown']\","
        " TypedDict item \"status\" has type \"Literal['Accepted', 'Rejected', 'NotFound']\")"
        "  [typeddict-item]",
        'wrong.py:19: error: Missing key "seqNo" for TypedDict "NotifyEventRequest"'
        "  [typeddict-item]",
        'wrong.py:19: error: Extra key "seqno" for TypedDict "NotifyEventRequest"'
        "  [typeddict-unknown-key]",
    ]
